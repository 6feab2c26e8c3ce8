/**
 * The KV bridge's pure parts, no server needed: reading an Upstash REST request, writing a
 * reply as Upstash's JSON, and the HTTP status each kind of failure gets. The same behaviour
 * end to end, against real Redis, is in tests/integration/kv-bridge.test.ts.
 */
import { ClientOfflineError, DisconnectsClientError, SimpleError, BlobError, SocketClosedUnexpectedlyError } from "redis";
import { describe, expect, it } from "vitest";
import { BridgeError, classifyFailure } from "../../scripts/lib/kv-rest/errors";
import { errorJson, replyJson, resultJson, resultListJson } from "../../scripts/lib/kv-rest/reply-json";
import { bearerToken, jsonCommand, jsonCommandList, pathCommand, queryToken, splitTarget, tokenMatches } from "../../scripts/lib/kv-rest/request";

describe("reading requests", () => {
  it("splits the target at the first ?", () => {
    expect(splitTarget("/set/k/v?EX=1&b=?")).toEqual({ path: "/set/k/v", query: "EX=1&b=?" });
    expect(splitTarget("/pipeline")).toEqual({ path: "/pipeline", query: "" });
  });

  it("reads a Bearer token whatever the scheme's case, and nothing else", () => {
    expect(bearerToken("Bearer abc")).toBe("abc");
    expect(bearerToken("bearer abc")).toBe("abc");
    expect(bearerToken("BEARER  abc ")).toBe("abc");
    for (const header of [undefined, "", "Bearer", "Bearer ", "Bearerabc", "Basic abc", "Bearer\tabc"]) expect(bearerToken(header)).toBeUndefined();
  });

  it("reads the _token query parameter", () => {
    expect(queryToken("EX=100&_token=a%2Bb")).toBe("a+b");
    expect(queryToken("x_token=abc")).toBeUndefined();
  });

  it("compares tokens exactly", () => {
    const expected = Buffer.from("token-0123456789");
    expect(tokenMatches("token-0123456789", expected)).toBe(true);
    expect(tokenMatches("token-0123456788", expected)).toBe(false);
    expect(tokenMatches("token-012345678", expected)).toBe(false);
    expect(tokenMatches("tökén-0123456789", expected)).toBe(false);
  });

  it("builds a path-style command: segments, then the body, then the query parameters in order", () => {
    expect(pathCommand("/set/k", Buffer.from("v"), "EX=100")).toEqual(["set", "k", Buffer.from("v"), "EX", "100"]);
    expect(pathCommand("/set/a%2Fb/x%20y/", null, "NX&PX=5&_token=secret&")).toEqual(["set", "a/b", "x y", "NX", "PX", "5"]);
    expect(pathCommand("/echo/a+b", null, "c+d=e%2Bf")).toEqual(["echo", "a+b", "c d", "e+f"]);
    expect(pathCommand("/set//v", null, "")).toEqual(["set", "", "v"]);
    expect(() => pathCommand("/", null, "")).toThrow(/empty command/);
    expect(() => pathCommand("/get/%E0%A4%A", null, "")).toThrow(/percent-encoding/);
  });

  it("reads JSON commands, and refuses anything else with 400", () => {
    expect(jsonCommand(Buffer.from('["SET", "k", 1.5, true]'))).toEqual(["SET", "k", "1.5", "true"]);
    expect(jsonCommandList(Buffer.from('[["PING"], ["GET", "k"]]'))).toEqual([["PING"], ["GET", "k"]]);
    for (const body of [null, "", "{", "[]", '{"a":1}', "[null]", '[["x"]]', '[""]']) {
      const error = (() => {
        try {
          jsonCommand(body === null ? null : Buffer.from(body));
        } catch (thrown) {
          return thrown;
        }
      })();
      expect(error).toBeInstanceOf(BridgeError);
      expect((error as BridgeError).status).toBe(400);
    }
    expect(() => jsonCommandList(Buffer.from('["GET", "k"]'))).toThrow(/command 1 must be/);
  });
});

describe("writing replies as Upstash's JSON", () => {
  it("writes each RESP2 reply type", () => {
    expect(resultJson(null, false)).toBe('{"result":null}');
    expect(resultJson(42, false)).toBe('{"result":42}');
    expect(resultJson("OK", false)).toBe('{"result":"OK"}');
    expect(resultJson(Buffer.from('say "hi"\n'), false)).toBe('{"result":"say \\"hi\\"\\n"}');
    expect(resultJson([Buffer.from("a"), 1, null, [Buffer.from("b")]], false)).toBe('{"result":["a",1,null,["b"]]}');
    expect(resultJson(Buffer.from([0xff, 0x41]), false)).toBe('{"result":"\ufffdA"}');
  });

  it("base64-encodes every string but a status OK", () => {
    expect(replyJson("OK", true)).toBe('"OK"');
    expect(replyJson("PONG", true)).toBe(`"${Buffer.from("PONG").toString("base64")}"`);
    expect(replyJson(Buffer.from([0xff, 0x00]), true)).toBe('"/wA="');
    expect(replyJson([Buffer.from("OK"), 7], true)).toBe(`["${Buffer.from("OK").toString("base64")}",7]`);
  });

  it("writes per-command results and errors, and error bodies", () => {
    expect(resultListJson([Buffer.from("x"), new SimpleError("ERR bad")], false)).toBe('[{"result":"x"},{"error":"ERR bad"}]');
    expect(errorJson('ERR "quoted"')).toBe('{"error":"ERR \\"quoted\\""}');
  });

  it("refuses a value it has no JSON form for (a bug, not a reply)", () => {
    expect(() => replyJson(new Map(), false)).toThrow(TypeError);
  });
});

describe("the status of each failure", () => {
  it.each([
    ["a Redis error reply (SimpleError)", new SimpleError("ERR unknown command 'x'"), 400],
    ["a Redis error reply (BlobError)", new BlobError("ERR user_script:1: boom"), 400],
    ["WRONGTYPE", new SimpleError("WRONGTYPE Operation against a key holding the wrong kind of value"), 400],
    ["EXECABORT", new SimpleError("EXECABORT Transaction discarded because of previous errors."), 400],
    ["NOPERM", new SimpleError("NOPERM this user has no permissions"), 400],
    ["LOADING", new SimpleError("LOADING Redis is loading the dataset in memory"), 503],
    ["BUSY", new SimpleError("BUSY Redis is busy running a script."), 503],
    ["MISCONF", new SimpleError("MISCONF Redis is configured to save RDB snapshots"), 503],
    ["OOM", new SimpleError("OOM command not allowed when used memory > 'maxmemory'."), 503],
    ["NOAUTH", new SimpleError("NOAUTH Authentication required."), 503],
    ["the client being offline", new ClientOfflineError(), 503],
    ["the connection being dropped", new DisconnectsClientError(), 503],
    ["the socket closing", new SocketClosedUnexpectedlyError(), 503],
    ["a refused connection", Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" }), 503],
    ["a bug of ours", new TypeError("cannot read properties of undefined"), 500],
    ["something that is not an Error", "surprise", 500],
  ])("%s -> %i", (_, error: unknown, status) => {
    const failure = classifyFailure(error);
    expect(failure.status).toBe(status);
    // A 400 carries Redis's own words; a 503 starts with UNAVAILABLE, then Redis's words when it said any.
    if (status === 400) expect(failure.message).toBe((error as Error).message);
    if (status === 503) expect(failure.message).toMatch(/^UNAVAILABLE /);
    if (status === 503 && error instanceof SimpleError) expect(failure.message).toBe(`UNAVAILABLE ${error.message}`);
    if (status === 500) expect(failure.message).toMatch(/^ERR internal error in the KV bridge/);
  });
});
