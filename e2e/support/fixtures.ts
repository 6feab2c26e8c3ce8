/**
 * Fixtures for the end-to-end suite. One cluster per worker (3 production instances behind the
 * balancer, Redis with an fsync'd AOF behind the KV bridge, PostgreSQL for db mode), reset to a known
 * state around every test: round-robin, every instance up, Redis and PostgreSQL running. Each test
 * gets its own browser context.
 */
import { appendFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { test as base, expect, type Page, type Response } from "@playwright/test";
import type { InstanceRecord, Policy } from "../../scripts/lib/cluster/cluster";
import type { FeedPage } from "../../lib/api-contract";
import type { ClusterState, ReplicationSettingsView } from "../../lib/cluster-contract";
import { ADMIN_COOKIE } from "../../scripts/lib/control-plane/admin-guard";
import { isListening } from "../../scripts/lib/ports";
import { isLocal } from "../../scripts/lib/local-kv";
import { startStack, type Stack } from "../../scripts/lib/stack";

/** Where the cluster's output goes (instances, balancer, Redis): see it when a spec fails. */
export const STACK_LOG = join(__dirname, "..", "..", ".newsroom", "e2e-cluster.log");

/** 160 articles = 16 pages of 10: enough for the "at least 15 loads" promise. */
export const E2E_CATALOGUE_SIZE = 160;

/** The balancer's admin API, as the specs use it. */
export class ClusterControl {
  constructor(readonly stack: Stack) {}

  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers = method === "GET" ? undefined : { Authorization: `Bearer ${this.stack.adminToken}`, "Content-Type": "application/json" };
    const response = await fetch(`${this.stack.url}/__cluster${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const json = (await response.json()) as T;
    if (!response.ok) throw new Error(`${method} /__cluster${path} -> ${response.status} ${JSON.stringify(json)}`);
    return json;
  }

  instances() {
    return this.call<ClusterState>("GET", "");
  }

  stop(id: string) {
    return this.call<InstanceRecord>("POST", `/instances/${id}/stop`);
  }

  start(id: string) {
    return this.call<InstanceRecord>("POST", `/instances/${id}/start`);
  }

  /**
   * kill -9 of an instance's whole process group, behind the control plane's back: a crash, which
   * HAProxy learns of only from refused connections and failing checks.
   */
  async crash(id: string): Promise<void> {
    const pid = (await this.instances()).instances.find((instance) => instance.id === id)?.pid;
    if (!pid) throw new Error(`instance ${id} is not running`);
    process.kill(-pid, "SIGKILL");
    const deadline = Date.now() + 5000;
    while ((await this.instances()).instances.find((instance) => instance.id === id)?.pid !== null) {
      if (Date.now() > deadline) throw new Error(`instance ${id} still running 5 s after kill -9`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  setPolicy(policy: Policy) {
    return this.call("PUT", "/policy", { policy });
  }

  /** replicated mode's settings on every instance (what /cluster's switch and --replication-lag set). */
  setReplication(settings: Partial<ReplicationSettingsView>) {
    return this.call("PUT", "/replication", settings);
  }

  /** Starts an instance, waiting out a stop still in progress (a test may end right after clicking Stop). */
  async startWhenIdle(id: string): Promise<void> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      try {
        await this.start(id);
        return;
      } catch (error) {
        if (!/409 .*BUSY/.test((error as Error).message) || Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  }

  async reset(): Promise<void> {
    const redis = this.stack.kv.redis;
    if (redis && !(await isListening(redis.port))) await redis.restart();
    // A spec that stopped PostgreSQL and failed before starting it again must not take db mode from the next one.
    const postgres = this.stack.db.postgres;
    if (postgres && !(await isListening(postgres.port))) await postgres.restart();
    // Likewise a Redis Cluster node a spec stopped, killed or froze: every node back, every master with its replica.
    const redisCluster = this.stack.kv.redisCluster;
    if (isLocal(redisCluster)) {
      for (const node of await redisCluster.nodes()) {
        if (node.process === "paused") await redisCluster.resumeNode(node.name);
        if (node.process === "stopped") await redisCluster.startNode(node.name);
      }
      await redisCluster.waitUntilHealthy(30_000);
    }
    await this.setPolicy("round-robin");
    const state = await this.instances();
    if (state.replication && (state.replication.mode !== "sync" || state.replication.lagMs !== 0)) await this.setReplication({ mode: "sync", lagMs: 0 });
    for (const instance of state.instances) {
      // pid null: stopped or crashed (HAProxy may not have noticed a crash yet, and still say up).
      if (instance.status !== "up" || instance.pid === null) await this.startWhenIdle(instance.id);
    }
  }
}

const isFeed = (response: Response) => response.url().endsWith("/api/feed") && response.request().method() === "POST";

export interface Load {
  status: number;
  instance: string | null;
  ids: string[];
}

/**
 * Drives the feed page like a reader: open, "More stories", reload. Each load returns the ids of
 * the cards it put on the page (read from the DOM) and the instance that answered the API call.
 */
export class FeedReader {
  readonly loads: Load[] = [];
  private batches = 0;

  constructor(readonly page: Page) {}

  /** Everything shown so far, in order, repeats included. */
  allIds(): string[] {
    return this.loads.flatMap((load) => load.ids);
  }

  repeats(): string[] {
    const seen = new Set<string>();
    const repeated: string[] = [];
    for (const id of this.allIds()) {
      if (seen.has(id)) repeated.push(id);
      seen.add(id);
    }
    return repeated;
  }

  instances(): Set<string> {
    return new Set(this.loads.map((l) => l.instance).filter((id): id is string => id !== null));
  }

  open(): Promise<Load> {
    this.batches = 0;
    return this.load(() => this.page.goto("/"));
  }

  reload(): Promise<Load> {
    this.batches = 0;
    return this.load(() => this.page.reload());
  }

  /**
   * Back to the feed with the header's Feed link (client-side navigation). The feed comes back as
   * this tab last showed it, without a feed call; the next more() continues below it.
   */
  async home(): Promise<void> {
    await this.page.getByTestId("nav-feed").click();
    await expect(this.page.getByTestId("feed-batch")).toHaveCount(this.batches);
  }

  /** Any navigation that puts a fresh feed on the page (its first batch). */
  arrive(action: () => Promise<unknown>): Promise<Load> {
    this.batches = 0;
    return this.load(action);
  }

  more(): Promise<Load> {
    return this.load(() => this.page.getByTestId("more-stories").click());
  }

  retry(): Promise<Load> {
    return this.load(() => this.page.getByRole("button", { name: "Try again" }).click());
  }

  /**
   * Switches the session strategy with the header control, as a reader would. Leaving memory mode
   * asks for a confirmation first (how much of the history moves); this confirms it.
   */
  async switchMode(mode: "cookie" | "kv" | "db" | "replicated" | "memory"): Promise<void> {
    const leavingMemory = (await this.page.getByTestId("mode-memory").getAttribute("aria-checked")) === "true";
    const [response] = await Promise.all([
      this.page.waitForResponse((r) => r.url().endsWith("/api/session/mode") && r.request().method() === "PUT"),
      (async () => {
        await this.page.getByTestId(`mode-${mode}`).click();
        if (leavingMemory) await this.page.getByTestId("leave-memory-confirm").click();
      })(),
    ]);
    expect(response.status(), `switching to ${mode}`).toBe(200);
    await expect(this.page.getByTestId(`mode-${mode}`)).toHaveAttribute("aria-checked", "true");
  }

  /** Any action that triggers one feed request (a click, a key press), recorded like the others. */
  async load(action: () => Promise<unknown>): Promise<Load> {
    const [response] = await Promise.all([this.page.waitForResponse(isFeed), action()]);
    const status = response.status();
    const instance = response.headers()["x-instance-id"] ?? null;
    let ids: string[] = [];
    if (status === 200) {
      const body = (await response.json()) as FeedPage;
      if (body.articles.length > 0) {
        this.batches++;
        const batch = this.page.getByTestId("feed-batch").nth(this.batches - 1);
        await expect(batch.getByTestId("article-card")).toHaveCount(body.articles.length);
        ids = await batch.getByTestId("article-card").evaluateAll((cards) => cards.map((c) => c.getAttribute("data-article-id")!));
        expect(ids, "the page shows what the API returned").toEqual(body.articles.map((a) => a.id));
      }
    }
    const load = { status, instance, ids };
    this.loads.push(load);
    return load;
  }
}

function logLine(line: string): void {
  appendFileSync(STACK_LOG, `${new Date().toISOString()} ${line}\n`);
}

/**
 * Starts the suite's cluster. Start-up is bounded (90 s) and tried at most twice: an
 * infrastructure hiccup then costs one retry with the reason logged, never a silent hang.
 * Nothing about the specs' assertions is retried.
 */
async function startStackWithRetry(redis: RedisChoice): Promise<Stack> {
  for (let attempt = 1; ; attempt++) {
    logLine(`[e2e] starting the cluster (worker ${process.pid}, attempt ${attempt}, redis ${redis})`);
    const starting = startStack({
      // On a Redis Cluster: two instances, a over REST and b over the Redis protocol, and writes
      // that wait for a replica, so one reader's walk alternates transports to the same data.
      instances: redis === "cluster" ? 2 : 3,
      port: 0,
      policy: "round-robin",
      aof: "always",
      ...(redis === "cluster" ? { redis: "cluster" as const, kvTransport: "mixed" as const, waitReplicas: 1 } : {}),
      env: { CATALOGUE_SIZE: String(E2E_CATALOGUE_SIZE) },
      // The cluster's own log goes to the file: quiet on success, there to read when a spec fails.
      log: logLine,
      build: false,
    });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error("cluster start-up took over 90 s")), 90_000);
    });
    try {
      return await Promise.race([starting, timeout]);
    } catch (error) {
      logLine(`[e2e] cluster start-up failed: ${(error as Error).message}`);
      starting.then((late) => late.stop()).catch(() => {});
      if (attempt >= 2) throw new Error(`${(error as Error).message} (twice; see ${STACK_LOG})`);
    } finally {
      clearTimeout(timer);
    }
  }
}

type RedisChoice = "single" | "cluster";

export const test = base.extend<{ cluster: ClusterControl; reader: FeedReader }, { stack: Stack; redis: RedisChoice }>({
  /** kv mode's Redis for this project's cluster (playwright.config.ts): the redis-cluster project sets "cluster". */
  redis: ["single", { scope: "worker", option: true }],
  stack: [
    async ({ redis }, use) => {
      mkdirSync(dirname(STACK_LOG), { recursive: true });
      const stack = await startStackWithRetry(redis);
      await use(stack);
      await stack.stop();
    },
    { scope: "worker", timeout: 240_000 },
  ],
  baseURL: async ({ stack }, use) => use(stack.url),
  // Every browser context holds this run's admin cookie, as a browser that opened the demo's printed
  // link does (the admin-security spec checks that link itself), so the cluster page's buttons work.
  context: async ({ context, stack }, use) => {
    await context.addCookies([
      { name: ADMIN_COOKIE, value: stack.adminToken, domain: new URL(stack.url).hostname, path: "/__cluster", httpOnly: true, sameSite: "Strict" },
    ]);
    await use(context);
  },
  cluster: async ({ stack }, use) => {
    const control = new ClusterControl(stack);
    await control.reset();
    await use(control);
    await control.reset();
  },
  reader: async ({ page, cluster }, use) => {
    void cluster; // the cluster is reset before the reader's page opens
    await use(new FeedReader(page));
  },
});

export { expect };

/** Sets the session mode before the first page load (the page then opens in that mode). */
export async function chooseModeFirst(page: Page, mode: "cookie" | "kv" | "db" | "replicated" | "memory"): Promise<void> {
  const response = await page.request.put("/api/session/mode", { data: { mode } });
  expect(response.status()).toBe(200);
}
