/**
 * db mode against a real PostgreSQL this file starts (scripts/lib/postgres-server.ts): the store
 * contract, atomicity, one round trip per operation, expiry and the sweeper, the write deadline,
 * outages (killed and frozen server), the migrator, and agreement with the pure selection.
 * Timings are printed, never asserted.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countUnseen, selectUnseen, type CandidatePool } from "@/lib/seen/feed-selection";
import { COOKIE_NAMES } from "@/lib/session/cookies";
import { DbStore, SESSIONS_TABLE } from "@/lib/session/db/db-store";
import { classifyDbError, DbUnavailableError, DEADLINE_PASSED_SQLSTATE } from "@/lib/session/db/errors";
import { DEFAULT_SCHEMA_DIR, migrate, MIGRATIONS_TABLE } from "@/lib/session/db/migrate";
import { prepareDb, pingDb } from "@/lib/session/db/lifecycle";
import { createDbPool, DB_DEADLINES, dbRunner, getDbPool, type DbDeadlines } from "@/lib/session/db/pool";
import { sweepExpiredSessions } from "@/lib/session/db/sweeper";
import { ADVISORY_LOCKS } from "@/lib/session/db/advisory-locks";
import { SeqSet } from "@/lib/seen/seq-set";
import type { CookieOptions } from "@/lib/session/store";
import { freePort } from "../../scripts/lib/ports";
import { startPostgres, type LocalPostgres } from "../../scripts/lib/postgres-server";
import { detailsOf, TEST_COOKIE_OPTIONS, TEST_KEYS } from "../support/stores";
import { keyring } from "@/lib/session/config";
import { TestJar } from "../support/test-jar";

const CATALOGUE: CandidatePool = { maxSeq: 10_000 };
const ALL_300: CandidatePool = { maxSeq: 300 };
const EVENS = SeqSet.of(Array.from({ length: 150 }, (_, i) => (i + 1) * 2));
const EVENS_300: CandidatePool = { maxSeq: 300, members: EVENS };

/** Every query any connection of the app's pool sends: what "one round trip" is counted in. */
let queriesSent = 0;
class CountingClient extends pg.Client {}
CountingClient.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  queriesSent++;
  return (pg.Client.prototype.query as (...a: unknown[]) => unknown).apply(this, args);
} as typeof pg.Client.prototype.query;

let server: LocalPostgres;
/** The app's pool: the production defaults, counted. */
let pool: pg.Pool;
/** The superuser on the app's database, to look and change things behind the store's back. */
let admin: pg.Pool;

function urlFor(base: string, database: string): string {
  const url = new URL(base);
  url.pathname = `/${database}`;
  return url.toString();
}

function store(jar: TestJar, options: { cookie?: CookieOptions; deadlines?: DbDeadlines; on?: pg.Pool } = {}): DbStore {
  return new DbStore(jar, TEST_KEYS, options.cookie ?? TEST_COOKIE_OPTIONS, dbRunner(options.on ?? pool, options.deadlines ?? DB_DEADLINES));
}

function sessionId(jar: TestJar): string {
  return jar.get(COOKIE_NAMES.dbSession)!.split(".")[0]!;
}

async function rowOf(jar: TestJar) {
  const { rows } = await admin.query<{ seen: Buffer; expires_at: Date; ttl_ms: number }>(
    `SELECT seen, expires_at, (extract(epoch FROM expires_at - clock_timestamp()) * 1000)::float8 AS ttl_ms FROM ${SESSIONS_TABLE} WHERE id = $1`,
    [sessionId(jar)],
  );
  return rows[0] ?? null;
}

/** Server processes serving the app's pool right now. */
async function appBackends(): Promise<number[]> {
  const { rows } = await admin.query<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE usename = 'newsroom' AND backend_type = 'client backend'");
  return rows.map((row) => row.pid);
}

async function elapsed<T>(work: () => Promise<T>): Promise<{ ms: number; result: PromiseSettledResult<T> }> {
  const started = performance.now();
  const [result] = await Promise.allSettled([work()]);
  return { ms: Math.round(performance.now() - started), result: result! };
}

beforeAll(async () => {
  server = await startPostgres();
  pool = createDbPool({ connectionString: server.url, Client: CountingClient });
  admin = new pg.Pool({ connectionString: urlFor(server.adminUrl, "newsroom"), max: 2 });
  admin.on("error", () => {}); // the outage tests break its idle connections on purpose
  expect((await migrate(pool)).applied).toEqual(["001_sessions.sql"]);
});

afterAll(async () => {
  await pool?.end();
  await admin?.end();
  await server?.stop();
});

describe("db store: the session contract", () => {
  it("starts empty and claims the newest articles first", async () => {
    const jar = new TestJar();
    expect((await store(jar).describe()).seenCount).toBe(0);
    expect(await store(jar).claimUnseen(ALL_300, 5)).toEqual({ seqs: [300, 299, 298, 297, 296], seenCount: 5, remaining: 295 });
    expect(await store(jar).claimUnseen(ALL_300, 3)).toEqual({ seqs: [295, 294, 293], seenCount: 8, remaining: 292 });
  });

  it("hands out every article exactly once, then reports caught up", async () => {
    const jar = new TestJar();
    const delivered = new Set<number>();
    for (let page = 0; page < 20; page++) {
      const { seqs, remaining } = await store(jar).claimUnseen(ALL_300, 17);
      for (const seq of seqs) {
        expect(delivered.has(seq)).toBe(false);
        delivered.add(seq);
      }
      expect(remaining).toBe(300 - delivered.size);
    }
    expect(delivered.size).toBe(300);
    expect(await store(jar).claimUnseen(ALL_300, 10)).toEqual({ seqs: [], seenCount: 300, remaining: 0 });
  });

  it("claims only within a section and counts what is left there", async () => {
    const jar = new TestJar();
    expect(await store(jar).claimUnseen(EVENS_300, 4)).toEqual({ seqs: [300, 298, 296, 294], seenCount: 4, remaining: 146 });
    expect((await store(jar).claimUnseen(ALL_300, 3)).seqs).toEqual([299, 297, 295]);
  });

  it("marks opened articles read and seen, so the feed skips them", async () => {
    const jar = new TestJar();
    expect(await store(jar).markRead(300)).toEqual({ seenCount: 1, readCount: 1 });
    expect(await store(jar).markRead(299)).toEqual({ seenCount: 2, readCount: 2 });
    expect((await store(jar).claimUnseen(ALL_300, 2)).seqs).toEqual([298, 297]);
    const described = await store(jar).describe();
    expect([described.seenCount, described.readCount]).toEqual([4, 2]);
  });

  it("describes without side effects, with the row's facts from PostgreSQL", async () => {
    const jar = new TestJar();
    await store(jar).claimUnseen(CATALOGUE, 3);
    const writes = jar.writes;
    const described = await store(jar).describe();
    expect(jar.writes).toBe(writes);
    expect(described.seen.ranges()).toEqual([[9_998, 10_000]]);
    const { rows } = await admin.query(`SELECT pg_column_size(s.*) AS row_bytes, pg_column_size(seen) AS seen_bytes FROM ${SESSIONS_TABLE} s WHERE id = $1`, [
      sessionId(jar),
    ]);
    expect(described.details).toMatchObject({ table: SESSIONS_TABLE, rowBytes: rows[0].row_bytes, seenBytes: rows[0].seen_bytes });
    const details = detailsOf(described.details, "db");
    expect(details.ttlMs).toBeGreaterThan(3_590_000);
    expect(details.ttlMs).toBeLessThanOrEqual(3_600_000);
    expect(Date.parse(details.expiresAt!)).toBeGreaterThan(Date.now() + 3_590_000);
  });

  it("replaces its state from a snapshot under a fresh id, dropping the old row, and destroys it", async () => {
    const jar = new TestJar();
    await store(jar).claimUnseen(ALL_300, 2);
    const oldId = sessionId(jar);
    await store(jar).replace({ seen: SeqSet.of([1, 2, 3, 250]), read: SeqSet.of([250]) });
    expect(sessionId(jar)).not.toBe(oldId);
    expect((await admin.query(`SELECT 1 FROM ${SESSIONS_TABLE} WHERE id = $1`, [oldId])).rowCount).toBe(0);
    const snapshot = await store(jar).snapshot();
    expect([...snapshot.seen.ascending()]).toEqual([1, 2, 3, 250]);
    expect([...snapshot.read.ascending()]).toEqual([250]);
    expect((await store(jar).claimUnseen({ maxSeq: 4 }, 5)).seqs).toEqual([4]);
    const copied = jar.copy();
    await store(jar).destroy();
    expect(jar.get(COOKIE_NAMES.dbSession)).toBeUndefined();
    expect((await store(copied).describe()).seenCount, "a copied cookie points at nothing once destroyed").toBe(0);
    expect((await store(jar).claimUnseen({ maxSeq: 4 }, 5)).seqs).toEqual([4, 3, 2, 1]);
  });

  it("moves bitmaps in and out exactly, whatever the bytes", async () => {
    const jar = new TestJar();
    const seen = SeqSet.of([1, 7, 8, 9, 255, 256, 4_095, 9_999, 10_000]);
    await store(jar).replace({ seen, read: SeqSet.of([255]) });
    const snapshot = await store(jar).snapshot();
    expect(snapshot.seen.equals(seen)).toBe(true);
    expect([...snapshot.read.ascending()]).toEqual([255]);
  });

  it("keeps two readers apart, and takes a tampered or foreign cookie for a new reader", async () => {
    const alice = new TestJar();
    const bob = new TestJar();
    await store(alice).claimUnseen(ALL_300, 10);
    expect((await store(bob).claimUnseen(ALL_300, 2)).seqs).toEqual([300, 299]);
    expect((await store(alice).describe()).seenCount).toBe(10);
    expect(alice.get(COOKIE_NAMES.dbSession)).toMatch(/^[A-Za-z0-9_-]{22}\.[A-Za-z0-9+/]{43}$/); // id.HMAC-SHA256
    const tampered = alice.copy();
    tampered.values.set(
      COOKIE_NAMES.dbSession,
      alice.get(COOKIE_NAMES.dbSession)!.replace(/^./, (c) => (c === "A" ? "B" : "A")),
    );
    expect((await store(tampered).describe()).seenCount).toBe(0);
    const foreign = new DbStore(alice.copy(), keyring("another-secret-another-secret-another-1"), TEST_COOKIE_OPTIONS, dbRunner(pool));
    expect((await foreign.describe()).seenCount).toBe(0);
  });

  it("claims past a long history of full bytes exactly as the pure selection does", async () => {
    for (const [seenFrom, expected] of [
      [1001, [1000, 999, 998]], // byte-aligned history
      [997, [996, 995, 994]], // history ending mid-byte
      [1, []], // everything seen
    ] as const) {
      const jar = new TestJar();
      await store(jar).replace({ seen: SeqSet.of(Array.from({ length: 10_001 - seenFrom }, (_, i) => seenFrom + i)), read: SeqSet.empty() });
      const claim = await store(jar).claimUnseen(CATALOGUE, 3);
      expect(claim.seqs).toEqual(expected);
      expect(claim.remaining).toBe(Math.max(0, seenFrom - 1 - expected.length));
    }
  });
});

describe("db store: atomic, in one round trip", () => {
  it("never gives two of 20 parallel claims of one reader the same article", async () => {
    const jar = new TestJar();
    await store(jar).claimUnseen(CATALOGUE, 1); // the session id first, as a browser would have it
    const pages = await Promise.all(Array.from({ length: 20 }, () => store(jar.copy()).claimUnseen(CATALOGUE, 10)));
    const all = pages.flatMap((page) => page.seqs);
    expect(all).toHaveLength(200);
    expect(new Set(all).size).toBe(200);
    expect(new Set(pages.map((page) => page.seenCount)).size, "each claim saw the ones before it").toBe(20);
    expect((await store(jar).describe()).seenCount).toBe(201);
  });

  it("sends exactly one query per operation", async () => {
    const jar = new TestJar();
    const count = async (operation: () => Promise<unknown>) => {
      const before = queriesSent;
      await operation();
      return queriesSent - before;
    };
    expect(await count(() => store(jar).claimUnseen(CATALOGUE, 10)), "claim").toBe(1);
    expect(await count(() => store(jar).claimUnseen(EVENS_300, 10)), "claim in a section").toBe(1);
    expect(await count(() => store(jar).markRead(17)), "markRead").toBe(1);
    expect(await count(() => store(jar).describe()), "describe").toBe(1);
    expect(await count(() => store(jar).snapshot()), "snapshot").toBe(1);
    expect(await count(() => store(jar).replace({ seen: SeqSet.of([5]), read: SeqSet.empty() })), "replace").toBe(1);
    expect(await count(() => store(jar).destroy()), "destroy").toBe(1);
    expect(await count(() => store(new TestJar()).describe()), "describe without a session asks nothing").toBe(0);
  });

  it("gives the same answers as the pure selection over random histories, sections and limits", async () => {
    const seqsUpTo = (max: number) => fc.uniqueArray(fc.integer({ min: 1, max }), { maxLength: max });
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 400 }).chain((maxSeq) =>
          fc.record({
            maxSeq: fc.constant(maxSeq),
            seen: seqsUpTo(maxSeq + 20), // past maxSeq too: a longer catalogue's history
            section: fc.option(seqsUpTo(maxSeq + 20), { nil: undefined }),
            limits: fc.array(fc.integer({ min: 1, max: 60 }), { minLength: 1, maxLength: 4 }),
          }),
        ),
        async ({ maxSeq, seen: seenSeqs, section, limits }) => {
          const members = section ? SeqSet.of(section) : undefined;
          const candidatePool: CandidatePool = { maxSeq, members };
          const seen = SeqSet.of(seenSeqs);
          const jar = new TestJar();
          await store(jar).replace({ seen: seen.clone(), read: SeqSet.empty() });
          for (const limit of limits) {
            const expected = selectUnseen(seen, candidatePool, limit);
            expected.forEach((seq) => seen.add(seq));
            const claim = await store(jar).claimUnseen(candidatePool, limit);
            expect(claim.seqs).toEqual(expected);
            expect(claim.remaining).toBe(countUnseen(seen, candidatePool));
            expect(claim.seenCount).toBe(seen.count());
          }
          expect((await store(jar).snapshot()).seen.equals(seen)).toBe(true);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe("db store: expiry and the sweeper", () => {
  it("slides expires_at on every write", async () => {
    const jar = new TestJar();
    const shortLived = { ...TEST_COOKIE_OPTIONS, maxAge: 50 };
    await store(jar, { cookie: shortLived }).claimUnseen(ALL_300, 1);
    await admin.query(`UPDATE ${SESSIONS_TABLE} SET expires_at = clock_timestamp() + interval '5 seconds' WHERE id = $1`, [sessionId(jar)]);
    expect((await rowOf(jar))!.ttl_ms).toBeLessThanOrEqual(5_000);
    await store(jar, { cookie: shortLived }).claimUnseen(ALL_300, 1);
    const afterClaim = (await rowOf(jar))!.ttl_ms;
    expect(afterClaim).toBeGreaterThan(40_000);
    expect(afterClaim).toBeLessThanOrEqual(50_000);
    await admin.query(`UPDATE ${SESSIONS_TABLE} SET expires_at = clock_timestamp() + interval '5 seconds' WHERE id = $1`, [sessionId(jar)]);
    await store(jar, { cookie: shortLived }).markRead(3);
    expect((await rowOf(jar))!.ttl_ms).toBeGreaterThan(40_000);
    const writes = jar.writes;
    await admin.query(`UPDATE ${SESSIONS_TABLE} SET expires_at = clock_timestamp() + interval '5 seconds' WHERE id = $1`, [sessionId(jar)]);
    await store(jar, { cookie: shortLived }).describe();
    expect((await rowOf(jar))!.ttl_ms, "reading does not slide it").toBeLessThanOrEqual(5_000);
    expect(jar.writes).toBe(writes);
  });

  it("reads an expired session as empty, and starts it afresh on the next write", async () => {
    const jar = new TestJar();
    await store(jar).claimUnseen(ALL_300, 5);
    await store(jar).markRead(7);
    await admin.query(`UPDATE ${SESSIONS_TABLE} SET expires_at = clock_timestamp() - interval '1 second' WHERE id = $1`, [sessionId(jar)]);
    expect((await store(jar).describe()).seenCount).toBe(0);
    const snapshot = await store(jar).snapshot();
    expect([snapshot.seen.count(), snapshot.read.count()]).toEqual([0, 0]);
    expect(await store(jar).claimUnseen(ALL_300, 2)).toEqual({ seqs: [300, 299], seenCount: 2, remaining: 298 });
    expect((await store(jar).describe()).readCount).toBe(0);
  });

  it("sweeps expired sessions, and only those, one instance at a time", async () => {
    const readers = Array.from({ length: 5 }, () => new TestJar());
    for (const jar of readers) await store(jar).claimUnseen(ALL_300, 1);
    const expired = readers.slice(0, 3).map(sessionId);
    await admin.query(`UPDATE ${SESSIONS_TABLE} SET expires_at = clock_timestamp() - interval '1 second' WHERE id = ANY($1)`, [expired]);
    const live = async () => (await admin.query<{ id: string }>(`SELECT id FROM ${SESSIONS_TABLE} WHERE expires_at <= clock_timestamp()`)).rows.length;
    const total = async () => Number((await admin.query(`SELECT count(*) AS n FROM ${SESSIONS_TABLE}`)).rows[0].n);
    expect(await live()).toBe(3);
    const before = await total();

    // Another instance is sweeping: this one skips its round and deletes nothing.
    const other = await admin.connect();
    try {
      await other.query("SELECT pg_advisory_lock($1)", [ADVISORY_LOCKS.sweep]);
      expect(await sweepExpiredSessions(pool)).toEqual({ ran: false, deleted: 0 });
      expect(await total()).toBe(before);
      await other.query("SELECT pg_advisory_unlock($1)", [ADVISORY_LOCKS.sweep]);
    } finally {
      other.release();
    }

    expect(await sweepExpiredSessions(pool, { batchSize: 2 })).toEqual({ ran: true, deleted: 3 }); // two batches
    expect(await total()).toBe(before - 3);
    const left = await admin.query<{ id: string }>(`SELECT id FROM ${SESSIONS_TABLE} WHERE id = ANY($1)`, [readers.map(sessionId)]);
    expect(left.rows.map((row) => row.id).sort()).toEqual(readers.slice(3).map(sessionId).sort());
    expect(await sweepExpiredSessions(pool)).toEqual({ ran: true, deleted: 0 });
  });

  it("lets two sweepers at once delete each expired row once between them", async () => {
    const readers = Array.from({ length: 40 }, () => new TestJar());
    for (const jar of readers) await store(jar).claimUnseen(ALL_300, 1);
    await admin.query(`UPDATE ${SESSIONS_TABLE} SET expires_at = clock_timestamp() - interval '1 second' WHERE id = ANY($1)`, [readers.map(sessionId)]);
    const results = await Promise.all([sweepExpiredSessions(pool, { batchSize: 5 }), sweepExpiredSessions(pool, { batchSize: 5 })]);
    expect(results.reduce((sum, result) => sum + result.deleted, 0)).toBe(40);
    console.log(`[db] two sweepers at once: ${JSON.stringify(results)}`);
  });
});

describe("db store: deadlines and outages", () => {
  it("refuses a write whose deadline has passed, and writes nothing", async () => {
    const late: DbDeadlines = { giveUpMs: DB_DEADLINES.giveUpMs, writeWithinMs: -1 };
    const jar = new TestJar();
    const newcomer = store(jar, { deadlines: late }).claimUnseen(ALL_300, 5);
    await expect(newcomer).rejects.toBeInstanceOf(DbUnavailableError);
    await expect(newcomer).rejects.toMatchObject({ cause: { code: DEADLINE_PASSED_SQLSTATE } });
    expect(await rowOf(jar), "not even the row of a new reader").toBeNull();

    await store(jar).claimUnseen(ALL_300, 5);
    const row = await rowOf(jar);
    for (const late_ of [
      () => store(jar, { deadlines: late }).claimUnseen(ALL_300, 5),
      () => store(jar, { deadlines: late }).markRead(1),
      () => store(jar, { deadlines: late }).destroy(),
    ]) {
      await expect(late_()).rejects.toBeInstanceOf(DbUnavailableError);
    }
    const after = await rowOf(jar);
    expect([after!.seen, after!.expires_at]).toEqual([row!.seen, row!.expires_at]); // bitmaps and expires_at untouched
    expect((await store(jar).claimUnseen(ALL_300, 1)).seqs, "the control: in time, it writes").toEqual([295]);
  });

  it("tells an outage (503) from a bug (500)", async () => {
    const sqlBug = await pool.query("SELEC 1").catch((error: unknown) => error);
    expect(classifyDbError(sqlBug)).toBe(sqlBug);
    const nobody = createDbPool({ connectionString: `postgres://newsroom:x@127.0.0.1:${await freePort()}/newsroom` });
    try {
      const refused = await nobody.query("SELECT 1").catch((error: unknown) => error);
      expect(classifyDbError(refused)).toBeInstanceOf(DbUnavailableError);
    } finally {
      await nobody.end();
    }
  });

  it("fails closed within the deadline when PostgreSQL hangs, and the write that reaches it later is refused", async () => {
    const runScenario = async (deadlines: DbDeadlines) => {
      const jar = new TestJar();
      await store(jar).claimUnseen(CATALOGUE, 3); // also leaves warm connections in the pool
      const backends = await appBackends();
      server.pause();
      let outcome: Awaited<ReturnType<typeof elapsed>>;
      try {
        outcome = await elapsed(() => store(jar, { deadlines }).claimUnseen(CATALOGUE, 10));
        // Stay frozen past the app's write deadline, so the claim is only looked at after it.
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, DB_DEADLINES.writeWithinMs - outcome.ms) + 300));
      } finally {
        server.resume();
      }
      // The connection the claim went out on was dropped by the client when it gave up; its backend
      // exits once it has worked through what it received: the claim, then the goodbye.
      for (let waited = 0; (await appBackends()).length >= backends.length && waited < 10_000; waited += 50) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return { ms: outcome.ms, outcome: outcome.result, seenAfter: (await store(jar).describe()).seenCount };
    };

    const guarded = await runScenario(DB_DEADLINES);
    console.log(`[db] PostgreSQL frozen: the claim failed after ${guarded.ms} ms; seen after the server thawed: ${guarded.seenAfter}`);
    expect(guarded.outcome.status).toBe("rejected");
    expect((guarded.outcome as PromiseRejectedResult).reason).toBeInstanceOf(DbUnavailableError);
    expect(guarded.seenAfter, "the late claim was refused by its deadline").toBe(3);

    // The control: without a deadline the server can check in time, the frozen server applies the
    // claim after the request gave up (the reader got a 503 and those 10 articles are lost to them).
    const unguarded = await runScenario({ giveUpMs: DB_DEADLINES.giveUpMs, writeWithinMs: 60_000 });
    expect(unguarded.outcome.status).toBe("rejected");
    expect(unguarded.seenAfter).toBe(13);
  });

  it("fails closed while PostgreSQL is down, and resumes with nothing acknowledged lost after a restart", async () => {
    const jar = new TestJar();
    const acknowledged = new Set<number>();
    for (let page = 0; page < 5; page++) (await store(jar).claimUnseen(CATALOGUE, 10)).seqs.forEach((seq) => acknowledged.add(seq));
    await store(jar).markRead(42);

    await server.kill();
    const claim = await elapsed(() => store(jar).claimUnseen(CATALOGUE, 10));
    const read = await elapsed(() => store(jar).describe());
    console.log(`[db] PostgreSQL killed: claim failed after ${claim.ms} ms, describe after ${read.ms} ms`);
    expect(claim.result.status).toBe("rejected");
    expect((claim.result as PromiseRejectedResult).reason).toBeInstanceOf(DbUnavailableError);
    expect((read.result as PromiseRejectedResult).reason).toBeInstanceOf(DbUnavailableError);

    const restarted = await elapsed(() => server.restart());
    const resumed = await elapsed(() => store(jar).claimUnseen(CATALOGUE, 10));
    console.log(`[db] PostgreSQL restarted in ${restarted.ms} ms; the first claim after it took ${resumed.ms} ms (${resumed.result.status})`);
    expect(resumed.result.status).toBe("fulfilled");
    const page = (resumed.result as PromiseFulfilledResult<Awaited<ReturnType<DbStore["claimUnseen"]>>>).value;
    expect(
      page.seqs.some((seq) => acknowledged.has(seq)),
      "no acknowledged article comes back",
    ).toBe(false);
    expect(page.seenCount).toBe(acknowledged.size + 1 + 10); // the 50 claimed, 42 read, and this page
    const snapshot = await store(jar).snapshot();
    for (const seq of acknowledged) expect(snapshot.seen.has(seq)).toBe(true);
    expect([...snapshot.read.ascending()]).toEqual([42]);
  });
});

describe("db schema: migrations", () => {
  async function freshDatabase(): Promise<pg.Pool> {
    const name = `migrations_${Math.random().toString(36).slice(2, 10)}`;
    await admin.query(`CREATE DATABASE ${name} OWNER newsroom`);
    const fresh = new pg.Pool({ connectionString: urlFor(server.url, name), max: 4 });
    fresh.on("error", () => {});
    return fresh;
  }

  it("applies the schema once when two instances migrate at once, and nothing the second time", async () => {
    const fresh = await freshDatabase();
    try {
      const reports = await Promise.all([migrate(fresh), migrate(fresh)]);
      expect(reports.map((report) => report.applied).sort()).toEqual([[], ["001_sessions.sql"]]);
      const { rows } = await fresh.query(`SELECT version, name FROM ${MIGRATIONS_TABLE}`);
      expect(rows).toEqual([{ version: 1, name: "001_sessions.sql" }]);
      const functions = await fresh.query("SELECT count(*)::int AS n FROM pg_proc WHERE proname = 'newsroom_claim'");
      expect(functions.rows[0].n).toBe(1);
      expect(await migrate(fresh)).toEqual({ applied: [], alreadyApplied: ["001_sessions.sql"] });
    } finally {
      await fresh.end();
    }
  });

  it("the control: the same SQL run twice at once without the migrator fails", async () => {
    const fresh = await freshDatabase();
    try {
      const sql = readFileSync(join(DEFAULT_SCHEMA_DIR, "001_sessions.sql"), "utf8");
      const results = await Promise.allSettled([fresh.query(sql), fresh.query(sql)]);
      expect(results.map((result) => result.status).sort()).toEqual(["fulfilled", "rejected"]);
    } finally {
      await fresh.end();
    }
  });

  it("prepares db mode once per process from DATABASE_URL, and answers a health check", async () => {
    const fresh = await freshDatabase();
    const saved = process.env.DATABASE_URL;
    process.env.DATABASE_URL = urlFor(server.url, (await fresh.query("SELECT current_database() AS name")).rows[0].name);
    try {
      const [first, second] = await Promise.all([prepareDb({ sweeper: { intervalMs: 3_600_000 } }), prepareDb()]);
      expect(second).toBe(first);
      expect(first.applied).toEqual(["001_sessions.sql"]);
      expect(await pingDb()).toMatchObject({ ok: true });
    } finally {
      await getDbPool().end();
      if (saved === undefined) delete process.env.DATABASE_URL;
      else process.env.DATABASE_URL = saved;
      await fresh.end();
    }
  });

  it("refuses to start when an applied migration was edited afterwards", async () => {
    const fresh = await freshDatabase();
    const edited = mkdtempSync(join(tmpdir(), "newsroom-schema-"));
    try {
      await migrate(fresh);
      writeFileSync(join(edited, "001_sessions.sql"), `${readFileSync(join(DEFAULT_SCHEMA_DIR, "001_sessions.sql"), "utf8")}\n-- edited\n`);
      await expect(migrate(fresh, { schemaDir: edited })).rejects.toThrow(/changed after it was applied/);
    } finally {
      rmSync(edited, { recursive: true, force: true });
      await fresh.end();
    }
  });
});

describe("db store: latency against history (printed, not asserted)", () => {
  it("claims at 9,000 seen about as fast as at 0", async () => {
    const history = SeqSet.of(Array.from({ length: 9_000 }, (_, i) => 10_000 - i));
    const samples: Record<"0" | "9000", number[]> = { "0": [], "9000": [] };
    for (let round = 0; round < 60; round++) {
      for (const level of ["0", "9000"] as const) {
        const jar = new TestJar();
        await store(jar).replace({ seen: level === "0" ? SeqSet.empty() : history, read: SeqSet.empty() });
        const started = performance.now();
        const claim = await store(jar).claimUnseen(CATALOGUE, 10);
        if (round >= 10) samples[level].push(performance.now() - started);
        expect(claim.seqs[0]).toBe(level === "0" ? 10_000 : 1_000);
      }
    }
    const p50 = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    console.log(
      `[db] claim p50 through DbStore: ${p50(samples["0"]).toFixed(3)} ms at 0 seen, ${p50(samples["9000"]).toFixed(3)} ms at 9,000 seen ` +
        `(ratio ${(p50(samples["9000"]) / p50(samples["0"])).toFixed(2)})`,
    );
  });
});
