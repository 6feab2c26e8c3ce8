/**
 * The control: memory mode under round-robin is the App Engine bug, and the suite must SEE it.
 * If this ever passes without a repeat, the promise tests have lost their teeth.
 */
import { chooseModeFirst, expect, test } from "./support/fixtures";

test("memory mode + round-robin: an article reappears within 3 loads", async ({ page, reader }) => {
  await chooseModeFirst(page, "memory");
  await reader.open();
  await reader.more();
  await reader.more();
  expect(reader.loads).toHaveLength(3);
  expect(reader.instances().size, "round-robin spread the loads").toBeGreaterThan(1);
  expect(reader.repeats().length, "articles shown again").toBeGreaterThan(0);
});
