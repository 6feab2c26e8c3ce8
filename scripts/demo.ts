/**
 * npm run demo: the production build behind one URL, with Redis + the KV bridge.
 * Flags: --port P (default 3000). (--instances and --lb arrive with the cluster.)
 * Env passes through to the app (CATALOGUE_SIZE, SESSION_TTL_SECONDS, …); SESSION_SECRET is
 * generated per run when unset. Ctrl-C / SIGTERM stops every child process group.
 */
import { parseArgs } from "node:util";
import { startInstance, type AppInstance } from "./lib/app-instance";
import { ensureBuild } from "./lib/build";
import { startLocalKv, type LocalKv } from "./lib/local-kv";
import { clusterSecret } from "./lib/secret";

function usage(message: string): never {
  console.error(`${message}\nUsage: npm run demo -- [--port 3000]`);
  process.exit(2);
}

async function main() {
  let values: { port?: string };
  try {
    ({ values } = parseArgs({ options: { port: { type: "string", default: "3000" } } }));
  } catch (error) {
    usage((error as Error).message);
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) usage(`--port must be a port number, got "${values.port}"`);

  ensureBuild();
  const { secret, generated } = clusterSecret();
  if (generated) console.log("[newsroom] SESSION_SECRET not set: generated one for this run");

  let kv: LocalKv | undefined;
  let instance: AppInstance | undefined;
  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    console.log("\n[newsroom] stopping…");
    await instance?.process.stop();
    await kv?.stop();
    process.exit(code);
  };
  process.on("SIGINT", () => void shutdown(0));
  process.on("SIGTERM", () => void shutdown(0));

  try {
    kv = await startLocalKv();
    console.log(`[newsroom] kv: ${kv.describe}`);
    instance = await startInstance({ id: "a", port, env: { ...kv.env, SESSION_SECRET: secret } });
  } catch (error) {
    console.error(`[newsroom] demo failed to start: ${(error as Error).message}`);
    await shutdown(1);
    return;
  }
  instance.process.child.once("exit", () => {
    if (!stopping) console.error("[newsroom] instance a exited unexpectedly");
    void shutdown(1);
  });
  console.log(`\n  Newsroom is running: http://localhost:${port}\n`);
  console.log("  instance  port   pid");
  console.log(`  ${instance.id.padEnd(8)}  ${String(instance.port).padEnd(5)}  ${instance.process.pid}\n`);
  console.log(`  Ctrl-C (or kill -TERM ${process.pid}) stops everything.\n`);
}

void main();
