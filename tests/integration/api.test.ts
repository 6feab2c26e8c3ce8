/**
 * The JSON API against the real production build (`next start`), with real Redis behind the
 * real KV bridge: what a client of the API actually gets, headers and cookies included.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppInstance } from "../../scripts/lib/app-instance";
import { startTestApp } from "../support/test-app";
import { ReaderClient, type FeedArticle } from "../../scripts/lib/reader-client";

const CATALOGUE_SIZE = 600;
let app: AppInstance;
const reader = () => new ReaderClient(app.url);

beforeAll(async () => {
  app = await startTestApp("api-test", { CATALOGUE_SIZE: String(CATALOGUE_SIZE) });
});

afterAll(async () => {
  await app?.process.stop();
});

async function readToTheEnd(client: ReaderClient, section?: string) {
  const delivered: FeedArticle[] = [];
  for (let page = 0; page < 200; page++) {
    const { status, body, instance } = await client.feed(10, section);
    expect(status).toBe(200);
    expect(instance).toBe("api-test");
    delivered.push(...body.articles);
    if (body.remaining === 0) break;
  }
  return delivered;
}

describe("reading the whole catalogue", () => {
  it.each(["cookie", "kv", "memory"])("in %s mode delivers every article exactly once", async (mode) => {
    const client = reader();
    expect((await client.setMode(mode)).status).toBe(200);
    const delivered = await readToTheEnd(client);
    const ids = delivered.map((a) => a.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(CATALOGUE_SIZE);
    expect(delivered.map((a) => a.seq)).toEqual(Array.from({ length: CATALOGUE_SIZE }, (_, i) => CATALOGUE_SIZE - i));
    const session = await client.session();
    expect(session.body).toMatchObject({ mode, seenCount: CATALOGUE_SIZE });
    const after = await client.feed(10);
    expect(after.body).toMatchObject({ articles: [], remaining: 0, seenCount: CATALOGUE_SIZE });
  });

  it("filters by section (case-insensitively) and counts what is left there", async () => {
    const client = reader();
    const sports = await readToTheEnd(client, "sports");
    expect(sports.length).toBeGreaterThan(20);
    expect(sports.every((a) => a.section === "Sports")).toBe(true);
    const rest = await readToTheEnd(client);
    expect(rest.length + sports.length).toBe(CATALOGUE_SIZE);
  });

  it("switching cookie -> kv -> cookie mid-way repeats nothing", async () => {
    const client = reader();
    const seen = new Set<string>();
    for (const mode of ["cookie", "kv", "cookie"]) {
      expect((await client.setMode(mode)).status).toBe(200);
      for (let page = 0; page < 5; page++) {
        for (const article of (await client.feed(20)).body.articles) {
          expect(seen.has(article.id)).toBe(false);
          seen.add(article.id);
        }
      }
    }
    expect((await client.session()).body.seenCount).toBe(seen.size);
  });

  it("counts opened articles and never serves them afterwards", async () => {
    const client = reader();
    const newest = (await reader().feed(1)).body.articles[0]!;
    expect((await client.read(newest.id)).body).toMatchObject({ seenCount: 1, readCount: 1 });
    const page = await client.feed(5);
    expect(page.body.articles.map((a) => a.id)).not.toContain(newest.id);
  });

  it("forgets the reader on DELETE /api/session", async () => {
    const client = reader();
    await client.feed(10);
    expect((await client.forget()).status).toBe(200);
    expect((await client.session()).body.seenCount).toBe(0);
    expect((await client.feed(1)).body.articles[0]!.seq).toBe(CATALOGUE_SIZE);
  });
});

describe("cookies and headers", () => {
  it("seals the cookie-mode session httpOnly, SameSite=Lax, Secure", async () => {
    const response = await reader().feed(3);
    const cookie = response.headers.getSetCookie().find((c) => c.startsWith("nr_session="))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=lax/i);
    expect(cookie).toMatch(/Secure/i);
    expect(response.headers.get("cache-control")).toMatch(/no-store/);
  });

  it("GET /api/session has no side effects", async () => {
    const client = reader();
    await client.feed(3);
    const response = await client.session();
    expect(response.headers.getSetCookie()).toEqual([]);
    expect(response.body.store).toMatchObject({ cookieBytes: expect.any(Number), limitBytes: 4096 });
  });

  it("treats a tampered session cookie as a fresh session, not an error", async () => {
    const client = reader();
    await client.feed(5);
    const sealed = client.cookies.get("nr_session")!;
    client.cookies.set("nr_session", sealed.slice(0, 40) + (sealed[40] === "a" ? "b" : "a") + sealed.slice(41));
    const response = await client.feed(2);
    expect(response.status).toBe(200);
    expect(response.body.articles.map((a) => a.seq)).toEqual([CATALOGUE_SIZE, CATALOGUE_SIZE - 1]);
  });

  it("stamps X-Instance-Id on pages too, and serves article pages and a 404", async () => {
    const home = await reader().request("GET", "/");
    expect(home.status).toBe(200);
    expect(home.instance).toBe("api-test");
    const article = (await reader().feed(1)).body.articles[0]!;
    const page = await reader().request<string>("GET", `/articles/${article.id}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain(article.title.replace(/&/g, "&amp;").replace(/'/g, "&#x27;"));
    const missing = await reader().request("GET", "/articles/no-such-story");
    expect(missing.status).toBe(404);
    expect(missing.instance).toBe("api-test");
  });

  it("reports instance and store health", async () => {
    const { status, body } = await reader().request<{ instance: { id: string }; stores: { kv: { ok: boolean } } }>("GET", "/api/health");
    expect(status).toBe(200);
    expect(body.instance.id).toBe("api-test");
    // Liveness answers from memory: the kv figure is the background probe's last result.
    await expect
      .poll(async () => (await reader().request<{ stores: { kv: { ok: boolean; ready: boolean } } }>("GET", "/api/health")).body.stores.kv.ready)
      .toBe(true);
  });
});

describe("bad input gets a 4xx in the error envelope, never a 500", () => {
  const cases: Array<[string, string, string, { body?: string; headers?: Record<string, string> }, number, string]> = [
    ["malformed JSON", "POST", "/api/feed", { body: "{limit:" }, 400, "INVALID_JSON"],
    ["a JSON array", "POST", "/api/feed", { body: "[]" }, 400, "INVALID_INPUT"],
    ["limit 0", "POST", "/api/feed", { body: '{"limit":0}' }, 400, "INVALID_INPUT"],
    ["limit 51", "POST", "/api/feed", { body: '{"limit":51}' }, 400, "INVALID_INPUT"],
    ["limit 2.5", "POST", "/api/feed", { body: '{"limit":2.5}' }, 400, "INVALID_INPUT"],
    ["limit as a string", "POST", "/api/feed", { body: '{"limit":"10"}' }, 400, "INVALID_INPUT"],
    ["an unknown field", "POST", "/api/feed", { body: '{"limit":5,"admin":true}' }, 400, "INVALID_INPUT"],
    ["an unknown section", "POST", "/api/feed", { body: '{"section":"../../etc"}' }, 400, "INVALID_INPUT"],
    ["a form body", "POST", "/api/feed", { body: "limit=5", headers: { "Content-Type": "application/x-www-form-urlencoded" } }, 415, "UNSUPPORTED_MEDIA_TYPE"],
    ["a body over 64 KB", "POST", "/api/feed", { body: JSON.stringify({ limit: 5, pad: "x".repeat(70_000) }) }, 413, "PAYLOAD_TOO_LARGE"],
    ["an unknown mode", "PUT", "/api/session/mode", { body: '{"mode":"postgres"}' }, 400, "INVALID_INPUT"],
    ["no mode", "PUT", "/api/session/mode", { body: "{}" }, 400, "INVALID_INPUT"],
    ["an unknown article", "POST", "/api/articles/no-such-story/read", {}, 404, "ARTICLE_NOT_FOUND"],
    ["a path-traversal id", "POST", "/api/articles/..%2F..%2Fetc%2Fpasswd/read", {}, 400, "INVALID_INPUT"],
    ["a NUL in the id", "POST", "/api/articles/abc%00def/read", {}, 400, "INVALID_INPUT"],
    ["a 5,000-character id", "POST", `/api/articles/${"a".repeat(5000)}/read`, {}, 400, "INVALID_INPUT"],
    ["a unicode id", "POST", "/api/articles/%E2%98%83-snow/read", {}, 400, "INVALID_INPUT"],
    ["an unknown endpoint", "GET", "/api/nothing-here", {}, 404, "NOT_FOUND"],
  ];

  it.each(cases)("%s", async (_label, method, path, options, status, code) => {
    const response = await reader().request<{ error: { code: string; message: string } }>(method, path, {
      body: options.body,
      headers: { "Content-Type": "application/json", ...options.headers },
    });
    expect(response.status).toBe(status);
    expect(response.body.error.code).toBe(code);
    expect(response.body.error.message.length).toBeGreaterThan(5);
    expect(response.instance).toBe("api-test");
  });

  it("an empty body means defaults", async () => {
    const response = await reader().request<{ articles: unknown[] }>("POST", "/api/feed");
    expect(response.status).toBe(200);
    expect(response.body.articles).toHaveLength(10);
  });
});
