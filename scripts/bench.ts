/**
 * npm run bench [-- --duration 20] [-- --quick] [-- --redis cluster]: what each session strategy costs, side by side,
 * on the production cluster (3 instances + balancer + Redis + bridge + PostgreSQL,
 * CATALOGUE_SIZE=10000, ENABLE_BENCH_MODES=1). Loopback only, bounded, stops by itself.
 * --redis cluster runs something else: kv over both transports on one Redis vs on a Redis Cluster
 * (lib/bench/redis-cluster-bench.ts, bench/results/redis-cluster.json).
 *
 * 0. Memory per reader where each mode keeps it (footprint.ts): 10,000 new readers per mode (200
 *    with --quick), one page each; the instances' heaps, Redis, the sessions table. First, on
 *    empty stores.
 * 1. Variants (variants.ts: baseline, cookie, kv over REST, kv over the Redis protocol, db,
 *    memory, memory-sticky, kv-textbook): 50 virtual readers each POST /api/feed {"limit":10}
 *    back to back. After a warm-up round of every variant, each variant's time is split over
 *    rounds in alternating order, so drift hits all alike. Per variant: throughput, latency, the
 *    CPU each part of the stack spent per request (instances, balancer + bridge, Redis,
 *    PostgreSQL; cpu.ts), so the cost of a session strategy reads as microseconds over the no-op
 *    baseline, and the store round trips per request (KV bridge requests, Redis scripts,
 *    PostgreSQL statements from pg_stat_statements).
 * 2. Parallel tabs: each reader sends 4 feed requests at once; duplicates per variant that asks for it.
 * 3. History: p50 latency for readers with 9,000 seen articles vs fresh ones, per variant that asks for it.
 * 4. Cookie bytes vs articles seen, in feed order and with a random subset opened.
 * Prints every target with PASS/FAIL, writes bench/results/latest.json (+ a dated copy) and
 * docs/benchmarks.md with SVG charts. --quick (1 s per variant, small scenarios) writes
 * bench/results/quick.json only: a smoke test of the harness, run by npm test, with no timing
 * assertion anywhere.
 */
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { cpus } from "node:os";
import pg from "pg";
import { createClient as createRedisClient } from "redis";
import { benchRedisCluster } from "./lib/bench/redis-cluster-bench";
import { startStack, type Stack } from "./lib/stack";
import type { LocalPostgres } from "./lib/postgres-server";
import { inFeedOrder, randomOpened } from "./lib/bench/cookie-curve";
import { addCpu, CPU_GROUPS, cpuSince, NO_CPU, readCpu, totalCpu, type CpuParts } from "./lib/bench/cpu";
import { FOOTPRINTS, measureFootprint, type FootprintFigures, type WeighingPlan } from "./lib/bench/footprint";
import { LoadGenerator } from "./lib/bench/load-client";
import { evaluateTargets, nodeProxyReference, writeResults, type BenchResults, type HistoryFigures, type VariantFigures } from "./lib/bench/report";
import { VARIANTS, type Variant, type VariantName } from "./lib/bench/variants";
import { ReaderClient } from "./lib/reader-client";
import { sealData as webCryptoSeal, unsealData as webCryptoUnseal } from "iron-session";
import { sealData, unsealData } from "../lib/session/cookie/iron-seal";

const CATALOGUE_SIZE = 10_000;
/** Measured rounds per variant (alternating order; a warm-up round of every variant comes first): full run, --quick. */
const ROUNDS = { full: 4, quick: 1 };
/** How the memory figures are weighed (footprint.ts): full run, --quick (a smoke test: few readers, no waiting, rough figures). */
const FOOTPRINT_PLAN: Record<"full" | "quick", WeighingPlan> = {
  full: { readers: 10_000, warmUp: 500, chunks: 5, maxSettleMs: 2_000 },
  quick: { readers: 100, warmUp: 20, chunks: 1, maxSettleMs: 0 },
};

function flags() {
  const { values } = parseArgs({
    options: {
      duration: { type: "string" },
      quick: { type: "boolean", default: false },
      readers: { type: "string" },
      only: { type: "string" },
      redis: { type: "string", default: "single" },
    },
  });
  if (values.redis !== "single" && values.redis !== "cluster") throw new Error(`--redis must be single or cluster, got "${values.redis}"`);
  const quick = values.quick!;
  const duration = Number(values.duration ?? (quick ? 1 : 20));
  // --quick is a smoke test of the harness: 20 readers keep every phase short (its figures are rough anyway).
  const readers = Number(values.readers ?? (quick ? 20 : 50));
  if (!Number.isFinite(duration) || duration <= 0 || duration > 300) throw new Error(`--duration must be 1..300 seconds, got ${values.duration}`);
  if (!Number.isInteger(readers) || readers < 1 || readers > 200) throw new Error(`--readers must be 1..200, got ${values.readers}`);
  // --only cookie,kv: a focused run for profiling; the baseline is always included, nothing is written.
  const only = values.only ? new Set(["baseline", ...values.only.split(",")]) : null;
  const unknown = only ? [...only].filter((name) => !VARIANTS.some((v) => v.name === name)) : [];
  if (unknown.length > 0) throw new Error(`--only: unknown variant(s) ${unknown.join(", ")}; variants are ${VARIANTS.map((v) => v.name).join(", ")}`);
  return { quick, durationMs: duration * 1000, rounds: quick ? ROUNDS.quick : ROUNDS.full, readers, only, redis: values.redis };
}

async function adminPut(stack: Stack, path: string, body: unknown): Promise<void> {
  const response = await fetch(`${stack.url}/__cluster${path}`, {
    method: "PUT",
    headers: { Authorization: `Bearer ${stack.adminToken}`, "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`could not PUT /__cluster${path} ${JSON.stringify(body)}: ${response.status} ${await response.text()}`);
}

async function setPolicy(stack: Stack, policy: string): Promise<void> {
  await adminPut(stack, "/policy", { policy });
}

/** The balancer policy, and replicated mode's setting where the variant names one, before it runs. */
async function configure(stack: Stack, variant: Variant): Promise<void> {
  await setPolicy(stack, variant.policy);
  if (variant.replication) await adminPut(stack, "/replication", { mode: variant.replication, lagMs: 0 });
}

/** KV round trips so far, not counting the PINGs of the instances' health checks. */
function kvRoundTrips(stack: Stack): number {
  const stats = stack.kv.bridge?.stats();
  return stats ? stats.requests - (stats.byCommand.PING ?? 0) : Number.NaN;
}

type RedisClient = ReturnType<typeof createRedisClient>;

/**
 * Statements the instances run on their own, not for a request: the readiness probe's SELECT 1 and
 * the sweeper's (lib/session/db/sweeper.ts). Everything else counts as a round trip of a request.
 */
const DB_BACKGROUND_STATEMENTS = [/^SELECT \$1$/, /pg_try_advisory_lock|pg_advisory_unlock|FOR UPDATE SKIP LOCKED/];

/**
 * Statements the app's database has been sent so far (pg_stat_statements: every top-level
 * statement, one per round trip with node-postgres), background ones left out.
 */
async function dbStatements(admin: pg.Client, database: string): Promise<number> {
  const { rows } = await admin.query<{ query: string; calls: string }>(
    "SELECT s.query, s.calls FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = $1",
    [database],
  );
  return rows.filter((row) => !DB_BACKGROUND_STATEMENTS.some((pattern) => pattern.test(row.query.trim()))).reduce((sum, row) => sum + Number(row.calls), 0);
}

/** The superuser's connection (pg_stat_statements lives in the `postgres` database) and the app's own. */
async function connectDb(postgres: LocalPostgres): Promise<{ admin: pg.Client; app: pg.Client; database: string }> {
  const admin = new pg.Client({ connectionString: postgres.adminUrl });
  const app = new pg.Client({ connectionString: postgres.url });
  await Promise.all([admin.connect(), app.connect()]);
  await admin.query("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
  return { admin, app, database: new URL(postgres.url).pathname.slice(1) };
}

/**
 * Lua scripts Redis has been asked to run so far (EVAL, EVALSHA and their _RO forms, from INFO
 * commandstats). Scripts, because every other count there includes the commands a script calls
 * inside Redis: a claim is one EVALSHA on the wire and a dozen GETRANGE/SETBIT/EXPIRE in the stats.
 */
async function redisScriptRuns(redis: RedisClient): Promise<number> {
  const info = await redis.info("commandstats");
  let total = 0;
  for (const match of info.matchAll(/^cmdstat_(evalsha|eval|evalsha_ro|eval_ro):calls=(\d+)/gm)) total += Number(match[2]);
  return total;
}

interface Measured {
  figures: Record<VariantName, VariantFigures>;
  driverUtilization: Record<string, number>;
  controlUtilization: Record<string, number>;
}

async function runVariants(
  stack: Stack,
  redis: RedisClient,
  db: { admin: pg.Client; database: string },
  load: LoadGenerator,
  options: { readers: number; durationMs: number; rounds: number; warmupMs: number; only: Set<string> | null },
): Promise<Measured> {
  const chosen = VARIANTS.filter((v) => !options.only || options.only.has(v.name));
  const kvTrips = new Map<VariantName, number>();
  const redisScripts = new Map<VariantName, number>();
  const dbTrips = new Map<VariantName, number>();
  const cpu = new Map<VariantName, CpuParts>();
  /** Per measured round: CPU µs per request of the whole stack and of the instances, for round-by-round differences. */
  const perRound = new Map<VariantName, { total: number[]; instances: number[] }>();
  const cpuSources = {
    instancePids: () => stack.cluster.list().flatMap((instance) => (instance.pid === null ? [] : [instance.pid])),
    balancerPid: () => stack.haproxy.masterPid,
    redisPids: () => (stack.kv.redis ? [stack.kv.redis.pid()] : []),
    postgresPid: () => stack.db.postgres?.pid() ?? null,
  };
  /** How busy this process (the control plane and the KV bridge) was while each variant was measured. */
  const mainBusy = new Map<VariantName, number>();
  // Warm-up round: every variant runs before any is measured, so no variant pays for cold instances
  // (or for loading its Lua scripts into Redis).
  for (const variant of chosen) {
    await configure(stack, variant);
    await load.setup(variant.name, stack.url, variant.mode, options.readers);
    await load.run(variant.name, { durationMs: options.warmupMs, measure: false });
    kvTrips.set(variant.name, 0);
    redisScripts.set(variant.name, 0);
    dbTrips.set(variant.name, 0);
    cpu.set(variant.name, NO_CPU);
    perRound.set(variant.name, { total: [], instances: [] });
  }
  for (let round = 0; round < options.rounds; round++) {
    const order = round % 2 === 0 ? [...chosen] : [...chosen].reverse();
    for (const variant of order) {
      await configure(stack, variant);
      const tripsBefore = kvRoundTrips(stack);
      const callsBefore = await redisScriptRuns(redis);
      const statementsBefore = await dbStatements(db.admin, db.database);
      const loopBefore = performance.eventLoopUtilization();
      const requestsBefore = (await load.result(variant.name)).tally.requests;
      const cpuBefore = readCpu(cpuSources);
      await load.run(variant.name, { durationMs: options.durationMs / options.rounds, measure: true });
      const spent = cpuSince(cpuBefore, readCpu(cpuSources));
      cpu.set(variant.name, addCpu(cpu.get(variant.name)!, spent));
      const requests = (await load.result(variant.name)).tally.requests - requestsBefore;
      const rounds = perRound.get(variant.name)!;
      rounds.total.push(Math.round((totalCpu(spent) * 1000) / Math.max(1, requests)));
      rounds.instances.push(Math.round((spent.instances * 1000) / Math.max(1, requests)));
      const loop = performance.eventLoopUtilization(loopBefore);
      mainBusy.set(variant.name, (mainBusy.get(variant.name) ?? 0) + loop.active / (loop.active + loop.idle) / options.rounds);
      kvTrips.set(variant.name, kvTrips.get(variant.name)! + kvRoundTrips(stack) - tripsBefore);
      redisScripts.set(variant.name, redisScripts.get(variant.name)! + (await redisScriptRuns(redis)) - callsBefore);
      dbTrips.set(variant.name, dbTrips.get(variant.name)! + (await dbStatements(db.admin, db.database)) - statementsBefore);
      console.log(`[bench] round ${round + 1}/${options.rounds} ${variant.name}`);
    }
  }
  await setPolicy(stack, "round-robin");
  const figures = {} as Record<VariantName, VariantFigures>;
  const driverUtilization: Record<string, number> = {};
  const controlUtilization: Record<string, number> = {};
  for (const variant of chosen) {
    const { histogram, tally, repeats, driverUtilization: busy } = await load.result(variant.name);
    await load.drop(variant.name);
    driverUtilization[variant.name] = busy;
    controlUtilization[variant.name] = round3(mainBusy.get(variant.name) ?? 0);
    const spent = cpu.get(variant.name)!;
    const perRequestUs = (ms: number) => Math.round((ms * 1000) / tally.requests);
    figures[variant.name] = {
      rps: round1(tally.requests / (tally.elapsedMs / 1000)),
      p50: ms(histogram.getValueAtPercentile(50)),
      p90: ms(histogram.getValueAtPercentile(90)),
      p99: ms(histogram.getValueAtPercentile(99)),
      errors: tally.errors,
      repeats,
      kvRoundTripsPerRequest: round3(kvTrips.get(variant.name)! / tally.requests),
      redisScriptsPerRequest: round3(redisScripts.get(variant.name)! / tally.requests),
      dbStatementsPerRequest: round3(dbTrips.get(variant.name)! / tally.requests),
      cpuUsPerRequest: {
        ...(Object.fromEntries(CPU_GROUPS.map(({ key }) => [key, perRequestUs(spent[key])])) as CpuParts),
        total: perRequestUs(totalCpu(spent)),
        byRound: perRound.get(variant.name)!,
      },
      cookieBytes: Math.round(tally.cookieBytes / tally.requests),
      requests: tally.requests,
    };
  }
  return { figures, driverUtilization, controlUtilization };
}

/** Parallel tabs: every round, a reader sends 4 feed requests at once with the same cookies. */
async function parallelDuplicates(stack: Stack, mode: string, readerCount: number, rounds: number): Promise<{ duplicates: number; articles: number }> {
  let duplicates = 0;
  let articles = 0;
  await Promise.all(
    Array.from({ length: readerCount }, async () => {
      const reader = new ReaderClient(stack.url);
      await reader.setMode(mode);
      const received = new Set<string>();
      for (let round = 0; round < rounds; round++) {
        const pages = await Promise.all(Array.from({ length: 4 }, () => reader.feed(10)));
        for (const page of pages) {
          if (page.status !== 200) continue;
          for (const article of page.body.articles) {
            articles++;
            if (received.has(article.id)) duplicates++;
            received.add(article.id);
          }
        }
      }
    }),
  );
  return { duplicates, articles };
}

/** p50 of fresh readers vs readers who have already been shown 9,000 articles, in one mode. */
async function historyRatio(stack: Stack, load: LoadGenerator, mode: string, readerCount: number, requestsPerReader: number): Promise<HistoryFigures> {
  const seasoned = `history-${mode}-9000`;
  const fresh = `history-${mode}-0`;
  await load.setup(seasoned, stack.url, mode, readerCount);
  await load.seed(seasoned, 180, 50); // 180 x 50 = 9,000 seen
  await load.setup(fresh, stack.url, mode, readerCount);
  // Fresh, seasoned, fresh, seasoned into the same two histograms: drift hits both.
  for (let i = 0; i < 2; i++) {
    await load.run(fresh, { requestsPerReader: requestsPerReader / 2, measure: true });
    await load.run(seasoned, { requestsPerReader: requestsPerReader / 2, measure: true });
  }
  const p50At0 = ms((await load.result(fresh)).histogram.getValueAtPercentile(50));
  const p50At9000 = ms((await load.result(seasoned)).histogram.getValueAtPercentile(50));
  await load.drop(fresh);
  await load.drop(seasoned);
  return { p50At0, p50At9000, ratio: round3(p50At9000 / p50At0) };
}

/**
 * What one seal and one unseal of a cookie-mode-sized session cost in CPU ms, in this process:
 * through our iron-seal on node:crypto (what cookie mode runs) and through iron-session 8 on
 * Node's WebCrypto (what it ran before), the same Fe26.2 format.
 */
async function ironCost(): Promise<BenchResults["ironCost"]> {
  const password = "bench-iron-cost-password-of-at-least-32-chars";
  const data = { v: 1, s: "x".repeat(300), r: "" }; // about the size of a cookie-mode session
  const timeOf = async (operation: () => Promise<unknown>) => {
    for (let i = 0; i < 200; i++) await operation();
    const before = process.cpuUsage();
    for (let i = 0; i < 1000; i++) await operation();
    const spent = process.cpuUsage(before);
    return round3((spent.user + spent.system) / 1000 / 1000);
  };
  const ours = await sealData(data, { password });
  const theirs = await webCryptoSeal(data, { password });
  return {
    sealMs: await timeOf(() => sealData(data, { password })),
    unsealMs: await timeOf(() => unsealData(ours, { password })),
    webCryptoSealMs: await timeOf(() => webCryptoSeal(data, { password })),
    webCryptoUnsealMs: await timeOf(() => webCryptoUnseal(theirs, { password })),
  };
}

/**
 * What each variant costs on top of the no-op baseline: CPU per request over the whole stack, latency
 * added. The CPU figures are the median of round-by-round differences (round r of a variant ran next
 * to round r of the baseline, so a noisy neighbour hits both), with their range: one number per
 * variant over all rounds would let one disturbed round decide it.
 */
function costsOverBaseline(variants: Record<VariantName, VariantFigures>): BenchResults["costs"] {
  const base = variants.baseline;
  const differences = (ours: number[], theirs: number[]) => ours.map((value, round) => value - theirs[round]!);
  return Object.fromEntries(
    Object.entries(variants).map(([name, v]) => {
      const total = differences(v.cpuUsPerRequest.byRound.total, base.cpuUsPerRequest.byRound.total);
      return [
        name,
        {
          cpuUs: Math.round(median(total)),
          cpuUsRange: [Math.min(...total), Math.max(...total)] as [number, number],
          instancesCpuUs: Math.round(median(differences(v.cpuUsPerRequest.byRound.instances, base.cpuUsPerRequest.byRound.instances))),
          p50AddedMs: round3(v.p50 - base.p50),
          p99AddedMs: round3(v.p99 - base.p99),
          rpsRatio: round3(v.rps / base.rps),
        },
      ];
    }),
  );
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

const ms = (micros: number) => round3(micros / 1000);
const mb = (bytes: number) => round1(bytes / 1_000_000);
const round1 = (n: number) => Math.round(n * 10) / 10;
const round3 = (n: number) => Math.round(n * 1000) / 1000;

async function main(): Promise<void> {
  const options = flags();
  if (options.redis === "cluster") {
    // kv on one Redis vs on a Redis Cluster, over both transports (lib/bench/redis-cluster-bench.ts).
    return benchRedisCluster({ ...options, warmupMs: options.quick ? 300 : 3000, catalogueSize: CATALOGUE_SIZE });
  }
  const started = Date.now();
  console.log(
    `[bench] ${options.quick ? "quick " : ""}run: ${options.readers} readers, ${options.durationMs / 1000} s per variant over ${options.rounds} rounds, ${CATALOGUE_SIZE} articles`,
  );
  const stack = await startStack({
    instances: 3,
    port: 0,
    policy: "round-robin",
    // BENCH_HEAP_PROBE: the instances answer /__bench/heap, for the memory-mode figures (footprint.ts).
    env: { CATALOGUE_SIZE: String(CATALOGUE_SIZE), ENABLE_BENCH_MODES: "1", BENCH_HEAP_PROBE: "1" },
    // pg_stat_statements counts the statements (round trips) db mode sends per feed request.
    db: { settings: { shared_preload_libraries: "pg_stat_statements" } },
    log: (line) => line.startsWith("[newsroom]") && console.log(line),
  });
  const load = new LoadGenerator();
  let redis: RedisClient | null = null;
  let db: Awaited<ReturnType<typeof connectDb>> | null = null;
  try {
    if (!stack.kv.bridge || !stack.kv.redis) throw new Error("the bench needs the local Redis + KV bridge (unset KV_REST_API_URL and REDIS_URL to use them)");
    if (!stack.db.postgres) throw new Error(`the bench needs the local PostgreSQL (unset DATABASE_URL to use it); db: ${stack.db.describe}`);
    redis = createRedisClient({ url: stack.kv.redis.url });
    await redis.connect();
    db = await connectDb(stack.db.postgres);

    const footprint: FootprintFigures[] = [];
    const weighing = options.quick ? FOOTPRINT_PLAN.quick : FOOTPRINT_PLAN.full;
    if (!options.only) {
      // First, while every store is empty: nothing the other phases leave behind (dead rows, free pages) blurs the growth.
      console.log(
        `[bench] memory per reader: ${weighing.readers.toLocaleString("en-US")} new readers per mode, one page of 10 articles each${options.quick ? " (--quick: scaled down from 10,000; the figures are rough)" : ""}…`,
      );
      for (const entry of FOOTPRINTS) {
        const started = performance.now();
        footprint.push(await measureFootprint({ stack, redis, db: db.app }, entry, weighing));
        console.log(`[bench]   ${entry.mode} weighed in ${((performance.now() - started) / 1000).toFixed(1)} s`);
      }
      for (const f of footprint) {
        console.log(
          `  ${f.mode.padEnd(7)} ${f.bytesPerReader === null ? "nothing on the server" : `${f.bytesPerReader} B per reader, ${mb(f.per10kReaders!)} MB per 10,000`} (${f.where}); browser ${f.browserBytesPerReader} B` +
            (f.controlBytesPerRequest !== null ? `; requests alone grew it ${f.controlBytesPerRequest} B each, subtracted` : "") +
            (f.retried503 > 0 ? `; ${f.retried503} feed requests answered 503 and were tried again` : ""),
        );
      }
    }

    const {
      figures: variants,
      driverUtilization,
      controlUtilization,
    } = await runVariants(stack, redis, db, load, {
      readers: options.readers,
      durationMs: options.durationMs,
      rounds: options.rounds,
      warmupMs: options.quick ? 300 : 3000,
      only: options.only,
    });
    if (options.only) {
      // --only needs baseline among the variants for the differences (flags() adds it).
      const costs = costsOverBaseline(variants);
      for (const [name, figures] of Object.entries(variants)) {
        console.log(
          `${name.padEnd(13)} ${figures.rps} req/s (x${round3(figures.rps / variants.baseline.rps)} of baseline), p50 ${figures.p50} ms, p99 ${figures.p99} ms, ` +
            `errors ${figures.errors}; CPU µs/request: ${CPU_GROUPS.map(({ key, label }) => `${label} ${figures.cpuUsPerRequest[key]}`).join(", ")}, ` +
            `total ${figures.cpuUsPerRequest.total} (${costs[name]!.cpuUs} over baseline, median of round differences ${costs[name]!.cpuUsRange.join("…")}); ` +
            `busy: load generator ${driverUtilization[name]}, control plane + bridge ${controlUtilization[name]}`,
        );
      }
      return;
    }
    console.log("[bench] parallel tabs…");
    const parallelReaders = options.quick ? 5 : options.readers;
    const parallelRounds = options.quick ? 3 : 10;
    const parallel: Record<string, { duplicates: number; articles: number }> = {};
    for (const variant of VARIANTS.filter((v: Variant) => v.parallelTabs)) {
      await configure(stack, variant);
      parallel[variant.name] = await parallelDuplicates(stack, variant.mode, parallelReaders, parallelRounds);
    }
    console.log("[bench] history: 0 vs 9,000 seen…");
    const historyReaders = options.quick ? 1 : 10;
    const historyRequests = options.quick ? 10 : 60;
    const history: Record<string, HistoryFigures> = {};
    for (const variant of VARIANTS.filter((v: Variant) => v.history)) {
      await configure(stack, variant);
      history[variant.name] = await historyRatio(stack, load, variant.mode, historyReaders, historyRequests);
    }
    console.log("[bench] cookie bytes vs history…");
    const steps = Array.from({ length: 11 }, (_, i) => i * 1000);
    const password = process.env.SESSION_SECRET ?? "bench-cookie-curve-password-at-least-32-chars";
    const inOrder = await inFeedOrder(CATALOGUE_SIZE, steps, password);
    const opened = await randomOpened(CATALOGUE_SIZE, steps, password);

    const iron = await ironCost();
    const results: BenchResults = {
      date: new Date().toISOString(),
      quick: options.quick,
      machine: { cpus: cpus().length, node: process.version, cpuModel: cpus()[0]?.model ?? "unknown" },
      settings: {
        readers: options.readers,
        secondsPerVariant: options.durationMs / 1000,
        rounds: options.rounds,
        catalogueSize: CATALOGUE_SIZE,
        instances: 3,
        balancer: (await stack.cluster.view()).balancer ?? "none",
      },
      variants,
      nodeProxyReference: nodeProxyReference(),
      ratios: Object.fromEntries(
        Object.entries(variants)
          .filter(([name]) => name !== "baseline")
          .map(([name, v]) => [name, round3(v.rps / variants.baseline.rps)]),
      ),
      costs: costsOverBaseline(variants),
      parallelDuplicates: Object.fromEntries(Object.entries(parallel).map(([name, p]) => [name, p.duplicates])),
      parallelArticles: Object.fromEntries(Object.entries(parallel).map(([name, p]) => [name, p.articles])),
      historyLatencyRatio: Math.max(...Object.values(history).map((h) => h.ratio)),
      history,
      footprint: { readers: weighing.readers, articlesPerReader: 10, modes: footprint },
      cookieBytes: { inOrder10k: inOrder.at(-1)!.setCookieBytes, randomHalf10k: opened[5]!.setCookieBytes },
      cookieCurve: { inOrder, randomOpened: opened },
      ironCost: iron,
      driverUtilization,
      controlUtilization,
      wallSeconds: Math.round((Date.now() - started) / 1000),
    };
    const targets = evaluateTargets(results);
    for (const target of targets) console.log(`${target.verdict.padEnd(10)}  ${target.label}: ${target.measured}`);
    const written = writeResults(results, targets);
    console.log(`[bench] wrote ${written.join(", ")}`);
  } finally {
    load.close();
    await redis?.close();
    await Promise.all([db?.admin.end(), db?.app.end()]);
    await stack.stop();
  }
}

main().catch((error: unknown) => {
  console.error(`[bench] failed: ${(error as Error).stack ?? String(error)}`);
  process.exit(1);
});
