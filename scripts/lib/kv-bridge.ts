/**
 * The KV REST bridge: the Upstash REST protocol in front of a real redis-server, so the real
 * @vercel/kv client runs locally exactly as it does against Vercel KV / Upstash in production.
 *
 * Protocol (what @upstash/redis and curl users rely on):
 *   POST /            body ["CMD", "arg", ...]          -> {"result": ...} | 400 {"error": "..."}
 *   POST /pipeline    body [["CMD", ...], ...]          -> [{"result"}|{"error"}, ...]   (not atomic)
 *   POST /multi-exec  body [["CMD", ...], ...]          -> [{"result"}|{"error"}, ...]   (MULTI/EXEC)
 *   GET|POST /cmd/arg/arg...  path-style single command (a POST body is appended as the last arg)
 *   Every route requires "Authorization: Bearer <token>" (401 otherwise).
 *   "Upstash-Encoding: base64" returns every string in base64, so binary values survive JSON.
 * Errors are always JSON. The bridge binds to 127.0.0.1 only and never crashes on bad input.
 * Redis being down answers 503 at once (no offline queue), and the connection heals by itself.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { timingSafeEqual } from "node:crypto";
import { createClient, RESP_TYPES } from "redis";

const MAX_BODY_BYTES = 10 * 1024 * 1024;

/** Commands that would change or block the one shared connection: refused, as Upstash does. */
const REFUSED = new Set([
  "SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE", "UNSUBSCRIBE", "PUNSUBSCRIBE", "MONITOR", "SELECT", "MULTI", "EXEC", "DISCARD",
  "WATCH", "UNWATCH", "QUIT", "RESET", "HELLO", "AUTH", "CLIENT", "BLPOP", "BRPOP", "BLMOVE", "BRPOPLPUSH", "BZPOPMIN",
  "BZPOPMAX", "BLMPOP", "BZMPOP", "XREAD", "XREADGROUP", "WAIT", "SHUTDOWN", "DEBUG",
]);

export interface KvBridgeOptions {
  redisUrl: string;
  token: string;
  /** 0 picks a free port. */
  port?: number;
  /** Counts every Redis command sent, for tests and benchmarks. */
  onCommand?: (name: string) => void;
}

export interface KvBridge {
  url: string;
  port: number;
  stop(): Promise<void>;
  /** Counters since start: HTTP requests, Redis commands, and commands by name (e.g. PING from health checks). */
  stats(): { requests: number; commands: number; byCommand: Record<string, number> };
}

class RequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

type Command = string[];
type Reply = unknown;

/** Bulk and simple strings as Buffers: values are bytes, and only we decide how to encode them. */
const BINARY = { [RESP_TYPES.BLOB_STRING]: Buffer, [RESP_TYPES.SIMPLE_STRING]: Buffer } as const;

function createRedis(url: string) {
  const client = createClient({
    url,
    // Fail fast while Redis is down instead of queueing: the app turns that into a 503.
    disableOfflineQueue: true,
    socket: { connectTimeout: 2000, reconnectStrategy: (retries) => Math.min(100 * (retries + 1), 1000) },
  }).withTypeMapping(BINARY);
  client.on("error", () => {
    // Reconnection is automatic; failed commands report the error to their caller.
  });
  return client;
}

type Redis = ReturnType<typeof createRedis>;

/** Redis replies -> JSON: strings as UTF-8 text or base64, numbers and arrays as they are. */
function encodeReply(reply: Reply, base64: boolean): unknown {
  if (reply === null || reply === undefined) return null;
  if (Buffer.isBuffer(reply)) return base64 ? reply.toString("base64") : reply.toString("utf8");
  // Simple strings ("PONG", "OK") may arrive as text rather than Buffers: encode them alike.
  if (typeof reply === "string") return base64 ? Buffer.from(reply, "utf8").toString("base64") : reply;
  if (Array.isArray(reply)) return reply.map((item) => encodeReply(item, base64));
  if (typeof reply === "bigint") return Number(reply);
  if (reply instanceof Map) return [...reply.entries()].flat().map((item) => encodeReply(item, base64));
  if (reply instanceof Set) return [...reply].map((item) => encodeReply(item, base64));
  return reply;
}

function parseCommand(value: unknown, where = "command"): Command {
  if (!Array.isArray(value) || value.length === 0) throw new RequestError(400, `ERR ${where} must be a non-empty JSON array`);
  const command = value.map((arg) => {
    if (typeof arg === "string") return arg;
    if (typeof arg === "number" || typeof arg === "boolean") return String(arg);
    throw new RequestError(400, `ERR ${where} arguments must be strings or numbers`);
  });
  if (REFUSED.has(command[0]!.toUpperCase())) throw new RequestError(400, `ERR command ${command[0]} is not supported over REST`);
  return command;
}

function parseCommandList(value: unknown): Command[] {
  if (!Array.isArray(value) || value.length === 0) throw new RequestError(400, "ERR body must be a non-empty JSON array of commands");
  return value.map((item, i) => parseCommand(item, `command ${i}`));
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A Redis error reply (bad command, wrong type) vs. Redis not being there at all. */
function isRedisReplyError(error: unknown): boolean {
  return error instanceof Error && error.constructor.name.endsWith("ErrorReply");
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > MAX_BODY_BYTES) throw new RequestError(413, "ERR request body too large");
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function tokenMatches(header: string | undefined, token: string): boolean {
  const match = /^Bearer (.+)$/.exec(header ?? "");
  if (!match) return false;
  const given = Buffer.from(match[1]!);
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export async function startKvBridge(options: KvBridgeOptions): Promise<KvBridge> {
  if (options.token.length < 16) throw new Error("KV bridge token must be at least 16 characters");
  const redis: Redis = createRedis(options.redisUrl);
  // Start even if Redis is down right now: requests answer 503 until it is back. If the very
  // first connect fails, node-redis gives up on the socket, so we keep (re)opening it ourselves.
  let connecting: Promise<unknown> | null = null;
  const ensureOpen = () => {
    if (!redis.isOpen && !connecting) {
      connecting = redis.connect().catch(() => {}).finally(() => (connecting = null));
    }
  };
  ensureOpen();
  let requests = 0;
  let commands = 0;
  const byCommand: Record<string, number> = {};

  const send = (command: Command) => {
    commands++;
    const name = command[0]!.toUpperCase();
    byCommand[name] = (byCommand[name] ?? 0) + 1;
    options.onCommand?.(name);
    ensureOpen();
    // withTypeMapping() does not reach sendCommand(), so the mapping is passed explicitly.
    return redis.sendCommand(command, { typeMapping: BINARY }) as Promise<Reply>;
  };

  async function single(command: Command, base64: boolean) {
    try {
      return { status: 200, body: { result: encodeReply(await send(command), base64) } };
    } catch (error) {
      return { status: isRedisReplyError(error) ? 400 : 503, body: { error: errorMessage(error) } };
    }
  }

  async function pipeline(list: Command[], base64: boolean) {
    ensureOpen();
    if (!redis.isReady) throw new RequestError(503, "ERR redis is not reachable");
    const settled = await Promise.allSettled(list.map(send));
    return {
      status: 200,
      body: settled.map((s) => (s.status === "fulfilled" ? { result: encodeReply(s.value, base64) } : { error: errorMessage(s.reason) })),
    };
  }

  async function multiExec(list: Command[], base64: boolean) {
    ensureOpen();
    if (!redis.isReady) throw new RequestError(503, "ERR redis is not reachable");
    const multi = redis.multi();
    for (const command of list) multi.addCommand(command);
    commands += list.length + 2;
    try {
      const replies = (await multi.exec()) as Reply[];
      return { status: 200, body: replies.map((reply) => ({ result: encodeReply(reply, base64) })) };
    } catch (error) {
      const replies = (error as { replies?: unknown[] }).replies;
      if (Array.isArray(replies) && replies.length === list.length) {
        // Runtime errors inside EXEC: the other commands ran; report each one, as Upstash does.
        return {
          status: 200,
          body: replies.map((reply) => (reply instanceof Error ? { error: reply.message } : { result: encodeReply(reply, base64) })),
        };
      }
      return { status: isRedisReplyError(error) ? 400 : 503, body: { error: errorMessage(error) } };
    }
  }

  async function handle(request: IncomingMessage): Promise<{ status: number; body: unknown }> {
    requests++;
    if (!tokenMatches(request.headers.authorization, options.token)) throw new RequestError(401, "Unauthorized");
    const base64 = String(request.headers["upstash-encoding"] ?? "").toLowerCase() === "base64";
    const url = new URL(request.url ?? "/", "http://bridge");
    const path = url.pathname.replace(/\/+$/, "");
    if (request.method !== "POST" && request.method !== "GET") throw new RequestError(405, "ERR use POST (or GET for path-style commands)");
    const text = request.method === "POST" ? await readBody(request) : "";
    const parseJson = () => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        throw new RequestError(400, "ERR body is not valid JSON");
      }
    };
    if (path === "" && request.method === "POST") return single(parseCommand(parseJson()), base64);
    if (path === "/pipeline") return pipeline(parseCommandList(parseJson()), base64);
    if (path === "/multi-exec") return multiExec(parseCommandList(parseJson()), base64);
    if (path === "") throw new RequestError(400, "ERR send a command: POST / with a JSON array");
    let segments: string[];
    try {
      segments = path.slice(1).split("/").map(decodeURIComponent);
    } catch {
      throw new RequestError(400, "ERR malformed path");
    }
    if (text !== "") segments.push(text);
    return single(parseCommand(segments), base64);
  }

  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    handle(request)
      .catch((error: unknown) =>
        error instanceof RequestError ? { status: error.status, body: { error: error.message } } : { status: 500, body: { error: `ERR ${errorMessage(error)}` } },
      )
      .then(({ status, body }) => {
        const payload = JSON.stringify(body);
        response.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(payload) });
        response.end(payload);
      });
  });
  // Longer than the client's idle keep-alive, so the client never reuses a socket we just closed.
  server.keepAliveTimeout = 65_000;

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    stats: () => ({ requests, commands, byCommand: { ...byCommand } }),
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      // destroy(), not close(): close() would wait for a reconnect loop that may never succeed.
      if (redis.isOpen) redis.destroy();
      await connecting;
    },
  };
}
