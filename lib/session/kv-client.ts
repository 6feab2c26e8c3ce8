/**
 * The one @vercel/kv client of this process, configured from KV_REST_API_URL / KV_REST_API_TOKEN
 * (a real Vercel KV / Upstash database, or the in-repo bridge in front of a local redis-server).
 */
import { createClient, type VercelKV } from "@vercel/kv";
import { KvNotConfiguredError, KvUnavailableError } from "./errors";

export type KvStatus = { configured: true; url: string } | { configured: false; reason: string };

/** Every KV call gives up after this long: a slow store must fail a request, not hang it. */
const KV_TIMEOUT_MS = 2000;

export function kvStatus(): KvStatus {
  const url = process.env.KV_REST_API_URL;
  const token = process.env.KV_REST_API_TOKEN;
  if (!url || !token) {
    return {
      configured: false,
      reason: "KV is not configured: set KV_REST_API_URL and KV_REST_API_TOKEN (npm run dev and npm run demo start a local one).",
    };
  }
  return { configured: true, url };
}

const CLIENT_KEY = Symbol.for("newsroom.kvClient");
type GlobalWithClient = typeof globalThis & { [CLIENT_KEY]?: VercelKV };

export function getKvClient(): VercelKV {
  const status = kvStatus();
  if (!status.configured) throw new KvNotConfiguredError(status.reason);
  const holder = globalThis as GlobalWithClient;
  return (holder[CLIENT_KEY] ??= createClient({
    url: status.url,
    token: process.env.KV_REST_API_TOKEN!,
    // One store operation = one command = one HTTP request: no batching behind our back.
    enableAutoPipelining: false,
    // Our scripts return plain integers and hex strings; do not let the client guess types.
    automaticDeserialization: false,
    // A function, so each request gets a fresh timeout (the client throws when it fires).
    signal: () => AbortSignal.timeout(KV_TIMEOUT_MS),
    // One quick retry covers a keep-alive socket closed under us; more would only delay the 503.
    retry: { retries: 1, backoff: () => 50 },
  }));
}

/**
 * Runs a KV operation, turning transport and server errors into KvUnavailableError. The outer
 * deadline backs up the client's own abort signal: whatever the HTTP stack does, a request never
 * waits on KV for longer than this.
 */
export async function withKv<T>(operation: (kv: VercelKV) => Promise<T>): Promise<T> {
  const kv = getKvClient();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from KV within ${KV_TIMEOUT_MS + 500} ms`)), KV_TIMEOUT_MS + 500);
  });
  try {
    return await Promise.race([operation(kv), deadline]);
  } catch (error) {
    throw new KvUnavailableError(error);
  } finally {
    clearTimeout(timer);
  }
}

/** Round-trip check for /api/health. */
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
