/**
 * The KV REST bridge as an Upstash endpoint, against real redis-servers: raw HTTP for every
 * protocol detail (status and body as a client sees them), the real @vercel/kv client for every
 * command the app uses, and kill -STOP / kill -CONT of a real Redis for the command timeout.
 */
import { createClient } from "@vercel/kv";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { CLAIM_SCRIPT, DESCRIBE_SCRIPT, MARK_READ_SCRIPT, REPLACE_SCRIPT } from "@/lib/session/kv/kv-scripts";
import { startKvBridge, type KvBridge } from "../../scripts/lib/kv-bridge";
import { freePort } from "../../scripts/lib/ports";
import { startRedis } from "../../scripts/lib/redis-server";

const TOKEN = "bridge-test-token-0123456789";
const READ_ONLY_TOKEN = "bridge-read-only-token-0123456789";
/** Keys of this file only: the Redis of the global setup is shared with other test files. */
const K = `bridge-it:${process.pid}:`;
let bridge: KvBridge;

beforeAll(async () => {
  bridge = await startKvBridge({ redisUrl: inject("kv").redisUrl, token: TOKEN, readOnlyToken: READ_ONLY_TOKEN });
  await untilStatus(bridge, 200);
});
afterAll(() => bridge.stop());

interface Answer {
  status: number;
  json: unknown;
  headers: Headers;
}

interface CallOptions {
  method?: string;
  headers?: Record<string, string>;
  token?: string | null;
  on?: KvBridge;
}

async function call(path: string, body?: unknown, options: CallOptions = {}): Promise<Answer> {
  const token = options.token === undefined ? TOKEN : options.token;
  const response = await fetch(`${(options.on ?? bridge).url}${path}`, {
    method: options.method ?? (body === undefined ? "GET" : "POST"),
    headers: { ...(token === null ? {} : { Authorization: `Bearer ${token}` }), ...options.headers },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, json: text === "" ? null : (JSON.parse(text) as unknown), headers: response.headers };
}

const run = (command: unknown[], options?: CallOptions) => call("/", command, options);

/** Polls PING until the bridge answers `status` (a fresh bridge answers 503 until Redis has answered it). */
async function untilStatus(on: KvBridge, status: number, match?: RegExp): Promise<Answer> {
  let last: Answer | undefined;
  for (let attempt = 0; attempt < 100; attempt++) {
    last = await run(["PING"], { on });
    if (last.status === status && (!match || match.test(JSON.stringify(last.json)))) return last;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the bridge never answered ${status} ${match ?? ""}; last: ${JSON.stringify(last)}`);
}

describe("routes, as Upstash documents them", () => {
  it("runs one command from a POST / body", async () => {
    expect(await run(["SET", `${K}a`, "1"])).toMatchObject({ status: 200, json: { result: "OK" } });
    expect(await run(["INCRBY", `${K}a`, 41])).toMatchObject({ status: 200, json: { result: 42 } });
    expect(await run(["GET", `${K}missing`])).toMatchObject({ status: 200, json: { result: null } });
    const answer = await run(["GET", `${K}a`]);
    expect(answer.headers.get("content-type")).toBe("application/json");
  });

  it("runs path-style commands with GET, POST and PUT, and HEAD answers headers only", async () => {
    expect(await call(`/set/${K}path/hello%20world`, undefined, { method: "PUT" })).toMatchObject({ status: 200, json: { result: "OK" } });
    expect(await call(`/get/${K}path`)).toMatchObject({ status: 200, json: { result: "hello world" } });
    expect(await call(`/get/${K}path/`)).toMatchObject({ status: 200, json: { result: "hello world" } }); // trailing slash ignored
    const head = await call(`/get/${K}path`, undefined, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.json).toBeNull();
    expect(Number(head.headers.get("content-length"))).toBe(JSON.stringify({ result: "hello world" }).length);
  });

  it("appends a POST body to a path-style command as its last path argument, raw bytes included", async () => {
    expect(await call(`/set/${K}json`, '{"a": [1, "x"]}')).toMatchObject({ status: 200, json: { result: "OK" } });
    expect(await call(`/get/${K}json`)).toMatchObject({ json: { result: '{"a": [1, "x"]}' } });
  });

  it("takes query-string arguments after the body: /set/k?EX=100 sets a TTL", async () => {
    expect(await call(`/set/${K}ttl?EX=100`, "v")).toMatchObject({ status: 200, json: { result: "OK" } });
    const ttl = (await run(["TTL", `${K}ttl`])).json as { result: number };
    expect(ttl.result).toBeGreaterThan(90);
    expect(ttl.result).toBeLessThanOrEqual(100);
    // Without a body too, with a bare flag (?NX) and form decoding ("+" is a space).
    expect(await call(`/set/${K}nx/first?PX=60000&NX`)).toMatchObject({ json: { result: "OK" } });
    expect(await call(`/set/${K}nx/second?PX=60000&NX`)).toMatchObject({ status: 200, json: { result: null } });
    expect((await run(["PTTL", `${K}nx`])).json).toMatchObject({ result: expect.any(Number) });
    expect((await run(["PTTL", `${K}nx`])).json).not.toEqual({ result: -1 });
    expect(await call(`/rpush/${K}list/one%2Fslash?a+b=c%2Bd&flag`)).toMatchObject({ status: 200, json: { result: 4 } });
    expect((await run(["LRANGE", `${K}list`, 0, -1])).json).toEqual({ result: ["one/slash", "a b", "c+d", "flag"] });
  });

  it("answers GET / (no command) and unknown paths with 400, as unknown or empty commands", async () => {
    expect(await call("/")).toMatchObject({ status: 400, json: { error: expect.stringMatching(/^ERR empty command/) } });
    // A path is a command in Upstash's protocol: /favicon.ico is the command "favicon.ico", which Redis does not know.
    expect(await call("/favicon.ico")).toMatchObject({ status: 400, json: { error: expect.stringMatching(/^ERR unknown command 'favicon.ico'/) } });
  });

  it("refuses methods other than HEAD, GET, POST and PUT with 405", async () => {
    const answer = await call(`/get/${K}a`, undefined, { method: "DELETE" });
    expect(answer).toMatchObject({ status: 405, json: { error: expect.stringMatching(/HEAD, GET, POST, PUT/) } });
    expect(answer.headers.get("allow")).toBe("HEAD, GET, POST, PUT");
  });

  it("runs a pipeline in order, each command's result or error in its place", async () => {
    // SETRANGE and GETRANGE are used nowhere else here: their COMMAND INFO lookups happen now, and must not reorder them.
    const { status, json } = await call("/pipeline", [
      ["SETRANGE", `${K}p`, 0, "x"],
      ["INCR", `${K}p`],
      ["GETRANGE", `${K}p`, 0, -1],
      ["CONFIG", "GET", "maxmemory"],
    ]);
    expect(status).toBe(200);
    expect(json).toEqual([
      { result: 1 },
      { error: "ERR value is not an integer or out of range" },
      { result: "x" },
      { error: expect.stringMatching(/^ERR command 'config' is not supported/) },
    ]);
  });

  it("runs /multi-exec as one transaction; a command failing at run time does not stop the others", async () => {
    const { status, json } = await call("/multi-exec", [
      ["SET", `${K}m`, "x"],
      ["INCR", `${K}m`],
      ["GET", `${K}m`],
    ]);
    expect(status).toBe(200);
    expect(json).toEqual([{ result: "OK" }, { error: "ERR value is not an integer or out of range" }, { result: "x" }]);
  });

  it("aborts /multi-exec with EXECABORT when a command fails to queue: nothing runs", async () => {
    for (const bad of [["NOSUCHCOMMAND"], ["GET"]]) {
      const answer = await call("/multi-exec", [["SET", `${K}abort1`, "1"], bad, ["SET", `${K}abort2`, "2"]]);
      expect(answer).toEqual(expect.objectContaining({ status: 400, json: { error: "EXECABORT Transaction discarded because of previous errors." } }));
    }
    expect((await run(["EXISTS", `${K}abort1`, `${K}abort2`])).json).toEqual({ result: 0 });
    // A command the bridge refuses discards the transaction before anything is sent.
    const refused = await call("/multi-exec", [
      ["SET", `${K}abort1`, "1"],
      ["SELECT", "1"],
    ]);
    expect(refused).toMatchObject({ status: 400, json: { error: expect.stringMatching(/'select' is not supported/) } });
    expect((await run(["EXISTS", `${K}abort1`])).json).toEqual({ result: 0 });
  });

  it("returns strings base64-encoded with Upstash-Encoding: base64, except a status OK", async () => {
    const base64 = { headers: { "Upstash-Encoding": "base64" } };
    expect(await run(["SET", `${K}bits`, "x"], base64)).toMatchObject({ json: { result: "OK" } });
    await run(["DEL", `${K}bits`]);
    await run(["SETBIT", `${K}bits`, 0, 1]);
    await run(["SETBIT", `${K}bits`, 9, 1]);
    const { json } = await run(["GET", `${K}bits`], base64);
    expect(Buffer.from((json as { result: string }).result, "base64")).toEqual(Buffer.from([0x80, 0x40]));
    expect((await run(["MGET", `${K}a`, `${K}missing`], base64)).json).toEqual({ result: [Buffer.from("42").toString("base64"), null] });
    expect((await run(["PING"], base64)).json).toEqual({ result: Buffer.from("PONG").toString("base64") });
    // Without it, invalid UTF-8 becomes U+FFFD, as Upstash documents.
    expect((await run(["GET", `${K}bits`])).json).toEqual({ result: "\ufffd@" });
  });

  it("refuses Upstash-Response-Format other than json", async () => {
    expect(await run(["PING"], { headers: { "Upstash-Response-Format": "resp2" } })).toMatchObject({ status: 400 });
    expect(await run(["PING"], { headers: { "Upstash-Response-Format": "json" } })).toMatchObject({ status: 200 });
  });

  it("answers a body over 10 MB with Upstash's 400 and keeps serving", async () => {
    const answer = await call(`/set/${K}big`, "x".repeat(10 * 1024 * 1024 + 1));
    expect(answer).toMatchObject({ status: 400, json: { error: "ERR max request size exceeded" } });
    expect((await run(["EXISTS", `${K}big`])).json).toEqual({ result: 0 });
    expect(await run(["PING"])).toMatchObject({ status: 200 });
  });
});

describe("errors: Redis's own message, status by class", () => {
  it.each([
    ["an unknown command", ["NOSUCHCOMMAND", "x"], /^ERR unknown command 'NOSUCHCOMMAND'/],
    ["wrong arity", ["GET"], /^ERR wrong number of arguments for 'get' command$/],
    ["WRONGTYPE", ["LPUSH", `${K}a`, "x"], /^WRONGTYPE Operation against a key holding the wrong kind of value$/],
    ["a Lua runtime error", ["EVAL", "return nosuchvariable.x", 0], /^ERR user_script:1: Script attempted to access nonexistent global variable/],
    ["a Lua compile error", ["EVAL", "return (", 0], /^ERR Error compiling script/],
    ["an error a script returns", ["EVAL", "return redis.error_reply('MYCODE went wrong')", 0], /^MYCODE went wrong$/],
  ])("%s is 400 with Redis's message", async (_, command, message) => {
    const answer = await run(command);
    expect(answer.status).toBe(400);
    expect((answer.json as { error: string }).error).toMatch(message);
  });

  it("answers bad requests with 400 JSON errors and keeps serving", async () => {
    expect(await run("{not json" as unknown as unknown[])).toMatchObject({ status: 400, json: { error: expect.stringMatching(/JSON/) } });
    expect((await run([])).status).toBe(400);
    expect((await run([{ nested: true }])).status).toBe(400);
    expect((await run([null])).status).toBe(400);
    expect((await call("/pipeline", ["GET", "x"])).status).toBe(400);
    expect((await call("/get/%E0%A4%A")).status).toBe(400);
    expect(await run(["GET", `${K}a`])).toMatchObject({ status: 200, json: { result: "42" } });
  });

  it("answers 503 while Redis is not there, before and after it comes up; heals by itself", async () => {
    const port = await freePort();
    const late = await startKvBridge({ redisUrl: `redis://127.0.0.1:${port}`, token: TOKEN });
    try {
      const down = await untilStatus(late, 503, /^\{"error":"UNAVAILABLE .*(ECONNREFUSED|connecting)/);
      console.log(`[kv-bridge] with no Redis: 503 ${JSON.stringify(down.json)}`);
      // @vercel/kv keeps only the message, not the status: the UNAVAILABLE prefix is what tells the app it is an outage.
      await expect(createClient({ url: late.url, token: TOKEN, retry: false }).ping()).rejects.toThrow(/^UNAVAILABLE /);
      const redis = await startRedis({ port, password: null });
      try {
        await untilStatus(late, 200);
        await redis.kill({ stayDown: true }); // SIGKILL: an outage (no supervisor restart, so it is seen)
        const killed = await untilStatus(late, 503, /^\{"error":"UNAVAILABLE /);
        console.log(`[kv-bridge] after Redis was killed: 503 ${JSON.stringify(killed.json)}`);
        await redis.restart();
        await untilStatus(late, 200);
      } finally {
        await redis.stop();
      }
    } finally {
      await late.stop();
    }
  });
});

describe("authentication", () => {
  it.each(["/", "/pipeline", "/multi-exec", `/get/${K}a`])("refuses %s without the right token, with Upstash's 401", async (path) => {
    const body = JSON.stringify(path === "/" ? ["GET", `${K}a`] : [["GET", `${K}a`]]);
    for (const authorization of [undefined, "Bearer wrong-token-0123456789", `Basic ${TOKEN}`, `Bearer ${TOKEN}x`, `Bearer${TOKEN}`, "Bearer "]) {
      const response = await fetch(`${bridge.url}${path}`, { method: "POST", headers: authorization ? { Authorization: authorization } : {}, body });
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({ error: "WRONGPASS invalid or missing auth token" });
    }
  });

  it("matches the Bearer scheme case-insensitively, the token exactly", async () => {
    for (const scheme of ["Bearer", "bearer", "BEARER", "bEaReR"]) {
      expect(await run(["GET", `${K}a`], { token: null, headers: { Authorization: `${scheme} ${TOKEN}` } })).toMatchObject({ status: 200 });
    }
    expect(await run(["GET", `${K}a`], { token: TOKEN.toUpperCase() })).toMatchObject({ status: 401 });
  });

  it("takes the token from the _token query parameter, as Upstash documents", async () => {
    expect(await call(`/get/${K}a?_token=${TOKEN}`, undefined, { token: null })).toMatchObject({ status: 200, json: { result: "42" } });
    expect(await call(`/get/${K}a?_token=wrong`, undefined, { token: null })).toMatchObject({ status: 401 });
  });
});

describe("refused commands", () => {
  it.each([
    ["CONFIG", "SET", "maxmemory", "1"],
    ["ACL", "LIST"],
    ["SAVE"],
    ["BGSAVE"],
    ["BGREWRITEAOF"],
    ["DEBUG", "SLEEP", "0"],
    ["MODULE", "LIST"],
    ["SHUTDOWN", "NOSAVE"],
    ["MONITOR"],
    ["REPLICAOF", "NO", "ONE"],
    ["SLAVEOF", "NO", "ONE"],
    ["SYNC"],
    ["MIGRATE", "127.0.0.1", "1", "k", "0", "1"],
    ["FAILOVER"],
    ["CLUSTER", "INFO"],
    ["SELECT", "1"],
    ["AUTH", "x"],
    ["HELLO", "3"],
    ["CLIENT", "SETNAME", "x"],
    ["QUIT"],
    ["RESET"],
    ["MULTI"],
    ["EXEC"],
    ["WATCH", "k"],
    ["SUBSCRIBE", "chan"],
    ["PSUBSCRIBE", "chan*"],
    ["WAIT", "1", "0"],
    ["BLPOP", "k", "1"],
    ["BZPOPMIN", "k", "1"],
    ["BLMOVE", "a", "b", "LEFT", "RIGHT", "1"],
    ["XREAD", "BLOCK", "100", "STREAMS", "s", "$"],
    ["XREADGROUP", "GROUP", "g", "c", "BLOCK", "100", "STREAMS", "s", ">"],
    ["SCRIPT", "DEBUG", "YES"],
  ])("%s is refused with 400 and never reaches Redis", async (...command) => {
    const before = bridge.stats().commands;
    const answer = await run(command);
    expect(answer).toMatchObject({ status: 400, json: { error: expect.stringMatching(/^ERR command '[a-z|-]+' is not supported by this KV bridge: /) } });
    expect(bridge.stats().commands).toBe(before);
  });

  it("runs XREAD and XREADGROUP without BLOCK, as Upstash does", async () => {
    const stream = `${K}stream`;
    const id = ((await run(["XADD", stream, "*", "field", "value"])).json as { result: string }).result;
    expect(await run(["XREAD", "COUNT", 1, "STREAMS", stream, "0"])).toMatchObject({ status: 200, json: { result: [[stream, [[id, ["field", "value"]]]]] } });
    // A group named "block" is not the BLOCK option.
    expect(await run(["XGROUP", "CREATE", stream, "block", "0"])).toMatchObject({ status: 200 });
    expect(await run(["XREADGROUP", "GROUP", "block", "consumer", "COUNT", 1, "STREAMS", stream, ">"])).toMatchObject({
      status: 200,
      json: { result: [[stream, [[id, ["field", "value"]]]]] },
    });
  });
});

describe("a read-only token", () => {
  const asReader = { token: READ_ONLY_TOKEN };

  it("runs reads: GET, EVAL_RO, PING", async () => {
    expect(await run(["GET", `${K}a`], asReader)).toMatchObject({ status: 200, json: { result: "42" } });
    expect(await run(["EVAL_RO", "return redis.call('GET', KEYS[1])", 1, `${K}a`], asReader)).toMatchObject({ status: 200, json: { result: "42" } });
    expect(await run(["PING"], asReader)).toMatchObject({ status: 200, json: { result: "PONG" } });
    expect(await call(`/get/${K}a?_token=${READ_ONLY_TOKEN}`, undefined, { token: null })).toMatchObject({ status: 200 });
  });

  it.each([
    ["SET", `${K}ro`, "1"],
    ["DEL", `${K}a`],
    ["EVAL", "return 1", 0],
    ["EVALSHA", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db", 0],
    ["FCALL", "nosuchfunction", 0],
    ["XGROUP", "CREATE", `${K}stream`, "ro", "0"],
    ["SCRIPT", "FLUSH"],
    ["PUBLISH", "chan", "message"],
    ["KEYS", "*"],
    ["FLUSHALL"],
  ])("refuses %s with Upstash's NOPERM (400), and the full token may", async (...command) => {
    const before = bridge.stats().commands;
    const answer = await run(command, asReader);
    expect(answer).toMatchObject({
      status: 400,
      json: { error: `NOPERM this user has no permissions to run the '${command[0]!.toLowerCase()}' command or its subcommand` },
    });
    expect(bridge.stats().commands).toBe(before);
    // Negative control: the full token is not refused (it runs, or fails inside Redis for its own reasons).
    // Not for the commands that would disturb the Redis other test files share.
    if (!["FLUSHALL", "DEL", "SCRIPT", "KEYS"].includes(command[0]!)) {
      expect((await run(command)).json).not.toMatchObject({ error: expect.stringMatching(/^NOPERM/) });
    }
  });

  it("refuses writes inside a pipeline one by one, and a whole transaction containing one", async () => {
    const { status, json } = await call(
      "/pipeline",
      [
        ["GET", `${K}a`],
        ["SET", `${K}ro`, "2"],
      ],
      asReader,
    );
    expect(status).toBe(200);
    expect(json).toEqual([{ result: "42" }, { error: "NOPERM this user has no permissions to run the 'set' command or its subcommand" }]);
    const transaction = await call(
      "/multi-exec",
      [
        ["GET", `${K}a`],
        ["INCR", `${K}a`],
      ],
      asReader,
    );
    expect(transaction).toMatchObject({ status: 400, json: { error: expect.stringMatching(/^NOPERM/) } });
    expect((await run(["GET", `${K}a`])).json).toEqual({ result: "42" });
  });

  it("is refused as a @vercel/kv client for writes and served for reads", async () => {
    const reader = createClient({ url: bridge.url, token: READ_ONLY_TOKEN, enableAutoPipelining: false, automaticDeserialization: false });
    expect(await reader.get(`${K}a`)).toBe("42");
    await expect(reader.set(`${K}ro`, "x")).rejects.toThrow(/^NOPERM this user has no permissions to run the 'set' command/);
  });
});

describe("Redis with a password", () => {
  it("works when the URL carries it, and says clearly when it is wrong or missing", async () => {
    const redis = await startRedis({ password: "s3cret-pass" });
    const bridges: KvBridge[] = [];
    try {
      expect(redis.url).toBe(`redis://:s3cret-pass@127.0.0.1:${redis.port}`);
      const good = await startKvBridge({ redisUrl: redis.url, token: TOKEN });
      bridges.push(good);
      await untilStatus(good, 200);
      expect(await run(["SET", "pw", "ok"], { on: good })).toMatchObject({ status: 200 });
      expect(await run(["GET", "pw"], { on: good })).toMatchObject({ status: 200, json: { result: "ok" } });

      const wrong = await startKvBridge({ redisUrl: `redis://:wrong@127.0.0.1:${redis.port}`, token: TOKEN });
      bridges.push(wrong);
      const refused = await untilStatus(wrong, 503, /^\{"error":"UNAVAILABLE the KV bridge cannot use Redis at .*: WRONGPASS/);
      expect((refused.json as { error: string }).error).toMatch(/Check the password in the KV bridge's Redis URL/);
      expect((refused.json as { error: string }).error).not.toMatch(/wrong@/); // the URL's password is never echoed

      const missing = await startKvBridge({ redisUrl: `redis://127.0.0.1:${redis.port}`, token: TOKEN });
      bridges.push(missing);
      const noAuth = await untilStatus(missing, 503, /^\{"error":"UNAVAILABLE the KV bridge cannot use Redis at .*: NOAUTH/);
      console.log(`[kv-bridge] wrong password: ${JSON.stringify(refused.json)}\n[kv-bridge] no password: ${JSON.stringify(noAuth.json)}`);
    } finally {
      for (const each of bridges) await each.stop();
      await redis.stop();
    }
  });
});

describe("per-command timeout", () => {
  it("answers 503 when Redis stalls (SIGSTOP), sends nothing more until it answers again (SIGCONT)", async () => {
    const redis = await startRedis();
    const timeoutMs = 400;
    const stalled = await startKvBridge({ redisUrl: redis.url, token: TOKEN, commandTimeoutMs: timeoutMs });
    try {
      await untilStatus(stalled, 200);
      // INCR's COMMAND INFO is now cached, so the requests below send INCR itself and nothing else.
      expect(await run(["INCR", "late"], { on: stalled })).toMatchObject({ status: 200, json: { result: 1 } });
      process.kill(redis.pid(), "SIGSTOP");
      let first: Answer, second: Answer, firstMs: number, secondMs: number;
      try {
        let started = performance.now();
        first = await run(["INCR", "late"], { on: stalled }); // written to Redis's socket; Redis is stopped
        firstMs = performance.now() - started;
        started = performance.now();
        second = await run(["INCR", "late"], { on: stalled }); // refused at once, never written
        secondMs = performance.now() - started;
      } finally {
        process.kill(redis.pid(), "SIGCONT");
      }
      console.log(`[kv-bridge] stalled Redis, timeout ${timeoutMs} ms: first 503 after ${firstMs.toFixed(0)} ms, next 503 after ${secondMs.toFixed(0)} ms`);
      expect(first).toMatchObject({ status: 503, json: { error: expect.stringMatching(`^UNAVAILABLE Redis at .* did not answer within ${timeoutMs} ms`) } });
      expect(second).toMatchObject({ status: 503, json: { error: expect.stringMatching(/^UNAVAILABLE Redis at .* stopped answering/) } });
      await untilStatus(stalled, 200);
      // The INCR already sent ran when Redis resumed (a command sent cannot be recalled: the app's
      // deadline check refuses such late work); the one refused at once never reached Redis.
      expect(await run(["GET", "late"], { on: stalled })).toMatchObject({ status: 200, json: { result: "2" } });
    } finally {
      process.kill(redis.pid(), "SIGCONT");
      await stalled.stop();
      await redis.stop();
    }
  });
});

describe("@vercel/kv through the bridge: every command the app uses", () => {
  const kv = () => createClient({ url: bridge.url, token: TOKEN, enableAutoPipelining: false, automaticDeserialization: false });

  it("ping, del, and eval of each session script", async () => {
    const client = kv();
    expect(await client.ping()).toBe("PONG");
    const keys = [`${K}{s}:seen`, `${K}{s}:read`];
    expect(await client.eval(REPLACE_SCRIPT.source, keys, ["40", "", 60, Date.now() + 60_000])).toBe(1); // seen = {1}
    expect(await client.eval(CLAIM_SCRIPT.source, keys, [2, 10, 60, "", Date.now() + 60_000])).toEqual([3, 7, 10, 9]);
    expect(await client.eval(MARK_READ_SCRIPT.source, keys, [3, 60, Date.now() + 60_000])).toEqual([4, 1]);
    const [seenHex, readHex, pttl] = (await client.eval(DESCRIBE_SCRIPT.source, keys, [])) as [string, string, number];
    expect([seenHex, readHex]).toEqual(["5060", "10"]);
    expect(pttl).toBeGreaterThan(0);
    expect(await client.del(...keys)).toBe(2);
  });

  it("surfaces a script error as an error carrying Redis's message (what the app maps to a 500)", async () => {
    await expect(kv().eval("return nosuchvariable.x", [], [])).rejects.toThrow(/^ERR user_script:1: Script attempted to access nonexistent global variable/);
  });

  it("with its default settings (auto-pipelining, deserialisation) too", async () => {
    const client = createClient({ url: bridge.url, token: TOKEN });
    await client.set(`${K}json-value`, { a: 1 });
    expect(await client.get(`${K}json-value`)).toEqual({ a: 1 });
    const [a, b] = await Promise.all([client.incr(`${K}n`), client.incr(`${K}n`)]);
    expect(new Set([a, b])).toEqual(new Set([1, 2]));
  });

  it("listens on loopback only", () => {
    expect(bridge.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });
});
