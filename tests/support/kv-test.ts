/** The suite's real Redis behind the real KV bridge (tests/support/global-setup.ts), for integration tests. */
import { inject } from "vitest";
import { TEST_PASSWORD } from "./stores";

/** Env pointing the app's KV client at the test Redis (through the bridge). */
export function kvTestEnv(): Record<string, string> {
  const kv = inject("kv");
  return { KV_REST_API_URL: kv.url, KV_REST_API_TOKEN: kv.token };
}

/** Points this process's own configuration (sessionConfig(), read on first use) at the test Redis. */
export function useTestKv(): void {
  Object.assign(process.env, kvTestEnv());
  process.env.SESSION_SECRET ??= TEST_PASSWORD;
}
