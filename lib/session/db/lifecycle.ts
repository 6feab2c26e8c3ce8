/**
 * What an instance does for db mode around its requests: migrate the schema at start-up, sweep
 * expired sessions on a timer, and answer a health check. Not wired in yet: call prepareDb() from
 * the start-up code (instrumentation.ts) when DATABASE_URL is set, and pingDb() from /api/health.
 */
import { processWide } from "../../process-wide";
import { classifyDbError } from "./errors";
import { migrate, type MigrationReport } from "./migrate";
import { getDbPool, withDb } from "./pool";
import { startSweeper, type Sweeper, type SweeperOptions } from "./sweeper";

/**
 * Once per process: brings the schema up to date, then starts the sweeper. A failure (the database
 * down at start-up) is not remembered, so the next call tries again; an outage rejects with
 * DbUnavailableError, anything else (an edited migration, a server older than 14) as it is.
 */
export function prepareDb(options: { sweeper?: SweeperOptions } = {}): Promise<MigrationReport> {
  const state = processWide("dbLifecycle", (): { schema?: Promise<MigrationReport>; sweeper?: Sweeper } => ({}));
  state.schema ??= migrate(getDbPool()).then(
    (report) => {
      state.sweeper ??= startSweeper(getDbPool(), options.sweeper);
      return report;
    },
    (error: unknown) => {
      state.schema = undefined;
      throw classifyDbError(error);
    },
  );
  return state.schema;
}

/** Round-trip check for /api/health, under the same deadline as a request. */
export async function pingDb(): Promise<{ ok: true; latencyMs: number } | { ok: false; error: string }> {
  const started = performance.now();
  try {
    await withDb((db) => db.query("SELECT 1"));
    return { ok: true, latencyMs: Math.round((performance.now() - started) * 10) / 10 };
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error);
    return { ok: false, error: cause };
  }
}
