/** Small HTTP helpers of the control plane's server and its admin API. */
import type { IncomingMessage, ServerResponse } from "node:http";
import { ClusterError } from "../cluster/cluster";
import { SECURITY_HEADERS } from "../request-guards.mjs";

/** The largest request body the control plane reads (admin calls carry a few bytes of JSON). */
const MAX_BODY_BYTES = 2 * 1024 * 1024;

export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.startsWith("::ffff:") ? address.slice(7) : address;
  return v4.startsWith("127.") || address === "::1";
}

/**
 * The client a request came from. The control plane listens on 127.0.0.1 behind HAProxy, whose
 * `option forwardfor` appends the address it accepted the connection from to X-Forwarded-For:
 * the last entry is HAProxy's word (earlier ones are whatever the client sent, so never trusted).
 * A loopback caller without the header is a local process talking to the control port directly.
 */
export function clientAddress(req: IncomingMessage): string | undefined {
  const peer = req.socket.remoteAddress;
  const forwarded = req.headers["x-forwarded-for"];
  if (!isLoopback(peer) || forwarded === undefined) return peer;
  const last = (Array.isArray(forwarded) ? forwarded.join(",") : forwarded).split(",").pop()?.trim();
  return last || undefined;
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, { ...SECURITY_HEADERS, "Content-Type": "application/json", "Content-Length": Buffer.byteLength(payload), ...headers });
  res.end(payload);
}

/** The API's error envelope; a response already under way is cut instead (its status is gone). */
export function sendError(res: ServerResponse, status: number, code: string, message: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, status, { error: { code, message } });
}

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > MAX_BODY_BYTES) throw new ClusterError(413, "PAYLOAD_TOO_LARGE", "request body too large for the balancer");
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
