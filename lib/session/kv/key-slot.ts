/**
 * Redis Cluster's key slot, computed as Redis computes it (cluster.c keyHashSlot): CRC16/XMODEM
 * of the key's UTF-8 bytes, mod 16384; when the key holds a non-empty `{…}`, only the bytes
 * between the first `{` and the first `}` after it count. That is why a reader's
 * `newsroom:{<sid>}:seen` and `newsroom:{<sid>}:read` share a slot, and a Lua script may touch both.
 *
 * Not the `cluster-key-slot` package node-redis routes with: it gets keys such as `foo{}{bar}`
 * wrong (an empty first tag must hash the whole key; it hashes `{bar`). Our session ids are
 * base64url and never contain braces, so node-redis routes our keys correctly; the test that
 * compares with CLUSTER KEYSLOT guards this function.
 */

export const CLUSTER_SLOTS = 16384;

const OPEN = 0x7b; // {
const CLOSE = 0x7d; // }

const CRC16_TABLE = (() => {
  const table = new Uint16Array(256);
  for (let byte = 0; byte < 256; byte++) {
    let crc = byte << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? (crc << 1) ^ 0x1021 : crc << 1;
    table[byte] = crc & 0xffff;
  }
  return table;
})();

/** CRC16/XMODEM (polynomial 0x1021, initial 0): Redis's crc16(). */
export function crc16(bytes: Uint8Array, from = 0, to = bytes.length): number {
  let crc = 0;
  for (let i = from; i < to; i++) crc = ((crc << 8) ^ CRC16_TABLE[((crc >> 8) ^ bytes[i]!) & 0xff]!) & 0xffff;
  return crc;
}

export function keySlot(key: string | Uint8Array): number {
  const bytes = typeof key === "string" ? Buffer.from(key, "utf8") : key;
  const open = bytes.indexOf(OPEN);
  if (open !== -1) {
    const close = bytes.indexOf(CLOSE, open + 1);
    if (close > open + 1) return crc16(bytes, open + 1, close) & (CLUSTER_SLOTS - 1);
  }
  return crc16(bytes) & (CLUSTER_SLOTS - 1);
}

/**
 * A command on keys of different slots fails CROSSSLOT on a cluster; on one Redis it works, so the
 * bug would surface only in production. The cluster transport checks every call before sending it,
 * and tests/unit/key-slot.test.ts checks every key layout the kv store uses.
 */
export function assertOneSlot(keys: readonly string[]): void {
  if (keys.length === 0) throw new Error("a kv command needs at least one key to be routed by");
  const slot = keySlot(keys[0]!);
  for (const key of keys) {
    if (keySlot(key) !== slot) throw new Error(`kv keys ${keys.join(", ")} are in different cluster slots: give them one hash tag ({…})`);
  }
}
