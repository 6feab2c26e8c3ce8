/**
 * The browser's view of the demo balancer's admin API (/__cluster). Only `npm run demo` (and the
 * test stack) put a balancer in front of the app; without one the path reaches Next.js, which
 * answers 404, and the pages say how to start the cluster instead.
 */
import type { ClusterState } from "@/lib/cluster-contract";
import { callApi } from "./api-client";
import { observeStoppedInstances } from "./request-log";

export type { ClusterState, InstanceRecord as ClusterInstance, Policy } from "@/lib/cluster-contract";

export type ClusterLookup =
  { kind: "ok"; state: ClusterState } | { kind: "absent" } | { kind: "forbidden"; message: string } | { kind: "error"; message: string };

/** Polled in the background, so not written to the request timeline. */
export async function lookUpCluster(): Promise<ClusterLookup> {
  const result = await callApi<ClusterState>("/__cluster", { record: false });
  if (result.ok && Array.isArray(result.data.instances)) {
    observeStoppedInstances(result.data.instances.filter((i) => i.status !== "up").map((i) => i.id));
    return { kind: "ok", state: result.data };
  }
  if (result.status === 404) return { kind: "absent" };
  if (result.status === 403) return { kind: "forbidden", message: result.ok ? "" : result.error.message };
  return { kind: "error", message: result.ok ? "The balancer answered something unexpected." : result.error.message };
}

export const START_CLUSTER_COMMAND = "npm run demo";
