/**
 * npm run dev: one `next dev` instance with a real Redis + KV bridge and a PostgreSQL behind it.
 * Flags: --port P (default 3000). Ctrl-C stops everything.
 */
import { parseArgs } from "node:util";
import { nextBin, ROOT } from "./lib/build";
import { startLocalDb } from "./lib/local-db";
import { startLocalKv } from "./lib/local-kv";
import { freePort } from "./lib/ports";
import { spawnGroup } from "./lib/processes";

async function main() {
  const { values } = parseArgs({ options: { port: { type: "string", default: "3000" } } });
  const [kv, db] = await Promise.all([startLocalKv(), startLocalDb()]);
  console.log(`[newsroom] kv: ${kv.describe}`);
  console.log(`[newsroom] db: ${db.describe}`);
  const next = spawnGroup("next dev", process.execPath, [nextBin(), "dev", "-p", values.port!], {
    cwd: ROOT,
    stdio: "inherit",
    // A replication channel of its own, so replicated mode can be tried here: alone, it has no peers.
    env: {
      ...process.env,
      ...kv.env,
      ...db.env,
      REPLICATION_PORT: String(await freePort()),
      INSTANCE_ID: process.env.INSTANCE_ID ?? "dev",
      NEXT_TELEMETRY_DISABLED: "1",
    },
  });
  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    await next.stop();
    await Promise.all([kv.stop(), db.stop()]);
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown());
  process.on("SIGTERM", () => void shutdown());
  next.child.once("exit", () => void shutdown());
}

void main();
