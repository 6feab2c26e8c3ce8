/**
 * The KV REST bridge: the Upstash REST protocol in front of a real redis-server, so the real
 * @vercel/kv client runs locally exactly as it does against Vercel KV / Upstash in production.
 * Follows https://upstash.com/docs/redis/features/restapi; where that page is silent, the
 * choice is ours and marked so here or where it is made (kv-rest/*.ts).
 *
 * Requests (HEAD, GET, POST and PUT are accepted, as Upstash documents; POST and PUT are alike):
 *   POST /            body ["CMD", "arg", ...]       -> {"result": ...}
 *   POST /pipeline    body [["CMD", ...], ...]       -> [{"result": ...} | {"error": "..."}, ...]   in order, not atomic
 *   POST /multi-exec  body [["CMD", ...], ...]       -> [{"result": ...} | {"error": "..."}, ...]   MULTI/EXEC, atomic
 *   GET|POST /cmd/arg1/arg2?OPT=value               path-style: segments percent-decoded, then a POST body (raw
 *                                                    bytes) as one more argument, then the query parameters in
 *                                                    order: /set/k?EX=100 with body v is SET k v EX 100
 *   Any other path is a path-style command, as in Upstash (/favicon.ico is the unknown command
 *   "favicon.ico": 400). GET / carries no command: 400 "ERR empty command" (our choice; Upstash's
 *   documentation does not say, and its HTTP codes give 400 to a request without a valid command).
 *   Auth: "Authorization: Bearer <token>" (scheme case-insensitive, token compared in constant
 *   time) or the `_token` query parameter, on every route. The full token runs anything the
 *   bridge allows; the read-only token (option readOnlyToken; KV_REST_API_READ_ONLY_TOKEN on the
 *   app side) only commands that cannot change data (kv-rest/command-policy.ts).
 *   "Upstash-Encoding: base64": every string of the reply base64-encoded except a status "OK".
 *   "Upstash-Response-Format": only json (resp2 is refused with 400).
 *
 * Answers, always JSON with Content-Length:
 *   200 {"result": ...} | [per-command results]     (a pipeline's command errors are in its list)
 *   400 {"error": "<Redis's own message>"}           a Redis error reply: unknown command, wrong arity, WRONGTYPE,
 *                                                    a Lua error, EXECABORT (a /multi-exec command failed to queue:
 *                                                    nothing ran), NOPERM (a write with the read-only token)
 *   400 {"error": "ERR ..."}                         refused by the bridge: bad JSON, empty command, refused command
 *                                                    (CONFIG, SELECT, SUBSCRIBE, BLPOP, ...), body over 10 MB
 *   401 {"error": "WRONGPASS invalid or missing auth token"}   (Upstash's message)
 *   405 {"error": "ERR ..."}                         a method other than HEAD, GET, POST, PUT
 *   503 {"error": "UNAVAILABLE ..."}                 Redis down, unreachable, stalled past commandTimeoutMs, or
 *                                                    LOADING/BUSY/...; in a pipeline, any such failure fails it all.
 *                                                    The UNAVAILABLE prefix (ours: Upstash documents no outage body)
 *                                                    tells an outage apart where a client sees only the message.
 *   500 {"error": "ERR internal error ..."}          a bug in the bridge (also logged)
 * What a 503 after a timeout does and does not guarantee: kv-rest/single-node-redis.ts.
 *
 * The bridge binds to 127.0.0.1 only and never crashes on bad input. startKvBridge waits up to
 * 1 s for Redis's first answer, then serves anyway: while Redis is down every request is a 503,
 * and the bridge heals by itself when Redis is back. It talks to Redis through a small RedisSide
 * interface (kv-rest/redis-side.ts): one node (single-node-redis.ts) or a Redis Cluster (cluster-redis.ts).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { ClusterRedis } from "./kv-rest/cluster-redis";
import { CommandPolicy } from "./kv-rest/command-policy";
import { type BridgeError, classifyFailure } from "./kv-rest/errors";
import type { RedisSide } from "./kv-rest/redis-side";
import { errorJson, type Reply, resultJson, resultListJson } from "./kv-rest/reply-json";
import { bearerToken, type Command, jsonCommand, jsonCommandList, pathCommand, queryToken, splitTarget, tokenMatches } from "./kv-rest/request";
import { SingleNodeRedis } from "./kv-rest/single-node-redis";

export interface KvBridgeOptions {
  /** The Redis behind the bridge: redis://[:password@]host:port. Ignored when redisClusterUrls is given. */
  redisUrl?: string;
  /** A Redis Cluster behind the bridge instead (kv-rest/cluster-redis.ts): seed nodes, redis://[:password@]host:port each. */
  redisClusterUrls?: string[];
  /**
   * KV_WAIT_REPLICAS for REST callers, who cannot send WAIT themselves: every write waits until
   * this many replicas hold it, else 503. Needs redisClusterUrls (a single node has no replicas here). Default 0.
   */
  waitReplicas?: number;
  /** Bearer token with full access (KV_REST_API_TOKEN); at least 16 characters. */
  token: string;
  /** Bearer token limited to commands that cannot change data, like Upstash's read-only token. Default: none. */
  readOnlyToken?: string;
  /** Port on 127.0.0.1. Default 0: a free port. */
  port?: number;
  /**
   * A command Redis has not answered after this long is answered 503 (and the connection replaced).
   * Default 1500: shorter than the app's 2000 ms KV timeout, so the app gets the bridge's 503, not its own abort.
   */
  commandTimeoutMs?: number;
}

export interface KvBridge {
  url: string;
  port: number;
  stop(): Promise<void>;
  /**
   * Counters since start: HTTP requests, Redis commands run for callers (MULTI and EXEC of a
   * /multi-exec included; the bridge's own PING and COMMAND INFO not), and those commands by name.
   */
  stats(): { requests: number; commands: number; byCommand: Record<string, number> };
}

/** Upstash's limit is 1 MB on its smallest plans; ours only guards memory. */
const MAX_BODY_BYTES = 10 * 1024 * 1024;
const UNAUTHORIZED = errorJson("WRONGPASS invalid or missing auth token");
const ALLOWED_METHODS = "HEAD, GET, POST, PUT";
/** How long startKvBridge waits for Redis's first answer before it resolves anyway. */
const STARTUP_WAIT_MS = 1000;
/** stats().byCommand keeps this many names; later new names count under "(other)". */
const MAX_COUNTED_NAMES = 1000;

type Access = "full" | "read-only";

function respond(response: ServerResponse, status: number, json: string) {
  // An array of raw header pairs: no header object to build and validate per response.
  response.writeHead(status, ["Content-Type", "application/json", "Content-Length", String(Buffer.byteLength(json))]);
  response.end(json); // for HEAD, Node sends the headers only
}

/** The rare answers that need one more header (Allow). */
function respondWith(response: ServerResponse, status: number, json: string, name: string, value: string) {
  response.writeHead(status, ["Content-Type", "application/json", "Content-Length", String(Buffer.byteLength(json)), name, value]);
  response.end(json);
}

function respondWithFailure(response: ServerResponse, error: unknown) {
  const failure = classifyFailure(error);
  if (failure.status === 500) console.error("[kv-bridge] internal error:", error);
  respond(response, failure.status, errorJson(failure.message));
}

/** Calls back with the request body (null when empty), or answers 400 itself when it is too large. */
function readBody(request: IncomingMessage, response: ServerResponse, done: (body: Buffer | null) => void) {
  let first: Buffer | null = null;
  let chunks: Buffer[] | null = null;
  let size = 0;
  request.on("data", (chunk: Buffer) => {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      first = chunks = null; // read the rest and drop it, so the client is still listening when we answer
      return;
    }
    if (first === null) first = chunk;
    else (chunks ??= [first]).push(chunk);
  });
  request.on("end", () => {
    // Upstash's message for an oversized request.
    if (size > MAX_BODY_BYTES) respond(response, 400, errorJson("ERR max request size exceeded"));
    else done(chunks ? Buffer.concat(chunks, size) : first);
  });
}

export async function startKvBridge(options: KvBridgeOptions): Promise<KvBridge> {
  if (options.token.length < 16) throw new Error("KV bridge token must be at least 16 characters");
  if (options.readOnlyToken !== undefined && (options.readOnlyToken.length < 16 || options.readOnlyToken === options.token)) {
    throw new Error("KV bridge read-only token must be at least 16 characters and differ from the full token");
  }
  const commandTimeoutMs = options.commandTimeoutMs ?? 1500;
  if (!(commandTimeoutMs > 0 && Number.isFinite(commandTimeoutMs))) {
    throw new Error(`KV bridge commandTimeoutMs must be a positive number of milliseconds, not ${commandTimeoutMs}`);
  }
  const fullToken = Buffer.from(options.token);
  const readOnlyToken = options.readOnlyToken === undefined ? null : Buffer.from(options.readOnlyToken);
  const waitReplicas = options.waitReplicas ?? 0;
  if (waitReplicas > 0 && !options.redisClusterUrls?.length)
    throw new Error("KV bridge waitReplicas needs a Redis Cluster (redisClusterUrls): one node has no replicas to wait for");
  let redis: RedisSide;
  if (options.redisClusterUrls?.length) redis = new ClusterRedis({ urls: options.redisClusterUrls, commandTimeoutMs, waitReplicas });
  else if (options.redisUrl) redis = new SingleNodeRedis({ url: options.redisUrl, commandTimeoutMs });
  else throw new Error("KV bridge: give redisUrl (one Redis) or redisClusterUrls (a Redis Cluster)");
  const policy = new CommandPolicy((name) => redis.commandInfo(name));
  let requests = 0;
  let commands = 0;
  const byCommand: Record<string, number> = {};

  let namesCounted = 0;
  const count = (name: string) => {
    commands++;
    const key = name.toUpperCase();
    const seen = byCommand[key];
    if (seen !== undefined) byCommand[key] = seen + 1;
    else if (namesCounted++ < MAX_COUNTED_NAMES) byCommand[key] = 1;
    else byCommand["(other)"] = (byCommand["(other)"] ?? 0) + 1; // unknown names are the caller's to choose: bounded
  };

  const authenticate = (request: IncomingMessage, query: string): Access | null => {
    const given = bearerToken(request.headers.authorization) ?? queryToken(query);
    if (given === undefined) return null;
    if (tokenMatches(given, fullToken)) return "full";
    if (readOnlyToken !== null && tokenMatches(given, readOnlyToken)) return "read-only";
    return null;
  };

  const sendCounted = (command: Command): Promise<Reply> => {
    count(command[0]);
    return redis.send(command);
  };

  /** One command: admitted synchronously when its traits are cached (the usual case), then sent. */
  function single(command: Command, readOnly: boolean): Promise<Reply> {
    const admitted = policy.admit(command, readOnly);
    return admitted instanceof Promise ? admitted.then(() => sendCounted(command)) : sendCounted(command);
  }

  /** Whether each command may run (an Error in its place when not), decided before any is sent, so they run in order. */
  async function admitAll(list: Command[], readOnly: boolean): Promise<Array<BridgeError | null>> {
    const verdicts = await Promise.allSettled(list.map(async (command) => policy.admit(command, readOnly)));
    return verdicts.map((verdict) => (verdict.status === "fulfilled" ? null : classifyFailure(verdict.reason)));
  }

  /** Per-command results; a refused command or a Redis error is an entry, an outage or a bug fails the whole request. */
  async function pipeline(list: Command[], readOnly: boolean): Promise<Array<Reply | BridgeError>> {
    const verdicts = await admitAll(list, readOnly);
    const outage = verdicts.find((verdict) => verdict !== null && verdict.status !== 400);
    if (outage) throw outage;
    const settled = await Promise.allSettled(list.map((command, i) => verdicts[i] ?? sendCounted(command)));
    return settled.map((outcome) => {
      if (outcome.status === "fulfilled") return outcome.value;
      const failure = classifyFailure(outcome.reason);
      if (failure.status !== 400) throw failure;
      return failure;
    });
  }

  /** As Upstash: a command that cannot run discards the whole transaction with one error. */
  async function multiExec(list: Command[], readOnly: boolean): Promise<Reply[]> {
    const verdicts = await admitAll(list, readOnly);
    const refused = verdicts.find((verdict) => verdict !== null);
    if (refused) throw refused;
    count("MULTI");
    for (const command of list) count(command[0]);
    count("EXEC");
    return redis.transaction(list);
  }

  function dispatch(response: ServerResponse, path: string, query: string, body: Buffer | null, access: Access, base64: boolean) {
    const readOnly = access === "read-only";
    const fail = (error: unknown) => respondWithFailure(response, error);
    try {
      if (path === "/pipeline") {
        pipeline(jsonCommandList(body), readOnly).then((replies) => respond(response, 200, resultListJson(replies, base64)), fail);
      } else if (path === "/multi-exec") {
        multiExec(jsonCommandList(body), readOnly).then((replies) => respond(response, 200, resultListJson(replies, base64)), fail);
      } else {
        const command = path === "/" || path === "" ? jsonCommand(body) : pathCommand(path, body, query);
        single(command, readOnly).then((reply) => respond(response, 200, resultJson(reply, base64)), fail);
      }
    } catch (error) {
      fail(error);
    }
  }

  function onRequest(request: IncomingMessage, response: ServerResponse) {
    requests++;
    const { path, query } = splitTarget(request.url ?? "/");
    const access = authenticate(request, query);
    if (access === null) return respond(response, 401, UNAUTHORIZED);
    const method = request.method;
    if (method !== "POST" && method !== "GET" && method !== "PUT" && method !== "HEAD") {
      return respondWith(response, 405, errorJson(`ERR method ${method} not allowed: use ${ALLOWED_METHODS}`), "Allow", ALLOWED_METHODS);
    }
    const format = String(request.headers["upstash-response-format"] ?? "json");
    if (format.toLowerCase() !== "json") {
      return respond(response, 400, errorJson(`ERR Upstash-Response-Format ${format} is not supported by this KV bridge: use json`));
    }
    const encoding = request.headers["upstash-encoding"];
    const base64 = typeof encoding === "string" && encoding.toLowerCase() === "base64";
    if (method === "GET" || method === "HEAD") return dispatch(response, path, query, null, access, base64);
    readBody(request, response, (body) => dispatch(response, path, query, body, access, base64));
  }

  const server: Server = createServer(onRequest);
  // Longer than the client's idle keep-alive, so the client never reuses a socket we just closed.
  server.keepAliveTimeout = 65_000;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
    });
  } catch (error) {
    await redis.close();
    throw error;
  }
  const port = (server.address() as AddressInfo).port;
  // Usually Redis answers within milliseconds: start serving then, so the first request is not a 503.
  // A Redis that is down or slow does not hold the bridge up: requests answer 503 until it is there.
  await redis.ready(STARTUP_WAIT_MS);

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    stats: () => ({ requests, commands, byCommand: { ...byCommand } }),
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await redis.close();
    },
  };
}
