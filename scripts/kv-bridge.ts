/**
 * Runs the KV REST bridge on its own:
 *   npm run kv-bridge -- --redis redis://[:password@]127.0.0.1:6379 [--port 8079] [--command-timeout-ms 1500]
 * The token comes from KV_REST_API_TOKEN (or is generated and printed); a read-only token, from
 * KV_REST_API_READ_ONLY_TOKEN when set.
 */
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { startKvBridge } from "./lib/kv-bridge";

const USAGE = "Usage: npm run kv-bridge -- --redis redis://[:password@]127.0.0.1:6379 [--port 8079] [--command-timeout-ms 1500]   (or set REDIS_URL)";

async function main() {
  const { values } = parseArgs({ options: { redis: { type: "string" }, port: { type: "string" }, "command-timeout-ms": { type: "string" } } });
  const redisUrl = values.redis ?? process.env.REDIS_URL;
  if (!redisUrl) {
    console.error(USAGE);
    process.exit(2);
  }
  const token = process.env.KV_REST_API_TOKEN ?? randomBytes(24).toString("base64url");
  const readOnlyToken = process.env.KV_REST_API_READ_ONLY_TOKEN || undefined;
  const commandTimeoutMs = values["command-timeout-ms"] === undefined ? undefined : Number(values["command-timeout-ms"]);
  if (commandTimeoutMs !== undefined && !(commandTimeoutMs > 0)) throw new Error(`--command-timeout-ms must be a positive number of milliseconds. ${USAGE}`);
  const bridge = await startKvBridge({ redisUrl, token, readOnlyToken, commandTimeoutMs, port: values.port ? Number(values.port) : 0 });
  const where = redisUrl.replace(/\/\/[^@/]*@/, "//"); // never print the Redis password
  console.log(`KV bridge on ${bridge.url} -> ${where}\n  KV_REST_API_URL=${bridge.url}\n  KV_REST_API_TOKEN=${token}`);
  if (readOnlyToken) console.log("  read-only token: KV_REST_API_READ_ONLY_TOKEN (as set)");
  const shutdown = () => void bridge.stop().then(() => process.exit(0));
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);
}

main().catch((error: unknown) => {
  console.error(`kv-bridge: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
