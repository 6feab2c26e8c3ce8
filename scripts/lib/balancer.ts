/**
 * The load balancer in front of the cluster, on httpxy (a maintained http-proxy fork that runs
 * on Node 20). Policies: round-robin (what App Engine effectively does) and sticky (an affinity
 * cookie set here). A request refused at connect is retried once on another instance.
 *
 * Admin API on the same port, loopback clients only, under /__cluster:
 *   GET  /__cluster                       -> {"policy","instances":[{"id","port","pid","status","served"}]}
 *   POST /__cluster/instances/{id}/stop   -> stops the instance's whole process group
 *   POST /__cluster/instances/{id}/start  -> starts it again, answers once it is healthy
 *   POST /__cluster/instances             -> scale out by one (201)
 *   PUT  /__cluster/policy {"policy"}     -> "round-robin" | "sticky"
 * and one addition for the inspector:
 *   GET  /__cluster/instances/{id}/session -> that one instance's GET /api/session for the caller's
 *        cookies, bypassing the policy: how memory mode shows which process holds a reader.
 */
import { createServer, Agent, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import { UPSTREAM_KEEP_ALIVE_MS } from "./app-instance";
import { Cluster, ClusterError, POLICIES, type Policy, type RoutedInstance } from "./cluster";
import { adminLink, checkAdminWrite, hasAdminToken } from "./admin-guard";
import { recoveryPage } from "./recovery-page";
import { checkHost, decodedPath, hostRefusal, SECURITY_HEADERS } from "./request-guards.mjs";

export const AFFINITY_COOKIE = "nr_lb";
/**
 * A request carrying this header goes to that instance if it is up, whatever the policy (and sets
 * no affinity). It only chooses which of our instances serves the caller's own request, as the
 * sticky cookie does: the UI uses it to ask one chosen instance, e.g. what memory mode holds there
 * before the reader leaves it, and to send the switch to that same instance.
 */
export const PIN_HEADER = "x-newsroom-instance";
const MAX_BODY_BYTES = 2 * 1024 * 1024;

export interface Balancer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.startsWith("::ffff:") ? address.slice(7) : address;
  return v4.startsWith("127.") || address === "::1";
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, { ...SECURITY_HEADERS, "Content-Type": "application/json", "Content-Length": Buffer.byteLength(payload), ...headers });
  res.end(payload);
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

function sendError(res: ServerResponse, status: number, code: string, message: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, status, { error: { code, message } });
}

/** Content-hashed build output and the icon: identical on every instance, outside the main rotation. */
function isStaticAsset(url: string | undefined): boolean {
  const path = (url ?? "/").split("?")[0]!;
  return path.startsWith("/_next/static/") || path === "/icon.svg" || path === "/favicon.ico";
}

function affinityFrom(req: IncomingMessage): string | null {
  const cookie = req.headers.cookie ?? "";
  const match = new RegExp(`(?:^|;\\s*)${AFFINITY_COOKIE}=([A-Za-z0-9]+)`).exec(cookie);
  return match ? match[1]! : null;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > MAX_BODY_BYTES) throw new ClusterError(413, "PAYLOAD_TOO_LARGE", "request body too large for the balancer");
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** What the balancer needs of a cluster (the real Cluster, or a stand-in in tests). */
export type BalancedCluster = Pick<
  Cluster,
  "policy" | "upInstances" | "nextRoundRobin" | "countServed" | "markDown" | "list" | "setPolicy" | "addInstance" | "stopInstance" | "startInstance" | "maxInstances"
>;

export interface BalancerOptions {
  port: number;
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  log?: (line: string) => void;
  /** This run's admin token: required (with same-origin JSON) by every call that changes the cluster. See admin-guard.ts. */
  adminToken: string;
  /** Host names answered besides the loopback ones (ALLOWED_HOSTS, --host); anything else gets 421. */
  allowedHosts?: readonly string[];
}

export async function startBalancer(cluster: BalancedCluster, options: BalancerOptions): Promise<Balancer> {
  const { createProxyServer } = await import("httpxy");
  // Keep-alive to the instances: a fresh TCP connection per request would dominate latency.
  // Idle sockets are dropped well before the instance would close them (UPSTREAM_KEEP_ALIVE_MS).
  const agent = new Agent({ keepAlive: true, maxSockets: 256, timeout: UPSTREAM_KEEP_ALIVE_MS - 15_000 });
  const proxy = createProxyServer({ xfwd: true, agent, proxyTimeout: 60_000 });
  const newAffinity = new WeakMap<IncomingMessage, string>();
  const log = options.log ?? ((line: string) => console.log(line));

  proxy.on("proxyRes", (proxyRes, req) => {
    const pinTo = newAffinity.get(req);
    if (!pinTo) return;
    const existing = proxyRes.headers["set-cookie"] ?? [];
    proxyRes.headers["set-cookie"] = [...existing, `${AFFINITY_COOKIE}=${pinTo}; Path=/; HttpOnly; SameSite=Lax`];
  });

  function choose(req: IncomingMessage, exclude: Set<string>): RoutedInstance | null {
    const pin = req.headers[PIN_HEADER];
    if (typeof pin === "string") {
      const pinned = cluster.upInstances().find((m) => m.id === pin && !exclude.has(m.id));
      if (pinned) return pinned;
    }
    if (cluster.policy === "sticky") {
      const pinned = affinityFrom(req);
      const target = cluster.upInstances().find((m) => m.id === pinned && !exclude.has(m.id));
      if (target) return target;
      const chosen = cluster.nextRoundRobin(exclude);
      if (chosen) newAffinity.set(req, chosen.id);
      return chosen;
    }
    newAffinity.delete(req);
    return cluster.nextRoundRobin(exclude, isStaticAsset(req.url) ? "assets" : "requests");
  }

  async function forward(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const tried = new Set<string>();
    for (let attempt = 0; attempt < 2; attempt++) {
      const target = choose(req, tried);
      if (!target) {
        if (attempt === 0 && wantsPage(req)) sendRecoveryPage(req, res);
        else sendError(res, 503, "NO_INSTANCE", "No instance is up right now. Start one with POST /__cluster/instances/{id}/start (or open any page in a browser).");
        return;
      }
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

  async function admin(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    if (!isLoopback(req.socket.remoteAddress)) {
      sendError(res, 403, "FORBIDDEN", "The cluster admin API only answers loopback clients.");
      return;
    }
    const method = req.method ?? "GET";
    if (decodedPath(path) === null) throw new ClusterError(400, "INVALID_PATH", "The URL's path has a malformed percent-escape (such as %zz or a lone %).");
    const parts = path.split("/").filter(Boolean); // ["__cluster", ...]
    if (method !== "GET" && method !== "HEAD") checkAdminWrite(req, options.adminToken);
    if (parts.length === 1 && method === "GET") {
      // `admin`: whether this caller may change the cluster (the page cannot read its HttpOnly cookie).
      sendJson(res, 200, { policy: cluster.policy, instances: cluster.list(), admin: hasAdminToken(req, options.adminToken), maxInstances: cluster.maxInstances });
      return;
    }
    if (parts.length === 2 && parts[1] === "policy" && method === "PUT") {
      let policy: unknown;
      try {
        policy = (JSON.parse((await readBody(req)).toString("utf8") || "{}") as { policy?: unknown }).policy;
      } catch {
        throw new ClusterError(400, "INVALID_JSON", "body must be JSON like {\"policy\":\"sticky\"}");
      }
      if (!POLICIES.includes(policy as Policy)) throw new ClusterError(400, "INVALID_INPUT", `policy must be one of ${POLICIES.join(", ")}`);
      cluster.setPolicy(policy as Policy);
      log(`[balancer] policy is now ${String(policy)}`);
      sendJson(res, 200, { policy: cluster.policy, instances: cluster.list() });
      return;
    }
    if (parts.length === 2 && parts[1] === "instances" && method === "POST") {
      sendJson(res, 201, await cluster.addInstance());
      return;
    }
    if (parts.length === 4 && parts[1] === "instances" && method === "GET" && parts[3] === "session") {
      const id = decodeURIComponent(parts[2]!);
      const target = cluster.list().find((m) => m.id === id);
      if (!target) throw new ClusterError(404, "UNKNOWN_INSTANCE", `no instance "${id}"; instances are ${cluster.list().map((m) => m.id).join(", ")}`);
      if (target.status !== "up") throw new ClusterError(503, "INSTANCE_DOWN", `instance ${target.id} is ${target.status}`);
      // Straight to that instance, outside the rotation: the question is "what does b hold?".
      req.url = "/api/session";
      await proxy.web(req, res, { target: `http://127.0.0.1:${target.port}`, buffer: Readable.from([]) });
      return;
    }
    if (parts.length === 4 && parts[1] === "instances" && method === "POST" && (parts[3] === "stop" || parts[3] === "start")) {
      const id = decodeURIComponent(parts[2]!);
      sendJson(res, 200, parts[3] === "stop" ? await cluster.stopInstance(id) : await cluster.startInstance(id));
      return;
    }
    sendError(res, 404, "NOT_FOUND", `no admin route ${method} ${path}`);
  }

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
    const work = path === "/__cluster" || path.startsWith("/__cluster/") ? admin(req, res, path) : forward(req, res);
    work.catch((error: unknown) => {
      if (error instanceof ClusterError) sendError(res, error.status, error.code, error.message);
      else sendError(res, 500, "BALANCER_ERROR", (error as Error).message);
    });
  });
  server.keepAliveTimeout = 65_000;

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
      agent.destroy();
    },
  };
}
