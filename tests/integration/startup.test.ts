/** How the production build behaves when it is misconfigured or has no KV: loudly, never half-working. */
import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startInstance, type AppInstance } from "../../scripts/lib/app-instance";
import { nextBin, ROOT } from "../../scripts/lib/build";
import { freePort } from "../../scripts/lib/ports";
import { ReaderClient } from "../../scripts/lib/reader-client";

describe("start-up checks", () => {
  it.each([
    ["no SESSION_SECRET", { SESSION_SECRET: "" }, /SESSION_SECRET is not set/],
    ["a short SESSION_SECRET", { SESSION_SECRET: "too-short" }, /at least 32 characters/],
    ["a bad CATALOGUE_SIZE", { SESSION_SECRET: "x".repeat(40), CATALOGUE_SIZE: "lots" }, /CATALOGUE_SIZE must be a whole number/],
  ])("refuses to start with %s and says what to fix", async (_label, env, message) => {
    const port = await freePort();
    const result = spawnSync(process.execPath, [nextBin(), "start", "-p", String(port), "-H", "127.0.0.1"], {
      cwd: ROOT,
      env: { ...process.env, NODE_ENV: "production", KV_REST_API_URL: "", ...env },
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(message);
  });
});

describe("without KV configured", () => {
  let app: AppInstance;

  beforeAll(async () => {
    app = await startInstance({
      id: "no-kv",
      port: await freePort(),
      env: { SESSION_SECRET: "y".repeat(40), KV_REST_API_URL: "", KV_REST_API_TOKEN: "" },
      log: () => {},
    });
  });
  afterAll(() => app?.process.stop());

  it("still serves cookie and memory mode, reports kv as not configured, and refuses kv with a reason", async () => {
    const reader = new ReaderClient(app.url);
    expect((await reader.feed(5)).status).toBe(200);
    const health = await reader.request<{ stores: { kv: { configured: boolean; reason: string } } }>("GET", "/api/health");
    expect(health.body.stores.kv).toMatchObject({ configured: false, reason: expect.stringMatching(/KV_REST_API_URL/) });
    const refused = await reader.setMode("kv");
    expect(refused.status).toBe(503);
    expect(refused.body).toMatchObject({ error: { code: "KV_NOT_CONFIGURED" } });
    expect((await reader.session()).body.mode).toBe("cookie");
    expect((await reader.setMode("memory")).status).toBe(200);
  });

  it("shows the kv switch disabled with its reason", async () => {
    const page = await new ReaderClient(app.url).request<string>("GET", "/");
    expect(page.body).toMatch(/data-testid="kv-disabled-reason"/);
    expect(page.body).toMatch(/data-testid="mode-kv"[^>]*disabled|disabled[^>]*data-testid="mode-kv"/);
  });
});
