/**
 * What an instance does for db mode around its requests: migrate the schema at start-up (before the
 * first request needs it), open the pool's connections ahead of the first readers, sweep expired
 * sessions on a timer, and answer the readiness probe.
 */
import type pg from "pg";
import { processWide } from "../../process-wide";
import { classifyDbError } from "./errors";
import { migrate, type MigrationReport } from "./migrate";
import { getDbPool, withDb, type DbRunner } from "./pool";
import { startSweeper, type Sweeper, type SweeperOptions } from "./sweeper";

/**
 * Opens the connections the pool is short of its `min` (see getDbPool) and returns them to it,
 * before readers need them: after the migration at start-up, and on every readiness probe, so a
 * pool that lost connections (a failed attempt while the instance was still starting, a database
 * restart) is topped up in the background, not by the next readers' requests. A failure only
 * means the next round tries again.
 */
async function topUpPool(pool: pg.Pool): Promise<void> {
  const state = processWide("dbPoolTopUp", () => ({ running: false }));
  const missing = (pool.options.min ?? 0) - pool.totalCount;
  if (state.running || missing <= 0) return;
  state.running = true;
  try {
    const clients = await Promise.allSettled(Array.from({ length: missing }, () => pool.connect()));
    for (const client of clients) if (client.status === "fulfilled") client.value.release();
  } finally {
    state.running = false;
  }
}

/**
 * Once per process: brings the schema up to date, then starts the sweeper and opens the pool's
 * connections. A failure (the database down at start-up) is not remembered, so the next call tries
 * again; an outage rejects with DbUnavailableError, anything else (an edited migration, a server
 * older than 14) as it is.
 *
 * The shared promise keeps the raw error and each caller classifies it with its own copy of
 * errors.ts: Next.js bundles this module once per entry (the start-up probe's, each route's), and
 * an error class from another copy would not be recognised by the route's error mapping.
 */
export async function prepareDb(options: { sweeper?: SweeperOptions } = {}): Promise<MigrationReport> {
  const state = processWide("dbLifecycle", (): { schema?: Promise<MigrationReport>; sweeper?: Sweeper } => ({}));
  state.schema ??= migrate(getDbPool()).then(
    (report) => {
      state.sweeper ??= startSweeper(getDbPool(), options.sweeper);
      void topUpPool(getDbPool());
      return report;
    },
    (error: unknown) => {
      state.schema = undefined;
      throw error;
    },
  );
  try {
    return await state.schema;
  } catch (error) {
    throw classifyDbError(error);
  }
}

/** The runner db mode's requests use: the schema is in place (migrated once), then withDb. */
export const withPreparedDb: DbRunner = async (operation) => {
  await prepareDb();
  return withDb(operation);
};

/**
 * Round-trip check for the readiness probe, under the same deadline as a request; migrates first if
 * that has not happened yet, and tops the pool up when it answered.
 */
export async function pingDb(): Promise<{ ok: true; latencyMs: number } | { ok: false; error: string }> {
  const started = performance.now();
  try {
    await withPreparedDb((db) => db.query("SELECT 1"));
    void topUpPool(getDbPool());
    return { ok: true, latencyMs: Math.round((performance.now() - started) * 10) / 10 };
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error);
    return { ok: false, error: cause };
  }
}
