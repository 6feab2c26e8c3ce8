/**
 * kv over the Redis protocol to a Redis Cluster (REDIS_CLUSTER_URLS): node-redis's cluster client,
 * which routes each command to the master of its first key's slot and follows MOVED and ASK.
 * A reader's keys share a hash tag (`newsroom:{<sid>}:…`, kv-scripts.ts), so each kv script runs
 * on one master in one round trip, exactly as on a single Redis.
 *
 * Scripts are cached per node: EVALSHA on a master that never loaded the script (a new node, a
 * promoted replica, a restart) answers NOSCRIPT, and SCRIPT LOAD is then sent to THAT master,
 * routed by the same key, before the one retry.
 *
 * Failover: redis-cluster-client.ts keeps the client current (node-redis re-reads the topology
 * only on MOVED/ASK, which a dead master never sends). Every failure that means "a node is gone"
 * is an outage here (503, the reader retries); the failed command is not retried by us, because
 * it may have run.
 */
import { createCluster, type RedisClusterType } from "redis";
import type { RedisEndpoint } from "../config";
import { assertOneSlot } from "./key-slot";
import { isKvTransportError, KvTransportError, type KvTransport } from "./kv-transport";
import { withScriptLoaded, type LuaScript } from "./lua-script";
import { clusterSeeds, connectCurrentCluster, failFastNodeDefaults, type CurrentCluster } from "./redis-cluster-client";
import { asTransportFailure, redisEndpointName } from "./redis-transport";
import { requireAcknowledged, waitCommand } from "./replica-wait";

export interface RedisClusterTransportOptions {
  /** An operation (with its WAIT) that has not settled after this long fails as an outage. Default 2000 ms. */
  timeoutMs: number;
  /** KV_WAIT_REPLICAS: each write waits for this many replicas of its master (replica-wait.ts). Default 0. */
  waitReplicas?: number;
  /** Told about topology rebuilds (default: one console line each). */
  log?: (line: string) => void;
}

type ClusterClient = RedisClusterType;

export function redisClusterTransport(endpoint: RedisEndpoint, options: RedisClusterTransportOptions): KvTransport {
  const urls = endpoint.clusterUrls ?? [endpoint.url];
  const { rootNodes, password } = clusterSeeds(urls);
  const log = options.log ?? ((line: string) => console.warn(line));
  const name = `cluster ${redisEndpointName(urls[0]!)}${urls.length > 1 ? ` +${urls.length - 1}` : ""}`;
  const waitReplicas = options.waitReplicas ?? 0;

  let current: CurrentCluster<ClusterClient> | null = null;
  let connecting: Promise<CurrentCluster<ClusterClient>> | null = null;
  let lastError = "";
  /** Connects on first use, and again after a failed attempt (no node answered yet). */
  const cluster = (): Promise<CurrentCluster<ClusterClient>> => {
    if (current) return Promise.resolve(current);
    connecting ??= connectCurrentCluster(
      () =>
        createCluster({
          rootNodes,
          // connect() reads the topology only; a dead master still listed does not fail it.
          minimizeConnections: true,
          defaults: failFastNodeDefaults(password),
        }) as unknown as ClusterClient,
      { timeoutMs: options.timeoutMs, onRebuild: (reason) => log(`[newsroom] kv (Redis Cluster): re-read the topology after "${reason}"`) },
    ).then(
      (connected) => {
        current = connected;
        return connected;
      },
      (error: unknown) => {
        connecting = null;
        lastError = error instanceof Error ? error.message : String(error);
        throw new KvTransportError(`no node of the Redis Cluster (${name}) answered: ${lastError}`, { cause: error });
      },
    );
    return connecting;
  };

  async function run<T>(operation: (client: ClusterClient) => Promise<T>): Promise<T> {
    try {
      return await (await cluster()).run(operation);
    } catch (error) {
      if (isKvTransportError(error)) throw error;
      throw asTransportFailure(error);
    }
  }

  /**
   * A write on `key`'s master, then (with KV_WAIT_REPLICAS) WAIT routed by the same key: the same
   * client and so the same connection, where WAIT covers everything that connection wrote. (If the
   * slot moved between the two, WAIT would ask the old master: only a resharding moves slots of a
   * live master, and the demo never reshards.)
   */
  function write<T>(key: string, operation: (client: ClusterClient) => Promise<T>): Promise<T> {
    return run(async (client) => {
      const result = await operation(client);
      if (waitReplicas > 0) requireAcknowledged(await client.sendCommand(key, false, waitCommand(waitReplicas)), waitReplicas);
      return result;
    });
  }

  const evalOn = (client: ClusterClient, script: LuaScript, keys: readonly string[], args: readonly (string | number)[]) =>
    withScriptLoaded(
      () => client.sendCommand(keys[0], !script.writes, ["EVALSHA", script.sha1, String(keys.length), ...keys, ...args.map(String)]),
      // Routed by the same key: the script is loaded on the master that answered NOSCRIPT.
      () => client.sendCommand(keys[0], false, ["SCRIPT", "LOAD", script.source]),
    );

  return {
    kind: "redis",
    endpoint: name,
    evalScript: (script, keys, args) => {
      assertOneSlot(keys);
      const key = keys[0]!;
      return script.writes ? write(key, (client) => evalOn(client, script, keys, args)) : run((client) => evalOn(client, script, keys, args));
    },
    get: (key) => run(async (client) => (await client.get(key)) ?? null),
    set: async (key, value, ttlSeconds) => {
      await write(key, (client) => client.set(key, value, { expiration: { type: "EX", value: ttlSeconds } }));
    },
    del: (...keys) => {
      assertOneSlot(keys);
      return write(keys[0]!, (client) => client.del(keys));
    },
    ping: async () => {
      await run((client) => client.sendCommand(undefined, true, ["PING"]));
    },
    close: async () => {
      const connected = current ?? (await connecting?.catch(() => null));
      await connected?.close();
    },
  };
}
