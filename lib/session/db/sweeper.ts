/**
 * Deletes expired sessions, like Django's `clearsessions`, but on a timer in every instance and
 * one instance at a time: a sweep runs only while it holds a session-level advisory lock
 * (pg_try_advisory_lock), and an instance that finds it taken skips that round. Expired rows
 * already read as empty everywhere (schema/001_sessions.sql); sweeping only gives the space back.
 *
 * The lock lives on the connection the sweep checked out: if the sweep fails half-way, that
 * connection is destroyed rather than returned to the pool, and the lock goes with it.
 */
import type pg from "pg";
import { ADVISORY_LOCKS } from "./advisory-locks";
import { isOutage } from "./errors";

export interface SweepOptions {
  /** Rows deleted per statement (default 1,000): each statement stays well inside the statement timeout. */
  batchSize?: number;
  /** Most batches in one sweep (default 100); the rest waits for the next round. */
  maxBatches?: number;
}

export interface SweeperOptions extends SweepOptions {
  /** Time between sweeps (default 60,000 ms). The first runs one interval after start. */
  intervalMs?: number;
  /** Where a sweep's outcome is reported (default: console.warn for failures only). */
  log?: (line: string) => void;
}

export interface SweepResult {
  /** False when another instance held the lock, so this one deleted nothing. */
  ran: boolean;
  deleted: number;
}

export interface Sweeper {
  /** Runs one sweep now (the timer keeps its own rhythm). */
  sweepNow(): Promise<SweepResult>;
  /** Stops the timer and waits for a sweep in progress. */
  stop(): Promise<void>;
}

/** Oldest expiry first; SKIP LOCKED leaves alone a row a request is reviving right now. */
const DELETE_BATCH = `
  DELETE FROM newsroom_sessions WHERE id IN (
    SELECT id FROM newsroom_sessions WHERE expires_at <= clock_timestamp()
    ORDER BY expires_at LIMIT $1 FOR UPDATE SKIP LOCKED
  )`;

export async function sweepExpiredSessions(pool: pg.Pool, options: SweepOptions = {}): Promise<SweepResult> {
  const batchSize = options.batchSize ?? 1_000;
  const maxBatches = options.maxBatches ?? 100;
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    const { rows } = await client.query<{ locked: boolean }>("SELECT pg_try_advisory_lock($1) AS locked", [ADVISORY_LOCKS.sweep]);
    if (!rows[0]!.locked) return { ran: false, deleted: 0 };
    let deleted = 0;
    for (let batch = 0; batch < maxBatches; batch++) {
      const { rowCount } = await client.query(DELETE_BATCH, [batchSize]);
      deleted += rowCount ?? 0;
      if ((rowCount ?? 0) < batchSize) break;
    }
    await client.query("SELECT pg_advisory_unlock($1)", [ADVISORY_LOCKS.sweep]);
    return { ran: true, deleted };
  } catch (error) {
    broken = error as Error;
    throw error;
  } finally {
    client.release(broken);
  }
}

export function startSweeper(pool: pg.Pool, options: SweeperOptions = {}): Sweeper {
  const log = options.log ?? (() => {});
  let running: Promise<SweepResult> | null = null;
  const sweepNow = () => {
    running ??= sweepExpiredSessions(pool, options).finally(() => (running = null));
    return running;
  };
  const timer = setInterval(() => {
    sweepNow().then(
      (result) => log(result.ran ? `[newsroom] swept ${result.deleted} expired db sessions` : "[newsroom] another instance is sweeping db sessions"),
      (error: unknown) => {
        const what = isOutage(error) ? "the database is unavailable" : "it failed";
        console.warn(`[newsroom] skipped a sweep of expired db sessions: ${what}:`, error instanceof Error ? error.message : error);
      },
    );
  }, options.intervalMs ?? 60_000);
  timer.unref(); // a sweep is never a reason to keep the process alive
  return {
    sweepNow,
    async stop() {
      clearInterval(timer);
      await running?.catch(() => {});
    },
  };
}
