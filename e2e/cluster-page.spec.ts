/** The /cluster page drives the cluster's admin API: its buttons really stop and start instances, and it shows HAProxy's own state. */
import { expect, test } from "./support/fixtures";

test("the stop and start buttons change the instance's status", async ({ page, cluster }) => {
  await page.goto("/cluster");
  const row = page.locator('[data-testid="instance-row"][data-instance="c"]');
  await expect(page.getByTestId("instance-row")).toHaveCount(3);
  await expect(row).toHaveAttribute("data-status", "up");
  await expect(page.getByTestId("balancer-name")).toContainText(/HAProxy \d/);
  await expect(row.getByTestId("instance-balancer")).toHaveAttribute("data-state", "UP");
  await expect(row.getByTestId("instance-balancer")).toContainText("L7OK 200");

  await page.getByTestId("instance-stop-c").click();
  await expect(row).toHaveAttribute("data-status", "down");
  // HAProxy holds it in maintenance: the page shows the balancer's state, not the control plane's belief.
  await expect(row.getByTestId("instance-balancer")).toHaveAttribute("data-state", "MAINT");
  await expect(row.getByTestId("instance-status")).toHaveText("down");
  expect((await cluster.instances()).instances.find((i) => i.id === "c")).toMatchObject({ status: "down", pid: null });

  await page.getByTestId("instance-start-c").click();
  await expect(row).toHaveAttribute("data-status", "up", { timeout: 60_000 });
  await expect(row.getByTestId("instance-balancer")).toHaveAttribute("data-state", "UP");
  const started = (await cluster.instances()).instances.find((i) => i.id === "c")!;
  expect(started.status).toBe("up");
  expect(started.pid).toBeGreaterThan(0);
});

test("the policy switch changes the balancer's policy", async ({ page, cluster }) => {
  await page.goto("/cluster");
  await page.getByTestId("policy-sticky").click();
  await expect(page.getByTestId("policy-sticky")).toHaveAttribute("aria-checked", "true");
  expect((await cluster.instances()).policy).toBe("sticky");
});

test("served straight from an instance, without the balancer, the page says how to start the cluster", async ({ page, stack }) => {
  const instance = stack.cluster.list()[0]!;
  await page.goto(`http://127.0.0.1:${instance.port}/cluster`);
  await expect(page.getByTestId("cluster-absent")).toContainText("npm run demo");
});
