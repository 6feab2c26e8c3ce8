/**
 * npx tsx scripts/redis-cluster-measure.ts [--runs 3] [--node-timeout 1000] [--fsync always|everysec]
 *
 * Measures the local Redis Cluster (scripts/lib/redis-cluster.ts), printing, asserting nothing.
 * Each run starts a fresh cluster and reports:
 *  - how long startRedisCluster took, and each node's memory at idle (INFO memory, and RSS);
 *  - write latency through the cluster client, plain and followed by `WAIT 1` (KV_WAIT_REPLICAS=1);
 *  - a kill -9 of a master under load: three writers at 50 writes/s each (plain on the victim's
 *    slots, `WAIT 1` on the victim's slots, plain on another master), through a client kept
 *    current across failovers (lib/session/redis-cluster-client.ts), running until the old master
 *    has been restarted (1 s after the failover) and rejoined as a replica. Per writer: time from
 *    the kill to the first successful write (and, under WAIT, the first one a replica has),
 *    failed writes, and acknowledged writes missing at the end (lost to asynchronous replication).
 * Loopback only, bounded; every node is stopped at the end of its run.
 */
import { readFileSync } from "node:fs";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { createCluster } from "redis";
import { connectCurrentCluster, failFastNodeDefaults, type CurrentCluster } from "../lib/session/kv/redis-cluster-client";
import { clusterClientOptions, startRedisCluster, type LocalRedisCluster, type RedisClusterNode } from "./lib/redis-cluster";
import { ownsSlot, parseInfo } from "./lib/redis-cluster-view";

const WRITE_INTERVAL_MS = 20;
const LATENCY_SAMPLES = 300;

function flags() {
  const { values } = parseArgs({
    options: { runs: { type: "string", default: "3" }, "node-timeout": { type: "string", default: "1000" }, fsync: { type: "string", default: "always" } },
  });
  const runs = Number(values.runs);
  const nodeTimeoutMs = Number(values["node-timeout"]);
  if (!Number.isInteger(runs) || runs < 1 || runs > 20) throw new Error(`--runs must be 1..20, got ${values.runs}`);
  if (!Number.isInteger(nodeTimeoutMs) || nodeTimeoutMs < 100 || nodeTimeoutMs > 60_000) {
    throw new Error(`--node-timeout must be 100..60000 ms, got ${values["node-timeout"]}`);
  }
  if (values.fsync !== "always" && values.fsync !== "everysec") throw new Error(`--fsync must be always or everysec, got ${values.fsync}`);
  return { runs, nodeTimeoutMs, appendfsync: values.fsync as "always" | "everysec" };
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const ms = (value: number) => `${Math.round(value)} ms`;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** A hash tag whose slot the given master holds: every key built on it lives there. */
function tagOn(cluster: LocalRedisCluster, master: RedisClusterNode): string {
  for (let i = 0; ; i++) if (ownsSlot(master.slots, cluster.slotOf(`{m${i}}`))) return `{m${i}}`;
}

function rssKiB(pid: number | null): number | null {
  if (pid === null) return null;
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return match ? Number(match[1]) : null;
}

async function memory(cluster: LocalRedisCluster): Promise<string[]> {
  const lines: string[] = [];
  for (const node of await cluster.nodes()) {
    const info = parseInfo(String(await cluster.sendToNode(node.name, ["INFO", "memory"])));
    const used = Number(info.get("used_memory")) / 1024;
    lines.push(`${node.name} (${node.role}): used_memory ${used.toFixed(0)} KiB, RSS ${rssKiB(node.pid)} KiB`);
  }
  return lines;
}

type Client = ReturnType<ReturnType<typeof makeClientFactory>>;

function makeClientFactory(cluster: LocalRedisCluster) {
  return () => createCluster({ ...clusterClientOptions(cluster.urls), minimizeConnections: true, defaults: failFastNodeDefaults(cluster.password) });
}

async function latency(current: CurrentCluster<Client>, key: string, wait: boolean): Promise<string> {
  const samples: number[] = [];
  for (let i = 0; i < LATENCY_SAMPLES; i++) {
    const started = performance.now();
    await current.run(async (client) => {
      await client.set(key, String(i));
      if (wait) await client.sendCommand(key, false, ["WAIT", "1", "1000"]);
    });
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  return `p50 ${percentile(samples, 50).toFixed(2)} ms, p99 ${percentile(samples, 99).toFixed(2)} ms`;
}

interface Writer {
  name: string;
  key: string;
  /** Under WAIT: only writes WAIT says a replica has count as acknowledged. */
  wait: boolean;
  /** Values whose write was acknowledged. */
  acked: Set<string>;
  /** Writes that raised an error (the node gone, no answer in time). */
  failed: number;
  /** Writes that succeeded but WAIT answered 0: no replica has them, so not acknowledged. */
  unreplicated: number;
  /** From the kill: first write that succeeded, and first one acknowledged. */
  firstOkAfterKill: number | null;
  firstAckedAfterKill: number | null;
  /** The slowest single write from the kill on. */
  slowestAfterKill: number;
}

interface Clock {
  killedAt: number | null;
  stop: boolean;
}

/** Writes `RPUSH key n` every WRITE_INTERVAL_MS until told to stop. */
async function write(current: CurrentCluster<Client>, writer: Writer, clock: Clock): Promise<void> {
  for (let n = 0; !clock.stop; n++) {
    const started = performance.now();
    const afterKill = clock.killedAt !== null && started > clock.killedAt;
    const value = String(n);
    try {
      const replicas = await current.run(async (client) => {
        await client.rPush(writer.key, value);
        return writer.wait ? Number(await client.sendCommand(writer.key, false, ["WAIT", "1", "200"])) : 1;
      });
      if (afterKill) writer.firstOkAfterKill ??= performance.now() - clock.killedAt!;
      if (replicas >= 1) {
        writer.acked.add(value);
        if (afterKill) writer.firstAckedAfterKill ??= performance.now() - clock.killedAt!;
      } else {
        writer.unreplicated++;
      }
    } catch {
      writer.failed++;
    }
    if (afterKill) writer.slowestAfterKill = Math.max(writer.slowestAfterKill, performance.now() - started);
    await pause(Math.max(0, WRITE_INTERVAL_MS - (performance.now() - started)));
  }
}

async function run(index: number, options: ReturnType<typeof flags>): Promise<void> {
  const log = (line: string) => console.log(`[run ${index}] ${line}`);
  const startedAt = performance.now();
  const cluster = await startRedisCluster({ nodeTimeoutMs: options.nodeTimeoutMs, appendfsync: options.appendfsync });
  log(`startRedisCluster: ${ms(performance.now() - startedAt)}`);
  const current = await connectCurrentCluster(makeClientFactory(cluster), { timeoutMs: 1000 });
  try {
    await pause(1000);
    for (const line of await memory(cluster)) log(`idle memory ${line}`);

    const masters = (await cluster.nodes()).filter((node) => node.role === "master");
    const [victim, bystander] = masters as [RedisClusterNode, RedisClusterNode];
    const victimTag = tagOn(cluster, victim);
    log(`write latency, plain SET: ${await latency(current, `${victimTag}:latency`, false)}`);
    log(`write latency, SET + WAIT 1: ${await latency(current, `${victimTag}:latency`, true)}`);

    const writer = (name: string, key: string, wait: boolean): Writer => ({
      name,
      key,
      wait,
      acked: new Set(),
      failed: 0,
      unreplicated: 0,
      firstOkAfterKill: null,
      firstAckedAfterKill: null,
      slowestAfterKill: 0,
    });
    const plain = writer(`plain on ${victim.name}'s slots`, `${victimTag}:plain`, false);
    const waited = writer(`WAIT 1 on ${victim.name}'s slots`, `${victimTag}:waited`, true);
    const other = writer(`plain on ${bystander.name}'s slots`, `${tagOn(cluster, bystander)}:other`, false);
    const clock: Clock = { killedAt: null, stop: false };
    const writers = Promise.all([plain, waited, other].map((w) => write(current, w, clock)));
    await pause(1000);
    const rebuildsBefore = current.rebuilds();
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    loopDelay.enable();
    await cluster.killNode(victim.name);
    clock.killedAt = performance.now();
    const promoted = await cluster.waitForFailover(victim.name);
    const promotedAfter = performance.now() - clock.killedAt;
    log(`kill -9 ${victim.name}: ${promoted.name} seen as master after ${ms(promotedAfter)} (the view is polled, ~0.1 s apart)`);
    await pause(1000);
    // The old master comes back as the new master's replica: only then can WAIT 1 answer 1 again on that shard.
    const restartedAt = performance.now();
    await cluster.startNode(victim.name);
    await cluster.waitUntilHealthy();
    const rejoined = (await cluster.nodes()).find((node) => node.name === victim.name);
    const synced = performance.now() - restartedAt;
    log(`${victim.name} restarted ${ms(restartedAt - clock.killedAt)} after the kill: ${rejoined?.role} of ${rejoined?.replicaOf}, synced after ${ms(synced)}`);
    await pause(1000);
    clock.stop = true;
    await writers;
    loopDelay.disable();

    for (const w of [plain, waited, other]) {
      const stored = new Set(await current.run((client) => client.lRange(w.key, 0, -1)));
      const lost = [...w.acked].filter((value) => !stored.has(value)).length;
      const after = (value: number | null) => (value === null ? "never" : ms(value));
      const acked = w.wait ? `; first acknowledged (WAIT ≥ 1) ${after(w.firstAckedAfterKill)}, ${w.unreplicated} written but WAIT answered 0` : "";
      log(
        `writer ${w.name}: first ok write ${after(w.firstOkAfterKill)} after the kill${acked}; ${w.failed} failed; ` +
          `${w.acked.size} acknowledged, ${lost} of them lost; slowest write ${ms(w.slowestAfterKill)}`,
      );
    }
    log(`client rebuilds: ${current.rebuilds() - rebuildsBefore}; this process's event loop lagged up to ${ms(loopDelay.max / 1e6)}`);
  } finally {
    await current.close();
    await cluster.stop();
  }
}

async function main(): Promise<void> {
  const options = flags();
  const { nodeTimeoutMs, appendfsync, runs } = options;
  console.log(`Redis Cluster: 3 masters + 3 replicas, cluster-node-timeout ${nodeTimeoutMs} ms, appendfsync ${appendfsync}, ${runs} runs`);
  for (let i = 1; i <= options.runs; i++) await run(i, options);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
