// @ts-check
/**
 * One app instance: the production build of Next.js behind a small front door, run by the cluster
 * scripts as `node scripts/instance-server.mjs` (what `next start` would do, plus the checks below).
 *
 * The front door answers, before Next.js sees the request:
 *  - a Host that is not ours (DNS rebinding): 421 (400 when missing), see request-guards.mjs;
 *  - a path that cannot be percent-decoded: 400 in the JSON envelope under /api/, else the site's
 *    404 page (Next.js itself would answer these with a plain-text 500);
 *  - a method the app does not serve (TRACE, PROPFIND, …): 405 in the envelope.
 * It answers liveness (GET /api/health) itself, in one turn of the event loop, from the function
 * the app publishes at start-up (lib/health.ts): through Next.js a saturated instance took seconds.
 * It says when the instance is ready (GET /api/ready, answered here): only after it has warmed up
 * and, with replication on, caught up with its peers,
 * by asking itself for every page and API route once (a fresh Next.js process loads and compiles
 * each route's code on its first request: seconds under load, long enough for a balancer to call
 * a healthy newcomer dead). A balancer routes to an instance once it is ready.
 * And it keeps the instance honest about its lifetime:
 *  - SIGTERM/SIGINT: drain (DRAIN_MS: every answer closes its connection), stop accepting, let
 *    requests in flight finish (at most SHUTDOWN_GRACE_MS in all), exit;
 *  - its parent (the demo, a test) dies, even by SIGKILL: the instance notices and exits, so nothing
 *    is left holding the port.
 *
 * Environment (set by scripts/lib/app-instance.ts):
 *   PORT                    port to listen on (required)
 *   HOSTNAME                interface, default 127.0.0.1
 *   KEEP_ALIVE_TIMEOUT_MS   idle keep-alive, default 75000: longer than the balancer's, so the
 *                           balancer never reuses a socket the instance is closing
 *   NEWSROOM_WATCH_PARENT   "1" (default when started by our scripts): exit when the parent is gone
 *   ALLOWED_HOSTS           extra Host names to answer for, comma-separated (default: loopback only)
 *   BENCH_HEAP_PROBE        "1": answer GET /__bench/heap (see heapProbe below); set by npm run bench
 *                           only, default off
 */
import { createServer } from "node:http";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import next from "next";
import { allowedHostNames, APP_METHODS, checkHost, decodedPath, errorBody, hostRefusal, SECURITY_HEADERS, wantsJson } from "./lib/request-guards.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const SHUTDOWN_GRACE_MS = 3000;
/**
 * How long a stopping instance keeps its connections open, answering with `Connection: close`,
 * before it closes the idle ones. The balancer takes an instance out of the rotation before it
 * signals it, but a request it had already chosen this instance for may still be on its way down a
 * kept-alive socket; closing that socket under it would turn the reader's POST into a 502.
 */
const DRAIN_MS = 1000;
const PARENT_CHECK_MS = 500;
/** Where lib/health.ts publishes health() once the app has started (see publishLiveness). */
const LIVENESS_SLOT = Symbol.for("newsroom.liveness");
/** Where lib/session/replicated/node-runtime.ts puts the promise that resolves once replication caught up. */
const REPLICATION_READY_SLOT = Symbol.for("newsroom.replicationReady");
/** Where a malformed page URL is sent: no such page exists, so Next.js renders the site's 404. */
const NOT_FOUND_PATH = "/__newsroom-not-found";

const port = Number(process.env.PORT);
if (!Number.isInteger(port) || port < 1 || port > 65535) {
  console.error(`[newsroom] PORT must be a port number, got "${process.env.PORT ?? ""}"`);
  process.exit(1);
}
const hostname = process.env.HOSTNAME || "127.0.0.1";
const instanceId = process.env.INSTANCE_ID || "solo";
const allowedHosts = allowedHostNames(process.env.ALLOWED_HOSTS, process.env.HOSTNAME);

/**
 * @param {import("node:http").ServerResponse} res
 * @param {number} status
 * @param {string} code
 * @param {string} message
 * @param {Record<string, string>} [headers]
 */
function refuse(res, status, code, message, headers = {}) {
  const body = errorBody(code, message);
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    ...headers,
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(body),
    "X-Instance-Id": instanceId,
  });
  res.end(body);
}

/**
 * The bench's heap probe (scripts/lib/bench/footprint.ts weighs a memory-mode reader with it): full
 * garbage collections until the heap stops shrinking, then what this process holds: V8's heap in
 * use plus the ArrayBuffer backing stores (a seen-set's bytes live in one, outside the heap). Off
 * unless BENCH_HEAP_PROBE=1: forcing collections is a stop-the-world pause nobody else should be
 * able to ask for. Bytecode flushing is turned off with it: V8 drops the bytecode of functions
 * idle for a few collections, and the probe's own collections would age every function, so the
 * heap would shrink by megabytes between two weighings for reasons that have nothing to do with readers.
 * @type {(() => unknown) | null}
 */
const heapProbe =
  process.env.BENCH_HEAP_PROBE === "1"
    ? (() => {
        setFlagsFromString("--expose-gc"); // functions compiled from now on see `gc`
        setFlagsFromString("--no-flush-bytecode");
        const gc = /** @type {() => void} */ (runInNewContext("gc"));
        const used = () => process.memoryUsage().heapUsed;
        return () => {
          // A collection can leave work for the next (weak references, finalizers): repeat while it still frees 64 KB.
          gc();
          for (let i = 0, before = Infinity; i < 5 && before - used() > 65_536; i++) {
            before = used();
            gc();
          }
          const { heapUsed, arrayBuffers } = process.memoryUsage();
          return { instance: instanceId, heapUsedBytes: heapUsed, arrayBufferBytes: arrayBuffers, bytes: heapUsed + arrayBuffers };
        };
      })()
    : null;

/**
 * Answers what must never reach the router; returns true when it did.
 * @param {import("node:http").IncomingMessage} req
 * @param {import("node:http").ServerResponse} res
 */
function frontDoor(req, res) {
  const host = checkHost(req.headers.host, allowedHosts);
  if (host !== "ok") {
    const refusal = hostRefusal(host, req.headers.host);
    refuse(res, refusal.status, refusal.code, refusal.message);
    return true;
  }
  if (!APP_METHODS.has(req.method ?? "")) {
    refuse(res, 405, "METHOD_NOT_ALLOWED", `${String(req.method).slice(0, 20)} is not a method this site answers.`, { Allow: [...APP_METHODS].join(", ") });
    return true;
  }
  if (req.method === "GET" && (req.url === "/api/health" || req.url?.startsWith("/api/health?"))) {
    // Liveness in one turn of the event loop (see publishLiveness in lib/health.ts).
    const health = /** @type {(() => unknown) | undefined} */ (Reflect.get(globalThis, LIVENESS_SLOT));
    if (typeof health === "function") {
      const body = JSON.stringify(health());
      res.writeHead(200, { ...SECURITY_HEADERS, "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body), "X-Instance-Id": instanceId });
      res.end(body);
      return true;
    }
  }
  if (heapProbe && req.method === "GET" && req.url === "/__bench/heap") {
    const body = JSON.stringify(heapProbe());
    res.writeHead(200, { ...SECURITY_HEADERS, "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body), "X-Instance-Id": instanceId });
    res.end(body);
    return true;
  }
  if (req.method === "GET" && (req.url === "/api/ready" || req.url?.startsWith("/api/ready?"))) {
    // Not ready while draining after SIGTERM: a balancer that was not told first (an orchestrator's
    // rolling restart) stops sending new readers before the process goes.
    const answer = ready && !draining;
    const body = JSON.stringify({ ready: answer, draining, instance: { id: instanceId, pid: process.pid, port } });
    res.writeHead(answer ? 200 : 503, {
      ...SECURITY_HEADERS,
      "Content-Type": "application/json",
      "Content-Length": Buffer.byteLength(body),
      "X-Instance-Id": instanceId,
    });
    res.end(body);
    return true;
  }
  if (decodedPath(req.url) === null) {
    if (wantsJson(req.url)) {
      refuse(res, 400, "INVALID_PATH", "The URL's path has a malformed percent-escape (such as %zz or a lone %).");
      return true;
    }
    // A page: let the app render its own 404, with its own headers.
    req.url = NOT_FOUND_PATH;
  }
  return false;
}

const app = next({ dev: false, dir: ROOT, hostname, port });
const handle = app.getRequestHandler();
await app.prepare();

let draining = false;
let ready = false;

/** The requests that load every route's code before the first reader arrives (cookie mode: no store is touched). */
const WARM_UP = [
  ["GET", "/api/health"],
  ["GET", "/"],
  ["POST", "/api/feed"],
  ["GET", "/api/session"],
  ["GET", "/api/session/history"],
  ["POST", "/api/articles/warm-up/read"],
  ["GET", "/articles/warm-up"],
  ["GET", "/history"],
  ["GET", "/inspector"],
  ["GET", "/cluster"],
];

async function warmUp() {
  const started = performance.now();
  for (const [method, path] of WARM_UP) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}${path}`, {
        method,
        headers: { Host: `localhost:${port}`, Cookie: "nr_mode=cookie", "Content-Type": "application/json", "X-Newsroom-Warm-Up": "1" },
        body: method === "POST" ? "{}" : undefined,
      });
      await response.arrayBuffer();
    } catch {
      // A route that fails here fails for readers too, and says so then; readiness is about code loaded.
    }
  }
  // Replicated mode: not ready before this instance has joined its peers and caught up (state
  // transfer), or the balancer would send readers to an instance that has not heard of them.
  const caughtUp = Reflect.get(globalThis, REPLICATION_READY_SLOT);
  if (caughtUp) await caughtUp;
  ready = true;
  console.log(`[newsroom] instance ${instanceId} warmed up in ${Math.round(performance.now() - started)} ms: ready`);
}

const server = createServer((req, res) => {
  if (draining) res.setHeader("Connection", "close");
  if (frontDoor(req, res)) return;
  handle(req, res).catch((/** @type {unknown} */ error) => {
    console.error("[newsroom] request failed", error);
    if (!res.headersSent) refuse(res, 500, "INTERNAL", "Something went wrong on our side; nothing was recorded. Please try again.");
    else res.destroy();
  });
});
server.keepAliveTimeout = Number(process.env.KEEP_ALIVE_TIMEOUT_MS) || 75_000;
// headersTimeout must exceed keepAliveTimeout, or Node closes idle keep-alive sockets early.
server.headersTimeout = server.keepAliveTimeout + 5_000;

let stopping = false;
function shutdown() {
  if (stopping) return;
  stopping = true;
  draining = true;
  setTimeout(() => process.exit(0), SHUTDOWN_GRACE_MS).unref();
  // server.close() also closes idle keep-alive sockets (Node ≥ 19): only after the drain.
  setTimeout(() => server.close(() => process.exit(0)), DRAIN_MS).unref();
}
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);

if (process.env.NEWSROOM_WATCH_PARENT !== "0") {
  // A parent killed with SIGKILL cannot stop us; when it is gone we are re-parented (ppid changes).
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) {
      console.error(`[newsroom] instance ${instanceId}: parent process ${parent} is gone; exiting`);
      process.exit(1);
    }
  }, PARENT_CHECK_MS).unref();
}

server.listen(port, hostname, () => {
  console.log(`[newsroom] instance ${instanceId} listening on http://${hostname}:${port}`);
  void warmUp();
});
