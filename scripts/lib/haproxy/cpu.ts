/**
 * CPU time a process has used, from /proc/<pid>/stat (Linux): user + system time of all its
 * threads. Read before and after a load, the difference divided by the requests is the CPU one
 * request costs that process, whatever else the machine is doing (wall-clock figures are not).
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

let ticksPerSecond: number | null = null;

/** Clock ticks per second of /proc's counters (USER_HZ, almost always 100). */
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

/**
 * Microseconds of CPU (user + system) the process has used so far. Resolution: one clock tick (10 ms).
 * With `reapedChildren`, also what its children that have exited (and been waited for) used: a
 * server that forks a process per connection (PostgreSQL) keeps their time once they are gone.
 */
export function cpuMicros(pid: number, options: { reapedChildren?: boolean } = {}): number {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch (error) {
    throw new Error(`cannot read the CPU time of pid ${pid} (${(error as Error).message}); this needs Linux's /proc and a running process`);
  }
  // The command name (field 2) may contain spaces and parentheses: count fields after its last ")".
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const utime = Number(fields[11]); // field 14 of the whole line
  const stime = Number(fields[12]); // field 15
  const reaped = options.reapedChildren ? Number(fields[13]) + Number(fields[14]) : 0; // cutime, cstime: fields 16 and 17
  return ((utime + stime + reaped) * 1_000_000) / clockTicks();
}
