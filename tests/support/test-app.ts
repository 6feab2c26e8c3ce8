/** One production instance of the app for an integration test file, wired to the suite's real KV. */
import { randomBytes } from "node:crypto";
import { inject } from "vitest";
import { startInstance, type AppInstance } from "../../scripts/lib/app-instance";
import { freePort } from "../../scripts/lib/ports";

/**
 * Resolves once the instance says it is ready (warmed up: every route's code loaded), as the
 * cluster does before routing to one: a test's first request to a cold instance on a busy machine
 * can otherwise outlast the stores' deadlines and answer 503 for reasons the test is not about.
 */
export async function startTestApp(id: string, env: Record<string, string> = {}): Promise<AppInstance> {
  const kv = inject("kv");
  const app = await startInstance({
    id,
    port: await freePort(),
    env: { KV_REST_API_URL: kv.url, KV_REST_API_TOKEN: kv.token, SESSION_SECRET: randomBytes(32).toString("base64url"), ...env },
    log: () => {},
  });
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!(await isReady(app.url))) {
    if (Date.now() > deadline || !app.process.alive()) {
      await app.process.stop();
      throw new Error(`test app ${id} did not become ready within ${READY_TIMEOUT_MS / 1000} s`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return app;
}

const READY_TIMEOUT_MS = 60_000;

async function isReady(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/api/ready`)).status === 200;
  } catch {
    return false;
  }
}
