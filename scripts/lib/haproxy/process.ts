/**
 * HAProxy as a child process: found on PATH (installed with apt when root, else the exact command
 * to run), its generated configuration checked with `haproxy -c`, started in the foreground in
 * master-worker mode in its own process group, with its files (configuration, policy map, Runtime
 * API socket) in a private temp dir that is removed when it stops.
 */
import { spawnSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Policy } from "../cluster/cluster";
import { freePort, waitForPort } from "../ports";
import { spawnGroup } from "../processes";
import { ensureProgram } from "../system-deps";
import { haproxyConfig, policyMapText, slotIds, type HaproxyConfigOptions } from "./config";
import { RuntimeApi } from "./runtime-api";

/** The haproxy binary: on PATH, or installed with apt when running as root; otherwise an error naming the command. */
export function findHaproxy(): string {
  try {
    return ensureProgram("haproxy", "haproxy");
  } catch (error) {
    throw new Error(`${(error as Error).message}\nOn macOS:  brew install haproxy`);
  }
}

export class HaproxyConfigError extends Error {}

/** `haproxy -c`: throws HaproxyConfigError with HAProxy's own words when the file is invalid; returns its warnings. */
export function checkConfig(configPath: string, binary: string = findHaproxy()): string[] {
  const result = spawnSync(binary, ["-c", "-f", configPath], { encoding: "utf8", timeout: 10_000 });
  const output = `${result.stdout ?? ""}${result.stderr ?? ""}`.trim();
  if (result.status !== 0) throw new HaproxyConfigError(`HAProxy rejects ${configPath}:\n${output || result.error?.message}`);
  return output.split("\n").filter((line) => line.includes("[WARNING]"));
}

export interface HaproxyOptions extends Omit<HaproxyConfigOptions, "port" | "socketPath" | "policyMapPath" | "log"> {
  /** Frontend port. Default: a free one (chosen here: HAProxy itself refuses port 0). */
  port?: number;
  /** Policy at start. Default "round-robin". */
  policy?: Policy;
  /** Append HAProxy's log to this file: one line per request, and server state changes. Default: no log file. */
  logFile?: string;
  /** HAProxy's own messages (server UP/DOWN, alerts), line by line. Default: printed with a "[haproxy]" prefix. */
  log?: (line: string) => void;
}

export interface RunningHaproxy {
  /** Where to reach it: 127.0.0.1 when it listens on loopback or every interface, else its own address. */
  url: string;
  port: number;
  /** The private temp dir holding the configuration, the policy map and the socket. */
  dir: string;
  configPath: string;
  runtime: RuntimeApi;
  /** The master process (leader of the process group). */
  masterPid: number;
  /** The master and the worker that carries the traffic (from `show info`), for CPU accounting. */
  pids(): Promise<{ master: number; worker: number }>;
  alive(): boolean;
  /** SIGTERM the group (HAProxy's hard stop), SIGKILL after a grace period; resolves when master and worker are gone; removes the temp dir. */
  stop(): Promise<void>;
  /** SIGKILL the group at once: a crash. Resolves when master and worker are gone; the temp dir stays until stop(). */
  kill(): Promise<void>;
}

const START_TIMEOUT_MS = 10_000;

export async function startHaproxy(options: HaproxyOptions): Promise<RunningHaproxy> {
  const binary = findHaproxy();
  const port = options.port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), "newsroom-haproxy-")); // mode 700: only we reach the socket
  const configPath = join(dir, "haproxy.cfg");
  const policyMapPath = join(dir, "policy.map");
  const socketPath = join(dir, "admin.sock");
  const log = options.log ?? ((line: string) => console.log(`[haproxy] ${line}`));
  const { policy = "round-robin", logFile, ...configOptions } = options;

  let logFd: number | null = null;
  try {
    writeFileSync(policyMapPath, policyMapText(policy));
    writeFileSync(configPath, haproxyConfig({ ...configOptions, port, socketPath, policyMapPath, log: logFile !== undefined }));
    for (const warning of checkConfig(configPath, binary)) log(warning);
    if (logFile) logFd = openSync(logFile, "a");
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }

  // The request log goes straight from HAProxy to the file: no Node code on the per-request path.
  const managed = spawnGroup("haproxy", binary, ["-f", configPath], { stdio: ["ignore", logFd ?? "ignore", "pipe"] });
  if (logFd !== null) closeSync(logFd);
  const recent: string[] = [];
  let buffered = "";
  managed.child.stderr?.on("data", (chunk: Buffer) => {
    buffered += chunk.toString("utf8");
    const lines = buffered.split("\n");
    buffered = lines.pop() ?? "";
    for (const line of lines) {
      recent.push(line);
      if (recent.length > 20) recent.shift();
      log(line);
    }
  });

  const runtime = new RuntimeApi({ socketPath, policyMapPath, slots: slotIds(options.maxInstances) });
  let worker: number | null = null;
  // The group is signalled together, but the worker (which holds the listening socket) may still be
  // dying when the master has exited: wait for it, so "stopped" means the port is free again.
  const workerGone = async () => {
    const deadline = Date.now() + 5000;
    while (worker !== null && running(worker) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  };
  const cleanUp = async () => {
    await managed.stop();
    await workerGone();
    rmSync(dir, { recursive: true, force: true });
  };
  // HAProxy binds its listeners before the worker serves the Runtime API; the port is probed too
  // when it is reachable on loopback (a bind to one outside address is not).
  const host = options.host ?? "127.0.0.1";
  const onLoopback = ["127.0.0.1", "0.0.0.0", "::", "localhost"].includes(host);
  try {
    worker = await waitForRuntimeApi(runtime, managed.alive);
    if (onLoopback) await waitForPort(port, START_TIMEOUT_MS, managed.alive);
  } catch (error) {
    await cleanUp();
    throw new Error(`HAProxy did not start: ${(error as Error).message}\n${recent.join("\n")}`);
  }

  return {
    url: `http://${onLoopback ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host}:${port}`,
    port,
    dir,
    configPath,
    runtime,
    masterPid: managed.pid,
    async pids() {
      worker = await workerPid(runtime);
      return { master: managed.pid, worker };
    },
    alive: managed.alive,
    stop: cleanUp,
    async kill() {
      await managed.kill();
      await workerGone();
    },
  };
}

async function workerPid(runtime: RuntimeApi): Promise<number> {
  const pid = Number((await runtime.info()).Pid);
  if (!Number.isInteger(pid) || pid <= 0) throw new Error("HAProxy's show info reported no worker Pid");
  return pid;
}

/** Resolves with the worker's pid once it answers `show info` on the Runtime API: then it is serving. */
async function waitForRuntimeApi(runtime: RuntimeApi, alive: () => boolean): Promise<number> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (!alive()) throw new Error("the HAProxy process exited");
    try {
      return await workerPid(runtime);
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Whether the pid is a live process (a zombie holds no sockets and counts as gone). */
export function running(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}
