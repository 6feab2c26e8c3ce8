/**
 * lib/session/cookie/iron-seal.ts against iron-session 8 itself: the node:crypto provider must
 * produce WebCrypto's bytes exactly, and each library must open the other's seals, reject the same
 * tampered, foreign and expired ones, and fail the same way on malformed input.
 */
import { createHash, webcrypto } from "node:crypto";
import fc from "fast-check";
import { sealData as ironSessionSeal, unsealData as ironSessionUnseal } from "iron-session";
import { defaults, seal, unseal, type SealOptions } from "iron-webcrypto";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createIronSeal, sealData, unsealData } from "@/lib/session/cookie/iron-seal";
import { createNodeCryptoProvider, type IronCrypto } from "@/lib/session/cookie/node-crypto-provider";

const A = "a-first-secret-of-at-least-32-characters";
const B = "b-second-secret-of-at-least-32-characters";
const C = "c-third-secret-of-at-least-32-characters!";

/** A deterministic byte stream: two sources with the same seed hand out the same bytes in the same order. */
function seededRandom(seed: number): (bytes: Uint8Array) => void {
  let block = 0;
  return (bytes) => {
    for (let offset = 0; offset < bytes.length; offset += 32) {
      const chunk = createHash("sha256").update(`${seed}:${block++}`).digest();
      bytes.set(chunk.subarray(0, Math.min(32, bytes.length - offset)), offset);
    }
  };
}

/** Node's own WebCrypto, with the random source replaced: the reference iron-session runs on. */
function webCryptoWith(fillRandom: (bytes: Uint8Array) => void): IronCrypto {
  return {
    subtle: webcrypto.subtle as IronCrypto["subtle"],
    getRandomValues: (bytes: Uint8Array) => {
      fillRandom(bytes);
      return bytes;
    },
  };
}

type Outcome = { opened: unknown } | { threw: string };
async function outcomeOf(open: () => Promise<unknown>): Promise<Outcome> {
  try {
    return { opened: await open() };
  } catch (error) {
    return { threw: error instanceof Error ? error.message : String(error) };
  }
}

/** What a JSON round trip makes of a value (-0 becomes 0, and so on): what any seal can give back. */
const viaJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value));
const sessionData = fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 8 });
/** The id a seal was made with: Fe26.2*id*… */
const idOf = (sealed: string) => sealed.split("*")[1];

afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
});

describe("node:crypto provider against WebCrypto, through iron-webcrypto", () => {
  const optionVariants: Record<string, SealOptions> = {
    "iron defaults (AES-256-CBC)": { ...defaults, ttl: 0 },
    "AES-128-CTR, 3 PBKDF2 iterations": {
      ...defaults,
      ttl: 0,
      encryption: { ...defaults.encryption, algorithm: "aes-128-ctr", iterations: 3 },
      integrity: { ...defaults.integrity, iterations: 3 },
    },
  };

  for (const [variant, options] of Object.entries(optionVariants)) {
    it(`seals byte for byte as WebCrypto does, and each opens the other's seals: ${variant}`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.jsonValue(), fc.integer(), fc.string({ minLength: 32, maxLength: 80 }), async (data, seed, password) => {
          const ours = await seal(createNodeCryptoProvider({ fillRandom: seededRandom(seed) }), data, { id: "7", secret: password }, options);
          const reference = await seal(webCryptoWith(seededRandom(seed)), data, { id: "7", secret: password }, options);
          expect(ours).toBe(reference);
          expect(await unseal(createNodeCryptoProvider(), reference, { 7: password }, options)).toEqual(viaJson(data));
          expect(await unseal(webcrypto as IronCrypto, ours, { 7: password }, options)).toEqual(viaJson(data));
        }),
        { numRuns: 60 },
      );
    });
  }

  // (A raw key must be exactly an AES-256 key: WebCrypto, and so this provider, refuse 33 bytes.)
  it("seals byte for byte with a raw 32-byte key as password (the non-PBKDF2 branch)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), fc.integer(), fc.uint8Array({ minLength: 32, maxLength: 32 }), async (data, seed, key) => {
        const options = { ...defaults, ttl: 0 };
        const ours = await seal(createNodeCryptoProvider({ fillRandom: seededRandom(seed) }), data, key, options);
        expect(ours).toBe(await seal(webCryptoWith(seededRandom(seed)), data, key, options));
      }),
      { numRuns: 30 },
    );
  });

  it("matches a fixed known answer (computed once with iron-webcrypto on WebCrypto)", async () => {
    let next = 0;
    const counting = (bytes: Uint8Array) => bytes.forEach((_, i) => (bytes[i] = next++ & 0xff));
    const { sealData: countingSeal } = createIronSeal(createNodeCryptoProvider({ fillRandom: counting }));
    const sealed = await countingSeal({ seen: "AQID", n: 1 }, { password: "known-answer-password-of-32-chars-or-more", ttl: 0 });
    expect(sealed).toBe(
      "Fe26.2*1*000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f*ICEiIyQlJicoKSorLC0uLw*hGOvR6sMZbGh7Rn0CX6B9f4buPBXyvTlG6KekNOaJGU**" +
        "303132333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f*ozk03pa_tRoUvU44JYcdVKosRS433Dd5c0oTpwz7uHQ~2",
    );
  });

  it("hands out fresh random bytes for every salt and IV, across refills of its 4 KiB pool", async () => {
    const provider = createNodeCryptoProvider();
    const fields = new Set<string>();
    const seals = 200; // 80 random bytes each: about four pool refills
    for (let i = 0; i < seals; i++) {
      const [, , encryptionSalt, iv, , , hmacSalt] = (await seal(provider, { i }, A, { ...defaults, ttl: 0 })).split("*");
      for (const field of [encryptionSalt, iv, hmacSalt]) fields.add(field!);
    }
    expect(fields.size).toBe(3 * seals);
  });

  it("refuses, with a message naming the call, anything iron-webcrypto 1.2.1 does not ask for", async () => {
    const provider = createNodeCryptoProvider();
    const raw = new Uint8Array(32);
    await expect(provider.subtle.importKey("pkcs8", raw, { name: "AES-CBC" }, false, ["encrypt"])).rejects.toThrow(/importKey does not support format "pkcs8"/);
    await expect(provider.subtle.importKey("raw", raw, { name: "AES-GCM" }, false, ["encrypt"])).rejects.toThrow(/does not support algorithm "AES-GCM"/);
    await expect(provider.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-512" }, false, ["sign"])).rejects.toThrow(/HMAC with hash "SHA-512"/);
    const hmacKey = await provider.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
    await expect(provider.subtle.encrypt({ name: "AES-CBC", iv: new Uint8Array(16) }, hmacKey, raw)).rejects.toThrow(/HMAC key/);
    const ctrKey = await provider.subtle.importKey("raw", raw.subarray(0, 16), { name: "AES-CTR" }, false, ["encrypt", "decrypt"]);
    await expect(provider.subtle.encrypt({ name: "AES-CTR", counter: new Uint8Array(16), length: 64 }, ctrKey, raw)).rejects.toThrow(/64-bit counter/);
    const pbkdf2Key = await provider.subtle.importKey("raw", raw, { name: "PBKDF2" }, false, ["deriveBits"]);
    await expect(provider.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt: raw, iterations: 1 }, pbkdf2Key, 256)).rejects.toThrow(/hash "SHA-256"/);
    const foreignKey = await webcrypto.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    await expect(provider.subtle.sign({ name: "HMAC" }, foreignKey, raw)).rejects.toThrow(/did not import/);
  });
});

describe("sealData / unsealData against iron-session 8", () => {
  it("seals exactly what iron-session's sealData seals, given the same random bytes and clock", async () => {
    vi.useFakeTimers({ now: Date.UTC(2026, 0, 2, 3, 4, 5), toFake: ["Date"] });
    await fc.assert(
      fc.asyncProperty(sessionData, fc.integer(), fc.integer({ min: 0, max: 400 * 24 * 3600 }), async (data, seed, ttl) => {
        // iron-session draws its salts and IVs from node:crypto's webcrypto.getRandomValues (through uncrypto).
        const ironRandom = seededRandom(seed);
        vi.spyOn(webcrypto, "getRandomValues").mockImplementation(<T extends ArrayBufferView | null>(array: T): T => {
          ironRandom(array as unknown as Uint8Array);
          return array;
        });
        const { sealData: seededSeal } = createIronSeal(createNodeCryptoProvider({ fillRandom: seededRandom(seed) }));
        expect(await seededSeal(data, { password: { 1: A, 2: B }, ttl })).toBe(await ironSessionSeal(data, { password: { 1: A, 2: B }, ttl }));
        vi.restoreAllMocks();
      }),
      { numRuns: 40 },
    );
  });

  it("opens iron-session's seals, and iron-session opens ours, for any JSON session data", async () => {
    await fc.assert(
      fc.asyncProperty(sessionData, async (data) => {
        expect(await unsealData(await ironSessionSeal(data, { password: A }), { password: A })).toEqual(viaJson(data));
        expect(await ironSessionUnseal(await sealData(data, { password: A }), { password: A })).toEqual(viaJson(data));
      }),
      { numRuns: 100 },
    );
  });

  it("writes the ttl in seconds into the seal, 14 days by default, none for 0", async () => {
    const now = Date.UTC(2026, 5, 1);
    vi.useFakeTimers({ now, toFake: ["Date"] });
    const expiryOf = (sealed: string) => sealed.split("~")[0]!.split("*")[5];
    expect(expiryOf(await sealData({ a: 1 }, { password: A, ttl: 90 }))).toBe(String(now + 90_000));
    expect(expiryOf(await sealData({ a: 1 }, { password: A }))).toBe(String(now + 14 * 24 * 3600 * 1000));
    expect(expiryOf(await sealData({ a: 1 }, { password: A, ttl: 0 }))).toBe("");
    expect(expiryOf(await ironSessionSeal({ a: 1 }, { password: A }))).toBe(String(now + 14 * 24 * 3600 * 1000));
  });

  it("reads iron-session 6/7 seals (no ~2 suffix) through their {persistent} wrapper, as iron-session does", async () => {
    const legacy = (await ironSessionSeal({ persistent: { user: "old" }, other: 1 }, { password: A })).replace(/~2$/, "");
    expect(await unsealData(legacy, { password: A })).toEqual({ user: "old" });
    expect(await unsealData(legacy, { password: A })).toEqual(await ironSessionUnseal(legacy, { password: A }));
    const unwrapped = (await sealData({ user: "new" }, { password: A })).replace(/~2$/, "");
    expect(await unsealData(unwrapped, { password: A })).toEqual({});
    expect(await ironSessionUnseal(unwrapped, { password: A })).toEqual({});
  });
});

describe("password rotation", () => {
  it("seals with the highest id by default, numerically, as iron-session does", async () => {
    const map = { 9: A, 10: B };
    expect(idOf(await sealData({ a: 1 }, { password: map }))).toBe("10");
    expect(idOf(await ironSessionSeal({ a: 1 }, { password: map }))).toBe("10");
    expect(idOf(await sealData({ a: 1 }, { password: A }))).toBe("1"); // a plain string is {"1": secret}
  });

  it("keeps opening seals of an older id, in both directions", async () => {
    const before = { 1: A };
    const after = { 2: B, 1: A };
    expect(await unsealData(await ironSessionSeal({ n: 1 }, { password: A }), { password: after })).toEqual({ n: 1 });
    expect(await ironSessionUnseal(await sealData({ n: 2 }, { password: before }), { password: after })).toEqual({ n: 2 });
    const sealedAfter = await sealData({ n: 3 }, { password: after });
    expect(idOf(sealedAfter)).toBe("2");
    expect(await ironSessionUnseal(sealedAfter, { password: after })).toEqual({ n: 3 });
    // Negative control: an instance that does not know id 2 yet cannot open it (which is why sealId exists).
    expect(await unsealData(sealedAfter, { password: before })).toEqual({});
    expect(await ironSessionUnseal(sealedAfter, { password: before })).toEqual({});
  });

  it("seals with sealId during a rolling rotation, so instances still on the old secret open the new ones' cookies", async () => {
    const rollingOut = { 2: B, 1: A }; // phase 1: every instance learns B, but keeps sealing with A
    const sealed = await sealData({ n: 4 }, { password: rollingOut, sealId: "1" });
    expect(idOf(sealed)).toBe("1");
    expect(await ironSessionUnseal(sealed, { password: A })).toEqual({ n: 4 });
    expect(await unsealData(sealed, { password: A })).toEqual({ n: 4 });
    const later = await sealData({ n: 5 }, { password: { 3: C, 2: B }, sealId: "2" }); // also works with a map whose old id is not the lowest
    expect(await ironSessionUnseal(later, { password: { 2: B } })).toEqual({ n: 5 });
  });

  it("says what to do when sealId or the map cannot seal", async () => {
    await expect(sealData({}, { password: { 2: B, 1: A }, sealId: "3" })).rejects.toThrow(/sealId "3" is not an id of the password map \(ids: 1, 2\)/);
    await expect(sealData({}, { password: A, sealId: "2" })).rejects.toThrow(/plain-string password has the id "1"/);
    await expect(sealData({}, { password: {} })).rejects.toThrow(/password map is empty/);
    await expect(sealData({}, { password: { "02": A } })).rejects.toThrow(/write ids like "2", not "02"/);
  });
});

describe("expiry, on a controlled clock", () => {
  const start = Date.UTC(2026, 2, 3, 4, 5, 6);
  beforeEach(() => vi.useFakeTimers({ now: start, toFake: ["Date"] }));

  it("opens until 60 s (iron's clock-skew allowance) past the expiry, then gives {}, exactly as iron-session", async () => {
    const ours = await sealData({ n: 1 }, { password: A, ttl: 10 });
    const theirs = await ironSessionSeal({ n: 1 }, { password: A, ttl: 10 });
    const bothOpen = async () =>
      Promise.all([
        unsealData(ours, { password: A }),
        ironSessionUnseal(theirs, { password: A }),
        ironSessionUnseal(ours, { password: A }),
        unsealData(theirs, { password: A }),
      ]);
    vi.setSystemTime(start + 10_000 + 60_000 - 1);
    expect(await bothOpen()).toEqual([{ n: 1 }, { n: 1 }, { n: 1 }, { n: 1 }]);
    vi.setSystemTime(start + 10_000 + 60_000);
    expect(await bothOpen()).toEqual([{}, {}, {}, {}]);
  });

  it("never expires a seal made with ttl 0", async () => {
    const sealed = await sealData({ n: 2 }, { password: A, ttl: 0 });
    vi.setSystemTime(start + 10 * 365 * 24 * 3600 * 1000);
    expect(await unsealData(sealed, { password: A })).toEqual({ n: 2 });
    expect(await ironSessionUnseal(sealed, { password: A })).toEqual({ n: 2 });
  });
});

describe("tampering, foreign secrets, garbage and truncation: the same outcome as iron-session", () => {
  /** Every character a seal is made of, plus the separators: base64url, hex, digits, '*', '~', '.'. */
  const ALPHABET = [..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_*~."];

  async function compareWithIronSession(candidates: Iterable<string>, password: Parameters<typeof unsealData>[1]["password"]) {
    const tally = { compared: 0, empty: 0, threw: new Map<string, number>(), opened: 0 };
    for (const candidate of candidates) {
      const ours = await outcomeOf(() => unsealData(candidate, { password }));
      const theirs = await outcomeOf(() => ironSessionUnseal(candidate, { password }));
      expect(ours, candidate).toEqual(theirs);
      tally.compared++;
      if ("threw" in ours) tally.threw.set(ours.threw.slice(0, 40), (tally.threw.get(ours.threw.slice(0, 40)) ?? 0) + 1);
      else if (ours.opened && typeof ours.opened === "object" && Object.keys(ours.opened).length === 0) tally.empty++;
      else tally.opened++;
    }
    return tally;
  }

  /**
   * Every position × one character of each kind (upper, lower, digit, '-', '_', '*', '~', '.'), for
   * our seal and iron-session's (same format byte for byte, above): ~2,000 comparisons each. At the
   * separators and their neighbours, where a change can shift how the seal is split into fields,
   * every other character of ALPHABET. (The full alphabet at every position, 16,000 comparisons,
   * gave the same outcomes and took ~9 s, most of it iron-session's WebCrypto.)
   */
  const ONE_OF_EACH_KIND = [..."Qq7-_*~."];
  const nearSeparator = (seal: string, i: number) => [i - 1, i, i + 1].some((j) => seal[j] === "*" || seal[j] === "~");
  for (const sealer of ["ours", "iron-session"] as const) {
    const whose = sealer === "ours" ? "our" : "iron-session's";
    it(`single-character changes of ${whose} seal give what iron-session gives, and never open`, async () => {
      const original = sealer === "ours" ? await sealData({ n: 1 }, { password: A }) : await ironSessionSeal({ n: 1 }, { password: A });
      // Negative control: the untouched seal opens, in both.
      expect(await unsealData(original, { password: A })).toEqual({ n: 1 });
      expect(await ironSessionUnseal(original, { password: A })).toEqual({ n: 1 });
      const changed = [...original].flatMap((originalChar, i) =>
        (nearSeparator(original, i) ? ALPHABET : ONE_OF_EACH_KIND)
          .filter((char) => char !== originalChar)
          .map((char) => original.slice(0, i) + char + original.slice(i + 1)),
      );
      const tally = await compareWithIronSession(changed, A);
      expect(tally.compared).toBeGreaterThan(original.length * (ONE_OF_EACH_KIND.length - 2));
      expect(tally.opened).toBe(0);
      const thrown = JSON.stringify(Object.fromEntries(tally.threw));
      console.log(`[iron-seal] ${whose} seal, ${tally.compared} single-character changes: ${tally.empty} give {}, thrown by both: ${thrown}`);
    });
  }

  it("every truncation and every deletion of one character gives what iron-session gives, and never opens", async () => {
    const original = await sealData({ n: 1 }, { password: { 1: A, 2: B } });
    const candidates = [...Array(original.length).keys()].flatMap((i) => [original.slice(0, i), original.slice(0, i) + original.slice(i + 1)]);
    const tally = await compareWithIronSession(candidates, { 1: A, 2: B });
    expect(tally.opened).toBe(0);
  });

  it("a seal from another secret, or one whose id another secret holds, gives {} in both", async () => {
    const foreign = await ironSessionSeal({ n: 1 }, { password: B });
    expect(await unsealData(foreign, { password: A })).toEqual({});
    expect(await unsealData(foreign, { password: { 1: A, 2: C } })).toEqual({});
    expect(await ironSessionUnseal(foreign, { password: A })).toEqual({});
    const ours = await sealData({ n: 1 }, { password: B });
    expect(await ironSessionUnseal(ours, { password: A })).toEqual({});
    await compareWithIronSession([foreign, ours], { 1: C });
  });

  it("a seal naming an id that is an Object.prototype key throws in both (iron looks ids up with `in`)", async () => {
    const sealed = await sealData({ n: 1 }, { password: A });
    const renamed = ["constructor", "__proto__", "toString"].map((id) => sealed.replace("Fe26.2*1*", `Fe26.2*${id}*`));
    const tally = await compareWithIronSession(renamed, A);
    expect(Object.fromEntries(tally.threw)).toEqual({ "Empty password": 3 }); // the cookie store turns a throw into a fresh session
  });

  it("garbage gives what iron-session gives", async () => {
    const sealCharacter = fc.constantFrom(...ALPHABET.filter((c) => c !== "*"));
    const eightParts = fc.array(fc.string({ unit: sealCharacter }), { minLength: 8, maxLength: 8 }).map((parts) => parts.join("*"));
    const garbageSeals = fc.oneof(
      fc.string(),
      fc.string({ unit: fc.constantFrom(...ALPHABET) }),
      eightParts,
      eightParts.map((s) => `Fe26.2${s.slice(s.indexOf("*"))}`), // right prefix and shape, so iron gets as far as the HMAC
    );
    await fc.assert(
      fc.asyncProperty(garbageSeals, async (garbage) => {
        expect(await outcomeOf(() => unsealData(garbage, { password: A }))).toEqual(await outcomeOf(() => ironSessionUnseal(garbage, { password: A })));
      }),
      { numRuns: 300 },
    );
  });
});
