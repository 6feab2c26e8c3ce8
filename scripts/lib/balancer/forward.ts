/**
 * The proxy half of the balancer, on httpxy (a maintained http-proxy fork that runs on Node 20):
 * routing.ts picks the instance, this file carries the request there. A request refused at
 * connect is retried once on another instance; a GET whose reused connection was reset, too.
 */
import { Agent, type IncomingMessage, type ServerResponse } from "node:http";
import { Readable } from "node:stream";
import { UPSTREAM_KEEP_ALIVE_MS } from "../app-instance";
import { AFFINITY_COOKIE, isStaticAsset, PIN_HEADER, Router } from "../cluster/routing";
import type { BalancedCluster } from "./balanced-cluster";
import { readBody, sendError } from "./http";
import { recoveryPage } from "./recovery-page";
import { SECURITY_HEADERS } from "../request-guards.mjs";

export interface Forwarder {
  /** Routes the request by the cluster's policy and proxies it. */
  forward(req: IncomingMessage, res: ServerResponse): Promise<void>;
  /** Proxies the request to one given port, outside the rotation (the admin API's per-instance view). */
  forwardTo(req: IncomingMessage, res: ServerResponse, port: number): Promise<void>;
  close(): void;
}

/** A browser asking for a page (not the API, an asset or a script's fetch). */
function wantsPage(req: IncomingMessage): boolean {
  if (req.method !== "GET" && req.method !== "HEAD") return false;
  const path = (req.url ?? "/").split("?")[0]!;
  if (path.startsWith("/api/") || path.startsWith("/_next/") || isStaticAsset(req.url)) return false;
  return (req.headers.accept ?? "").includes("text/html");
}

function sendRecoveryPage(req: IncomingMessage, res: ServerResponse): void {
  const page = recoveryPage();
  res.writeHead(503, { ...SECURITY_HEADERS, ...page.headers, "Content-Length": Buffer.byteLength(page.html) });
  res.end(req.method === "HEAD" ? undefined : page.html);
}

export async function createForwarder(cluster: BalancedCluster, log: (line: string) => void): Promise<Forwarder> {
  const { createProxyServer } = await import("httpxy");
  // Keep-alive to the instances: a fresh TCP connection per request would dominate latency.
  // Idle sockets are dropped well before the instance would close them (UPSTREAM_KEEP_ALIVE_MS).
  const agent = new Agent({ keepAlive: true, maxSockets: 256, timeout: UPSTREAM_KEEP_ALIVE_MS - 15_000 });
  const proxy = createProxyServer({ xfwd: true, agent, proxyTimeout: 60_000 });
  const router = new Router();
  /** Requests whose answer must set the affinity cookie (sticky placed a newcomer). */
  const newAffinity = new WeakMap<IncomingMessage, string>();

  proxy.on("proxyRes", (proxyRes, req) => {
    const pinTo = newAffinity.get(req);
    if (!pinTo) return;
    const existing = proxyRes.headers["set-cookie"] ?? [];
    proxyRes.headers["set-cookie"] = [...existing, `${AFFINITY_COOKIE}=${pinTo}; Path=/; HttpOnly; SameSite=Lax`];
  });

  async function forward(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const tried = new Set<string>();
    const pin = req.headers[PIN_HEADER];
    const request = { url: req.url, cookie: req.headers.cookie, pin: typeof pin === "string" ? pin : undefined };
    for (let attempt = 0; attempt < 2; attempt++) {
      const route = router.choose(request, cluster.routable(), cluster.policy, tried);
      if (!route) {
        if (attempt === 0 && wantsPage(req)) sendRecoveryPage(req, res);
        else
          sendError(
            res,
            503,
            "NO_INSTANCE",
            "No instance is up right now. Start one with POST /__cluster/instances/{id}/start (or open any page in a browser).",
          );
        return;
      }
      const target = route.instance;
      if (route.pinWithCookie) newAffinity.set(req, target.id);
      else newAffinity.delete(req);
      tried.add(target.id);
      cluster.countServed(target.id);
      try {
        await proxy.web(req, res, { target: `http://127.0.0.1:${target.port}`, buffer: Readable.from(body.length ? [body] : []) });
        return;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        const idempotent = req.method === "GET" || req.method === "HEAD";
        if (code === "ECONNREFUSED" && !res.headersSent && attempt === 0) {
          // Refused at connect: nothing reached the instance, so another one may safely take it.
          cluster.markDown(target.id);
          log(`[balancer] instance ${target.id} refused a connection; retrying on another`);
          continue;
        }
        if ((code === "ECONNRESET" || code === "EPIPE") && idempotent && !res.headersSent && attempt === 0) {
          // A reused connection closed under us (the instance is stopping): safe to repeat a GET.
          log(`[balancer] connection to instance ${target.id} reset; retrying ${req.method} on another`);
          continue;
        }
        sendError(res, 502, "BAD_GATEWAY", `instance ${target.id} failed: ${code ?? (error as Error).message}`);
        return;
      }
    }
  }

  return {
    forward,
    forwardTo: async (req, res, port) => {
      await proxy.web(req, res, { target: `http://127.0.0.1:${port}`, buffer: Readable.from([]) });
    },
    close: () => agent.destroy(),
  };
}
