/**
 * SESSION_SECRET as a keyring: parsing and validation only, with no server-only guard, so the
 * cluster scripts derive the same keys as the instances (replicated mode's channel key). The
 * session configuration (config.ts) reads it from the environment.
 */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

const MIN_SECRET_LENGTH = 32;

export type SessionPassword = string | Record<string, string>;

/**
 * The secrets by id, and the one id that seals cookies and signs session ids; every id opens and
 * verifies. A plain SESSION_SECRET is the id "1" (as iron-session reads it), so a later rotation
 * must keep it under "1": {"2":"new…","1":"old…"}.
 */
export interface Keyring {
  secrets: Readonly<Record<string, string>>;
  sealId: string;
}

/**
 * SESSION_SECRET: one secret of at least 32 characters, or a JSON map {"2":"new…","1":"old…"}
 * for rotation.
 */
export function parseSessionSecret(raw: string): SessionPassword {
  const trimmed = raw.trim();
  if (trimmed.startsWith("{")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      throw new ConfigError('SESSION_SECRET looks like JSON but does not parse; use {"2":"new-secret…","1":"old-secret…"}');
    }
    const entries = Object.entries(parsed as Record<string, unknown>);
    if (entries.length === 0) throw new ConfigError("SESSION_SECRET map is empty");
    for (const [id, secret] of entries) {
      if (!/^\d+$/.test(id)) throw new ConfigError(`SESSION_SECRET map keys must be numbers (got "${id}")`);
      if (typeof secret !== "string" || secret.length < MIN_SECRET_LENGTH) {
        throw new ConfigError(`SESSION_SECRET entry "${id}" must be a string of at least ${MIN_SECRET_LENGTH} characters`);
      }
    }
    return Object.fromEntries(entries) as Record<string, string>;
  }
  if (trimmed.length < MIN_SECRET_LENGTH) {
    throw new ConfigError(
      `SESSION_SECRET must be at least ${MIN_SECRET_LENGTH} characters (got ${trimmed.length}). ` +
        `Generate one with: node -e "console.log(require('crypto').randomBytes(32).toString('base64url'))"`,
    );
  }
  return trimmed;
}

/** Builds a keyring; `sealId` defaults to the highest numeric id (iron-session's rule). */
export function keyring(password: SessionPassword, sealId?: string): Keyring {
  const secrets = typeof password === "string" ? { 1: password } : { ...password };
  const ids = Object.keys(secrets);
  const chosen = sealId ?? String(Math.max(...ids.map(Number)));
  if (!Object.hasOwn(secrets, chosen)) {
    throw new ConfigError(
      `SESSION_SECRET_SEAL_ID is "${chosen}", which is not an id of SESSION_SECRET (ids: ${ids.join(", ")}; a plain SESSION_SECRET is id "1").`,
    );
  }
  return { secrets, sealId: chosen };
}
