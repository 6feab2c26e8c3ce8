/**
 * The kv transport of this process (one per endpoint, shared by every request: its connections
 * stay open) and the runner every kv-backed store goes through: it bounds each operation in time
 * and sorts failures into outages (503), misconfiguration and bugs.
 */
import { processWide } from "../../process-wide";
import { sessionConfig, type KvConfig, type KvTransportKind } from "../config";
import { KvMisconfiguredError, KvUnavailableError, ModeUnavailableError } from "../errors";
import { isKvTransportError, type KvTransport } from "./kv-transport";
import { redisClusterTransport } from "./redis-cluster-transport";
import { redisTransport } from "./redis-transport";
import { restTransport } from "./rest-transport";

/** Every KV call gives up after this long: a slow store must fail a request, not hang it. */
export const KV_TIMEOUT_MS = 2000;

/**
 * A write may still run this long after it was sent, and no longer: its Lua script refuses work
 * whose deadline (now + this) has passed on Redis's clock (kv-scripts.ts). It is well inside the
 * bridge's own per-command timeout (1500 ms): a script that runs just before its deadline still
 * has 500 ms for its answer to reach the bridge before the bridge gives up and reports 503, so
 * whenever the app hears "unavailable", nothing was written. (The chaos run showed the need for
 * the margin: with the deadline at the bridge's timeout, a stalled Redis resumed into that gap
 * and recorded two pages the readers never received.)
 */
export const KV_WRITE_BUDGET_MS = 1000;

/** The epoch-ms deadline a write sent now carries. */
export function writeDeadline(now = Date.now()): number {
  return now + KV_WRITE_BUDGET_MS;
}

/** A configuration with an endpoint. */
export type KvEndpoints = Extract<KvConfig, { transport: KvTransportKind }>;

/**
 * The one transport of this process to `kv`'s endpoint over `kind` (default: the configured
 * transport). Another kind needs its endpoint too (the bench runs kv over both at once).
 */
export function kvTransportFor(kv: KvEndpoints, kind: KvTransportKind = kv.transport): KvTransport {
  if (kind === "rest") {
    const rest = kv.rest;
    if (!rest) throw new ModeUnavailableError("kv", "kv over REST needs KV_REST_API_URL and KV_REST_API_TOKEN.");
    return processWide(`kvTransport rest ${rest.url} ${rest.token}`, () => restTransport(rest, { timeoutMs: KV_TIMEOUT_MS }));
  }
  const redis = kv.redis;
  if (!redis) throw new ModeUnavailableError("kv", "kv over the Redis protocol needs KV_URL=redis://… or rediss://… (REDIS_CLUSTER_URLS for a Redis Cluster).");
  const options = { timeoutMs: KV_TIMEOUT_MS, waitReplicas: kv.waitReplicas };
  if (redis.clusterUrls)
    return processWide(`kvTransport cluster ${redis.clusterUrls.join(",")} ${kv.waitReplicas}`, () => redisClusterTransport(redis, options));
  return processWide(`kvTransport redis ${redis.url} ${kv.waitReplicas}`, () => redisTransport(redis, options));
}

/** The transport of this process's configuration; ModeUnavailableError when kv is not configured. */
export function configuredKvTransport(): KvTransport {
  const kv = sessionConfig().kv;
  if ("unavailable" in kv) throw new ModeUnavailableError("kv", kv.unavailable);
  return kvTransportFor(kv);
}

/** Network-level error codes: the store could not be reached or stopped answering. */
const TRANSPORT_CODES = /^(ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|UND_ERR_\w+)$/;

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : "";
}

/**
 * Whether a failure means "the store is not there right now" (retrying later may work), as
 * opposed to a bug (a Lua error, a wrong argument, our own code throwing), which must surface as
 * a 500 with its stack in the log and never as "try again in 2 s".
 *  - the transports' own KvTransportError: no answer, a refused connection, an HTTP 5xx (the
 *    bridge's 503 says UNAVAILABLE…), a command not sent in time;
 *  - the same from a client used directly (tests): "UNAVAILABLE…" messages, with the
 *    "Command failed: " prefix of an auto-pipelining @upstash/redis, and its parse errors;
 *  - a write that arrived after its deadline (DEADLINE…): the request had already been given up;
 *  - fetch/undici failures and timeouts (ours or the client's abort signal).
 */
export function isKvOutage(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error instanceof KvDeadlineError || isKvTransportError(error)) return true;
  if (/^(Command failed: )?(UNAVAILABLE|DEADLINE)\b/.test(error.message)) return true;
  if (error.name === "UpstashJSONParseError" || error.name === "TimeoutError" || error.name === "AbortError") return true;
  if (TRANSPORT_CODES.test(codeOf(error)) || TRANSPORT_CODES.test(codeOf(error.cause))) return true;
  // Node's fetch reports every network failure as this one TypeError, with the reason as its cause.
  return error instanceof TypeError && error.message === "fetch failed";
}

/** Credentials the store refuses: the deployment is misconfigured, not down. */
function isKvMisconfigured(error: unknown): boolean {
  return error instanceof Error && /^(Command failed: )?(WRONGPASS|NOPERM|Unauthorized)\b/.test(error.message);
}

/** Our own outer deadline fired. */
class KvDeadlineError extends Error {
  constructor() {
    super(`no answer from KV within ${KV_TIMEOUT_MS + 500} ms`);
    this.name = "KvDeadlineError";
  }
}

/** Runs one store operation against KV, with the error translation and deadline below. */
export type KvRunner = <T>(operation: (kv: KvTransport) => Promise<T>) => Promise<T>;

/**
 * A runner over `client()` (a transport). Outages become KvUnavailableError (503, Retry-After), refused
 * credentials KvMisconfiguredError; anything else is rethrown as it is, to reach the route wrapper
 * as a 500 with its stack logged. The outer deadline backs up the client's own abort signal:
 * whatever the HTTP stack does, a request never waits on KV for longer than this.
 */
export function kvRunner(client: () => KvTransport): KvRunner {
  return async (operation) => {
    const kv = client();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new KvDeadlineError()), KV_TIMEOUT_MS + 500);
    });
    try {
      return await Promise.race([operation(kv), deadline]);
    } catch (error) {
      if (isKvOutage(error)) throw new KvUnavailableError(error);
      if (isKvMisconfigured(error)) throw new KvMisconfiguredError(error);
      throw error;
    } finally {
      clearTimeout(timer);
    }
  };
}

/** The runner over this process's configured client (the default of every kv-backed store). */
export const withKv: KvRunner = kvRunner(configuredKvTransport);

/** The runner over the transport to a given endpoint (the registry opens kv stores with their configuration's). */
export function kvRunnerFor(kv: KvEndpoints, kind: KvTransportKind = kv.transport): KvRunner {
  return kvRunner(() => kvTransportFor(kv, kind));
}

/** Round-trip check for the background readiness probe (lib/health.ts). */
export async function pingKv(): Promise<{ ok: true; latencyMs: number } | { ok: false; error: string }> {
  const started = performance.now();
  try {
    await withKv((kv) => kv.ping());
    return { ok: true, latencyMs: Math.round((performance.now() - started) * 10) / 10 };
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error);
    return { ok: false, error: cause };
  }
}
