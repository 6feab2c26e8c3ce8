/**
 * A real PostgreSQL server on a free loopback port in a temporary directory: what db mode, its
 * tests and the demo talk to when DATABASE_URL is not set. Modelled on redis-server.ts.
 *
 * - initdb in <dir>/data with scram-sha-256 password auth for every connection, local or TCP, and
 *   a generated password; then a `newsroom` role owning a `newsroom` database (what `url` opens).
 * - PostgreSQL refuses to run as root, so when we are root the directory is handed to the
 *   unprivileged `postgres` user (created by Debian's package) and both initdb and the server run
 *   as that user through setpriv, which execs in place: the pid we hold is the postmaster's own.
 * - Listens on 127.0.0.1 only; the unix socket goes into <dir>, never /var/run/postgresql.
 * - Default durability (fsync, synchronous_commit on): a killed server keeps every commit it
 *   acknowledged, which the outage tests rely on.
 * - Quiet by default: the server log goes to <dir>/postgres.log, and its tail into any error.
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chownSync, closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { ensurePostgresBinaries } from "./postgres-binaries";
import { freePort } from "./ports";
import { childPids, isRunning, spawnGroup, type Managed } from "./processes";
import { isRoot, which } from "./system-deps";

export interface PostgresOptions {
  /** TCP port on 127.0.0.1 (default: a free one). */
  port?: number;
  /** Keep the server's log out of this terminal (default true: it goes to <dir>/postgres.log). */
  quiet?: boolean;
  /** How long start-up (and restart, including crash recovery) may take (default 30,000 ms). */
  startTimeoutMs?: number;
  /**
   * Extra server settings, each passed as `-c name=value` (default none). The bench sets
   * shared_preload_libraries=pg_stat_statements to count the statements a feed request sends.
   */
  settings?: Record<string, string>;
}

export interface LocalPostgres {
  /** postgres://newsroom:<password>@127.0.0.1:<port>/newsroom: the app's DATABASE_URL. */
  url: string;
  /** The superuser on the same server (database `postgres`): for tests that create databases or look behind the app. */
  adminUrl: string;
  port: number;
  /** The temporary directory: data/ (the cluster), the unix socket, postgres.log. Removed by stop(). */
  dir: string;
  /** The OS user the server runs as: `postgres` when we are root, else ourselves. */
  osUser: string;
  /** The postmaster's pid. */
  pid(): number;
  /** SIGKILL the postmaster and every backend at once: an outage, not a shutdown. */
  kill(): Promise<void>;
  /** SIGSTOP the postmaster and its backends: a server that hangs (connections open, nothing answers). */
  pause(): void;
  /** SIGCONT after pause(): the frozen server carries on with whatever reached it meanwhile. */
  resume(): void;
  /** Start again on the same port and data directory (after kill(), PostgreSQL runs crash recovery). */
  restart(): Promise<void>;
  /** Fast shutdown (SIGINT: roll back open transactions, disconnect clients), then remove `dir`. */
  stop(): Promise<void>;
}

/** The unprivileged user Debian's package creates; PostgreSQL will not run as root. */
const SERVER_USER = "postgres";
const APP_ROLE = "newsroom";
const APP_DATABASE = "newsroom";

function logTail(dir: string): string {
  const file = join(dir, "postgres.log");
  if (!existsSync(file)) return "";
  const lines = readFileSync(file, "utf8").trim().split("\n");
  return lines.slice(-8).join("\n");
}

/** [command, args] that run `program args` as the server user (setpriv when root, directly otherwise). */
function asServerUser(program: string, args: string[]): [string, string[]] {
  if (!isRoot()) return [program, args];
  const setpriv = which("setpriv");
  if (!setpriv) throw new Error("running as root needs setpriv (util-linux) to start PostgreSQL as the postgres user: apt-get install -y util-linux");
  return [setpriv, [`--reuid=${SERVER_USER}`, `--regid=${SERVER_USER}`, "--init-groups", "--", program, ...args]];
}

/** SIGINT is PostgreSQL's fast shutdown: clients are disconnected and the server stops at once, cleanly. */
const PARENT_DEATH_SIGNAL = "SIGINT";

/**
 * The postmaster's command line, dying with its parent (the demo, a test) even after kill -9 of it.
 * The kernel clears a parent-death signal when a process changes its uid, so as root the order is
 * setpriv (become postgres) → setpriv --pdeathsig → postgres: the signal is set after the switch.
 * (The other way round, a demo killed with SIGKILL left PostgreSQL running on its port.)
 */
function serverCommand(postgres: string, args: string[]): [string, string[]] {
  const setpriv = isRoot() ? which("setpriv") : null;
  if (!setpriv) return asServerUser(postgres, args);
  return asServerUser(setpriv, ["--pdeathsig", PARENT_DEATH_SIGNAL.replace(/^SIG/, ""), "--", postgres, ...args]);
}

function serverUserIds(): { uid: number; gid: number } {
  const line = execFileSync("getent", ["passwd", SERVER_USER], { encoding: "utf8" }).trim();
  const [, , uid, gid] = line.split(":");
  return { uid: Number(uid), gid: Number(gid) };
}

/** initdb into <dir>/data; the superuser `postgres` gets `password`. */
function initCluster(initdb: string, dir: string, password: string): void {
  const pwfile = join(dir, "superuser-password");
  writeFileSync(pwfile, password, { mode: 0o600 });
  if (isRoot()) {
    let ids: { uid: number; gid: number };
    try {
      ids = serverUserIds();
    } catch {
      throw new Error(
        `running as root, PostgreSQL needs the unprivileged "${SERVER_USER}" user (Debian's postgresql package creates it): apt-get install -y postgresql`,
      );
    }
    chownSync(dir, ids.uid, ids.gid);
    chownSync(pwfile, ids.uid, ids.gid);
  }
  const [command, args] = asServerUser(initdb, [
    "-D",
    join(dir, "data"),
    "-U",
    "postgres",
    `--pwfile=${pwfile}`,
    "--auth=scram-sha-256",
    "--encoding=UTF8",
    "--locale=C",
    "--no-instructions",
    // A throwaway cluster: nothing to lose if the machine itself crashes during initdb.
    "--no-sync",
  ]);
  try {
    execFileSync(command, args, { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    throw new Error(`initdb failed: ${stderr || (error as Error).message}`);
  } finally {
    rmSync(pwfile, { force: true });
  }
}

/** Resolves once the server accepts an authenticated query (it listens before crash recovery is done). */
async function waitUntilReady(adminUrl: string, managed: Managed, dir: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = "";
  while (Date.now() < deadline) {
    if (!managed.alive()) throw new Error(`postgres exited during start-up:\n${logTail(dir)}`);
    const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 1000 });
    try {
      await client.connect();
      await client.query("SELECT 1");
      return;
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    } finally {
      await client.end().catch(() => {});
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`postgres did not accept connections within ${timeoutMs} ms (${lastError}):\n${logTail(dir)}`);
}

/** The app's own role and database: what a hosted Postgres hands out, not the superuser. */
async function createAppDatabase(adminUrl: string, password: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    // Utility statements take no parameters; the password is base64url, so it needs no quoting.
    await admin.query(`CREATE ROLE ${APP_ROLE} LOGIN PASSWORD '${password}'`);
    await admin.query(`CREATE DATABASE ${APP_DATABASE} OWNER ${APP_ROLE}`);
  } finally {
    await admin.end();
  }
}

function signal(pids: number[], name: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, name);
    } catch {
      // Already gone.
    }
  }
}

async function waitGone(pids: number[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (pids.some(isRunning) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
}

export async function startPostgres(options: PostgresOptions = {}): Promise<LocalPostgres> {
  const binaries = ensurePostgresBinaries();
  const port = options.port ?? (await freePort());
  const startTimeoutMs = options.startTimeoutMs ?? 30_000;
  const dir = mkdtempSync(join(tmpdir(), "newsroom-pg-"));
  const superPassword = randomBytes(18).toString("base64url");
  const appPassword = randomBytes(18).toString("base64url");
  const adminUrl = `postgres://postgres:${superPassword}@127.0.0.1:${port}/postgres`;
  let managed: Managed | undefined;

  const launch = async () => {
    const [command, args] = serverCommand(binaries.postgres, [
      "-D",
      join(dir, "data"),
      "-p",
      String(port),
      "-c",
      "listen_addresses=127.0.0.1",
      "-c",
      `unix_socket_directories=${dir}`,
      ...Object.entries(options.settings ?? {}).flatMap(([name, value]) => ["-c", `${name}=${value}`]),
    ]);
    const log = options.quiet === false ? null : openSync(join(dir, "postgres.log"), "a");
    try {
      managed = spawnGroup("postgres", command, args, {
        cwd: dir,
        stdio: log === null ? "inherit" : ["ignore", log, log],
        // As root, serverCommand sets the parent-death signal itself (after the switch to postgres).
        parentDeathSignal: isRoot() ? null : PARENT_DEATH_SIGNAL,
      });
    } finally {
      if (log !== null) closeSync(log); // the child holds its own copy
    }
    try {
      await waitUntilReady(adminUrl, managed, dir, startTimeoutMs);
    } catch (error) {
      await killAll();
      throw error;
    }
  };

  /** The postmaster first (so it cannot start new workers), then the backends it had. */
  const killAll = async () => {
    if (!managed) return;
    const children = childPids(managed.pid);
    await managed.kill();
    signal(children, "SIGKILL");
    // Backends still attached to the shared memory would make the next start refuse to run.
    await waitGone(children, 5000);
  };

  try {
    initCluster(binaries.initdb, dir, superPassword);
    await launch();
    await createAppDatabase(adminUrl, appPassword);
  } catch (error) {
    await killAll();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }

  const stopGracefully = async () => {
    if (!managed?.alive()) return;
    const current = managed;
    const children = childPids(current.pid);
    const exited = new Promise<void>((resolve) => current.child.once("exit", () => resolve()));
    signal([current.pid, ...children], "SIGCONT"); // a paused server cannot shut down
    signal([current.pid], "SIGINT");
    const timer = setTimeout(() => void killAll(), 10_000);
    await exited;
    clearTimeout(timer);
    await waitGone(children, 5000);
  };

  return {
    url: `postgres://${APP_ROLE}:${appPassword}@127.0.0.1:${port}/${APP_DATABASE}`,
    adminUrl,
    port,
    dir,
    osUser: isRoot() ? SERVER_USER : userInfo().username,
    pid: () => managed!.pid,
    kill: killAll,
    pause: () => {
      if (managed?.alive()) signal([managed.pid, ...childPids(managed.pid)], "SIGSTOP");
    },
    resume: () => {
      if (managed?.alive()) signal([managed.pid, ...childPids(managed.pid)], "SIGCONT");
    },
    restart: async () => {
      await stopGracefully();
      await launch();
    },
    stop: async () => {
      await stopGracefully();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
