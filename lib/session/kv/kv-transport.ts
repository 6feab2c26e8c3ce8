/**
 * How the kv store reaches Redis. Two transports carry the same commands and the same Lua scripts:
 *  - "rest": the Upstash REST protocol through @vercel/kv (Vercel KV / Upstash Redis, or the
 *    in-repo bridge), on an undici connection pool (rest-transport.ts). What serverless functions use.
 *  - "redis": the Redis protocol through node-redis (redis-transport.ts), for servers that live
 *    next to their Redis (a VM, a container platform, Kubernetes): KV_URL=redis://… or rediss://….
 * The store sees only this interface; kv-client.ts picks the transport from the configuration.
 */
import type { KvTransportKind } from "../config";
import type { LuaScript } from "./lua-script";

export type { KvTransportKind };

export interface KvTransport {
  readonly kind: KvTransportKind;
  /** Where it goes, without credentials, for the inspector and /api/health. */
  readonly endpoint: string;
  /** Runs a script by EVALSHA (loading it on NOSCRIPT); integers come back as numbers, bulk strings as strings. */
  evalScript(script: LuaScript, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown>;
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  del(...keys: string[]): Promise<number>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Marks a KvTransportError whichever copy of this module made it (see isKvTransportError). */
const TRANSPORT_FAILURE = Symbol.for("newsroom.kv.transportFailure");

/**
 * The transport could not reach Redis, or gave up waiting: an outage (503, try again later), never
 * a wrong command. Redis's own error replies are not wrapped: they are bugs or refusals.
 */
export class KvTransportError extends Error {
  readonly [TRANSPORT_FAILURE] = true;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "KvTransportError";
  }
}

/**
 * Whether `error` is a KvTransportError. Not `instanceof`: the transport is shared process-wide
 * (process-wide.ts), and Next.js bundles this module more than once (the start-up probe's bundle,
 * each route's), so the instance that threw may come from another copy of the class. The e2e
 * outage spec caught exactly that: a transport made by the readiness probe threw an error the
 * route did not recognise, and an outage became a 500.
 */
export function isKvTransportError(error: unknown): error is KvTransportError {
  return typeof error === "object" && error !== null && (error as { [TRANSPORT_FAILURE]?: unknown })[TRANSPORT_FAILURE] === true;
}
