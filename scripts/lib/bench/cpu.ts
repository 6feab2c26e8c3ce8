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
import { execFileSync } from "node:child_process";

let ticksPerSecond: number | null = null;

function clockTicks(): number {
  if (ticksPerSecond === null) {
    try {
      ticksPerSecond = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** utime + stime of one process in ticks, or 0 when it is gone. */
function ownTicks(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may hold spaces and parentheses: count fields after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(fields[11]) + Number(fields[12]);
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
  let ticks = 0;
  const pending = [pid];
  while (pending.length > 0) {
    const next = pending.pop()!;
    ticks += ownTicks(next);
    pending.push(...childrenOf(next));
  }
  return (ticks * 1000) / clockTicks();
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
