/** Switching strategies with the header control carries the seen-set across: nothing reappears. */
import { expect, test } from "./support/fixtures";

test("read in cookie, switch to kv, read, switch back to cookie, read: no repeats", async ({ page, reader }) => {
  await reader.open();
  await expect(page.getByTestId("mode-cookie")).toHaveAttribute("aria-checked", "true");
  await reader.more();
  await reader.switchMode("kv");
  await reader.more();
  await reader.reload();
  await reader.switchMode("cookie");
  await reader.more();
  await reader.reload();
  expect(reader.loads).toHaveLength(6);
  expect(reader.repeats(), "articles shown twice").toEqual([]);
  expect(reader.allIds()).toHaveLength(60);
});

test("a switch in one tab moves the header of another tab of the same browser", async ({ reader, context }) => {
  await reader.open();
  const other = await context.newPage();
  await other.goto("/inspector");
  await expect(other.getByTestId("mode-cookie")).toHaveAttribute("aria-checked", "true");
  await reader.switchMode("kv");
  // Told over a BroadcastChannel; the other tab renders its server parts again for the new mode.
  await expect(other.getByTestId("mode-kv")).toHaveAttribute("aria-checked", "true");
  await expect(other.getByTestId("inspector")).toHaveAttribute("data-mode", "kv");
  await other.close();
});
