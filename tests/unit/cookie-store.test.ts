/**
 * cookie mode: sizes of the real sealed cookie, the 4 KB guard, and what a tampered or foreign
 * cookie turns into. Sizes are measured on the sealed value the browser would store.
 */
import { sealData } from "iron-session";
import { describe, expect, it } from "vitest";
import type { CandidatePool } from "@/lib/seen/feed-selection";
import { CookieStore } from "@/lib/session/cookie/cookie-store";
import { COOKIE_NAMES } from "@/lib/session/cookies";
import { SessionTooLargeError } from "@/lib/session/errors";
import { SeqSet } from "@/lib/seen/seq-set";
import { detailsOf, TEST_COOKIE_OPTIONS, TEST_KEYS, TEST_PASSWORD } from "../support/stores";
import { keyring } from "@/lib/session/config";
import { TestJar } from "../support/test-jar";

const CATALOGUE_10K: CandidatePool = { maxSeq: 10_000 };
const store = (jar: TestJar) => new CookieStore(jar, TEST_KEYS, TEST_COOKIE_OPTIONS);

function randomHalf(n: number): number[] {
  const items = Array.from({ length: n }, (_, i) => i + 1);
  let state = 20261121;
  for (let i = items.length - 1; i > 0; i--) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    const j = state % (i + 1);
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items.slice(0, n / 2);
}

async function readEverythingInFeedOrder(jar: TestJar) {
  for (;;) {
    const { seqs } = await store(jar).claimUnseen(CATALOGUE_10K, 50);
    if (seqs.length === 0) return;
  }
}

describe("cookie store sizes (10,000-article catalogue)", () => {
  it("stays at or under 512 bytes after reading the whole catalogue in feed order", async () => {
    const jar = new TestJar();
    await readEverythingInFeedOrder(jar);
    const sealed = jar.get(COOKIE_NAMES.cookieSession)!;
    expect((await store(jar).describe()).seenCount).toBe(10_000);
    console.log(`[size] in feed order, 10,000 seen: sealed value ${sealed.length} B, Set-Cookie ${jar.setCookieBytes.get(COOKIE_NAMES.cookieSession)} B`);
    expect(sealed.length).toBeLessThanOrEqual(512);
  });

  it("stays at or under 3,000 bytes after opening a random half (5,000) of the articles", async () => {
    const jar = new TestJar();
    await readEverythingInFeedOrder(jar);
    for (const seq of randomHalf(10_000)) await store(jar).markRead(seq);
    const sealed = jar.get(COOKIE_NAMES.cookieSession)!;
    const described = await store(jar).describe();
    expect([described.seenCount, described.readCount]).toEqual([10_000, 5_000]);
    console.log(`[size] random half opened: sealed value ${sealed.length} B, Set-Cookie ${jar.setCookieBytes.get(COOKIE_NAMES.cookieSession)} B`);
    expect(sealed.length).toBeLessThanOrEqual(3_000);
  }, 120_000);
});

describe("cookie store guard rails", () => {
  it("answers SessionTooLargeError instead of writing a cookie over 4,096 bytes, leaving the old one untouched", async () => {
    const jar = new TestJar();
    // A history no codec can squeeze: random halves of 100,000 seen and read.
    const scattered = SeqSet.of(randomHalf(100_000).map((seq) => seq));
    await expect(store(jar).replace({ seen: scattered, read: SeqSet.empty() })).rejects.toBeInstanceOf(SessionTooLargeError);
    expect(jar.get(COOKIE_NAMES.cookieSession)).toBeUndefined();

    await store(jar).claimUnseen(CATALOGUE_10K, 5);
    const before = jar.get(COOKIE_NAMES.cookieSession);
    const writes = jar.writes;
    const error = await store(jar)
      .replace({ seen: scattered, read: SeqSet.empty() })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SessionTooLargeError);
    expect((error as SessionTooLargeError).cookieBytes).toBeGreaterThan(4_096);
    expect(jar.get(COOKIE_NAMES.cookieSession)).toBe(before);
    expect(jar.writes).toBe(writes);
    expect((await store(jar).describe()).seenCount).toBe(5);
  });

  it("sets the cookie httpOnly, SameSite=Lax and Secure with the session TTL", async () => {
    const jar = new TestJar();
    const seen: string[] = [];
    const spy = {
      ...jar,
      get: jar.get.bind(jar),
      delete: jar.delete.bind(jar),
      set: (name: string, value: string, options: typeof TEST_COOKIE_OPTIONS) => {
        seen.push(JSON.stringify(options));
        jar.set(name, value, options);
      },
    };
    await new CookieStore(spy, TEST_KEYS, TEST_COOKIE_OPTIONS).claimUnseen(CATALOGUE_10K, 1);
    expect(JSON.parse(seen[0]!)).toEqual({ httpOnly: true, sameSite: "lax", secure: true, path: "/", maxAge: 3600 });
  });

  it("treats a corrupted cookie as a fresh session and says why", async () => {
    const jar = new TestJar();
    await store(jar).claimUnseen(CATALOGUE_10K, 5);
    const valid = jar.get(COOKIE_NAMES.cookieSession)!;
    const middle = Math.floor(valid.length / 2);
    const flipped = valid.slice(0, middle) + (valid[middle] === "A" ? "B" : "A") + valid.slice(middle + 1);
    for (const corrupt of ["garbage", "Fe26.2**", valid.slice(0, -5), flipped]) {
      const tampered = new TestJar();
      tampered.values.set(COOKIE_NAMES.cookieSession, corrupt);
      const described = await store(tampered).describe();
      expect(described.seenCount).toBe(0);
      expect(detailsOf(described.details, "cookie").rejected).toBeTruthy();
      expect((await store(tampered).claimUnseen(CATALOGUE_10K, 2)).seqs).toEqual([10_000, 9_999]);
    }
  });

  it("does not accept a cookie sealed with another secret, or one that expired", async () => {
    const foreign = new TestJar();
    foreign.values.set(COOKIE_NAMES.cookieSession, await sealData({ v: 1, s: "", r: "" }, { password: "x".repeat(40), ttl: 3600 }));
    expect(detailsOf((await store(foreign).describe()).details, "cookie").rejected).toBeTruthy();

    const expired = new TestJar();
    // iron allows 60 s of clock skew; a seal whose ttl elapsed that long ago must be refused.
    const expiredLongAgo = await sealData({ v: 1, s: "", r: "" }, { password: TEST_PASSWORD, ttl: -120 });
    expired.values.set(COOKIE_NAMES.cookieSession, expiredLongAgo);
    expect(detailsOf((await store(expired).describe()).details, "cookie").rejected).toBeTruthy();
  });

  it("accepts seals made with an older secret while rotating to a new one", async () => {
    const jar = new TestJar();
    await store(jar).claimUnseen(CATALOGUE_10K, 3);
    const rotated = new CookieStore(jar, keyring({ 2: "new-secret-new-secret-new-secret-new-0", 1: TEST_PASSWORD }), TEST_COOKIE_OPTIONS);
    expect((await rotated.describe()).seenCount).toBe(3);
    await rotated.claimUnseen(CATALOGUE_10K, 1);
    expect(jar.get(COOKIE_NAMES.cookieSession)!.startsWith("Fe26.2*2*")).toBe(true);
  });
});
