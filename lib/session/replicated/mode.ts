/** replicated mode: every instance holds every reader, changes travel between them (replicated-store.ts). */
import type { ModeDefinition } from "../mode-definition";
import { replicationNode } from "./node-runtime";
import { ReplicatedStore } from "./replicated-store";

export const replicatedMode: ModeDefinition = {
  name: "replicated",
  label: "Replicated",
  description: "Every instance keeps every reader in memory and sends each change to its peers, the Tomcat/Hazelcast way.",
  unavailable: (config) => ("unavailable" in config.replication ? config.replication.unavailable : null),
  open: (jar, config) => new ReplicatedStore(jar, config.keys, config.cookie, replicationNode(config)!),
  probe: async (config) => {
    const node = replicationNode(config);
    if (!node?.caughtUp) return { ok: false, error: "joining the group and catching up" };
    return { ok: true, latencyMs: 0 };
  },
  connection: (config) =>
    "unavailable" in config.replication ? null : { transport: "replication channel", endpoint: `${config.replication.host}:${config.replication.port}` },
};
