/**
 * The replication channel's server: a port of its own per instance (REPLICATION_PORT), apart from
 * the public HTTP routes, as application servers keep their cluster traffic. Every request must
 * be signed (channel-auth.ts); anything else gets 401 and is not read further. Routes:
 *   POST /replicate {"replicas":[…]}      merge peers' replicas          → {"merged":n}
 *   POST /join {"id","host","port"}        a newcomer joins: link it      → {"members","settings","replicas"}
 *   GET  /replica?sid=…                    this instance's view of one reader (the inspector)
 *   PUT  /settings {"mode","lagMs","version"} from the control plane    → {"applied":bool,"settings"}
 *   GET  /status                           membership, lag and backlog per peer
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { AUTH_HEADERS, MAX_CLOCK_SKEW_MS, verifyMessage } from "./channel-auth";
import type { ReplicationNode } from "./replication-node";
import { isReplicationMode, parseLagMs, type PeerAddress } from "./replication-config";

/** The largest message accepted: a full batch of dense histories stays well under it. */
const MAX_BODY_BYTES = 32 * 1024 * 1024;

class ChannelError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const declared = Number(req.headers["content-length"] ?? 0);
  if (declared > MAX_BODY_BYTES) throw new ChannelError(413, "message too large");
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new ChannelError(413, "message too large");
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function json(body: Buffer): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(body.toString("utf8") || "{}");
    if (typeof value === "object" && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // answered below
  }
  throw new ChannelError(400, "body must be a JSON object");
}

function peerAddress(body: Record<string, unknown>): PeerAddress {
  const { id, host, port } = body;
  if (typeof id !== "string" || !/^[a-z0-9-]{1,32}$/.test(id)) throw new ChannelError(400, "id must be an instance id");
  if (typeof host !== "string" || !/^[A-Za-z0-9.:-]{1,255}$/.test(host)) throw new ChannelError(400, "host must be a host name or address");
  if (typeof port !== "number" || !Number.isInteger(port) || port < 1 || port > 65535) throw new ChannelError(400, "port must be a port number");
  return { id, host, port };
}

async function route(node: ReplicationNode, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? "/", "http://channel");
  const method = req.method ?? "GET";
  // Unsigned or stale: refused before its body is read.
  const time = Number(req.headers[AUTH_HEADERS.time]);
  if (typeof req.headers[AUTH_HEADERS.signature] !== "string" || !(Math.abs(Date.now() - time) <= MAX_CLOCK_SKEW_MS))
    throw new ChannelError(401, "unsigned or stale message");
  const body = await readBody(req);
  const verdict = verifyMessage(node.keys, method, req.url ?? "/", req.headers, body);
  if (!verdict.ok) throw new ChannelError(401, verdict.reason);
  if (method === "POST" && url.pathname === "/replicate") {
    const merged = node.mergeAll(json(body).replicas);
    node.links.get(verdict.from)?.noteContact();
    send(res, 200, { merged });
    return;
  }
  if (method === "POST" && url.pathname === "/join") {
    const peer = peerAddress(json(body));
    if (peer.id !== verdict.from) throw new ChannelError(403, "a peer joins under its own id");
    send(res, 200, node.acceptJoin(peer));
    return;
  }
  if (method === "GET" && url.pathname === "/replica") {
    send(res, 200, node.holderView(url.searchParams.get("sid") ?? ""));
    return;
  }
  if (method === "PUT" && url.pathname === "/settings") {
    const { mode, lagMs, version } = json(body);
    if (!isReplicationMode(mode)) throw new ChannelError(400, 'mode must be "sync" or "async"');
    let lag: number;
    try {
      lag = parseLagMs(lagMs);
    } catch (error) {
      throw new ChannelError(400, (error as Error).message);
    }
    if (typeof version !== "number" || !Number.isSafeInteger(version) || version < 1) throw new ChannelError(400, "version must be a positive whole number");
    const applied = node.applySettings({ mode, lagMs: lag, version });
    send(res, 200, { applied, settings: node.settings });
    return;
  }
  if (method === "GET" && url.pathname === "/status") {
    send(res, 200, node.status());
    return;
  }
  throw new ChannelError(404, `no channel route ${method} ${url.pathname}`);
}

/** Listens on the node's channel port; resolves once it accepts connections. */
export async function listenChannel(node: ReplicationNode, host: string, port: number): Promise<Server> {
  const server = createServer((req, res) => {
    route(node, req, res).catch((error: unknown) => {
      const status = error instanceof ChannelError ? error.status : 500;
      if (status === 500) node.log(`channel request failed: ${(error as Error).stack ?? String(error)}`);
      if (!res.headersSent) send(res, status, { error: status === 500 ? "internal error" : (error as Error).message });
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 60_000;
  server.headersTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  return server;
}
