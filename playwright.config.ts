import { defineConfig } from "@playwright/test";
import { DEBIAN_CHROMIUM_ARGS, findChromium } from "./scripts/lib/chromium";

const executablePath = findChromium();

/**
 * One worker, specs in file order: the specs share one cluster (3 instances + balancer + Redis)
 * and some of them stop instances, switch the balancer policy or kill Redis. The redis-cluster
 * project runs its spec against a cluster of its own, whose kv mode is on a six-node Redis Cluster
 * (the `redis` worker option: Playwright gives it a worker, and so a stack, of its own).
 */
export default defineConfig<object, { redis: "single" | "cluster" }>({
  testDir: "e2e",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 90_000,
  expect: { timeout: 10_000 },
  globalSetup: "./e2e/support/global-setup.ts",
  reporter: [["list"]],
  use: {
    browserName: "chromium",
    headless: true,
    actionTimeout: 15_000,
    trace: "retain-on-failure",
    launchOptions: executablePath ? { executablePath, args: DEBIAN_CHROMIUM_ARGS } : {},
  },
  projects: [
    { name: "single-redis", testIgnore: /redis-cluster\.spec\.ts$/ },
    { name: "redis-cluster", testMatch: /redis-cluster\.spec\.ts$/, use: { redis: "cluster" } },
  ],
});
