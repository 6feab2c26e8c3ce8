/**
 * npm run scaling (npx tsx scripts/scaling-measure.ts): the measurements behind docs/scaling.md.
 *
 * Starts its own redis-server (scripts/lib/redis-server.ts: loopback, password, AOF everysec) and
 * measures, with the app's own code:
 *  1. memory per reader: the seen-set built with lib/seen/seq-set.ts for catalogues of 10k, 100k
 *     and 1M articles and a few reader profiles, SET into a key named like the app's, then
 *     `MEMORY USAGE key SAMPLES 0`; a key grown by the real claim script instead (a string grown
 *     bit by bit with BITFIELD could be allocated otherwise than one SET whole: this checks that
 *     the SET figures are what the app holds); the used_memory a whole reader costs (seen + read
 *     keys with their TTL); and, for comparison,
 *     the cookie: the codec's length and the Set-Cookie header of a real iron seal;
 *  2. the windowed bitmap (the most recent W articles, ring layout, the window's high-water mark
 *     stored beside it) for W = 10k and 50k;
 *  3. a Bloom filter (implemented here) at p = 1%: measured false-positive rate and bits per item;
 *  4. throughput of lib/session/kv/kv-scripts.ts's CLAIM_SCRIPT on one Redis process, EVALSHA
 *     pipelined from here, ~4 s per scenario, and Redis's own CPU per claim (INFO cpu).
 * Prints tables and writes bench/results/scaling.json. Traffic goes to 127.0.0.1 only; every
 * loop is bounded in time and count; only the redis-server started here is stopped.
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { createClient } from "redis";
import { prng } from "../lib/news/random";
import { encodeSeenSet } from "../lib/seen/seen-set-codec";
import { SeqSet } from "../lib/seen/seq-set";
import { sealData } from "../lib/session/cookie/iron-seal";
import { COOKIE_NAMES, MAX_COOKIE_BYTES, setCookieBytes } from "../lib/session/cookies";
import { CLAIM_SCRIPT, sessionKeys } from "../lib/session/kv/kv-scripts";
import type { CookieOptions } from "../lib/session/store";
import { startRedis } from "./lib/redis-server";

const CATALOGUES = [10_000, 100_000, 1_000_000];
const WINDOWS = [10_000, 50_000];
const BLOOM_ITEMS = [200, 2_000, 20_000];
const BLOOM_P = 0.01;
/** Unseen items queried per Bloom filter: at p = 1% that is ~2,000 false positives, enough for a rate to ±5%. */
const BLOOM_QUERIES = 200_000;
/** Readers written to measure used_memory per reader (the per-key overhead, expiry entry and allocator rounding included). */
const READERS_FOR_MEMORY = 400;
/** The app's defaults: 30-day sliding TTL (lib/session/config.ts), 10 articles a page (lib/http/validation.ts). */
const TTL_SECONDS = 2_592_000;
const PAGE_LIMIT = 10;
/** Share of the articles a reader is shown that they open (the read key): an assumption, stated in the doc. */
const READ_SHARE = 0.1;
const CLAIM_SECONDS = 4;
const CLAIM_MAX = 400_000;
/** Claims in flight on the one connection: node-redis pipelines them into shared socket writes. */
const IN_FLIGHT = 64;
const COOKIE_OPTIONS: CookieOptions = { httpOnly: true, sameSite: "lax", secure: true, path: "/", maxAge: TTL_SECONDS };
const SEAL_PASSWORD = "scaling-measure-password-of-at-least-32-chars";

type Redis = ReturnType<typeof createClient>;

interface Profile {
  name: string;
  /** The seqs a reader with this profile has been shown, in a catalogue of `size` articles. */
  build(size: number, random: () => number): SeqSet;
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

function sample(size: number, share: number, random: () => number): SeqSet {
  const set = SeqSet.empty();
  for (let seq = 1; seq <= size; seq++) if (random() < share) set.add(seq);
  return set;
}

const PROFILES: Profile[] = [
  { name: "newest 200", build: (size) => SeqSet.of(range(size - 199, size)) },
  { name: "random 10%", build: (size, random) => sample(size, 0.1, random) },
  { name: "random 50% (heavy)", build: (size, random) => sample(size, 0.5, random) },
  // The claim script hands out the newest unseen first, so a feed-only reader's set is one run: the codec's best case.
  { name: "newest 50% (heavy, feed order)", build: (size) => SeqSet.of(range(Math.floor(size / 2) + 1, size)) },
];

/** What the reader opened: READ_SHARE of what they were shown, at random (at least one). */
function readSubset(seen: SeqSet, random: () => number): SeqSet {
  const read = SeqSet.empty();
  for (const seq of seen.ascending()) if (random() < READ_SHARE) read.add(seq);
  if (read.count() === 0) read.add(seen.max());
  return read;
}

const newSid = () => randomBytes(16).toString("base64url");

async function memoryUsage(redis: Redis, key: string): Promise<number> {
  return Number(await redis.sendCommand(["MEMORY", "USAGE", key, "SAMPLES", "0"]));
}

async function info(redis: Redis, section: string): Promise<Map<string, string>> {
  const text = String(await redis.sendCommand(["INFO", section]));
  return new Map(
    text
      .split("\r\n")
      .filter((line) => line.includes(":"))
      .map((line) => [line.slice(0, line.indexOf(":")), line.slice(line.indexOf(":") + 1)]),
  );
}

/** used_memory less the clients' buffers and the AOF buffer: what the keys themselves hold, not the traffic that wrote them. */
async function datasetBytes(redis: Redis): Promise<number> {
  const memory = await info(redis, "memory");
  const field = (name: string) => Number(memory.get(name) ?? 0);
  return field("used_memory") - field("mem_clients_normal") - field("mem_aof_buffer");
}

async function redisCpuSeconds(redis: Redis): Promise<number> {
  const cpu = await info(redis, "cpu");
  return Number(cpu.get("used_cpu_sys")) + Number(cpu.get("used_cpu_user"));
}

/** Writes READERS_FOR_MEMORY readers, each with these keys (suffix → value) and the app's TTL, and returns used_memory per reader. */
async function bytesPerReader(redis: Redis, values: Array<[suffix: string, value: Buffer]>): Promise<number> {
  await redis.sendCommand(["FLUSHALL", "SYNC"]);
  const before = await datasetBytes(redis);
  const BATCH = 25;
  for (let start = 0; start < READERS_FOR_MEMORY; start += BATCH) {
    const writes: Array<Promise<unknown>> = [];
    for (let i = start; i < Math.min(start + BATCH, READERS_FOR_MEMORY); i++) {
      const sid = newSid();
      for (const [suffix, value] of values) writes.push(redis.set(`newsroom:{${sid}}:${suffix}`, value, { EX: TTL_SECONDS }));
    }
    await Promise.all(writes);
  }
  const after = await datasetBytes(redis);
  await redis.sendCommand(["FLUSHALL", "SYNC"]);
  return Math.round((after - before) / READERS_FOR_MEMORY);
}

/** The Set-Cookie header cookie mode would send for this session (a real iron seal of {v, s, r}, as cookie-store.ts seals). */
async function cookieHeaderBytes(seen: SeqSet, read: SeqSet): Promise<number> {
  const seal = await sealData({ v: 1, s: encodeSeenSet(seen), r: encodeSeenSet(read) }, { password: SEAL_PASSWORD, ttl: TTL_SECONDS });
  return setCookieBytes(COOKIE_NAMES.cookieSession, seal, COOKIE_OPTIONS);
}

/** A fresh key's state after `claims` claims of PAGE_LIMIT by the real script: the bitmap grown by BITFIELD, as in the app. */
async function claimGrownUsage(redis: Redis, size: number, claims: number): Promise<{ valueBytes: number; memoryUsage: number }> {
  const keys = sessionKeys(newSid());
  for (let i = 0; i < claims; i++) {
    await redis.evalSha(CLAIM_SCRIPT.sha1, { keys: [keys.seen, keys.read], arguments: claimArguments(size, "") });
  }
  const valueBytes = Number(await redis.strLen(keys.seen));
  const usage = await memoryUsage(redis, keys.seen);
  await redis.del([keys.seen, keys.read]);
  return { valueBytes, memoryUsage: usage };
}

function claimArguments(maxSeq: number, maskHex: string): string[] {
  // The deadline is generous: this measures the script, not the app's write budget.
  return [PAGE_LIMIT, maxSeq, TTL_SECONDS, maskHex, Date.now() + 60_000].map(String);
}

/**
 * The window's bitmap in ring layout: seq s lives at bit (s mod W), MSB first, so sliding the
 * window never shifts the string, it only clears the slots it reuses. `highWater` (the newest seq
 * the window covers) is what is stored beside it: the bits hold the seqs in (highWater − W, highWater].
 */
function windowRing(seen: SeqSet, highWater: number, width: number): Buffer {
  const bytes = Buffer.alloc(Math.ceil(width / 8));
  for (const seq of seen.descending(highWater + 1)) {
    if (seq <= highWater - width) break;
    const slot = seq % width;
    bytes[slot >> 3] = bytes[slot >> 3]! | (0x80 >> (slot & 7));
  }
  return bytes;
}

/** The same window as the cookie would carry it: seqs relative to the window's start, through the app's codec. */
function windowCodecLength(seen: SeqSet, highWater: number, width: number): number {
  const base = highWater - width;
  const relative = SeqSet.empty();
  for (const seq of seen.descending(highWater + 1)) {
    if (seq <= base) break;
    relative.add(seq - base);
  }
  // + the base itself beside it, as decimal digits in the sealed JSON.
  return encodeSeenSet(relative).length + String(base).length;
}

function withHighWaterHeader(highWater: number, ring: Buffer): Buffer {
  const header = Buffer.alloc(4);
  header.writeUInt32BE(highWater);
  return Buffer.concat([header, ring]);
}

// ---------- Bloom filter ----------

class BloomFilter {
  readonly bits: number;
  readonly hashes: number;
  readonly bytes: Buffer;

  constructor(items: number, falsePositiveRate: number) {
    this.bits = Math.ceil((-items * Math.log(falsePositiveRate)) / Math.LN2 ** 2);
    this.hashes = Math.max(1, Math.round((this.bits / items) * Math.LN2));
    this.bytes = Buffer.alloc(Math.ceil(this.bits / 8));
  }

  /** Double hashing (Kirsch–Mitzenmacher): index_i = h1 + i·h2 mod m, h1 and h2 from one SHA-256. */
  private *indexes(item: number): Generator<number> {
    const digest = createHash("sha256").update(String(item)).digest();
    const h1 = digest.readUInt32BE(0);
    const h2 = (digest.readUInt32BE(4) | 1) >>> 0; // odd, so never 0; `>>> 0` keeps it unsigned after the bitwise or
    for (let i = 0; i < this.hashes; i++) yield (h1 + i * h2) % this.bits;
  }

  add(item: number): void {
    for (const index of this.indexes(item)) this.bytes[index >> 3] = this.bytes[index >> 3]! | (0x80 >> (index & 7));
  }

  has(item: number): boolean {
    for (const index of this.indexes(item)) if ((this.bytes[index >> 3]! & (0x80 >> (index & 7))) === 0) return false;
    return true;
  }
}

// ---------- claim throughput ----------

interface ClaimRun {
  scenario: string;
  catalogue: number;
  readers: number;
  section: boolean;
  claims: number;
  errors: number;
  seconds: number;
  claimsPerSecond: number;
  redisCpuSeconds: number;
  redisCpuUsPerClaim: number;
  /** Redis CPU ÷ wall time: near 1 means Redis, not this client, was the limit. */
  redisUtilisation: number;
  clientCpuUtilisation: number;
  /** 1 / CPU per claim: what one fully busy Redis core would do. Derived. */
  claimsPerRedisCoreSecond: number;
}

async function claimThroughput(redis: Redis, scenario: string, catalogue: number, readers: number, section: boolean): Promise<ClaimRun> {
  await redis.sendCommand(["FLUSHALL", "SYNC"]);
  const random = prng(catalogue + readers);
  // Each reader starts having seen the newest 200: the walk down from maxSeq skips them, as in the app.
  const history = Buffer.from(PROFILES[0]!.build(catalogue, random).toBytes());
  const sids = Array.from({ length: readers }, newSid);
  for (let start = 0; start < readers; start += 50) {
    await Promise.all(sids.slice(start, start + 50).map((sid) => redis.set(sessionKeys(sid).seen, history, { EX: TTL_SECONDS })));
  }
  // A section feed passes the section's members as a hex mask (kv-store.ts); one section of six, as the catalogue's.
  const maskHex = section ? Buffer.from(sample(catalogue, 1 / 6, random).toBytes()).toString("hex") : "";
  const keyArrays = sids.map((sid) => {
    const keys = sessionKeys(sid);
    return [keys.seen, keys.read];
  });

  let next = 0;
  let claims = 0;
  let errors = 0;
  const worker = async (deadline: number) => {
    while (performance.now() < deadline && claims + errors < CLAIM_MAX) {
      const keys = keyArrays[next++ % readers]!;
      try {
        const reply = (await redis.evalSha(CLAIM_SCRIPT.sha1, { keys, arguments: claimArguments(catalogue, maskHex) })) as unknown[];
        if (reply.length < 2) throw new Error(`unexpected claim reply ${JSON.stringify(reply)}`);
        claims++;
      } catch (error) {
        errors++;
        if (errors === 1) console.warn(`  claim failed: ${(error as Error).message}`);
      }
    }
  };
  // Warm-up: the script's first run per process compiles it; allocator and caches settle.
  await Promise.all(Array.from({ length: IN_FLIGHT }, () => worker(performance.now() + 300)));
  claims = 0;
  errors = 0;

  const cpuBefore = await redisCpuSeconds(redis);
  const clientBefore = process.cpuUsage();
  const started = performance.now();
  await Promise.all(Array.from({ length: IN_FLIGHT }, () => worker(started + CLAIM_SECONDS * 1000)));
  const seconds = (performance.now() - started) / 1000;
  const client = process.cpuUsage(clientBefore);
  const cpu = (await redisCpuSeconds(redis)) - cpuBefore;
  await redis.sendCommand(["FLUSHALL", "SYNC"]);
  return {
    scenario,
    catalogue,
    readers,
    section,
    claims,
    errors,
    seconds: round(seconds, 2),
    claimsPerSecond: Math.round(claims / seconds),
    redisCpuSeconds: round(cpu, 3),
    redisCpuUsPerClaim: round((cpu / claims) * 1e6, 1),
    redisUtilisation: round(cpu / seconds, 2),
    clientCpuUtilisation: round((client.user + client.system) / 1e6 / seconds, 2),
    claimsPerRedisCoreSecond: Math.round(claims / cpu),
  };
}

// ---------- output helpers ----------

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;
const n = (value: number) => value.toLocaleString("en-US");
const percent = (rate: number) => `${(rate * 100).toFixed(2)}%`;

function table(headers: string[], rows: Array<Array<string | number>>): string {
  const cells = [headers, ...rows.map((row) => row.map((cell) => (typeof cell === "number" ? n(cell) : cell)))];
  const widths = headers.map((_, i) => Math.max(...cells.map((row) => row[i]!.length)));
  const line = (row: string[]) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join("  ");
  return [line(cells[0]!), widths.map((w) => "-".repeat(w)).join("  "), ...cells.slice(1).map(line)].join("\n");
}

async function main(): Promise<void> {
  const startedAt = performance.now();
  const machine = { cpuModel: os.cpus()[0]?.model ?? "unknown", cores: os.cpus().length, os: `${os.type()} ${os.release()}`, node: process.version };
  // AOF everysec, as the demo runs Redis: its writes are part of a claim's CPU.
  const server = await startRedis({ aof: "everysec", supervise: false });
  const redis: Redis = createClient({ url: server.url });
  redis.on("error", (error: Error) => console.warn(`[scaling] redis: ${error.message}`));
  try {
    await redis.connect();
    const version = (await info(redis, "server")).get("redis_version") ?? "?";
    // No automatic AOF rewrite mid-measurement: its fork would land in some scenario's CPU and not another's.
    await redis.sendCommand(["CONFIG", "SET", "auto-aof-rewrite-percentage", "0"]);
    const loaded = String(await redis.sendCommand(["SCRIPT", "LOAD", CLAIM_SCRIPT.source]));
    if (loaded !== CLAIM_SCRIPT.sha1) throw new Error(`SCRIPT LOAD answered ${loaded}, expected ${CLAIM_SCRIPT.sha1}`);
    console.log(`[scaling] redis-server ${version} on 127.0.0.1:${server.port}; ${machine.cpuModel}, ${machine.cores} cores, Node ${machine.node}\n`);

    // 1. Full bitmaps: memory per reader, and the cookie for comparison.
    const memory = [];
    for (const catalogue of CATALOGUES) {
      const grown = await claimGrownUsage(redis, catalogue, 20);
      for (const profile of PROFILES) {
        const random = prng(catalogue + profile.name.length);
        const seen = profile.build(catalogue, random);
        const read = readSubset(seen, random);
        const seenBytes = Buffer.from(seen.toBytes());
        const key = sessionKeys(newSid()).seen;
        await redis.set(key, seenBytes);
        const usage = await memoryUsage(redis, key);
        await redis.del(key);
        const codecChars = encodeSeenSet(seen).length;
        const setCookie = await cookieHeaderBytes(seen, read);
        memory.push({
          catalogue,
          profile: profile.name,
          seenCount: seen.count(),
          valueBytes: seenBytes.length,
          memoryUsage: usage,
          // Only the newest-200 profile is what 20 claims of 10 make; its claim-grown figure is measured, the others' are not.
          claimGrown: profile === PROFILES[0] ? grown : null,
          readerBytes: await bytesPerReader(redis, [
            ["seen", seenBytes],
            ["read", Buffer.from(read.toBytes())],
          ]),
          codecChars,
          readCodecChars: encodeSeenSet(read).length,
          setCookieBytes: setCookie,
          fitsCookie: setCookie <= MAX_COOKIE_BYTES,
        });
      }
    }
    console.log("1. Full bitmap per reader (MEMORY USAGE of the seen key after SET of SeqSet.toBytes(); reader = seen + read keys with TTL, used_memory)");
    console.log(
      table(
        ["catalogue", "profile", "seen", "value B", "MEMORY USAGE B", "claim-grown B", "reader B", "codec chars", "read codec", "Set-Cookie B", "≤ 4096?"],
        memory.map((m) => [
          m.catalogue,
          m.profile,
          m.seenCount,
          m.valueBytes,
          m.memoryUsage,
          m.claimGrown ? `${n(m.claimGrown.memoryUsage)} (${n(m.claimGrown.valueBytes)})` : "",
          m.readerBytes,
          m.codecChars,
          m.readCodecChars,
          m.setCookieBytes,
          m.fitsCookie ? "yes" : "no",
        ]),
      ),
    );

    // 2. Windowed bitmaps on the largest catalogue: the size no longer depends on it.
    const windowed = [];
    const catalogue = CATALOGUES[CATALOGUES.length - 1]!;
    for (const width of WINDOWS) {
      for (const profile of PROFILES) {
        const random = prng(width + profile.name.length);
        const seen = profile.build(catalogue, random);
        const read = readSubset(seen, random);
        const ring = windowRing(seen, catalogue, width);
        const inValue = withHighWaterHeader(catalogue, ring);
        const sid = newSid();
        const key = sessionKeys(sid).seen;
        await redis.set(key, inValue);
        const headerUsage = await memoryUsage(redis, key);
        await redis.set(key, ring);
        await redis.set(`${key}:hw`, String(catalogue));
        const ringUsage = await memoryUsage(redis, key);
        const highWaterUsage = await memoryUsage(redis, `${key}:hw`);
        await redis.del([key, `${key}:hw`]);
        windowed.push({
          window: width,
          catalogue,
          profile: profile.name,
          seenInWindow: [...seen.descending(catalogue + 1)].filter((seq) => seq > catalogue - width).length,
          valueBytes: inValue.length,
          memoryUsageHeaderInValue: headerUsage,
          memoryUsageSeparateKey: ringUsage + highWaterUsage,
          readerBytes: await bytesPerReader(redis, [
            ["seen", inValue],
            ["read", withHighWaterHeader(catalogue, windowRing(read, catalogue, width))],
          ]),
          codecChars: windowCodecLength(seen, catalogue, width),
        });
      }
    }
    console.log(`\n2. Windowed bitmap (ring over the newest W of ${n(catalogue)} articles, 4-byte high-water mark in the value or in a key of its own)`);
    console.log(
      table(
        ["W", "profile", "seen in W", "value B", "MEMORY USAGE B", "separate key B", "reader B", "codec chars"],
        windowed.map((w) => [
          w.window,
          w.profile,
          w.seenInWindow,
          w.valueBytes,
          w.memoryUsageHeaderInValue,
          w.memoryUsageSeparateKey,
          w.readerBytes,
          w.codecChars,
        ]),
      ),
    );

    // 3. Bloom filters: measured false-positive rate on items never inserted.
    const bloom = [];
    for (const items of BLOOM_ITEMS) {
      const filter = new BloomFilter(items, BLOOM_P);
      const random = prng(items);
      const inserted = new Set<number>();
      while (inserted.size < items) inserted.add(1 + Math.floor(random() * 100_000_000));
      for (const item of inserted) filter.add(item);
      for (const item of inserted) if (!filter.has(item)) throw new Error("Bloom filter lost an inserted item"); // never: no false negatives
      let falsePositives = 0;
      let queried = 0;
      while (queried < BLOOM_QUERIES) {
        const item = 1 + Math.floor(random() * 100_000_000);
        if (inserted.has(item)) continue;
        queried++;
        if (filter.has(item)) falsePositives++;
      }
      const key = `newsroom:{${newSid()}}:bloom`;
      await redis.set(key, filter.bytes);
      const usage = await memoryUsage(redis, key);
      await redis.del(key);
      bloom.push({
        items,
        p: BLOOM_P,
        bits: filter.bits,
        hashes: filter.hashes,
        bytes: filter.bytes.length,
        bitsPerItem: round(filter.bits / items, 2),
        queried,
        falsePositives,
        measuredFalsePositiveRate: round(falsePositives / queried, 5),
        expectedFalsePositiveRate: round((1 - Math.exp((-filter.hashes * items) / filter.bits)) ** filter.hashes, 5),
        memoryUsage: usage,
      });
    }
    console.log(`\n3. Bloom filter, p = ${BLOOM_P} (false positives counted over ${n(BLOOM_QUERIES)} items never inserted)`);
    console.log(
      table(
        ["n", "m bits", "k", "bytes", "bits/item", "false positives", "measured FPR", "expected FPR", "MEMORY USAGE B"],
        bloom.map((b) => [
          b.items,
          b.bits,
          b.hashes,
          b.bytes,
          b.bitsPerItem,
          b.falsePositives,
          percent(b.measuredFalsePositiveRate),
          percent(b.expectedFalsePositiveRate),
          b.memoryUsage,
        ]),
      ),
    );
    console.log("   A false positive hides an unseen article (the reader never gets it); it never shows a seen one again.");

    // 4. Claim throughput on one Redis process.
    // Two rounds in opposite orders: the VM is shared, so a burst of someone else's load shows up as a spread, not as one scenario's figure.
    const scenarios = [
      { scenario: "10k, whole feed", size: 10_000, readers: 2_000, section: false },
      { scenario: "100k, whole feed", size: 100_000, readers: 2_000, section: false },
      { scenario: "1M, whole feed", size: 1_000_000, readers: 1_000, section: false },
      { scenario: "10k, one section", size: 10_000, readers: 2_000, section: true },
    ];
    const rounds: ClaimRun[] = [];
    for (const order of [scenarios, [...scenarios].reverse()]) {
      for (const s of order) rounds.push(await claimThroughput(redis, s.scenario, s.size, s.readers, s.section));
    }
    const claims = scenarios.map(({ scenario }) => {
      const runs = rounds.filter((run) => run.scenario === scenario);
      const total = runs.reduce((sum, run) => ({ claims: sum.claims + run.claims, cpu: sum.cpu + run.redisCpuSeconds, seconds: sum.seconds + run.seconds }), {
        claims: 0,
        cpu: 0,
        seconds: 0,
      });
      const perClaim = runs.map((run) => run.redisCpuUsPerClaim);
      return {
        ...runs[0]!,
        claims: total.claims,
        errors: runs.reduce((sum, run) => sum + run.errors, 0),
        seconds: round(total.seconds, 2),
        claimsPerSecond: Math.round(total.claims / total.seconds),
        redisCpuSeconds: round(total.cpu, 3),
        redisCpuUsPerClaim: round((total.cpu / total.claims) * 1e6, 1),
        redisCpuUsPerClaimRange: [Math.min(...perClaim), Math.max(...perClaim)],
        redisUtilisation: round(total.cpu / total.seconds, 2),
        clientCpuUtilisation: round(runs.reduce((sum, run) => sum + run.clientCpuUtilisation * run.seconds, 0) / total.seconds, 2),
        claimsPerRedisCoreSecond: Math.round(total.claims / total.cpu),
        rounds: runs,
      };
    });
    console.log(
      `\n4. CLAIM_SCRIPT (EVALSHA, limit ${PAGE_LIMIT}, ${IN_FLIGHT} in flight on one connection, 2 rounds of ~${CLAIM_SECONDS} s each; AOF everysec)`,
    );
    console.log(
      table(
        ["scenario", "readers", "claims", "errors", "claims/s", "Redis CPU µs/claim (rounds)", "Redis busy", "client busy", "claims per Redis core-s"],
        claims.map((c) => [
          c.scenario,
          c.readers,
          c.claims,
          c.errors,
          c.claimsPerSecond,
          `${c.redisCpuUsPerClaim} (${c.redisCpuUsPerClaimRange.join("–")})`,
          c.redisUtilisation,
          c.clientCpuUtilisation,
          c.claimsPerRedisCoreSecond,
        ]),
      ),
    );

    const results = {
      date: new Date().toISOString(),
      command: "npm run scaling",
      machine: { ...machine, redis: version },
      settings: { ttlSeconds: TTL_SECONDS, pageLimit: PAGE_LIMIT, readShare: READ_SHARE, readersForMemory: READERS_FOR_MEMORY, bloomQueries: BLOOM_QUERIES },
      memory,
      windowed,
      bloom,
      claims,
      wallSeconds: Math.round((performance.now() - startedAt) / 1000),
    };
    mkdirSync(join("bench", "results"), { recursive: true });
    writeFileSync(join("bench", "results", "scaling.json"), `${JSON.stringify(results, null, 2)}\n`);
    console.log(`\n[scaling] wrote bench/results/scaling.json (${results.wallSeconds} s)`);
  } finally {
    await redis.quit().catch(() => {});
    await server.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
