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
 * And it keeps the instance honest about its lifetime:
 *  - SIGTERM/SIGINT: stop accepting, let requests in flight finish (at most SHUTDOWN_GRACE_MS), exit;
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
 */
import { createServer } from "node:http";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import next from "next";
import { allowedHostNames, APP_METHODS, checkHost, decodedPath, errorBody, hostRefusal, SECURITY_HEADERS, wantsJson } from "./lib/request-guards.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const SHUTDOWN_GRACE_MS = 3000;
const PARENT_CHECK_MS = 500;
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

const server = createServer((req, res) => {
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
  server.close(() => process.exit(0));
  server.closeIdleConnections();
  setTimeout(() => process.exit(0), SHUTDOWN_GRACE_MS).unref();
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
});
