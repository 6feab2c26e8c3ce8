/**
 * A set of article sequence numbers (`seq`), kept as a bitmap.
 *
 * The layout is deliberately the one Redis uses for SETBIT/GETBIT/BITCOUNT: bit offset = seq,
 * most significant bit first within each byte. The kv store keeps exactly these bytes in Redis,
 * so a snapshot moves between the cookie, kv and memory stores without translation.
 * Pure: no I/O, no globals.
 */

/** Highest seq a set may hold: the synthetic catalogue stops at 100,000; this leaves headroom. */
export const MAX_SEQ = 1_000_000;

const POPCOUNT = new Uint8Array(256);
for (let i = 1; i < 256; i++) POPCOUNT[i] = (i & 1) + POPCOUNT[i >> 1]!;

export function popcount8(byte: number): number {
  return POPCOUNT[byte & 0xff]!;
}

export function assertSeq(seq: number): void {
  if (!Number.isInteger(seq) || seq < 1 || seq > MAX_SEQ) {
    throw new RangeError(`seq must be an integer in 1..${MAX_SEQ}, got ${seq}`);
  }
}

export class SeqSet {
  private bytes: Uint8Array;

  private constructor(bytes: Uint8Array) {
    this.bytes = bytes;
  }

  static empty(): SeqSet {
    return new SeqSet(new Uint8Array(0));
  }

  static of(seqs: Iterable<number>): SeqSet {
    const set = SeqSet.empty();
    for (const seq of seqs) set.add(seq);
    return set;
  }

  /** Adopts a copy of Redis-layout bytes. Bit 0 (seq 0) is never a valid member and is cleared. */
  static fromBytes(bytes: Uint8Array): SeqSet {
    if (bytes.length > Math.floor(MAX_SEQ / 8) + 1) {
      throw new RangeError(`bitmap of ${bytes.length} bytes exceeds the ${MAX_SEQ}-seq limit`);
    }
    const copy = Uint8Array.from(bytes);
    if (copy.length > 0) copy[0] = copy[0]! & 0x7f;
    return new SeqSet(copy);
  }

  has(seq: number): boolean {
    const byte = seq >> 3;
    if (seq < 1 || byte >= this.bytes.length) return false;
    return (this.bytes[byte]! & (0x80 >> (seq & 7))) !== 0;
  }

  /** Adds `seq`; returns true when it was not there before. */
  add(seq: number): boolean {
    assertSeq(seq);
    const byte = seq >> 3;
    this.ensureLength(byte + 1);
    const bit = 0x80 >> (seq & 7);
    if (this.bytes[byte]! & bit) return false;
    this.bytes[byte] = this.bytes[byte]! | bit;
    return true;
  }

  count(): number {
    const bytes = this.bytes;
    let total = 0;
    for (let i = 0; i < bytes.length; i++) total += POPCOUNT[bytes[i]!]!;
    return total;
  }

  /** Highest member, or 0 for the empty set. */
  max(): number {
    for (let i = this.bytes.length - 1; i >= 0; i--) {
      const byte = this.bytes[i]!;
      if (byte !== 0) {
        for (let bit = 7; bit >= 0; bit--) if (byte & (0x80 >> bit)) return i * 8 + bit;
      }
    }
    return 0;
  }

  /** Byte `index` of the bitmap (0 past the end). */
  byteAt(index: number): number {
    return this.bytes[index] ?? 0;
  }

  /** The Redis-layout bytes, trailing zero bytes trimmed. */
  toBytes(): Uint8Array {
    let end = this.bytes.length;
    while (end > 0 && this.bytes[end - 1] === 0) end--;
    return this.bytes.slice(0, end);
  }

  *ascending(): Generator<number> {
    for (let i = 0; i < this.bytes.length; i++) {
      const byte = this.bytes[i]!;
      if (byte === 0) continue;
      for (let bit = 0; bit < 8; bit++) if (byte & (0x80 >> bit)) yield i * 8 + bit;
    }
  }

  /** Members from `below - 1` downwards (all of them by default): newest first. */
  *descending(below = Number.POSITIVE_INFINITY): Generator<number> {
    const start = Math.min(this.bytes.length * 8 - 1, below - 1);
    for (let i = start >> 3; i >= 0; i--) {
      const byte = this.bytes[i]!;
      if (byte === 0) continue;
      for (let bit = 7; bit >= 0; bit--) {
        const seq = i * 8 + bit;
        if (seq <= start && byte & (0x80 >> bit)) yield seq;
      }
    }
  }

  /**
   * Members as inclusive [from, to] ranges, ascending: how the codec writes a seen-set and the
   * inspector shows it. Whole bytes are stepped over (0x00 and 0xFF, most of a reader's history),
   * so a cookie-mode request does not walk 10,000 bits one by one.
   */
  ranges(): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    const bytes = this.bytes;
    let start = -1; // first seq of the run being read, or -1 outside a run
    for (let i = 0; i < bytes.length; i++) {
      const byte = bytes[i]!;
      if (byte === 0xff) {
        if (start < 0) start = i * 8;
        continue;
      }
      if (byte === 0) {
        if (start >= 0) out.push([start, i * 8 - 1]);
        start = -1;
        continue;
      }
      for (let bit = 0; bit < 8; bit++) {
        const seq = i * 8 + bit;
        if (byte & (0x80 >> bit)) {
          if (start < 0) start = seq;
        } else if (start >= 0) {
          out.push([start, seq - 1]);
          start = -1;
        }
      }
    }
    if (start >= 0) out.push([start, bytes.length * 8 - 1]);
    return out;
  }

  /**
   * Adds every member of `other` (bitwise OR); returns true when this set grew. Replicated mode
   * merges two replicas of a reader's history with it: union is commutative, associative and
   * idempotent, which is what makes that merge conflict-free.
   */
  unionWith(other: SeqSet): boolean {
    const theirs = other.bytes;
    this.ensureLength(theirs.length);
    let grew = false;
    for (let i = 0; i < theirs.length; i++) {
      const before = this.bytes[i]!;
      const after = before | theirs[i]!;
      if (after !== before) {
        this.bytes[i] = after;
        grew = true;
      }
    }
    return grew;
  }

  clone(): SeqSet {
    return new SeqSet(Uint8Array.from(this.bytes));
  }

  equals(other: SeqSet): boolean {
    const a = this.toBytes();
    const b = other.toBytes();
    return a.length === b.length && a.every((byte, i) => byte === b[i]);
  }

  private ensureLength(length: number): void {
    if (length <= this.bytes.length) return;
    // Grow geometrically so reading a catalogue page by page stays linear overall.
    const grown = new Uint8Array(Math.max(length, Math.min(this.bytes.length * 2, Math.floor(MAX_SEQ / 8) + 1)));
    grown.set(this.bytes);
    this.bytes = grown;
  }
}
