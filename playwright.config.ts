import { defineConfig } from "@playwright/test";
import { DEBIAN_CHROMIUM_ARGS, findChromium } from "./scripts/lib/chromium";

const executablePath = findChromium();

/**
 * One worker, specs in file order: the specs share one cluster (3 instances + balancer + Redis)
 * and some of them stop instances, switch the balancer policy or kill Redis.
 */
export default defineConfig({
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
});
