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

/**
 * Redis spoken to in its own protocol: one server (KV_URL=redis://[:password@]host:port or
 * rediss://…), or a Redis Cluster (REDIS_CLUSTER_URLS: seed nodes, comma-separated).
 */
export interface RedisEndpoint {
  /** The one server, or the first seed node of the cluster. */
  url: string;
  /** REDIS_CLUSTER_URLS split: every seed node of a Redis Cluster; null for a single server. */
  clusterUrls?: string[] | null;
}

export type KvTransportKind = "rest" | "redis";

/** Where kv mode's Redis is and how it is reached, or why kv mode is off. */
export type KvConfig =
  | {
      transport: KvTransportKind;
      rest: RestEndpoint | null;
      redis: RedisEndpoint | null;
      /**
       * KV_WAIT_REPLICAS, default 0: each write waits (Redis WAIT, up to KV_WAIT_TIMEOUT_MS in
       * kv-client.ts) until this many replicas hold it, and answers 503 when fewer do, so a master
       * that dies right after acknowledging cannot take a claim with it. Over the Redis protocol the
       * app sends the WAIT; over REST the endpoint must (the in-repo bridge takes the same setting,
       * see scripts/lib/kv-bridge.ts). Example: KV_WAIT_REPLICAS=1 on a cluster with one replica per master.
       */
      waitReplicas: number;
    }
  | { unavailable: string };

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
   *    KV_URL is one). Example: KV_URL=redis://:secret@10.0.0.5:6379. Or a Redis Cluster:
   *    REDIS_CLUSTER_URLS=redis://:secret@10.0.0.5:7000,redis://:secret@10.0.0.6:7000 (any
   *    reachable node is enough; the client reads the rest of the topology). Not both.
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
  const redis = parseRedisEndpoint(env);
  const waitReplicas = env.KV_WAIT_REPLICAS === undefined || env.KV_WAIT_REPLICAS === "" ? 0 : Number(env.KV_WAIT_REPLICAS);
  if (!Number.isInteger(waitReplicas) || waitReplicas < 0 || waitReplicas > 5) {
    throw new ConfigError(`KV_WAIT_REPLICAS must be a whole number from 0 to 5 (replicas each write waits for), got "${env.KV_WAIT_REPLICAS}"`);
  }
  const chosen = env.KV_TRANSPORT?.trim();
  if (chosen && chosen !== "rest" && chosen !== "redis") throw new ConfigError(`KV_TRANSPORT must be "rest" or "redis", got "${chosen}"`);
  if (chosen === "redis" && !redis) return { unavailable: "KV_TRANSPORT=redis, but neither KV_URL (redis://… or rediss://…) nor REDIS_CLUSTER_URLS is set." };
  if (chosen === "rest" && !rest) return { unavailable: "KV_TRANSPORT=rest, but KV_REST_API_URL and KV_REST_API_TOKEN are not set." };
  const transport = (chosen as KvTransportKind | undefined) ?? (rest ? "rest" : redis ? "redis" : null);
  if (transport) return { transport, rest, redis, waitReplicas };
  return {
    unavailable:
      "KV is not configured: set KV_REST_API_URL and KV_REST_API_TOKEN (or UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN), " +
      "or KV_URL=redis://… (REDIS_CLUSTER_URLS for a Redis Cluster) for the Redis protocol; npm run dev and npm run demo start a local one.",
  };
}

const REDIS_URL = /^rediss?:\/\/[^/]/;
/** A URL as it may appear in an error: never its password. */
const withoutPassword = (url: string) => url.replace(/\/\/[^@/]*@/, "//…@");

function parseRedisEndpoint(env: Env): RedisEndpoint | null {
  const single = env.KV_URL?.trim();
  const cluster = env.REDIS_CLUSTER_URLS?.split(",")
    .map((url) => url.trim())
    .filter(Boolean);
  if (single && cluster?.length) throw new ConfigError("Set KV_URL (one Redis) or REDIS_CLUSTER_URLS (a Redis Cluster), not both.");
  if (single && !REDIS_URL.test(single)) {
    throw new ConfigError(`KV_URL must be a redis:// or rediss:// URL such as redis://:password@127.0.0.1:6379, got "${withoutPassword(single)}"`);
  }
  for (const seed of cluster ?? []) {
    if (!REDIS_URL.test(seed)) {
      throw new ConfigError(
        `REDIS_CLUSTER_URLS must list redis:// or rediss:// URLs, comma-separated, such as redis://:password@127.0.0.1:7000; got "${withoutPassword(seed)}"`,
      );
    }
  }
  if (cluster?.length) return { url: cluster[0]!, clusterUrls: cluster };
  return single ? { url: single, clusterUrls: null } : null;
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
