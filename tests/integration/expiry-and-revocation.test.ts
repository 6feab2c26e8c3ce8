/**
 * Expiry and revocation over the real API (production build, real Redis), with a 4-second
 * SESSION_TTL_SECONDS: a kv session left alone expires; DELETE /api/session kills a kv session
 * at once, so a copied kv cookie is useless afterwards, while a copied cookie-mode seal keeps
 * working until it expires: the trade-off the README states.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppInstance } from "../../scripts/lib/app-instance";
import { startTestApp } from "../support/test-app";
import { ReaderClient } from "../../scripts/lib/reader-client";

/** Long enough that a busy machine's slow request cannot let the active reader's session lapse. */
const TTL_SECONDS = 4;
/** The active reader's pause between reads: its gaps stay several seconds under the TTL. */
const ACTIVE_PAUSE_MS = 400;
/** How long past the TTL the idle reader is checked: Redis expires keys within milliseconds. */
const EXPIRY_MARGIN_MS = 1000;
let app: AppInstance;

beforeAll(async () => {
  app = await startTestApp("ttl-test", { SESSION_TTL_SECONDS: String(TTL_SECONDS) });
});

afterAll(async () => {
  await app?.process.stop();
});

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The setup's requests, tried again on a 503 as the app's own "Try again" does (a 503 recorded
 * nothing, by contract): the first kv requests of a fresh instance on a busy machine can outlast
 * kv's 1 s write budget, and this test is about expiry, not about that. Bounded: 5 tries.
 */
async function untilServed<T extends { status: number }>(request: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const response = await request();
    if (response.status !== 503 || attempt === 5) return response;
    await pause(500);
  }
}

/** A second client holding copies of `reader`'s cookies: someone who copied them. */
function copyOf(reader: ReaderClient): ReaderClient {
  const copy = new ReaderClient(app.url);
  reader.cookies.forEach((value, name) => copy.cookies.set(name, value));
  return copy;
}

describe("expiry", () => {
  it("a kv session expires after SESSION_TTL_SECONDS without activity, and activity keeps it alive", async () => {
    const idle = new ReaderClient(app.url);
    const active = new ReaderClient(app.url);
    for (const reader of [idle, active]) {
      expect((await untilServed(() => reader.setMode("kv"))).status).toBe(200);
      expect((await untilServed(() => reader.feed(5))).status).toBe(200);
    }
    const idleSince = performance.now();
    // `active` reads every ACTIVE_PAUSE_MS; `idle` does nothing but keeps its cookie (this client never
    // drops cookies by age), so what is measured is the server's expiry, not the browser's. The loop
    // runs until idle's session is a full TTL plus a margin old, however slow the machine is; the
    // active reader's gaps stay far below the TTL even when one request takes a couple of seconds.
    let reads = 0;
    while (performance.now() - idleSince < TTL_SECONDS * 1000 + EXPIRY_MARGIN_MS) {
      await pause(ACTIVE_PAUSE_MS);
      expect((await active.feed(1)).status).toBe(200);
      reads++;
    }
    expect((await idle.session()).body).toMatchObject({ mode: "kv", seenCount: 0 });
    expect((await active.session()).body).toMatchObject({ mode: "kv", seenCount: 5 + reads });
  }, 30_000);
});

describe("revocation", () => {
  it("DELETE /api/session makes a copied kv cookie useless at once", async () => {
    const reader = new ReaderClient(app.url);
    await reader.setMode("kv");
    await reader.feed(5);
    const stolen = copyOf(reader);
    expect((await stolen.session()).body).toMatchObject({ seenCount: 5 }); // the copy works before
    expect((await reader.forget()).status).toBe(200);
    expect((await stolen.session()).body).toMatchObject({ seenCount: 0 });
  });

  it("DELETE /api/session cannot revoke a copied cookie-mode seal: it stays valid until it expires", async () => {
    const reader = new ReaderClient(app.url);
    await reader.setMode("cookie");
    await reader.feed(5);
    const stolen = copyOf(reader);
    expect((await reader.forget()).status).toBe(200);
    expect((await reader.session()).body).toMatchObject({ seenCount: 0 }); // the reader's own browser forgot
    // The copy did not: a seal is valid until its own expiry (TTL, plus iron's 60 s clock-skew allowance).
    expect((await stolen.session()).body).toMatchObject({ mode: "cookie", seenCount: 5 });
  });
});
