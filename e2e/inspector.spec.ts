/** The session inspector shows what is stored, and where, for each mode. */
import { chooseModeFirst, expect, test } from "./support/fixtures";

test("cookie mode: the inspector's cookie size is the Set-Cookie the browser received", async ({ page, reader }) => {
  let lastSetCookie: string | null = null;
  page.on("response", async (response) => {
    if (!response.url().endsWith("/api/feed")) return;
    const header = (await response.headersArray()).find((h) => h.name.toLowerCase() === "set-cookie" && h.value.startsWith("nr_session="));
    if (header) lastSetCookie = header.value;
  });
  await reader.open();
  await reader.more();
  await reader.more();
  await expect.poll(() => lastSetCookie).not.toBeNull();

  await page.getByTestId("nav-inspector").click();
  await expect(page.getByTestId("inspector")).toHaveAttribute("data-mode", "cookie");
  await expect(page.getByTestId("inspector-seen")).toHaveText("30");
  await expect(page.getByTestId("cookie-bytes")).toHaveText(String(Buffer.byteLength(lastSetCookie!)));
  const stored = (await page.context().cookies()).find((c) => c.name === "nr_session")!;
  await expect(page.getByTestId("cookie-value-bytes")).toHaveText(String(stored.value.length));
  await expect(page.getByRole("meter")).toHaveAttribute("aria-valuemax", "4096");
  // 160 articles, the newest 30 seen: one range, seqs 131-160.
  await expect(page.getByTestId("seen-ranges")).toContainText("131–160");
});

test("kv mode: the inspector names the Redis keys, counts the TTL down and reports bytes from Redis", async ({ page, reader }) => {
  await chooseModeFirst(page, "kv");
  await reader.open();
  await page.getByTestId("nav-inspector").click();
  await expect(page.getByTestId("inspector")).toHaveAttribute("data-mode", "kv");
  await expect(page.getByTestId("kv-keys")).toContainText(/newsroom:\{[A-Za-z0-9_-]{22}\}:seen/);
  await expect(page.getByTestId("kv-keys")).toContainText(/:read/);
  const ttl = page.getByTestId("kv-ttl");
  const first = Number(await ttl.getAttribute("data-ttl-ms"));
  expect(first).toBeGreaterThan(0);
  await expect.poll(async () => Number(await ttl.getAttribute("data-ttl-ms"))).toBeLessThan(first);
  await expect(page.getByTestId("kv-bytes")).toContainText("B in Redis memory");
  // The e2e cluster runs kv over REST (the default): the inspector says so, and shows no credentials.
  const transport = page.getByTestId("kv-transport");
  await expect(transport).toHaveAttribute("data-transport", "rest");
  await expect(transport).toContainText(/REST.*http:\/\/127\.0\.0\.1:\d+/);
  await expect(transport).not.toContainText("@127.0.0.1");
});

test("memory mode, sticky: the inspector asks every instance and only the pinned one holds the reader", async ({ page, reader, cluster }) => {
  await cluster.setPolicy("sticky");
  await chooseModeFirst(page, "memory");
  await reader.open();
  await reader.more();
  const pinned = reader.loads[0]!.instance!;
  expect(reader.instances()).toEqual(new Set([pinned]));

  await page.getByTestId("nav-inspector").click();
  await expect(page.getByTestId("memory-instances")).toBeVisible();
  const rows = page.getByTestId("memory-instance");
  await expect(rows).toHaveCount(3);
  for (const id of ["a", "b", "c"]) {
    await expect(rows.and(page.locator(`[data-instance="${id}"]`))).toHaveAttribute("data-holds", id === pinned ? "true" : "false");
  }
  await expect(page.getByTestId("memory-verdict")).toContainText(`Only instance ${pinned} holds your history`);
});
