/**
 * The compact seen-set codec: a SeqSet <-> short base64url string, small enough that a reader's
 * whole history fits in one sealed cookie.
 *
 * Two encodings; the encoder writes both and keeps the shorter (one tag byte says which):
 *   RUNS   (tag 1): varint bitLength, one byte of Exp-Golomb orders (high nibble: gaps, low
 *                   nibble: runs of members), then the lengths of alternating gap / member runs
 *                   starting with the gap before the first member, Exp-Golomb coded, MSB first.
 *                   Reading in feed order leaves one or two runs: a few bytes for any history.
 *   BITMAP (tag 2): the raw Redis-layout bitmap (bit offset = seq). Best for high-entropy sets,
 *                   e.g. a random half of the catalogue opened: 1 bit per article, never worse.
 * The empty set encodes as "". Decoding validates everything and throws SeenSetCodecError,
 * so a corrupt value can never turn into a half-read history.
 * Pure: no I/O.
 */
import { MAX_SEQ, SeqSet } from "./seq-set";

const TAG_RUNS = 1;
const TAG_BITMAP = 2;
const MAX_ORDER = 15;

export class SeenSetCodecError extends Error {
  constructor(message: string) {
    super(`seen-set codec: ${message}`);
    this.name = "SeenSetCodecError";
  }
}

export function encodeSeenSet(set: SeqSet): string {
  const bitmap = set.toBytes();
  if (bitmap.length === 0) return "";
  const runs = encodeRuns(set);
  const best = runs.length <= bitmap.length + 1 ? runs : withTag(TAG_BITMAP, bitmap);
  return Buffer.from(best).toString("base64url");
}

export function decodeSeenSet(encoded: string): SeqSet {
  if (encoded === "") return SeqSet.empty();
  if (!/^[A-Za-z0-9_-]+$/.test(encoded)) throw new SeenSetCodecError("not base64url");
  const bytes = new Uint8Array(Buffer.from(encoded, "base64url"));
  const tag = bytes[0];
  if (tag === TAG_BITMAP) return SeqSet.fromBytes(bytes.subarray(1));
  if (tag === TAG_RUNS) return decodeRuns(bytes.subarray(1));
  throw new SeenSetCodecError(`unknown format tag ${tag}`);
}

/** Encoded size in bytes before base64url, for benchmarks and the inspector. */
export function encodedByteLength(set: SeqSet): number {
  return Buffer.from(encodeSeenSet(set), "base64url").length;
}

function withTag(tag: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(body.length + 1);
  out[0] = tag;
  out.set(body, 1);
  return out;
}

/** Alternating run lengths: gap, members, gap, members, ... ending with a member run. */
function runLengths(set: SeqSet): number[] {
  const lengths: number[] = [];
  let position = 0; // next seq not yet covered by a run
  for (const [from, to] of set.ranges()) {
    lengths.push(from - position, to - from + 1);
    position = to + 1;
  }
  return lengths;
}

function encodeRuns(set: SeqSet): Uint8Array {
  const lengths = runLengths(set);
  // Every run is at least 1 long (seq 0 is never a member, so even the first gap is), so code n-1.
  const gaps = lengths.filter((_, i) => i % 2 === 0).map((n) => n - 1);
  const members = lengths.filter((_, i) => i % 2 === 1).map((n) => n - 1);
  const gapOrder = bestOrder(gaps);
  const memberOrder = bestOrder(members);
  const writer = new BitWriter();
  lengths.forEach((n, i) => writer.expGolomb(n - 1, i % 2 === 0 ? gapOrder : memberOrder));
  const bitLength = set.max() + 1;
  return Uint8Array.from([TAG_RUNS, ...varint(bitLength), (gapOrder << 4) | memberOrder, ...writer.finish()]);
}

function decodeRuns(bytes: Uint8Array): SeqSet {
  const reader = new BitReader(bytes);
  const bitLength = reader.varint();
  if (bitLength < 2 || bitLength > MAX_SEQ + 1) throw new SeenSetCodecError(`bit length ${bitLength} out of range`);
  const orders = reader.byte();
  const gapOrder = orders >> 4;
  const memberOrder = orders & 0x0f;
  const out = new Uint8Array(Math.ceil(bitLength / 8));
  let position = 0;
  let member = false;
  while (position < bitLength) {
    const length = reader.expGolomb(member ? memberOrder : gapOrder) + 1;
    if (length < 1 || position + length > bitLength) throw new SeenSetCodecError("run overflows the declared length");
    if (member) setBits(out, position, length);
    position += length;
    member = !member;
  }
  // `member` flips after every run: true here means the last run decoded was a gap.
  if (member) throw new SeenSetCodecError("ends with a gap");
  reader.expectOnlyPadding();
  return SeqSet.fromBytes(out);
}

function setBits(bytes: Uint8Array, from: number, length: number): void {
  for (let bit = from; bit < from + length; bit++) bytes[bit >> 3] = bytes[bit >> 3]! | (0x80 >> (bit & 7));
}

function expGolombCost(n: number, order: number): number {
  return 2 * bitLength(n + (1 << order)) - order - 1;
}

function bestOrder(values: number[]): number {
  let best = 0;
  let bestCost = Infinity;
  for (let order = 0; order <= MAX_ORDER; order++) {
    let cost = 0;
    for (const n of values) cost += expGolombCost(n, order);
    if (cost < bestCost) [best, bestCost] = [order, cost];
  }
  return best;
}

function bitLength(x: number): number {
  return x === 0 ? 0 : 32 - Math.clz32(x);
}

function varint(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    out.push(byte);
  } while (n > 0);
  return out;
}

class BitWriter {
  private bytes: number[] = [];
  private current = 0;
  private used = 0;

  bit(value: number): void {
    this.current = (this.current << 1) | value;
    if (++this.used === 8) {
      this.bytes.push(this.current);
      this.current = 0;
      this.used = 0;
    }
  }

  /** Exp-Golomb code of order k: (bitLength(x) - k - 1) zeros, then x = n + 2^k in binary. */
  expGolomb(n: number, order: number): void {
    const x = n + (1 << order);
    const width = bitLength(x);
    for (let i = 0; i < width - order - 1; i++) this.bit(0);
    for (let i = width - 1; i >= 0; i--) this.bit((x >>> i) & 1);
  }

  finish(): number[] {
    if (this.used > 0) this.bytes.push(this.current << (8 - this.used));
    return this.bytes;
  }
}

class BitReader {
  private position = 0; // in bits

  constructor(private readonly bytes: Uint8Array) {}

  byte(): number {
    if (this.position % 8 !== 0 || this.position / 8 >= this.bytes.length) throw new SeenSetCodecError("truncated header");
    const value = this.bytes[this.position / 8]!;
    this.position += 8;
    return value;
  }

  varint(): number {
    let value = 0;
    for (let shift = 0; shift < 28; shift += 7) {
      const byte = this.byte();
      value += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return value;
    }
    throw new SeenSetCodecError("varint too long");
  }

  bit(): number {
    const index = this.position >> 3;
    if (index >= this.bytes.length) throw new SeenSetCodecError("truncated run data");
    const value = (this.bytes[index]! >> (7 - (this.position & 7))) & 1;
    this.position++;
    return value;
  }

  expGolomb(order: number): number {
    let zeros = 0;
    while (this.bit() === 0) {
      if (++zeros + order > 24) throw new SeenSetCodecError("run length too large");
    }
    let x = 1;
    for (let i = 0; i < zeros + order; i++) x = (x << 1) | this.bit();
    return x - (1 << order);
  }

  /** After the last run only zero padding bits may remain, and no whole spare byte. */
  expectOnlyPadding(): void {
    const remainingBits = this.bytes.length * 8 - this.position;
    if (remainingBits >= 8) throw new SeenSetCodecError("trailing bytes after the last run");
    while (this.position < this.bytes.length * 8) {
      if (this.bit() !== 0) throw new SeenSetCodecError("non-zero padding");
    }
  }
}
