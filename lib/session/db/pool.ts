/**
 * The one node-postgres pool of this process, configured from DATABASE_URL (a local server started
 * by our scripts, or any Postgres: Neon, Vercel Postgres, RDS; `?sslmode=require` in the URL turns
 * TLS on), and the deadlines every database call of a request runs under.
 *
 * The promise is kv's: a request never waits on the database for more than 2 s, and a write the
 * request gave up on is never applied. Three layers keep it:
 *   1. the pool's own limits (connect timeout, server-side statement_timeout, client-side query
 *      timeout), which end the common failures early and free the connection;
 *   2. a hard deadline here (DB_DEADLINES.giveUpMs) that fails the request whatever the driver
 *      does, with DbUnavailableError (503);
 *   3. every write carries an earlier deadline (epoch ms) that the SQL function checks against the
 *      server clock before it commits, so a statement that reaches a slow or frozen server after
 *      the request gave up rolls back instead of writing.
 */
import pg from "pg";
import { processWide } from "../../process-wide";
import { classifyDbError, DbNotConfiguredError, DbUnavailableError } from "./errors";

export interface DbPoolOptions {
  /** postgres://user:password@host:port/database (DATABASE_URL). */
  connectionString: string;
  /**
   * Most connections this process holds (default 10). Each instance has its own pool, so the
   * server sees instances × max; hosted plans cap connections (use their pooled URL for many instances).
   */
  max?: number;
  /**
   * Connections the pool keeps open while idle (default 0, node-postgres's: idle ones close after
   * idleTimeoutMs and are opened again on demand). The app's pool keeps all of them (getDbPool).
   */
  min?: number;
  /**
   * Longest wait for a connection, free in the pool or newly opened (default 5,000 ms). Longer than
   * a request waits (DB_DEADLINES.giveUpMs answers 503 first): a handshake the request gave up on
   * still finishes, and the connection serves the next one. An instance that is starting, or whose
   * event loop is saturated, stalls for a second at times, and node-postgres's timer then fires
   * before the server's answer is read: at 1,000 ms npm run chaos saw connections time out that the
   * server had accepted at once.
   */
  connectionTimeoutMs?: number;
  /**
   * The server cancels any statement that runs longer (default 1,500 ms; SQLSTATE 57014). Sent as a
   * startup parameter; 0 leaves it out, for a pooler that refuses startup parameters.
   */
  statementTimeoutMs?: number;
  /**
   * The client stops waiting for an answer after this (default 1,700 ms): a server that hangs
   * cannot cancel anything itself. The connection is then thrown away, not reused.
   */
  queryTimeoutMs?: number;
  /** An idle connection is closed after this (default 30,000 ms). */
  idleTimeoutMs?: number;
  /** TCP keep-alive probes start after this much silence on a connection (default 10,000 ms), so a vanished peer is noticed. */
  keepAliveInitialDelayMs?: number;
  /** Shown in pg_stat_activity (default "newsroom" plus INSTANCE_ID when set). */
  applicationName?: string;
  /** The connection class (default pg.Client); the tests pass a subclass that counts queries sent. */
  Client?: typeof pg.Client;
}

export const DB_POOL_DEFAULTS = {
  max: 10,
  min: 0,
  connectionTimeoutMs: 5_000,
  statementTimeoutMs: 1_500,
  queryTimeoutMs: 1_700,
  idleTimeoutMs: 30_000,
  keepAliveInitialDelayMs: 10_000,
} as const satisfies Omit<Required<DbPoolOptions>, "connectionString" | "applicationName" | "Client">;

export interface DbDeadlines {
  /** The request gives up on the database after this long and answers 503 (default 1,800 ms: under the 2 s promise). */
  giveUpMs: number;
  /**
   * A write must be committed within this long of the request's start (default 1,500 ms), checked by
   * the SQL function against the server clock. Shorter than giveUpMs by a margin for the answer's
   * way back and for clock skew between app and database, so nothing commits after the request gave up.
   */
  writeWithinMs: number;
}

export const DB_DEADLINES: DbDeadlines = { giveUpMs: 1_800, writeWithinMs: 1_500 };

/** What a store operation may call: one query per round trip (pg.Pool and pg.Client both fit). */
export interface Queryable {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
}

/** Runs one store operation with the request's write deadline (epoch ms), under the hard deadline. */
export type DbRunner = <T>(operation: (db: Queryable, writeDeadline: number) => Promise<T>) => Promise<T>;

export function createDbPool(options: DbPoolOptions): pg.Pool {
  const settings = { ...DB_POOL_DEFAULTS, ...options };
  const pool = new pg.Pool({
    connectionString: settings.connectionString,
    max: settings.max,
    min: Math.min(settings.min, settings.max),
    connectionTimeoutMillis: settings.connectionTimeoutMs,
    ...(settings.statementTimeoutMs > 0 ? { statement_timeout: settings.statementTimeoutMs } : {}),
    query_timeout: settings.queryTimeoutMs,
    idleTimeoutMillis: settings.idleTimeoutMs,
    keepAlive: true,
    keepAliveInitialDelayMillis: settings.keepAliveInitialDelayMs,
    application_name: settings.applicationName ?? `newsroom${process.env.INSTANCE_ID ? `-${process.env.INSTANCE_ID}` : ""}`,
    // Idle connections must not keep a script or a test process alive.
    allowExitOnIdle: true,
    ...(settings.Client ? { Client: settings.Client } : {}),
  });
  // An idle connection that breaks (the server restarted) is reported here; without a listener
  // the 'error' event would crash the process. The pool drops that connection and opens a new one.
  pool.on("error", (error) => console.warn(`[newsroom] an idle database connection failed and was dropped: ${error.message}`));
  return pool;
}

export type DbStatus = { configured: true; url: string } | { configured: false; reason: string };

export function dbStatus(): DbStatus {
  const url = process.env.DATABASE_URL;
  if (!url) {
    return {
      configured: false,
      reason: "The database is not configured: set DATABASE_URL=postgres://… (npm run dev and npm run demo start a local PostgreSQL).",
    };
  }
  return { configured: true, url };
}

/**
 * This process's pool; DbNotConfiguredError without DATABASE_URL. DB_POOL_MAX overrides its size
 * (default 10). DB_POOL_MIN is how many connections it keeps open while idle, default all of
 * them, opened at start-up and topped up by the readiness probe (lifecycle.ts); 0 opens them on
 * demand. Why: opening one is a forked backend and a SCRAM exchange of several round trips, and an
 * instance that is starting, or whose event loop is saturated, stalls for a second at times, so
 * connections opened by readers' requests made those requests miss their deadline (npm run chaos:
 * one to ten 503s a run, all "connection timeout", in instances that had just started or just
 * taken over a stopped one's readers). The server sees up to instances × DB_POOL_MAX connections
 * either way.
 */
export function getDbPool(): pg.Pool {
  const status = dbStatus();
  if (!status.configured) throw new DbNotConfiguredError(status.reason);
  const maxSetting = Number(process.env.DB_POOL_MAX);
  const max = Number.isInteger(maxSetting) && maxSetting > 0 ? maxSetting : DB_POOL_DEFAULTS.max;
  const minSetting = process.env.DB_POOL_MIN === undefined || process.env.DB_POOL_MIN === "" ? Number.NaN : Number(process.env.DB_POOL_MIN);
  const min = Number.isInteger(minSetting) && minSetting >= 0 ? Math.min(minSetting, max) : max;
  return processWide("dbPool", () => createDbPool({ connectionString: status.url, max, min }));
}

/**
 * A runner over `db` (a pool, or anything with its query method): the operation gets the write
 * deadline and must settle within giveUpMs, else the request fails with DbUnavailableError. Outages
 * become DbUnavailableError; other errors pass through unchanged.
 */
export function dbRunner(db: Queryable, deadlines: DbDeadlines = DB_DEADLINES): DbRunner {
  return async <T>(operation: (db: Queryable, writeDeadline: number) => Promise<T>): Promise<T> => {
    const started = Date.now();
    let timer: NodeJS.Timeout | undefined;
    const giveUp = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new DbUnavailableError(new Error(`no answer from the database within ${deadlines.giveUpMs} ms`))), deadlines.giveUpMs);
    });
    const work = operation(db, started + deadlines.writeWithinMs);
    work.catch(() => {}); // settles after we gave up: already answered, nothing to report
    try {
      return await Promise.race([work, giveUp]);
    } catch (error) {
      throw classifyDbError(error);
    } finally {
      clearTimeout(timer);
    }
  };
}

/** The app's runner: this process's pool, the default deadlines. */
export const withDb: DbRunner = (operation) => dbRunner(getDbPool())(operation);
