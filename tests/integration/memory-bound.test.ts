/**
 * The audit's attack on memory mode: a flood of cookie-less requests, each of which would open a new
 * reader in the instance's map. The map is bounded (MEMORY_MODE_MAX_READERS), so the flood leaves
 * at most that many entries, and the instance keeps serving.
 */
import { Pool } from "undici";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { HealthView } from "@/lib/api-contract";
import type { AppInstance } from "../../scripts/lib/app-instance";
import { startTestApp } from "../support/test-app";

const MAX_READERS = 100;
/**
 * Ten times the bound. (The audit sent 40,000 against the default 10,000; that run, by hand with a
 * bound of 2,000, took 119 s here and left exactly 2,000: too long to repeat in every test run. A
 * bound of 300 and 3,000 requests took 26–29 s of npm test's time; the bound's logic is the same.)
 */
const REQUESTS = 1_000;
let app: AppInstance;

beforeAll(async () => {
  app = await startTestApp("memory-bound", { MEMORY_MODE_MAX_READERS: String(MAX_READERS) });
}, 60_000);

afterAll(async () => {
  await app?.process.stop();
});

async function readersHeld(): Promise<number> {
  const response = await fetch(`${app.url}/api/health`);
  const memory = ((await response.json()) as HealthView).stores.memory as { readers: number };
  return memory.readers;
}

it(`${REQUESTS.toLocaleString("en")} cookie-less memory-mode requests leave at most MEMORY_MODE_MAX_READERS entries`, async () => {
  const pool = new Pool(app.url, { connections: 8, pipelining: 1 });
  let sent = 0;
  let failed = 0;
  const started = performance.now();
  try {
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (sent < REQUESTS) {
          sent++;
          const response = await pool.request({
            path: "/api/articles/low-budget-audio-drama-the-night-ferry-becomes-a-podcast-hit/read",
            method: "POST",
            headers: { cookie: "nr_mode=memory" },
          });
          await response.body.dump();
          if (response.statusCode !== 200) failed++;
        }
      }),
    );
  } finally {
    await pool.close();
  }
  const held = await readersHeld();
  console.log(
    `[memory-bound] ${sent} requests in ${Math.round(performance.now() - started)} ms, ${failed} failed; ${held} readers held (bound ${MAX_READERS})`,
  );
  expect(failed).toBe(0);
  expect(held).toBeLessThanOrEqual(MAX_READERS);
  expect(held, "the flood did fill the map (the bound was reached, not just never approached)").toBe(MAX_READERS);
}, 240_000);
