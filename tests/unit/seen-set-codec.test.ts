import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeSeenSet, encodedByteLength, encodeSeenSet, SeenSetCodecError } from "@/lib/seen/seen-set-codec";
import { SeqSet } from "@/lib/seen/seq-set";

const seqArray = (max: number) => fc.uniqueArray(fc.integer({ min: 1, max }), { maxLength: 600 });

/** Sets made of a few long runs: how feed-order reading actually looks. */
const runSets = fc
  .array(fc.tuple(fc.integer({ min: 1, max: 100_000 }), fc.integer({ min: 1, max: 3_000 })), { maxLength: 12 })
  .map((runs) => SeqSet.of(runs.flatMap(([from, length]) => Array.from({ length }, (_, i) => Math.min(from + i, 100_000)))));

function shuffledHalf(n: number, seed: number): number[] {
  const items = Array.from({ length: n }, (_, i) => i + 1);
  let state = seed;
  for (let i = items.length - 1; i > 0; i--) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    const j = state % (i + 1);
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items.slice(0, n / 2);
}

describe("seen-set codec", () => {
  it("round-trips arbitrary sets exactly", () => {
    fc.assert(
      fc.property(seqArray(100_000), (seqs) => {
        const set = SeqSet.of(seqs);
        expect(decodeSeenSet(encodeSeenSet(set)).equals(set)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it("round-trips dense and run-shaped sets exactly", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          runSets,
          seqArray(64).map((s) => SeqSet.of(s)),
        ),
        (set) => {
          expect(decodeSeenSet(encodeSeenSet(set)).equals(set)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("encodes the empty set as an empty string", () => {
    expect(encodeSeenSet(SeqSet.empty())).toBe("");
    expect(decodeSeenSet("").count()).toBe(0);
  });

  it("is never larger than a bitmap plus its tag byte", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          runSets,
          seqArray(20_000).map((s) => SeqSet.of(s)),
        ),
        (set) => {
          const bitmapBytes = set.toBytes().length;
          expect(encodedByteLength(set)).toBeLessThanOrEqual(bitmapBytes + 1);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("keeps a feed-order history tiny at any length (a few runs)", () => {
    for (const n of [1, 10, 1_000, 10_000, 100_000]) {
      // Feed order is newest first: after reading k articles of n, the seen-set is n-k+1..n.
      for (const k of [1, Math.ceil(n / 2), n]) {
        const set = SeqSet.of(Array.from({ length: k }, (_, i) => n - i));
        expect(encodedByteLength(set)).toBeLessThanOrEqual(12);
      }
    }
  });

  it("stores a random half of 10,000 in about one bit per article", () => {
    const set = SeqSet.of(shuffledHalf(10_000, 7));
    expect(encodedByteLength(set)).toBeLessThanOrEqual(1_252);
  });

  it("rejects garbage with SeenSetCodecError, never another error or a hang", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const text = Buffer.from(bytes).toString("base64url");
        try {
          decodeSeenSet(text);
        } catch (error) {
          expect(error).toBeInstanceOf(SeenSetCodecError);
        }
      }),
      { numRuns: 2_000 },
    );
    for (const bad of ["!!", "a b", "AQ", "Aw", "AX9w-2", "AX9w-2AA"]) {
      expect(() => decodeSeenSet(bad)).toThrow(SeenSetCodecError);
    }
  });

  it("detects every truncation of a valid run encoding", () => {
    const set = SeqSet.of([3, 4, 5, 90, 91, 500, 70_000]);
    const bytes = Buffer.from(encodeSeenSet(set), "base64url");
    for (let cut = 1; cut < bytes.length; cut++) {
      const truncated = bytes.subarray(0, cut).toString("base64url");
      expect(() => decodeSeenSet(truncated), `cut at ${cut}`).toThrow(SeenSetCodecError);
    }
  });
});

describe("SeqSet", () => {
  it("matches a plain Set on add/has/count/ranges", () => {
    fc.assert(
      fc.property(seqArray(5_000), (seqs) => {
        const set = SeqSet.of(seqs);
        const reference = new Set(seqs);
        expect(set.count()).toBe(reference.size);
        for (let seq = 1; seq <= 5_001; seq += 37) expect(set.has(seq)).toBe(reference.has(seq));
        expect([...set.ascending()]).toEqual([...reference].sort((a, b) => a - b));
        const fromRanges = set.ranges().flatMap(([a, b]) => Array.from({ length: b - a + 1 }, (_, i) => a + i));
        expect(fromRanges).toEqual([...reference].sort((a, b) => a - b));
        expect(set.max()).toBe(seqs.length ? Math.max(...seqs) : 0);
      }),
    );
  });

  it("reports runs that span whole bytes (0xFF) and end on any bit as single ranges", () => {
    // Readers' histories are long runs; ranges() steps over full and empty bytes, so the runs here
    // start and end on every bit offset around byte boundaries.
    const run = fc.tuple(fc.integer({ min: 1, max: 3_000 }), fc.integer({ min: 0, max: 200 }));
    fc.assert(
      fc.property(fc.array(run, { maxLength: 12 }), (runs) => {
        const reference = new Set<number>();
        for (const [from, length] of runs) for (let seq = from; seq <= from + length; seq++) reference.add(seq);
        const set = SeqSet.of([...reference]);
        const sorted = [...reference].sort((a, b) => a - b);
        const expected: Array<[number, number]> = [];
        for (const seq of sorted) {
          const last = expected[expected.length - 1];
          if (last && last[1] === seq - 1) last[1] = seq;
          else expected.push([seq, seq]);
        }
        expect(set.ranges()).toEqual(expected);
        expect(set.count()).toBe(reference.size);
      }),
    );
  });

  it("refuses seqs outside 1..1,000,000", () => {
    const set = SeqSet.empty();
    for (const bad of [0, -1, 1.5, 1_000_001, Number.NaN]) expect(() => set.add(bad)).toThrow(RangeError);
  });

  it("never reports seq 0 from raw bytes", () => {
    const set = SeqSet.fromBytes(Uint8Array.from([0xff]));
    expect(set.has(0)).toBe(false);
    expect([...set.ascending()]).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });
});
