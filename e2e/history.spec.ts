/**
 * "Shown to you" lists, from the server's seen-set, every story the feed showed this reader, newest
 * first, with the opened ones marked, in every mode; "Reset my history" forgets them all.
 */
import { chooseModeFirst, expect, test, type FeedReader } from "./support/fixtures";

async function listedOnHistory(reader: FeedReader) {
  const page = reader.page;
  await page.getByTestId("nav-history").click();
  await expect(page.getByTestId("history")).toBeVisible();
  // Twenty at a time: show older pages until there are none.
  while ((await page.getByTestId("history-more").count()) > 0) {
    const before = await page.getByTestId("history-item").count();
    await page.getByTestId("history-more").click();
    await expect(page.getByTestId("history-item")).not.toHaveCount(before);
  }
  return page
    .getByTestId("history-item")
    .evaluateAll((items) => items.map((item) => ({ id: item.getAttribute("data-article-id")!, read: item.getAttribute("data-read") === "true" })));
}

for (const mode of ["cookie", "kv"] as const) {
  test(`${mode} mode: every story the feed showed is on /history, newest first, opened ones marked`, async ({ page, reader }) => {
    await chooseModeFirst(page, mode);
    await reader.open();
    for (let i = 0; i < 4; i++) await reader.more();
    const shown = reader.allIds();
    expect(shown).toHaveLength(50);

    // Open two stories from the feed, then come back to it.
    const opened: string[] = [];
    for (const index of [3, 27]) {
      const card = page.getByTestId("article-card").nth(index);
      opened.push((await card.getAttribute("data-article-id"))!);
      await card.getByRole("link").click();
      await expect(page.getByTestId("read-status")).toHaveAttribute("data-state", "done");
      await page.goBack();
      await expect(page.getByTestId("article-card")).toHaveCount(50);
    }

    const listed = await listedOnHistory(reader);
    expect(listed.map((item) => item.id).sort()).toEqual([...shown].sort());
    expect(
      listed
        .filter((item) => item.read)
        .map((item) => item.id)
        .sort(),
    ).toEqual([...opened].sort());
    await expect(page.getByTestId("history-summary")).toContainText("50 stories shown, 2 opened");
    // Newest first: the feed shows the newest first, so the list is the feed's order.
    expect(listed.map((item) => item.id)).toEqual(shown);

    // Reset, confirmed: nothing is listed, and the feed starts again from the newest story.
    await page.getByTestId("reset-history").click();
    await expect(page.getByTestId("reset-confirm")).toBeVisible();
    await page.getByTestId("reset-confirm-yes").click();
    await expect(page.getByTestId("history-empty")).toBeVisible();
    await expect(page.getByTestId("history-summary")).toContainText("0 stories shown");
    const fresh = await reader.arrive(() => page.getByTestId("nav-feed").click());
    expect(fresh.ids, "after the reset the newest stories come again").toEqual(shown.slice(0, 10));
    // They are not repeats: the reader asked to be forgotten, and this tab forgot too.
    await expect(page.getByTestId("timeline-repeat-total")).toHaveAttribute("data-count", "0");
  });
}
