/**
 * The cluster's admin API against a hostile page in a real browser, and the one way a browser gets
 * the controls. The hostile page is served from another port of the same host: the nastiest case,
 * because it is "same-site" (the browser even sends SameSite=Strict cookies along), yet it must
 * not be able to stop, start or add instances.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { expect, test } from "./support/fixtures";

/** A page that tries every way a browser lets a page send a request to another origin. */
function attackerPage(target: string): string {
  return `<!DOCTYPE html><html><body>
<form id="scale" method="POST" action="${target}/__cluster/instances" target="sink"><input name="x" value="1"></form>
<form id="policy" method="POST" action="${target}/__cluster/policy" enctype="text/plain" target="sink"><input name='{"policy":"sticky","x":"' value='"}'></form>
<iframe name="sink"></iframe>
<script>
  const tries = [
    fetch("${target}/__cluster/instances/a/stop", { method: "POST", mode: "no-cors" }),
    fetch("${target}/__cluster/instances/b/stop", { method: "POST", mode: "no-cors", credentials: "include", body: "{}" }),
    fetch("${target}/__cluster/instances/c/stop", { method: "POST", credentials: "include", headers: { "Content-Type": "application/json" }, body: "{}" }).catch(() => null),
    fetch("${target}/__cluster/policy", { method: "PUT", mode: "no-cors", credentials: "include", body: '{"policy":"sticky"}' }),
  ];
  navigator.sendBeacon("${target}/__cluster/instances", "{}");
  document.getElementById("scale").submit();
  document.getElementById("policy").submit();
  Promise.allSettled(tries).then(() => { document.title = "done"; });
</script></body></html>`;
}

test("a page on another origin cannot change the cluster, even with the admin cookie in the browser", async ({ page, cluster, stack }) => {
  const target = stack.url;
  const attacker: Server = createServer((_req, res) => res.writeHead(200, { "Content-Type": "text/html" }).end(attackerPage(target)));
  await new Promise<void>((resolve) => attacker.listen(0, "127.0.0.1", resolve));
  try {
    const refused: number[] = [];
    page.on("response", (response) => {
      if (response.url().includes("/__cluster")) refused.push(response.status());
    });
    await page.goto(`http://127.0.0.1:${(attacker.address() as AddressInfo).port}/`);
    await expect(page).toHaveTitle("done");
    // Give the form posts and the beacon time to arrive.
    await expect.poll(() => refused.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(3);
    expect(
      refused.every((status) => status >= 400),
      `answers: ${refused.join(", ")}`,
    ).toBe(true);

    const state = await cluster.instances();
    expect(state.instances.map((i) => `${i.id}:${i.status}`)).toEqual(["a:up", "b:up", "c:up"]);
    expect(state.policy).toBe("round-robin");
  } finally {
    attacker.close();
  }
});

test("a browser without the admin cookie sees a read-only cluster page; the demo's printed link gives it the controls", async ({ browser, stack, cluster }) => {
  void cluster;
  const context = await browser.newContext({ baseURL: stack.url }); // a fresh browser: no admin cookie
  const page = await context.newPage();
  try {
    await page.goto("/cluster");
    await expect(page.getByTestId("cluster-read-only")).toContainText("open the link");
    await expect(page.getByTestId("instance-stop-c")).toBeDisabled();

    await page.goto(`/cluster?admin_token=${stack.adminToken}`);
    await expect(page).toHaveURL(/\/cluster$/); // the token is dropped from the address bar
    await expect(page.getByTestId("cluster-read-only")).toHaveCount(0);
    await page.getByTestId("instance-stop-c").click();
    await expect(page.locator('[data-testid="instance-row"][data-instance="c"]')).toHaveAttribute("data-status", "down");
    const cookie = (await context.cookies()).find((c) => c.name === "nr_admin")!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Strict", path: "/__cluster" });
  } finally {
    await context.close();
  }
});
