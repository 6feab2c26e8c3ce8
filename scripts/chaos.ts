/**
 * npm run chaos [-- --duration 60] [-- --quick] [-- --modes cookie,kv,db] [-- --replication sync|async]:
 * readers keep reading while the cluster is knocked about. 50 virtual readers, spread evenly over
 * the modes (default: every mode the stack can serve except memory, see lib/chaos-modes.ts; today
 * cookie, kv, db and replicated, the last in the cluster's replication setting, default sync),
 * read back to back for 60 s against 3 production instances; every 5 s one instance is stopped
 * and the previous one started again; Redis (AOF, fsync always, supervised) is stalled with
 * SIGSTOP for 3 s a third of the way in, and killed with SIGKILL two thirds of the way in (its
 * supervisor restarts it). Loopback only, bounded, stops by itself.
 *
 * Report, per mode: requests, repeats (an article a reader received twice), lost seen entries
 * (articles a reader received that its final GET /api/session does not count as seen),
 * at-most-once losses (articles recorded as seen that the reader never received: a claim whose
 * answer was lost, e.g. an instance stopped mid-request; the reader finds them under "Shown to
 * you"), and failures by cause. Targets: 0 repeats and 0 lost entries in every mode (with
 * --replication async, replicated's repeats are a figure, not a target: answering first is its
 * trade), and a store's
 * 503 (…_UNAVAILABLE) only while a fault that store depends on was under way (kv: the Redis
 * windows; db: never, since PostgreSQL is left alone). The exit code says whether they held: npm
 * test runs --quick (20 s) as a check.
 *
 * --redis cluster [--kv-wait-replicas 0|1|both]: a different run, on kv mode's Redis Cluster: the
 * master of the busiest shard killed twice (once as it is, once with its replica lagging), without
 * and with KV_WAIT_REPLICAS=1 (default both); lib/chaos-redis-cluster.ts says what is measured.
 * Writes bench/results/chaos-redis-cluster.json (-quick.json with --quick).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { VirtualReader } from "./lib/bench/driver";
import { ROOT } from "./lib/build";
import { chooseModes, stackModes } from "./lib/chaos-modes";
import { readUntil, tallyReader } from "./lib/chaos-reading";
import { runRedisClusterChaos, type RedisClusterChaosReport } from "./lib/chaos-redis-cluster";
import { startStack, type Stack } from "./lib/stack";

const STEP_MS = 5000;
const REDIS_STALL_MS = 3000;
/** After Redis is back, the bridge reconnects and requests already in flight drain: 503s this close to a window still belong to it. */
const GAP_GRACE_MS = 2500;
/** The modes whose store is Redis: a Redis fault may fail their requests with 503 inside its window, nobody else's. */
const REDIS_MODES = new Set(["kv"]);

interface RedisWindow {
  kind: "stall" | "kill";
  from: number;
  to: number;
}

interface Failure {
  at: number;
  mode: string;
  status: number;
  code: string;
}

function flags() {
  const { values } = parseArgs({
    options: {
      duration: { type: "string" },
      quick: { type: "boolean", default: false },
      readers: { type: "string" },
      modes: { type: "string" },
      replication: { type: "string", default: "sync" },
      redis: { type: "string", default: "single" },
      "kv-wait-replicas": { type: "string", default: "both" },
    },
  });
  if (values.redis !== "single" && values.redis !== "cluster") throw new Error(`--redis must be single or cluster, got "${values.redis}"`);
  const waits = { "0": [0], "1": [1], both: [0, 1] }[values["kv-wait-replicas"]!];
  if (!waits) throw new Error(`--kv-wait-replicas must be 0, 1 or both, got "${values["kv-wait-replicas"]}"`);
  const replication = values.replication!;
  if (replication !== "sync" && replication !== "async") throw new Error(`--replication must be sync or async, got "${replication}"`);
  const duration = Number(values.duration ?? (values.quick ? 20 : 60));
  const readers = Number(values.readers ?? (values.quick ? 20 : 50));
  if (!Number.isFinite(duration) || duration < 10 || duration > 600) throw new Error(`--duration must be 10..600 seconds, got ${values.duration}`);
  if (!Number.isInteger(readers) || readers < 2 || readers > 200) throw new Error(`--readers must be 2..200, got ${values.readers}`);
  // --modes cookie,db: checked against what the stack serves once it is up (chaos-modes.ts).
  const modes = values.modes === undefined ? null : values.modes.split(",").map((mode) => mode.trim());
  if (modes !== null && (modes.length === 0 || modes.some((mode) => !/^[a-z][a-z0-9-]{0,31}$/.test(mode)))) {
    throw new Error(`--modes takes mode names separated by commas (e.g. cookie,kv,db), got "${values.modes}"`);
  }
  return { quick: values.quick!, durationMs: duration * 1000, readers, modes, replication: replication as "sync" | "async", redis: values.redis, waits };
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * On a fixed clock, every STEP_MS: stop the next instance and start the one stopped a step
 * before. Redis: a SIGSTOP stall of REDIS_STALL_MS at the first step past a third of the run, and
 * a SIGKILL at the first step past two thirds (the supervisor restarts it; the window ends when it
 * answers again). Operations on one instance are chained (a start waits for that instance's stop
 * to finish), but the clock never waits for them: stopping a Next.js instance can take seconds.
 */
async function makeChaos(stack: Stack, started: number, until: number, windows: RedisWindow[], log: (line: string) => void): Promise<void> {
  const ids = stack.cluster.list().map((i) => i.id);
  const chains = new Map<string, Promise<unknown>>(ids.map((id) => [id, Promise.resolve()]));
  const on = (id: string, what: string, operation: () => Promise<unknown>) => {
    const next = chains
      .get(id)!
      .then(operation)
      .then(
        () => log(`t=${((Date.now() - started) / 1000).toFixed(1)}s ${what} ${id}`),
        (error: Error) => log(`${what} ${id} failed: ${error.message}`),
      );
    chains.set(id, next);
  };
  const redisServer = stack.kv.redis!;
  const at = () => Date.now() - started;
  const redisEvents: Promise<void>[] = [];
  for (let step = 1; started + step * STEP_MS < until; step++) {
    await pause(started + step * STEP_MS - Date.now());
    const victim = ids[(step - 1) % ids.length]!;
    if (step > 1) {
      const previous = ids[(step - 2) % ids.length]!;
      on(previous, "started", () => stack.cluster.startInstance(previous));
    }
    on(victim, "stopped", () => stack.cluster.stopInstance(victim));
    const third = (until - started) / 3;
    if (!windows.some((w) => w.kind === "stall") && step * STEP_MS >= third) {
      const window: RedisWindow = { kind: "stall", from: at(), to: Number.NaN };
      windows.push(window);
      redisServer.pause();
      log(`t=${(window.from / 1000).toFixed(1)}s Redis stalled (SIGSTOP)`);
      redisEvents.push(
        pause(REDIS_STALL_MS).then(() => {
          redisServer.resume();
          window.to = at();
          log(`t=${(window.to / 1000).toFixed(1)}s Redis resumed (SIGCONT)`);
        }),
      );
    } else if (!windows.some((w) => w.kind === "kill") && step * STEP_MS >= 2 * third) {
      const window: RedisWindow = { kind: "kill", from: at(), to: Number.NaN };
      windows.push(window);
      const restartsBefore = redisServer.restarts();
      process.kill(redisServer.pid(), "SIGKILL");
      log(`t=${(window.from / 1000).toFixed(1)}s Redis killed (SIGKILL); its supervisor restarts it`);
      redisEvents.push(
        (async () => {
          while (redisServer.restarts() === restartsBefore && at() < window.from + 30_000) await pause(50);
          window.to = at();
          log(`t=${(window.to / 1000).toFixed(1)}s Redis back (restart #${redisServer.restarts()})`);
        })(),
      );
    }
  }
  await Promise.all([...chains.values(), ...redisEvents]);
}

async function main(): Promise<void> {
  const options = flags();
  const log = (line: string) => console.log(`[chaos] ${line}`);
  if (options.redis === "cluster") return redisClusterChaos(options, log);
  log(
    `${options.readers} readers for ${options.durationMs / 1000} s; an instance stopped every ${STEP_MS / 1000} s; Redis stalled once and killed once; replication ${options.replication}`,
  );
  const stack = await startStack({
    instances: 3,
    port: 0,
    policy: "round-robin",
    aof: "always",
    replication: { mode: options.replication, lagMs: 0 },
    env: { CATALOGUE_SIZE: "10000" },
    // The stack's own lines, and the balancer's verdicts on instances (a working one called down is worth seeing).
    log: (line) => (line.startsWith("[newsroom]") || /^\[cluster\] instance \S+ is /.test(line)) && console.log(line),
  });
  try {
    if (!stack.kv.redis) throw new Error("chaos needs the local Redis (unset KV_REST_API_URL)");
    const modes = chooseModes(options.modes, await stackModes(stack.url));
    if (modes.length === 0) throw new Error("no mode to run: the stack serves none of the chosen modes");
    log(`modes: ${modes.join(", ")} (${options.readers} readers spread over them)`);
    const readers = Array.from({ length: options.readers }, (_, i) => ({ mode: modes[i % modes.length]!, reader: new VirtualReader(stack.url) }));
    for (const { mode, reader } of readers) {
      const response = await reader.jar.setMode(mode);
      if (response.status !== 200) throw new Error(`could not set up a ${mode} reader: ${response.status}`);
    }
    const failures: Failure[] = [];
    const windows: RedisWindow[] = [];
    const started = Date.now();
    const until = started + options.durationMs;
    const counts = await Promise.all([
      ...readers.map(({ mode, reader }) => readUntil(reader, until, (status, code) => failures.push({ at: Date.now() - started, mode, status, code }))),
      makeChaos(stack, started, until, windows, log).then(() => 0),
    ]);

    // Settle: every instance up and Redis back, then ask each reader's session what it holds.
    for (const instance of stack.cluster.list()) if (instance.status !== "up") await stack.cluster.startInstance(instance.id).catch(() => {});
    const perMode = (): Record<string, number> => Object.fromEntries(modes.map((mode) => [mode, 0]));
    const requestsBy = perMode();
    const articlesBy = perMode();
    const repeats = perMode();
    const lostBy = perMode();
    const atMostOnceBy = perMode();
    const failedBy = perMode();
    /** Store 503s (…_UNAVAILABLE) outside every window of a fault the mode's store depends on. */
    const storeOutsideBy = perMode();
    for (const [i, { mode, reader }] of readers.entries()) {
      const tally = await tallyReader(reader);
      lostBy[mode]! += tally.lost;
      atMostOnceBy[mode]! += tally.atMostOnce;
      requestsBy[mode]! += counts[i]!;
      articlesBy[mode]! += tally.articles;
      repeats[mode]! += tally.repeats;
    }

    const requests = Object.values(requestsBy).reduce((a, b) => a + b, 0);
    const byCause: Record<string, number> = {};
    for (const f of failures) {
      const key = `${f.mode} ${f.status} ${f.code}`;
      byCause[key] = (byCause[key] ?? 0) + 1;
    }
    // A store's 503 is explained only inside the window of a fault that store depends on (a Redis fault, for kv).
    const explained = (f: Failure) => REDIS_MODES.has(f.mode) && windows.some((w) => f.at >= w.from && f.at <= w.to + GAP_GRACE_MS);
    for (const f of failures) {
      failedBy[f.mode]!++;
      if (f.status === 503 && f.code.endsWith("_UNAVAILABLE") && !explained(f)) storeOutsideBy[f.mode]!++;
    }
    const shown = (w: RedisWindow | undefined) => (w ? `${(w.from / 1000).toFixed(1)}–${(w.to / 1000).toFixed(1)} s` : "did not happen");
    const stall = windows.find((w) => w.kind === "stall");
    const kill = windows.find((w) => w.kind === "kill");
    const byMode = (figures: Record<string, number>) => modes.map((mode) => `${mode} ${figures[mode]}`).join(", ");
    const none = (figures: Record<string, number>) => Object.values(figures).every((n) => n === 0);
    // Async replication answers before the peers know: its repeats are what it trades for speed.
    const repeatTargets = Object.fromEntries(Object.entries(repeats).filter(([mode]) => !(mode === "replicated" && options.replication === "async")));
    const targets = [
      {
        label: options.replication === "async" ? "0 repeats in every mode but replicated (async: its repeats are a figure)" : "0 repeats in every mode",
        pass: none(repeatTargets),
        measured: byMode(repeats),
      },
      { label: "0 lost seen entries in every mode", pass: none(lostBy), measured: byMode(lostBy) },
      {
        label: "store 503s only while that store was disturbed (kv: the Redis windows; PostgreSQL is left alone)",
        pass: none(storeOutsideBy),
        measured: `${byMode(storeOutsideBy)} outside those windows`,
      },
      { label: "Redis was stalled, and resumed", pass: Number.isFinite(stall?.to), measured: shown(stall) },
      { label: "Redis was killed, and its supervisor restarted it", pass: Number.isFinite(kill?.to), measured: shown(kill) },
    ];
    const report = {
      date: new Date().toISOString(),
      quick: options.quick,
      readers: options.readers,
      seconds: options.durationMs / 1000,
      modes,
      replication: options.replication,
      requests,
      failed: failures.length,
      failuresByCause: byCause,
      redisWindowsSeconds: windows.map((w) => ({ kind: w.kind, from: round1(w.from / 1000), to: round1(w.to / 1000) })),
      requestsByMode: requestsBy,
      articlesReceivedByMode: articlesBy,
      failedByMode: failedBy,
      repeats,
      lostSeenEntries: lostBy,
      atMostOnceLosses: atMostOnceBy,
      articlesReceived: Object.values(articlesBy).reduce((a, b) => a + b, 0),
      targets,
    };
    console.log(`\nrequests ${requests}, failed ${failures.length}, articles received ${report.articlesReceived}`);
    console.log(`${"mode".padEnd(10)} ${["readers", "requests", "failed", "articles", "repeats", "lost", "at-most-once"].map((h) => h.padStart(12)).join("")}`);
    for (const mode of modes) {
      const row = [
        readers.filter((r) => r.mode === mode).length,
        requestsBy[mode],
        failedBy[mode],
        articlesBy[mode],
        repeats[mode],
        lostBy[mode],
        atMostOnceBy[mode],
      ];
      console.log(`${mode.padEnd(10)} ${row.map((n) => String(n).padStart(12)).join("")}`);
    }
    console.log("(at-most-once: recorded as seen, never received)");
    console.log("5xx and other failures by cause (mode status code):");
    for (const [cause, count] of Object.entries(byCause).sort()) {
      const times = failures.filter((f) => `${f.mode} ${f.status} ${f.code}` === cause).map((f) => f.at / 1000);
      console.log(`  ${cause.padEnd(36)} ${String(count).padStart(5)}   between t=${Math.min(...times).toFixed(1)}s and t=${Math.max(...times).toFixed(1)}s`);
    }
    for (const t of targets) console.log(`${t.pass ? "PASS" : "FAIL"}  ${t.label}: ${t.measured}`);
    const dir = join(ROOT, "bench", "results");
    mkdirSync(dir, { recursive: true });
    const file = options.quick ? "chaos-quick.json" : "chaos-latest.json";
    writeFileSync(join(dir, file), `${JSON.stringify(report, null, 2)}\n`);
    log(`wrote bench/results/${file}`);
    process.exitCode = targets.every((t) => t.pass) ? 0 : 1;
  } finally {
    await stack.stop();
  }
}

const round1 = (n: number) => Math.round(n * 10) / 10;

/** --redis cluster: each KV_WAIT_REPLICAS setting in turn, on a stack of its own; one table, one results file. */
async function redisClusterChaos(options: ReturnType<typeof flags>, log: (line: string) => void): Promise<void> {
  const durationMs = options.quick ? Math.min(options.durationMs, 15_000) : Math.min(options.durationMs, 30_000);
  const runs: RedisClusterChaosReport[] = [];
  for (const waitReplicas of options.waits) {
    log(`${options.readers} kv readers for ${durationMs / 1000} s on a Redis Cluster, KV_WAIT_REPLICAS=${waitReplicas}; the busiest master killed twice`);
    runs.push(await runRedisClusterChaos({ durationMs, readers: options.readers, waitReplicas, log }));
  }
  console.log(`\n${"KV_WAIT_REPLICAS".padEnd(17)}${["requests", "failed", "articles", "repeats", "lost", "at-most-once"].map((h) => h.padStart(13)).join("")}`);
  for (const run of runs) {
    const row = [run.requests, run.failed, run.articlesReceived, run.repeats, run.lostSeenEntries, run.atMostOnceLosses];
    console.log(`${String(run.waitReplicas).padEnd(17)}${row.map((n) => String(n).padStart(13)).join("")}`);
  }
  console.log("\nkills (the busiest shard's master, kill -9):");
  for (const run of runs) {
    for (const kill of run.kills) {
      console.log(
        `  wait=${run.waitReplicas} ${kill.kind.padEnd(16)} ${kill.master} at t=${kill.atSeconds}s (${kill.shardReaders} readers): promoted after ${kill.promotionMs} ms, ` +
          `${kill.failedRequests} failed requests on the shard, last ${kill.recoveryMs} ms after the kill; ${kill.repeats} repeats after it`,
      );
    }
  }
  const durable = runs.filter((run) => run.waitReplicas > 0);
  const targets = [
    ...durable.map((run) => ({
      label: `KV_WAIT_REPLICAS=${run.waitReplicas}: 0 repeats, 0 lost seen entries`,
      pass: run.repeats === 0 && run.lostSeenEntries === 0,
      measured: `${run.repeats} repeats, ${run.lostSeenEntries} lost`,
    })),
    ...runs.map((run) => ({
      label: `KV_WAIT_REPLICAS=${run.waitReplicas}: both kills failed over`,
      pass: run.kills.length === 2,
      measured: `${run.kills.length} of 2`,
    })),
  ];
  for (const t of targets) console.log(`${t.pass ? "PASS" : "FAIL"}  ${t.label}: ${t.measured}`);
  const dir = join(ROOT, "bench", "results");
  mkdirSync(dir, { recursive: true });
  const file = options.quick ? "chaos-redis-cluster-quick.json" : "chaos-redis-cluster.json";
  writeFileSync(join(dir, file), `${JSON.stringify({ date: new Date().toISOString(), quick: options.quick, runs, targets }, null, 2)}\n`);
  log(`wrote bench/results/${file}`);
  process.exitCode = targets.every((t) => t.pass) ? 0 : 1;
}

main().catch((error: unknown) => {
  console.error(`[chaos] failed: ${(error as Error).stack ?? String(error)}`);
  process.exit(1);
});
