/**
 * The request timeline flags, in this tab, every article the server shows a second time. Memory
 * mode under round-robin must light it up (the control); kv across an instance stop must not.
 * Either way the timeline's count has to agree with the ids actually read off the page.
 */
import { chooseModeFirst, expect, test } from "./support/fixtures";

test("memory mode under round-robin: the timeline flags the repeat, in red, as it happens", async ({ page, reader }) => {
  await reader.open();
  await reader.switchMode("memory");
  for (let i = 0; i < 3 && reader.repeats().length === 0; i++) await reader.more();
  expect(reader.repeats().length, "memory mode under round-robin must repeat within 3 loads").toBeGreaterThan(0);

  const total = page.getByTestId("timeline-repeat-total");
  await expect(total).toHaveAttribute("data-count", String(reader.repeats().length));
  await page.getByTestId("timeline-toggle").click();
  const flagged = page.locator('[data-testid="timeline-row"][data-path="/api/feed"]:not([data-repeats="0"])');
  await expect(flagged.first()).toBeVisible();
  await expect(flagged.first().getByTestId("timeline-repeat")).toContainText("already shown in this tab");
  // The cards themselves are marked too, and exactly the repeated ones.
  const marked = await page
    .locator('[data-testid="article-card"][data-repeat="true"]')
    .evaluateAll((cards) => cards.map((c) => c.getAttribute("data-article-id")));
  expect(marked.sort()).toEqual([...reader.repeats()].sort());
  await expect(total).toHaveClass(/bg-red-600/);
  await expect(flagged.first()).toHaveClass(/bg-red-50/);
});

test("kv mode across an instance stop: the timeline flags no repeat", async ({ page, reader }) => {
  await chooseModeFirst(page, "kv");
  await reader.open();
  await reader.more();

  await page.getByTestId("nav-cluster").click();
  await page.getByTestId("instance-stop-b").click();
  await expect(page.locator('[data-testid="instance-row"][data-instance="b"]')).toHaveAttribute("data-status", "down");
  await reader.home();
  for (let i = 0; i < 3; i++) await reader.more();
  expect(reader.loads).toHaveLength(5);

  expect(reader.loads.every((l) => l.status === 200)).toBe(true);
  expect(reader.loads.slice(2).map((l) => l.instance)).not.toContain("b");
  expect(reader.repeats(), "articles shown twice").toEqual([]);
  await expect(page.getByTestId("timeline-repeat-total")).toHaveAttribute("data-count", "0");
  await page.getByTestId("timeline-toggle").click();
  await expect(page.getByTestId("timeline-note").filter({ hasText: "Instance b stopped." })).toBeVisible();
  await expect(page.locator('[data-testid="timeline-row"][data-path="/api/feed"]')).toHaveCount(reader.loads.length);
  await expect(page.locator('[data-testid="timeline-row"]:not([data-repeats="0"])')).toHaveCount(0);
});
