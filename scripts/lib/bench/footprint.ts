/**
 * Memory per reader, weighed where each mode keeps its readers (npm run bench: "Memory per 10,000
 * readers"). For every entry of FOOTPRINTS: `warmUp` readers first (not counted: they load the
 * mode's code and open its connections), weigh the place, then `readers` new readers who each read
 * ONE page of 10 articles (one POST /api/feed {"limit":10}, under round-robin, from a 10,000-article
 * catalogue, so each seen-set spans the whole catalogue's newest end), weigh again. The growth,
 * divided by the readers, is one reader's cost there; for a place that also grows with the
 * requests themselves (a heap), minus what as many requests of a control mode grew it by. The
 * browser's share (the session cookie it keeps and sends back) is read from every mode's
 * Set-Cookie headers.
 *
 * Adding a mode is one entry: its name, where its state lives, and how to weigh that place now.
 */
import type pg from "pg";
import { Pool } from "undici";
import type { createClient } from "redis";
import { SESSIONS_TABLE } from "../../../lib/session/db/db-store";
import type { Stack } from "../stack";
import { SESSION_COOKIES } from "./driver";

export interface FootprintContext {
  stack: Stack;
  /** A client of the stack's Redis. */
  redis: ReturnType<typeof createClient>;
  /** A connection to the app's database on the stack's PostgreSQL. */
  db: pg.Client;
}

/** Bytes held now, by place: an instance id, "redis", the table's name. */
type Weighing = Record<string, number>;

export interface Footprint {
  mode: string;
  /** Where a reader's state lives, as the report says it. */
  where: string;
  /** Weighs that place now; null: nothing lives on the server (cookie mode). */
  measure: ((context: FootprintContext) => Promise<Weighing>) | null;
  /**
   * A mode whose requests store nothing where `measure` looks (default none). Its requests run in
   * chunks alternating with the readers', and what they grew the place by is subtracted: an
   * instance's heap also grows with the requests it serves, whatever they store (measured here,
   * 0.3 to 2.5 KB per request through Next.js, 404s included, not levelling off over 24,000
   * requests; the front door's own /api/health, nothing), so without it the memory figure would
   * be mostly the requests'.
   */
  control?: string;
  /**
   * Wait this long before each weighing (default 0). A heap keeps some of a burst's garbage alive
   * for a moment after it (timers, sockets): weighed at once, a burst of 3,000 requests read
   * between −0.4 and +1.5 MB; two seconds later, steadily lower.
   */
  settleMs?: number;
}

/**
 * Every instance's process after full garbage collections, in two places each: V8's heap in use,
 * and the ArrayBuffer backing stores (where a memory-mode seen-set's bytes live: exact, while the
 * heap's figure is the noisy one). scripts/instance-server.mjs answers /__bench/heap when
 * BENCH_HEAP_PROBE=1.
 */
async function instanceHeaps({ stack }: FootprintContext): Promise<Weighing> {
  const up = stack.cluster.list().filter((instance) => instance.status === "up");
  const weighed = await Promise.all(
    up.map(async (instance) => {
      const response = await fetch(`http://127.0.0.1:${instance.port}/__bench/heap`);
      if (!response.ok) throw new Error(`instance ${instance.id}: /__bench/heap answered ${response.status} (started without BENCH_HEAP_PROBE=1?)`);
      const { heapUsedBytes, arrayBufferBytes } = (await response.json()) as { heapUsedBytes: number; arrayBufferBytes: number };
      return [
        [`${instance.id} heap`, heapUsedBytes],
        [`${instance.id} ArrayBuffers`, arrayBufferBytes],
      ] as const;
    }),
  );
  return Object.fromEntries(weighed.flat());
}

async function redisUsedMemory({ redis }: FootprintContext): Promise<Weighing> {
  const info = await redis.info("memory");
  const match = /^used_memory:(\d+)/m.exec(info);
  if (!match) throw new Error("INFO memory has no used_memory line");
  return { redis: Number(match[1]) };
}

/** The table, its indexes and its TOAST table: what PostgreSQL keeps on disk (and caches) for the sessions. */
async function sessionsTableSize({ db }: FootprintContext): Promise<Weighing> {
  const { rows } = await db.query<{ bytes: string }>("SELECT pg_total_relation_size($1::regclass) AS bytes", [SESSIONS_TABLE]);
  return { [SESSIONS_TABLE]: Number(rows[0]!.bytes) };
}

export const FOOTPRINTS: readonly Footprint[] = [
  { mode: "cookie", where: "the reader's browser: the sealed nr_session cookie", measure: null },
  {
    mode: "memory",
    where: "the heap of the instance that served the reader (V8 heap used + ArrayBuffers after a full GC), summed over instances",
    measure: instanceHeaps,
    control: "cookie",
    settleMs: 2_000,
  },
  {
    mode: "replicated",
    where: "the heap of EVERY instance (each holds a replica of every reader), summed over instances: divide by the instance count for one instance's share",
    measure: instanceHeaps,
    control: "cookie",
    settleMs: 2_000,
  },
  { mode: "kv", where: "Redis (INFO memory: used_memory)", measure: redisUsedMemory },
  { mode: "db", where: `PostgreSQL: the ${SESSIONS_TABLE} table with its indexes (pg_total_relation_size)`, measure: sessionsTableSize },
];

export interface FootprintFigures {
  mode: string;
  where: string;
  /** Readers weighed (10,000, or fewer with --quick). */
  readers: number;
  /** Growth of each place for those readers, bytes; empty when nothing lives on the server. */
  byPlace: Record<string, number>;
  /** Sum over places, bytes; null when nothing lives on the server. */
  bytes: number | null;
  bytesPerReader: number | null;
  /** bytesPerReader × 10,000: the headline figure, whatever `readers` was. */
  per10kReaders: number | null;
  /** The session cookie (name=value) the browser keeps and sends with every request, bytes per reader. */
  browserBytesPerReader: number;
  /** Feed requests that answered 503 (store too slow; nothing recorded) and were tried again, warm-up included. */
  retried503: number;
  /** With a control mode: what its requests grew the place by, bytes per request (subtracted from `bytes`); else null. */
  controlBytesPerRequest: number | null;
}

/** Readers in flight at once while creating them. */
const CONCURRENCY = 32;
/** A 503 (the store did not answer in time; nothing was recorded) is tried again, as a reader presses "Try again", at most this often. */
const RETRIES = 5;

/**
 * `count` new readers of `mode`, one feed page each. Returns the session-cookie bytes they were
 * handed, summed, and how many 503s were tried again.
 */
async function createReaders(url: string, mode: string, count: number): Promise<{ cookieBytes: number; retried: number }> {
  const pool = new Pool(url, { connections: CONCURRENCY });
  let next = 0;
  let cookieBytes = 0;
  let retried = 0;
  try {
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < count) {
          next++;
          for (let attempt = 0; ; attempt++) {
            // nr_mode is not secret (a forged value only picks a store): a new reader in that mode, as after a switch.
            const response = await pool.request({
              path: "/api/feed",
              method: "POST",
              headers: { "content-type": "application/json", cookie: `nr_mode=${mode}` },
              body: JSON.stringify({ limit: 10 }),
            });
            const text = await response.body.text();
            if (response.statusCode === 503 && attempt < RETRIES) {
              retried++;
              await new Promise((resolve) => setTimeout(resolve, 200));
              continue;
            }
            if (response.statusCode !== 200) throw new Error(`a new ${mode} reader's feed page answered ${response.statusCode}: ${text.slice(0, 200)}`);
            const setCookie = response.headers["set-cookie"];
            for (const line of setCookie === undefined ? [] : Array.isArray(setCookie) ? setCookie : [setCookie]) {
              const pair = line.split(";")[0]!;
              if (SESSION_COOKIES.has(pair.slice(0, pair.indexOf("=")))) cookieBytes += pair.length;
            }
            break;
          }
        }
      }),
    );
  } finally {
    await pool.close();
  }
  return { cookieBytes, retried };
}

/** Readers enough to read a cookie's size: with nothing on the server, weighing 10,000 would only take time. */
const BROWSER_ONLY_READERS = 100;

export interface WeighingPlan {
  /** New readers weighed per mode. */
  readers: number;
  /** Readers created first and not weighed (code loaded, connections opened). */
  warmUp: number;
  /** With a control mode, the readers and as many control requests run in this many alternating chunks, so drift hits both alike. */
  chunks: number;
  /** The longest settleMs honoured (a quick run does not wait). */
  maxSettleMs: number;
}

/** Weighs one mode's readers (see the top of this file). */
export async function measureFootprint(context: FootprintContext, footprint: Footprint, options: WeighingPlan): Promise<FootprintFigures> {
  const { measure } = footprint;
  if (!measure) {
    const readers = Math.min(options.readers, BROWSER_ONLY_READERS);
    const { cookieBytes, retried } = await createReaders(context.stack.url, footprint.mode, readers);
    const nothing = { byPlace: {}, bytes: null, bytesPerReader: null, per10kReaders: null };
    return {
      mode: footprint.mode,
      where: footprint.where,
      readers,
      ...nothing,
      browserBytesPerReader: Math.round(cookieBytes / readers),
      retried503: retried,
      controlBytesPerRequest: null,
    };
  }
  const { url } = context.stack;
  const settle = Math.min(footprint.settleMs ?? 0, options.maxSettleMs);
  const weigh = async () => {
    if (settle > 0) await new Promise((resolve) => setTimeout(resolve, settle));
    return measure(context);
  };
  const readersGrowth: Weighing = {};
  const controlGrowth: Weighing = {};
  let retried = (await createReaders(url, footprint.mode, options.warmUp)).retried;
  if (footprint.control) retried += (await createReaders(url, footprint.control, options.warmUp)).retried;
  let cookieBytes = 0;
  // Weighed between phases: each weighing ends one phase's growth and starts the next one's.
  let last = await weigh();
  const grew = async (into: Weighing) => {
    const now = await weigh();
    for (const [place, bytes] of Object.entries(now)) into[place] = (into[place] ?? 0) + bytes - (last[place] ?? 0);
    last = now;
  };
  const chunks = footprint.control ? options.chunks : 1;
  for (let chunk = 0; chunk < chunks; chunk++) {
    // Equal shares, the remainder in the last chunk: `readers` in all.
    const size = chunk < chunks - 1 ? Math.floor(options.readers / chunks) : options.readers - Math.floor(options.readers / chunks) * (chunks - 1);
    if (footprint.control) {
      retried += (await createReaders(url, footprint.control, size)).retried;
      await grew(controlGrowth);
    }
    const created = await createReaders(url, footprint.mode, size);
    await grew(readersGrowth);
    cookieBytes += created.cookieBytes;
    retried += created.retried;
  }
  const byPlace = Object.fromEntries(Object.entries(readersGrowth).map(([place, bytes]) => [place, bytes - (controlGrowth[place] ?? 0)]));
  const bytes = Object.values(byPlace).reduce((sum, b) => sum + b, 0);
  const controlBytes = Object.values(controlGrowth).reduce((sum, b) => sum + b, 0);
  return {
    mode: footprint.mode,
    where: footprint.where,
    readers: options.readers,
    byPlace,
    bytes,
    bytesPerReader: Math.round(bytes / options.readers),
    per10kReaders: Math.round((bytes / options.readers) * 10_000),
    browserBytesPerReader: Math.round(cookieBytes / options.readers),
    retried503: retried,
    controlBytesPerRequest: footprint.control ? Math.round(controlBytes / options.readers) : null,
  };
}
