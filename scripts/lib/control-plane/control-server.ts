/**
 * The control plane's HTTP server, on 127.0.0.1 behind HAProxy. HAProxy sends it three kinds of
 * request (see ../haproxy/config.ts), and nothing on the readers' path:
 *  - /__cluster[/…]: the admin API (admin-api.ts);
 *  - the demo's printed admin link (`/?admin_token=…`): exchanged for the admin cookie;
 *  - everything, while no instance is in HAProxy's rotation: a browser asking for a page gets the
 *    recovery page (its button starts the instances), anything else the JSON 503.
 * It checks Host again (HAProxy already did): a local process may talk to this port directly.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { ClusterError, type Cluster } from "../cluster/cluster";
import type { RedisAdmin } from "../redis-admin";
import { checkHost, hostRefusal, SECURITY_HEADERS } from "../request-guards.mjs";
import { answerAdmin, isAdminPath } from "./admin-api";
import { adminLink } from "./admin-guard";
import { sendError } from "./http";
import { createInstanceProxy } from "./instance-proxy";
import { recoveryPage } from "./recovery-page";

export { isLoopback } from "./http";

export interface ControlServer {
  port: number;
  close(): Promise<void>;
}

export interface ControlServerOptions {
  /** Port on 127.0.0.1 (HAProxy's `control` backend points here). Default 0: a free one. */
  port?: number;
  /** Where its lines go (default console.log). */
  log?: (line: string) => void;
  /** This run's admin token: required (with same-origin JSON) by every call that changes the cluster. See admin-guard.ts. */
  adminToken: string;
  /** Host names answered besides the loopback ones (ALLOWED_HOSTS, --host; default none); anything else gets 421. */
  allowedHosts?: readonly string[];
  /** kv mode's Redis for GET /__cluster and its node controls (default: none, `redis: null`). */
  redis?: RedisAdmin;
}

/** Idle keep-alive towards HAProxy; above its `timeout http-keep-alive` so HAProxy is the one to close. */
const KEEP_ALIVE_MS = 75_000;

/** A browser asking for a page (not the API, a build asset or a script's fetch). */
function wantsPage(req: IncomingMessage): boolean {
  if (req.method !== "GET" && req.method !== "HEAD") return false;
  const path = (req.url ?? "/").split("?")[0]!;
  if (path.startsWith("/api/") || path.startsWith("/_next/") || path === "/icon.svg" || path === "/favicon.ico") return false;
  return (req.headers.accept ?? "").includes("text/html");
}

/** What every request gets while no instance is in rotation. */
function answerNoInstance(req: IncomingMessage, res: ServerResponse): void {
  if (wantsPage(req)) {
    const page = recoveryPage();
    res.writeHead(503, { ...SECURITY_HEADERS, ...page.headers, "Content-Length": Buffer.byteLength(page.html) });
    res.end(req.method === "HEAD" ? undefined : page.html);
    return;
  }
  req.resume(); // a body nobody will read must not hold the connection
  sendError(res, 503, "NO_INSTANCE", "No instance is up right now. Start one with POST /__cluster/instances/{id}/start (or open any page in a browser).");
}

export async function startControlServer(cluster: Cluster, options: ControlServerOptions): Promise<ControlServer> {
  const log = options.log ?? ((line: string) => console.log(line));
  const instanceProxy = await createInstanceProxy();
  const admin = { cluster, instanceProxy, adminToken: options.adminToken, log, redis: options.redis };
  const allowedHosts = options.allowedHosts ?? [];

  const server: Server = createServer((req, res) => {
    const host = checkHost(req.headers.host, allowedHosts);
    if (host !== "ok") {
      const refusal = hostRefusal(host, req.headers.host);
      sendError(res, refusal.status, refusal.code, refusal.message);
      return;
    }
    const link = adminLink(req, options.adminToken);
    if (link) {
      // The demo's printed link: exchange the token for the admin cookie, then drop it from the URL.
      if (!link.cookie) {
        sendError(res, 403, "ADMIN_TOKEN_MISMATCH", "This admin link belongs to another run of the demo: use the link it printed this time.");
        return;
      }
      res.writeHead(303, { ...SECURITY_HEADERS, Location: link.location, "Set-Cookie": link.cookie, "Content-Length": 0 });
      res.end();
      return;
    }
    const path = (req.url ?? "/").split("?")[0]!;
    if (!isAdminPath(path)) {
      answerNoInstance(req, res);
      return;
    }
    answerAdmin(admin, req, res, path).catch((error: unknown) => {
      if (error instanceof ClusterError) sendError(res, error.status, error.code, error.message);
      else sendError(res, 500, "CONTROL_PLANE_ERROR", (error as Error).message);
    });
  });
  server.keepAliveTimeout = KEEP_ALIVE_MS;
  server.headersTimeout = KEEP_ALIVE_MS + 5_000;

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      instanceProxy.close();
    },
  };
}
