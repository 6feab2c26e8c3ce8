/**
 * Pure feed selection: the newest articles of a pool that a reader has not seen.
 * The kv store runs the same algorithm inside Redis (lib/session/kv-scripts.ts); the store
 * contract tests hold the two to identical answers.
 */
import { popcount8, type SeqSet } from "./seq-set";

export interface CandidatePool {
  /** Every seq in 1..maxSeq is an article. */
  maxSeq: number;
  /** When set, only these seqs are candidates (a section); otherwise all of 1..maxSeq. */
  members?: SeqSet;
}

/** Byte `index` of the pool's candidate bitmap (Redis layout: bit offset = seq, MSB first). */
function poolByte(pool: CandidatePool, index: number): number {
  let byte = pool.members ? pool.members.byteAt(index) : 0xff;
  if (index === 0) byte &= 0x7f; // seq 0 does not exist
  const lastIndex = pool.maxSeq >> 3;
  if (index > lastIndex) return 0;
  if (index === lastIndex) byte &= (0xff << (7 - (pool.maxSeq & 7))) & 0xff; // nothing past maxSeq
  return byte;
}

/**
 * Up to `limit` unseen candidates, newest (highest seq) first. Walks whole bytes, so a long
 * history of already-seen articles is skipped eight at a time.
 */
export function selectUnseen(seen: SeqSet, pool: CandidatePool, limit: number): number[] {
  const picked: number[] = [];
  for (let index = pool.maxSeq >> 3; index >= 0 && picked.length < limit; index--) {
    const available = poolByte(pool, index) & ~seen.byteAt(index) & 0xff;
    if (available === 0) continue;
    for (let bit = 7; bit >= 0 && picked.length < limit; bit--) {
      if (available & (0x80 >> bit)) picked.push(index * 8 + bit);
    }
  }
  return picked;
}

/** How many candidates of the pool the reader has not seen. */
export function countUnseen(seen: SeqSet, pool: CandidatePool): number {
  let unseen = 0;
  for (let index = pool.maxSeq >> 3; index >= 0; index--) {
    unseen += popcount8(poolByte(pool, index) & ~seen.byteAt(index));
  }
  return unseen;
}
