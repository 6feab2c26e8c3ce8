/**
 * The bench's own modes: they exist only when ENABLE_BENCH_MODES=1 makes the bench register them
 * through the registry's hook (ALLOW_BASELINE_MODE=1, the old name, still works); baseline records
 * nothing; kv-textbook costs two round trips per page and, not being atomic, hands parallel
 * requests of one reader the same articles (what the bench's parallel scenario measures).
 */
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { BaselineStore } from "../../bench/stores/baseline-store";
import { KvTextbookStore } from "../../bench/stores/kv-textbook-store";
import { benchModes, benchModesEnabled } from "../../bench/stores/registration";
import { modeRequestSchema } from "@/lib/http/validation";
import type { CandidatePool } from "@/lib/seen/feed-selection";
import { COOKIE_NAMES } from "@/lib/session/cookies";
import { kvRunner } from "@/lib/session/kv/kv-client";
import type { KvTransport } from "@/lib/session/kv/kv-transport";
import { restTransport } from "@/lib/session/kv/rest-transport";
import { currentMode, openStore, registerModes } from "@/lib/session/registry";
import { startKvBridge, type KvBridge } from "../../scripts/lib/kv-bridge";
import { useTestKv } from "../support/kv-test";
import { TEST_COOKIE_OPTIONS, TEST_KEYS } from "../support/stores";
import { TestJar } from "../support/test-jar";

const POOL: CandidatePool = { maxSeq: 1_000 };
const TOKEN = "bench-counting-bridge-token";
let bridge: KvBridge;

let transport: KvTransport;

function textbook(jar: TestJar) {
  return new KvTextbookStore(
    jar,
    TEST_KEYS,
    TEST_COOKIE_OPTIONS,
    kvRunner(() => transport),
  );
}

beforeAll(async () => {
  useTestKv();
  bridge = await startKvBridge({ redisUrl: inject("kv").redisUrl, token: TOKEN });
  transport = restTransport({ url: bridge.url, token: TOKEN }, { timeoutMs: 2000 });
});

afterAll(async () => {
  await transport.close();
  await bridge.stop();
});

describe("bench-only modes", () => {
  it("do not exist until registered: the API refuses them and a mode cookie naming one means the default", () => {
    const jar = new TestJar();
    jar.values.set(COOKIE_NAMES.mode, "baseline");
    expect(currentMode(jar)).toBe("cookie");
    expect(() => openStore("baseline", jar)).toThrow(/no session mode "baseline"/);
    expect(modeRequestSchema().safeParse({ mode: "kv-textbook" }).success).toBe(false);

    registerModes(benchModes);
    expect(currentMode(jar)).toBe("baseline");
    expect(openStore("baseline", jar).mode).toBe("baseline");
    expect(modeRequestSchema().safeParse({ mode: "kv-textbook" }).success).toBe(true);
    expect(() => registerModes(benchModes), "a name can be registered once").toThrow(/already registered/);
  });

  it("are enabled by ENABLE_BENCH_MODES=1, or by ALLOW_BASELINE_MODE=1 with a deprecation line", () => {
    expect(benchModesEnabled({})).toBe(false);
    expect(benchModesEnabled({ ENABLE_BENCH_MODES: "1" })).toBe(true);
    const lines: unknown[] = [];
    const warn = console.warn;
    console.warn = (line: unknown) => void lines.push(line);
    try {
      expect(benchModesEnabled({ ALLOW_BASELINE_MODE: "1" })).toBe(true);
    } finally {
      console.warn = warn;
    }
    expect(String(lines[0])).toMatch(/ALLOW_BASELINE_MODE is deprecated: set ENABLE_BENCH_MODES=1/);
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
    const all = pages.flatMap((page) => page.seqs);
    expect(new Set(all).size).toBeLessThan(all.length);
  });
});
