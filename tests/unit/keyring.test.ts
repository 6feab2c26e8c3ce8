/** SESSION_SECRET as a keyring: which id seals (and signs), and the errors that say what to fix. */
import { describe, expect, it } from "vitest";
import { ConfigError, keyring, parseSessionConfig } from "@/lib/session/config";

const A = "a".repeat(32);
const B = "b".repeat(32);

describe("keyring", () => {
  it("reads a plain secret as the id 1, as iron-session does", () => {
    expect(keyring(A)).toEqual({ secrets: { 1: A }, sealId: "1" });
  });

  it("seals with the highest id by default, compared as numbers", () => {
    expect(keyring({ 9: A, 10: B }).sealId).toBe("10");
  });

  it("seals with SESSION_SECRET_SEAL_ID during a rollout, and refuses an id the map lacks", () => {
    const env = { SESSION_SECRET: JSON.stringify({ 2: B, 1: A }), SESSION_SECRET_SEAL_ID: "1" };
    expect(parseSessionConfig(env).keys).toEqual({ secrets: { 1: A, 2: B }, sealId: "1" });
    const wrong = { ...env, SESSION_SECRET_SEAL_ID: "3" };
    expect(() => parseSessionConfig(wrong)).toThrow(ConfigError);
    expect(() => parseSessionConfig(wrong)).toThrow(/not an id of SESSION_SECRET \(ids: 1, 2; a plain SESSION_SECRET is id "1"\)/);
  });
});

describe("the session configuration", () => {
  it("has a default for everything but the secret, and says what to set when a value is wrong", () => {
    const config = parseSessionConfig({ SESSION_SECRET: A, NODE_ENV: "production" });
    expect(config).toMatchObject({ ttlSeconds: 2_592_000, defaultMode: "cookie", memoryMaxReaders: 10_000 });
    expect(config.cookie).toEqual({ httpOnly: true, sameSite: "lax", secure: true, path: "/", maxAge: 2_592_000 });
    expect("unavailable" in config.kv && config.kv.unavailable).toMatch(/set KV_REST_API_URL and KV_REST_API_TOKEN/);
    expect(() => parseSessionConfig({ NODE_ENV: "production" })).toThrow(/SESSION_SECRET is not set/);
    expect(() => parseSessionConfig({ SESSION_SECRET: "short" })).toThrow(/at least 32 characters/);
    expect(() => parseSessionConfig({ SESSION_SECRET: A, SESSION_TTL_SECONDS: "soon" })).toThrow(/SESSION_TTL_SECONDS must be a positive whole number/);
    expect(() => parseSessionConfig({ SESSION_SECRET: A, MEMORY_MODE_MAX_READERS: "0" })).toThrow(/MEMORY_MODE_MAX_READERS/);
  });

  it("accepts the names the Upstash integration sets today beside Vercel KV's", () => {
    const upstash = parseSessionConfig({ SESSION_SECRET: A, UPSTASH_REDIS_REST_URL: "https://db.upstash.io", UPSTASH_REDIS_REST_TOKEN: "t" });
    expect(upstash.kv).toEqual({ transport: "rest", rest: { url: "https://db.upstash.io", token: "t" }, redis: null, waitReplicas: 0 });
    const vercel = parseSessionConfig({
      SESSION_SECRET: A,
      KV_REST_API_URL: "https://kv.example",
      KV_REST_API_TOKEN: "v",
      UPSTASH_REDIS_REST_URL: "https://x",
    });
    expect(vercel.kv).toEqual({ transport: "rest", rest: { url: "https://kv.example", token: "v" }, redis: null, waitReplicas: 0 });
  });

  it("reaches Redis in its own protocol through KV_URL, and KV_TRANSPORT picks when both are set", () => {
    const rest = { KV_REST_API_URL: "https://kv.example", KV_REST_API_TOKEN: "v" };
    const redisOnly = parseSessionConfig({ SESSION_SECRET: A, KV_URL: "redis://:pw@127.0.0.1:6379" });
    expect(redisOnly.kv).toEqual({ transport: "redis", rest: null, redis: { url: "redis://:pw@127.0.0.1:6379", clusterUrls: null }, waitReplicas: 0 });
    // What Vercel sets (both): the REST path stays the default, the Redis protocol is opt-in.
    expect(parseSessionConfig({ SESSION_SECRET: A, KV_URL: "rediss://default:pw@db.upstash.io:6379", ...rest }).kv).toMatchObject({ transport: "rest" });
    expect(parseSessionConfig({ SESSION_SECRET: A, KV_URL: "rediss://db.upstash.io:6379", KV_TRANSPORT: "redis", ...rest }).kv).toMatchObject({
      transport: "redis",
    });
    expect(parseSessionConfig({ SESSION_SECRET: A, KV_TRANSPORT: "redis", ...rest }).kv).toEqual({ unavailable: expect.stringMatching(/KV_URL/) });
    expect(parseSessionConfig({ SESSION_SECRET: A, KV_TRANSPORT: "rest", KV_URL: "redis://h:1" }).kv).toEqual({
      unavailable: expect.stringMatching(/KV_REST_API_URL/),
    });
    expect(() => parseSessionConfig({ SESSION_SECRET: A, KV_TRANSPORT: "tcp" })).toThrow(/KV_TRANSPORT must be "rest" or "redis"/);
    // A wrong scheme is a configuration error, and the message never echoes the password.
    expect(() => parseSessionConfig({ SESSION_SECRET: A, KV_URL: "http://:hunter2@h:6379" })).toThrow(/redis:\/\/ or rediss:\/\/ URL/);
    expect(() => parseSessionConfig({ SESSION_SECRET: A, KV_URL: "http://:hunter2@h:6379" })).not.toThrow(/hunter2/);
  });

  it("takes a Redis Cluster's seed nodes from REDIS_CLUSTER_URLS, never beside KV_URL, and KV_WAIT_REPLICAS as a small whole number", () => {
    const seeds = "redis://:pw@127.0.0.1:7000, redis://:pw@127.0.0.1:7001";
    const cluster = parseSessionConfig({ SESSION_SECRET: A, REDIS_CLUSTER_URLS: seeds, KV_WAIT_REPLICAS: "1" });
    expect(cluster.kv).toEqual({
      transport: "redis",
      rest: null,
      redis: { url: "redis://:pw@127.0.0.1:7000", clusterUrls: ["redis://:pw@127.0.0.1:7000", "redis://:pw@127.0.0.1:7001"] },
      waitReplicas: 1,
    });
    expect(() => parseSessionConfig({ SESSION_SECRET: A, REDIS_CLUSTER_URLS: seeds, KV_URL: "redis://h:1" })).toThrow(/not both/);
    expect(() => parseSessionConfig({ SESSION_SECRET: A, REDIS_CLUSTER_URLS: "http://:hunter2@h:7000" })).toThrow(/REDIS_CLUSTER_URLS must list/);
    expect(() => parseSessionConfig({ SESSION_SECRET: A, REDIS_CLUSTER_URLS: "http://:hunter2@h:7000" })).not.toThrow(/hunter2/);
    for (const bad of ["-1", "1.5", "six", "9"]) {
      expect(() => parseSessionConfig({ SESSION_SECRET: A, KV_URL: "redis://h:1", KV_WAIT_REPLICAS: bad })).toThrow(/KV_WAIT_REPLICAS must be a whole number/);
    }
  });
});
