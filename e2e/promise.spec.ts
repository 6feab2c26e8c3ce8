/**
 * The promise: in cookie, kv, db and replicated (sync) mode, an article shown once never comes back, although round-robin
 * spreads the reader's requests over all three instances. control.spec.ts shows the same walk
 * DOES repeat in memory mode, so this test can fail.
 */
import { chooseModeFirst, E2E_CATALOGUE_SIZE, expect, test } from "./support/fixtures";

// replicated runs in its default setting, sync (replicated.spec.ts shows async repeating: its control).
for (const mode of ["cookie", "kv", "db", "replicated"] as const) {
  test(`${mode} mode: 16 loads by "More stories" and reloads across 3 instances, no article twice, then caught up`, async ({ page, reader }) => {
    await chooseModeFirst(page, mode);
    await reader.open();
    for (let i = 1; (await page.getByTestId("caught-up").count()) === 0; i++) {
      expect(i, "caught up within the catalogue's pages").toBeLessThanOrEqual(20);
      if (i % 3 === 0) await reader.reload();
      else await reader.more();
    }
    const ids = reader.allIds();
    expect(reader.loads.length).toBeGreaterThanOrEqual(15);
    expect(reader.repeats(), "articles shown twice").toEqual([]);
    expect(ids).toHaveLength(E2E_CATALOGUE_SIZE);
    expect([...reader.instances()].sort(), "feed answered by every instance").toEqual(["a", "b", "c"]);
    await expect(page.getByTestId("caught-up")).toBeVisible();
    await expect(page.getByTestId("caught-up")).toContainText("all caught up");
  });
}
