/**
 * RedisSide over a Redis Cluster: the KV bridge's REST API in front of several masters, as Upstash's
 * own endpoint hides its shards. node-redis's cluster client routes each command to the master of
 * its first key's slot and follows MOVED and ASK; redis-cluster-client.ts re-reads the topology
 * when a node dies (node-redis alone would not: a dead master sends no MOVED).
 *
 * Where a command goes (our choices; Upstash documents nothing about its cluster):
 *   - a command with keys: the master of its first key's slot. The first key comes from
 *     COMMAND INFO (cached per name), from numkeys for EVAL / EVALSHA / FCALL and their _RO forms,
 *     and from COMMAND GETKEYS for other commands whose keys move (SORT … STORE, XREAD, …).
 *     Keys of different slots in one command fail CROSSSLOT (400), as on any cluster;
 *   - SCRIPT LOAD and SCRIPT FLUSH: every node, masters and replicas, so a promoted replica
 *     already holds the scripts (a node that was down misses the load and answers NOSCRIPT later,
 *     which the caller's EVALSHA fallback handles); the reply is the masters' (the SHA-1);
 *   - FLUSHALL and FLUSHDB: every master;
 *   - any other command without keys (PING, TIME, ECHO, …): one master;
 *   - /multi-exec: MULTI … EXEC on the master of the first key of its commands.
 * With `waitReplicas` (KV_WAIT_REPLICAS), every command that may write (the read-only token's
 * rule, command-policy.ts) is followed by WAIT on the same master's connection, and answered
 * 503 when fewer replicas than asked acknowledged it (lib/session/kv/replica-wait.ts says why).
 *
 * Every failure that is not a Redis error reply is an outage (503), never a bug: a node that died
 * mid-command, a cluster still electing a new master, no answer within the command timeout.
 */
import { createCluster, type RedisClusterType } from "redis";
import { keySlot } from "../../../lib/session/kv/key-slot";
import { REPLICA_WAIT_REFUSAL } from "../../../lib/session/kv/replica-wait";
import { clusterSeeds, connectCurrentCluster, failFastNodeDefaults, type CurrentCluster } from "../../../lib/session/kv/redis-cluster-client";
import { isReadOnlySafe, parseCommandInfo } from "./command-policy";
import { BridgeError, classifyFailure, unavailable } from "./errors";
import type { RedisSide } from "./redis-side";
import type { Reply } from "./reply-json";
import type { Command } from "./request";
import { SEND_OPTIONS, sendTransaction } from "./single-node-redis";

export interface ClusterRedisOptions {
  /** Seed nodes, redis://[:password@]host:port each; one reachable node is enough. */
  urls: string[];
  /** A command (with its WAIT) not settled after this long is answered 503. */
  commandTimeoutMs: number;
  /** Replicas each write waits for (Redis WAIT); fewer → 503. Default 0: no waiting. */
  waitReplicas?: number;
  /** WAIT's own timeout in ms. Default 500 (the app's write budget is 1000 ms). */
  waitTimeoutMs?: number;
}

type Client = RedisClusterType;

/** How a command is routed, from COMMAND INFO. */
interface Route {
  /** Index of the first key in the command (0: none at a fixed place). */
  firstKey: number;
  /** Keys whose place depends on the arguments, or on the subcommand (MEMORY USAGE, OBJECT ENCODING, …). */
  movable: boolean;
  /** May change data: waited for with waitReplicas. */
  writes: boolean;
}

const SCRIPT_CALLS = new Set(["EVAL", "EVALSHA", "EVAL_RO", "EVALSHA_RO", "FCALL", "FCALL_RO"]);
const EVERY_NODE = new Set(["SCRIPT|LOAD", "SCRIPT|FLUSH"]);
const EVERY_MASTER = new Set(["FLUSHALL", "FLUSHDB"]);
/** COMMAND INFO answers kept at most (names are the caller's to choose). */
const MAX_ROUTES = 1000;

export class ClusterRedis implements RedisSide {
  readonly #options: ClusterRedisOptions;
  readonly #routes = new Map<string, Route | null>();
  readonly #connecting: Promise<CurrentCluster<Client> | null>;
  #cluster: CurrentCluster<Client> | null = null;
  #why = "the KV bridge is still connecting to the Redis Cluster";
  #closed = false;

  constructor(options: ClusterRedisOptions) {
    this.#options = options;
    const { rootNodes, password } = clusterSeeds(options.urls);
    const create = () => createCluster({ rootNodes, minimizeConnections: true, defaults: failFastNodeDefaults(password) }) as unknown as Client;
    this.#connecting = this.#connectWithRetry(create);
  }

  async send(command: Command): Promise<Reply> {
    const name = command[0].toUpperCase();
    const full = name === "SCRIPT" && command[1] ? `SCRIPT|${String(command[1]).toUpperCase()}` : name;
    if (EVERY_NODE.has(full)) return this.#onEveryNode(command, true);
    if (EVERY_MASTER.has(full)) return this.#onEveryNode(command, false);
    const [key, writes] = await this.#keyOf(command);
    const wait = writes && key !== undefined ? (this.#options.waitReplicas ?? 0) : 0;
    return this.#run(async (client) => {
      const reply = await client.sendCommand<Reply>(key, !writes, command, SEND_OPTIONS);
      if (wait > 0) await this.#waitFor(client, key!, wait);
      return reply;
    });
  }

  async transaction(commands: Command[]): Promise<Reply[]> {
    let key: string | undefined;
    let writes = false;
    for (const command of commands) {
      const [first, mayWrite] = await this.#keyOf(command);
      key ??= first;
      writes ||= mayWrite;
    }
    const wait = writes && key !== undefined ? (this.#options.waitReplicas ?? 0) : 0;
    return this.#run(async (client) => {
      const master = key === undefined ? client.masters[0] : client.getSlotMaster(keySlot(key));
      if (!master) throw unavailable("the Redis Cluster has no master for this slot right now");
      const node = await client.nodeClient(master);
      const replies = await sendTransaction(node, commands);
      if (wait > 0) await this.#waitFor(client, key!, wait);
      return replies;
    });
  }

  commandInfo(name: string): Promise<unknown> {
    return this.#run((client) => client.sendCommand(undefined, true, ["COMMAND", "INFO", name]));
  }

  async ready(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), timeoutMs)));
    const connected = await Promise.race([this.#connecting, gaveUp]);
    clearTimeout(timer);
    return connected !== null;
  }

  async close(): Promise<void> {
    this.#closed = true;
    await (this.#cluster ?? (await this.#connecting))?.close();
  }

  /** Keeps trying to read the topology (a cluster that is still forming, or down) until it answers or the bridge closes. */
  async #connectWithRetry(create: () => Client): Promise<CurrentCluster<Client> | null> {
    for (let attempt = 0; !this.#closed; attempt++) {
      try {
        this.#cluster = await connectCurrentCluster(create, { timeoutMs: this.#options.commandTimeoutMs });
        return this.#cluster;
      } catch (error) {
        this.#why = `the KV bridge cannot reach the Redis Cluster: ${error instanceof Error ? error.message : String(error)}`;
        await new Promise((resolve) => setTimeout(resolve, Math.min(100 * (attempt + 1), 1000)));
      }
    }
    return null;
  }

  async #run<T>(operation: (client: Client) => Promise<T>): Promise<T> {
    const cluster = this.#cluster;
    if (!cluster) throw unavailable(this.#why);
    try {
      return await cluster.run(operation);
    } catch (error) {
      const failure = classifyFailure(error);
      // A node gone mid-command, or our own deadline: an outage, never "a bug in the bridge".
      if (failure.status === 500)
        throw unavailable(`the Redis Cluster did not complete the command: ${error instanceof Error ? error.message : String(error)}`);
      throw failure;
    }
  }

  async #waitFor(client: Client, key: string, replicas: number): Promise<void> {
    const timeout = this.#options.waitTimeoutMs ?? 500;
    const acknowledged = Number(await client.sendCommand(key, false, ["WAIT", String(replicas), String(timeout)]));
    if (acknowledged < replicas) {
      throw unavailable(
        `the write reached the master but was ${REPLICA_WAIT_REFUSAL} (${acknowledged} of ${replicas} within ${timeout} ms); ` +
          "it may be lost if that master fails now",
      );
    }
  }

  /** SCRIPT LOAD and the like on each node; the masters must all succeed, replicas are best effort. */
  async #onEveryNode(command: Command, replicasToo: boolean): Promise<Reply> {
    return this.#run(async (client) => {
      const masters = client.masters;
      if (masters.length === 0) throw unavailable("the Redis Cluster lists no master");
      const onNode = async (node: (typeof masters)[number]) => (await client.nodeClient(node)).sendCommand<Reply>(command, SEND_OPTIONS);
      const fromMasters = await Promise.all(masters.map(onNode));
      if (replicasToo) await Promise.allSettled(client.replicas.map(onNode));
      return fromMasters[0]!;
    });
  }

  /** The key a command is routed by (undefined: none) and whether it may write. */
  async #keyOf(command: Command): Promise<[string | undefined, boolean]> {
    const name = command[0].toUpperCase();
    if (SCRIPT_CALLS.has(name)) {
      const numkeys = Number(command[2]);
      return [numkeys > 0 ? String(command[3]) : undefined, !name.endsWith("_RO")];
    }
    const route = await this.#route(name);
    if (route === null) return [undefined, false]; // unknown to Redis: it answers the error itself
    if (!route.movable && route.firstKey > 0) return [command[route.firstKey] === undefined ? undefined : String(command[route.firstKey]), route.writes];
    if (!route.movable) return [undefined, route.writes];
    const keys = await this.#run((client) => client.sendCommand<unknown>(undefined, true, ["COMMAND", "GETKEYS", ...command])).catch((error: unknown) => {
      // "no key arguments" / "Invalid arguments": route anywhere and let the node answer.
      if (error instanceof BridgeError && error.status === 400) return [];
      throw error;
    });
    return [Array.isArray(keys) && keys.length > 0 ? String(keys[0]) : undefined, route.writes];
  }

  async #route(name: string): Promise<Route | null> {
    const known = this.#routes.get(name);
    if (known !== undefined) return known;
    const reply = await this.commandInfo(name);
    const entry = Array.isArray(reply) ? reply[0] : null;
    const traits = parseCommandInfo(entry);
    const route =
      traits && Array.isArray(entry)
        ? { firstKey: Number(entry[3]), movable: traits.flags.has("movablekeys") || traits.hasSubcommands, writes: !isReadOnlySafe(traits) }
        : null;
    if (this.#routes.size < MAX_ROUTES) this.#routes.set(name, route);
    return route;
  }
}
