/**
 * kv mode on a six-node Redis Cluster (its own stack: playwright.config.ts's redis-cluster project).
 * Instance a reaches it over REST (the KV bridge's cluster side), b over the Redis protocol
 * (node-redis's cluster client), and every write waits for one replica (KV_WAIT_REPLICAS=1).
 *  - the promise: a round-robin walk crosses both transports and never shows an article twice;
 *  - a master killed (kill -9) mid-session, at the worst moment (its replica missed the last write):
 *    the unreplicated page is refused, never shown, so nothing comes back after the failover.
 *    Without the option the same kill brings the page back: tests/integration/kv-on-redis-cluster.test.ts
 *    shows it (the control), with the same fault;
 *  - /cluster shows the nodes, and its buttons make and heal a failover; the inspector names the reader's master.
 */
import type { Page } from "@playwright/test";
import type { SessionView } from "@/lib/api-contract";
import type { ClusterState } from "@/lib/cluster-contract";
import type { LocalRedisCluster } from "../scripts/lib/redis-cluster";
import { chooseModeFirst, E2E_CATALOGUE_SIZE, expect, test } from "./support/fixtures";

/** The reader's slot and the master holding it now, as the app and the balancer report them. */
async function readerShard(page: Page) {
  const session = (await (await page.request.get("/api/session")).json()) as SessionView;
  if (session.store.kind !== "kv" || !session.store.keys || session.store.slot === null) throw new Error("the reader has no kv session yet");
  const state = (await (await page.request.get("/__cluster")).json()) as ClusterState;
  const slot = session.store.slot;
  const master = state.redis!.nodes.find((node) => node.role === "master" && node.slots.some(([from, to]) => slot >= from && slot <= to))!;
  const replica = state.redis!.nodes.find((node) => node.replicaOf === master.name)!;
  return { slot, key: session.store.keys[0], master: master.name, replica: replica.name };
}

test('kv on a Redis Cluster, a REST and a Redis-protocol instance taking turns: 16 loads by "More stories" and reloads, no article twice', async ({
  page,
  reader,
}) => {
  await chooseModeFirst(page, "kv");
  await reader.open();
  for (let i = 1; (await page.getByTestId("caught-up").count()) === 0; i++) {
    expect(i, "caught up within the catalogue's pages").toBeLessThanOrEqual(20);
    if (i % 3 === 0) await reader.reload();
    else await reader.more();
  }
  expect(reader.loads.length).toBeGreaterThanOrEqual(15);
  expect(reader.repeats(), "articles shown twice").toEqual([]);
  expect(reader.allIds()).toHaveLength(E2E_CATALOGUE_SIZE);
  expect([...reader.instances()].sort(), "answered by the REST (a) and the Redis-protocol (b) instance").toEqual(["a", "b"]);
});

test("KV_WAIT_REPLICAS=1: the master of the reader's slot is killed right after a write its replica missed; that page is refused, and nothing comes back", async ({
  page,
  reader,
  stack,
}) => {
  test.setTimeout(120_000);
  const redis = stack.kv.redisCluster as LocalRedisCluster;
  await chooseModeFirst(page, "kv");
  await reader.open();
  await reader.more();
  const { key, master, replica } = await readerShard(page);

  // The replica misses what follows: frozen, with 48 MB on the reader's own slot filling the
  // replication socket, so the next write waits in the master's memory (see the integration test).
  await redis.pauseNode(replica);
  const tag = key.slice(key.indexOf("{"), key.indexOf("}") + 1);
  try {
    await redis.sendToNode(master, ["SET", `filler:${tag}`, "x".repeat(48 * 1024 * 1024)], 10_000);
    const refused = await reader.more();
    expect(refused.status, "a page its replica has not acknowledged is not shown").toBe(503);
    await expect(page.getByTestId("feed-error")).toHaveAttribute("data-code", "KV_UNAVAILABLE");
    await expect(page.getByTestId("feed-error")).toContainText("withheld");
    await redis.killNode(master);
  } finally {
    await redis.resumeNode(replica);
  }
  const promoted = await redis.waitForFailover(master, 20_000);
  expect(promoted.name).toBe(replica);
  // Restarted, as an orchestrator would: back as the new master's replica, which the option needs before writes resume.
  await redis.startNode(master);
  await expect(async () => {
    const load = await reader.retry();
    expect(load.status).toBe(200);
  }).toPass({ timeout: 30_000, intervals: [500, 1000] });
  await redis.sendToNode(promoted.name, ["DEL", `filler:${tag}`]);

  for (let i = 1; (await page.getByTestId("caught-up").count()) === 0; i++) {
    expect(i, "caught up within the catalogue's pages").toBeLessThanOrEqual(25);
    await reader.more();
  }
  expect(reader.repeats(), "articles shown twice").toEqual([]);
  // The refused page's articles were claimed only on the dead master: lost with it, they were shown later, once.
  expect(reader.allIds()).toHaveLength(E2E_CATALOGUE_SIZE);

  await page.goto("/inspector");
  await expect(page.getByTestId("kv-slot")).toHaveAttribute("data-master", promoted.name);
});

test("/cluster lists the Redis nodes; Stop on a master fails it over to its replica, Start brings it back as a replica", async ({ page }) => {
  await page.goto("/cluster");
  const nodes = page.getByTestId("redis-node");
  await expect(nodes).toHaveCount(6);
  await expect(page.locator('[data-testid="redis-node"][data-role="master"]')).toHaveCount(3);
  await expect(page.getByTestId("redis-nodes")).toHaveAttribute("data-wait-replicas", "1");

  const master = (await page.locator('[data-testid="redis-node"][data-role="master"]').first().getAttribute("data-node"))!;
  const state = (await (await page.request.get("/__cluster")).json()) as ClusterState;
  const replica = state.redis!.nodes.find((node) => node.replicaOf === master)!.name;

  await page.getByTestId(`redis-stop-${master}`).click();
  await expect(page.locator(`[data-testid="redis-node"][data-node="${master}"]`)).toHaveAttribute("data-process", "stopped");
  await expect(page.locator(`[data-testid="redis-node"][data-node="${replica}"]`)).toHaveAttribute("data-role", "master", { timeout: 20_000 });

  await page.getByTestId(`redis-start-${master}`).click();
  const restarted = page.locator(`[data-testid="redis-node"][data-node="${master}"]`);
  await expect(restarted).toHaveAttribute("data-process", "running");
  await expect(restarted).toHaveAttribute("data-role", "replica", { timeout: 20_000 });
  await expect(restarted).toContainText(`replica of ${replica}`);
});
