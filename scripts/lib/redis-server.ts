/**
 * A real redis-server on a free loopback port in a temporary directory: what the KV bridge,
 * the store contract tests and the cluster talk to. Optional AOF with `appendfsync always`, so
 * a killed-and-restarted Redis keeps every acknowledged write (the outage tests rely on it).
 * Optional password (`--requirepass`), carried in the returned URL.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, waitForPort } from "./ports";
import { spawnGroup, type Managed } from "./processes";
import { ensureProgram } from "./system-deps";

export interface RedisOptions {
  port?: number;
  /** Append-only file with fsync on every write. */
  aof?: boolean;
  quiet?: boolean;
  /**
   * Require this password (`--requirepass`); the returned url then carries it as
   * redis://:<password>@127.0.0.1:<port>. Default: none (loopback only, protected mode on).
   */
  password?: string;
}

export interface LocalRedis {
  /** redis://127.0.0.1:<port>, or redis://:<password>@127.0.0.1:<port> with a password. */
  url: string;
  port: number;
  dir: string;
  pid(): number;
  /** SIGKILL: an outage, not a shutdown. */
  kill(): Promise<void>;
  /** Start again on the same port and data directory. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function startRedis(options: RedisOptions = {}): Promise<LocalRedis> {
  const binary = ensureProgram("redis-server", "redis-server");
  const port = options.port ?? (await freePort());
  if (options.password !== undefined && (options.password === "" || /[\s"']/.test(options.password))) {
    throw new Error("startRedis: the password must be non-empty, without spaces or quotes (it goes on redis-server's command line)");
  }
  const dir = mkdtempSync(join(tmpdir(), "newsroom-redis-"));
  let process_: Managed | undefined;

  const launch = async () => {
    const args = ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--daemonize", "no", "--protected-mode", "yes"];
    args.push(...(options.aof ? ["--appendonly", "yes", "--appendfsync", "always"] : ["--appendonly", "no"]));
    if (options.password !== undefined) args.push("--requirepass", options.password);
    const managed = spawnGroup("redis-server", binary, args, { stdio: options.quiet === false ? "inherit" : "ignore" });
    await waitForPort(port, 10_000, managed.alive);
    process_ = managed;
  };

  await launch();
  return {
    url: options.password === undefined ? `redis://127.0.0.1:${port}` : `redis://:${encodeURIComponent(options.password)}@127.0.0.1:${port}`,
    port,
    dir,
    pid: () => process_!.pid,
    kill: async () => process_?.kill(),
    restart: async () => {
      if (process_?.alive()) await process_.stop();
      await launch();
    },
    stop: async () => {
      await process_?.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
