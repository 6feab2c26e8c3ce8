/**
 * What npm run bench measures side by side: a session mode under a balancer policy each. Adding a
 * variant is one entry here (its mode must be registered: a product mode, or a bench mode in
 * bench/stores/); every figure, table and chart of the report picks it up. Options, with defaults:
 *   label         how docs/benchmarks.md names it (required)
 *   parallelTabs  also measured with 4 parallel feed requests per reader: duplicates (default false)
 *   history       also measured at 0 vs 9,000 seen articles: p50 ratio (default false; one variant per mode)
 *   replication   replicated mode's setting while the variant runs, "sync" or "async" (default: left alone)
 * A variant whose mode keeps state on the server also needs a line in footprint.ts to have its
 * memory per reader measured.
 */
export interface Variant {
  name: string;
  mode: string;
  policy: "round-robin" | "sticky";
  label: string;
  parallelTabs?: boolean;
  history?: boolean;
  replication?: "sync" | "async";
}

export const VARIANTS = [
  { name: "baseline", mode: "baseline", policy: "round-robin", label: "baseline (a store that records nothing)" },
  { name: "cookie", mode: "cookie", policy: "round-robin", label: "cookie (sealed, iron-seal on node:crypto)", parallelTabs: true, history: true },
  // kv mode over REST (@vercel/kv through the KV bridge), the product's default transport…
  { name: "kv", mode: "kv", policy: "round-robin", label: "kv over REST (@vercel/kv → bridge → Redis)", parallelTabs: true, history: true },
  // …and the same store over the Redis protocol (node-redis), in the same instances.
  { name: "kv-redis", mode: "kv-redis", policy: "round-robin", label: "kv over the Redis protocol (node-redis)" },
  { name: "db", mode: "db", policy: "round-robin", label: "db (PostgreSQL sessions table, node-postgres)", parallelTabs: true, history: true },
  {
    name: "replicated-sync",
    mode: "replicated",
    policy: "round-robin",
    replication: "sync",
    label: "replicated, sync (every live peer acknowledges before the answer)",
    parallelTabs: true,
    history: true,
  },
  {
    name: "replicated-async",
    mode: "replicated",
    policy: "round-robin",
    replication: "async",
    label: "replicated, async (the answer first, the peers after)",
    parallelTabs: true,
  },
  { name: "memory", mode: "memory", policy: "round-robin", label: "memory, round-robin (the bug)" },
  { name: "memory-sticky", mode: "memory", policy: "sticky", label: "memory, sticky" },
  { name: "kv-textbook", mode: "kv-textbook", policy: "round-robin", label: "kv-textbook (GET + SET of JSON)", parallelTabs: true },
] as const satisfies readonly Variant[];

export type VariantName = (typeof VARIANTS)[number]["name"];
