/** kv mode: the seen-set in Redis behind @vercel/kv (kv-store.ts). */
import type { ModeDefinition } from "../mode-definition";
import { kvRunnerFor, pingKv } from "./kv-client";
import { KvStore } from "./kv-store";

export const kvMode: ModeDefinition = {
  name: "kv",
  label: "KV",
  description: "Shared Redis store behind @vercel/kv: every instance sees the same history.",
  unavailable: (config) => ("unavailable" in config.kv ? config.kv.unavailable : null),
  open: (jar, config) => {
    if ("unavailable" in config.kv) throw new Error("kv mode opened without an endpoint (the registry checks unavailable() first)");
    return new KvStore(jar, config.keys, config.cookie, kvRunnerFor(config.kv));
  },
  probe: () => pingKv(),
};
