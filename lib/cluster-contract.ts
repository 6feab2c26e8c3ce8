/**
 * The shapes of the cluster's admin API (/__cluster, served by the control plane behind HAProxy):
 * shared by the cluster scripts that serve it and the pages that read it, so the two cannot drift apart.
 */
export type InstanceStatus = "up" | "down" | "starting";
export const POLICIES = ["round-robin", "sticky"] as const;
export type Policy = (typeof POLICIES)[number];

export interface InstanceRecord {
  id: string;
  port: number;
  pid: number | null;
  status: InstanceStatus;
  served: number;
  /** Readers this instance holds in its memory-mode Map, from its last health check (null: unknown or stopped). */
  readers: number | null;
  /** The instance's SESSION_SECRET fingerprint from /api/health (null: unknown or stopped). */
  secretFingerprint: string | null;
  /** True when its fingerprint differs from the majority's: it cannot open the others' sessions. */
  secretMismatch: boolean;
  /**
   * Whether the instance's KV store answered its last background probe (from /api/health): a store
   * being down is reported here, never a reason to take the instance out of the rotation.
   * null: unknown (stopped, or not probed yet).
   */
  kv: KvReadiness | null;
  /** replicated mode on this instance, from its last health check (null: replication off, unknown or stopped). */
  replication: InstanceReplication | null;
  /** What the load balancer reports for this instance's server (null: no balancer state, e.g. a stand-in). */
  balancer: InstanceBalancerView | null;
}

/**
 * One instance as the load balancer sees it (HAProxy's `show stat` and `show servers state`):
 * `status` and `served` on the instance record come from here too, so /cluster shows what the
 * balancer does rather than what the control plane believes.
 */
export interface InstanceBalancerView {
  /** HAProxy's status text: "UP", "DOWN", "MAINT" (stopped), "DRAIN"; "UP 1/2" is up with one failed check, "DOWN 1/1" coming up. */
  state: string;
  /** The last health check on /api/ready, e.g. "L7OK 200", "L4CON Connection refused", "L7STS 503"; "" before the first. */
  lastCheck: string;
  /** In rotation: UP (draining or not). */
  inRotation: boolean;
  /** Requests in progress on it now. */
  active: number;
  /** Requests it has been given since the balancer started (every backend: pages, API, assets). */
  served: number;
}

/** An instance's replication node as the cluster page shows it. */
export interface InstanceReplication {
  /** Joined its peers and merged their state (it is not ready before). */
  caughtUp: boolean;
  /** Replicas it holds. */
  readers: number;
  /** Its links: peers answering, peers not answering, changes waiting for them. */
  peersUp: number;
  peersDown: number;
  backlog: number;
  /** The slowest last-measured lag of its links (ms), or null before any change travelled. */
  lastLagMs: number | null;
}

export const REPLICATION_MODES = ["sync", "async"] as const;
export type ReplicationModeName = (typeof REPLICATION_MODES)[number];

/** The replication settings in force on every instance (PUT /__cluster/replication changes them). */
export interface ReplicationSettingsView {
  mode: ReplicationModeName;
  /** Added delay before a change leaves for a peer (ms), standing in for a slow network. */
  lagMs: number;
}

export type KvReadiness = "ready" | "unreachable" | "not configured";

/** GET /__cluster */
export interface ClusterState {
  /** The load balancer carrying the traffic, e.g. "HAProxy 2.6.12" (null: none, e.g. an instance served directly). */
  balancer: string | null;
  policy: Policy;
  instances: InstanceRecord[];
  /** Whether this caller may change the cluster (holds this run's admin token or cookie). */
  admin: boolean;
  /** The most instances a scale-out may reach (`--max-instances`). */
  maxInstances: number;
  /** replicated mode's settings, or null when the cluster runs without replication. */
  replication: ReplicationSettingsView | null;
  /** kv mode's Redis (`--redis single|cluster`), or null when kv mode is off or its Redis is not ours to show. */
  redis: RedisView | null;
}

/** One node of kv mode's Redis Cluster as /cluster shows it (GET /__cluster → redis.nodes). */
export interface RedisNodeView {
  /** n1 … n6: what POST /__cluster/redis/{name}/stop|start takes. */
  name: string;
  /** host:port */
  address: string;
  /** Our process's view: `external` for a cluster given by REDIS_CLUSTER_URLS (no buttons then). */
  process: "running" | "paused" | "stopped" | "external";
  /** From CLUSTER NODES; null when no reachable node lists it. */
  role: "master" | "replica" | null;
  /** Inclusive slot ranges it serves (masters). */
  slots: [from: number, to: number][];
  /** The master a replica follows. */
  replicaOf: string | null;
  /** The cluster's verdict: up, pfail (suspected), fail (agreed), unknown. */
  cluster: "up" | "pfail" | "fail" | "unknown";
}

/** kv mode's Redis: one server, or a Redis Cluster with its nodes. */
export interface RedisView {
  mode: "single" | "cluster";
  /** KV_WAIT_REPLICAS in force: replicas each write waits for (0: none). */
  waitReplicas: number;
  /** Empty for a single Redis. */
  nodes: RedisNodeView[];
}
