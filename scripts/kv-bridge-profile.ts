/**
 * What the KV bridge itself costs per request: CPU microseconds of the bridge process (and only
 * of it) divided by requests, under 20 concurrent keep-alive clients sending the app's feed
 * claim as kv's REST transport sends it (POST / ["evalsha", sha1, …], no Upstash-Encoding).
 *
 *   npx tsx scripts/kv-bridge-profile.ts [--requests 20000] [--clients 20] [--cpu-prof] [--bridge-module <file>]
 *
 * The bridge runs in a child process of its own, so the load generator's CPU is not counted;
 * the child reports process.cpuUsage() deltas over the measured window (after a warm-up).
 * --cpu-prof writes a V8 CPU profile of the child into $TMPDIR/kv-bridge-profile/ for a closer look.
 * --bridge-module measures another implementation exporting startKvBridge (e.g. an older
 * version checked out to a scratch file), so two versions are compared the same way.
 */
import { fork } from "node:child_process";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { Pool } from "undici";
import { CLAIM_SCRIPT } from "../lib/session/kv/kv-scripts";
import { startKvBridge } from "./lib/kv-bridge";
import { startRedis } from "./lib/redis-server";

const TOKEN = "profile-token-0123456789abcdef";

type ChildMessage = { ready: string } | { usage: NodeJS.CpuUsage };

/** Child mode: run the bridge, answer "usage" with CPU used since the last "mark". */
async function serve(redisUrl: string, bridgeModule: string | undefined) {
  type Module = { startKvBridge: typeof startKvBridge };
  const start = bridgeModule ? ((await import(resolve(bridgeModule))) as Module).startKvBridge : startKvBridge;
  const bridge = await start({ redisUrl, token: TOKEN });
  let mark = process.cpuUsage();
  process.on("message", (message: string) => {
    if (message === "mark") mark = process.cpuUsage();
    if (message === "usage") process.send!({ usage: process.cpuUsage(mark) } satisfies ChildMessage);
    if (message === "stop") void bridge.stop().then(() => process.exit(0));
  });
  process.send!({ ready: bridge.url } satisfies ChildMessage);
}

/** The bridge starts before its Redis connection is ready; wait until PING answers. */
async function waitUntilServing(url: string) {
  for (let attempt = 0; attempt < 100; attempt++) {
    const response = await fetch(`${url}/`, { method: "POST", headers: { authorization: `Bearer ${TOKEN}` }, body: '["PING"]' });
    if (response.ok) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error("the bridge never answered PING");
}

/** What the transport does on its first NOSCRIPT: load the claim script once. */
async function loadScript(url: string) {
  const response = await fetch(`${url}/`, {
    method: "POST",
    headers: { authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify(["script", "load", CLAIM_SCRIPT.source]),
  });
  if (!response.ok) throw new Error(`SCRIPT LOAD answered ${response.status}: ${await response.text()}`);
}

async function drive(url: string, requests: number, clients: number) {
  const pool = new Pool(url, { connections: clients, pipelining: 1 });
  let next = 0;
  const worker = async (id: number) => {
    const keys = [`profile:{${id}}:seen`, `profile:{${id}}:read`];
    const body = JSON.stringify(["evalsha", CLAIM_SCRIPT.sha1, 2, ...keys, 10, 64, 60, "", Date.now() + 3_600_000]);
    const headers = { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" };
    while (next++ < requests) {
      const response = await pool.request({ method: "POST", path: "/", headers, body });
      const text = await response.body.text();
      if (response.statusCode !== 200) throw new Error(`bridge answered ${response.statusCode}: ${text}`);
    }
  };
  await Promise.all(Array.from({ length: clients }, (_, id) => worker(id)));
  await pool.close();
}

async function main() {
  const { values } = parseArgs({
    options: {
      serve: { type: "string" },
      requests: { type: "string", default: "20000" },
      clients: { type: "string", default: "20" },
      "cpu-prof": { type: "boolean", default: false },
      "bridge-module": { type: "string" },
    },
  });
  if (values.serve) return serve(values.serve, values["bridge-module"]);

  const requests = Number(values.requests);
  const clients = Number(values.clients);
  const redis = await startRedis();
  const profileDir = join(tmpdir(), "kv-bridge-profile");
  const execArgv = ["--import", "tsx", ...(values["cpu-prof"] ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : [])];
  const childArgs = ["--serve", redis.url, ...(values["bridge-module"] ? ["--bridge-module", values["bridge-module"]] : [])];
  const child = fork(fileURLToPath(import.meta.url), childArgs, { execArgv, stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const nextMessage = () => new Promise<ChildMessage>((resolve) => child.once("message", (m) => resolve(m as ChildMessage)));
  try {
    const ready = await nextMessage();
    if (!("ready" in ready)) throw new Error("the bridge child did not start");
    await waitUntilServing(ready.ready);
    await loadScript(ready.ready);
    await drive(ready.ready, Math.min(2000, requests), clients); // warm-up: JIT, COMMAND INFO cache, sockets
    child.send("mark");
    const started = performance.now();
    await drive(ready.ready, requests, clients);
    const wallMs = performance.now() - started;
    child.send("usage");
    const reply = await nextMessage();
    if (!("usage" in reply)) throw new Error("the bridge child did not report its CPU usage");
    const { user, system } = reply.usage;
    const perRequest = (user + system) / requests;
    console.log(
      `${requests} EVALSHA requests, ${clients} keep-alive clients: bridge CPU ${perRequest.toFixed(1)} µs/request ` +
        `(user ${(user / requests).toFixed(1)}, system ${(system / requests).toFixed(1)}); ${Math.round(requests / (wallMs / 1000))} requests/s`,
    );
    child.send("stop");
    await new Promise((resolve) => child.once("exit", resolve));
    if (values["cpu-prof"]) console.log(`CPU profile of the bridge process written to ${profileDir}`);
  } finally {
    if (child.exitCode === null) child.kill("SIGKILL");
    await redis.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
