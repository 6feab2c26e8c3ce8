/**
 * The session layer's configuration: read from the environment once per process (sessionConfig),
 * validated, and handed to every store through the registry. An error says exactly what to set.
 * Each option below names its variable, its default and an example, as iron-session documents its
 * own options. Tests and scripts build one from any environment with parseSessionConfig(env).
 */
import "server-only";
import { createHash, randomBytes } from "node:crypto";
import { processWide } from "../process-wide";
import { ConfigError, keyring, parseSessionSecret, type Keyring } from "./keyring";
import { parseReplicationConfig, type ReplicationSetting } from "./replicated/replication-config";
import type { CookieOptions } from "./store";

export { ConfigError, keyring, parseSessionSecret, type Keyring, type SessionPassword } from "./keyring";

/** An Upstash REST endpoint: KV_REST_API_URL + KV_REST_API_TOKEN (or UPSTASH_REDIS_REST_URL + _TOKEN). */
export interface RestEndpoint {
  url: string;
  token: string;
}

/** A Redis server spoken to in its own protocol: KV_URL=redis://[:password@]host:port or rediss://… */
export interface RedisEndpoint {
  url: string;
}

export type KvTransportKind = "rest" | "redis";

/** Where kv mode's Redis is and how it is reached, or why kv mode is off. */
export type KvConfig = { transport: KvTransportKind; rest: RestEndpoint | null; redis: RedisEndpoint | null } | { unavailable: string };

export interface SessionConfig {
  /**
   * SESSION_SECRET (required in production; a random one, with a warning, in development) and
   * SESSION_SECRET_SEAL_ID (default: the highest id). At least 32 characters, the same on every
   * instance. Example: SESSION_SECRET='{"2":"new-secret-of-32-characters…","1":"old-secret…"}'.
   */
  keys: Keyring;
  /** SESSION_TTL_SECONDS, default 2592000 (30 days): the sliding expiry of a session in every mode. Example: 3600. */
  ttlSeconds: number;
  /**
   * Attributes of every session cookie: HttpOnly, SameSite=Lax, Path=/, Max-Age = ttlSeconds, and
   * Secure unless COOKIE_SECURE=0 (default: Secure in production; browsers accept Secure cookies
   * on http://localhost). Example: COOKIE_SECURE=0 to serve plain HTTP to a phone on your network.
   */
  cookie: CookieOptions;
  /** DEFAULT_SESSION_MODE, default "cookie": the mode of a reader who never chose one. Example: kv. */
  defaultMode: string;
  /** MEMORY_MODE_MAX_READERS, default 10000: the most memory-mode readers one process holds (least recently active go first). Example: 300. */
  memoryMaxReaders: number;
  /**
   * kv mode's Redis, by either of two transports:
   *  - REST: KV_REST_API_URL + KV_REST_API_TOKEN (what Vercel's KV integration sets), or the names
   *    the Upstash integration sets today, UPSTASH_REDIS_REST_URL + UPSTASH_REDIS_REST_TOKEN.
   *    Example: KV_REST_API_URL=https://<db>.upstash.io KV_REST_API_TOKEN=<token>.
   *  - Redis protocol: KV_URL=redis://[:password@]host:port, or rediss://… for TLS (Vercel KV's
   *    KV_URL is one). Example: KV_URL=redis://:secret@10.0.0.5:6379.
   * KV_TRANSPORT=rest|redis picks one when both are set; default: rest when its endpoint is set,
   * else redis. Default: neither, kv mode off (npm run dev / demo start a local Redis and set them).
   */
  kv: KvConfig;
  /** replicated mode's channel and peers: REPLICATION_* (replicated/replication-config.ts lists them with their defaults). */
  replication: ReplicationSetting;
}

const DEFAULT_TTL_SECONDS = 30 * 24 * 60 * 60;
const DEFAULT_MEMORY_MAX_READERS = 10_000;

type Env = Readonly<Record<string, string | undefined>>;

/**
 * SESSION_SECRET as a keyring, with SESSION_SECRET_SEAL_ID choosing which secret seals. A rolling
 * rotation takes two rollouts: first every instance gets the map with the new secret but
 * SESSION_SECRET_SEAL_ID still naming the old id (all of them can now open the new secret's
 * cookies, none makes one yet), then SESSION_SECRET_SEAL_ID moves to the new id (or is unset).
 */
function parseKeys(env: Env): Keyring {
  const sealId = env.SESSION_SECRET_SEAL_ID?.trim() || undefined;
  if (env.SESSION_SECRET) return keyring(parseSessionSecret(env.SESSION_SECRET), sealId);
  if (env.NODE_ENV === "production") {
    throw new ConfigError(
      "SESSION_SECRET is not set. Every instance must share one secret of at least 32 characters, " +
        "e.g. SESSION_SECRET=$(node -e \"console.log(require('crypto').randomBytes(32).toString('base64url'))\"). " +
        "(npm run demo makes one and keeps it in .newsroom/session-secret.)",
    );
  }
  console.warn(
    "[newsroom] SESSION_SECRET is not set: using a random development secret. Sessions will not survive a restart and other instances cannot read them.",
  );
  return keyring(randomBytes(32).toString("base64url"), sealId);
}

function positiveInteger(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new ConfigError(`${name} must be a positive whole number, got "${raw}"`);
  return value;
}

function parseKv(env: Env): KvConfig {
  const url = env.KV_REST_API_URL || env.UPSTASH_REDIS_REST_URL;
  const token = env.KV_REST_API_TOKEN || env.UPSTASH_REDIS_REST_TOKEN;
  const rest = url && token ? { url, token } : null;
  const redisUrl = env.KV_URL?.trim();
  if (redisUrl && !/^rediss?:\/\/[^/]/.test(redisUrl)) {
    throw new ConfigError(
      `KV_URL must be a redis:// or rediss:// URL such as redis://:password@127.0.0.1:6379, got "${redisUrl.replace(/\/\/[^@/]*@/, "//…@")}"`,
    );
  }
  const redis = redisUrl ? { url: redisUrl } : null;
  const chosen = env.KV_TRANSPORT?.trim();
  if (chosen && chosen !== "rest" && chosen !== "redis") throw new ConfigError(`KV_TRANSPORT must be "rest" or "redis", got "${chosen}"`);
  if (chosen === "redis" && !redis) return { unavailable: "KV_TRANSPORT=redis, but KV_URL (redis://… or rediss://…) is not set." };
  if (chosen === "rest" && !rest) return { unavailable: "KV_TRANSPORT=rest, but KV_REST_API_URL and KV_REST_API_TOKEN are not set." };
  const transport = (chosen as KvTransportKind | undefined) ?? (rest ? "rest" : redis ? "redis" : null);
  if (transport) return { transport, rest, redis };
  return {
    unavailable:
      "KV is not configured: set KV_REST_API_URL and KV_REST_API_TOKEN (or UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN), " +
      "or KV_URL=redis://… for the Redis protocol; npm run dev and npm run demo start a local one.",
  };
}

/** Reads and validates a configuration from `env` (default: this process's environment). */
export function parseSessionConfig(env: Env = process.env): SessionConfig {
  const ttlSeconds = positiveInteger(env, "SESSION_TTL_SECONDS", DEFAULT_TTL_SECONDS);
  const memoryMaxReaders = positiveInteger(env, "MEMORY_MODE_MAX_READERS", DEFAULT_MEMORY_MAX_READERS);
  const secure = env.COOKIE_SECURE === "0" ? false : env.COOKIE_SECURE === "1" ? true : env.NODE_ENV === "production";
  return {
    keys: parseKeys(env),
    ttlSeconds,
    cookie: { httpOnly: true, sameSite: "lax", secure, path: "/", maxAge: ttlSeconds },
    defaultMode: env.DEFAULT_SESSION_MODE?.trim() || "cookie",
    memoryMaxReaders,
    kv: parseKv(env),
    replication: parseReplicationConfig(env, memoryMaxReaders),
  };
}

/** This process's configuration, parsed once (a bad value stops the instance at start-up: startup-check.ts). */
export function sessionConfig(): SessionConfig {
  return processWide("sessionConfig", () => parseSessionConfig());
}

/**
 * A short, one-way fingerprint of the secret(s) for /api/health: enough to see that two instances
 * hold different secrets ("secret_key must be the same on every server"), useless for guessing it.
 * The sealing id is left out: two instances in different phases of a rotation are compatible.
 */
export function secretFingerprint(keys: Keyring): string {
  const canonical = JSON.stringify(Object.entries(keys.secrets).sort(([a], [b]) => Number(a) - Number(b)));
  return createHash("sha256").update(`newsroom-secret-fingerprint\u0000${canonical}`).digest("hex").slice(0, 12);
}
