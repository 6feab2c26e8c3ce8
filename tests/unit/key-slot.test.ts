/** Redis Cluster key slots (lib/session/key-slot.ts); the integration suite also checks them against CLUSTER KEYSLOT. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { assertOneSlot, crc16, keySlot } from "../../lib/session/kv/key-slot";
import { sessionKeys } from "../../lib/session/kv/kv-scripts";

describe("keySlot", () => {
  it("computes CRC16/XMODEM as Redis does", () => {
    expect(crc16(Buffer.from("123456789"))).toBe(0x31c3); // the check value in Redis's crc16.c
  });

  it("matches the examples of Redis's documentation", () => {
    expect(keySlot("somekey")).toBe(11058);
    expect(keySlot("foo{hash_tag}")).toBe(2515);
  });

  it("hashes only the first non-empty {tag}, and the whole key when the first tag is empty or unclosed", () => {
    expect(keySlot("{user1000}.following")).toBe(keySlot("user1000"));
    expect(keySlot("foo{bar}{zap}")).toBe(keySlot("bar"));
    expect(keySlot("foo{{bar}}zap")).toBe(keySlot("{bar"));
    expect(keySlot("foo{}{bar}")).not.toBe(keySlot("bar"));
    expect(keySlot("foo{}{bar}")).toBe(crc16(Buffer.from("foo{}{bar}")) % 16384);
    expect(keySlot("foo{bar")).toBe(crc16(Buffer.from("foo{bar")) % 16384);
  });

  it("takes strings as UTF-8, like the bytes a client sends", () => {
    fc.assert(fc.property(fc.string({ unit: "grapheme" }), (key) => keySlot(key) === keySlot(Buffer.from(key, "utf8"))));
  });
});

describe("the kv store's key layout on a cluster", () => {
  it("keeps every key of a session in one slot, for any session id (a key added without the {sid} tag fails here)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (bytes) => {
        const keys = Object.values(sessionKeys(Buffer.from(bytes).toString("base64url")));
        expect(() => assertOneSlot(keys)).not.toThrow();
        return keys.length >= 2;
      }),
      { numRuns: 2000 },
    );
  });

  it("refuses, before sending, keys that span slots (CROSSSLOT on a cluster, silently fine on one Redis)", () => {
    expect(() => assertOneSlot(["newsroom:a:seen", "newsroom:b:read"])).toThrow(/different cluster slots/);
    expect(() => assertOneSlot([])).toThrow(/at least one key/);
  });
});
