/** memory mode is the bug on display, not a leak: a bounded map, and an id nobody can choose. */
import { sign } from "cookie-signature";
import { describe, expect, it } from "vitest";
import type { CandidatePool } from "@/lib/seen/feed-selection";
import { COOKIE_NAMES } from "@/lib/session/cookies";
import { MemoryStore, type MemoryEntry } from "@/lib/session/memory/memory-store";
import { ReaderMap } from "@/lib/session/reader-map";
import { SeqSet } from "@/lib/seen/seq-set";
import { TEST_COOKIE_OPTIONS, TEST_KEYS } from "../support/stores";
import { TestJar } from "../support/test-jar";

const POOL: CandidatePool = { maxSeq: 100 };

describe("memory mode's map", () => {
  it("holds at most maxReaders: 40,000 cookie-less readers leave the 1,000 most recent", async () => {
    const readers = new ReaderMap<MemoryEntry>(1_000);
    let now = 0;
    const jars: TestJar[] = [];
    for (let i = 0; i < 40_000; i++) {
      const jar = new TestJar();
      await new MemoryStore(jar, TEST_KEYS, TEST_COOKIE_OPTIONS, () => ++now, readers).claimUnseen(POOL, 1);
      if (i >= 39_000) jars.push(jar);
    }
    expect(readers.size).toBe(1_000);
    // The survivors are the most recent readers, and they still have their history.
    for (const jar of jars) expect((await new MemoryStore(jar, TEST_KEYS, TEST_COOKIE_OPTIONS, () => now, readers).describe()).seenCount).toBe(1);
  });

  it("keeps an active reader however many others come, and drops the least recently used", async () => {
    const readers = new ReaderMap<MemoryEntry>(3);
    let now = 0;
    const active = new TestJar();
    const store = () => new MemoryStore(active, TEST_KEYS, TEST_COOKIE_OPTIONS, () => ++now, readers);
    await store().claimUnseen(POOL, 5);
    for (let i = 0; i < 10; i++) {
      await new MemoryStore(new TestJar(), TEST_KEYS, TEST_COOKIE_OPTIONS, () => ++now, readers).claimUnseen(POOL, 1);
      await store().claimUnseen(POOL, 1); // the active reader keeps touching its entry
    }
    expect(readers.size).toBe(3);
    expect((await store().describe()).seenCount).toBe(15);
  });

  it("sweeps readers idle past the session TTL", async () => {
    const readers = new ReaderMap<MemoryEntry>(100);
    let now = 1_000_000;
    for (let i = 0; i < 5; i++) await new MemoryStore(new TestJar(), TEST_KEYS, TEST_COOKIE_OPTIONS, () => now, readers).claimUnseen(POOL, 1);
    now += TEST_COOKIE_OPTIONS.maxAge * 1000 + 2_000;
    const fresh = new TestJar();
    await new MemoryStore(fresh, TEST_KEYS, TEST_COOKIE_OPTIONS, () => now, readers).claimUnseen(POOL, 1);
    expect(readers.size).toBe(1);
  });
});

describe("memory mode's id cookie", () => {
  it("is signed: an unsigned, chosen or foreign-signed id is a new session, never someone else's", async () => {
    const readers = new ReaderMap<MemoryEntry>(100);
    const victim = new TestJar();
    await new MemoryStore(victim, TEST_KEYS, TEST_COOKIE_OPTIONS, Date.now, readers).claimUnseen(POOL, 10);
    const victimId = victim.get(COOKIE_NAMES.memorySession)!.split(".")[0]!;
    expect(victimId).toMatch(/^[A-Za-z0-9_-]{22}$/);

    for (const forged of [victimId, sign(victimId, "another-secret-another-secret-another-secret"), `${victimId}.`, "x".repeat(22)]) {
      const attacker = new TestJar();
      attacker.set(COOKIE_NAMES.memorySession, forged, TEST_COOKIE_OPTIONS);
      const attackerStore = new MemoryStore(attacker, TEST_KEYS, TEST_COOKIE_OPTIONS, Date.now, readers);
      expect((await attackerStore.describe()).seenCount, forged).toBe(0);
      await attackerStore.claimUnseen(POOL, 1);
      expect(attacker.get(COOKIE_NAMES.memorySession)!.split(".")[0], "a fresh id was issued").not.toBe(victimId);
    }
    // The control: the real signed cookie does reach the victim's entry.
    expect(
      (await new MemoryStore(victim.copy(), TEST_KEYS, TEST_COOKIE_OPTIONS, Date.now, readers).describe()).seen.equals(
        SeqSet.of(Array.from({ length: 10 }, (_, i) => 100 - i)),
      ),
    ).toBe(true);
  });
});
