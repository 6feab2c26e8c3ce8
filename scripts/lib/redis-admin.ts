/**
 * kv mode's Redis as the admin API sees it: GET /__cluster's `redis` (nodes, roles, slots, the
 * cluster's verdict on each) and POST /__cluster/redis/{node}/stop|start for a cluster we started.
 * Views are cached for a moment: /cluster polls, and each view asks every node over a fresh connection.
 */
import type { RedisView } from "../../lib/cluster-contract";
import { ClusterError } from "./cluster/cluster";
import { isLocal, type LocalKv } from "./local-kv";

export interface RedisAdmin {
  view(): Promise<RedisView | null>;
  /** Stops (SIGTERM) or starts one node; answers with the view after it. */
  control(name: string, action: "stop" | "start"): Promise<RedisView | null>;
}

/** How long a view is reused (ms): /cluster polls every second or two. */
const VIEW_TTL_MS = 500;

export function redisAdmin(kv: LocalKv, log: (line: string) => void): RedisAdmin {
  let cached: { at: number; view: Promise<RedisView | null> } | null = null;
  const view = () => {
    if (!cached || Date.now() - cached.at > VIEW_TTL_MS) {
      cached = { at: Date.now(), view: kv.view().catch(() => null) };
    }
    return cached.view;
  };
  return {
    view,
    async control(name, action) {
      const cluster = kv.redisCluster;
      if (!cluster) throw new ClusterError(409, "REDIS_NOT_CLUSTER", "kv mode runs on one Redis here: start the demo with --redis cluster to control nodes");
      if (!isLocal(cluster))
        throw new ClusterError(409, "REDIS_EXTERNAL", "this Redis Cluster came from REDIS_CLUSTER_URLS: its nodes are not ours to stop or start");
      const node = (await cluster.nodes()).find((candidate) => candidate.name === name);
      if (!node)
        throw new ClusterError(404, "UNKNOWN_REDIS_NODE", `no Redis node "${name}"; the nodes are ${(await cluster.nodes()).map((n) => n.name).join(", ")}`);
      if (action === "stop") {
        if (node.process === "stopped") throw new ClusterError(409, "REDIS_NODE_STOPPED", `Redis node ${name} is already stopped`);
        await cluster.stopNode(name);
      } else {
        if (node.process !== "stopped") throw new ClusterError(409, "REDIS_NODE_RUNNING", `Redis node ${name} is already running`);
        await cluster.startNode(name);
      }
      log(`[cluster] Redis node ${name} ${action === "stop" ? "stopped" : "started"}`);
      cached = null;
      return view();
    },
  };
}
