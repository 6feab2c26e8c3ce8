/**
 * Whether each store this instance depends on answers, checked in the background and cached, so
 * that /api/health (liveness) never waits on a store. Liveness and readiness are kept apart on
 * purpose: a Redis stall must not make the balancer eject healthy instances (cookie and memory
 * readers would lose every instance at once for a problem only kv readers have). The balancer
 * ejects on liveness; the stores' readiness is reported, for the cluster page and for people.
 */
import { kvStatus, pingKv } from "./kv/kv-client";

export interface StoreReadiness {
  /** false: this instance has no such store configured (the reason says what to set). */
  configured: boolean;
  /** The last probe answered in time. null until the first probe has finished. */
  ready: boolean | null;
  /** When the last probe finished (epoch ms), null before the first. */
  checkedAt: number | null;
  latencyMs?: number;
  error?: string;
  reason?: string;
}

/** How often the stores are probed (ms). Each probe is bounded by the store's own timeout. */
const PROBE_INTERVAL_MS = 1000;

interface ProbeState {
  kv: StoreReadiness;
  timer: NodeJS.Timeout | null;
  running: boolean;
}

const STATE_KEY = Symbol.for("newsroom.storeReadiness");
type GlobalWithState = typeof globalThis & { [STATE_KEY]?: ProbeState };

function state(): ProbeState {
  const holder = globalThis as GlobalWithState;
  return (holder[STATE_KEY] ??= { kv: { configured: kvStatus().configured, ready: null, checkedAt: null }, timer: null, running: false });
}

async function probeKv(): Promise<StoreReadiness> {
  const status = kvStatus();
  if (!status.configured) return { configured: false, ready: false, checkedAt: Date.now(), reason: status.reason };
  const answer = await pingKv();
  return answer.ok
    ? { configured: true, ready: true, checkedAt: Date.now(), latencyMs: answer.latencyMs }
    : { configured: true, ready: false, checkedAt: Date.now(), error: answer.error };
}

async function probeAll(): Promise<void> {
  const current = state();
  if (current.running) return; // a slow store: never stack probes up
  current.running = true;
  try {
    current.kv = await probeKv();
  } finally {
    current.running = false;
  }
}

/** Starts the background probes (once per process; called at start-up from instrumentation.ts). */
export function startStoreProbes(intervalMs = PROBE_INTERVAL_MS): void {
  const current = state();
  if (current.timer) return;
  void probeAll();
  current.timer = setInterval(() => void probeAll(), intervalMs);
  current.timer.unref();
}

/** The last known readiness of each store: no store is called. */
export function storeReadiness(): { kv: StoreReadiness } {
  return { kv: state().kv };
}
