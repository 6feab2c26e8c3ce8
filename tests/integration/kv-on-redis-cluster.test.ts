/**
 * The kv store on a real six-node Redis Cluster, over both transports: REST (the real @vercel/kv
 * client through the KV bridge, whose Redis side is the cluster) and the Redis protocol (node-redis's
 * cluster client in the app). Slot routing, scripts loaded per node, KV_WAIT_REPLICAS, and a
 * kill -9 failover that loses an acknowledged claim without the option (the control) and loses
 * nothing the reader was shown with it. One cluster for the file; the failovers run last.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CandidatePool } from "@/lib/seen/feed-selection";
import type { KvTransport } from "@/lib/session/kv/kv-transport";
import { CLAIM_SCRIPT } from "@/lib/session/kv/kv-scripts";
import { redisClusterTransport } from "@/lib/session/kv/redis-cluster-transport";
import { restTransport } from "@/lib/session/kv/rest-transport";
import { KvUnavailableError } from "@/lib/session/errors";
import { startKvBridge, type KvBridge } from "../../scripts/lib/kv-bridge";
import { startRedisCluster, type LocalRedisCluster } from "../../scripts/lib/redis-cluster";
import { ownsSlot, type RedisClusterNode } from "../../scripts/lib/redis-cluster-view";
import { detailsOf, kvStoreOn } from "../support/stores";
import { TestJar } from "../support/test-jar";

const POOL: CandidatePool = { maxSeq: 5_000 };
const TOKEN = "cluster-bridge-token-0123456789";
let cluster: LocalRedisCluster;
const bridges: KvBridge[] = [];
const transports: KvTransport[] = [];

type Via = "rest" | "redis";

/** A transport to the cluster over `via`, with `waitReplicas` (KV_WAIT_REPLICAS). */
async function transportOver(via: Via, waitReplicas = 0): Promise<KvTransport> {
  let transport: KvTransport;
  if (via === "rest") {
    const bridge = await startKvBridge({ redisClusterUrls: cluster.urls.split(","), token: TOKEN, waitReplicas });
    bridges.push(bridge);
    transport = restTransport({ url: bridge.url, token: TOKEN }, { timeoutMs: 2000 });
  } else {
    transport = redisClusterTransport({ url: "", clusterUrls: cluster.urls.split(",") }, { timeoutMs: 2000, waitReplicas, log: () => {} });
  }
  transports.push(transport);
  return transport;
}

/** One reader: a cookie jar and a store on `transport`. */
function reader(transport: KvTransport) {
  const jar = new TestJar();
  const store = () => kvStoreOn(jar, transport);
  return {
    claim: async (limit = 5) => (await store().claimUnseen(POOL, limit)).seqs,
    key: async () => detailsOf((await store().describe()).details, "kv").keys![0]!,
  };
}

async function masters(): Promise<RedisClusterNode[]> {
  return (await cluster.nodes()).filter((node) => node.role === "master" && node.slots.length > 0);
}

/** A reader whose keys live on `master` (a new reader lands on a random slot: about three tries). */
async function readerOn(transport: KvTransport, master: RedisClusterNode) {
  for (let attempt = 0; attempt < 200; attempt++) {
    const candidate = reader(transport);
    await candidate.claim(1);
    if (ownsSlot(master.slots, cluster.slotOf(await candidate.key()))) return candidate;
  }
  throw new Error(`no reader landed on ${master.name} in 200 tries`);
}

const replicaOf = async (master: RedisClusterNode) => (await cluster.nodes()).find((node) => node.replicaOf === master.name)!;

beforeAll(async () => {
  cluster = await startRedisCluster({ nodeTimeoutMs: 1000 });
});

afterAll(async () => {
  await Promise.all(transports.map((transport) => transport.close()));
  await Promise.all(bridges.map((bridge) => bridge.stop()));
  await cluster?.stop();
});

describe.each<Via>(["rest", "redis"])("kv on a Redis Cluster over %s", (via) => {
  it("spreads readers over every master; each reader's pages never repeat", async () => {
    const transport = await transportOver(via);
    const readers = Array.from({ length: 24 }, () => reader(transport));
    const shown = readers.map(() => [] as number[]);
    for (let page = 0; page < 4; page++) {
      const pages = await Promise.all(readers.map((one) => one.claim(5)));
      pages.forEach((seqs, i) => shown[i]!.push(...seqs));
    }
    for (const seqs of shown) {
      expect(seqs).toHaveLength(20);
      expect(new Set(seqs).size).toBe(20);
    }
    const owners = new Set<string>();
    for (const one of readers) {
      const key = await one.key();
      expect(cluster.slotOf(key)).toBe(cluster.slotOf(key.replace(":seen", ":read")));
      owners.add((await cluster.masterOfSlot(cluster.slotOf(key)))!.name);
    }
    expect(owners.size).toBe(3);
  });

  it("loads the scripts on the node that lacks them: SCRIPT FLUSH on one master, and its next claim still works", async () => {
    const transport = await transportOver(via);
    const [, second] = await masters();
    const one = await readerOn(transport, second!);
    await cluster.sendToNode(second!.name, ["SCRIPT", "FLUSH"]);
    expect(await cluster.sendToNode(second!.name, ["SCRIPT", "EXISTS", CLAIM_SCRIPT.sha1])).toEqual([0]);
    expect(await one.claim(3)).toHaveLength(3);
    expect(await cluster.sendToNode(second!.name, ["SCRIPT", "EXISTS", CLAIM_SCRIPT.sha1])).toEqual([1]);
  });

  it("KV_WAIT_REPLICAS=1 refuses (503) a write its master's replica has not acknowledged; without it the write is confirmed", async () => {
    const plain = await transportOver(via, 0);
    const durable = await transportOver(via, 1);
    const [first] = await masters();
    const replica = await replicaOf(first!);
    const withWait = await readerOn(durable, first!);
    const withoutWait = await readerOn(plain, first!);
    expect(await withWait.claim(2)).toHaveLength(2); // the replica is up: acknowledged
    await cluster.pauseNode(replica.name);
    try {
      const refused = await withWait.claim(2).then(
        () => null,
        (error: unknown) => error,
      );
      expect(refused).toBeInstanceOf(KvUnavailableError);
      expect(String((refused as { cause?: unknown }).cause)).toMatch(/acknowledged/);
      expect(await withoutWait.claim(2)).toHaveLength(2);
    } finally {
      await cluster.resumeNode(replica.name);
    }
    expect(await withWait.claim(2)).toHaveLength(2);
  });
});

describe("failover (kill -9 of a master whose replica missed the last write)", { timeout: 60_000 }, () => {
  /**
   * Makes the replica miss the next claim, then kills its master: the replica is frozen (SIGSTOP)
   * and a 48 MB value on the reader's own slot fills the replication socket's kernel buffers, so
   * the claim that follows waits in the master's own memory (a frozen replica's kernel would
   * otherwise still take it in). kill -9 of the master drops it there; the thawed replica is
   * promoted without it. Returns the pages around the kill.
   */
  async function killAfterUnreplicatedClaim(via: Via, waitReplicas: number, master: RedisClusterNode) {
    const log = (what: string) => console.log(`[failover ${via} wait=${waitReplicas}] ${what}`);
    const transport = await transportOver(via, waitReplicas);
    const one = await readerOn(transport, master);
    const before = await one.claim(5);
    const key = await one.key();
    // The first pages reach the replica: WAIT on the master's own connection says so.
    await cluster.sendToNode(master.name, ["WAIT", "1", "2000"]);
    const replica = await replicaOf(master);
    await cluster.pauseNode(replica.name);
    const tag = key.slice(key.indexOf("{"), key.indexOf("}") + 1);
    await cluster.sendToNode(master.name, ["SET", `filler:${tag}`, "x".repeat(48 * 1024 * 1024)], 10_000);
    const atRisk = await one.claim(5).catch((error: unknown) => error);
    log(`claim during the freeze: ${Array.isArray(atRisk) ? `confirmed ${atRisk.join(",")}` : String(atRisk)}`);
    await cluster.killNode(master.name);
    await cluster.resumeNode(replica.name);
    const started = performance.now();
    const promoted = await cluster.waitForFailover(master.name, 20_000);
    log(`${promoted.name} promoted after ${Math.round(performance.now() - started)} ms`);
    expect(promoted.name).toBe(replica.name);
    // Restarted at once, as an orchestrator would: it rejoins as the new master's replica, which
    // KV_WAIT_REPLICAS needs before the shard takes writes again.
    await cluster.startNode(master.name);
    // The clients learn the new topology from their failures; a few claims may still fail with 503.
    let after: number[] | null = null;
    let failed = 0;
    while (after === null && failed < 50) {
      after = await one.claim(5).catch(async (error: unknown) => {
        if (!(error instanceof KvUnavailableError)) throw error;
        failed++;
        await new Promise((resolve) => setTimeout(resolve, 200));
        return null;
      });
    }
    log(`${failed} claim(s) failed before one went through, ${Math.round(performance.now() - started)} ms after the thaw`);
    expect(after, "no claim went through after the failover").not.toBeNull();
    await cluster.sendToNode(promoted.name, ["DEL", `filler:${tag}`]);
    return { before, atRisk, after: after! };
  }

  it("without KV_WAIT_REPLICAS, the acknowledged claim dies with the master and its articles come back (the control)", async () => {
    const [first] = await masters();
    const { before, atRisk, after } = await killAfterUnreplicatedClaim("redis", 0, first!);
    expect(Array.isArray(atRisk)).toBe(true);
    const shownTwice = after.filter((seq) => (atRisk as number[]).includes(seq));
    expect(shownTwice.length).toBeGreaterThan(0);
    expect(after.filter((seq) => before.includes(seq))).toEqual([]);
  });

  it.each<Via>(["redis", "rest"])("with KV_WAIT_REPLICAS=1 over %s, the unacknowledged claim was refused and nothing shown comes back", async (via) => {
    const candidates = await masters();
    // A master that has its replica back (the control's old master rejoined as a replica of its successor).
    let master: RedisClusterNode | undefined;
    for (let attempt = 0; attempt < 100 && !master; attempt++) {
      const nodes = await cluster.nodes();
      master = candidates.find((node) => nodes.some((other) => other.replicaOf === node.name && other.cluster === "up" && other.process === "running"));
      if (!master) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const { before, atRisk, after } = await killAfterUnreplicatedClaim(via, 1, master!);
    expect(atRisk).toBeInstanceOf(KvUnavailableError);
    expect((atRisk as Error).message).toMatch(/withheld/);
    expect(after).toHaveLength(5);
    expect(after.filter((seq) => before.includes(seq))).toEqual([]);
  });
});
