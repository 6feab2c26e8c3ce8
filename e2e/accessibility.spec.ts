/**
 * axe over every page a visitor meets, in light and dark colour schemes, with the request
 * timeline open: no serious or critical violation. Plus the keyboard path through the feed.
 */
import type { Page } from "@playwright/test";
import { seriousViolations } from "./support/axe";
import { expect, test } from "./support/fixtures";

async function openTimeline(page: Page) {
  const toggle = page.getByTestId("timeline-toggle");
  if ((await toggle.getAttribute("aria-expanded")) !== "true") await toggle.click();
  await expect(toggle).toHaveAttribute("aria-expanded", "true");
}

for (const colorScheme of ["light", "dark"] as const) {
  test(`axe: no serious or critical violations on /, an article, /history, /inspector and /cluster (${colorScheme})`, async ({ page, cluster }) => {
    void cluster;
    await page.emulateMedia({ colorScheme });
    await page.goto("/");
    await expect(page.getByTestId("article-card").first()).toBeVisible();
    await openTimeline(page);
    expect(await seriousViolations(page), "/").toEqual([]);

    const firstArticle = await page.getByTestId("article-card").first().getAttribute("data-article-id");
    await page.goto(`/articles/${firstArticle}`);
    await expect(page.getByTestId("read-status")).toHaveAttribute("data-state", "done");
    expect(await seriousViolations(page), "article page").toEqual([]);

    await page.goto("/history");
    await expect(page.getByTestId("history-item").first()).toBeVisible();
    expect(await seriousViolations(page), "/history").toEqual([]);

    await page.goto("/inspector");
    await expect(page.getByTestId("inspector")).toBeVisible();
    expect(await seriousViolations(page), "/inspector").toEqual([]);

    await page.goto("/cluster");
    await expect(page.getByTestId("instances")).toBeVisible();
    expect(await seriousViolations(page), "/cluster").toEqual([]);
  });
}

test("control: the scan does catch a violation when there is one", async ({ page, cluster }) => {
  void cluster;
  await page.goto("/");
  await expect(page.getByTestId("article-card").first()).toBeVisible();
  // A button with no accessible name is a critical violation (button-name).
  await page.evaluate(() => document.querySelector("main")!.append(document.createElement("button")));
  expect((await seriousViolations(page)).map((v) => v.id)).toContain("button-name");
});

test("keyboard: skip link first, then the feed works without a mouse", async ({ page, reader }) => {
  await reader.open();
  await page.keyboard.press("Tab");
  const skip = page.getByRole("link", { name: "Skip to content" });
  await expect(skip).toBeFocused();
  await expect(skip).toBeVisible();

  const more = page.getByTestId("more-stories");
  await more.focus();
  // A visible focus indicator: an outline is drawn on the focused button.
  expect(await more.evaluate((el) => getComputedStyle(el).outlineStyle)).not.toBe("none");
  const load = await reader.load(() => page.keyboard.press("Enter"));
  expect(load.status).toBe(200);
  expect(load.ids).toHaveLength(10);

  const toggle = page.getByTestId("timeline-toggle");
  await toggle.focus();
  await page.keyboard.press("Enter");
  await expect(toggle).toHaveAttribute("aria-expanded", "true");
});
