/**
 * The KV REST bridge speaks the Upstash protocol: checked with raw HTTP for the protocol
 * details, and with the real @vercel/kv client for every command the app uses.
 */
import { createClient } from "@vercel/kv";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { CLAIM_SCRIPT, DESCRIBE_SCRIPT, MARK_READ_SCRIPT, REPLACE_SCRIPT } from "@/lib/session/kv-scripts";
import { startKvBridge, type KvBridge } from "../../scripts/lib/kv-bridge";

const TOKEN = "bridge-test-token-0123456789";
let bridge: KvBridge;

beforeAll(async () => {
  bridge = await startKvBridge({ redisUrl: inject("kv").redisUrl, token: TOKEN });
});
afterAll(() => bridge.stop());

async function call(path: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${bridge.url}${path}`, {
    method: "POST",
    headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as unknown };
}

describe("KV bridge protocol", () => {
  it("runs one command on POST /", async () => {
    expect(await call("/", ["SET", "bridge:a", "1"])).toEqual({ status: 200, json: { result: "OK" } });
    expect(await call("/", ["INCRBY", "bridge:a", 41])).toEqual({ status: 200, json: { result: 42 } });
    expect(await call("/", ["GET", "bridge:missing"])).toEqual({ status: 200, json: { result: null } });
  });

  it("runs a pipeline, reporting each command's result or error", async () => {
    const { status, json } = await call("/pipeline", [["SET", "bridge:p", "x"], ["INCR", "bridge:p"], ["GET", "bridge:p"]]);
    expect(status).toBe(200);
    expect(json).toEqual([{ result: "OK" }, { error: expect.stringMatching(/not an integer/) }, { result: "x" }]);
  });

  it("runs /multi-exec as one transaction", async () => {
    const { json } = await call("/multi-exec", [["SET", "bridge:m", "5"], ["INCR", "bridge:m"], ["GET", "bridge:m"]]);
    expect(json).toEqual([{ result: "OK" }, { result: 6 }, { result: "6" }]);
  });

  it("returns strings base64-encoded with Upstash-Encoding: base64, so binary survives", async () => {
    await call("/", ["SETBIT", "bridge:bits", 0, 1]);
    await call("/", ["SETBIT", "bridge:bits", 9, 1]);
    const { json } = await call("/", ["GET", "bridge:bits"], { "Upstash-Encoding": "base64" });
    expect(Buffer.from((json as { result: string }).result, "base64")).toEqual(Buffer.from([0x80, 0x40]));
    const array = await call("/", ["MGET", "bridge:a", "bridge:missing"], { "Upstash-Encoding": "base64" });
    expect(array.json).toEqual({ result: [Buffer.from("42").toString("base64"), null] });
  });

  it("accepts path-style commands", async () => {
    const response = await fetch(`${bridge.url}/get/bridge:a`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(await response.json()).toEqual({ result: "42" });
  });

  it.each(["/", "/pipeline", "/multi-exec", "/get/bridge:a"])("refuses %s without the right bearer token", async (path) => {
    for (const authorization of [undefined, "Bearer wrong-token", `Basic ${TOKEN}`, `Bearer ${TOKEN}x`]) {
      const response = await fetch(`${bridge.url}${path}`, {
        method: "POST",
        headers: authorization ? { Authorization: authorization } : {},
        body: JSON.stringify(path === "/" ? ["GET", "bridge:a"] : [["GET", "bridge:a"]]),
      });
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({ error: "Unauthorized" });
    }
  });

  it("answers bad input with JSON errors and keeps serving", async () => {
    expect(await call("/", "{not json")).toEqual({ status: 400, json: { error: expect.stringMatching(/valid JSON/) } });
    expect((await call("/", [])).status).toBe(400);
    expect((await call("/", [{ nested: true }])).status).toBe(400);
    expect((await call("/", ["NOSUCHCOMMAND"])).json).toEqual({ error: expect.stringMatching(/unknown command/i) });
    expect((await call("/", ["SUBSCRIBE", "x"])).status).toBe(400);
    expect((await call("/pipeline", ["GET", "x"])).status).toBe(400);
    expect((await call("/", ["GET", "bridge:a"])).json).toEqual({ result: "42" });
  });

  it("comes up before Redis does and heals once Redis is there", async () => {
    const { startRedis } = await import("../../scripts/lib/redis-server");
    const { freePort } = await import("../../scripts/lib/ports");
    const port = await freePort();
    const late = await startKvBridge({ redisUrl: `redis://127.0.0.1:${port}`, token: TOKEN });
    try {
      const down = await fetch(`${late.url}/`, { method: "POST", headers: { Authorization: `Bearer ${TOKEN}` }, body: '["PING"]' });
      expect(down.status).toBe(503);
      const redis = await startRedis({ port });
      try {
        let status = 0;
        for (let attempt = 0; attempt < 50 && status !== 200; attempt++) {
          await new Promise((resolve) => setTimeout(resolve, 100));
          status = (await fetch(`${late.url}/`, { method: "POST", headers: { Authorization: `Bearer ${TOKEN}` }, body: '["PING"]' })).status;
        }
        expect(status).toBe(200);
      } finally {
        await redis.stop();
      }
    } finally {
      await late.stop();
    }
  });

  it("listens on loopback only", () => {
    expect(bridge.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });
});

describe("@vercel/kv through the bridge: every command the app uses", () => {
  const kv = () => createClient({ url: bridge.url, token: TOKEN, enableAutoPipelining: false, automaticDeserialization: false });

  it("ping, del, and eval of each session script", async () => {
    const client = kv();
    expect(await client.ping()).toBe("PONG");
    const keys = ["t:{s}:seen", "t:{s}:read"];
    expect(await client.eval(REPLACE_SCRIPT, keys, ["40", "", 60])).toBe(1); // seen = {1}
    expect(await client.eval(CLAIM_SCRIPT, keys, [2, 10, 60, ""])).toEqual([3, 7, 10, 9]);
    expect(await client.eval(MARK_READ_SCRIPT, keys, [3, 60])).toEqual([4, 1]);
    const [seenHex, readHex, pttl] = (await client.eval(DESCRIBE_SCRIPT, keys, [])) as [string, string, number];
    expect([seenHex, readHex]).toEqual(["5060", "10"]);
    expect(pttl).toBeGreaterThan(0);
    expect(await client.del(...keys)).toBe(2);
  });

  it("with its default settings (auto-pipelining, deserialisation) too", async () => {
    const client = createClient({ url: bridge.url, token: TOKEN });
    await client.set("bridge:json", { a: 1 });
    expect(await client.get("bridge:json")).toEqual({ a: 1 });
    const [a, b] = await Promise.all([client.incr("bridge:n"), client.incr("bridge:n")]);
    expect(new Set([a, b])).toEqual(new Set([1, 2]));
  });
});
