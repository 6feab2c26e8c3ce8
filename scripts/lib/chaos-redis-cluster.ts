/**
 * `npm run chaos -- --redis cluster`: kv readers read back to back against 3 instances (a, c over
 * REST through the bridge's cluster side, b over the Redis protocol) while the master of the
 * busiest shard (the one most readers' slots hash to) is killed with SIGKILL, twice:
 *   1. at a third of the run, as it is: whatever its replica had not copied yet dies with it;
 *   2. at two thirds, with its replica lagging: frozen (SIGSTOP) and behind a 48 MB write on the
 *      same slot that fills the replication socket, so the claims acknowledged in the last second
 *      exist on the master only. The worst case asynchronous replication allows, made certain.
 * After each kill: the replica's promotion is awaited, then the killed node restarted (as an
 * orchestrator would; it rejoins as a replica). Run once without and once with KV_WAIT_REPLICAS=1.
 * Reported per run: requests, failures (and those of the shard's readers between a kill and its
 * recovery), time to promotion and to recovery, repeats, lost seen entries, at-most-once losses.
 * Target with KV_WAIT_REPLICAS=1: 0 repeats and 0 lost entries. Without it the figures are the
 * measurement. Loopback only, bounded, stops by itself.
 */
import type { SessionView } from "../../lib/api-contract";
import { VirtualReader } from "./bench/driver";
import { readUntil, tallyReader } from "./chaos-reading";
import type { LocalRedisCluster } from "./redis-cluster";
import { startStack } from "./stack";

export interface RedisClusterChaosOptions {
  durationMs: number;
  readers: number;
  waitReplicas: number;
  log: (line: string) => void;
}

export interface KillFigures {
  kind: "plain" | "lagging replica";
  master: string;
  /** Readers whose slot that master served. */
  shardReaders: number;
  atSeconds: number;
  /** Kill → the cluster agreed on the replica as master. */
  promotionMs: number;
  /** Kill → the shard's last failed request (0: none failed). */
  recoveryMs: number;
  /** Failed requests of the shard's readers between the kill and its recovery. */
  failedRequests: number;
  /** Articles shown twice from this kill until the next one (or the end). */
  repeats: number;
}

export interface RedisClusterChaosReport {
  waitReplicas: number;
  readers: number;
  seconds: number;
  requests: number;
  failed: number;
  failuresByCause: Record<string, number>;
  kills: KillFigures[];
  articlesReceived: number;
  repeats: number;
  lostSeenEntries: number;
  atMostOnceLosses: number;
}

interface Failure {
  at: number;
  reader: number;
  status: number;
  code: string;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const FILLER_BYTES = 48 * 1024 * 1024;

export async function runRedisClusterChaos(options: RedisClusterChaosOptions): Promise<RedisClusterChaosReport> {
  const { log } = options;
  const stack = await startStack({
    instances: 3,
    port: 0,
    policy: "round-robin",
    aof: "always",
    redis: "cluster",
    kvTransport: "mixed",
    waitReplicas: options.waitReplicas,
    env: { CATALOGUE_SIZE: "10000" },
    log: (line) => line.startsWith("[newsroom] kv") && console.log(line),
    build: false,
  });
  const redis = stack.kv.redisCluster as LocalRedisCluster | null;
  try {
    if (!redis || !("killNode" in redis)) throw new Error("chaos --redis cluster needs the six local nodes (unset REDIS_CLUSTER_URLS)");
    const readers = Array.from({ length: options.readers }, () => new VirtualReader(stack.url));
    const slots: number[] = [];
    for (const reader of readers) {
      if ((await reader.jar.setMode("kv")).status !== 200) throw new Error("could not switch a reader to kv mode");
      await reader.feed();
      const session = (await reader.jar.session()) as { status: number; body: SessionView };
      if (session.body.store.kind !== "kv" || session.body.store.slot === null) throw new Error("a kv reader has no slot");
      slots.push(session.body.store.slot);
    }
    const failures: Failure[] = [];
    const started = Date.now();
    const until = started + options.durationMs;
    const at = () => Date.now() - started;
    const reading = readers.map((reader, i) => readUntil(reader, until, (status, code) => failures.push({ at: at(), reader: i, status, code })));

    const kills: KillFigures[] = [];
    /** The readers on each killed master's shard, by kill. */
    const killedShards: number[][] = [];
    /** Repeats so far, summed over the readers, at each kill. */
    const repeatsAtKill: number[] = [];
    const chaos = (async () => {
      for (const [index, kind] of (["plain", "lagging replica"] as const).entries()) {
        await pause(started + ((index + 1) * options.durationMs) / 3 - Date.now());
        const masters = (await redis.nodes()).filter((node) => node.role === "master" && node.slots.length > 0);
        const readersOf = (name: string) =>
          slots.flatMap((slot, i) => (masters.find((m) => m.name === name)!.slots.some(([from, to]) => slot >= from && slot <= to) ? [i] : []));
        const busiest = masters.map((m) => ({ name: m.name, readers: readersOf(m.name) })).sort((a, b) => b.readers.length - a.readers.length)[0]!;
        const replica = (await redis.nodes()).find((node) => node.replicaOf === busiest.name)!;
        let filler: string | null = null;
        if (kind === "lagging replica") {
          await redis.pauseNode(replica.name);
          // The filler goes to a key on one of the shard's readers' slots, so it travels the same replication link.
          const slot = slots[busiest.readers[0]!]!;
          filler = `chaos-filler:{${tagForSlot(redis, slot)}}`;
          await redis.sendToNode(busiest.name, ["SET", filler, "x".repeat(FILLER_BYTES)], 10_000);
          await pause(1000); // a second of claims acknowledged by the master alone
        }
        repeatsAtKill.push(readers.reduce((sum, reader) => sum + reader.repeats, 0));
        const killedAt = at();
        await redis.killNode(busiest.name);
        if (kind === "lagging replica") await redis.resumeNode(replica.name);
        log(`t=${(killedAt / 1000).toFixed(1)}s killed master ${busiest.name} (${busiest.readers.length} readers' slots; ${kind})`);
        const promoted = await redis.waitForFailover(busiest.name, 20_000);
        const promotionMs = at() - killedAt;
        log(`t=${(at() / 1000).toFixed(1)}s ${promoted.name} promoted (${promotionMs} ms); restarting ${busiest.name}`);
        await redis.startNode(busiest.name);
        if (filler) await redis.sendToNode(promoted.name, ["DEL", filler]).catch(() => {});
        kills.push({
          kind,
          master: busiest.name,
          shardReaders: busiest.readers.length,
          atSeconds: round1(killedAt / 1000),
          promotionMs,
          recoveryMs: 0,
          failedRequests: 0,
          repeats: 0,
        });
        killedShards.push(busiest.readers);
      }
    })();
    const [counts] = await Promise.all([Promise.all(reading), chaos]);

    // Each kill's recovery: the shard's failures from the kill until the next kill (or the end).
    for (const [k, kill] of kills.entries()) {
      const from = kill.atSeconds * 1000;
      const to = kills[k + 1] ? kills[k + 1]!.atSeconds * 1000 : Number.POSITIVE_INFINITY;
      const ids = new Set(killedShards[k]);
      const shard = failures.filter((f) => ids.has(f.reader) && f.at >= from && f.at < to);
      kill.failedRequests = shard.length;
      kill.recoveryMs = shard.length === 0 ? 0 : Math.max(...shard.map((f) => f.at)) - from;
      const repeatsNow = readers.reduce((sum, reader) => sum + reader.repeats, 0);
      kill.repeats = (repeatsAtKill[k + 1] ?? repeatsNow) - repeatsAtKill[k]!;
    }

    let repeats = 0;
    let lost = 0;
    let atMostOnce = 0;
    let articles = 0;
    for (const reader of readers) {
      const tally = await tallyReader(reader, 20);
      repeats += tally.repeats;
      lost += tally.lost;
      atMostOnce += tally.atMostOnce;
      articles += tally.articles;
    }
    const failuresByCause: Record<string, number> = {};
    for (const f of failures) failuresByCause[`${f.status} ${f.code}`] = (failuresByCause[`${f.status} ${f.code}`] ?? 0) + 1;
    return {
      waitReplicas: options.waitReplicas,
      readers: options.readers,
      seconds: options.durationMs / 1000,
      requests: counts.reduce((a, b) => a + b, 0),
      failed: failures.length,
      failuresByCause,
      kills,
      articlesReceived: articles,
      repeats,
      lostSeenEntries: lost,
      atMostOnceLosses: atMostOnce,
    };
  } finally {
    await stack.stop();
  }
}

/** A hash tag whose slot is `slot` (a few thousand tries at most: 16,384 slots). */
function tagForSlot(redis: LocalRedisCluster, slot: number): string {
  for (let i = 0; ; i++) if (redis.slotOf(`{t${i}}`) === slot) return `t${i}`;
}

const round1 = (n: number) => Math.round(n * 10) / 10;
