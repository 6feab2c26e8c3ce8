import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";
import SlowFirstSequencer from "./tests/support/slow-first-sequencer";

const root = fileURLToPath(new URL(".", import.meta.url));

const shared = {
  resolve: {
    alias: {
      "@/": root,
      // `server-only` throws outside React server bundles; in Node tests it is a no-op.
      "server-only": fileURLToPath(new URL("./tests/support/server-only.ts", import.meta.url)),
    },
  },
};

/**
 * Two projects:
 *  - unit: pure code, no process started; runs alongside everything else;
 *  - integration: real redis-server, PostgreSQL, HAProxy and production instances, with one
 *    Redis + KV bridge started for the whole project (tests/support/global-setup.ts).
 * Integration files mostly wait on processes and the network, so three run at once on a 2-core
 * machine (VITEST_MAX_WORKERS overrides); their timeouts are sized for a busy machine.
 */
export default defineConfig({
  test: {
    pool: "forks",
    maxWorkers: Number(process.env.VITEST_MAX_WORKERS ?? 3),
    // The files that start whole stacks first, so none of them ends the run alone (see the file).
    sequence: { sequencer: SlowFirstSequencer },
    projects: [
      {
        ...shared,
        test: { name: "unit", include: ["tests/unit/**/*.test.ts"], environment: "node", testTimeout: 30_000 },
      },
      {
        ...shared,
        test: {
          name: "integration",
          include: ["tests/integration/**/*.test.ts"],
          environment: "node",
          globalSetup: ["tests/support/global-setup.ts"],
          testTimeout: 30_000,
          hookTimeout: 240_000,
        },
      },
    ],
  },
});
