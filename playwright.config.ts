import { defineConfig } from "@playwright/test";
import { DEBIAN_CHROMIUM_ARGS, findChromium } from "./scripts/lib/chromium";

const executablePath = findChromium();

/**
 * Two projects, one worker each, side by side. single-redis: specs in file order, sharing one
 * cluster (3 instances behind HAProxy, Redis, PostgreSQL), some of which stop instances, switch
 * the balancer policy or kill Redis; every test resets the cluster first. redis-cluster: its spec
 * against a cluster of its own, whose kv mode is on a six-node Redis Cluster (the `redis` worker
 * option gives it a worker, and so a stack, of its own); it runs beside the first project's specs
 * instead of after them. (Two single-redis workers, each with its own cluster, were tried: 5.1 min
 * against 4.8–5.0, the second cluster's start and the contention eating the gain.)
 */
export default defineConfig<object, { redis: "single" | "cluster" }>({
  testDir: "e2e",
  fullyParallel: false,
  workers: 2,
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
    { name: "single-redis", testIgnore: /redis-cluster\.spec\.ts$/, workers: 1 },
    { name: "redis-cluster", testMatch: /redis-cluster\.spec\.ts$/, use: { redis: "cluster" }, workers: 1 },
  ],
});
