/**
 * npm run screenshots: drives the real UI in Chromium against the production cluster and saves
 * the README's pictures under docs/. Starts its own stack (3 instances, balancer, Redis), or
 * uses a running demo with --url http://127.0.0.1:3000 (it stops and restarts instance b there;
 * the admin token comes from .newsroom/admin-token, or --admin-token).
 *
 * Every picture is checked before it is saved (repeats present, or absent, where the caption
 * says so), so a screenshot can never silently show something other than what the README claims.
 */
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { chromium, type Browser, type BrowserContext, type Page } from "@playwright/test";
import { DEBIAN_CHROMIUM_ARGS, ensureChromium } from "./lib/chromium";
import type { ClusterState } from "../lib/cluster-contract";
import { ADMIN_COOKIE, ADMIN_TOKEN_FILE } from "./lib/control-plane/admin-guard";
import { ROOT } from "./lib/build";
import { startStack, type Stack } from "./lib/stack";

const OUT = join(ROOT, "docs");
const VIEWPORT = { width: 1280, height: 900 };

type Mode = "cookie" | "kv" | "memory";

function check(condition: boolean, message: string): void {
  if (!condition) throw new Error(`screenshot precondition failed: ${message}`);
}

class Shooter {
  constructor(
    private readonly browser: Browser,
    readonly url: string,
    private readonly adminToken: string,
  ) {}

  /** A browser context that opened the demo's admin link first, as a visitor does, so the cluster page can act. */
  async context(colorScheme: "light" | "dark" = "light"): Promise<{ context: BrowserContext; page: Page }> {
    const context = await this.browser.newContext({ baseURL: this.url, viewport: VIEWPORT, colorScheme, reducedMotion: "reduce" });
    await context.addCookies([
      { name: ADMIN_COOKIE, value: this.adminToken, domain: new URL(this.url).hostname, path: "/__cluster", httpOnly: true, sameSite: "Strict" },
    ]);
    const page = await context.newPage();
    return { context, page };
  }

  async save(page: Page, name: string): Promise<void> {
    await page.mouse.move(0, 0); // no hover states in the pictures
    await page.screenshot({ path: join(OUT, name) });
    console.log(`[screenshots] docs/${name}`);
  }

  async admin(method: string, path: string): Promise<void> {
    const headers = method === "GET" ? undefined : { Authorization: `Bearer ${this.adminToken}`, "Content-Type": "application/json" };
    const response = await fetch(`${this.url}/__cluster${path}`, { method, headers });
    if (!response.ok) throw new Error(`${method} /__cluster${path} -> ${response.status} ${await response.text()}`);
  }
}

async function openFeed(page: Page): Promise<void> {
  await Promise.all([page.waitForResponse((r) => r.url().endsWith("/api/feed")), page.goto("/")]);
  await page.getByTestId("more-stories").waitFor();
}

async function more(page: Page): Promise<void> {
  await Promise.all([page.waitForResponse((r) => r.url().endsWith("/api/feed")), page.getByTestId("more-stories").click()]);
  await page.getByTestId("more-stories").waitFor();
}

/** Switches with the header control; leaving memory mode confirms the warning it shows first. */
async function switchMode(page: Page, mode: Mode): Promise<void> {
  const leavingMemory = (await page.getByTestId("mode-memory").getAttribute("aria-checked")) === "true";
  await Promise.all([
    page.waitForResponse((r) => r.url().endsWith("/api/session/mode")),
    (async () => {
      await page.getByTestId(`mode-${mode}`).click();
      if (leavingMemory) await page.getByTestId("leave-memory-confirm").click();
    })(),
  ]);
  await page.getByTestId(`mode-${mode}`).and(page.locator('[aria-checked="true"]')).waitFor();
}

async function openTimeline(page: Page): Promise<void> {
  const toggle = page.getByTestId("timeline-toggle");
  if ((await toggle.getAttribute("aria-expanded")) !== "true") await toggle.click();
}

async function repeatTotal(page: Page): Promise<number> {
  return Number(await page.getByTestId("timeline-repeat-total").getAttribute("data-count"));
}

/** A fresh browser context on the feed in `mode`; closed whatever happens in `body`. */
async function onFeed(shooter: Shooter, mode: Mode, body: (page: Page) => Promise<void>, colorScheme: "light" | "dark" = "light"): Promise<void> {
  const { context, page } = await shooter.context(colorScheme);
  try {
    await openFeed(page);
    if (mode !== "cookie") await switchMode(page, mode);
    await body(page);
  } finally {
    await context.close();
  }
}

const feedShot = (shooter: Shooter, colorScheme: "light" | "dark", name: string) => onFeed(shooter, "cookie", (page) => shooter.save(page, name), colorScheme);

const memoryRepeatsShot = (shooter: Shooter) =>
  onFeed(shooter, "memory", async (page) => {
    for (let i = 0; i < 6 && (await repeatTotal(page)) === 0; i++) await more(page);
    check((await repeatTotal(page)) > 0, "memory mode under round-robin showed no repeat in 6 loads");
    await openTimeline(page);
    // The first red card just under the header, the red timeline row below.
    await page
      .locator('[data-testid="article-card"][data-repeat="true"]')
      .first()
      .evaluate((card) => window.scrollTo(0, card.getBoundingClientRect().top + window.scrollY - 150));
    await shooter.save(page, "timeline-memory-repeats.png");
  });

const kvInstanceStopShot = (shooter: Shooter) =>
  onFeed(shooter, "kv", async (page) => {
    await more(page);
    await more(page);
    // Stop b from the cluster page, as a visitor would, so the stop shows in the timeline.
    await page.getByTestId("nav-cluster").click();
    await page.getByTestId("instance-stop-b").click();
    try {
      await page.locator('[data-testid="instance-row"][data-instance="b"][data-status="down"]').waitFor();
      await page.getByTestId("nav-feed").click();
      await page.getByTestId("more-stories").waitFor();
      for (let i = 0; i < 3; i++) await more(page);
      check((await repeatTotal(page)) === 0, "kv mode repeated an article across the instance stop");
      await openTimeline(page);
      await page.evaluate(() => window.scrollTo(0, 0));
      await shooter.save(page, "timeline-kv-instance-stop.png");
    } finally {
      await shooter.admin("POST", "/instances/b/start"); // leave a running demo as it was
    }
  });

const inspectorShot = (shooter: Shooter, mode: Mode, name: string) =>
  onFeed(shooter, mode, async (page) => {
    for (let i = 0; i < 3; i++) await more(page);
    await page.getByTestId("nav-inspector").click();
    await page.locator(`[data-testid="inspector"][data-mode="${mode}"]`).waitFor();
    if (mode === "memory") await page.getByTestId("memory-verdict").waitFor();
    await shooter.save(page, name);
  });

const historyShot = (shooter: Shooter) =>
  onFeed(shooter, "kv", async (page) => {
    for (let i = 0; i < 2; i++) await more(page);
    // Open two stories, as a reader would, so "Opened" shows in the list.
    for (const index of [1, 4]) {
      await page.getByTestId("article-card").nth(index).getByRole("link").click();
      await page.locator('[data-testid="read-status"][data-state="done"]').waitFor();
      await page.goBack();
      await page.getByTestId("more-stories").waitFor();
    }
    await page.getByTestId("nav-history").click();
    await page.getByTestId("history-item").first().waitFor();
    check((await page.getByTestId("history-opened").count()) === 2, "the history does not mark the two opened stories");
    await shooter.save(page, "history.png");
  });

const leaveMemoryShot = (shooter: Shooter) =>
  onFeed(shooter, "memory", async (page) => {
    for (let i = 0; i < 3; i++) await more(page);
    // Ask until the answering instance holds only part of the history, so the picture shows what comes back.
    for (let attempt = 0; attempt < 6; attempt++) {
      await page.getByTestId("mode-kv").click();
      await page.getByTestId("leave-memory-text").waitFor();
      const returning = (await page.getByTestId("leave-memory").getAttribute("data-returning-ids")) ?? "";
      if (returning.trim() !== "") break;
      await page.getByTestId("leave-memory-cancel").click();
    }
    check(((await page.getByTestId("leave-memory").getAttribute("data-returning-ids")) ?? "").trim() !== "", "no instance held only part of the history");
    await page.evaluate(() => window.scrollTo(0, 0));
    await shooter.save(page, "leave-memory.png");
  });

const recoveryShot = (shooter: Shooter, ids: string[]) =>
  onFeed(shooter, "cookie", async (page) => {
    for (const id of ids) await shooter.admin("POST", `/instances/${id}/stop`);
    try {
      const answer = await page.reload();
      check(
        answer?.status() === 503 && (await page.getByTestId("recovery").count()) === 1,
        "with every instance stopped, the balancer did not answer the recovery page",
      );
      await shooter.save(page, "recovery.png");
    } finally {
      for (const id of ids) await shooter.admin("POST", `/instances/${id}/start`);
    }
  });

const clusterShot = (shooter: Shooter) =>
  onFeed(shooter, "memory", async (page) => {
    await more(page);
    await page.getByTestId("nav-cluster").click();
    await page.getByTestId("instances").waitFor();
    // Wait for a health check to report the memory readers, so the column is not all dashes.
    await page.waitForFunction(() =>
      [...document.querySelectorAll('[data-testid="instance-row"] td:nth-of-type(5)')].some((cell) => /\d/.test(cell.textContent ?? "")),
    );
    await shooter.save(page, "cluster.png");
  });

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { url: { type: "string" }, "admin-token": { type: "string" } } });
  mkdirSync(OUT, { recursive: true });
  const executablePath = ensureChromium();
  let stack: Stack | undefined;
  let url = values.url;
  let adminToken = values["admin-token"] ?? (existsSync(ADMIN_TOKEN_FILE) ? readFileSync(ADMIN_TOKEN_FILE, "utf8").trim() : "");
  if (!url) {
    stack = await startStack({ instances: 3, port: 0, policy: "round-robin", log: (line) => line.startsWith("[newsroom]") && console.log(line) });
    url = stack.url;
    adminToken = stack.adminToken;
  }
  const browser = await chromium.launch(executablePath ? { executablePath, args: DEBIAN_CHROMIUM_ARGS } : {});
  const shooter = new Shooter(browser, url, adminToken);
  try {
    await feedShot(shooter, "light", "feed.png");
    await feedShot(shooter, "dark", "feed-dark.png");
    await memoryRepeatsShot(shooter);
    await kvInstanceStopShot(shooter);
    await inspectorShot(shooter, "cookie", "inspector-cookie.png");
    await inspectorShot(shooter, "kv", "inspector-kv.png");
    await inspectorShot(shooter, "memory", "inspector-memory.png");
    await clusterShot(shooter);
    await historyShot(shooter);
    await leaveMemoryShot(shooter);
    const ids = ((await (await fetch(`${url}/__cluster`)).json()) as ClusterState).instances.map((i) => i.id);
    await recoveryShot(shooter, ids);
  } finally {
    await browser.close();
    await stack?.stop();
  }
}

main().catch((error: unknown) => {
  console.error(`[screenshots] ${(error as Error).stack ?? String(error)}`);
  process.exit(1);
});
