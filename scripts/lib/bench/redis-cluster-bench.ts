/**
 * `npm run bench -- --redis cluster`: kv over each transport on one Redis and on a six-node Redis
 * Cluster, each next to the no-op baseline in its own stack (3 instances, round-robin), so every
 * figure is a difference or a ratio measured in one stack: CPU per request over the baseline (the
 * whole stack, and Redis's own share: one redis-server, or the cluster's six), rps relative to the
 * baseline, p99. Then the cluster's figures over the single Redis's. Rounds alternate the variants'
 * order; a warm-up round (scripts loaded on every master) comes first. Loopback only, bounded.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../build";
import { isLocal } from "../local-kv";
import { startStack } from "../stack";
import { addCpu, cpuSince, NO_CPU, readCpu, totalCpu, type CpuParts } from "./cpu";
import { LoadGenerator } from "./load-client";

const VARIANTS = [
  { name: "baseline", mode: "baseline", label: "no-op baseline" },
  { name: "kv", mode: "kv", label: "kv over REST (@vercel/kv → bridge)" },
  { name: "kv-redis", mode: "kv-redis", label: "kv over the Redis protocol (node-redis)" },
] as const;
type Name = (typeof VARIANTS)[number]["name"];

export interface ClusterBenchOptions {
  readers: number;
  durationMs: number;
  rounds: number;
  warmupMs: number;
  catalogueSize: number;
  quick: boolean;
}

interface Figures {
  rps: number;
  p99Ms: number;
  errors: number;
  repeats: number;
  cpuUsPerRequest: number;
  redisCpuUsPerRequest: number;
  /** Median of round-by-round differences from the baseline's CPU per request. */
  cpuUsOverBaseline: number;
  rpsRatio: number;
}

type Topology = "single" | "cluster";

async function measure(topology: Topology, options: ClusterBenchOptions): Promise<Record<Name, Figures>> {
  const stack = await startStack({
    instances: 3,
    port: 0,
    policy: "round-robin",
    redis: topology,
    env: { CATALOGUE_SIZE: String(options.catalogueSize), ENABLE_BENCH_MODES: "1" },
    log: (line) => line.startsWith("[newsroom] kv") && console.log(line),
  });
  const load = new LoadGenerator();
  try {
    const cluster = stack.kv.redisCluster;
    const redisPids =
      topology === "cluster" && isLocal(cluster)
        ? (await cluster.nodes()).flatMap((node) => (node.pid === null ? [] : [node.pid]))
        : stack.kv.redis
          ? [stack.kv.redis.pid()]
          : [];
    if (redisPids.length === 0) throw new Error("the cluster bench needs the local Redis (unset KV_REST_API_URL, REDIS_URL and REDIS_CLUSTER_URLS)");
    const sources = {
      instancePids: () => stack.cluster.list().flatMap((instance) => (instance.pid === null ? [] : [instance.pid])),
      balancerPid: () => stack.haproxy.masterPid,
      redisPids: () => redisPids,
      postgresPid: () => null,
    };
    const cpu = new Map<Name, CpuParts>();
    const perRound = new Map<Name, number[]>();
    for (const variant of VARIANTS) {
      await load.setup(variant.name, stack.url, variant.mode, options.readers);
      await load.run(variant.name, { durationMs: options.warmupMs, measure: false });
      cpu.set(variant.name, NO_CPU);
      perRound.set(variant.name, []);
    }
    for (let round = 0; round < options.rounds; round++) {
      const order = round % 2 === 0 ? [...VARIANTS] : [...VARIANTS].reverse();
      for (const variant of order) {
        const before = readCpu(sources);
        const requestsBefore = (await load.result(variant.name)).tally.requests;
        await load.run(variant.name, { durationMs: options.durationMs / options.rounds, measure: true });
        const spent = cpuSince(before, readCpu(sources));
        const requests = (await load.result(variant.name)).tally.requests - requestsBefore;
        cpu.set(variant.name, addCpu(cpu.get(variant.name)!, spent));
        perRound.get(variant.name)!.push((totalCpu(spent) * 1000) / Math.max(1, requests));
      }
      console.log(`[bench] ${topology} Redis: round ${round + 1}/${options.rounds}`);
    }
    const results = {} as Record<Name, Figures>;
    const baseRounds = perRound.get("baseline")!;
    let baseRps = 0;
    for (const variant of VARIANTS) {
      const { histogram, tally, repeats } = await load.result(variant.name);
      const spent = cpu.get(variant.name)!;
      const rps = tally.requests / (tally.elapsedMs / 1000);
      if (variant.name === "baseline") baseRps = rps;
      const differences = perRound.get(variant.name)!.map((value, round) => value - baseRounds[round]!);
      results[variant.name] = {
        rps: round1(rps),
        p99Ms: round3(histogram.getValueAtPercentile(99) / 1000),
        errors: tally.errors,
        repeats,
        cpuUsPerRequest: Math.round((totalCpu(spent) * 1000) / tally.requests),
        redisCpuUsPerRequest: Math.round((spent.redis * 1000) / tally.requests),
        cpuUsOverBaseline: Math.round(median(differences)),
        rpsRatio: round3(rps / baseRps),
      };
      await load.drop(variant.name);
    }
    return results;
  } finally {
    load.close();
    await stack.stop();
  }
}

export async function benchRedisCluster(options: ClusterBenchOptions): Promise<void> {
  const started = Date.now();
  const single = await measure("single", options);
  const cluster = await measure("cluster", options);
  const rows = (["kv", "kv-redis"] as const).map((name) => ({
    variant: name,
    label: VARIANTS.find((v) => v.name === name)!.label,
    single: single[name],
    cluster: cluster[name],
    clusterOverSingle: {
      cpuUsOverBaseline: cluster[name].cpuUsOverBaseline - single[name].cpuUsOverBaseline,
      rpsRatio: round3(cluster[name].rpsRatio / single[name].rpsRatio),
      p99Ratio: round3(cluster[name].p99Ms / single[name].p99Ms),
    },
  }));
  console.log(`\n${"kv transport".padEnd(44)}${["CPU µs/req over baseline", "Redis µs/req", "rps / baseline", "p99 ms"].map((h) => h.padStart(26)).join("")}`);
  for (const row of rows) {
    for (const topology of ["single", "cluster"] as const) {
      const f = row[topology];
      const cells = [f.cpuUsOverBaseline, f.redisCpuUsPerRequest, f.rpsRatio, f.p99Ms];
      console.log(`${`${row.label}, ${topology === "single" ? "one Redis" : "Redis Cluster"}`.padEnd(44)}${cells.map((c) => String(c).padStart(26)).join("")}`);
    }
  }
  const problems = rows.flatMap((row) =>
    (["single", "cluster"] as const).filter((t) => row[t].repeats > 0 || row[t].errors > 0).map((t) => `${row.variant} on ${t}`),
  );
  if (problems.length > 0) console.log(`errors or repeats in: ${problems.join(", ")}`);
  const dir = join(ROOT, "bench", "results");
  mkdirSync(dir, { recursive: true });
  const file = options.quick ? "redis-cluster-quick.json" : "redis-cluster.json";
  const report = { date: new Date().toISOString(), settings: options, baseline: { single: single.baseline, cluster: cluster.baseline }, rows };
  writeFileSync(join(dir, file), `${JSON.stringify(report, null, 2)}\n`);
  console.log(`[bench] wrote bench/results/${file} in ${Math.round((Date.now() - started) / 1000)} s`);
  if (problems.length > 0) process.exitCode = 1;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

const round1 = (n: number) => Math.round(n * 10) / 10;
const round3 = (n: number) => Math.round(n * 1000) / 1000;
