/**
 * The guided tour done literally, by mouse, on a laptop and on a phone: every button the tour
 * points at is clicked as a reader would click it (no forced clicks, no API shortcuts), with the
 * request timeline open as the tour leaves it, and every step must tick.
 */
import type { Locator } from "@playwright/test";
import { expect, test, type FeedReader, type Load } from "./support/fixtures";

/**
 * A cure's step: the tour points at the mode's switch, the reader picks it (the previous cure moves
 * the whole history), and clean pages from two instances tick the step. Nothing memory mode left
 * behind is still owed by then (kv showed it before its clean pages), so no page of the new mode
 * may show any story this tab has seen.
 */
async function cleanRunStep(reader: FeedReader, step: Locator, mode: string, label: string): Promise<void> {
  const page = reader.page;
  await step.getByRole("button", { name: `Show me the ${label} switch` }).click();
  await page.getByTestId(`mode-${mode}`).click();
  await expect(page.getByTestId(`mode-${mode}`)).toHaveAttribute("aria-checked", "true");
  const shownBefore = new Set(reader.allIds());
  const loads: Load[] = [];
  for (let i = 0; i < 6 && (await step.getAttribute("data-done")) !== "true"; i++) loads.push(await reader.more());
  await expect(step).toHaveAttribute("data-done", "true");
  expect(loads.every((load) => load.status === 200)).toBe(true);
  expect(new Set(loads.map((load) => load.instance)).size, `${mode} pages from two instances`).toBeGreaterThanOrEqual(2);
  expect(
    loads.flatMap((load) => load.ids).filter((id) => shownBefore.has(id)),
    `${mode} pages repeat nothing`,
  ).toEqual([]);
}

for (const viewport of [
  { width: 1280, height: 900 },
  { width: 390, height: 844 },
]) {
  test(`the whole guided tour by mouse at ${viewport.width}×${viewport.height}: every step ticks`, async ({ page, reader, cluster }) => {
    void cluster;
    await page.setViewportSize(viewport);
    await reader.open();
    const tour = page.getByTestId("tour");
    await expect(tour).toBeVisible();
    const step = (n: number) => page.getByTestId(`tour-step-${n}`);

    // Step 1: the tour points at the Memory switch (and opens the timeline); read until a repeat shows.
    await step(1).getByRole("button", { name: "Show me the Memory switch" }).click();
    await expect(page.getByTestId("timeline-toggle")).toHaveAttribute("aria-expanded", "true");
    await page.getByTestId("mode-memory").click();
    await expect(page.getByTestId("mode-memory")).toHaveAttribute("aria-checked", "true");
    for (let i = 0; i < 5 && (await step(1).getAttribute("data-done")) !== "true"; i++) await reader.more();
    await expect(step(1)).toHaveAttribute("data-done", "true");

    // Step 2: the KV switch; leaving memory mode asks first, then two clean kv pages tick it.
    await step(2).getByRole("button", { name: "Show me the KV switch" }).click();
    await page.getByTestId("mode-kv").click();
    await expect(page.getByTestId("leave-memory-text")).toBeVisible();
    await page.getByTestId("leave-memory-confirm").click();
    await expect(page.getByTestId("mode-kv")).toHaveAttribute("aria-checked", "true");
    const kvLoads: Load[] = [];
    for (let i = 0; i < 6 && (await step(2).getAttribute("data-done")) !== "true"; i++) kvLoads.push(await reader.more());
    await expect(step(2)).toHaveAttribute("data-done", "true");
    expect(kvLoads.every((load) => load.status === 200)).toBe(true);

    // Step 3: the Database switch (kv → db moves the whole history).
    await cleanRunStep(reader, step(3), "db", "Database");
    // What the step says the inspector shows: the reader's row, its table, its bytes, its expiry.
    await step(3).getByRole("link", { name: "Open the inspector" }).click();
    await expect(page).toHaveURL(/\/inspector/);
    await expect(page.getByTestId("inspector")).toHaveAttribute("data-mode", "db");
    await expect(page.getByTestId("db-table")).toContainText("newsroom_sessions");
    await expect(page.getByTestId("db-bytes")).toContainText(/\d+ B for the row/);
    expect(Number(await page.getByTestId("db-ttl").getAttribute("data-ttl-ms"))).toBeGreaterThan(0);
    await reader.home();

    // Step 4: the Replicated switch (db → replicated); the inspector lists every instance's copy.
    await cleanRunStep(reader, step(4), "replicated", "Replicated");
    await step(4).getByRole("link", { name: "Open the inspector" }).click();
    await expect(page).toHaveURL(/\/inspector/);
    await expect(page.getByTestId("inspector")).toHaveAttribute("data-mode", "replicated");
    await expect(page.getByTestId("replicated-holders").locator("tbody tr")).toHaveCount(3);
    await expect(page.getByTestId("replicated-verdict")).toContainText("same history");
    await reader.home();

    // Step 5: to the cluster page, stop an instance, back to the feed, keep reading.
    await step(5).getByRole("link", { name: "Open the cluster controls" }).click();
    await expect(page).toHaveURL(/\/cluster/);
    await page.getByTestId("instance-stop-b").click();
    await expect(page.locator('[data-testid="instance-row"][data-instance="b"]')).toHaveAttribute("data-status", "down");
    await reader.home();
    const afterStop = await reader.more();
    expect(afterStop.status).toBe(200);
    expect(afterStop.instance).not.toBe("b");
    await expect(step(5)).toHaveAttribute("data-done", "true");
    for (const n of [1, 2, 3, 4]) await expect(step(n)).toHaveAttribute("data-done", "true");

    // Clearing the timeline keeps the ticks.
    const toggle = page.getByTestId("timeline-toggle");
    if ((await toggle.getAttribute("aria-expanded")) !== "true") await toggle.click();
    await page.getByRole("button", { name: "Clear" }).click();
    await expect(page.locator('[data-testid^="tour-step-"][data-done="true"]')).toHaveCount(5);
  });
}
