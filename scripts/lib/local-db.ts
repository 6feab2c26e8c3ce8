/**
 * Local PostgreSQL for dev, demo and tests, handed to the app as DATABASE_URL. When DATABASE_URL
 * is already set (Neon, Vercel Postgres, RDS, any Postgres), nothing is started and the app uses
 * it. When no server can be had, the app still runs with db mode disabled, and `describe` says
 * exactly what to run.
 */
import { startPostgres, type LocalPostgres, type PostgresOptions } from "./postgres-server";

export interface LocalDb {
  /** Env for the app: { DATABASE_URL } of the server we started, or nothing (external, or unavailable). */
  env: Record<string, string>;
  postgres: LocalPostgres | null;
  describe: string;
  stop(): Promise<void>;
}

/** postgres://user:secret@host/db → postgres://user:***@host/db, for logs. */
export function redactDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(DATABASE_URL is not a valid URL)";
  }
}

export async function startLocalDb(options: PostgresOptions = {}): Promise<LocalDb> {
  const external = process.env.DATABASE_URL;
  if (external) {
    return { env: {}, postgres: null, describe: `external PostgreSQL at ${redactDatabaseUrl(external)}`, stop: async () => {} };
  }
  try {
    const postgres = await startPostgres(options);
    return {
      env: { DATABASE_URL: postgres.url },
      postgres,
      describe: `postgres on 127.0.0.1:${postgres.port} as ${postgres.osUser} (data in ${postgres.dir})`,
      stop: () => postgres.stop(),
    };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    console.warn(`[newsroom] db mode disabled: ${reason}`);
    return { env: {}, postgres: null, describe: `disabled (${reason})`, stop: async () => {} };
  }
}
