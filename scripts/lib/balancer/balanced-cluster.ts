import type { Cluster } from "../cluster/cluster";

/** What the balancer needs of a cluster (the real Cluster, or a stand-in with fixed instances). */
export type BalancedCluster = Pick<
  Cluster,
  | "policy"
  | "routable"
  | "countServed"
  | "markDown"
  | "list"
  | "setPolicy"
  | "addInstance"
  | "stopInstance"
  | "startInstance"
  | "maxInstances"
  | "replicationSettings"
  | "setReplication"
>;
