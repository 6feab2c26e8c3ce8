/**
 * The bench-only modes: refused unless ALLOW_BASELINE_MODE=1; baseline records nothing;
 * kv-textbook costs two round trips per page and, not being atomic, hands parallel requests of
 * one reader the same articles (what the bench's parallel scenario measures).
 */
import { createClient as createKv } from "@vercel/kv";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import type { CandidatePool } from "@/lib/seen/feed-selection";
import { BaselineStore } from "@/lib/session/bench/baseline-store";
import { BenchModeDisabledError } from "@/lib/session/bench/bench-modes";
import { KvTextbookStore } from "@/lib/session/bench/kv-textbook-store";
import { COOKIE_NAMES } from "@/lib/session/cookies";
import { currentMode, openStore } from "@/lib/session/modes";
import { startKvBridge, type KvBridge } from "../../scripts/lib/kv-bridge";
import { TEST_COOKIE_OPTIONS, TEST_KEYS, useTestKv } from "../support/stores";
import { TestJar } from "../support/test-jar";

const POOL: CandidatePool = { maxSeq: 1_000, total: 1_000 };
const TOKEN = "bench-counting-bridge-token";
let bridge: KvBridge;

function textbook(jar: TestJar) {
  const kv = createKv({ url: bridge.url, token: TOKEN, enableAutoPipelining: false, automaticDeserialization: false });
  return new KvTextbookStore(jar, TEST_KEYS, TEST_COOKIE_OPTIONS, (operation) => operation(kv));
}

beforeAll(async () => {
  useTestKv();
  bridge = await startKvBridge({ redisUrl: inject("kv").redisUrl, token: TOKEN });
});

afterAll(async () => {
  await bridge.stop();
});

afterEach(() => {
  delete process.env.ALLOW_BASELINE_MODE;
});

describe("bench-only modes", () => {
  it("are refused, and ignored in a mode cookie, unless ALLOW_BASELINE_MODE=1", () => {
    const jar = new TestJar();
    jar.values.set(COOKIE_NAMES.mode, "baseline");
    expect(currentMode(jar)).toBe("cookie");
    expect(() => openStore("baseline", jar)).toThrow(BenchModeDisabledError);
    expect(() => openStore("kv-textbook", jar)).toThrow(BenchModeDisabledError);
    process.env.ALLOW_BASELINE_MODE = "1";
    expect(currentMode(jar)).toBe("baseline");
    expect(openStore("baseline", jar).mode).toBe("baseline");
  });

  it("baseline runs the selection and records nothing", async () => {
    const store = new BaselineStore();
    const first = await store.claimUnseen(POOL, 10);
    expect(first.seqs).toEqual([1000, 999, 998, 997, 996, 995, 994, 993, 992, 991]);
    expect(await store.claimUnseen(POOL, 10)).toEqual(first);
  });

  it("kv-textbook serves a page in two round trips, GET then SET, and keeps the promise one request at a time", async () => {
    const jar = new TestJar();
    const before = bridge.stats().requests;
    const seen: number[] = [];
    for (let page = 0; page < 5; page++) seen.push(...(await textbook(jar).claimUnseen(POOL, 10)).seqs);
    expect(bridge.stats().requests - before).toBe(10);
    expect(new Set(seen).size).toBe(50);
    expect((await textbook(jar).describe()).seenCount).toBe(50);
  });

  it("kv-textbook is not atomic: parallel requests of one reader get the same articles", async () => {
    const jar = new TestJar();
    await textbook(jar).claimUnseen(POOL, 1); // creates the session and its cookie
    const pages = await Promise.all(Array.from({ length: 4 }, () => textbook(jar).claimUnseen(POOL, 10)));
    const all = pages.flatMap((p) => p.seqs);
    expect(new Set(all).size).toBeLessThan(all.length);
  });
});
