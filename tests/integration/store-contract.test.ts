/**
 * The SessionStore contract, run against every product mode the registry knows, each opened the
 * way the app opens it. The kv store runs for real: the @vercel/kv client, the KV bridge and a
 * redis-server; the db store on the run's PostgreSQL (see tests/support/global-setup.ts). A fresh store object per operation mirrors
 * the app, where each request builds its own. A new store joins these tests by registering.
 */
import fc from "fast-check";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { countUnseen, selectUnseen, type CandidatePool } from "@/lib/seen/feed-selection";
import { SeqSet } from "@/lib/seen/seq-set";
import { registeredModes } from "@/lib/session/registry";
import { kvTestEnv } from "../support/kv-test";
import { openTestStore, testConfig } from "../support/stores";
import { TestJar } from "../support/test-jar";

const MODES = registeredModes().map((mode) => mode.name);
let config: ReturnType<typeof testConfig>;

beforeAll(() => {
  // replicated mode as one lone instance: its node is never started (no channel is listened on and
  // it has no peers), so the contract sees the store itself; replication between instances is
  // tested in replication-channel.test.ts and the e2e replicated spec.
  config = testConfig({ ...kvTestEnv(), REPLICATION_PORT: "1", INSTANCE_ID: "contract" });
  // db mode reads DATABASE_URL itself (lib/session/db/pool.ts), once per process.
  const db = inject("db");
  if (!db.url) throw new Error(`db mode's contract needs PostgreSQL: ${db.describe}`);
  process.env.DATABASE_URL = db.url;
});

const ALL_300: CandidatePool = { maxSeq: 300 };
const EVENS = SeqSet.of(Array.from({ length: 150 }, (_, i) => (i + 1) * 2));
const EVENS_300: CandidatePool = { maxSeq: 300, members: EVENS };

describe.each(MODES)("%s store", (mode) => {
  const store = (jar: TestJar) => openTestStore(mode, jar, config);

  it("starts empty and claims the newest articles first", async () => {
    const jar = new TestJar();
    expect((await store(jar).describe()).seenCount).toBe(0);
    const first = await store(jar).claimUnseen(ALL_300, 5);
    expect(first).toEqual({ seqs: [300, 299, 298, 297, 296], seenCount: 5, remaining: 295 });
    const second = await store(jar).claimUnseen(ALL_300, 3);
    expect(second).toEqual({ seqs: [295, 294, 293], seenCount: 8, remaining: 292 });
  });

  it("never hands out an article twice, then reports caught up", async () => {
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

  it("claims only within a section pool and counts what is left there", async () => {
    const jar = new TestJar();
    const { seqs, remaining } = await store(jar).claimUnseen(EVENS_300, 4);
    expect(seqs).toEqual([300, 298, 296, 294]);
    expect(remaining).toBe(146);
    const all = await store(jar).claimUnseen(ALL_300, 3);
    expect(all.seqs).toEqual([299, 297, 295]);
  });

  it("marks opened articles read and seen, so the feed skips them", async () => {
    const jar = new TestJar();
    expect(await store(jar).markRead(300)).toEqual({ seenCount: 1, readCount: 1 });
    expect(await store(jar).markRead(299)).toEqual({ seenCount: 2, readCount: 2 });
    expect((await store(jar).claimUnseen(ALL_300, 2)).seqs).toEqual([298, 297]);
    const described = await store(jar).describe();
    expect([described.seenCount, described.readCount]).toEqual([4, 2]);
  });

  it("describes without side effects", async () => {
    const jar = new TestJar();
    await store(jar).claimUnseen(ALL_300, 3);
    const writes = jar.writes;
    const described = await store(jar).describe();
    expect(jar.writes).toBe(writes);
    expect(described.seenCount).toBe(3);
    expect(described.seen.ranges()).toEqual([[298, 300]]);
  });

  it("replaces its state from a snapshot and destroys it", async () => {
    const jar = new TestJar();
    await store(jar).replace({ seen: SeqSet.of([1, 2, 3, 250]), read: SeqSet.of([250]) });
    const snapshot = await store(jar).snapshot();
    expect([...snapshot.seen.ascending()]).toEqual([1, 2, 3, 250]);
    expect([...snapshot.read.ascending()]).toEqual([250]);
    expect((await store(jar).claimUnseen({ maxSeq: 4 }, 5)).seqs).toEqual([4]);
    await store(jar).destroy();
    expect((await store(jar).describe()).seenCount).toBe(0);
    expect((await store(jar).claimUnseen({ maxSeq: 4 }, 5)).seqs).toEqual([4, 3, 2, 1]);
  });

  it("agrees with the pure selection on any sequence of operations", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            fc.record({ op: fc.constant("claim" as const), limit: fc.integer({ min: 1, max: 50 }), evens: fc.boolean() }),
            fc.record({ op: fc.constant("read" as const), seq: fc.integer({ min: 1, max: 300 }) }),
          ),
          { maxLength: 12 },
        ),
        async (operations) => {
          const jar = new TestJar();
          const seen = SeqSet.empty();
          for (const operation of operations) {
            if (operation.op === "claim") {
              const pool = operation.evens ? EVENS_300 : ALL_300;
              const expected = selectUnseen(seen, pool, operation.limit);
              expected.forEach((seq) => seen.add(seq));
              const result = await store(jar).claimUnseen(pool, operation.limit);
              expect(result.seqs).toEqual(expected);
              expect(result.remaining).toBe(countUnseen(seen, pool));
              expect(result.seenCount).toBe(seen.count());
            } else {
              seen.add(operation.seq);
              expect((await store(jar).markRead(operation.seq)).seenCount).toBe(seen.count());
            }
          }
        },
      ),
      { numRuns: mode === "kv" ? 25 : 100 },
    );
  });

  it("keeps two readers apart", async () => {
    const alice = new TestJar();
    const bob = new TestJar();
    await store(alice).claimUnseen(ALL_300, 10);
    expect((await store(bob).claimUnseen(ALL_300, 2)).seqs).toEqual([300, 299]);
    expect((await store(alice).describe()).seenCount).toBe(10);
  });
});
