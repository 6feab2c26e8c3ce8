/**
 * What a session mode declares about itself (one per store folder, e.g. kv/mode.ts); the registry
 * (registry.ts) lists them. Types only, so a mode and the registry do not import each other.
 */
import type { SessionConfig } from "./config";
import type { CookieJar, SessionStore } from "./store";

export type ProbeResult = { ok: true; latencyMs: number } | { ok: false; error: string };

export interface ModeDefinition {
  /** The mode's name in the API, the nr_mode cookie and the UI: lower-case, stable. */
  name: string;
  /** The header switch's label. */
  label: string;
  /** One line on where this mode keeps a reader's history (the switch's tooltip, the docs). */
  description: string;
  /** "bug": memory mode, the failure on display, drawn in red. Default "normal". */
  tone?: "normal" | "bug";
  /** Offered in the header's switch. Default true; the bench's own modes are not. */
  listed?: boolean;
  /** Why this process cannot serve the mode (its store is not configured), or null when it can. */
  unavailable(config: SessionConfig): string | null;
  /** The store for one request, bound to that request's cookies. */
  open(jar: CookieJar, config: SessionConfig): SessionStore;
  /** Asks the store whether it answers, for the background readiness probe; none: always ready. */
  probe?(config: SessionConfig): Promise<ProbeResult>;
  /** How the store is reached (kv: "rest" or "redis") and where, without credentials, for /api/health. */
  connection?(config: SessionConfig): { transport: string; endpoint: string } | null;
}
