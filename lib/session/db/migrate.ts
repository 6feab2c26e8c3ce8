/**
 * Creates and updates db mode's schema at start-up from the versioned files in schema/
 * (NNN_name.sql, applied in order, each once). Safe when several instances start at once: the
 * whole run is one transaction holding a transaction-level advisory lock, so one instance applies
 * what is missing while the others wait and then find nothing left to do. DDL is transactional
 * in PostgreSQL, so a migration that fails leaves no half-made schema behind.
 *
 * newsroom_schema_migrations records each applied file with its SHA-256: an applied file that was
 * edited afterwards stops the start-up with a message, since the database would no longer match it.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type pg from "pg";
import { ADVISORY_LOCKS } from "./advisory-locks";

export interface MigrateOptions {
  /** Directory of NNN_name.sql files (default: lib/session/db/schema under the working directory, where `next start` runs). */
  schemaDir?: string;
  /** Longest the run may take, waiting for another instance's run included (default 60,000 ms). */
  timeoutMs?: number;
}

export interface MigrationFile {
  version: number;
  name: string;
  sql: string;
  sha256: string;
}

export interface MigrationReport {
  /** Files this run applied, oldest first. */
  applied: string[];
  /** Files that were already there. */
  alreadyApplied: string[];
}

export const DEFAULT_SCHEMA_DIR = join(process.cwd(), "lib", "session", "db", "schema");
export const MIGRATIONS_TABLE = "newsroom_schema_migrations";
/** bit_count() and rtrim(bytea, bytea), which the functions use, arrived in PostgreSQL 14. */
const MIN_SERVER_VERSION = 140000;
const FILE_NAME = /^(\d{3})_([a-z0-9_]+)\.sql$/;

export function readMigrations(schemaDir: string = DEFAULT_SCHEMA_DIR): MigrationFile[] {
  // turbopackIgnore: the directory is read at run time from the working directory `next start`
  // runs in (the repo), not traced into the bundle; without it Turbopack traces the whole project.
  const files = readdirSync(/* turbopackIgnore: true */ schemaDir)
    .filter((name) => name.endsWith(".sql"))
    .map((name) => {
      const match = FILE_NAME.exec(name);
      if (!match) throw new Error(`${join(/* turbopackIgnore: true */ schemaDir, name)}: migration files are named NNN_what.sql (e.g. 002_add_index.sql)`);
      const sql = readFileSync(join(/* turbopackIgnore: true */ schemaDir, name), "utf8");
      return { version: Number(match[1]), name, sql, sha256: createHash("sha256").update(sql).digest("hex") };
    })
    .sort((a, b) => a.version - b.version);
  files.forEach((file, i) => {
    if (i > 0 && files[i - 1]!.version === file.version) throw new Error(`two migrations share version ${file.version}: ${files[i - 1]!.name}, ${file.name}`);
  });
  if (files.length === 0) throw new Error(`no migrations in ${schemaDir}`);
  return files;
}

export async function migrate(pool: pg.Pool, options: MigrateOptions = {}): Promise<MigrationReport> {
  const files = readMigrations(options.schemaDir);
  const timeoutMs = options.timeoutMs ?? 60_000;
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    const { rows: version } = await client.query<{ server_version_num: string }>("SHOW server_version_num");
    if (Number(version[0]!.server_version_num) < MIN_SERVER_VERSION) {
      throw new Error(`db mode needs PostgreSQL 14 or newer; this server is ${version[0]!.server_version_num}`);
    }
    await client.query("BEGIN");
    // The pool's statement timeout suits requests, not schema changes or waiting for another instance.
    await client.query(`SET LOCAL statement_timeout = ${Math.floor(timeoutMs)}`);
    await client.query("SELECT pg_advisory_xact_lock($1)", [ADVISORY_LOCKS.migrate]);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (
        version    int PRIMARY KEY,
        name       text NOT NULL,
        sha256     text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`,
    );
    const { rows } = await client.query<{ version: number; name: string; sha256: string }>(`SELECT version, name, sha256 FROM ${MIGRATIONS_TABLE}`);
    const done = new Map(rows.map((row) => [row.version, row]));
    const report: MigrationReport = { applied: [], alreadyApplied: [] };
    for (const file of files) {
      const applied = done.get(file.version);
      if (applied) {
        if (applied.sha256 !== file.sha256) {
          throw new Error(
            `migration ${file.name} was changed after it was applied (as ${applied.name}); ` + "restore it and put the change in a new NNN_*.sql file",
          );
        }
        report.alreadyApplied.push(file.name);
        continue;
      }
      await client.query(file.sql);
      await client.query(`INSERT INTO ${MIGRATIONS_TABLE} (version, name, sha256) VALUES ($1, $2, $3)`, [file.version, file.name, file.sha256]);
      report.applied.push(file.name);
    }
    await client.query("COMMIT");
    return report;
  } catch (error) {
    broken = error as Error;
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  } finally {
    client.release(broken);
  }
}
