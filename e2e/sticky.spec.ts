/**
 * Sticky sessions hide the memory-mode bug while the pinned instance lives, and lose the
 * reader's history the moment it dies: the failover loss sticky balancing is known for. The
 * stickiness is HAProxy's inserted nr_lb cookie; a reader whose instance is gone is redispatched.
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

test("cookie mode + sticky: kill -9 the pinned instance; HAProxy redispatches the reader, re-pins it, and nothing repeats", async ({
  page,
  reader,
  cluster,
}) => {
  await cluster.setPolicy("sticky");
  await chooseModeFirst(page, "cookie");
  await reader.open();
  await reader.more();
  const affinity = (await page.context().cookies()).find((cookie) => cookie.name === "nr_lb");
  expect(affinity, "HAProxy's affinity cookie").toMatchObject({ httpOnly: true, sameSite: "Lax" });
  const pinned = [...reader.instances()];
  expect(pinned, "every load went to one instance").toEqual([affinity!.value]);

  // A crash, not a stop: HAProxy still holds it in rotation until its checks fail, so the very next
  // request meets a refused connection (retry-on conn-failure, option redispatch).
  await cluster.crash(pinned[0]!);
  const afterCrash = await reader.more();
  expect(afterCrash.status, "the request that met the dead instance was redispatched, not failed").toBe(200);
  expect(afterCrash.instance).not.toBe(pinned[0]);
  for (let i = 0; i < 3; i++) await reader.more();
  const since = reader.loads.slice(-4).map((load) => load.instance);
  expect(new Set(since).size, "re-pinned to one instance").toBe(1);
  expect((await page.context().cookies()).find((cookie) => cookie.name === "nr_lb")?.value).toBe(since[0]);
  expect(reader.repeats(), "cookie mode carries its history across the failover").toEqual([]);
});
