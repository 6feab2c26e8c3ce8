/**
 * The one request the control plane itself proxies: the admin API's "what does instance b hold
 * for me?" (GET /__cluster/instances/{id}/session), sent straight to that instance outside the
 * balancer's rotation. Everything else reaches the instances through HAProxy.
 */
import { Agent, type IncomingMessage, type ServerResponse } from "node:http";
import { Readable } from "node:stream";
import { UPSTREAM_KEEP_ALIVE_MS } from "../app-instance";

export interface InstanceProxy {
  /** Proxies the request (its headers, no body) to one instance's port on 127.0.0.1. */
  forwardTo(req: IncomingMessage, res: ServerResponse, port: number): Promise<void>;
  close(): void;
}

export async function createInstanceProxy(): Promise<InstanceProxy> {
  const { createProxyServer } = await import("httpxy");
  // Idle sockets are dropped well before the instance would close them (UPSTREAM_KEEP_ALIVE_MS).
  const agent = new Agent({ keepAlive: true, maxSockets: 16, timeout: UPSTREAM_KEEP_ALIVE_MS - 15_000 });
  const proxy = createProxyServer({ xfwd: true, agent, proxyTimeout: 10_000 });
  return {
    forwardTo: async (req, res, port) => {
      await proxy.web(req, res, { target: `http://127.0.0.1:${port}`, buffer: Readable.from([]) });
    },
    close: () => agent.destroy(),
  };
}
