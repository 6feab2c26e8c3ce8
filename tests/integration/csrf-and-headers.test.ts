/**
 * Cross-site refusal on the state-changing routes and the security headers on pages, against
 * the production build. The controls are the same requests from our own origin, or from a
 * client that sends no browser headers at all: they must still work.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppInstance } from "../../scripts/lib/app-instance";
import { startTestApp } from "../support/test-app";
import { ReaderClient } from "../../scripts/lib/reader-client";

let app: AppInstance;

beforeAll(async () => {
  app = await startTestApp("csrf-test");
});

afterAll(async () => {
  await app?.process.stop();
});

const STATE_CHANGING: { method: string; path: string; json?: unknown }[] = [
  { method: "POST", path: "/api/feed", json: { limit: 1 } },
  { method: "PUT", path: "/api/session/mode", json: { mode: "kv" } },
  { method: "POST", path: "/api/articles/a-real-id-is-not-needed/read" },
  { method: "DELETE", path: "/api/session" },
];

describe("cross-site requests", () => {
  it.each(STATE_CHANGING)("$method $path: refused with 403 when another site sent it", async ({ method, path, json }) => {
    const ownHost = new URL(app.url).host;
    const attempts: Record<string, string>[] = [
      { "Sec-Fetch-Site": "cross-site" },
      { Origin: "https://evil.example" },
      { Origin: `http://${ownHost.split(":")[0]}:1` }, // same host, another port: another origin
      { Origin: "null" },
    ];
    for (const headers of attempts) {
      const response = await new ReaderClient(app.url).request(method, path, { json, headers });
      expect(response.status, JSON.stringify(headers)).toBe(403);
      expect(response.body).toMatchObject({ error: { code: "CROSS_SITE_REQUEST" } });
    }
  });

  it.each(STATE_CHANGING)("$method $path: still served from our own origin and to clients without browser headers", async ({ method, path, json }) => {
    const own = { Origin: app.url, "Sec-Fetch-Site": "same-origin" };
    for (const headers of [own, {}] as Record<string, string>[]) {
      const response = await new ReaderClient(app.url).request(method, path, { json, headers });
      expect(response.status, JSON.stringify(headers)).not.toBe(403);
      expect(response.status).toBeLessThan(500);
    }
  });

  it("leaves reads alone: GET /api/session from another site is not refused (it changes nothing)", async () => {
    const response = await new ReaderClient(app.url).request("GET", "/api/session", { headers: { "Sec-Fetch-Site": "cross-site" } });
    expect(response.status).toBe(200);
  });
});

describe("security headers", () => {
  it.each(["/", "/inspector", "/api/health"])("%s carries a CSP, nosniff and a referrer policy", async (path) => {
    const response = await fetch(`${app.url}${path}`);
    await response.arrayBuffer();
    const csp = response.headers.get("content-security-policy") ?? "";
    // Pages and the API allow their own origin; what the front door answers itself (liveness) allows nothing.
    expect(csp).toMatch(/default-src '(self|none)'/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain("unsafe-eval"); // production build
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
  });

  it("allows scripts by a fresh nonce per page, never by 'unsafe-inline', and every script Next.js renders carries it", async () => {
    const nonces = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const response = await fetch(`${app.url}/`);
      const html = await response.text();
      const scriptSrc = (response.headers.get("content-security-policy") ?? "").split("; ").find((d) => d.startsWith("script-src"))!;
      expect(scriptSrc).not.toContain("unsafe-inline");
      const nonce = /'nonce-([A-Za-z0-9+/=]+)'/.exec(scriptSrc)?.[1];
      expect(nonce, scriptSrc).toBeTruthy();
      nonces.add(nonce!);
      const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
      expect(scripts.length).toBeGreaterThan(0);
      for (const tag of scripts) expect(tag, "a script without the page's nonce would be blocked").toContain(`nonce="${nonce}"`);
    }
    expect(nonces.size, "a new nonce for every response").toBe(3);
  });
});
