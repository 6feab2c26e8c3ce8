/**
 * kv over the Redis protocol: the same scripts and commands through node-redis, for servers that
 * live next to their Redis (KV_URL=redis://[:password@]host:port, or rediss:// for TLS, as Vercel
 * KV's own KV_URL is). One connection per process; Redis answers in order, so requests pipeline
 * on it without a pool.
 *
 * Failures: while the connection is down, a command fails at once (no offline queue) and the
 * client reconnects in the background; that, a refused connection or a command that waited past
 * its deadline is an outage (KvTransportError). Redis's own error replies (ErrorReply: a Lua
 * error, WRONGPASS, a DEADLINE refusal from our scripts) pass through unchanged. A command already
 * written is never cancelled by node-redis; the kv runner's deadline answers the request, the
 * script's own deadline keeps a late run from writing, and the late reply is read and dropped.
 */
import { createClient, ErrorReply } from "redis";
import type { RedisEndpoint } from "../config";
import { withScriptLoaded, type LuaScript } from "./lua-script";
import { isKvTransportError, KvTransportError, type KvTransport } from "./kv-transport";
import { requireAcknowledged, waitCommand } from "./replica-wait";

export interface RedisTransportOptions {
  /** A command not yet written after this long fails (node-redis's own timeout; default 2000 ms). */
  timeoutMs: number;
  /** How long one connection attempt may take (default 1000 ms). */
  connectTimeoutMs?: number;
  /** Told about connection errors (default: one console line per distinct message). */
  log?: (line: string) => void;
  /** KV_WAIT_REPLICAS: each write waits for this many replicas (replica-wait.ts). Default 0. */
  waitReplicas?: number;
}

/** host:port of the URL, never its password. */
export function redisEndpointName(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.hostname}:${parsed.port || "6379"}`;
  } catch {
    return "(unparsable KV_URL)";
  }
}

/** Error replies that describe the server's or the cluster's state, not the command: retrying later can work. */
const OUTAGE_REPLY = /^(LOADING|BUSY|MASTERDOWN|READONLY|TRYAGAIN|CLUSTERDOWN|MISCONF)\b/;

export function asTransportFailure(error: unknown): unknown {
  if (error instanceof ErrorReply && OUTAGE_REPLY.test(error.message))
    return new KvTransportError(`Redis cannot serve now (${error.message})`, { cause: error });
  if (error instanceof ErrorReply || isKvTransportError(error)) return error;
  const name = error instanceof Error ? error.name : "Error";
  const message = error instanceof Error ? error.message : String(error);
  return new KvTransportError(`Redis unreachable (${name}: ${message})`, { cause: error });
}

export function redisTransport(endpoint: RedisEndpoint, options: RedisTransportOptions): KvTransport {
  const client = createClient({
    url: endpoint.url,
    // Fail at once while disconnected (503) instead of queueing requests that have already given up.
    disableOfflineQueue: true,
    socket: { connectTimeout: options.connectTimeoutMs ?? 1000, reconnectStrategy: (retries) => Math.min(100 * (retries + 1), 1000) },
  }).withCommandOptions({ timeout: options.timeoutMs });
  let lastLogged = "";
  const log = options.log ?? ((line: string) => console.warn(line));
  // Without a listener, a connection error would be an unhandled 'error' event and end the process.
  client.on("error", (error: Error) => {
    if (error.message !== lastLogged) log(`[newsroom] kv (Redis protocol, ${redisEndpointName(endpoint.url)}): ${error.message}`);
    lastLogged = error.message;
  });
  let everReady = false;
  client.on("ready", () => {
    everReady = true;
    lastLogged = "";
  });
  const connectTimeoutMs = options.connectTimeoutMs ?? 1000;
  // Connect now, and keep reconnecting in the background (reconnectStrategy) whatever happens.
  client.connect().catch(() => {});

  /**
   * A new process's first requests wait for the first connection, up to one connect timeout; once
   * Redis has been reached, a lost connection fails requests at once while the client reconnects.
   */
  async function connected(): Promise<void> {
    if (client.isReady) return;
    if (!everReady) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, connectTimeoutMs);
        function done() {
          clearTimeout(timer);
          client.off("ready", done);
          resolve();
        }
        client.on("ready", done);
      });
      if (client.isReady) return;
    }
    throw new KvTransportError(
      `Redis at ${redisEndpointName(endpoint.url)} is not connected${lastLogged ? ` (${lastLogged})` : ""}; reconnecting in the background`,
    );
  }

  async function run<T>(operation: () => Promise<T>): Promise<T> {
    try {
      await connected();
      return await operation();
    } catch (error) {
      throw asTransportFailure(error);
    }
  }

  const waitReplicas = options.waitReplicas ?? 0;
  /** A write, then (with KV_WAIT_REPLICAS) WAIT on the same connection: it covers everything that connection wrote. */
  async function write<T>(operation: () => Promise<T>): Promise<T> {
    return run(async () => {
      const result = await operation();
      if (waitReplicas > 0) requireAcknowledged(await client.sendCommand(waitCommand(waitReplicas)), waitReplicas);
      return result;
    });
  }

  return {
    kind: "redis",
    endpoint: redisEndpointName(endpoint.url),
    evalScript: (script: LuaScript, keys, args) =>
      (script.writes ? write : run)(() =>
        withScriptLoaded(
          () => client.evalSha(script.sha1, { keys: [...keys], arguments: args.map(String) }),
          () => client.scriptLoad(script.source),
        ),
      ),
    get: (key) => run(async () => (await client.get(key)) ?? null),
    set: async (key, value, ttlSeconds) => {
      await write(() => client.set(key, value, { expiration: { type: "EX", value: ttlSeconds } }));
    },
    del: (...keys) => write(() => client.del(keys)),
    ping: async () => {
      await run(() => client.ping());
    },
    close: async () => {
      if (client.isOpen) await client.close();
      else client.destroy();
    },
  };
}
