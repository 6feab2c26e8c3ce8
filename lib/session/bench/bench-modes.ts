/**
 * Modes that exist only for `npm run bench`, to put numbers next to ours:
 *   baseline     the same handler and feed selection with a store that records nothing;
 *   kv-textbook  what connect-redis / flask-session do: GET the whole session JSON, change it,
 *                SET it back with an expiry (two round trips, not atomic).
 * They are refused unless the server runs with ALLOW_BASELINE_MODE=1: neither keeps the promise.
 */
export const BENCH_MODES = ["baseline", "kv-textbook"] as const;
export type BenchMode = (typeof BENCH_MODES)[number];

export function isBenchMode(value: unknown): value is BenchMode {
  return typeof value === "string" && (BENCH_MODES as readonly string[]).includes(value);
}

export function benchModesAllowed(): boolean {
  return process.env.ALLOW_BASELINE_MODE === "1";
}

export class BenchModeDisabledError extends Error {
  constructor(readonly mode: BenchMode) {
    super(`Mode "${mode}" exists only for benchmarks; start the server with ALLOW_BASELINE_MODE=1 to enable it.`);
    this.name = "BenchModeDisabledError";
  }
}
