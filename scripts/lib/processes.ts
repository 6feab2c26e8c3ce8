/**
 * Child processes in their own process groups. `next start` forks a child `next-server`, and
 * redis-server may fork for AOF rewrites: stopping means signalling the whole group, or a
 * grandchild lingers holding the port.
 *
 * Every child also dies with its parent: if the demo (or a test, or the bench) is killed with
 * SIGKILL it cannot stop anything itself, so on Linux each child is started through util-linux's
 * `setpriv --pdeathsig`, and the kernel sends it a signal the moment its parent is gone. (setpriv
 * execs the program, so the pid is the program's own.) Where setpriv is missing (macOS), the app
 * instances still watch their parent themselves (scripts/instance-server.mjs).
 */
import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

export interface GroupOptions extends SpawnOptions {
  /**
   * Signal the kernel sends the child when this process dies (Linux, through setpriv). Default
   * SIGTERM: the programs we run shut down cleanly on it. null: let the child outlive us.
   */
  parentDeathSignal?: NodeJS.Signals | null;
}

let setprivPath: string | null | undefined;

/** setpriv with --pdeathsig support, or null (not Linux, util-linux missing or too old). */
function setpriv(): string | null {
  if (setprivPath !== undefined) return setprivPath;
  setprivPath = null;
  if (process.platform !== "linux") return null;
  const help = spawnSync("setpriv", ["--help"], { encoding: "utf8" });
  if (help.status === 0 && help.stdout.includes("--pdeathsig")) setprivPath = "setpriv";
  return setprivPath;
}

export interface Managed {
  name: string;
  child: ChildProcess;
  pid: number;
  alive(): boolean;
  /** SIGTERM the group, SIGKILL after `graceMs`; resolves when the leader has exited. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL the group at once: a crash, not a shutdown. */
  kill(): Promise<void>;
}

export function spawnGroup(name: string, command: string, args: string[], options: GroupOptions = {}): Managed {
  const { parentDeathSignal = "SIGTERM", ...spawnOptions } = options;
  const wrapper = parentDeathSignal ? setpriv() : null;
  const child = wrapper
    ? spawn(wrapper, ["--pdeathsig", parentDeathSignal!.replace(/^SIG/, ""), "--", command, ...args], { ...spawnOptions, detached: true })
    : spawn(command, args, { ...spawnOptions, detached: true });
  if (child.pid === undefined) throw new Error(`could not start ${name} (${command})`);
  const pid = child.pid;
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.once("exit", () => (exited = true));

  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-pid, signal);
    } catch {
      // Group already gone.
    }
  };

  return {
    name,
    child,
    pid,
    alive: () => !exited,
    async stop(graceMs = 5000) {
      signalGroup("SIGTERM");
      if (exited) return;
      const timer = setTimeout(() => signalGroup("SIGKILL"), graceMs);
      await exit;
      clearTimeout(timer);
      signalGroup("SIGKILL"); // anything the leader left behind in its group
    },
    async kill() {
      signalGroup("SIGKILL");
      await exit;
    },
  };
}

/** Fields of /proc/<pid>/stat after the command name: [state, ppid, …]; null when gone or not on Linux. */
function procStat(pid: number): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  } catch {
    return null;
  }
}

/**
 * Direct children of `pid`, read from /proc (Linux; [] elsewhere). For servers whose workers
 * leave the leader's process group, as PostgreSQL's backends do (each calls setsid()).
 */
export function childPids(pid: number): number[] {
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return [];
  }
  return entries.filter((entry) => /^\d+$/.test(entry) && procStat(Number(entry))?.[1] === String(pid)).map(Number);
}

/** Whether `pid` still runs (a zombie waiting to be reaped does not count: it holds no port or memory). */
export function isRunning(pid: number): boolean {
  const stat = procStat(pid);
  if (stat) return stat[0] !== "Z";
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
