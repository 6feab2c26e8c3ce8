/**
 * A real six-node Redis Cluster (scripts/lib/redis-cluster.ts) and node-redis's cluster client on
 * it: slots, the kv Lua scripts on hash-tagged keys (and CROSSSLOT without the tag), scripts
 * loaded per node, WAIT, and a kill -9 failover. One cluster for the whole file; the failover
 * test runs last because it reshapes the cluster. Timings are printed, never asserted.
 */
import { createHash, randomBytes } from "node:crypto";
import fc from "fast-check";
import { createClient, createCluster, defineScript, type RedisClusterType } from "redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLAIM_SCRIPT, DESCRIBE_SCRIPT, MARK_READ_SCRIPT, REPLACE_SCRIPT, sessionKeys } from "../../lib/session/kv/kv-scripts";
import { connectCurrentCluster, failFastNodeDefaults } from "../../lib/session/kv/redis-cluster-client";
import { clusterClientOptions, connectExistingCluster, startRedisCluster, type LocalRedisCluster } from "../../scripts/lib/redis-cluster";
import { CLUSTER_SLOTS, countSlots, ownsSlot, withNode, type RedisClusterNode } from "../../scripts/lib/redis-cluster-view";

const NODE_TIMEOUT_MS = 1000;
let cluster: LocalRedisCluster;

/** MARK_READ on one reader's two keys, as the kv store would define it for a Redis-protocol transport. */
const markRead = defineScript({
  SCRIPT: MARK_READ_SCRIPT.source,
  NUMBER_OF_KEYS: 2,
  parseCommand(parser, sid: string, seq: number) {
    const keys = sessionKeys(sid);
    parser.pushKey(keys.seen);
    parser.pushKey(keys.read);
    parser.push(String(seq), "60", String(Date.now() + 60_000));
  },
  transformReply: (reply: unknown) => reply as [number, number],
});

function makeClient() {
  return createCluster({
    ...clusterClientOptions(cluster.urls),
    minimizeConnections: true,
    defaults: failFastNodeDefaults(cluster.password),
    scripts: { markRead },
  });
}

let client: ReturnType<typeof makeClient>;

const newSid = () => randomBytes(16).toString("base64url");
const address = (node: RedisClusterNode) => ({ host: node.host, port: node.port, password: cluster.password });

async function masters() {
  return (await cluster.nodes()).filter((node) => node.role === "master" && node.slots.length > 0);
}

/** A session id whose keys live on the given master. */
function sidOn(master: RedisClusterNode): string {
  for (;;) {
    const sid = newSid();
    if (ownsSlot(master.slots, cluster.slotOf(sessionKeys(sid).seen))) return sid;
  }
}

beforeAll(async () => {
  const started = performance.now();
  cluster = await startRedisCluster({ nodeTimeoutMs: NODE_TIMEOUT_MS });
  console.log(`[redis-cluster] startRedisCluster took ${Math.round(performance.now() - started)} ms`);
  client = makeClient();
  client.on("error", () => {});
  await client.connect();
});

/** destroy() throws when a node's connection already closed itself (as a killed node's does). */
function destroyQuietly(cluster_: { destroy(): void } | undefined) {
  try {
    cluster_?.destroy();
  } catch {
    // Nothing left to close.
  }
}

afterAll(async () => {
  destroyQuietly(client);
  await cluster?.stop();
});

describe("startRedisCluster", () => {
  it("forms three masters and three replicas that cover all 16384 slots", async () => {
    const nodes = await cluster.nodes();
    expect(nodes.map((node) => node.name)).toEqual(["n1", "n2", "n3", "n4", "n5", "n6"]);
    const primaries = nodes.filter((node) => node.role === "master");
    const replicas = nodes.filter((node) => node.role === "replica");
    expect(primaries).toHaveLength(3);
    expect(replicas).toHaveLength(3);
    expect(primaries.reduce((sum, node) => sum + countSlots(node.slots), 0)).toBe(CLUSTER_SLOTS);
    // Each master has exactly one replica.
    expect(new Set(replicas.map((node) => node.replicaOf))).toEqual(new Set(primaries.map((node) => node.name)));
    for (const node of nodes) {
      expect(node).toMatchObject({ process: "running", cluster: "up" });
      expect(node.pid).toBeGreaterThan(0);
      expect(node.nodeId).toMatch(/^[0-9a-f]{40}$/);
      const info = String(await cluster.sendToNode(node.name, ["CLUSTER", "INFO"]));
      expect(info).toContain("cluster_state:ok");
      expect(info).toContain(`cluster_slots_ok:${CLUSTER_SLOTS}`);
    }
    const config = (await cluster.sendToNode("n1", ["CONFIG", "GET", "cluster-node-timeout"])) as string[];
    expect(config).toEqual(["cluster-node-timeout", String(NODE_TIMEOUT_MS)]);
    expect(cluster.urls.split(",")).toHaveLength(6);
  });

  it("refuses clients without the password, and with a wrong one", async () => {
    const port = (await cluster.nodes())[0]!.port;
    const attempt = async (password: string | undefined) => {
      const plain = createClient({ socket: { host: "127.0.0.1", port, reconnectStrategy: false }, password });
      plain.on("error", () => {});
      try {
        await plain.connect();
        return await plain.ping();
      } finally {
        destroyQuietly(plain);
      }
    };
    await expect(attempt(undefined)).rejects.toThrow(/NOAUTH/);
    await expect(attempt("not-the-password")).rejects.toThrow(/WRONGPASS/);
    expect(await attempt(cluster.password)).toBe("PONG");
  });

  it("slotOf agrees with CLUSTER KEYSLOT, hash tags included", async () => {
    // The examples of Redis's cluster spec, and a few more around empty and unclosed tags.
    const edgeCases = ["", "a", "{", "}", "{}", "{}x", "x{}", "{a", "a}", "foo{}{bar}", "foo{{bar}}zap", "foo{bar}{zap}"];
    edgeCases.push("{user1000}.following", "{user1000}.followers", "é{ü}", "🦀", "newsroom:{sid}:seen");
    const keys = [...edgeCases, ...fc.sample(fc.string({ unit: "grapheme", maxLength: 40 }), { numRuns: 300, seed: 42 })];
    const n1 = (await cluster.nodes())[0]!;
    const fromRedis = await withNode(address(n1), (node) => Promise.all(keys.map((key) => node.clusterKeySlot(key))));
    expect(keys.map((key) => cluster.slotOf(key))).toEqual(fromRedis);
  });

  it("gives the same read-only view of the cluster through connectExistingCluster(urls)", async () => {
    const existing = await connectExistingCluster(cluster.urls.split(",")[2]!);
    const ours = await cluster.nodes();
    const theirs = await existing.nodes();
    const shape = (node: RedisClusterNode) => [node.port, node.role, node.slots, node.nodeId, node.cluster];
    expect(theirs.map(shape).sort()).toEqual(ours.map(shape).sort());
    for (const node of theirs) expect(node).toMatchObject({ pid: null, process: "external" });
    await expect(connectExistingCluster(cluster.urls.replace(/:[^:@]*@/g, ":wrong@"))).rejects.toThrow(/password/);
  });
});

describe("node-redis createCluster on it", () => {
  it("writes and reads keys across many slots, on every master", async () => {
    const keys = Array.from({ length: 300 }, (_, i) => `newsroom:spread:${i}`);
    await Promise.all(keys.map((key, i) => client.set(key, String(i), { EX: 60 })));
    expect(await Promise.all(keys.map((key) => client.get(key)))).toEqual(keys.map((_, i) => String(i)));
    const primaries = await masters();
    const owners = keys.map((key) => primaries.find((master) => ownsSlot(master.slots, cluster.slotOf(key)))!.name);
    expect(new Set(owners).size).toBe(3);
    expect(new Set(keys.map((key) => cluster.slotOf(key))).size).toBeGreaterThan(250);
    // The key is on its slot's master: another master answers MOVED, which the cluster client follows.
    const key = keys[0]!;
    const owner = (await cluster.masterOfSlot(cluster.slotOf(key)))!;
    const other = primaries.find((node) => node.name !== owner.name)!;
    expect(await cluster.sendToNode(owner.name, ["GET", key])).toBe("0");
    await expect(cluster.sendToNode(other.name, ["GET", key])).rejects.toThrow(new RegExp(`^MOVED ${cluster.slotOf(key)} 127.0.0.1:${owner.port}`));
  });

  it("runs every kv script on a reader's two keys; a script on two keys without a common hash tag fails CROSSSLOT", async () => {
    const keys = sessionKeys(newSid());
    const both = [keys.seen, keys.read];
    const claimed = (await client.eval(CLAIM_SCRIPT.source, { keys: both, arguments: ["3", "20", "60", "", String(Date.now() + 60_000)] })) as number[];
    expect(claimed).toEqual([3, 17, 20, 19, 18]);
    expect(await client.eval(MARK_READ_SCRIPT.source, { keys: both, arguments: ["5", "60", String(Date.now() + 60_000)] })).toEqual([4, 1]);
    const described = (await client.eval(DESCRIBE_SCRIPT.source, { keys: both })) as [string, string, number];
    expect(described[2]).toBeGreaterThan(0); // the TTL the scripts set
    expect(await client.eval(REPLACE_SCRIPT.source, { keys: both, arguments: ["ff", "", "60", String(Date.now() + 60_000)] })).toBe(1);
    expect(await client.bitCount(keys.seen)).toBe(8);

    // Negative control: the same script on two keys in different slots.
    const untagged = ["newsroom:untagged-a:seen", "newsroom:untagged-b:read"];
    expect(cluster.slotOf(untagged[0]!)).not.toBe(cluster.slotOf(untagged[1]!));
    await expect(client.eval(MARK_READ_SCRIPT.source, { keys: untagged, arguments: ["5", "60", String(Date.now() + 60_000)] })).rejects.toThrow(/CROSSSLOT/);
  });

  it("keeps every key of a session in one slot, for any session id (a new key without the {sid} tag fails here)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (bytes) => {
        const slots = Object.values(sessionKeys(Buffer.from(bytes).toString("base64url"))).map((key) => cluster.slotOf(key));
        return slots.length >= 2 && new Set(slots).size === 1;
      }),
      { numRuns: 2000 },
    );
  });

  it("loads scripts per node: EVALSHA answers NOSCRIPT on a master that never loaded it, until SCRIPT LOAD there", async () => {
    // Unique per run, so no node has it cached from an earlier test.
    const script = `-- ${newSid()}\nreturn redis.call('INCR', KEYS[1])`;
    const sha = createHash("sha1").update(script).digest("hex");
    const [first, second] = await masters();
    const keyOn = (master: RedisClusterNode) => sessionKeys(sidOn(master)).seen;
    await expect(cluster.sendToNode(first!.name, ["EVALSHA", sha, "1", keyOn(first!)])).rejects.toThrow(/^NOSCRIPT/);
    expect(await cluster.sendToNode(first!.name, ["SCRIPT", "LOAD", script])).toBe(sha);
    expect(await cluster.sendToNode(first!.name, ["EVALSHA", sha, "1", keyOn(first!)])).toBe(1);
    // The script cache is per node: loading it on one master does nothing for another.
    await expect(cluster.sendToNode(second!.name, ["EVALSHA", sha, "1", keyOn(second!)])).rejects.toThrow(/^NOSCRIPT/);

    // How a client copes: node-redis sends EVALSHA, and on NOSCRIPT falls back to EVAL on that node,
    // which caches it there. After one call per master, every master has the script.
    const all = await masters();
    for (const master of all) expect(await cluster.sendToNode(master.name, ["SCRIPT", "FLUSH"])).toBe("OK");
    for (const master of all) expect(await client.markRead(sidOn(master), 3)).toEqual([1, 1]);
    for (const master of all) expect(await cluster.sendToNode(master.name, ["SCRIPT", "EXISTS", markRead.SHA1])).toEqual([1]);
  });
});

describe("replication", () => {
  it("WAIT 1 answers 1 on a healthy shard, and 0 while the shard's replica is frozen", async () => {
    const master = (await masters())[0]!;
    const replica = (await cluster.nodes()).find((node) => node.replicaOf === master.name)!;
    const key = sessionKeys(sidOn(master)).seen;
    // WAIT counts the replicas that have every write made on this connection: through the cluster
    // client, it goes to the key's master over the same connection as the write.
    await client.set(key, "healthy");
    expect(await client.sendCommand(key, false, ["WAIT", "1", "2000"])).toBe(1);

    await cluster.pauseNode(replica.name);
    try {
      const started = performance.now();
      const acked = await withNode(address(master), async (node) => {
        await node.set(key, "replica-frozen");
        return node.sendCommand(["WAIT", "1", "300"]);
      });
      console.log(`[redis-cluster] WAIT 1 300 with ${replica.name} frozen: ${String(acked)} after ${Math.round(performance.now() - started)} ms`);
      expect(acked).toBe(0);
    } finally {
      await cluster.resumeNode(replica.name);
    }
    await cluster.waitUntilHealthy();
    await client.set(key, "resumed");
    expect(await client.sendCommand(key, false, ["WAIT", "1", "2000"])).toBe(1);
  });
});

describe("node control", () => {
  it("stopNode shows a replica stopped and flagged by the cluster; startNode brings it back", async () => {
    const replica = (await cluster.nodes()).find((node) => node.role === "replica")!;
    await cluster.stopNode(replica.name);
    const stoppedAt = performance.now();
    let seen = (await cluster.nodes()).find((node) => node.name === replica.name)!;
    expect(seen).toMatchObject({ process: "stopped", pid: null });
    while (seen.cluster === "up" && performance.now() - stoppedAt < 15_000) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      seen = (await cluster.nodes()).find((node) => node.name === replica.name)!;
    }
    console.log(`[redis-cluster] stopped ${replica.name} flagged ${seen.cluster} after ${Math.round(performance.now() - stoppedAt)} ms`);
    expect(["pfail", "fail"]).toContain(seen.cluster);
    await expect(cluster.waitUntilHealthy(500)).rejects.toThrow(/not healthy/);
    await cluster.startNode(replica.name);
    await cluster.waitUntilHealthy();
    expect((await cluster.nodes()).find((node) => node.name === replica.name)).toMatchObject({
      process: "running",
      role: "replica",
      replicaOf: replica.replicaOf,
      cluster: "up",
    });
  });
});

describe("failover", () => {
  it("kill -9 of a master: its replica takes over, a rebuilt client writes again, a stock one does not; the old master rejoins as a replica", async () => {
    const victim = (await masters())[0]!;
    const heir = (await cluster.nodes()).find((node) => node.replicaOf === victim.name)!;
    const sid = sidOn(victim);
    const key = sessionKeys(sid).seen;
    const current = await connectCurrentCluster(makeClient, { timeoutMs: 1000 });
    const stock: RedisClusterType = createCluster({ ...clusterClientOptions(cluster.urls), defaults: failFastNodeDefaults(cluster.password) });
    stock.on("error", () => {});
    await stock.connect();
    try {
      // Replicated before the kill (WAIT says so), so it must survive the failover.
      await current.run((c) => c.set(key, "before"));
      expect(await current.run((c) => c.sendCommand(key, false, ["WAIT", "1", "2000"]))).toBe(1);
      expect(await stock.get(key)).toBe("before");

      await cluster.killNode(victim.name);
      const killedAt = performance.now();
      let failed = 0;
      let writtenAt = 0;
      const writes = (async () => {
        while (performance.now() - killedAt < 30_000) {
          try {
            await current.run((c) => c.set(key, "after"));
            writtenAt = performance.now();
            return;
          } catch {
            failed++;
            await new Promise((resolve) => setTimeout(resolve, 50));
          }
        }
      })();
      const promoted = await cluster.waitForFailover(victim.name);
      const promotedAt = performance.now();
      await writes;
      console.log(
        `[redis-cluster] kill -9 ${victim.name}: ${promoted.name} promoted after ~${Math.round(promotedAt - killedAt)} ms; ` +
          `first write ok after ${Math.round(writtenAt - killedAt)} ms, ${failed} writes failed, ${current.rebuilds()} client rebuilds`,
      );
      expect(promoted.name).toBe(heir.name);
      expect(writtenAt).toBeGreaterThan(0);
      expect(await current.run((c) => c.get(key))).toBe("after");
      // Scripts: the promoted replica has an empty script cache; EVALSHA → NOSCRIPT → EVAL copes.
      expect(await current.run((c) => c.markRead(sid, 9))).toEqual([expect.any(Number), 1]);

      // Negative control: node-redis by itself re-reads the topology only on MOVED/ASK, which a dead node never sends.
      for (let i = 0; i < 3; i++) await expect(stock.set(key, "stock")).rejects.toThrow();

      const restartedAt = performance.now();
      await cluster.startNode(victim.name);
      await cluster.waitUntilHealthy();
      console.log(`[redis-cluster] ${victim.name} restarted and healthy as a replica after ${Math.round(performance.now() - restartedAt)} ms`);
      const after = await cluster.nodes();
      expect(after.find((node) => node.name === victim.name)).toMatchObject({ role: "replica", replicaOf: heir.name, process: "running", cluster: "up" });
      expect(after.find((node) => node.name === heir.name)).toMatchObject({ role: "master", slots: victim.slots });
      expect(await current.run((c) => c.get(key))).toBe("after");
    } finally {
      destroyQuietly(stock);
      await current.close();
    }
  });
});
