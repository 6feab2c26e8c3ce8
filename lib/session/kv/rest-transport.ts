/**
 * kv over the Upstash REST protocol, still through @vercel/kv, on our own HTTP client.
 *
 * @upstash/redis (under @vercel/kv) calls the global fetch for every command; on Node 20 that
 * costs ~0.4 ms of CPU even for a PING. Its Redis class accepts a requester object instead of a
 * URL and token, the supported way to give it another HTTP client: here one undici Pool per
 * endpoint (keep-alive, at most `connections` sockets, the same deadlines as before). The
 * requester also sends no base64 response encoding (our values are ASCII: integers and hex) and
 * classifies failures itself: no answer or a 5xx is an outage (KvTransportError), a JSON error
 * body is Redis's or the endpoint's own reply, handed to the client as Upstash would.
 *
 * No retries: a request that reached the endpoint may have run (a claim that recorded articles),
 * so running it again could record a page the reader never receives. The caller answers 503.
 */
import { VercelKV } from "@vercel/kv";
import { Pool } from "undici";
import type { RestEndpoint } from "../config";
import { withScriptLoaded, type LuaScript } from "./lua-script";
import { KvTransportError, type KvTransport } from "./kv-transport";

type Requester = ConstructorParameters<typeof VercelKV>[0] & { request: unknown };
type UpstashRequest = Parameters<Requester["request"]>[0];
type UpstashResponse = Awaited<ReturnType<Requester["request"]>>;

export interface RestTransportOptions {
  /** Gives up on an answer (headers, then body) after this many ms. */
  timeoutMs: number;
  /** Most sockets open to the endpoint from this process (default 32); more requests queue. */
  connections?: number;
}

const DEFAULT_CONNECTIONS = 32;

/** undici's errors carry a code (UND_ERR_…, ECONNREFUSED…): say it, it is what an operator searches for. */
function describeFailure(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  return typeof code === "string" ? `${code}: ${message}` : message;
}

class PoolRequester {
  private readonly pool: Pool;
  private readonly basePath: string;
  private readonly headers: Record<string, string>;

  constructor(
    endpoint: RestEndpoint,
    private readonly options: RestTransportOptions,
  ) {
    const url = new URL(endpoint.url);
    this.pool = new Pool(url.origin, {
      connections: options.connections ?? DEFAULT_CONNECTIONS,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
    });
    this.basePath = url.pathname.replace(/\/+$/, "");
    this.headers = { authorization: `Bearer ${endpoint.token}`, "content-type": "application/json" };
  }

  request = async (req: UpstashRequest): Promise<UpstashResponse> => {
    const path = [this.basePath, ...(req.path ?? [])].join("/") || "/";
    let status: number;
    let text: string;
    try {
      const response = await this.pool.request({ method: "POST", path, headers: this.headers, body: JSON.stringify(req.body) });
      status = response.statusCode;
      text = await response.body.text();
    } catch (error) {
      throw new KvTransportError(`no answer from the KV endpoint (${describeFailure(error)})`, { cause: error });
    }
    let parsed: { result?: unknown; error?: unknown } | null = null;
    try {
      parsed = JSON.parse(text) as { result?: unknown; error?: unknown };
    } catch {
      // Not JSON: a proxy's or the platform's page, not the REST API's answer.
    }
    if (status >= 500) {
      const detail = typeof parsed?.error === "string" ? parsed.error : text.slice(0, 200);
      throw new KvTransportError(`the KV endpoint answered ${status}: ${detail}`);
    }
    if (!parsed || typeof parsed !== "object")
      throw new Error(`the KV endpoint answered ${status} with a body that is not the REST API's JSON: ${text.slice(0, 200)}`);
    if (typeof parsed.error === "string") return { error: parsed.error } as UpstashResponse;
    if (status >= 300) throw new Error(`the KV endpoint answered ${status} without an error message`);
    return { result: parsed.result } as UpstashResponse;
  };

  close(): Promise<void> {
    return this.pool.close();
  }
}

export function restTransport(endpoint: RestEndpoint, options: RestTransportOptions): KvTransport {
  const requester = new PoolRequester(endpoint, options);
  // @vercel/kv's client builds and parses every command; only the HTTP underneath is ours.
  const kv = new VercelKV({ request: requester.request } as Requester);
  return {
    kind: "rest",
    endpoint: new URL(endpoint.url).origin,
    evalScript: (script: LuaScript, keys, args) =>
      withScriptLoaded(
        () => kv.evalsha(script.sha1, [...keys], args.map(String)),
        () => kv.scriptLoad(script.source),
      ),
    get: async (key) => {
      const value = await kv.get<unknown>(key);
      return value === null || value === undefined ? null : typeof value === "string" ? value : JSON.stringify(value);
    },
    set: async (key, value, ttlSeconds) => {
      await kv.set(key, value, { ex: ttlSeconds });
    },
    del: (...keys) => kv.del(...keys),
    ping: async () => {
      await kv.ping();
    },
    close: () => requester.close(),
  };
}
