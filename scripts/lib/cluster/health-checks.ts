/**
 * The control plane's own verdict on each running instance, every second, from its liveness probe,
 * and what the probe reports for the cluster page (readers, store readiness, replication): up while
 * it answers, down after FAILURES_BEFORE_DOWN silent probes in a row, and never the last one up for
 * being slow. Routing does not read it: HAProxy runs its own checks on /api/ready, and GET
 * /__cluster shows HAProxy's verdict (cluster.ts view()).
 */
import type { InstanceStatus } from "../../../lib/cluster-contract";
import { probe, type HealthReport } from "./health-probe";

/** Failed probes in a row before a running instance leaves the rotation. */
const FAILURES_BEFORE_DOWN = 2;

/** What the checks read and write of an instance. */
export interface Checked extends HealthReport {
  id: string;
  port: number;
  status: InstanceStatus;
  /** Health checks leave it alone: stopped through the admin API, or being started or stopped. */
  skip: boolean;
  failedProbes: number;
}

/** Probes every instance once and updates its status and what it reports. */
export async function checkHealth(members: readonly Checked[], log: (line: string) => void): Promise<void> {
  await Promise.all(
    members.map(async (member) => {
      if (member.skip) return;
      const report = await probe(member.port);
      if (member.skip) return; // stopped or started while we were asking
      member.failedProbes = report ? 0 : member.failedProbes + 1;
      let next: InstanceStatus = report ? "up" : member.failedProbes >= FAILURES_BEFORE_DOWN ? "down" : member.status;
      if (next === "down" && member.status === "up" && members.every((m) => m === member || m.status !== "up")) next = "up";
      if (next !== member.status) log(`[cluster] instance ${member.id} is ${next}`);
      member.status = next;
      if (report) Object.assign(member, report);
      else if (next === "down") Object.assign(member, { readers: null, kv: null });
    }),
  );
}
