/** kv mode: the seen-set in Redis behind @vercel/kv (kv-store.ts). */
import type { ModeDefinition } from "../mode-definition";
import { kvRunnerFor, kvTransportFor, pingKv } from "./kv-client";
import { KvStore } from "./kv-store";

export const kvMode: ModeDefinition = {
  name: "kv",
  label: "KV",
  description: "Shared Redis store (@vercel/kv over REST, or the Redis protocol): every instance sees the same history.",
  unavailable: (config) => ("unavailable" in config.kv ? config.kv.unavailable : null),
  open: (jar, config) => {
    if ("unavailable" in config.kv) throw new Error("kv mode opened without an endpoint (the registry checks unavailable() first)");
    return new KvStore(jar, config.keys, config.cookie, kvRunnerFor(config.kv));
  },
  probe: () => pingKv(),
  connection: (config) => {
    if ("unavailable" in config.kv) return null;
    const transport = kvTransportFor(config.kv);
    return { transport: transport.kind, endpoint: transport.endpoint };
  },
};
