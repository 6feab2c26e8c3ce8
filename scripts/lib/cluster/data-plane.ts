/**
 * What the cluster asks of the load balancer that carries the traffic (HAProxy, through its
 * Runtime API: ../haproxy/data-plane.ts). The cluster starts and stops processes; the balancer
 * decides where each request goes, and is the one source of truth for what it does: policy,
 * which instances are in rotation, what its health checks say, how many requests each one got.
 */
import type { InstanceBalancerView, Policy } from "../../../lib/cluster-contract";

export interface DataPlane {
  /** e.g. "HAProxy 2.6.12": shown on /cluster, so a run says which balancer carried it. */
  readonly name: string;
  /** Points the instance's server at `port` and puts it in rotation; resolves once the balancer's own readiness check passed. */
  admit(id: string, port: number): Promise<void>;
  /** Out of rotation at once: new requests go elsewhere (sticky readers too); requests under way finish. */
  withdraw(id: string): Promise<void>;
  setPolicy(policy: Policy): Promise<void>;
  policy(): Promise<Policy>;
  /** What the balancer reports for each instance's server, by instance id. */
  servers(): Promise<Map<string, InstanceBalancerView>>;
}
