/**
 * Keeps a node-redis cluster client pointed at the current masters across a failover.
 *
 * node-redis 5 re-reads the slot map only when a node answers MOVED or ASK. A master that was
 * killed answers nothing, so commands for its slots keep failing (or, with the default offline
 * queue, wait forever) even after the cluster has promoted its replica: redis/node-redis#2806.
 * Here every failure that says "the node is gone" (connection refused, socket closed, client
 * closed or offline, no answer in time, CLUSTERDOWN) rebuilds the client in the background: a
 * fresh client asks the root nodes for the topology again. Only public node-redis API is used.
 *
 * The failed command is NOT retried here: it may have run before its socket closed (a claim that
 * marked articles seen), so the caller decides; the kv store answers 503 and the reader retries.
 */
import { ErrorReply, type RedisClusterOptions } from "redis";

/** The parts of a node-redis cluster client this module touches. */
export interface ClusterClientLike {
  connect(): Promise<unknown>;
  close(): Promise<void>;
  destroy(): void;
  on(event: "error", listener: (error: Error) => void): unknown;
}

export interface CurrentClusterOptions {
  /** Each operation gives up after this long (a frozen master never answers). Default 2000 ms. */
  timeoutMs?: number;
  /** Rebuilds start at most this often, so a burst of failures costs one topology read. Default 100 ms. */
  minRebuildGapMs?: number;
  /** Told about each rebuild and why; default: nothing. */
  onRebuild?: (reason: string) => void;
}

export interface CurrentCluster<C extends ClusterClientLike> {
  /** Runs `operation` on the client of the moment; a failure meaning "node gone" starts a rebuild, then rethrows. */
  run<T>(operation: (client: C) => Promise<T>): Promise<T>;
  /** How many times the client was rebuilt since connect. */
  rebuilds(): number;
  close(): Promise<void>;
}

/**
 * `defaults` for createCluster that make a dead node fail fast instead of queueing: no offline
 * queue, no reconnect loop (the rebuild replaces the client instead), a short connect timeout.
 */
export function failFastNodeDefaults(password: string | undefined): NonNullable<RedisClusterOptions["defaults"]> {
  return { password, disableOfflineQueue: true, socket: { connectTimeout: 1000, reconnectStrategy: false } };
}

/**
 * Seeds for createCluster from `redis://[:password@]host:port` URLs: each a root node, and the
 * password (from the first URL that has one) for `defaults`, since the nodes the client discovers
 * from CLUSTER SLOTS come without one.
 */
export function clusterSeeds(urls: readonly string[]): { rootNodes: { url: string }[]; password: string | undefined } {
  const password = urls.map((url) => new URL(url).password).find(Boolean);
  return { rootNodes: urls.map((url) => ({ url })), password: password ? decodeURIComponent(password) : undefined };
}

/** Whether an error means the topology may have changed under us, not that the command was wrong. */
export function meansNodeGone(error: unknown): boolean {
  if (error instanceof ErrorReply) return /^(CLUSTERDOWN|TRYAGAIN|READONLY|MASTERDOWN)/.test(error.message);
  return error instanceof Error;
}

/**
 * Connects a client made by `create` and keeps it current. `create` should pass
 * `minimizeConnections: true` (connect only reads the topology, so it succeeds while a dead
 * master is still listed) and `defaults: failFastNodeDefaults(password)`.
 */
export async function connectCurrentCluster<C extends ClusterClientLike>(create: () => C, options: CurrentClusterOptions = {}): Promise<CurrentCluster<C>> {
  const timeoutMs = options.timeoutMs ?? 2000;
  const minRebuildGapMs = options.minRebuildGapMs ?? 100;
  const open = async () => {
    const client = create();
    client.on("error", () => {
      // Node errors surface as the failing command's rejection, which triggers the rebuild.
    });
    await client.connect();
    return client;
  };

  let client = await open();
  /** Replaced clients, kept open until every operation that started on one has ended or timed out. */
  const retiring = new Map<C, NodeJS.Timeout>();
  const retireLater = (old: C) => {
    const timer = setTimeout(() => {
      retiring.delete(old);
      retire(old);
    }, timeoutMs);
    timer.unref();
    retiring.set(old, timer);
  };
  let rebuilding: Promise<void> | null = null;
  let lastRebuildAt = 0;
  let rebuilds = 0;
  let closed = false;

  const rebuild = (reason: string) => {
    if (rebuilding || closed || Date.now() - lastRebuildAt < minRebuildGapMs) return;
    lastRebuildAt = Date.now();
    rebuilding = (async () => {
      try {
        const next = await open();
        if (closed) return retire(next);
        const old = client;
        client = next;
        rebuilds++;
        options.onRebuild?.(reason);
        retireLater(old);
      } catch {
        // No root node answered: keep the old client; the next failure tries again.
      }
    })().finally(() => (rebuilding = null));
  };

  return {
    async run(operation) {
      if (closed) throw new Error("the Redis Cluster client is closed");
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer from the Redis Cluster within ${timeoutMs} ms`)), timeoutMs);
      });
      const used = client;
      try {
        return await Promise.race([operation(used), deadline]);
      } catch (error) {
        // A failure on a client already replaced says nothing new about the topology.
        if (used === client && meansNodeGone(error)) rebuild(error instanceof Error ? error.message : String(error));
        throw error;
      } finally {
        clearTimeout(timer);
      }
    },
    rebuilds: () => rebuilds,
    async close() {
      closed = true;
      await rebuilding;
      for (const timer of retiring.values()) clearTimeout(timer);
      await Promise.all([...retiring.keys(), client].map(retireNow));
      retiring.clear();
    },
  };
}

/** Lets the old client's in-flight replies arrive, then drops it; a frozen node cannot hold it up past 5 s. */
function retire(client: ClusterClientLike): void {
  void retireNow(client);
}

async function retireNow(client: ClusterClientLike): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([client.close().catch(() => {}), new Promise((resolve) => (timer = setTimeout(resolve, 5000)))]);
  clearTimeout(timer);
  try {
    client.destroy();
  } catch {
    // Already closed: nothing left to drop.
  }
}
