/**
 * Local KV for dev, demo and tests: a real redis-server (or REDIS_URL) behind the in-repo KV
 * bridge, handed to the app as KV_REST_API_URL / KV_REST_API_TOKEN, and the same Redis as KV_URL
 * for the Redis-protocol transport (kv mode uses REST unless KV_TRANSPORT=redis). When the REST
 * variables are already set (a real Vercel KV / Upstash database), nothing is started. When Redis cannot be had, the app
 * still runs with kv mode disabled and the reason is printed.
 */
import { randomBytes } from "node:crypto";
import { startKvBridge, type KvBridge } from "./kv-bridge";
import { startRedis, type LocalRedis, type RedisOptions } from "./redis-server";

export interface LocalKv {
  /** Env for the app: the KV endpoint, or nothing when KV is unavailable. */
  env: Record<string, string>;
  redis: LocalRedis | null;
  bridge: KvBridge | null;
  describe: string;
  stop(): Promise<void>;
}

export async function startLocalKv(options: RedisOptions = {}): Promise<LocalKv> {
  if (process.env.KV_REST_API_URL && process.env.KV_REST_API_TOKEN) {
    return { env: {}, redis: null, bridge: null, describe: `external KV at ${process.env.KV_REST_API_URL}`, stop: async () => {} };
  }
  let redis: LocalRedis | null = null;
  let redisUrl = process.env.REDIS_URL;
  if (!redisUrl) {
    try {
      redis = await startRedis(options);
      redisUrl = redis.url;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      console.warn(`[newsroom] kv mode disabled: ${reason}`);
      return { env: {}, redis: null, bridge: null, describe: `disabled (${reason})`, stop: async () => {} };
    }
  }
  const token = randomBytes(24).toString("base64url");
  // Like every Upstash database, a read-only token too (Vercel names it KV_REST_API_READ_ONLY_TOKEN).
  const readOnlyToken = randomBytes(24).toString("base64url");
  const bridge = await startKvBridge({ redisUrl, token, readOnlyToken });
  return {
    env: { KV_REST_API_URL: bridge.url, KV_REST_API_TOKEN: token, KV_REST_API_READ_ONLY_TOKEN: readOnlyToken, KV_URL: redisUrl },
    redis,
    bridge,
    describe: `redis ${redisUrl.replace(/\/\/[^@/]*@/, "//")} behind the KV bridge at ${bridge.url}`,
    async stop() {
      await bridge.stop();
      await redis?.stop();
    },
  };
}
