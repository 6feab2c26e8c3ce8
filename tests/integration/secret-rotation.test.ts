/**
 * A rolling SESSION_SECRET rotation, with instances on different phases at once (as a rolling
 * deploy has them): phase 1 gives every instance the new secret but keeps sealing with the old one
 * (SESSION_SECRET_SEAL_ID=1); phase 2 seals with the new one. A reader moving between an old
 * instance and a phase-1 one, or between phase 1 and phase 2, loses nothing. The control: an old
 * instance next to a phase-2 one (the rotation done in one step) forgets every reader it serves.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppInstance } from "../../scripts/lib/app-instance";
import { ReaderClient } from "../../scripts/lib/reader-client";
import { startTestApp } from "../support/test-app";

const OLD = randomBytes(32).toString("base64url");
const NEW = randomBytes(32).toString("base64url");
const both = JSON.stringify({ 2: NEW, 1: OLD });
let old: AppInstance, phase1: AppInstance, phase2: AppInstance;

beforeAll(async () => {
  [old, phase1, phase2] = await Promise.all([
    startTestApp("old", { SESSION_SECRET: OLD }),
    startTestApp("phase1", { SESSION_SECRET: both, SESSION_SECRET_SEAL_ID: "1" }),
    startTestApp("phase2", { SESSION_SECRET: both }),
  ]);
}, 120_000);

afterAll(async () => {
  await Promise.all([old, phase1, phase2].map((instance) => instance?.process.stop()));
});

/** Reads pages alternating between two instances with one cookie jar; returns seenCount after each page. */
async function alternate(mode: string, first: AppInstance, second: AppInstance, pages = 4): Promise<number[]> {
  const reader = new ReaderClient(first.url);
  expect((await reader.setMode(mode)).status).toBe(200);
  const counts: number[] = [];
  for (let page = 0; page < pages; page++) {
    const on = page % 2 === 0 ? first : second;
    const answer = await new ReaderClient(on.url).request<{ seenCount: number }>("POST", "/api/feed", {
      json: { limit: 5 },
      headers: { Cookie: reader.cookieHeader() },
    });
    expect(answer.status).toBe(200);
    reader.absorb(answer.headers.getSetCookie());
    counts.push(answer.body.seenCount);
  }
  return counts;
}

describe.each(["cookie", "kv"])("%s mode", (mode) => {
  it("old ↔ phase 1 (new secret known, old one still seals): nothing lost", async () => {
    expect(await alternate(mode, old, phase1)).toEqual([5, 10, 15, 20]);
  });

  it("phase 1 ↔ phase 2 (both know both secrets): nothing lost", async () => {
    expect(await alternate(mode, phase1, phase2)).toEqual([5, 10, 15, 20]);
    expect(await alternate(mode, phase2, phase1)).toEqual([5, 10, 15, 20]);
  });

  it("control: old ↔ phase 2 (the rotation in one step) forgets the reader on every switch", async () => {
    const counts = await alternate(mode, phase2, old);
    expect(counts).not.toEqual([5, 10, 15, 20]);
    expect(Math.max(...counts)).toBeLessThan(20);
  });
});
