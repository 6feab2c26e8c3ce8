/**
 * kv mode with Redis killed: the feed fails closed (a clear error, no articles it could not
 * record); Redis back (AOF, appendfsync always): reading resumes where it stopped, no repeats.
 */
import { chooseModeFirst, expect, test } from "./support/fixtures";

test("kv mode: kill Redis, the feed shows a clear error and no articles; restart it, reading resumes with no repeats", async ({ page, reader, stack }) => {
  const redis = stack.kv.redis!;
  await chooseModeFirst(page, "kv");
  await reader.open();
  await reader.more();
  const cardsBefore = await page.getByTestId("article-card").count();

  await redis.kill({ stayDown: true }); // the supervisor would bring it back: this test watches the outage
  const failed = await reader.more();
  expect(failed.status).toBe(503);
  await expect(page.getByTestId("feed-error")).toBeVisible();
  await expect(page.getByTestId("feed-error")).toHaveAttribute("data-code", "KV_UNAVAILABLE");
  await expect(page.getByTestId("feed-error")).toContainText("not reachable");
  await expect(page.getByTestId("article-card")).toHaveCount(cardsBefore);

  await redis.restart();
  // The bridge reconnects within about a second; a reader would press "Try again" until it works.
  await expect(async () => {
    const load = await reader.retry();
    expect(load.status).toBe(200);
  }).toPass({ timeout: 15_000, intervals: [300, 500, 1000] });
  await expect(page.getByTestId("feed-error")).toHaveCount(0);
  await reader.more();
  expect(reader.repeats(), "articles shown twice").toEqual([]);
  expect(reader.allIds()).toHaveLength(40);
});
