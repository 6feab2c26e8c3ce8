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

export function sessionTtlSeconds(): number {
  const raw = process.env.SESSION_TTL_SECONDS;
  if (raw === undefined || raw === "") return DEFAULT_TTL_SECONDS;
  const ttl = Number(raw);
  if (!Number.isInteger(ttl) || ttl < 1) throw new ConfigError(`SESSION_TTL_SECONDS must be a positive whole number, got "${raw}"`);
  return ttl;
}

/** Secure cookies in production; COOKIE_SECURE=0 allows plain-HTTP hosts other than localhost. */
export function cookieSecure(): boolean {
  if (process.env.COOKIE_SECURE === "0") return false;
  if (process.env.COOKIE_SECURE === "1") return true;
  return isProduction();
}

/** Checked at server start (instrumentation.ts) so a misconfigured instance fails loudly, early. */
export function assertSessionConfig(): void {
  sessionPassword();
  sessionTtlSeconds();
}

/**
 * A short, one-way fingerprint of the secret(s) for /api/health: enough to see that two instances
 * hold different secrets ("secret_key must be the same on every server"), useless for guessing it.
 */
export function secretFingerprint(password: SessionPassword): string {
  const canonical = typeof password === "string" ? password : JSON.stringify(Object.entries(password).sort(([a], [b]) => Number(a) - Number(b)));
  return createHash("sha256").update(`newsroom-secret-fingerprint\u0000${canonical}`).digest("hex").slice(0, 12);
}
