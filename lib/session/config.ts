/**
 * Session configuration from the environment: the sealing secret, TTL and cookie flags.
 * Everything is validated once, with errors that say exactly what to set.
 */
import "server-only";
import { createHash, randomBytes } from "node:crypto";

export type SessionPassword = string | Record<string, string>;

const MIN_SECRET_LENGTH = 32;
const DEFAULT_TTL_SECONDS = 30 * 24 * 60 * 60;

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

const isProduction = () => process.env.NODE_ENV === "production";

/**
 * SESSION_SECRET: one secret of at least 32 characters, or a JSON map {"2":"new…","1":"old…"}
 * for rotation (iron-session seals with the highest id and unseals with any).
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

const DEV_SECRET_KEY = Symbol.for("newsroom.devSecret");
type GlobalWithSecret = typeof globalThis & { [DEV_SECRET_KEY]?: string };

/** The password for every seal. Required in production; generated (with a warning) in development. */
export function sessionPassword(): SessionPassword {
  const raw = process.env.SESSION_SECRET;
  if (raw) return parseSessionSecret(raw);
  if (isProduction()) {
    throw new ConfigError(
      "SESSION_SECRET is not set. Every instance must share one secret of at least 32 characters, " +
        "e.g. SESSION_SECRET=$(node -e \"console.log(require('crypto').randomBytes(32).toString('base64url'))\"). " +
        "(npm run demo generates one per run.)",
    );
  }
  const holder = globalThis as GlobalWithSecret;
  if (!holder[DEV_SECRET_KEY]) {
    holder[DEV_SECRET_KEY] = randomBytes(32).toString("base64url");
    console.warn(
      "[newsroom] SESSION_SECRET is not set: using a random development secret. " +
        "Sessions will not survive a restart and other instances cannot read them.",
    );
  }
  return holder[DEV_SECRET_KEY];
}

/**
 * The secrets by id, and the one id that seals cookies and signs session ids; every id opens and
 * verifies. A plain SESSION_SECRET is the id "1" (as iron-session reads it), so a later rotation
 * must keep it under "1": {"2":"new…","1":"old…"}.
 */
export interface Keyring {
  secrets: Readonly<Record<string, string>>;
  sealId: string;
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

/**
 * SESSION_SECRET as a keyring, with SESSION_SECRET_SEAL_ID (default: the highest id) choosing which
 * secret seals. A rolling rotation takes two rollouts: first every instance gets the map with the
 * new secret but SESSION_SECRET_SEAL_ID still naming the old id (all of them can now open the new
 * secret's cookies, none makes one yet), then SESSION_SECRET_SEAL_ID moves to the new id (or is
 * unset). Instances on either phase read each other's cookies; skipping the first phase is what
 * rejects every reader an old instance serves.
 */
export function sessionKeyring(): Keyring {
  const sealId = process.env.SESSION_SECRET_SEAL_ID?.trim();
  return keyring(sessionPassword(), sealId ? sealId : undefined);
}

export function sessionTtlSeconds(): number {
  const raw = process.env.SESSION_TTL_SECONDS;
  if (raw === undefined || raw === "") return DEFAULT_TTL_SECONDS;
  const ttl = Number(raw);
  if (!Number.isInteger(ttl) || ttl < 1) throw new ConfigError(`SESSION_TTL_SECONDS must be a positive whole number, got "${raw}"`);
  return ttl;
}

/** Default for MEMORY_MODE_MAX_READERS. */
const DEFAULT_MEMORY_MAX_READERS = 10_000;

/**
 * MEMORY_MODE_MAX_READERS (default 10,000): the most memory-mode readers one process holds; past
 * it the least recently active reader is dropped. Memory mode is the bug on display, not a leak.
 */
export function memoryMaxReaders(): number {
  const raw = process.env.MEMORY_MODE_MAX_READERS;
  if (raw === undefined || raw === "") return DEFAULT_MEMORY_MAX_READERS;
  const max = Number(raw);
  if (!Number.isInteger(max) || max < 1) throw new ConfigError(`MEMORY_MODE_MAX_READERS must be a positive whole number, got "${raw}"`);
  return max;
}

/** Secure cookies in production; COOKIE_SECURE=0 allows plain-HTTP hosts other than localhost. */
export function cookieSecure(): boolean {
  if (process.env.COOKIE_SECURE === "0") return false;
  if (process.env.COOKIE_SECURE === "1") return true;
  return isProduction();
}

/** Checked at server start (instrumentation.ts) so a misconfigured instance fails loudly, early. */
export function assertSessionConfig(): void {
  sessionKeyring();
  sessionTtlSeconds();
  memoryMaxReaders();
}

/**
 * A short, one-way fingerprint of the secret(s) for /api/health: enough to see that two instances
 * hold different secrets ("secret_key must be the same on every server"), useless for guessing it.
 */
export function secretFingerprint(password: SessionPassword): string {
  const canonical = typeof password === "string" ? password : JSON.stringify(Object.entries(password).sort(([a], [b]) => Number(a) - Number(b)));
  return createHash("sha256").update(`newsroom-secret-fingerprint\u0000${canonical}`).digest("hex").slice(0, 12);
}
