/** Switching stores carries the whole seen-set across: nothing reappears, nothing is left behind. */
import { beforeAll, describe, expect, it } from "vitest";
import type { CandidatePool } from "@/lib/seen/feed-selection";
import { COOKIE_NAMES } from "@/lib/session/cookies";
import { currentMode, openStore } from "@/lib/session/registry";
import { forgetReader, switchMode } from "@/lib/session/switch";
import { useTestKv } from "../support/kv-test";
import { TestJar } from "../support/test-jar";

beforeAll(useTestKv);

const POOL: CandidatePool = { maxSeq: 500 };

async function readPages(jar: TestJar, pages: number, delivered: Set<number>) {
  for (let page = 0; page < pages; page++) {
    const { seqs } = await openStore(currentMode(jar), jar).claimUnseen(POOL, 20);
    for (const seq of seqs) {
      expect(delivered.has(seq), `seq ${seq} repeated in ${currentMode(jar)} mode`).toBe(false);
      delivered.add(seq);
    }
  }
}

describe("mode switching", () => {
  it("starts in cookie mode by default", () => {
    expect(currentMode(new TestJar())).toBe("cookie");
  });

  const paths: string[][] = [
    ["cookie", "kv", "cookie"],
    ["kv", "memory", "kv"],
    ["memory", "cookie", "memory"],
    ["cookie", "memory", "kv", "cookie"],
  ];

  it.each(paths.map((path) => [path.join(" -> "), path] as const))("%s repeats nothing", async (_label, path) => {
    const jar = new TestJar();
    const delivered = new Set<number>();
    await switchMode(jar, path[0]!);
    await openStore(currentMode(jar), jar).markRead(7);
    delivered.add(7);
    for (const mode of path) {
      const result = await switchMode(jar, mode);
      expect(result.to).toBe(mode);
      expect(currentMode(jar)).toBe(mode);
      expect(result.migrated.seenCount).toBe(delivered.size);
      await readPages(jar, 3, delivered);
    }
    const described = await openStore(currentMode(jar), jar).describe();
    expect(described.seenCount).toBe(delivered.size);
    expect(described.readCount).toBe(1);
  });

  it("clears the store it leaves", async () => {
    const jar = new TestJar();
    await openStore("cookie", jar).claimUnseen(POOL, 5);
    await switchMode(jar, "kv");
    expect(jar.get(COOKIE_NAMES.cookieSession)).toBeUndefined();
    expect((await openStore("cookie", jar).describe()).seenCount).toBe(0);
    await switchMode(jar, "cookie");
    expect(jar.get(COOKIE_NAMES.kvSession)).toBeUndefined();
    expect((await openStore("cookie", jar).describe()).seenCount).toBe(5);
  });

  it("forgets the reader in every store at once", async () => {
    const jar = new TestJar();
    await openStore("cookie", jar).claimUnseen(POOL, 5);
    await openStore("kv", jar).claimUnseen(POOL, 5);
    await openStore("memory", jar).claimUnseen(POOL, 5);
    const result = await forgetReader(jar);
    expect(result).toEqual({ cleared: ["cookie", "kv", "memory"], failed: {} });
    for (const mode of ["cookie", "kv", "memory"] as const) expect((await openStore(mode, jar).describe()).seenCount).toBe(0);
  });
});
