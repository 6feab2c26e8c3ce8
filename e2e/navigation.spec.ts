/**
 * Navigation keeps the feed: Back, Forward and "Back to your feed" show the pages this tab already
 * had, at the same scroll position, without asking the server for more (every feed call records
 * stories as seen, so a needless one would spend ten of them). A reload still loads the next page.
 */
import { expect, test } from "./support/fixtures";

test("read 3 pages, open an article, go back: the same 30 stories, no feed call, same scroll", async ({ page, reader }) => {
  let feedCalls = 0;
  page.on("request", (request) => {
    if (request.url().endsWith("/api/feed")) feedCalls++;
  });
  await reader.open();
  await reader.more();
  await reader.more();
  const ids = reader.allIds();
  expect(ids).toHaveLength(30);
  expect(feedCalls).toBe(3);

  // Scroll down to the 16th story as a reader would, and open it; note where the page was at the click.
  const card = page.getByTestId("article-card").nth(15);
  await page.mouse.wheel(0, 1400);
  await expect.poll(() => page.evaluate(() => window.scrollY)).toBeGreaterThan(500);
  await page.evaluate(() => document.addEventListener("click", () => sessionStorage.setItem("test.scrollAtClick", String(window.scrollY)), { capture: true }));
  const opened = (await card.getAttribute("data-article-id"))!;
  await card.getByRole("link").click();
  const scrolledTo = Number(await page.evaluate(() => sessionStorage.getItem("test.scrollAtClick")));
  expect(scrolledTo).toBeGreaterThan(500);
  await expect(page.getByTestId("article")).toHaveAttribute("data-article-id", opened);
  await expect(page.getByTestId("read-status")).toHaveAttribute("data-state", "done");

  const onScreen = () => page.getByTestId("article-card").evaluateAll((cards) => cards.map((c) => c.getAttribute("data-article-id")));
  await page.goBack();
  await expect(page.getByTestId("article-card")).toHaveCount(30);
  expect(await onScreen()).toEqual(ids);
  await expect.poll(() => page.evaluate(() => window.scrollY)).toBe(scrolledTo);

  // Forward to the article, then its own back link: the same again.
  await page.goForward();
  await expect(page.getByTestId("article")).toHaveAttribute("data-article-id", opened);
  await page.getByRole("link", { name: "← Back to your feed" }).click();
  await expect(page.getByTestId("article-card")).toHaveCount(30);
  expect(await onScreen()).toEqual(ids);
  await expect.poll(() => page.evaluate(() => window.scrollY)).toBe(scrolledTo);

  // And the header's Feed link from another page.
  await page.getByTestId("nav-inspector").click();
  await expect(page.getByTestId("inspector")).toBeVisible();
  await reader.home();
  expect(await onScreen()).toEqual(ids);
  expect(feedCalls, "no feed call while navigating").toBe(3);

  // A reload is a fresh visit: the next unseen page, said once in a quiet line.
  const reloaded = await reader.reload();
  expect(reloaded.ids).toHaveLength(10);
  expect(reloaded.ids.some((id) => ids.includes(id))).toBe(false);
  await expect(page.getByTestId("feed-fresh-load")).toContainText("You reloaded the page");
  await expect(page.getByTestId("feed-fresh-load").getByRole("link", { name: "Shown to you" })).toBeVisible();
  expect(feedCalls).toBe(4);
});
