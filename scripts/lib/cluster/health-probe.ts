/**
 * One question to one instance: GET /api/health (liveness) or /api/ready, answered within
 * HEALTH_TIMEOUT_MS or counted as no answer, and what the cluster page shows of the answer.
 */
import { get as httpGet } from "node:http";
import type { InstanceReplication, KvReadiness } from "../../../lib/cluster-contract";

/** What a health probe learns about an instance. */
export interface HealthReport {
  readers: number | null;
  secretFingerprint: string | null;
  kv: KvReadiness | null;
  replication: InstanceReplication | null;
}

/**
 * How long a health probe may take. Liveness is answered by the instance's front door in one turn
 * of its event loop, but a saturated instance (the chaos and bench runs drive more readers than
 * the machine serves) takes 0.5 s and more per turn, and a probe's new connection needs several:
 * with 2 s, the chaos run called a working instance dead every few seconds. A hung instance is
 * out after two such probes; one that refuses connections, having crashed or stopped, at once.
 */
export const HEALTH_TIMEOUT_MS = 5000;
const MAX_HEALTH_BODY = 64 * 1024;

/**
 * Settles within HEALTH_TIMEOUT_MS whatever happens: null unless the answer was 200. Plain
 * node:http with a hard deadline rather than fetch + AbortSignal: an abort landing while the body
 * is read could leave the fetch unsettled on Node 20, and a probe that never settles stalls the cluster.
 */
export function probe(port: number, path: "/api/health" | "/api/ready" = "/api/health"): Promise<HealthReport | null> {
  return new Promise((resolve) => {
    const request = httpGet({ host: "127.0.0.1", port, path, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size <= MAX_HEALTH_BODY) chunks.push(chunk);
      });
      response.once("end", () => finish(response.statusCode === 200 ? parseHealth(Buffer.concat(chunks)) : null));
      response.once("error", () => finish(null));
    });
    const timer = setTimeout(() => finish(null), HEALTH_TIMEOUT_MS);
    function finish(report: HealthReport | null) {
      clearTimeout(timer);
      request.destroy();
      resolve(report);
    }
    request.once("error", () => finish(null));
  });
}

/** Reads what the cluster shows of /api/health; a body it cannot parse still means "up" (liveness is the 200). */
function parseHealth(body: Buffer): HealthReport {
  try {
    const health = JSON.parse(body.toString("utf8")) as {
      secretFingerprint?: unknown;
      stores?: { memory?: { readers?: unknown }; kv?: { configured?: unknown; ready?: unknown } };
      replication?: {
        caughtUp?: unknown;
        readers?: unknown;
        peers?: Array<{ state?: unknown; backlog?: unknown; lastLagMs?: unknown }>;
      } | null;
    };
    const readers = health.stores?.memory?.readers;
    const kv = health.stores?.kv;
    return {
      readers: typeof readers === "number" ? readers : null,
      secretFingerprint: typeof health.secretFingerprint === "string" ? health.secretFingerprint : null,
      kv: !kv ? null : kv.configured === false ? "not configured" : kv.ready === true ? "ready" : kv.ready === false ? "unreachable" : null,
      replication: parseReplication(health.replication),
    };
  } catch {
    return { readers: null, secretFingerprint: null, kv: null, replication: null };
  }
}

function parseReplication(
  node: { caughtUp?: unknown; readers?: unknown; peers?: Array<{ state?: unknown; backlog?: unknown; lastLagMs?: unknown }> } | null | undefined,
): InstanceReplication | null {
  if (!node || typeof node !== "object") return null;
  const peers = Array.isArray(node.peers) ? node.peers : [];
  const lags = peers.map((p) => p.lastLagMs).filter((lag): lag is number => typeof lag === "number");
  return {
    caughtUp: node.caughtUp === true,
    readers: typeof node.readers === "number" ? node.readers : 0,
    peersUp: peers.filter((p) => p.state === "up").length,
    peersDown: peers.filter((p) => p.state === "down").length,
    backlog: peers.reduce((sum, p) => sum + (typeof p.backlog === "number" ? p.backlog : 0), 0),
    lastLagMs: lags.length > 0 ? Math.max(...lags) : null,
  };
}
