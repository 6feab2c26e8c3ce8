import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { countUnseen, selectUnseen, type CandidatePool } from "@/lib/seen/feed-selection";
import { SeqSet } from "@/lib/seen/seq-set";

/** The obvious, slow definition the fast byte-walking version must agree with. */
function reference(seen: Set<number>, maxSeq: number, members: Set<number> | null, limit: number) {
  const candidates: number[] = [];
  for (let seq = maxSeq; seq >= 1; seq--) if ((!members || members.has(seq)) && !seen.has(seq)) candidates.push(seq);
  return { picked: candidates.slice(0, limit), unseen: candidates.length };
}

describe("feed selection", () => {
  it("picks the newest unseen candidates, exactly like the reference", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 400 }),
        fc.uniqueArray(fc.integer({ min: 1, max: 420 }), { maxLength: 300 }),
        fc.option(fc.uniqueArray(fc.integer({ min: 1, max: 420 }), { maxLength: 200 })),
        fc.integer({ min: 1, max: 50 }),
        (maxSeq, seenList, memberList, limit) => {
          const seen = SeqSet.of(seenList);
          const members = memberList ? SeqSet.of(memberList) : undefined;
          const pool: CandidatePool = { maxSeq, members };
          const expected = reference(new Set(seenList), maxSeq, memberList ? new Set(memberList) : null, limit);
          expect(selectUnseen(seen, pool, limit)).toEqual(expected.picked);
          expect(countUnseen(seen, pool)).toBe(expected.unseen);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("never offers anything past maxSeq, even if such seqs were seen under a larger catalogue", () => {
    const seen = SeqSet.of([5, 200]);
    expect(selectUnseen(seen, { maxSeq: 9 }, 50)).toEqual([9, 8, 7, 6, 4, 3, 2, 1]);
    expect(countUnseen(seen, { maxSeq: 9 })).toBe(8);
  });

  it("walks a 10,000-article catalogue to the end without a repeat", () => {
    const seen = SeqSet.empty();
    const pool: CandidatePool = { maxSeq: 10_000 };
    const delivered = new Set<number>();
    for (;;) {
      const page = selectUnseen(seen, pool, 50);
      if (page.length === 0) break;
      for (const seq of page) {
        expect(delivered.has(seq)).toBe(false);
        delivered.add(seq);
        seen.add(seq);
      }
    }
    expect(delivered.size).toBe(10_000);
    expect(countUnseen(seen, pool)).toBe(0);
  });
});
