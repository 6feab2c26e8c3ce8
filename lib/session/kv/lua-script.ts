/**
 * A Lua script known by its SHA-1, as Redis knows it. Transports run it with EVALSHA and load it
 * (SCRIPT LOAD) only when Redis answers NOSCRIPT: after a restart, on a new node, or the first
 * time. EVAL with the whole text would send ~2 KB and make Redis hash it on every request.
 */
import { createHash } from "node:crypto";

export interface LuaScript {
  /** A short name for logs and errors. */
  name: string;
  source: string;
  /** Lower-case hex SHA-1 of `source`: the name EVALSHA takes. */
  sha1: string;
  /** Whether it may write: a write waits for replicas when KV_WAIT_REPLICAS asks it to (replica-wait.ts). */
  writes: boolean;
}

/** `writes` defaults to true: a script wrongly marked as a write only waits needlessly; the reverse could lose a claim. */
export function luaScript(name: string, source: string, options: { writes?: boolean } = {}): LuaScript {
  return { name, source, sha1: createHash("sha1").update(source).digest("hex"), writes: options.writes ?? true };
}

/** Redis's answer to EVALSHA for a script its cache does not hold. */
export function isNoScript(error: unknown): boolean {
  return error instanceof Error && /^(Command failed: )?NOSCRIPT\b/.test(error.message);
}

/**
 * Runs `evalsha`; on NOSCRIPT loads the script with `load` and runs it again (once: a second
 * NOSCRIPT would mean the load went to another server, which is an error worth seeing).
 */
export async function withScriptLoaded<T>(evalsha: () => Promise<T>, load: () => Promise<unknown>): Promise<T> {
  try {
    return await evalsha();
  } catch (error) {
    if (!isNoScript(error)) throw error;
    await load();
    return evalsha();
  }
}
