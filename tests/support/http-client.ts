/**
 * HTTP for the balancer's tests: node:http, because fetch will not send a Host header of our
 * choosing, and a raw socket for what no client library sends (no Host, two Host headers).
 */
import { Agent, request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { connect } from "node:net";

export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** The instance that answered (X-Instance-Id), null when the balancer answered itself. */
  instance: string | null;
  /** The local port of the connection it came over: the same port means the same connection. */
  localPort: number | undefined;
  json<T = unknown>(): T;
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Address to connect to. Default 127.0.0.1. */
  host?: string;
  /** A keep-alive agent to reuse connections; default: a fresh connection per request. */
  agent?: Agent;
}

export function request(port: number, path: string, options: RequestOptions = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: options.host ?? "127.0.0.1", port, path, method: options.method ?? "GET", headers: options.headers, agent: options.agent ?? false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.once("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          const instance = res.headers["x-instance-id"];
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text,
            instance: typeof instance === "string" ? instance : null,
            localPort: res.socket?.localPort,
            json: <T>() => JSON.parse(text) as T,
          });
        });
        res.once("error", reject);
      },
    );
    req.setTimeout(15_000, () => req.destroy(new Error(`no answer to ${path} within 15 s`)));
    req.once("error", reject);
    req.end(options.body);
  });
}

/** Sends `text` as-is and returns the status line's code, the headers (lower-cased) and the body. */
export function rawRequest(port: number, text: string): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    const chunks: Buffer[] = [];
    socket.setTimeout(10_000, () => socket.destroy(new Error("no answer within 10 s")));
    socket.once("connect", () => socket.write(text));
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.once("error", reject);
    socket.once("close", () => {
      const response = Buffer.concat(chunks).toString("utf8");
      const [head = "", body = ""] = response.split("\r\n\r\n", 2);
      const [statusLine = "", ...lines] = head.split("\r\n");
      const headers = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf(":")).toLowerCase(), line.slice(line.indexOf(":") + 1).trim()]));
      resolve({ status: Number(statusLine.split(" ")[1]), headers, body });
    });
  });
}
