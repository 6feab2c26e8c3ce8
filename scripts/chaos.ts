/**
 * npm run chaos [-- --duration 60] [-- --quick]: readers keep reading while the cluster is
 * knocked about. 50 virtual readers (half cookie mode, half kv) read back to back for 60 s
 * against 3 production instances; every 5 s one instance is stopped and the previous one
 * started again; Redis (AOF, fsync always, supervised) is stalled with SIGSTOP for 3 s a third of
 * the way in, and killed with SIGKILL two thirds of the way in (its supervisor restarts it).
 * Loopback only, bounded, stops by itself.
 *
 * Report: requests, repeats (an article a reader received twice), lost seen entries (articles a
 * reader received that its final GET /api/session does not count as seen), at-most-once losses
 * (articles recorded as seen that the reader never received: a claim whose answer was lost, e.g.
 * an instance stopped mid-request; the reader finds them under "Shown to you"), and failures by cause.
 * Targets: 0 repeats, 0 lost entries, and kv's 503s only inside the Redis windows. The exit code
 * says whether they held: npm test runs --quick (20 s) as a check.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { VirtualReader } from "./lib/bench/driver";
import { ROOT } from "./lib/build";
import { startStack, type Stack } from "./lib/stack";

const STEP_MS = 5000;
const REDIS_STALL_MS = 3000;
/** After Redis is back, the bridge reconnects and requests already in flight drain: 503s this close to a window still belong to it. */
const GAP_GRACE_MS = 2500;

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
  const { values } = parseArgs({ options: { duration: { type: "string" }, quick: { type: "boolean", default: false }, readers: { type: "string" } } });
  const duration = Number(values.duration ?? (values.quick ? 20 : 60));
  const readers = Number(values.readers ?? (values.quick ? 20 : 50));
  if (!Number.isFinite(duration) || duration < 10 || duration > 600) throw new Error(`--duration must be 10..600 seconds, got ${values.duration}`);
  if (!Number.isInteger(readers) || readers < 2 || readers > 200) throw new Error(`--readers must be 2..200, got ${values.readers}`);
  return { quick: values.quick!, durationMs: duration * 1000, readers };
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

async function read(reader: VirtualReader, mode: string, started: number, until: number, failures: Failure[]): Promise<number> {
  let requests = 0;
  while (Date.now() < until) {
    requests++;
    let result: { status: number; code?: string };
    try {
      result = await reader.feed();
    } catch (error) {
      result = { status: 0, code: (error as NodeJS.ErrnoException).code ?? "NETWORK" };
    }
    if (result.status !== 200) {
      failures.push({ at: Date.now() - started, mode, status: result.status, code: result.code ?? "?" });
      await pause(200); // a reader pressing "Try again", not a hot loop
    }
  }
  return requests;
}

async function main(): Promise<void> {
  const options = flags();
  const log = (line: string) => console.log(`[chaos] ${line}`);
  log(
    `${options.readers} readers (half cookie, half kv) for ${options.durationMs / 1000} s; an instance stopped every ${STEP_MS / 1000} s; Redis stalled once and killed once`,
  );
  const stack = await startStack({
    instances: 3,
    port: 0,
    policy: "round-robin",
    aof: "always",
    env: { CATALOGUE_SIZE: "10000" },
    // The stack's own lines, and the balancer's verdicts on instances (a working one called down is worth seeing).
    log: (line) => (line.startsWith("[newsroom]") || /^\[cluster\] instance \S+ is /.test(line)) && console.log(line),
  });
  try {
    if (!stack.kv.redis) throw new Error("chaos needs the local Redis (unset KV_REST_API_URL)");
    const readers = Array.from({ length: options.readers }, (_, i) => ({ mode: i % 2 === 0 ? "cookie" : "kv", reader: new VirtualReader(stack.url) }));
    for (const { mode, reader } of readers) {
      const response = await reader.jar.setMode(mode);
      if (response.status !== 200) throw new Error(`could not set up a ${mode} reader: ${response.status}`);
    }
    const failures: Failure[] = [];
    const windows: RedisWindow[] = [];
    const started = Date.now();
    const until = started + options.durationMs;
    const [, ...counts] = await Promise.all([
      makeChaos(stack, started, until, windows, log),
      ...readers.map(({ mode, reader }) => read(reader, mode, started, until, failures)),
    ]);

    // Settle: every instance up and Redis back, then ask each reader's session what it holds.
    for (const instance of stack.cluster.list()) if (instance.status !== "up") await stack.cluster.startInstance(instance.id).catch(() => {});
    let lost = 0;
    const lostBy: Record<string, number> = { cookie: 0, kv: 0 };
    const atMostOnceBy: Record<string, number> = { cookie: 0, kv: 0 };
    for (const { mode, reader } of readers) {
      let session = await reader.jar.session();
      for (let attempt = 0; session.status !== 200 && attempt < 10; attempt++) {
        await pause(500);
        session = await reader.jar.session();
      }
      if (session.status !== 200) throw new Error(`could not read a ${mode} reader's session at the end: ${session.status}`);
      const ranges = session.body.seenRanges;
      const seen = (seq: number) => ranges.some(([from, to]) => seq >= from && seq <= to);
      const missing = [...reader.receivedSeqs].filter((seq) => !seen(seq)).length;
      lost += missing;
      lostBy[mode]! += missing;
      // Recorded as seen but never received: answers lost on the way (at-most-once delivery).
      const recorded = ranges.reduce((sum, [from, to]) => sum + to - from + 1, 0);
      atMostOnceBy[mode]! += recorded - (reader.receivedSeqs.size - missing);
      await reader.close();
    }

    const requests = counts.reduce((a, b) => a + b, 0);
    const repeats = { cookie: 0, kv: 0 } as Record<string, number>;
    for (const { mode, reader } of readers) repeats[mode]! += reader.repeats;
    const byCause: Record<string, number> = {};
    for (const f of failures) {
      const key = `${f.mode} ${f.status} ${f.code}`;
      byCause[key] = (byCause[key] ?? 0) + 1;
    }
    const inWindow = (f: Failure) => windows.some((w) => f.at >= w.from && f.at <= w.to + GAP_GRACE_MS);
    const kvUnavailableOutside = failures.filter((f) => f.code === "KV_UNAVAILABLE" && !inWindow(f)).length;
    const shown = (w: RedisWindow | undefined) => (w ? `${(w.from / 1000).toFixed(1)}–${(w.to / 1000).toFixed(1)} s` : "did not happen");
    const stall = windows.find((w) => w.kind === "stall");
    const kill = windows.find((w) => w.kind === "kill");
    const targets = [
      { label: "0 repeats", pass: repeats.cookie === 0 && repeats.kv === 0, measured: `cookie ${repeats.cookie}, kv ${repeats.kv}` },
      { label: "0 lost seen entries", pass: lost === 0, measured: `cookie ${lostBy.cookie}, kv ${lostBy.kv}` },
      { label: "kv 503s only while Redis was stalled or down", pass: kvUnavailableOutside === 0, measured: `${kvUnavailableOutside} outside those windows` },
      { label: "Redis was stalled, and resumed", pass: Number.isFinite(stall?.to), measured: shown(stall) },
      { label: "Redis was killed, and its supervisor restarted it", pass: Number.isFinite(kill?.to), measured: shown(kill) },
    ];
    const report = {
      date: new Date().toISOString(),
      quick: options.quick,
      readers: options.readers,
      seconds: options.durationMs / 1000,
      requests,
      failed: failures.length,
      failuresByCause: byCause,
      redisWindowsSeconds: windows.map((w) => ({ kind: w.kind, from: round1(w.from / 1000), to: round1(w.to / 1000) })),
      repeats,
      lostSeenEntries: lostBy,
      atMostOnceLosses: atMostOnceBy,
      articlesReceived: readers.reduce((sum, { reader }) => sum + reader.receivedSeqs.size, 0),
      targets,
    };
    console.log(`\nrequests ${requests}, failed ${failures.length}, articles received ${report.articlesReceived}`);
    console.log(`at-most-once losses (recorded as seen, never received): cookie ${atMostOnceBy.cookie}, kv ${atMostOnceBy.kv}`);
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

main().catch((error: unknown) => {
  console.error(`[chaos] failed: ${(error as Error).stack ?? String(error)}`);
  process.exit(1);
});
