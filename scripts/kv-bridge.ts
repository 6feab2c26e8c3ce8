/**
 * Runs the KV REST bridge on its own: npm run kv-bridge -- --redis redis://127.0.0.1:6379 --port 8079
 * The token comes from KV_REST_API_TOKEN (or is generated and printed).
 */
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { startKvBridge } from "./lib/kv-bridge";

async function main() {
  const { values } = parseArgs({ options: { redis: { type: "string" }, port: { type: "string" } } });
const redisUrl = values.redis ?? process.env.REDIS_URL;
if (!redisUrl) {
  console.error("Usage: npm run kv-bridge -- --redis redis://127.0.0.1:6379 [--port 8079]   (or set REDIS_URL)");
  process.exit(2);
}
const token = process.env.KV_REST_API_TOKEN ?? randomBytes(24).toString("base64url");
const bridge = await startKvBridge({ redisUrl, token, port: values.port ? Number(values.port) : 0 });
console.log(`KV bridge on ${bridge.url} -> ${redisUrl}\n  KV_REST_API_URL=${bridge.url}\n  KV_REST_API_TOKEN=${token}`);
const shutdown = () => void bridge.stop().then(() => process.exit(0));
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);
}

void main();
