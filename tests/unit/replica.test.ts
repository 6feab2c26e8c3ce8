/**
 * Replicated mode's merge: the properties that make replication conflict-free (any order, any
 * repetition, any grouping of messages ends in the same state), the forget-me tombstone, and the
 * wire format's validation.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SeqSet } from "@/lib/seen/seq-set";
import { emptyReplica, fromWire, mergeReplica, toWire, versionOf, WireReplicaError, type Replica } from "@/lib/session/replicated/replica";

const SID = "AAAAAAAAAAAAAAAAAAAAAA";

const replicaArb = fc
  .record({
    epoch: fc.integer({ min: 0, max: 3 }),
    seen: fc.uniqueArray(fc.integer({ min: 1, max: 400 }), { maxLength: 60 }),
    read: fc.uniqueArray(fc.integer({ min: 1, max: 400 }), { maxLength: 10 }),
    forgotten: fc.boolean(),
    touchedAt: fc.integer({ min: 0, max: 1_000_000 }),
  })
  .map(({ epoch, seen, read, forgotten, touchedAt }): Replica => ({
    epoch,
    seen: SeqSet.of(seen),
    read: SeqSet.of(read),
    // A tombstone is empty; only writes after it fill the epoch again.
    forgotten: forgotten && seen.length === 0 && read.length === 0,
    touchedAt,
  }));

function copy(replica: Replica): Replica {
  return { ...replica, seen: replica.seen.clone(), read: replica.read.clone() };
}

function merged(...replicas: Replica[]): Replica {
  const result = copy(replicas[0]!);
  for (const other of replicas.slice(1)) mergeReplica(result, other);
  return result;
}

function same(a: Replica, b: Replica): boolean {
  return a.epoch === b.epoch && a.seen.equals(b.seen) && a.read.equals(b.read) && a.forgotten === b.forgotten && a.touchedAt === b.touchedAt;
}

describe("replica merge", () => {
  it("is commutative: the order two replicas meet in does not matter", () => {
    fc.assert(fc.property(replicaArb, replicaArb, (a, b) => same(merged(a, b), merged(b, a))));
  });

  it("is associative: batching messages differently ends the same", () => {
    fc.assert(fc.property(replicaArb, replicaArb, replicaArb, (a, b, c) => same(merged(merged(a, b), c), merged(a, merged(b, c)))));
  });

  it("is idempotent: a repeated message changes nothing, and says so", () => {
    fc.assert(
      fc.property(replicaArb, replicaArb, (a, b) => {
        const once = merged(a, b);
        const twice = copy(once);
        expect(mergeReplica(twice, b)).toBe(false);
        return same(once, twice);
      }),
    );
  });

  it("never loses an article within an epoch: the result holds both sides", () => {
    fc.assert(
      fc.property(replicaArb, replicaArb, (a, b) => {
        const result = merged({ ...copy(a), epoch: 1 }, { ...copy(b), epoch: 1 });
        for (const side of [a, b]) for (const [from, to] of side.seen.ranges()) for (let seq = from; seq <= to; seq++) expect(result.seen.has(seq)).toBe(true);
      }),
    );
  });

  it("lets a forget (a higher epoch) win over a late claim from before it, in either order", () => {
    const before: Replica = { epoch: 0, seen: SeqSet.of([1, 2, 3]), read: SeqSet.of([2]), forgotten: false, touchedAt: 10 };
    const lateClaim: Replica = { epoch: 0, seen: SeqSet.of([4, 5]), read: SeqSet.empty(), forgotten: false, touchedAt: 12 };
    const tombstone: Replica = { ...emptyReplica(1), forgotten: true, touchedAt: 11 };
    for (const order of [
      [before, tombstone, lateClaim],
      [before, lateClaim, tombstone],
      [lateClaim, tombstone, before],
    ]) {
      const result = merged(...order);
      expect(result.epoch).toBe(1);
      expect(result.seen.count()).toBe(0);
      expect(result.forgotten).toBe(true);
    }
  });

  it("counts a version that only grows within an epoch", () => {
    const replica = emptyReplica();
    expect(versionOf(replica)).toBe(0);
    replica.seen.add(7);
    replica.read.add(7);
    expect(versionOf(replica)).toBe(2);
  });
});

describe("replica wire format", () => {
  it("round-trips", () => {
    fc.assert(
      fc.property(replicaArb, (replica) => {
        const back = fromWire(JSON.parse(JSON.stringify(toWire(SID, replica))));
        return back.sid === SID && same(back.replica, replica);
      }),
    );
  });

  it.each([
    ["not an object", "x"],
    ["a bad sid", { ...toWire(SID, emptyReplica()), sid: "../../etc" }],
    ["a negative epoch", { ...toWire(SID, emptyReplica()), epoch: -1 }],
    ["a fractional epoch", { ...toWire(SID, emptyReplica()), epoch: 1.5 }],
    ["a corrupt seen-set", { ...toWire(SID, emptyReplica()), seen: "!!" }],
    ["a seen-set of an unknown format", { ...toWire(SID, emptyReplica()), seen: "CQ" }],
    ["no time", { ...toWire(SID, emptyReplica()), touchedAt: "soon" }],
  ])("refuses %s", (_, value) => {
    expect(() => fromWire(value)).toThrow(WireReplicaError);
  });
});
