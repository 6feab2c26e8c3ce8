/**
 * The bench's own session modes, to put numbers next to the product's:
 *   baseline     the same handler and feed selection with a store that records nothing;
 *   kv-textbook  what connect-redis / flask-session do: GET the whole session JSON, change it,
 *                SET it back with an expiry (two round trips, not atomic);
 *   kv-redis     the product's kv store over the Redis protocol (node-redis, KV_URL) while "kv"
 *                runs over REST in the same processes, so both transports are measured side by
 *                side on one cluster. The same store, keys and scripts: only the transport differs.
 * Neither keeps the promise, so they exist only when the server runs with ENABLE_BENCH_MODES=1
 * (npm run bench sets it); then they register through the registry's hook (registerModes).
 * ALLOW_BASELINE_MODE=1, the variable's old name, still works and says so once.
 */
import type { ModeDefinition } from "@/lib/session/mode-definition";
import { kvRunnerFor } from "@/lib/session/kv/kv-client";
import { KvStore } from "@/lib/session/kv/kv-store";
import { BaselineStore } from "./baseline-store";
import { KvTextbookStore } from "./kv-textbook-store";

const benchModes: ModeDefinition[] = [
  {
    name: "baseline",
    label: "Baseline",
    description: "Bench only: records nothing.",
    listed: false,
    unavailable: () => null,
    open: () => new BaselineStore(),
  },
  {
    name: "kv-textbook",
    label: "KV (textbook)",
    description: "Bench only: GET + SET of one JSON session value.",
    listed: false,
    unavailable: (config) => ("unavailable" in config.kv ? config.kv.unavailable : null),
    open: (jar, config) => {
      if ("unavailable" in config.kv) throw new Error("kv-textbook opened without an endpoint");
      return new KvTextbookStore(jar, config.keys, config.cookie, kvRunnerFor(config.kv));
    },
  },
  {
    name: "kv-redis",
    label: "KV (Redis protocol)",
    description: "Bench only: kv mode's store over node-redis and KV_URL.",
    listed: false,
    unavailable: (config) => ("unavailable" in config.kv ? config.kv.unavailable : config.kv.redis ? null : "kv-redis needs KV_URL=redis://…"),
    open: (jar, config) => {
      if ("unavailable" in config.kv) throw new Error("kv-redis opened without an endpoint");
      return new KvStore(jar, config.keys, config.cookie, kvRunnerFor(config.kv, "redis"));
    },
  },
];

let warned = false;

/** Whether this server runs for the bench; in Next.js, read once at start-up by instrumentation.ts. */
export function benchModesEnabled(env: Readonly<Record<string, string | undefined>> = process.env): boolean {
  if (env.ENABLE_BENCH_MODES === "1") return true;
  if (env.ALLOW_BASELINE_MODE === "1") {
    if (!warned) console.warn("[newsroom] ALLOW_BASELINE_MODE is deprecated: set ENABLE_BENCH_MODES=1 instead (it enables every bench-only mode).");
    warned = true;
    return true;
  }
  return false;
}

export { benchModes };
