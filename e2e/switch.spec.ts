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
