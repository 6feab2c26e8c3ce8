/**
 * Whether each store this instance depends on answers, checked in the background and cached, so
 * that /api/health (liveness) never waits on a store. Liveness and readiness are kept apart on
 * purpose: a Redis stall must not make the balancer eject healthy instances (cookie and memory
 * readers would lose every instance at once for a problem only kv readers have). The balancer
 * ejects on liveness; the stores' readiness is reported, for the cluster page and for people.
 * Every registered mode with a probe (registry.ts) is probed.
 */
import type { StoreReadinessView } from "../api-contract";
import { processWide } from "../process-wide";
import { sessionConfig } from "./config";
import { registeredModes, type ModeDefinition } from "./registry";

export type StoreReadiness = Omit<StoreReadinessView, "ok">;

/** How often the stores are probed (ms). Each probe is bounded by the store's own timeout. */
const PROBE_INTERVAL_MS = 1000;

interface ProbeState {
  byMode: Map<string, StoreReadiness>;
  timer: NodeJS.Timeout | null;
  running: boolean;
}

function state(): ProbeState {
  return processWide("storeReadiness", () => ({ byMode: new Map(), timer: null, running: false }));
}

async function probe(mode: ModeDefinition & { probe: NonNullable<ModeDefinition["probe"]> }): Promise<StoreReadiness> {
  const config = sessionConfig();
  const reason = mode.unavailable(config);
  if (reason !== null) return { configured: false, ready: false, checkedAt: Date.now(), reason };
  const answer = await mode.probe(config);
  const connection = mode.connection?.(config) ?? {};
  return answer.ok
    ? { configured: true, ready: true, checkedAt: Date.now(), latencyMs: answer.latencyMs, ...connection }
    : { configured: true, ready: false, checkedAt: Date.now(), error: answer.error, ...connection };
}

function probedModes() {
  return registeredModes().filter((mode): mode is ModeDefinition & { probe: NonNullable<ModeDefinition["probe"]> } => mode.probe !== undefined);
}

async function probeAll(): Promise<void> {
  const current = state();
  if (current.running) return; // a slow store: never stack probes up
  current.running = true;
  try {
    await Promise.all(probedModes().map(async (mode) => current.byMode.set(mode.name, await probe(mode))));
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

/** The last known readiness of each probed store: no store is called. */
export function storeReadiness(): Record<string, StoreReadiness> {
  const config = sessionConfig();
  const known = state().byMode;
  return Object.fromEntries(
    probedModes().map((mode) => {
      const reason = mode.unavailable(config);
      const fallback: StoreReadiness =
        reason === null
          ? { configured: true, ready: null, checkedAt: null, ...(mode.connection?.(config) ?? {}) }
          : { configured: false, ready: false, checkedAt: null, reason };
      return [mode.name, known.get(mode.name) ?? fallback];
    }),
  );
}
