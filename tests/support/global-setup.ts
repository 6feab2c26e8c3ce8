/**
 * One real redis-server + KV bridge and one PostgreSQL for the whole Vitest run; test files reach
 * them through inject("kv") and inject("db"). Nothing is mocked: the kv store tests drive the real
 * @vercel/kv client, the db ones node-postgres against a real server.
 */
import type { TestProject } from "vitest/node";
import { ensureBuild } from "../../scripts/lib/build";
import { startLocalDb } from "../../scripts/lib/local-db";
import { startLocalKv } from "../../scripts/lib/local-kv";

declare module "vitest" {
  export interface ProvidedContext {
    kv: { url: string; token: string; redisUrl: string };
    /** DATABASE_URL of the run's PostgreSQL, or null when none could be started (db mode's tests then fail saying why). */
    db: { url: string | null; describe: string };
  }
}

export default async function setup(project: TestProject) {
  // The integration suites run the production build; build once here, never in parallel workers.
  // NEWSROOM_TEST_NO_BUILD=1 skips it when only suites that start no app instance are run.
  if (process.env.NEWSROOM_TEST_NO_BUILD !== "1") ensureBuild();
  const saved = { url: process.env.KV_REST_API_URL, token: process.env.KV_REST_API_TOKEN };
  // Always a private local Redis for tests, even when the shell points at a real KV database.
  delete process.env.KV_REST_API_URL;
  delete process.env.KV_REST_API_TOKEN;
  const savedDb = process.env.DATABASE_URL;
  delete process.env.DATABASE_URL;
  const [kv, db] = await Promise.all([startLocalKv({ quiet: true }), startLocalDb()]);
  if (savedDb !== undefined) process.env.DATABASE_URL = savedDb;
  // (Assigning undefined to process.env would store the string "undefined".)
  if (saved.url !== undefined) process.env.KV_REST_API_URL = saved.url;
  if (saved.token !== undefined) process.env.KV_REST_API_TOKEN = saved.token;
  if (!kv.redis || !kv.bridge) throw new Error(`tests need a local redis-server: ${kv.describe}`);
  project.provide("kv", { url: kv.env.KV_REST_API_URL!, token: kv.env.KV_REST_API_TOKEN!, redisUrl: kv.redis.url });
  project.provide("db", { url: db.env.DATABASE_URL ?? null, describe: db.describe });
  return async () => {
    await Promise.all([kv.stop(), db.stop()]);
  };
}
