/**
 * The Node balancer (../balancer/server.ts, on httpxy) alone in a process, in front of already running
 * instances, so its CPU time can be read from /proc like HAProxy's. Forked by the CPU measurement
 * (scripts/measure-balancer-cpu.ts) with the instances as `id:port` arguments; it reports
 * {port} over IPC once listening and runs until its parent disconnects.
 */
import { startBalancer, type BalancedCluster } from "../balancer/server";
import { ClusterError, standInRecord, type InstanceRecord, type Policy } from "../cluster/cluster";

/** The part of the cluster the balancer routes with: fixed instances and counters (routing.ts does the turns). */
class FixedCluster implements BalancedCluster {
  policy: Policy = "round-robin";
  readonly maxInstances = 8;

  constructor(private readonly instances: InstanceRecord[]) {}

  list(): InstanceRecord[] {
    return this.instances;
  }

  routable(): readonly InstanceRecord[] {
    return this.instances;
  }

  countServed(id: string): void {
    const instance = this.instances.find((candidate) => candidate.id === id);
    if (instance) instance.served++;
  }

  markDown(id: string): void {
    const instance = this.instances.find((candidate) => candidate.id === id);
    if (instance) instance.status = "down";
  }

  setPolicy(policy: Policy): void {
    this.policy = policy;
  }

  private refuse(): never {
    throw new ClusterError(501, "NOT_SUPPORTED", "this measurement cluster has fixed instances");
  }

  addInstance = async (): Promise<InstanceRecord> => this.refuse();
  stopInstance = async (): Promise<InstanceRecord> => this.refuse();
  startInstance = async (): Promise<InstanceRecord> => this.refuse();
  readonly replicationSettings = null;
  setReplication = async (): Promise<never> => this.refuse();
}

async function main(): Promise<void> {
  const instances = process.argv.slice(2).map((argument): InstanceRecord => {
    const [id, port] = argument.split(":");
    return standInRecord(id!, Number(port));
  });
  if (instances.length === 0 || instances.some((instance) => !instance.id || !(instance.port > 0))) {
    throw new Error("usage: node-balancer-process.ts id:port [id:port …]");
  }
  const balancer = await startBalancer(new FixedCluster(instances), { adminToken: "measurement-admin-token-unused", port: 0, log: () => {} });
  process.send?.({ port: balancer.port });
  process.once("disconnect", () => void balancer.close().then(() => process.exit(0)));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
