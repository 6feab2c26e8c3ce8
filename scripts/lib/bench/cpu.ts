/**
 * CPU time by part of the stack, for the bench's "CPU per request" figures. Linux /proc: a
 * process's utime + stime (clock ticks, usually 10 ms) plus those of all its descendants, the ones
 * still running and the ones that exited (their time is kept in their parent's cutime + cstime
 * once it reaps them), so an instance counts whatever it spawned and PostgreSQL counts the backend
 * of a connection that closed mid-window (its pool closes idle connections), and HAProxy's master
 * counts its worker. The stack's own process (the control plane and the KV bridge) is read with
 * process.cpuUsage(), which counts this process alone, in microseconds. Read before and after a measured window; the difference divided by the
 * requests served is what one request cost each part. This machine is shared: ratios between
 * variants measured in alternating rounds are the figures to trust, not the absolute values.
 */
import { readdirSync, readFileSync } from "node:fs";
import { cpuMicros } from "../haproxy/cpu";

/** CPU µs (utime + stime, its reaped children's included) of one process, or 0 when it is gone. */
function ownMicros(pid: number): number {
  try {
    return cpuMicros(pid, { reapedChildren: true });
  } catch {
    return 0;
  }
}

function childrenOf(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((tid) => {
      try {
        return readFileSync(`/proc/${pid}/task/${tid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
      } catch {
        return [];
      }
    });
  } catch {
    return [];
  }
}

/** CPU ms of `pid` and every descendant, as of now. */
export function processTreeCpuMs(pid: number): number {
  let micros = 0;
  const pending = [pid];
  while (pending.length > 0) {
    const next = pending.pop()!;
    micros += ownMicros(next);
    pending.push(...childrenOf(next));
  }
  return micros / 1000;
}

/** CPU ms of this process alone (every thread), as of now. */
export function ownCpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

/**
 * The parts of the stack the bench reports apart, in the report's column order, with their
 * column headings. A part is a group of processes; adding one is a line here and its pids in
 * CpuSources.
 */
export const CPU_GROUPS = [
  /** Every app instance (Next.js behind its front door). */
  { key: "instances", label: "instances" },
  /** HAProxy, master and worker: the load balancer carrying every request. */
  { key: "balancer", label: "balancer (HAProxy)" },
  /** The stack's own process: the control plane (health probes, /__cluster) and the KV bridge. */
  { key: "controlAndBridge", label: "control plane + KV bridge" },
  { key: "redis", label: "Redis" },
  /** The postmaster and its backends, checkpointer, WAL writer, autovacuum. */
  { key: "postgres", label: "PostgreSQL" },
] as const;

export type CpuGroup = (typeof CPU_GROUPS)[number]["key"];
export type CpuParts = Record<CpuGroup, number>;

/** The root pids of each part (null: that part is not running here). */
export interface CpuSources {
  instancePids(): number[];
  /** HAProxy's master (its worker is a child), or null without one. */
  balancerPid(): number | null;
  /** Every redis-server of kv mode: one, or a Redis Cluster's six. */
  redisPids(): number[];
  postgresPid(): number | null;
}

const treeOf = (pid: number | null) => (pid === null ? 0 : processTreeCpuMs(pid));

export function readCpu(sources: CpuSources): CpuParts {
  return {
    instances: sources.instancePids().reduce((sum, pid) => sum + processTreeCpuMs(pid), 0),
    balancer: treeOf(sources.balancerPid()),
    controlAndBridge: ownCpuMs(),
    redis: sources.redisPids().reduce((sum, pid) => sum + processTreeCpuMs(pid), 0),
    postgres: treeOf(sources.postgresPid()),
  };
}

const combine = (a: CpuParts, b: CpuParts, sign: 1 | -1) => Object.fromEntries(CPU_GROUPS.map(({ key }) => [key, a[key] + sign * b[key]])) as CpuParts;

export function cpuSince(before: CpuParts, after: CpuParts): CpuParts {
  return combine(after, before, -1);
}

export function addCpu(a: CpuParts, b: CpuParts): CpuParts {
  return combine(a, b, 1);
}

/** The whole stack: every part. */
export function totalCpu(parts: CpuParts): number {
  return CPU_GROUPS.reduce((sum, { key }) => sum + parts[key], 0);
}

export const NO_CPU = Object.fromEntries(CPU_GROUPS.map(({ key }) => [key, 0])) as CpuParts;
