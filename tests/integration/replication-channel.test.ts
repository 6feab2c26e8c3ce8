/**
 * Replicated mode's channel between real nodes: three ReplicationNodes in this process, each on
 * its own loopback port, talking HTTP to each other exactly as three instances do (the instances
 * add only Next.js around them; the e2e replicated spec drives those). Sync waits for the peers,
 * async with a lag does not (the control for the e2e repeat), a newcomer catches up by state
 * transfer, a peer that stopped answering catches up when it returns, and the channel refuses
 * what it must.
 */
import type { Server } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { SeqSet } from "@/lib/seen/seq-set";
import { keyring } from "@/lib/session/keyring";
import { channelKeys, signMessage } from "@/lib/session/replicated/channel-auth";
import { listenChannel } from "@/lib/session/replicated/channel-server";
import { toWire, emptyReplica } from "@/lib/session/replicated/replica";
import type { ReplicationMode } from "@/lib/session/replicated/replication-config";
import { ReplicationNode } from "@/lib/session/replicated/replication-node";
import { freePort } from "../../scripts/lib/ports";

const SECRET = "replication-secret-replication-secret-0";
const KEYS = channelKeys(keyring(SECRET));
const TTL_MS = 3_600_000;
const SID = "ReaderReaderReaderRead";

interface Running {
  node: ReplicationNode;
  server: Server;
  port: number;
}

const started: Running[] = [];

afterEach(async () => {
  for (const { node, server } of started.splice(0)) {
    node.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function startNode(id: string, port: number, peers: Array<{ id: string; port: number }>, mode: ReplicationMode = "sync", lagMs = 0): Promise<Running> {
  const node = new ReplicationNode(
    { instanceId: id, host: "127.0.0.1", port, peers: peers.map((p) => ({ id: p.id, host: "127.0.0.1", port: p.port })), mode, lagMs, maxReaders: 1000 },
    KEYS,
    TTL_MS,
    () => {},
  );
  const server = await listenChannel(node, "127.0.0.1", port);
  await node.join();
  const running = { node, server, port };
  started.push(running);
  return running;
}

async function group(mode: ReplicationMode = "sync", lagMs = 0): Promise<Running[]> {
  const ports = await Promise.all([freePort(), freePort(), freePort()]);
  const ids = ["a", "b", "c"];
  const nodes: Running[] = [];
  for (const [i, id] of ids.entries()) {
    nodes.push(
      await startNode(
        id,
        ports[i]!,
        ids.map((peer, j) => ({ id: peer, port: ports[j]! })).filter((p) => p.id !== id),
        mode,
        lagMs,
      ),
    );
  }
  return nodes;
}

/** What a claim of `seqs` on `node` does: change its replica, then publish it. */
async function claim(node: ReplicationNode, seqs: number[]) {
  const replica = node.replicaForWrite(SID);
  for (const seq of seqs) replica.seen.add(seq);
  return node.publish(SID);
}

const seenOn = (node: ReplicationNode) => node.replica(SID)?.seen.count() ?? 0;

describe("replication between nodes", () => {
  it("sync: the claim returns only after every peer holds it", async () => {
    const [a, b, c] = await group("sync");
    const published = await claim(a!.node, [1, 2, 3]);
    expect(published.acked.sort()).toEqual(["b", "c"]);
    expect([seenOn(b!.node), seenOn(c!.node)]).toEqual([3, 3]);
  });

  it("async with a lag: the claim returns first and a peer asked at once does not have it yet (the repeat), then does", async () => {
    const [a, b] = await group("async", 300);
    const published = await claim(a!.node, [1, 2, 3]);
    expect(published).toEqual({ acked: [], skipped: [] });
    expect(seenOn(b!.node)).toBe(0);
    await expect.poll(() => seenOn(b!.node), { timeout: 5000 }).toBe(3);
  });

  it("concurrent claims on two nodes merge to the union everywhere", async () => {
    const [a, b, c] = await group("sync");
    await Promise.all([claim(a!.node, [1, 2]), claim(b!.node, [3, 4])]);
    for (const node of [a!, b!, c!]) expect(node.node.replica(SID)?.seen.ranges()).toEqual([[1, 4]]);
  });

  it("a newcomer catches up by state transfer before it is ready", async () => {
    const [a, b] = await group("sync");
    await claim(a!.node, [5, 6, 7]);
    const port = await freePort();
    const d = await startNode("d", port, [
      { id: "a", port: a!.port },
      { id: "b", port: b!.port },
    ]);
    expect(d.node.caughtUp).toBe(true);
    expect(d.node.catchUp).toMatchObject({ replicas: 2, from: ["a", "b"] }); // one replica from each peer
    expect(seenOn(d.node)).toBe(3);
    // and the old members learnt of it: their next change reaches d
    await claim(b!.node, [8]);
    expect(seenOn(d.node)).toBe(4);
  });

  it("a peer that stopped answering is skipped, and catches up when it answers again", async () => {
    const [a, , c] = await group("sync");
    await claim(a!.node, [1]);
    // c stops answering: its server stops accepting; the node (its memory) lives on, like a stalled process
    c!.server.closeAllConnections();
    await new Promise((resolve) => c!.server.close(resolve));
    const first = await claim(a!.node, [2, 3]);
    expect(first.acked).toEqual(["b"]);
    expect(first.skipped).toEqual(["c"]);
    expect(a!.node.status().peers.find((p) => p.id === "c")).toMatchObject({ state: "down", backlog: 1 });
    // later claims do not wait for it at all: it is skipped from the start, not timed out on
    expect(await claim(a!.node, [4])).toEqual({ acked: ["b"], skipped: ["c"] });
    expect(seenOn(c!.node)).toBe(1);
    // c answers again on the same port: a's link notices and sends what it missed
    c!.server = await listenChannel(c!.node, "127.0.0.1", c!.port);
    await expect.poll(() => seenOn(c!.node), { timeout: 5000 }).toBe(4);
    // a marks the link up when c's acknowledgement arrives, a moment after c merged: wait for it too
    await expect.poll(() => a!.node.status().peers.find((p) => p.id === "c"), { timeout: 5000 }).toMatchObject({ state: "up", backlog: 0 });
  });

  it("a paused node pulls the peers' state before it serves replicated readers again", async () => {
    const [a, , c] = await group("sync");
    // c stalls (its channel stops answering) while a reader claims on a
    c!.server.closeAllConnections();
    await new Promise((resolve) => c!.server.close(resolve));
    expect((await claim(a!.node, [1, 2])).skipped).toEqual(["c"]);
    c!.server = await listenChannel(c!.node, "127.0.0.1", c!.port);
    // c's loop resumes after a long gap: it notices, and its stores wait until it re-joined
    expect(c!.node.whenCaughtUp()).toBeNull();
    c!.node.checkPause(Date.now() - 60_000);
    c!.node.checkPause(Date.now());
    const rejoin = c!.node.whenCaughtUp();
    expect(rejoin).not.toBeNull();
    await rejoin;
    expect(seenOn(c!.node)).toBe(2);
    expect(c!.node.whenCaughtUp()).toBeNull();
  });

  it("forget me travels as a tombstone that a late claim cannot undo", async () => {
    const [a, b] = await group("sync");
    await claim(a!.node, [1, 2, 3]);
    a!.node.adopt(SID, { ...emptyReplica(1), forgotten: true });
    await a!.node.publish(SID);
    expect(b!.node.replica(SID)).toMatchObject({ epoch: 1, forgotten: true });
    // a late copy of the old state (epoch 0) arriving now changes nothing
    b!.node.mergeAll([toWire(SID, { ...emptyReplica(0), seen: SeqSet.of([1, 2, 3, 4]), touchedAt: Date.now() })]);
    expect(seenOn(b!.node)).toBe(0);
  });

  it("applies newer settings only, from the control plane", async () => {
    const [a] = await group("sync");
    const put = (version: number, mode: string) => {
      const body = Buffer.from(JSON.stringify({ mode, lagMs: 50, version }));
      return fetch(`http://127.0.0.1:${a!.port}/settings`, { method: "PUT", headers: signMessage(KEYS, "PUT", "/settings", "control", body), body });
    };
    expect(await (await put(10, "async")).json()).toMatchObject({ applied: true, settings: { mode: "async", lagMs: 50 } });
    expect(await (await put(9, "sync")).json()).toMatchObject({ applied: false, settings: { mode: "async" } });
    expect((await put(11, "eventually")).status).toBe(400);
  });
});

describe("the channel refuses", () => {
  it("unsigned, wrongly signed, stale and malformed messages", async () => {
    const [a] = await group("sync");
    const url = `http://127.0.0.1:${a!.port}`;
    const body = Buffer.from(JSON.stringify({ replicas: [toWire(SID, { ...emptyReplica(), seen: SeqSet.of([9]), touchedAt: Date.now() })] }));
    expect((await fetch(`${url}/replicate`, { method: "POST", body })).status).toBe(401);
    const otherKeys = channelKeys(keyring("another-secret-another-secret-another-1"));
    expect((await fetch(`${url}/replicate`, { method: "POST", headers: signMessage(otherKeys, "POST", "/replicate", "b", body), body })).status).toBe(401);
    const stale = signMessage(KEYS, "POST", "/replicate", "b", body, Date.now() - 120_000);
    expect((await fetch(`${url}/replicate`, { method: "POST", headers: stale, body })).status).toBe(401);
    expect(seenOn(a!.node)).toBe(0); // none of them merged anything
    const broken = Buffer.from("{not json");
    expect((await fetch(`${url}/replicate`, { method: "POST", headers: signMessage(KEYS, "POST", "/replicate", "b", broken), body: broken })).status).toBe(400);
    const joinAsOther = Buffer.from(JSON.stringify({ id: "c", host: "127.0.0.1", port: 1 }));
    expect((await fetch(`${url}/join`, { method: "POST", headers: signMessage(KEYS, "POST", "/join", "b", joinAsOther), body: joinAsOther })).status).toBe(403);
    // and a signed, valid message is merged
    expect((await fetch(`${url}/replicate`, { method: "POST", headers: signMessage(KEYS, "POST", "/replicate", "b", body), body })).status).toBe(200);
    expect(seenOn(a!.node)).toBe(1);
  });
});
