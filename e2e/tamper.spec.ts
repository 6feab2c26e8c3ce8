/** Tampered session cookies: a fresh session, no error page, never a 500. */
import { sealData } from "iron-session";
import { chooseModeFirst, E2E_CATALOGUE_SIZE, expect, test, type FeedReader } from "./support/fixtures";
import type { Page } from "@playwright/test";
import type { SessionView } from "../lib/api-contract";

function watchForServerErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("response", (response) => {
    if (response.status() >= 500) errors.push(`${response.status()} ${response.url()}`);
  });
  return errors;
}

async function expectFreshSession(reader: FeedReader, page: Page, errors: string[]) {
  const first = await reader.open();
  expect(first.status).toBe(200);
  expect(first.ids).toHaveLength(10);
  await expect(page.getByTestId("feed-error")).toHaveCount(0);
  const newest = await page.getByTestId("article-card").first().getAttribute("data-article-id");
  const session = await page.request.get("/api/session");
  expect(session.status()).toBe(200);
  expect(((await session.json()) as SessionView).seenCount).toBe(10);
  expect(newest, "a fresh session starts from the newest story").toBeTruthy();
  expect(errors).toEqual([]);
}

test("a corrupted cookie-mode session cookie starts a fresh session", async ({ page, reader, baseURL }) => {
  const errors = watchForServerErrors(page);
  await reader.open();
  const cookies = await page.context().cookies();
  const sealed = cookies.find((c) => c.name === "nr_session")!.value;
  const corrupted = sealed.slice(0, 60) + (sealed[60] === "x" ? "y" : "x") + sealed.slice(61);
  await page.context().clearCookies();
  await page.context().addCookies([{ name: "nr_session", value: corrupted, url: baseURL! }]);
  reader.loads.length = 0;
  await expectFreshSession(reader, page, errors);
});

test("a cookie sealed with another secret starts a fresh session", async ({ page, reader, baseURL }) => {
  const errors = watchForServerErrors(page);
  const everythingSeen = await sealData({ v: 1, s: "", r: "" }, { password: "an-attackers-secret-that-is-long-enough-0123", ttl: 3600 });
  await page.context().addCookies([{ name: "nr_session", value: everythingSeen, url: baseURL! }]);
  await expectFreshSession(reader, page, errors);
  expect(reader.loads[0]!.ids.length).toBe(10);
  expect(E2E_CATALOGUE_SIZE).toBeGreaterThan(10);
});

test("a garbage kv session cookie starts a fresh kv session", async ({ page, reader, baseURL }) => {
  const errors = watchForServerErrors(page);
  await chooseModeFirst(page, "kv");
  await page.context().addCookies([{ name: "nr_kv", value: "Fe26.2*1*garbage*garbage", url: baseURL! }]);
  await expectFreshSession(reader, page, errors);
});

test("a session the server no longer knows (a new secret, as after a restart): the timeline says so instead of flagging repeats", async ({
  page,
  reader,
  baseURL,
}) => {
  await reader.open();
  await reader.more();
  // What a demo restarted with a new SESSION_SECRET does to an open tab: its cookie no longer opens.
  const foreign = await sealData({ v: 1, s: "", r: "" }, { password: "a-secret-from-before-the-restart-0123456789", ttl: 3600 });
  await page.context().addCookies([{ name: "nr_session", value: foreign, url: baseURL! }]);
  const after = await reader.more();
  expect(after.status).toBe(200);
  expect(reader.repeats().length, "the server started over, so the newest stories came again").toBeGreaterThan(0);
  await expect(page.getByTestId("timeline-repeat-total")).toHaveAttribute("data-count", "0");
  await expect(page.locator('[data-testid="article-card"][data-repeat="true"]')).toHaveCount(0);
  await page.getByTestId("timeline-toggle").click();
  await expect(page.getByTestId("timeline-note").filter({ hasText: "no longer knows this session" })).toBeVisible();
});
