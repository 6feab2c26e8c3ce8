/**
 * The cluster admin API, on the balancer's port under /__cluster: HAProxy routes the path to the
 * control plane and answers 403 itself to a non-loopback client; the control plane checks again
 * (the client's address from X-Forwarded-For, which HAProxy appends). Calls that change the
 * cluster also need admin-guard.ts's checks. Instance state and the policy are read from HAProxy.
 *   GET  /__cluster                        -> {"balancer","policy","instances":[…],"admin","maxInstances","replication","redis"}
 *        `balancer`: e.g. "HAProxy 2.6.12"; each instance's `status` and `served` are HAProxy's, and its
 *        `balancer` holds HAProxy's own words ({"state","lastCheck","inRotation","active","served"}).
 *        `redis`: kv mode's Redis, {"mode":"single"|"cluster","waitReplicas","nodes":[{"name","address",
 *        "process","role","slots","replicaOf","cluster"}]} (lib/cluster-contract.ts RedisView), or null.
 *   POST /__cluster/redis/{node}/stop      -> SIGTERM one node of a Redis Cluster we started (--redis cluster)
 *   POST /__cluster/redis/{node}/start     -> start it again on its port and directory: it rejoins (as a
 *        replica if its slots were failed over). Both answer {"redis": RedisView}; 409 REDIS_NOT_CLUSTER on
 *        one Redis, REDIS_EXTERNAL for REDIS_CLUSTER_URLS's nodes, REDIS_NODE_STOPPED / _RUNNING; 404 UNKNOWN_REDIS_NODE.
 *   POST /__cluster/instances/{id}/stop    -> stops the instance's whole process group
 *   POST /__cluster/instances/{id}/start   -> starts it again, answers once it is ready
 *   POST /__cluster/instances              -> scale out by one (201; 409 INSTANCE_LIMIT at --max-instances)
 *   PUT  /__cluster/policy {"policy"}      -> "round-robin" | "sticky"
 *   PUT  /__cluster/replication {"mode"?, "lagMs"?}
 *                                          -> replicated mode: "sync" | "async", and the added lag
 *        (0..60000 ms) before a change leaves for a peer; pushed to every running instance at once.
 *        Answers {"replication","pushed":[{"id","applied","error"?}]}; 409 REPLICATION_OFF without replication.
 *   GET  /__cluster/instances/{id}/session -> that one instance's GET /api/session for the caller's
 *        cookies, bypassing the policy: how memory mode shows which process holds a reader.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { REPLICATION_MODES, type ReplicationModeName, type ReplicationSettingsView } from "../../../lib/cluster-contract";
import { parseLagMs } from "../../../lib/session/replicated/replication-config";
import { ClusterError, POLICIES, type Cluster, type Policy } from "../cluster/cluster";
import { decodedPath } from "../request-guards.mjs";
import { checkAdminWrite, hasAdminToken } from "./admin-guard";
import type { InstanceProxy } from "./instance-proxy";
import type { RedisAdmin } from "../redis-admin";
import { clientAddress, isLoopback, readBody, sendError, sendJson } from "./http";

export function isAdminPath(path: string): boolean {
  return path === "/__cluster" || path.startsWith("/__cluster/");
}

export interface AdminApiContext {
  cluster: Cluster;
  instanceProxy: InstanceProxy;
  adminToken: string;
  log: (line: string) => void;
  /** kv mode's Redis (nodes, stop/start); absent: GET /__cluster says redis: null. */
  redis?: RedisAdmin;
}

async function readPolicy(req: IncomingMessage): Promise<Policy> {
  let policy: unknown;
  try {
    policy = (JSON.parse((await readBody(req)).toString("utf8") || "{}") as { policy?: unknown }).policy;
  } catch {
    throw new ClusterError(400, "INVALID_JSON", 'body must be JSON like {"policy":"sticky"}');
  }
  if (!POLICIES.includes(policy as Policy)) throw new ClusterError(400, "INVALID_INPUT", `policy must be one of ${POLICIES.join(", ")}`);
  return policy as Policy;
}

async function readReplication(req: IncomingMessage): Promise<Partial<ReplicationSettingsView>> {
  let body: { mode?: unknown; lagMs?: unknown };
  try {
    body = JSON.parse((await readBody(req)).toString("utf8") || "{}") as typeof body;
  } catch {
    throw new ClusterError(400, "INVALID_JSON", 'body must be JSON like {"mode":"async","lagMs":300}');
  }
  if (typeof body !== "object" || body === null || Array.isArray(body))
    throw new ClusterError(400, "INVALID_JSON", 'body must be a JSON object like {"mode":"sync"}');
  const next: Partial<ReplicationSettingsView> = {};
  if (body.mode !== undefined) {
    if (!REPLICATION_MODES.includes(body.mode as ReplicationModeName))
      throw new ClusterError(400, "INVALID_INPUT", `mode must be one of ${REPLICATION_MODES.join(", ")}`);
    next.mode = body.mode as ReplicationModeName;
  }
  if (body.lagMs !== undefined) {
    try {
      next.lagMs = parseLagMs(body.lagMs);
    } catch (error) {
      throw new ClusterError(400, "INVALID_INPUT", (error as Error).message);
    }
  }
  if (next.mode === undefined && next.lagMs === undefined) throw new ClusterError(400, "INVALID_INPUT", 'give "mode" ("sync" or "async"), "lagMs", or both');
  return next;
}

export async function answerAdmin(context: AdminApiContext, req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
  const { cluster } = context;
  if (!isLoopback(clientAddress(req))) {
    sendError(res, 403, "FORBIDDEN", "The cluster admin API only answers loopback clients.");
    return;
  }
  const method = req.method ?? "GET";
  if (decodedPath(path) === null) throw new ClusterError(400, "INVALID_PATH", "The URL's path has a malformed percent-escape (such as %zz or a lone %).");
  const parts = path.split("/").filter(Boolean); // ["__cluster", ...]
  if (method !== "GET" && method !== "HEAD") checkAdminWrite(req, context.adminToken);
  if (parts.length === 1 && method === "GET") {
    // `admin`: whether this caller may change the cluster (the page cannot read its HttpOnly cookie).
    const view = await cluster.view();
    sendJson(res, 200, {
      balancer: view.balancer,
      policy: view.policy,
      instances: view.instances,
      admin: hasAdminToken(req, context.adminToken),
      maxInstances: cluster.maxInstances,
      replication: cluster.replicationSettings,
      redis: (await context.redis?.view()) ?? null,
    });
    return;
  }
  if (parts.length === 4 && parts[1] === "redis" && method === "POST" && (parts[3] === "stop" || parts[3] === "start")) {
    if (!context.redis) throw new ClusterError(409, "REDIS_NOT_CLUSTER", "this balancer does not manage kv mode's Redis");
    sendJson(res, 200, { redis: await context.redis.control(decodeURIComponent(parts[2]!), parts[3]) });
    return;
  }
  if (parts.length === 2 && parts[1] === "replication" && method === "PUT") {
    const next = await readReplication(req);
    const pushed = await cluster.setReplication(next);
    sendJson(res, 200, { replication: cluster.replicationSettings, pushed });
    return;
  }
  if (parts.length === 2 && parts[1] === "policy" && method === "PUT") {
    const policy = await readPolicy(req);
    await cluster.setPolicy(policy);
    context.log(`[cluster] balancer policy is now ${policy}`);
    const view = await cluster.view();
    sendJson(res, 200, { policy: view.policy, instances: view.instances });
    return;
  }
  if (parts.length === 2 && parts[1] === "instances" && method === "POST") {
    sendJson(res, 201, await cluster.addInstance());
    return;
  }
  if (parts.length === 4 && parts[1] === "instances" && method === "GET" && parts[3] === "session") {
    const id = decodeURIComponent(parts[2]!);
    const instances = (await cluster.view()).instances;
    const target = instances.find((m) => m.id === id);
    if (!target) throw new ClusterError(404, "UNKNOWN_INSTANCE", `no instance "${id}"; instances are ${instances.map((m) => m.id).join(", ")}`);
    if (target.status !== "up") throw new ClusterError(503, "INSTANCE_DOWN", `instance ${target.id} is ${target.status}`);
    // Straight to that instance, outside the rotation: the question is "what does b hold?".
    req.url = "/api/session";
    await context.instanceProxy.forwardTo(req, res, target.port);
    return;
  }
  if (parts.length === 4 && parts[1] === "instances" && method === "POST" && (parts[3] === "stop" || parts[3] === "start")) {
    const id = decodeURIComponent(parts[2]!);
    sendJson(res, 200, parts[3] === "stop" ? await cluster.stopInstance(id) : await cluster.startInstance(id));
    return;
  }
  sendError(res, 404, "NOT_FOUND", `no admin route ${method} ${path}`);
}
