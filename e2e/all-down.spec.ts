/**
 * Every instance stopped is not a dead end: a browser asking for a page gets a small recovery page
 * from the balancer (API clients keep the JSON 503), its one button starts the cluster again, and
 * a kv reader carries on where they were, with nothing repeated.
 */
import { seriousViolations } from "./support/axe";
import { chooseModeFirst, expect, test } from "./support/fixtures";

test("stop every instance from /cluster, reload: the recovery page brings the cluster back and kv reading resumes", async ({ page, reader, cluster }) => {
  await chooseModeFirst(page, "kv");
  await reader.open();
  await reader.more();

  await page.getByTestId("nav-cluster").click();
  const row = (id: string) => page.locator(`[data-testid="instance-row"][data-instance="${id}"]`);
  for (const id of ["a", "b", "c"]) {
    await page.getByTestId(`instance-stop-${id}`).click();
    await expect(row(id)).toHaveAttribute("data-status", "down");
  }

  const recovery = await page.reload();
  expect(recovery?.status()).toBe(503);
  await expect(page.getByTestId("recovery")).toContainText("Every instance is stopped");
  // API clients keep the JSON envelope.
  const api = await page.request.post("/api/feed", { data: {} });
  expect(api.status()).toBe(503);
  expect(await api.json()).toMatchObject({ error: { code: "NO_INSTANCE" } });

  for (const colorScheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme });
    expect(await seriousViolations(page), `recovery page (${colorScheme})`).toEqual([]);
  }

  await page.getByTestId("recovery-start").click();
  // The page reloads by itself once an instance is up: the cluster page again.
  await expect(page.getByTestId("instance-row")).toHaveCount(3, { timeout: 60_000 });
  await expect(page.locator('[data-testid="instance-row"][data-status="up"]')).toHaveCount(3, { timeout: 30_000 });
  expect((await cluster.instances()).instances.every((i) => i.status === "up")).toBe(true);

  await reader.home();
  await reader.more();
  await reader.more();
  expect(reader.loads.every((load) => load.status === 200)).toBe(true);
  expect(reader.repeats(), "articles shown twice").toEqual([]);
  expect(reader.allIds()).toHaveLength(40);
});
