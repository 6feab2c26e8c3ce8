/** Small HTTP helpers shared by the balancer's proxy and its admin API. */
import type { IncomingMessage, ServerResponse } from "node:http";
import { ClusterError } from "../cluster/cluster";
import { SECURITY_HEADERS } from "../request-guards.mjs";

/** The largest request body the balancer buffers (it replays the body on a retry). */
const MAX_BODY_BYTES = 2 * 1024 * 1024;

export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.startsWith("::ffff:") ? address.slice(7) : address;
  return v4.startsWith("127.") || address === "::1";
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
