/** What npm run bench measures side by side: a session mode under a balancer policy each. */
export const VARIANTS = [
  { name: "baseline", mode: "baseline", policy: "round-robin" },
  { name: "cookie", mode: "cookie", policy: "round-robin" },
  // kv mode over REST (@vercel/kv through the KV bridge), the product's default transport…
  { name: "kv", mode: "kv", policy: "round-robin" },
  // …and the same store over the Redis protocol (node-redis), in the same instances.
  { name: "kv-redis", mode: "kv-redis", policy: "round-robin" },
  { name: "memory", mode: "memory", policy: "round-robin" },
  { name: "memory-sticky", mode: "memory", policy: "sticky" },
  { name: "kv-textbook", mode: "kv-textbook", policy: "round-robin" },
] as const;

export type VariantName = (typeof VARIANTS)[number]["name"];
