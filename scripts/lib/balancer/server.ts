/**
 * The demo's load balancer: one port that refuses foreign Host headers, exchanges the printed
 * admin link for the admin cookie, answers /__cluster (admin-api.ts) and proxies everything else
 * to an instance (forward.ts) by the cluster's policy (../cluster/routing.ts).
 */
import { createServer, type Server } from "node:http";
import type { RedisAdmin } from "../redis-admin";
import type { AddressInfo } from "node:net";
import { ClusterError } from "../cluster/cluster";
import { checkHost, hostRefusal, SECURITY_HEADERS } from "../request-guards.mjs";
import { answerAdmin, isAdminPath } from "./admin-api";
import { adminLink } from "./admin-guard";
import type { BalancedCluster } from "./balanced-cluster";
import { createForwarder } from "./forward";
import { sendError } from "./http";

export type { BalancedCluster } from "./balanced-cluster";
export { isLoopback } from "./http";

export interface Balancer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export interface BalancerOptions {
  port: number;
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  /** Where the balancer's lines go (default console.log). */
  log?: (line: string) => void;
  /** This run's admin token: required (with same-origin JSON) by every call that changes the cluster. See admin-guard.ts. */
  adminToken: string;
  /** Host names answered besides the loopback ones (ALLOWED_HOSTS, --host; default none); anything else gets 421. */
  allowedHosts?: readonly string[];
  /** kv mode's Redis for GET /__cluster and its node controls (default: none, `redis: null`). */
  redis?: RedisAdmin;
}

/** Idle keep-alive to browsers; above the common 60 s of clients so the balancer is not the one to race them. */
const CLIENT_KEEP_ALIVE_MS = 65_000;

export async function startBalancer(cluster: BalancedCluster, options: BalancerOptions): Promise<Balancer> {
  const log = options.log ?? ((line: string) => console.log(line));
  const forwarder = await createForwarder(cluster, log);
  const admin = { cluster, forwarder, adminToken: options.adminToken, log, redis: options.redis };
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
    const work = isAdminPath(path) ? answerAdmin(admin, req, res, path) : forwarder.forward(req, res);
    work.catch((error: unknown) => {
      if (error instanceof ClusterError) sendError(res, error.status, error.code, error.message);
      else sendError(res, 500, "BALANCER_ERROR", (error as Error).message);
    });
  });
  server.keepAliveTimeout = CLIENT_KEEP_ALIVE_MS;

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host ?? "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      forwarder.close();
    },
  };
}
