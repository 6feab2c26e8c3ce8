/**
 * Local KV for dev, demo and tests: a real redis-server (or REDIS_URL) behind the in-repo KV
 * bridge, handed to the app as KV_REST_API_URL / KV_REST_API_TOKEN, and the same Redis as KV_URL
 * for the Redis-protocol transport (kv mode uses REST unless KV_TRANSPORT=redis). With
 * `redis: "cluster"`, a six-node Redis Cluster instead (or the one REDIS_CLUSTER_URLS names),
 * behind the same bridge, and REDIS_CLUSTER_URLS for the Redis-protocol transport. When the REST
 * variables are already set (a real Vercel KV / Upstash database), nothing is started. When Redis cannot be had, the app
 * still runs with kv mode disabled and the reason is printed.
 */
import { randomBytes } from "node:crypto";
import type { RedisView } from "../../lib/cluster-contract";
import { startKvBridge, type KvBridge } from "./kv-bridge";
import { connectExistingCluster, startRedisCluster, type LocalRedisCluster, type RedisClusterView } from "./redis-cluster";
import { startRedis, type LocalRedis, type RedisOptions } from "./redis-server";

export interface LocalKvOptions extends RedisOptions {
  /** "single" (default): one redis-server. "cluster": six nodes, three masters and three replicas (redis-cluster.ts). */
  redis?: "single" | "cluster";
  /** KV_WAIT_REPLICAS for the app and the bridge (cluster only). Default 0. */
  waitReplicas?: number;
}

export interface LocalKv {
  /** Env for the app: the KV endpoint, or nothing when KV is unavailable. */
  env: Record<string, string>;
  redis: LocalRedis | null;
  /** The Redis Cluster with `redis: "cluster"`: ours (with node control) or REDIS_CLUSTER_URLS's (view only). */
  redisCluster: LocalRedisCluster | RedisClusterView | null;
  bridge: KvBridge | null;
  describe: string;
  /** What /__cluster shows of kv mode's Redis. */
  view(): Promise<RedisView | null>;
  stop(): Promise<void>;
}

const NO_VIEW = async () => null;

export async function startLocalKv(options: LocalKvOptions = {}): Promise<LocalKv> {
  if (options.redis === "cluster") return startClusterKv(options);
  if (options.waitReplicas) throw new Error("KV_WAIT_REPLICAS needs replicas: use --redis cluster (one local Redis has none)");
  if (process.env.KV_REST_API_URL && process.env.KV_REST_API_TOKEN) {
    return {
      env: {},
      redis: null,
      redisCluster: null,
      bridge: null,
      describe: `external KV at ${process.env.KV_REST_API_URL}`,
      view: NO_VIEW,
      stop: async () => {},
    };
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
      return { env: {}, redis: null, redisCluster: null, bridge: null, describe: `disabled (${reason})`, view: NO_VIEW, stop: async () => {} };
    }
  }
  const token = randomBytes(24).toString("base64url");
  // Like every Upstash database, a read-only token too (Vercel names it KV_REST_API_READ_ONLY_TOKEN).
  const readOnlyToken = randomBytes(24).toString("base64url");
  const bridge = await startKvBridge({ redisUrl, token, readOnlyToken });
  return {
    env: { KV_REST_API_URL: bridge.url, KV_REST_API_TOKEN: token, KV_REST_API_READ_ONLY_TOKEN: readOnlyToken, KV_URL: redisUrl },
    redis,
    redisCluster: null,
    bridge,
    describe: `redis ${redisUrl.replace(/\/\/[^@/]*@/, "//")} behind the KV bridge at ${bridge.url}`,
    view: async () => ({ mode: "single", waitReplicas: 0, nodes: [] }),
    async stop() {
      await bridge.stop();
      await redis?.stop();
    },
  };
}

/** A Redis Cluster: six local nodes, or REDIS_CLUSTER_URLS's; the bridge and the app both go to it. */
async function startClusterKv(options: LocalKvOptions): Promise<LocalKv> {
  const waitReplicas = options.waitReplicas ?? 0;
  const existing = process.env.REDIS_CLUSTER_URLS?.trim();
  let cluster: LocalRedisCluster | RedisClusterView;
  try {
    cluster = existing ? await connectExistingCluster(existing) : await startRedisCluster({ appendfsync: options.aof === false ? undefined : options.aof });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    console.warn(`[newsroom] kv mode disabled: ${reason}`);
    return { env: {}, redis: null, redisCluster: null, bridge: null, describe: `disabled (${reason})`, view: NO_VIEW, stop: async () => {} };
  }
  const urls = cluster.urls.split(",");
  const token = randomBytes(24).toString("base64url");
  const readOnlyToken = randomBytes(24).toString("base64url");
  let bridge: KvBridge;
  try {
    bridge = await startKvBridge({ redisClusterUrls: urls, token, readOnlyToken, waitReplicas });
  } catch (error) {
    if (isLocal(cluster)) await cluster.stop();
    throw error;
  }
  const nodes = cluster.nodes().then((list) => list.filter((node) => node.role === "master").length);
  return {
    env: {
      KV_REST_API_URL: bridge.url,
      KV_REST_API_TOKEN: token,
      KV_REST_API_READ_ONLY_TOKEN: readOnlyToken,
      REDIS_CLUSTER_URLS: cluster.urls,
      KV_WAIT_REPLICAS: String(waitReplicas),
    },
    redis: null,
    redisCluster: cluster,
    bridge,
    describe: `Redis Cluster (${await nodes} masters${existing ? ", REDIS_CLUSTER_URLS" : ", six local nodes"}${waitReplicas ? `, writes wait for ${waitReplicas} replica` : ""}) behind the KV bridge at ${bridge.url}`,
    view: async () => ({
      mode: "cluster",
      waitReplicas,
      nodes: (await cluster.nodes()).map((node) => ({
        name: node.name,
        address: `${node.host}:${node.port}`,
        process: node.process,
        role: node.role,
        slots: node.slots,
        replicaOf: node.replicaOf,
        cluster: node.cluster,
      })),
    }),
    async stop() {
      await bridge.stop();
      if (isLocal(cluster)) await cluster.stop();
    },
  };
}

/** A cluster we started (we may stop and start its nodes), as opposed to REDIS_CLUSTER_URLS's. */
export function isLocal(cluster: LocalRedisCluster | RedisClusterView | null): cluster is LocalRedisCluster {
  return cluster !== null && "killNode" in cluster;
}
