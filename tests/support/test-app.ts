/** One production instance of the app for an integration test file, wired to the suite's real KV. */
import { randomBytes } from "node:crypto";
import { inject } from "vitest";
import { startInstance, type AppInstance } from "../../scripts/lib/app-instance";
import { freePort } from "../../scripts/lib/ports";

export async function startTestApp(id: string, env: Record<string, string> = {}): Promise<AppInstance> {
  const kv = inject("kv");
  return startInstance({
    id,
    port: await freePort(),
    env: { KV_REST_API_URL: kv.url, KV_REST_API_TOKEN: kv.token, SESSION_SECRET: randomBytes(32).toString("base64url"), ...env },
    log: () => {},
  });
}
