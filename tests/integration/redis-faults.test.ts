/**
 * Redis misbehaving under a running cluster (3 instances, the balancer, the bridge, a Redis of
 * its own with the demo's settings: a password, AOF everysec, a supervisor):
 *  - stalled (SIGSTOP) for 3 s between two bursts of kv load, every reader sending into the stall,
 *    then resumed: every reader's seenCount equals what it received (no request that failed records
 *    anything, thanks to the deadline in each write). Redis is stopped while no claim is on its way
 *    (the readers finish their page first): a claim Redis ran in the instant before a SIGSTOP, its
 *    reply held back until the app had answered 503, is recorded and never received; that is
 *    at-most-once delivery (README), which the chaos run counts apart, not a late write;
 *  - stalled for 6 s: no instance is ejected (health is liveness, not store readiness) and cookie
 *    readers keep being served by every instance;
 *  - killed with SIGKILL from outside: the supervisor has it back within 5 s and no reader lost history.
 * The stall and the kill run over both kv transports (a cluster of each): REST through the bridge,
 * whose own timeout and reconnect stand between the app and Redis, and the Redis protocol, where
 * the app's node-redis connection meets the stalled or restarted Redis itself.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ReaderClient } from "../../scripts/lib/reader-client";
import { startStack, type Stack } from "../../scripts/lib/stack";

type Transport = "rest" | "redis";
const stacks = new Map<Transport, Stack>();

beforeAll(async () => {
  // Each stack starts its own Redis (a Vitest worker may hold another file's KV settings).
  delete process.env.KV_REST_API_URL;
  delete process.env.KV_REST_API_TOKEN;
  delete process.env.KV_URL;
  const common = { port: 0, policy: "round-robin", build: false, aof: "everysec", env: { CATALOGUE_SIZE: "5000" }, log: () => {} } as const;
  stacks.set("rest", await startStack({ ...common, instances: 3, kvTransport: "rest" }));
  stacks.set("redis", await startStack({ ...common, instances: 2, kvTransport: "redis" }));
}, 180_000);

afterAll(async () => {
  for (const stack of stacks.values()) {
    stack.kv.redis?.resume();
    await stack.stop();
  }
});

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Tally {
  received: Set<number>;
  ok: number;
  failed: number;
  instances: Set<string>;
}

/** A reader reading back to back until `until`; a failed page is retried after a short pause, as a person would. */
async function readUntil(reader: ReaderClient, until: number, tally: Tally): Promise<void> {
  while (Date.now() < until) {
    const page = await reader.feed(5).catch(() => null);
    if (page?.status === 200) {
      tally.ok++;
      if (page.instance) tally.instances.add(page.instance);
      for (const article of page.body.articles) {
        expect(tally.received.has(article.seq), `article ${article.seq} delivered twice`).toBe(false);
        tally.received.add(article.seq);
      }
    } else {
      tally.failed++;
      await pause(100);
    }
  }
}

async function readers(stack: Stack, mode: string, count: number) {
  return Promise.all(
    Array.from({ length: count }, async () => {
      const reader = new ReaderClient(stack.url);
      expect((await reader.setMode(mode)).status).toBe(200);
      return { reader, tally: { received: new Set<number>(), ok: 0, failed: 0, instances: new Set<string>() } as Tally };
    }),
  );
}

/** seenCount the store reports, asked until Redis answers again. */
async function seenCount(reader: ReaderClient): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    const session = await reader.session();
    if (session.status === 200) return session.body.seenCount;
    if (attempt > 50) throw new Error(`GET /api/session kept failing: ${session.status}`);
    await pause(200);
  }
}

describe.each<Transport>(["rest", "redis"])("Redis stalls and crashes, kv over %s", (transport) => {
  it("the instances say which transport they use, and never its password", async () => {
    const stack = stacks.get(transport)!;
    const health = (await (await fetch(`${stack.url}/api/health`)).json()) as { stores: { kv: { transport?: string; endpoint?: string } } };
    expect(health.stores.kv.transport).toBe(transport);
    expect(health.stores.kv.endpoint).toMatch(transport === "rest" ? /^http:\/\/127\.0\.0\.1:\d+$/ : /^redis:\/\/127\.0\.0\.1:\d+$/);
    const password = new URL(stack.kv.env.KV_URL!).password;
    expect(password.length, "the demo's Redis has a password").toBeGreaterThan(0);
    expect(JSON.stringify(health)).not.toContain(password);
  });

  it("SIGSTOP for 3 s with every kv reader sending into it, then SIGCONT: every reader's seenCount equals the articles it received", async () => {
    const stack = stacks.get(transport)!;
    const redis = stack.kv.redis!;
    const kv = await readers(stack, "kv", 8);
    // Load, then every reader between pages: the stop lands on no claim in flight.
    const warm = Date.now() + 1_500;
    await Promise.all(kv.map(({ reader, tally }) => readUntil(reader, warm, tally)));
    const servedBefore = kv.reduce((sum, { tally }) => sum + tally.ok, 0);
    redis.pause();
    const until = Date.now() + 5_500;
    const reading = Promise.all(kv.map(({ reader, tally }) => readUntil(reader, until, tally)));
    await pause(3_000);
    redis.resume();
    await reading;
    expect(servedBefore, "load before the stall").toBeGreaterThan(0);
    const failed = kv.reduce((sum, { tally }) => sum + tally.failed, 0);
    console.log(`[redis-faults] ${transport} stall: ${kv.reduce((s, { tally }) => s + tally.ok, 0)} pages served, ${failed} failed during the stall`);
    expect(failed, "the stall was felt").toBeGreaterThan(0);
    for (const { reader, tally } of kv) expect(await seenCount(reader)).toBe(tally.received.size);
  }, 60_000);

  it("kill -9 from outside: the supervisor has Redis back within 5 s, and no reader lost history", async () => {
    const stack = stacks.get(transport)!;
    const redis = stack.kv.redis!;
    const kv = await readers(stack, "kv", 5);
    for (const { reader, tally } of kv) await readUntil(reader, Date.now() + 300, tally);
    const before = redis.restarts();
    const killedAt = Date.now();
    process.kill(redis.pid(), "SIGKILL");
    let backAfter = -1;
    const probe = kv[0]!;
    while (Date.now() - killedAt < 5_000) {
      const page = await probe.reader.feed(1).catch(() => null);
      if (page?.status === 200) {
        backAfter = Date.now() - killedAt;
        page.body.articles.forEach((article) => probe.tally.received.add(article.seq));
        break;
      }
      await pause(100);
    }
    console.log(`[redis-faults] ${transport}: Redis killed: kv served again after ${backAfter} ms (supervisor restarts: ${redis.restarts() - before})`);
    expect(backAfter, "kv answered again within 5 s").toBeGreaterThanOrEqual(0);
    expect(redis.restarts()).toBe(before + 1);
    for (const { reader, tally } of kv) expect(await seenCount(reader)).toBe(tally.received.size);
  }, 60_000);
});

describe("a long Redis stall, whatever the transport", () => {
  it("a 6 s stall ejects no instance, and cookie readers stay spread over all of them", async () => {
    const stack = stacks.get("rest")!;
    const redis = stack.kv.redis!;
    const cookie = await readers(stack, "cookie", 6);
    const statuses: string[][] = [];
    redis.pause();
    try {
      const until = Date.now() + 6_000;
      const watching = (async () => {
        while (Date.now() < until) {
          statuses.push(stack.cluster.list().map((i) => `${i.id}:${i.status}`));
          await pause(250);
        }
      })();
      await Promise.all([watching, ...cookie.map(({ reader, tally }) => readUntil(reader, until, tally))]);
    } finally {
      redis.resume();
    }
    expect(
      statuses.flat().filter((s) => !s.endsWith(":up")),
      "instances marked down during the stall",
    ).toEqual([]);
    const served = new Set(cookie.flatMap(({ tally }) => [...tally.instances]));
    expect([...served].sort()).toEqual(["a", "b", "c"]);
    expect(
      cookie.every(({ tally }) => tally.failed === 0),
      "cookie mode needs no Redis",
    ).toBe(true);
    // The instances did notice: the store's readiness is reported, just not acted on by the balancer.
    await expect.poll(() => stack.cluster.list().every((i) => i.kv === "ready"), { timeout: 10_000 }).toBe(true);
  }, 60_000);
});
