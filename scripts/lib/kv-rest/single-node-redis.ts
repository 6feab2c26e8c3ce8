/**
 * RedisSide over one node-redis connection to one Redis node, with a per-command timeout.
 *
 * What a timeout can and cannot do (measured with kill -STOP / kill -CONT on a real
 * redis-server, see tests/integration/kv-bridge.test.ts): a command the bridge has written to
 * the socket is in Redis's kernel receive buffer. When Redis resumes it reads and runs it, even
 * if the bridge closed the connection meanwhile, with a FIN or with a RST (Linux still hands the
 * queued bytes to the reader). So a command already sent cannot be recalled. What the bridge
 * does instead, to keep late work to the minimum:
 *   1. A command not answered within `commandTimeoutMs` is answered 503 at once, and so is every
 *      other command in flight on that connection (they are queued behind it in Redis).
 *   2. The connection is then dropped and replaced. Until Redis has answered a PING on the new
 *      connection, every request is refused 503 immediately WITHOUT being sent, so nothing more
 *      piles up inside a stalled Redis.
 *   3. Only the commands sent in the `commandTimeoutMs` before the bridge gave up can still run
 *      late. They are what the app's deadline check (Redis TIME inside the Lua script) refuses.
 *      For that check to catch all of them, the deadline must be no later than the moment the
 *      bridge answers 503: send time + commandTimeoutMs. A script that began before the stall
 *      finishes after it (Redis runs scripts to completion).
 * Timeouts are checked by one ticker (every commandTimeoutMs/10, at most 100 ms), not one timer
 * per command, so a 503 comes between commandTimeoutMs and commandTimeoutMs + tick after sending:
 * never earlier, which is the direction the deadline argument above needs.
 */
import { createClient, RESP_TYPES } from "redis";
import { classifyFailure, type BridgeError, unavailable } from "./errors";
import type { RedisSide } from "./redis-side";
import type { Reply } from "./reply-json";
import type { Command } from "./request";

export interface SingleNodeOptions {
  /** redis://[:password@]host:port */
  url: string;
  /** A command with no reply after this long is answered 503 and its connection replaced. */
  commandTimeoutMs: number;
}

/** Bulk strings as Buffers: values are bytes, and only the JSON encoder decides how to show them. */
export const SEND_OPTIONS = { typeMapping: { [RESP_TYPES.BLOB_STRING]: Buffer } };

/** The part of a node-redis client a transaction needs (a single client, or one node of a cluster). */
interface CommandSender {
  sendCommand<T>(args: Command, options?: typeof SEND_OPTIONS & { chainId?: symbol }): Promise<T>;
}

/** MULTI, the commands, EXEC on one connection; resolves with EXEC's replies (see RedisSide.transaction). */
export async function sendTransaction(client: CommandSender, commands: Command[]): Promise<Reply[]> {
  // One chain: node-redis writes these back to back, and nothing else can come between them.
  const options = { ...SEND_OPTIONS, chainId: Symbol("multi-exec") };
  const ignore = () => {};
  // Their replies are "OK"/"QUEUED" or a queue-time error, which EXEC reports as EXECABORT.
  client.sendCommand(["MULTI"], options).catch(ignore);
  for (const command of commands) client.sendCommand(command, options).catch(ignore);
  const replies = await client.sendCommand<Reply[] | null>(["EXEC"], options);
  if (!Array.isArray(replies)) throw classifyFailure(new Error(`EXEC answered ${String(replies)} without a WATCH`));
  return replies;
}

function createRedisClient(url: string, connectTimeoutMs: number) {
  return createClient({
    url,
    // A request while Redis is unreachable fails at once (503) instead of waiting in a queue.
    disableOfflineQueue: true,
    socket: { connectTimeout: connectTimeoutMs, reconnectStrategy: (retries) => Math.min(100 * (retries + 1), 1000) },
  });
}

type RedisClient = ReturnType<typeof createRedisClient>;

interface InFlight {
  sentAt: number;
  settled: boolean;
  fail(error: BridgeError): void;
}

/** "host:port" of a Redis URL, without the password. */
function whereOf(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || "6379"}`;
  } catch {
    return "(unparsable Redis URL)";
  }
}

export class SingleNodeRedis implements RedisSide {
  readonly #url: string;
  readonly #where: string;
  readonly #timeoutMs: number;
  readonly #tickMs: number;
  #client: RedisClient;
  /** True once Redis has answered a PING on the current connection; requests are refused until then. */
  #healthy = false;
  /** Why requests are refused while not healthy: the 503 message, after "UNAVAILABLE ". */
  #why: string;
  #closed = false;
  /** Commands in flight, oldest first (one connection answers in order). */
  #inFlight: InFlight[] = [];
  #head = 0;
  #ticker: NodeJS.Timeout | undefined;
  #retry: NodeJS.Timeout | undefined;
  /** Callers of ready() waiting for the first healthy moment. */
  #waiters: Array<() => void> = [];

  constructor(options: SingleNodeOptions) {
    this.#url = options.url;
    this.#where = whereOf(options.url);
    this.#timeoutMs = options.commandTimeoutMs;
    this.#tickMs = Math.max(5, Math.min(100, Math.floor(options.commandTimeoutMs / 10)));
    this.#why = `the KV bridge is still connecting to Redis at ${this.#where}`;
    this.#client = this.#connect();
  }

  send(command: Command): Promise<Reply> {
    if (!this.#healthy) return Promise.reject(unavailable(this.#why));
    return this.#track(this.#client.sendCommand<Reply>(command, SEND_OPTIONS));
  }

  commandInfo(name: string): Promise<unknown> {
    if (!this.#healthy) return Promise.reject(unavailable(this.#why));
    return this.#track(this.#client.sendCommand(["COMMAND", "INFO", name]));
  }

  async transaction(commands: Command[]): Promise<Reply[]> {
    if (!this.#healthy) throw unavailable(this.#why);
    return this.#track(sendTransaction(this.#client, commands));
  }

  ready(timeoutMs: number): Promise<boolean> {
    if (this.#healthy) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.#waiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#retry);
    this.#failInFlight(unavailable("the KV bridge is shutting down"));
    this.#destroy(this.#client);
  }

  /** Answers the caller when Redis does, or with 503 when the ticker gives up on Redis first. */
  #track<T>(reply: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const entry: InFlight = { sentAt: performance.now(), settled: false, fail: reject };
      this.#inFlight.push(entry);
      this.#ticker ??= setInterval(() => this.#checkTimeouts(), this.#tickMs).unref();
      reply.then(
        (value) => {
          if (entry.settled) return;
          entry.settled = true;
          resolve(value);
        },
        (error: unknown) => {
          if (entry.settled) return;
          entry.settled = true;
          reject(classifyFailure(error));
        },
      );
    });
  }

  #checkTimeouts() {
    const queue = this.#inFlight;
    while (this.#head < queue.length && queue[this.#head]!.settled) this.#head++;
    if (this.#head === queue.length) {
      this.#inFlight = [];
      this.#head = 0;
      clearInterval(this.#ticker);
      this.#ticker = undefined;
      return;
    }
    if (this.#head > 1024) {
      this.#inFlight = queue.slice(this.#head);
      this.#head = 0;
    }
    if (performance.now() - this.#inFlight[this.#head]!.sentAt >= this.#timeoutMs) this.#giveUpOnConnection();
  }

  /** Redis stopped answering: fail everything in flight, refuse new work, start a fresh connection. */
  #giveUpOnConnection() {
    this.#healthy = false;
    this.#why = `Redis at ${this.#where} stopped answering (no reply within ${this.#timeoutMs} ms); the KV bridge is reconnecting`;
    this.#failInFlight(
      unavailable(
        `Redis at ${this.#where} did not answer within ${this.#timeoutMs} ms. The command was sent and may still run ` +
          "if Redis resumes; the KV bridge has dropped the connection and refuses new commands until Redis answers again.",
      ),
    );
    const stalled = this.#client;
    this.#client = this.#connect();
    this.#destroy(stalled);
  }

  #failInFlight(error: BridgeError) {
    for (let i = this.#head; i < this.#inFlight.length; i++) {
      const entry = this.#inFlight[i]!;
      if (entry.settled) continue;
      entry.settled = true;
      entry.fail(error);
    }
    this.#inFlight = [];
    this.#head = 0;
    clearInterval(this.#ticker);
    this.#ticker = undefined;
  }

  #connect(): RedisClient {
    const client = createRedisClient(this.#url, this.#timeoutMs);
    client.on("error", (error: unknown) => {
      if (client !== this.#client) return;
      this.#healthy = false;
      this.#why = this.#explain(error);
    });
    client.on("ready", () => {
      if (client === this.#client && !this.#closed) this.#probe(client);
    });
    // node-redis retries by itself (reconnectStrategy); each failure arrives as an "error" event.
    client.connect().catch(() => {});
    return client;
  }

  /** Serve again only once Redis has answered on this connection. */
  #probe(client: RedisClient) {
    this.#track(client.sendCommand(["PING"])).then(
      () => {
        if (client !== this.#client) return;
        this.#healthy = true;
        for (const wake of this.#waiters.splice(0)) wake();
      },
      (error: BridgeError) => {
        if (client !== this.#client || this.#closed) return;
        this.#healthy = false;
        this.#why = this.#explain(error);
        // Connected but refused (NOAUTH, LOADING, ...): try a fresh connection in a second.
        clearTimeout(this.#retry);
        this.#retry = setTimeout(() => {
          if (client !== this.#client || this.#healthy || this.#closed) return;
          this.#client = this.#connect();
          this.#destroy(client);
        }, 1000).unref();
      },
    );
  }

  #explain(error: unknown): string {
    const message = error instanceof Error ? error.message.replace(/^UNAVAILABLE (Redis is not reachable: )?/, "") : String(error);
    const hint = /^(NOAUTH|WRONGPASS)\b/.test(message) ? " Check the password in the KV bridge's Redis URL (redis://:<password>@host:port)." : "";
    return `the KV bridge cannot use Redis at ${this.#where}: ${message}${hint}`;
  }

  #destroy(client: RedisClient) {
    try {
      client.destroy();
    } catch {
      // Already closed.
    }
  }
}
