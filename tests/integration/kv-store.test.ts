/**
 * kv-specific guarantees, against real Redis, over both transports: REST (the real @vercel/kv
 * client on our undici requester, through the real bridge) and the Redis protocol (node-redis).
 */
import { createClient as createRedis } from "redis";
import { sign } from "cookie-signature";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { CandidatePool } from "@/lib/seen/feed-selection";
import { COOKIE_NAMES } from "@/lib/session/cookies";
import { toHttpError } from "@/lib/http/errors";
import { KvUnavailableError } from "@/lib/session/errors";
import { kvRunner } from "@/lib/session/kv/kv-client";
import { CLAIM_SCRIPT, MARK_READ_SCRIPT, sessionKeys } from "@/lib/session/kv/kv-scripts";
import type { KvTransport, KvTransportKind } from "@/lib/session/kv/kv-transport";
import { luaScript } from "@/lib/session/kv/lua-script";
import { redisTransport } from "@/lib/session/kv/redis-transport";
import { restTransport } from "@/lib/session/kv/rest-transport";
import { KvStore } from "@/lib/session/kv/kv-store";
import { SeqSet } from "@/lib/seen/seq-set";
import { startKvBridge, type KvBridge } from "../../scripts/lib/kv-bridge";
import { freePort } from "../../scripts/lib/ports";
import { startRedis } from "../../scripts/lib/redis-server";
import { useTestKv } from "../support/kv-test";
import { detailsOf, kvStoreOn, TEST_COOKIE_OPTIONS, TEST_KEYS, TEST_PASSWORD } from "../support/stores";
import { keyring } from "@/lib/session/config";
import { TestJar } from "../support/test-jar";

const POOL: CandidatePool = { maxSeq: 10_000 };
const COUNTING_TOKEN = "counting-bridge-token-0123";
let countingBridge: KvBridge;
let redis: ReturnType<typeof createRedis>;
const transports = {} as Record<KvTransportKind, KvTransport>;
const opened: KvTransport[] = [];

/** A transport this file closes at the end. */
function own(transport: KvTransport): KvTransport {
  opened.push(transport);
  return transport;
}

beforeAll(async () => {
  useTestKv();
  countingBridge = await startKvBridge({ redisUrl: inject("kv").redisUrl, token: COUNTING_TOKEN });
  redis = createRedis({ url: inject("kv").redisUrl });
  await redis.connect();
  transports.rest = own(restTransport({ url: countingBridge.url, token: COUNTING_TOKEN }, { timeoutMs: 2000 }));
  transports.redis = own(redisTransport({ url: inject("kv").redisUrl }, { timeoutMs: 2000 }));
});

afterAll(async () => {
  await Promise.all(opened.map((transport) => transport.close()));
  await countingBridge.stop();
  await redis.close();
});

/** A KvStore over REST through a bridge we can count requests on. */
function countedStore(jar: TestJar, options = TEST_COOKIE_OPTIONS) {
  return kvStoreOn(jar, transports.rest, options);
}

describe("kv store over REST", () => {
  it("serves a feed page in exactly one KV round trip, and a read in one, once its scripts are loaded", async () => {
    const jar = new TestJar();
    await countedStore(jar).claimUnseen(POOL, 1); // the first claim may load the script (NOSCRIPT, SCRIPT LOAD)
    await countedStore(jar).markRead(1);
    for (let page = 0; page < 5; page++) {
      const before = countingBridge.stats().requests;
      await countedStore(jar).claimUnseen(POOL, 10);
      expect(countingBridge.stats().requests - before).toBe(1);
    }
    const before = countingBridge.stats().requests;
    await countedStore(jar).markRead(17);
    expect(countingBridge.stats().requests - before).toBe(1);
  });

  it("sends scripts by SHA-1 and loads each once per Redis: after SCRIPT FLUSH, one NOSCRIPT and one SCRIPT LOAD, then EVALSHA alone", async () => {
    const jar = new TestJar();
    await countedStore(jar).claimUnseen(POOL, 1);
    // Other files share this Redis; they reload on NOSCRIPT the same way, which is the point.
    await redis.scriptFlush();
    const byCommand = () => ({ ...countingBridge.stats().byCommand });
    const before = byCommand();
    await countedStore(jar).claimUnseen(POOL, 1);
    const after = byCommand();
    const delta = (name: string) => (after[name] ?? 0) - (before[name] ?? 0);
    expect([delta("EVALSHA"), delta("SCRIPT"), delta("EVAL")]).toEqual([2, 1, 0]);
    expect(await redis.scriptExists(CLAIM_SCRIPT.sha1)).toEqual([1]);
    const steady = byCommand();
    await countedStore(jar).claimUnseen(POOL, 1);
    expect((byCommand().EVALSHA ?? 0) - (steady.EVALSHA ?? 0)).toBe(1);
    expect(byCommand().SCRIPT ?? 0).toBe(steady.SCRIPT ?? 0);
  });
});

describe("kv store over the Redis protocol, when Redis goes away and comes back", () => {
  it("fails requests at once while disconnected (no waiting out the timeout), reconnects by itself, and loses nothing", async () => {
    const ownRedis = await startRedis({ quiet: true, supervise: false, aof: "always" });
    const transport = own(redisTransport({ url: ownRedis.url }, { timeoutMs: 2000, log: () => {} }));
    try {
      const jar = new TestJar();
      const store = () => kvStoreOn(jar, transport);
      await store().claimUnseen(POOL, 10);
      await ownRedis.kill({ stayDown: true });
      const started = performance.now();
      await expect(store().claimUnseen(POOL, 10)).rejects.toBeInstanceOf(KvUnavailableError);
      // Far below the 2.5 s a request waits when Redis is connected but silent: the client knows the socket is gone.
      expect(performance.now() - started, "a lost connection fails fast").toBeLessThan(2000);
      await ownRedis.restart();
      await expect.poll(async () => (await store().describe()).seenCount, { timeout: 10_000, interval: 200 }).toBe(10);
      expect((await store().claimUnseen(POOL, 10)).seqs).toHaveLength(10);
    } finally {
      await ownRedis.stop();
    }
  });
});

describe.each(["rest", "redis"] as const)("kv store over %s", (kind) => {
  const countedStore = (jar: TestJar, options = TEST_COOKIE_OPTIONS) =>
    new KvStore(
      jar,
      TEST_KEYS,
      options,
      kvRunner(() => transports[kind]),
    );

  it("never gives two parallel requests of one reader the same article", async () => {
    const jar = new TestJar();
    await countedStore(jar).claimUnseen(POOL, 1); // establish the session id first, as a browser would
    const pages = await Promise.all(Array.from({ length: 20 }, () => countedStore(jar.copy()).claimUnseen(POOL, 10)));
    const all = pages.flatMap((page) => page.seqs);
    expect(all).toHaveLength(200);
    expect(new Set(all).size).toBe(200);
    expect((await countedStore(jar).describe()).seenCount).toBe(201);
  });

  it("keeps only a signed random id in the browser and documents its keys in Redis", async () => {
    const jar = new TestJar();
    await countedStore(jar).claimUnseen(POOL, 50);
    const cookie = jar.get(COOKIE_NAMES.kvSession)!;
    expect(cookie).toMatch(/^[A-Za-z0-9_-]{22}\.[A-Za-z0-9+/]{43}$/); // id.HMAC-SHA256
    const details = detailsOf((await countedStore(jar).describe()).details, "kv");
    const [seenKey, readKey] = details.keys!;
    expect(seenKey).toMatch(/^newsroom:\{[A-Za-z0-9_-]{22}\}:seen$/);
    expect(readKey).toMatch(/:read$/);
    expect(await redis.bitCount(seenKey!)).toBe(50);
    expect(await redis.getBit(seenKey!, 10_000)).toBe(1);
    // Sizes come from Redis itself: STRLEN of the bitmap, and MEMORY USAGE with Redis's overhead.
    const [seenUsage] = details.usage;
    expect(seenUsage).toMatchObject({ key: seenKey, valueBytes: await redis.strLen(seenKey!), memoryBytes: await redis.memoryUsage(seenKey!) });
    expect(details.ttlMs).toBeGreaterThan(0);
  });

  it("accepts only its own signature: an edited id or another secret's signature is no session", async () => {
    const jar = new TestJar();
    await countedStore(jar).claimUnseen(POOL, 5);
    const cookie = jar.get(COOKIE_NAMES.kvSession)!;
    const [sid, signature] = cookie.split(".");
    const forgedSid = `${sid!.slice(0, -1)}${sid!.endsWith("A") ? "B" : "A"}.${signature}`;
    for (const forged of [forgedSid, `${sid}.${"x".repeat(43)}`, sid!, sign(sid!, "another-secret-that-is-long-enough-123")]) {
      const other = new TestJar();
      other.values.set(COOKIE_NAMES.kvSession, forged);
      expect((await countedStore(other).describe()).seenCount, forged).toBe(0);
    }
    expect((await countedStore(jar).describe()).seenCount).toBe(5); // the control: the real cookie works
  });

  it("slides the TTL on every write", async () => {
    const jar = new TestJar();
    const shortLived = { ...TEST_COOKIE_OPTIONS, maxAge: 50 };
    await countedStore(jar, shortLived).claimUnseen(POOL, 1);
    const [seenKey] = detailsOf((await countedStore(jar).describe()).details, "kv").keys!;
    await redis.expire(seenKey!, 5);
    await countedStore(jar, shortLived).claimUnseen(POOL, 1);
    const ttl = await redis.ttl(seenKey!);
    expect(ttl).toBeGreaterThan(40);
    expect(ttl).toBeLessThanOrEqual(50);
  });

  it("treats a tampered or foreign session cookie as a new reader", async () => {
    const jar = new TestJar();
    await countedStore(jar).claimUnseen(POOL, 5);
    const tampered = jar.copy();
    tampered.values.set(
      COOKIE_NAMES.kvSession,
      jar.get(COOKIE_NAMES.kvSession)!.replace(/^./, (c) => (c === "A" ? "B" : "A")),
    );
    expect((await countedStore(tampered).describe()).seenCount).toBe(0);
    const foreign = new KvStore(
      jar.copy(),
      keyring("another-secret-another-secret-another-1"),
      TEST_COOKIE_OPTIONS,
      kvRunner(() => transports[kind]),
    );
    expect((await foreign.describe()).seenCount).toBe(0);
  });

  it("rotates secrets: an id signed with the old secret still works, new cookies are signed with the new one", async () => {
    const jar = new TestJar();
    await countedStore(jar).claimUnseen(POOL, 3);
    const oldCookie = jar.get(COOKIE_NAMES.kvSession)!;
    const rotated = () =>
      new KvStore(
        jar,
        keyring({ 2: "new-secret-new-secret-new-secret-new-0", 1: TEST_PASSWORD }),
        TEST_COOKIE_OPTIONS,
        kvRunner(() => transports[kind]),
      );
    expect((await rotated().describe()).seenCount).toBe(3);
    await rotated().claimUnseen(POOL, 1);
    const newCookie = jar.get(COOKIE_NAMES.kvSession)!;
    expect(newCookie.split(".")[0]).toBe(oldCookie.split(".")[0]); // the same session…
    expect(newCookie).toBe(sign(oldCookie.split(".")[0]!, "new-secret-new-secret-new-secret-new-0")); // …signed with secret 2
    expect((await countedStore(jar).describe()).seenCount, "a server with only the old secret cannot read it").toBe(0);
  });

  it("makes a copied cookie useless once the session is destroyed", async () => {
    const jar = new TestJar();
    await countedStore(jar).claimUnseen(POOL, 5);
    const stolen = jar.copy();
    await countedStore(jar).destroy();
    expect((await countedStore(stolen).describe()).seenCount).toBe(0);
  });

  it("claims past a long history of full bytes (the skip in C) exactly as the pure selection does", async () => {
    for (const [seenFrom, expected] of [
      [1001, [1000, 999, 998]], // byte-aligned history
      [997, [996, 995, 994]], // history ending mid-byte
      [1, []], // everything seen
    ] as const) {
      const jar = new TestJar();
      await countedStore(jar).replace({ seen: SeqSet.of(Array.from({ length: 10_001 - seenFrom }, (_, i) => seenFrom + i)), read: SeqSet.empty() });
      const claim = await countedStore(jar).claimUnseen(POOL, 3);
      expect(claim.seqs).toEqual(expected);
      expect(claim.remaining).toBe(Math.max(0, seenFrom - 1 - expected.length));
    }
  });

  it("moves bitmaps in and out exactly, whatever the bytes", async () => {
    const jar = new TestJar();
    const seen = SeqSet.of([1, 7, 8, 9, 255, 256, 4_095, 9_999, 10_000]);
    await countedStore(jar).replace({ seen, read: SeqSet.of([255]) });
    const snapshot = await countedStore(jar).snapshot();
    expect(snapshot.seen.equals(seen)).toBe(true);
    expect([...snapshot.read.ascending()]).toEqual([255]);
  });

  it("reports Redis being gone as KvUnavailableError (an outage: 503, retry later)", async () => {
    const deadPort = await freePort();
    const deadBridge = kind === "rest" ? await startKvBridge({ redisUrl: `redis://127.0.0.1:${deadPort}`, token: "dead-bridge-token-012345" }) : null;
    try {
      const dead =
        kind === "rest"
          ? own(restTransport({ url: deadBridge!.url, token: "dead-bridge-token-012345" }, { timeoutMs: 2000 }))
          : own(redisTransport({ url: `redis://127.0.0.1:${deadPort}` }, { timeoutMs: 2000, log: () => {} }));
      const store = new KvStore(
        new TestJar(),
        TEST_KEYS,
        TEST_COOKIE_OPTIONS,
        kvRunner(() => dead),
      );
      await expect(store.claimUnseen(POOL, 10)).rejects.toBeInstanceOf(KvUnavailableError);
      // Nothing listens at all (no bridge either): the same answer.
      const nothing =
        kind === "rest"
          ? own(restTransport({ url: `http://127.0.0.1:${deadPort}`, token: "no-one-listens-here-0123" }, { timeoutMs: 2000 }))
          : own(redisTransport({ url: `redis://127.0.0.1:${deadPort}` }, { timeoutMs: 2000, log: () => {} }));
      await expect(kvRunner(() => nothing)((kv) => kv.ping())).rejects.toBeInstanceOf(KvUnavailableError);
    } finally {
      await deadBridge?.stop();
    }
  });

  it("reports a broken script as the bug it is, not as an outage", async () => {
    const run = kvRunner(() => transports[kind]);
    const broken = luaScript("broken", "return redis.call('NO_SUCH_COMMAND')");
    await expect(run((kv) => kv.evalScript(broken, [], []))).rejects.toThrow(/unknown (redis )?command/i);
    await expect(run((kv) => kv.evalScript(broken, [], []))).rejects.not.toBeInstanceOf(KvUnavailableError);
    // A bug in our own callback is not an outage either.
    await expect(run(async () => (undefined as unknown as { x: { y: number } }).x.y)).rejects.toBeInstanceOf(TypeError);
    // And both reach the API as a 500, never a 503 with Retry-After.
    const error = await run((kv) => kv.evalScript(broken, [], [])).catch((e: unknown) => e);
    expect(toHttpError(error).status).toBe(500);
  });

  it("refuses a write whose deadline passed before Redis ran it: nothing is recorded", async () => {
    const keys = sessionKeys(kind === "rest" ? "latelatelatelatelate01" : "latelatelatelatelate02");
    const run = kvRunner(() => transports[kind]);
    const late = run((kv) => kv.evalScript(CLAIM_SCRIPT, [keys.seen, keys.read], [10, 1000, 60, "", Date.now() - 1]));
    await expect(late).rejects.toBeInstanceOf(KvUnavailableError);
    expect(((await late.catch((e: unknown) => e)) as Error).cause).toMatchObject({ message: expect.stringMatching(/DEADLINE passed .* nothing was written/) });
    expect(await redis.exists([keys.seen, keys.read])).toBe(0);
    // The control: the same claim with time to spare writes.
    await run((kv) => kv.evalScript(CLAIM_SCRIPT, [keys.seen, keys.read], [10, 1000, 60, "", Date.now() + 60_000]));
    expect(await redis.exists([keys.seen])).toBe(1);
    await run((kv) => kv.evalScript(MARK_READ_SCRIPT, [keys.seen, keys.read], [3, 60, Date.now() + 60_000]));
    expect(await redis.getBit(keys.read, 3)).toBe(1);
    await redis.del([keys.seen, keys.read]);
  });
});
