/**
 * How db mode's storage was chosen: claim latency at 0 and 9,000 seen, and bytes per reader, for
 * the bitmap row (schema/001_sessions.sql, what db mode uses) and a row per seen article
 * (lib/session/db/experiments/row-per-article.sql). Both are one SQL function call with the same
 * arguments and the same answers, timed end to end from this process over one connection
 * (so each figure includes the round trip and the commit's WAL flush).
 *
 *   npx tsx scripts/db-storage-bench.ts [--samples N]
 *
 * Starts its own PostgreSQL (or uses DATABASE_URL: it creates tables there, so point it at a
 * scratch database). Prints a table; asserts nothing.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { migrate } from "../lib/session/db/migrate";
import { createDbPool } from "../lib/session/db/pool";
import { SeqSet } from "../lib/seen/seq-set";
import { startPostgres, type LocalPostgres } from "./lib/postgres-server";

const CATALOGUE = 10_000;
const LIMIT = 10;
const TTL_MS = 3_600_000;

interface Storage {
  name: string;
  claim: string;
  replace: string;
  /** Tables (with their indexes and TOAST) that hold the readers' state. */
  tables: string[];
  /** Readers added to measure bytes per reader: enough to fill many 8 KB pages. */
  sizeReaders: number;
}

const STORAGES: Storage[] = [
  { name: "bitmap row (bytea)", claim: "newsroom_claim", replace: "newsroom_replace", tables: ["newsroom_sessions"], sizeReaders: 600 },
  {
    name: "row per article",
    claim: "newsroom_rows_claim",
    replace: "newsroom_rows_replace",
    tables: ["newsroom_rows_sessions", "newsroom_rows_seen"],
    sizeReaders: 20,
  },
];

const HISTORIES: Array<{ name: string; seen: SeqSet }> = [
  { name: "0 seen", seen: SeqSet.empty() },
  { name: "9,000 seen (newest, in order)", seen: SeqSet.of(Array.from({ length: 9_000 }, (_, i) => CATALOGUE - i)) },
  {
    name: "9,000 seen (random)",
    seen: (() => {
      const all = Array.from({ length: CATALOGUE }, (_, i) => i + 1);
      let state = 42; // fixed seed: the same history every run
      for (let i = all.length - 1; i > 0; i--) {
        state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
        const j = state % (i + 1);
        [all[i], all[j]] = [all[j]!, all[i]!];
      }
      return SeqSet.of(all.slice(0, 9_000));
    })(),
  },
];

function argument(name: string, fallback: number): number {
  const index = process.argv.indexOf(name);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const deadline = () => Date.now() + 60_000;
let nextId = 0;
const newId = () => `bench-${process.pid}-${nextId++}`;

async function load(db: pg.Pool, storage: Storage, oldId: string | null, seen: SeqSet): Promise<string> {
  const id = newId();
  await db.query(`SELECT ${storage.replace}($1, $2, $3, $4, $5, $6)`, [oldId, id, Buffer.from(seen.toBytes()), Buffer.alloc(0), TTL_MS, deadline()]);
  return id;
}

async function timeClaim(db: pg.Pool, storage: Storage, id: string): Promise<number> {
  const started = performance.now();
  await db.query(`SELECT ${storage.claim}($1, $2, $3, NULL, $4, $5)`, [id, LIMIT, CATALOGUE, TTL_MS, deadline()]);
  return performance.now() - started;
}

async function relationBytes(db: pg.Pool, tables: string[]): Promise<number> {
  const { rows } = await db.query<{ bytes: string }>("SELECT sum(pg_total_relation_size(t::regclass))::bigint AS bytes FROM unnest($1::text[]) t", [tables]);
  return Number(rows[0]!.bytes);
}

async function main() {
  const samples = argument("--samples", 100);
  let server: LocalPostgres | null = null;
  const url = process.env.DATABASE_URL ?? (server = await startPostgres()).url;
  // One connection: the samples run one after another, as a single reader's requests would.
  const db = createDbPool({ connectionString: url, max: 1, statementTimeoutMs: 0, queryTimeoutMs: 60_000 });
  try {
    await migrate(db);
    await db.query(`DROP TABLE IF EXISTS newsroom_rows_seen, newsroom_rows_sessions CASCADE`);
    await db.query(readFileSync(join(__dirname, "..", "lib", "session", "db", "experiments", "row-per-article.sql"), "utf8"));

    // Same answers first: a figure for a store that claims differently would mean nothing.
    for (const history of HISTORIES) {
      const replies = await Promise.all(
        STORAGES.map(async (storage) => {
          const id = await load(db, storage, null, history.seen);
          const { rows } = await db.query(`SELECT ${storage.claim}($1, $2, $3, NULL, $4, $5) AS reply`, [id, LIMIT, CATALOGUE, TTL_MS, deadline()]);
          return JSON.stringify(rows[0].reply);
        }),
      );
      if (new Set(replies).size !== 1) throw new Error(`the storages disagree at ${history.name}: ${replies.join(" vs ")}`);
    }

    console.log(`claim of ${LIMIT} from a catalogue of ${CATALOGUE}: ${samples} samples per cell, interleaved; ms end to end over loopback\n`);
    const latencies = new Map<string, number[]>();
    const ids = new Map<string, string | null>();
    for (let round = -5; round < samples; round++) {
      for (const storage of STORAGES) {
        for (const history of HISTORIES) {
          const key = `${storage.name}|${history.name}`;
          // A fresh copy of the history every time, so each sample claims at exactly that history.
          const id = await load(db, storage, ids.get(key) ?? null, history.seen);
          ids.set(key, id);
          const ms = await timeClaim(db, storage, id);
          if (round >= 0) latencies.set(key, [...(latencies.get(key) ?? []), ms]);
        }
      }
    }

    const table: Record<string, Record<string, string>> = {};
    for (const storage of STORAGES) {
      const at0 = percentile(latencies.get(`${storage.name}|${HISTORIES[0]!.name}`)!, 50);
      for (const history of HISTORIES) {
        const values = latencies.get(`${storage.name}|${history.name}`)!;
        const p50 = percentile(values, 50);
        table[`${storage.name}, ${history.name}`] = {
          p50: p50.toFixed(3),
          p90: percentile(values, 90).toFixed(3),
          "p50 / p50 at 0": (p50 / at0).toFixed(2),
        };
      }
    }
    console.table(table);

    console.log("\nbytes per reader at 9,000 seen (newest, in order): growth of table + indexes + TOAST per reader added, after VACUUM\n");
    const sizes: Record<string, Record<string, string>> = {};
    for (const storage of STORAGES) {
      for (const table_ of storage.tables) await db.query(`TRUNCATE ${table_} CASCADE`);
      await db.query(`VACUUM ${storage.tables.join(", ")}`);
      const before = await relationBytes(db, storage.tables);
      for (let i = 0; i < storage.sizeReaders; i++) await load(db, storage, null, HISTORIES[1]!.seen);
      await db.query(`VACUUM ${storage.tables.join(", ")}`);
      const after = await relationBytes(db, storage.tables);
      sizes[storage.name] = { "bytes per reader (relations)": ((after - before) / storage.sizeReaders).toFixed(0), readers: String(storage.sizeReaders) };
    }
    const { rows } = await db.query<{ row: number; seen: number }>(
      "SELECT pg_column_size(s.*) AS row, pg_column_size(seen) AS seen FROM newsroom_sessions s LIMIT 1",
    );
    sizes[STORAGES[0]!.name]!["pg_column_size (row / seen column)"] = `${rows[0]!.row} / ${rows[0]!.seen}`;
    const perRow = await db.query<{ row: number }>("SELECT pg_column_size(r.*) AS row FROM newsroom_rows_seen r LIMIT 1");
    sizes[STORAGES[1]!.name]!["pg_column_size (row / seen column)"] = `${perRow.rows[0]!.row} per article row`;
    console.table(sizes);
  } finally {
    await db.end();
    await server?.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
