/**
 * A real redis-server on a free loopback port in a private temporary directory: what the KV
 * bridge, the store tests and the cluster talk to.
 *
 * Production-shaped by default, because the demo is where people learn what survives what:
 *  - a password (`requirepass`), random per run, carried in the returned URL: every client, the
 *    bridge included, authenticates; other local users and processes get nothing;
 *  - an append-only file: `everysec` (the demo) loses at most the last second of writes if the
 *    *machine* dies, nothing if only Redis is killed (acknowledged writes are already in the
 *    kernel's page cache); `always` (the tests) fsyncs every write;
 *  - a supervisor: if Redis exits without being asked to (crash, OOM kill, `kill -9`), it is
 *    started again on the same port and data directory, with backoff, and replays its AOF.
 * The configuration goes in a file in the private directory (mode 600), not on the command line,
 * so the password never shows in `ps`.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, waitForPort } from "./ports";
import { spawnGroup, type Managed } from "./processes";
import { ensureProgram } from "./system-deps";

export type AppendFsync = "always" | "everysec";

export interface RedisOptions {
  port?: number;
  /** Append-only file and its fsync policy; false: in memory only. Default "everysec". */
  aof?: AppendFsync | false;
  /** Redis's own output on our stdout (default false: quiet). */
  quiet?: boolean;
  /** requirepass. Default: 24 random bytes, new every start of a LocalRedis; null: no password (loopback only). */
  password?: string | null;
  /** Restart Redis when it exits unasked (default true). */
  supervise?: boolean;
  /** Told when the supervisor restarts Redis (or gives up). Default: silent. */
  log?: (line: string) => void;
}

export interface LocalRedis {
  /** redis://:<password>@127.0.0.1:<port> (or without the password part when there is none). */
  url: string;
  port: number;
  dir: string;
  password: string | null;
  pid(): number;
  /**
   * SIGKILL: an outage. By default the supervisor brings Redis back, as it would after any crash;
   * `stayDown: true` keeps it down until restart() (for tests that watch the outage itself).
   */
  kill(options?: { stayDown?: boolean }): Promise<void>;
  /** SIGSTOP / SIGCONT: a Redis that stalls (swapping, a long command) without dying. */
  pause(): void;
  resume(): void;
  /** Start again on the same port and data directory (and supervise again). */
  restart(): Promise<void>;
  /** How many times the supervisor has restarted Redis. */
  restarts(): number;
  stop(): Promise<void>;
}

/** Supervisor backoff: 100 ms, doubling, at most 2 s between attempts. */
const BACKOFF_START_MS = 100;
const BACKOFF_MAX_MS = 2000;

function config(port: number, dir: string, options: RedisOptions, password: string | null): string {
  const lines = [
    `port ${port}`,
    "bind 127.0.0.1",
    `dir ${dir}`,
    'save ""',
    "daemonize no",
    "protected-mode yes",
    options.aof === false ? "appendonly no" : `appendonly yes\nappendfsync ${options.aof ?? "everysec"}`,
  ];
  if (password !== null) lines.push(`requirepass ${password}`);
  return `${lines.join("\n")}\n`;
}

export async function startRedis(options: RedisOptions = {}): Promise<LocalRedis> {
  const binary = ensureProgram("redis-server", "redis-server");
  const port = options.port ?? (await freePort());
  const password = options.password === undefined ? randomBytes(24).toString("base64url") : options.password;
  if (password !== null && (password === "" || /[\s"']/.test(password))) {
    throw new Error("startRedis: the password must be non-empty, without spaces or quotes (it goes in redis.conf)");
  }
  const dir = mkdtempSync(join(tmpdir(), "newsroom-redis-"));
  const configFile = join(dir, "redis.conf");
  writeFileSync(configFile, config(port, dir, options, password), { mode: 0o600 });
  const log = options.log ?? (() => {});
  let current: Managed | undefined;
  let supervising = options.supervise ?? true;
  let stopping = false;
  let restartCount = 0;
  let restartTimer: NodeJS.Timeout | undefined;

  const launch = async (): Promise<void> => {
    const managed = spawnGroup("redis-server", binary, [configFile], { stdio: options.quiet === false ? "inherit" : "ignore" });
    current = managed;
    managed.child.once("exit", () => {
      if (current === managed && supervising && !stopping) scheduleRestart(BACKOFF_START_MS);
    });
    await waitForPort(port, 10_000, managed.alive);
  };

  function scheduleRestart(delayMs: number): void {
    clearTimeout(restartTimer);
    restartTimer = setTimeout(() => {
      if (!supervising || stopping) return;
      launch().then(
        () => {
          restartCount++;
          log(`[redis] exited unexpectedly; restarted on port ${port} (restart #${restartCount})`);
        },
        (error: Error) => {
          log(`[redis] restart failed (${error.message}); trying again in ${Math.min(delayMs * 2, BACKOFF_MAX_MS)} ms`);
          scheduleRestart(Math.min(delayMs * 2, BACKOFF_MAX_MS));
        },
      );
    }, delayMs);
    restartTimer.unref();
  }

  await launch();
  const signal = (name: NodeJS.Signals) => {
    if (current?.alive()) process.kill(current.pid, name);
  };
  return {
    url: password === null ? `redis://127.0.0.1:${port}` : `redis://:${encodeURIComponent(password)}@127.0.0.1:${port}`,
    port,
    dir,
    password,
    pid: () => current!.pid,
    async kill({ stayDown = false } = {}) {
      if (stayDown) supervising = false;
      await current?.kill();
    },
    pause: () => signal("SIGSTOP"),
    resume: () => signal("SIGCONT"),
    async restart() {
      clearTimeout(restartTimer);
      const previous = current;
      supervising = false;
      if (previous?.alive()) await previous.stop();
      supervising = options.supervise ?? true;
      await launch();
    },
    restarts: () => restartCount,
    async stop() {
      stopping = true;
      clearTimeout(restartTimer);
      signal("SIGCONT"); // a paused Redis cannot act on SIGTERM
      await current?.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
