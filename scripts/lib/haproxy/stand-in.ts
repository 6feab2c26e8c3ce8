/**
 * A stand-in for an app instance, for the balancer's tests and its CPU measurement: a small Node
 * HTTP server that answers like one instance would, so what is under test is the balancer, not
 * Next.js. Every response names the instance in `X-Instance-Id` and carries headers of its own
 * (a CSP, X-Frame-Options, Cache-Control) that the balancer must pass through untouched.
 *
 *   GET /api/ready           200 {"ready":true}, or 503 after setReady(false)
 *   GET /__stand-in/slow?ms=N  answers after N ms (a slow instance: the balancer's server timeout)
 *   ANY /__stand-in/hang-up    closes the connection without answering (a crash mid-request)
 *   anything else            200 {"instance","method","path","cookie","pin","forwardedFor"}
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

/** What the stand-in sets itself, to prove the balancer does not overwrite an app's headers. */
export const STAND_IN_HEADERS: Readonly<Record<string, string>> = {
  "Content-Security-Policy": "default-src 'self'; img-src 'self' data:",
  "X-Frame-Options": "SAMEORIGIN",
  "Cache-Control": "private, max-age=5",
};

export interface StandIn {
  id: string;
  port: number;
  /** Requests it answered (health checks excluded), by path. */
  readonly served: Map<string, number>;
  /** Requests it answered in total (health checks excluded). */
  total(): number;
  /** Whether /api/ready answers 200 (true) or 503. */
  setReady(ready: boolean): void;
  /** Stops listening and drops every open connection at once: a crashed instance. */
  kill(): Promise<void>;
  /** Listens again on the same port. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export interface StandInOptions {
  id: string;
  /** Port to listen on (127.0.0.1). Default: a free one. */
  port?: number;
}

function json(res: ServerResponse, status: number, body: unknown, id: string): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, { ...STAND_IN_HEADERS, "Content-Type": "application/json", "Content-Length": Buffer.byteLength(payload), "X-Instance-Id": id });
  res.end(payload);
}

export async function startStandIn(options: StandInOptions): Promise<StandIn> {
  const { id } = options;
  const served = new Map<string, number>();
  const sockets = new Set<Socket>();
  let ready = true;
  let server: Server;
  let port = options.port ?? 0;

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://stand-in");
    if (url.pathname === "/api/ready") {
      json(res, ready ? 200 : 503, { ready, instance: id }, id);
      return;
    }
    served.set(url.pathname, (served.get(url.pathname) ?? 0) + 1);
    if (url.pathname === "/__stand-in/hang-up") {
      req.socket.destroy();
      return;
    }
    const echo = {
      instance: id,
      method: req.method,
      path: url.pathname,
      cookie: req.headers.cookie ?? null,
      pin: req.headers["x-newsroom-instance"] ?? null,
      forwardedFor: req.headers["x-forwarded-for"] ?? null,
    };
    const answer = () => json(res, 200, echo, id);
    // Drain the body first: an unread body would leave the keep-alive connection unusable.
    req.resume();
    req.once("end", () => {
      if (url.pathname === "/__stand-in/slow") setTimeout(answer, Number(url.searchParams.get("ms") ?? 0));
      else answer();
    });
  };

  const listen = async () => {
    server = createServer(handle);
    // Longer than HAProxy keeps idle server connections, as the real instances do (app-instance.ts).
    server.keepAliveTimeout = 75_000;
    server.on("connection", (socket) => {
      sockets.add(socket);
      socket.once("close", () => sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => resolve());
    });
    port = (server.address() as AddressInfo).port;
  };

  const stop = async () => {
    if (!server.listening) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of sockets) socket.destroy();
    await closed;
  };

  await listen();
  return {
    id,
    get port() {
      return port;
    },
    served,
    total: () => [...served.values()].reduce((sum, n) => sum + n, 0),
    setReady: (value) => {
      ready = value;
    },
    kill: stop,
    restart: listen,
    close: stop,
  };
}
