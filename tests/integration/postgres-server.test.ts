/** startPostgres and startLocalDb: the real PostgreSQL our scripts start, and what the app is handed. */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { redactDatabaseUrl, startLocalDb } from "../../scripts/lib/local-db";
import { isListening } from "../../scripts/lib/ports";
import { postgresInstallCommand } from "../../scripts/lib/postgres-binaries";
import { startPostgres, type LocalPostgres } from "../../scripts/lib/postgres-server";
import { childPids, isRunning } from "../../scripts/lib/processes";
import { isRoot } from "../../scripts/lib/system-deps";

let server: LocalPostgres;

async function query<R extends pg.QueryResultRow>(url: string, sql: string): Promise<R[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  await client.connect();
  try {
    return (await client.query<R>(sql)).rows;
  } finally {
    await client.end();
  }
}

async function connectError(url: string): Promise<Error & { code?: string }> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
  } catch (error) {
    return error as Error & { code?: string };
  } finally {
    await client.end().catch(() => {});
  }
  throw new Error(`connected to ${url}, which should have been refused`);
}

/** The real uid of a process, or null when it has already exited. */
function uidOf(pid: number): number | null {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, "utf8");
  } catch {
    return null;
  }
  const line = status.split("\n").find((l) => l.startsWith("Uid:"))!;
  return Number(line.split(/\s+/)[1]);
}

beforeAll(async () => {
  const started = Date.now();
  server = await startPostgres();
  console.log(`[postgres] started in ${Date.now() - started} ms on port ${server.port} as ${server.osUser}`);
});

afterAll(async () => {
  await server?.stop();
});

describe("startPostgres", () => {
  it("hands out the newsroom role on the newsroom database, not the superuser", async () => {
    const [row] = await query<{ user: string; database: string; superuser: boolean; server_version_num: string }>(
      server.url,
      "SELECT current_user AS user, current_database() AS database, (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS superuser, " +
        "current_setting('server_version_num') AS server_version_num",
    );
    expect(row).toMatchObject({ user: "newsroom", database: "newsroom", superuser: false });
    expect(Number(row!.server_version_num)).toBeGreaterThanOrEqual(140000);
    expect(server.url).toBe(`postgres://newsroom:${new URL(server.url).password}@127.0.0.1:${server.port}/newsroom`);
    await query(server.url, "CREATE TABLE app_may_create_tables (id int)"); // it owns its database
  });

  it("requires the generated password (scram-sha-256), for the app and for the superuser", async () => {
    const wrong = new URL(server.url);
    wrong.password = "not-the-password";
    expect((await connectError(wrong.toString())).code).toBe("28P01"); // invalid_password
    const superuserWithout = new URL(server.adminUrl);
    superuserWithout.password = "";
    expect((await connectError(superuserWithout.toString())).message).toMatch(/password/i);
    const [row] = await query<{ method: string }>(server.adminUrl, "SELECT current_setting('password_encryption') AS method");
    expect(row!.method).toBe("scram-sha-256");
    const rules = await query<{ auth_method: string }>(server.adminUrl, "SELECT DISTINCT auth_method FROM pg_hba_file_rules");
    expect(rules.map((rule) => rule.auth_method)).toEqual(["scram-sha-256"]);
  });

  it("listens on 127.0.0.1 only, with its unix socket inside its own directory", async () => {
    const [row] = await query<{ listen: string; sockets: string; data: string }>(
      server.adminUrl,
      "SELECT current_setting('listen_addresses') AS listen, current_setting('unix_socket_directories') AS sockets, current_setting('data_directory') AS data",
    );
    expect(row).toEqual({ listen: "127.0.0.1", sockets: server.dir, data: join(server.dir, "data") });
    expect(existsSync(join(server.dir, `.s.PGSQL.${server.port}`))).toBe(true);
    expect(server.dir.startsWith(tmpdir())).toBe(true);
  });

  it.runIf(isRoot())("runs as the unprivileged postgres user when started by root, owning its data", () => {
    expect(server.osUser).toBe("postgres");
    const postgresUid = statSync(join(server.dir, "data")).uid;
    expect(postgresUid).not.toBe(0);
    expect(uidOf(server.pid())).toBe(postgresUid);
    for (const child of childPids(server.pid())) {
      const uid = uidOf(child);
      // A backend or worker may exit between the listing and the read (seen on a busy machine).
      if (uid !== null) expect(uid).toBe(postgresUid);
    }
  });

  it("kill() is an outage: every server process gone at once, connections refused; restart() brings the data back", async () => {
    await query(server.url, "CREATE TABLE survives (note text); INSERT INTO survives VALUES ('acknowledged')");
    const postmaster = server.pid();
    const workers = childPids(postmaster);
    expect(workers.length).toBeGreaterThan(0); // checkpointer, walwriter, …
    await server.kill();
    expect([postmaster, ...workers].filter(isRunning)).toEqual([]);
    expect((await connectError(server.url)).message).toMatch(/ECONNREFUSED/);

    const port = server.port;
    await server.restart();
    expect(server.port).toBe(port);
    expect(server.pid()).not.toBe(postmaster);
    expect(await query(server.url, "SELECT note FROM survives")).toEqual([{ note: "acknowledged" }]);
  });

  it("pause() freezes the server without closing its port; resume() lets it carry on", async () => {
    server.pause();
    try {
      expect(await isListening(server.port)).toBe(true); // the kernel still accepts…
      expect((await connectError(server.url)).message).toMatch(/timeout/i); // …but nobody answers
    } finally {
      server.resume();
    }
    expect(await query(server.url, "SELECT 1 AS one")).toEqual([{ one: 1 }]);
  });

  it("stop() shuts down and removes its directory; the port is free again", async () => {
    const other = await startPostgres();
    const { dir, port } = other;
    await other.stop();
    expect(existsSync(dir)).toBe(false);
    expect(await isListening(port)).toBe(false);
  });
});

describe("startLocalDb", () => {
  it("with DATABASE_URL set, starts nothing and hands the app nothing new", async () => {
    const saved = process.env.DATABASE_URL;
    process.env.DATABASE_URL = server.url;
    try {
      const db = await startLocalDb();
      expect(db.postgres).toBeNull();
      expect(db.env).toEqual({});
      expect(db.describe).toBe(`external PostgreSQL at postgres://newsroom:***@127.0.0.1:${server.port}/newsroom`);
      expect(db.describe).not.toContain(new URL(server.url).password);
      await db.stop();
    } finally {
      if (saved === undefined) delete process.env.DATABASE_URL;
      else process.env.DATABASE_URL = saved;
    }
  });

  it("without it, starts a server and hands the app its DATABASE_URL", async () => {
    const saved = process.env.DATABASE_URL;
    delete process.env.DATABASE_URL;
    try {
      const db = await startLocalDb();
      try {
        expect(db.postgres).not.toBeNull();
        expect(Object.keys(db.env)).toEqual(["DATABASE_URL"]);
        expect(await query(db.env.DATABASE_URL!, "SELECT current_user AS user")).toEqual([{ user: "newsroom" }]);
      } finally {
        await db.stop();
      }
    } finally {
      if (saved !== undefined) process.env.DATABASE_URL = saved;
    }
  });

  it("when PostgreSQL cannot be had, disables db mode with the reason and lets the rest start", async () => {
    const empty = mkdtempSync(join(tmpdir(), "newsroom-no-postgres-"));
    const saved = { url: process.env.DATABASE_URL, bin: process.env.POSTGRES_BIN_DIR };
    delete process.env.DATABASE_URL;
    process.env.POSTGRES_BIN_DIR = empty;
    try {
      const db = await startLocalDb();
      expect(db).toMatchObject({ env: {}, postgres: null });
      expect(db.describe).toBe(`disabled (POSTGRES_BIN_DIR=${empty} holds no initdb and postgres: point it at PostgreSQL's bin directory, or unset it)`);
    } finally {
      rmSync(empty, { recursive: true, force: true });
      if (saved.url !== undefined) process.env.DATABASE_URL = saved.url;
      if (saved.bin === undefined) delete process.env.POSTGRES_BIN_DIR;
      else process.env.POSTGRES_BIN_DIR = saved.bin;
    }
  });

  it("names the exact install command, and never prints a password", () => {
    const expected = process.platform === "darwin" ? "brew install postgresql@16" : "sudo apt-get update && sudo apt-get install -y postgresql";
    expect(postgresInstallCommand()).toBe(expected);
    const url = "postgres://app:s3cret@db.example.com:5432/news?sslmode=require";
    expect(redactDatabaseUrl(url)).toBe("postgres://app:***@db.example.com:5432/news?sslmode=require");
  });
});
