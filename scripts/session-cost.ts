/**
 * npx tsx scripts/session-cost.ts [--modes cookie,kv,kv-redis] [--seconds 6] [--rounds 6] [--readers 20] [--profile DIR]
 *
 * What a session strategy costs ONE instance per feed request, with nothing else in the way: one
 * production instance (no balancer), Redis behind the KV bridge, a load generator in its own
 * process. Modes run in alternating rounds against the no-op `baseline`; each prints the CPU the
 * instance, this process (the KV bridge) and Redis spent per request, and the difference from
 * baseline. A narrower, quieter view than `npm run bench` (which measures the whole cluster), for
 * finding where the time goes: --profile DIR writes V8 CPU profiles of the instance there
 * (open them in Chrome DevTools). Loopback only; stops by itself. Asserts nothing.
 */
import { parseArgs } from "node:util";
import { startInstance } from "./lib/app-instance";
import { ensureBuild } from "./lib/build";
import { ownCpuMs, processTreeCpuMs } from "./lib/bench/cpu";
import { LoadGenerator } from "./lib/bench/load-client";
import { startLocalKv } from "./lib/local-kv";
import { freePort } from "./lib/ports";

const { values } = parseArgs({
  options: {
    modes: { type: "string", default: "cookie,kv,kv-redis" },
    seconds: { type: "string", default: "6" },
    rounds: { type: "string", default: "6" },
    readers: { type: "string", default: "20" },
    profile: { type: "string" },
  },
});
const modes = ["baseline", ...values.modes!.split(",").filter((mode) => mode && mode !== "baseline")];
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);
const readers = Number(values.readers);
if (!(seconds > 0 && seconds <= 60) || !(rounds > 0 && rounds <= 20) || !(readers > 0 && readers <= 200)) {
  throw new Error("--seconds 1..60, --rounds 1..20, --readers 1..200");
}

async function main(): Promise<void> {
  ensureBuild();
  const kv = await startLocalKv({ quiet: true, aof: "everysec" });
  const instance = await startInstance({
    id: "cost",
    port: await freePort(),
    nodeFlags: values.profile ? ["--cpu-prof", `--cpu-prof-dir=${values.profile}`] : [],
    env: { ...kv.env, CATALOGUE_SIZE: "10000", ENABLE_BENCH_MODES: "1", SESSION_SECRET: "session-cost-secret-of-at-least-32-characters" },
    log: () => {},
  });
  await waitReady(instance.url);
  const load = new LoadGenerator();
  const spent = new Map(modes.map((mode) => [mode, { requests: 0, instance: 0, bridge: 0, redis: 0 }]));
  /** Per round, each mode's whole-stack µs per request: the medians of the per-round differences resist the machine's drift. */
  const perRound: Record<string, number>[] = [];
  try {
    for (const mode of modes) {
      await load.setup(mode, instance.url, mode, readers);
      await load.run(mode, { durationMs: 3000, measure: false }); // warm-up: JIT, script loading
    }
    for (let round = 0; round < rounds; round++) {
      const thisRound: Record<string, number> = {};
      for (const mode of round % 2 === 0 ? modes : [...modes].reverse()) {
        const before = { instance: processTreeCpuMs(instance.process.pid!), bridge: ownCpuMs(), redis: kv.redis ? processTreeCpuMs(kv.redis.pid()) : 0 };
        const requestsBefore = (await load.result(mode)).tally.requests;
        await load.run(mode, { durationMs: seconds * 1000, measure: true });
        const used = {
          instance: processTreeCpuMs(instance.process.pid!) - before.instance,
          bridge: ownCpuMs() - before.bridge,
          redis: (kv.redis ? processTreeCpuMs(kv.redis.pid()) : 0) - before.redis,
        };
        const total = spent.get(mode)!;
        total.instance += used.instance;
        total.bridge += used.bridge;
        total.redis += used.redis;
        const served = (await load.result(mode)).tally.requests - requestsBefore;
        thisRound[mode] = ((used.instance + used.bridge + used.redis) * 1000) / Math.max(1, served);
      }
      perRound.push(thisRound);
      process.stdout.write(`round ${round + 1}/${rounds}\r`);
    }
    for (const mode of modes) spent.get(mode)!.requests = (await load.result(mode)).tally.requests;
    const perRequest = (mode: string) => {
      const t = spent.get(mode)!;
      const us = (ms: number) => Math.round((ms * 1000) / t.requests);
      return { requests: t.requests, instance: us(t.instance), bridge: us(t.bridge), redis: us(t.redis), total: us(t.instance + t.bridge + t.redis) };
    };
    const base = perRequest("baseline");
    console.log(`\nCPU µs per feed request (${readers} readers, ${rounds} rounds × ${seconds} s per mode, one instance):`);
    console.log("mode           requests  instance  bridge  redis   total   over baseline (instance / total; median of rounds)");
    for (const mode of modes) {
      const p = perRequest(mode);
      const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
      const roundMedian = Math.round(median(perRound.map((round) => round[mode]! - round.baseline!)));
      const over = mode === "baseline" ? "" : `${p.instance - base.instance} / ${p.total - base.total}; ${roundMedian}`;
      console.log(
        `${mode.padEnd(14)} ${String(p.requests).padStart(8)}  ${String(p.instance).padStart(8)}  ${String(p.bridge).padStart(6)}  ${String(p.redis).padStart(5)}  ${String(p.total).padStart(6)}   ${over}`,
      );
    }
  } finally {
    load.close();
    await instance.process.stop();
    await kv.stop();
  }
}

async function waitReady(url: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const ok = await fetch(`${url}/api/ready`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error("the instance never became ready");
}

main().catch((error: unknown) => {
  console.error(`[session-cost] ${(error as Error).stack ?? String(error)}`);
  process.exit(1);
});
