/**
 * Sticky sessions hide the memory-mode bug while the pinned instance lives, and lose the
 * reader's history the moment it dies: the failover loss sticky balancing is known for.
 */
import { chooseModeFirst, expect, test } from "./support/fixtures";

test("memory mode + sticky: no repeats while pinned; stop the pinned instance and articles reappear", async ({ page, reader, cluster }) => {
  await cluster.setPolicy("sticky");
  await chooseModeFirst(page, "memory");
  await reader.open();
  for (let i = 0; i < 3; i++) await reader.more();
  await reader.reload();
  expect(reader.repeats(), "no repeats while pinned").toEqual([]);
  expect(reader.instances().size, "every load went to one instance").toBe(1);
  const pinned = [...reader.instances()][0]!;

  await cluster.stop(pinned);
  const afterFailover = await reader.more();
  expect(afterFailover.status).toBe(200);
  expect(afterFailover.instance).not.toBe(pinned);
  expect(reader.repeats().length, "history lost with the pinned instance").toBeGreaterThan(0);
});
