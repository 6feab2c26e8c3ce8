/**
 * db mode with PostgreSQL killed (SIGKILL of the postmaster and every backend: an outage, not a
 * shutdown): the feed fails closed, 503 DB_UNAVAILABLE with a clear error on the page and no
 * articles it could not record. PostgreSQL started again on the same data directory (crash
 * recovery; fsync and synchronous_commit are on, so every acknowledged claim survives): the reader's
 * history is whole, reading resumes where it stopped, and no article is ever shown twice.
 */
import type { Page } from "@playwright/test";
import type { ErrorEnvelope, SessionView } from "../lib/api-contract";
import { chooseModeFirst, expect, test } from "./support/fixtures";

/** What the reader's db session records as seen, asked the way the inspector asks (same cookies). */
async function seenCount(page: Page): Promise<number> {
  const response = await page.request.get("/api/session");
  expect(response.status(), "GET /api/session").toBe(200);
  const session = (await response.json()) as SessionView;
  expect(session.mode).toBe("db");
  return session.seenCount;
}

test("db mode: kill PostgreSQL, the feed answers 503 with a clear error and no articles; restart it, reading resumes with no repeats and nothing lost", async ({
  page,
  reader,
  stack,
}) => {
  const postgres = stack.db.postgres;
  expect(postgres, `the e2e cluster starts its own PostgreSQL (db: ${stack.db.describe})`).not.toBeNull();
  await chooseModeFirst(page, "db");
  await reader.open();
  await reader.more();
  await reader.more();
  const shownBefore = reader.allIds().length;
  expect(shownBefore).toBe(30);
  expect(await seenCount(page), "every page shown is recorded").toBe(shownBefore);
  const cardsBefore = await page.getByTestId("article-card").count();

  await postgres!.kill();

  // The API fails closed and fast: the documented 503 envelope with Retry-After, well inside the
  // 2 s a request may wait on the database (pool.ts), not a hang until some socket timeout.
  const asked = Date.now();
  const api = await page.request.post("/api/feed", { data: { limit: 10 } });
  const answeredInMs = Date.now() - asked;
  test.info().annotations.push({ type: "503 answered in", description: `${answeredInMs} ms` });
  expect(api.status()).toBe(503);
  expect(api.headers()["retry-after"]).toBe("2");
  expect(((await api.json()) as ErrorEnvelope).error.code).toBe("DB_UNAVAILABLE");
  expect(answeredInMs, "503 within the 2 s promise").toBeLessThan(2_000);

  // The page says so, and shows nothing it could not record.
  const failed = await reader.more();
  expect(failed.status).toBe(503);
  const error = page.getByTestId("feed-error");
  await expect(error).toBeVisible();
  await expect(error).toHaveAttribute("data-code", "DB_UNAVAILABLE");
  await expect(error).toContainText("not reachable");
  await expect(page.getByTestId("article-card")).toHaveCount(cardsBefore);

  await postgres!.restart();
  // Each instance's pool drops its dead connections and opens new ones; a reader would press "Try again".
  await expect(async () => expect(await seenCount(page), "nothing acknowledged before the kill is lost").toBe(shownBefore)).toPass({
    timeout: 15_000,
    intervals: [300, 500, 1000],
  });
  await expect(async () => {
    const load = await reader.retry();
    expect(load.status).toBe(200);
  }).toPass({ timeout: 15_000, intervals: [300, 500, 1000] });
  await expect(page.getByTestId("feed-error")).toHaveCount(0);
  await reader.more();
  await reader.reload();

  expect(reader.repeats(), "articles shown twice, across the whole test").toEqual([]);
  expect(reader.allIds()).toHaveLength(shownBefore + 30);
  expect(await seenCount(page), "the seen count is every article shown, no more, no less").toBe(reader.allIds().length);
});
