/**
 * CPU time by part of the stack, for the bench's "CPU per request" figures. Linux /proc: a
 * process's utime + stime (clock ticks, usually 10 ms) plus those of all its descendants still
 * running, so an instance counts whatever it spawned. The stack's own process (balancer and KV
 * bridge) is read with process.cpuUsage(), which counts this process alone, in microseconds.
 * Read before and after a measured window; the difference divided by the requests served is what
 * one request cost each part. This machine is shared: ratios between variants measured in
 * alternating rounds are the figures to trust, not the absolute values.
 */
import { readdirSync, readFileSync } from "node:fs";
import { cpuMicros } from "../haproxy/cpu";

/** CPU µs (utime + stime) of one process, or 0 when it is gone. */
function ownMicros(pid: number): number {
  try {
    return cpuMicros(pid);
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

/** The parts of the stack the bench reports apart. */
export interface CpuParts {
  /** Every app instance (Next.js behind its front door). */
  instances: number;
  /** The stack's own process: the balancer and the KV bridge. */
  balancerAndBridge: number;
  redis: number;
}

export interface CpuSources {
  instancePids(): number[];
  redisPid(): number | null;
}

export function readCpu(sources: CpuSources): CpuParts {
  const redisPid = sources.redisPid();
  return {
    instances: sources.instancePids().reduce((sum, pid) => sum + processTreeCpuMs(pid), 0),
    balancerAndBridge: ownCpuMs(),
    redis: redisPid === null ? 0 : processTreeCpuMs(redisPid),
  };
}

export function cpuSince(before: CpuParts, after: CpuParts): CpuParts {
  return {
    instances: after.instances - before.instances,
    balancerAndBridge: after.balancerAndBridge - before.balancerAndBridge,
    redis: after.redis - before.redis,
  };
}

export function addCpu(a: CpuParts, b: CpuParts): CpuParts {
  return { instances: a.instances + b.instances, balancerAndBridge: a.balancerAndBridge + b.balancerAndBridge, redis: a.redis + b.redis };
}

export const NO_CPU: CpuParts = { instances: 0, balancerAndBridge: 0, redis: 0 };
