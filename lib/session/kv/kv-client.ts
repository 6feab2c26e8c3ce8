/**
 * The one @vercel/kv client of this process, configured from the session configuration's KV
 * endpoint (a real Vercel KV / Upstash database, or the in-repo bridge in front of a local Redis).
 */
import { createClient, type VercelKV } from "@vercel/kv";
import { processWide } from "../../process-wide";
import { sessionConfig, type KvConfig } from "../config";
import { KvMisconfiguredError, KvUnavailableError, ModeUnavailableError } from "../errors";

/** Every KV call gives up after this long: a slow store must fail a request, not hang it. */
const KV_TIMEOUT_MS = 2000;

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

export type KvEndpoint = Extract<KvConfig, { url: string }>;

/** The one client of this process for an endpoint (its keep-alive connections are shared by every request). */
export function kvClientFor(endpoint: KvEndpoint): VercelKV {
  return processWide(`kvClient ${endpoint.url} ${endpoint.token}`, () =>
    createClient({
      url: endpoint.url,
      token: endpoint.token,
      // One store operation = one command = one HTTP request: no batching behind our back.
      enableAutoPipelining: false,
      // Our scripts return plain integers and hex strings; do not let the client guess types.
      automaticDeserialization: false,
      // A function, so each request gets a fresh timeout (the client throws when it fires).
      signal: () => AbortSignal.timeout(KV_TIMEOUT_MS),
      // One quick retry covers a keep-alive socket closed under us; more would only delay the 503.
      retry: { retries: 1, backoff: () => 50 },
    }),
  );
}

/** The client for this process's configured endpoint; ModeUnavailableError when kv is not configured. */
export function getKvClient(): VercelKV {
  const kv = sessionConfig().kv;
  if ("unavailable" in kv) throw new ModeUnavailableError("kv", kv.unavailable);
  return kvClientFor(kv);
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
 *  - the bridge and Upstash answer an outage as HTTP 503; @upstash/redis keeps only the message,
 *    which the bridge starts with UNAVAILABLE (Upstash's own 5xx bodies are not JSON: parse errors);
 *    an auto-pipelining client prefixes it with "Command failed: ";
 *  - a write that arrived after its deadline (DEADLINE…): the request had already been given up;
 *  - fetch/undici failures and timeouts (ours or the client's abort signal).
 */
export function isKvOutage(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error instanceof KvDeadlineError) return true;
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
export type KvRunner = <T>(operation: (kv: VercelKV) => Promise<T>) => Promise<T>;

/**
 * A runner over `client()`. Outages become KvUnavailableError (503, Retry-After), refused
 * credentials KvMisconfiguredError; anything else is rethrown as it is, to reach the route wrapper
 * as a 500 with its stack logged. The outer deadline backs up the client's own abort signal:
 * whatever the HTTP stack does, a request never waits on KV for longer than this.
 */
export function kvRunner(client: () => VercelKV): KvRunner {
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
export const withKv: KvRunner = kvRunner(getKvClient);

/** The runner over the client for a given endpoint (the registry opens kv stores with their configuration's). */
export function kvRunnerFor(endpoint: KvEndpoint): KvRunner {
  return kvRunner(() => kvClientFor(endpoint));
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
