/**
 * The stack as the demo runs it: HAProxy carrying the traffic to real instances of the production
 * build, the control plane driving it and answering /__cluster with what HAProxy reports. (HAProxy's
 * own rules, in front of stand-in instances: haproxy.test.ts; the demo as a command:
 * demo-command.test.ts.)
 */
import { request as httpRequest } from "node:http";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { SessionView } from "@/lib/api-contract";
import type { ClusterState } from "@/lib/cluster-contract";
import { isLoopback } from "../../scripts/lib/control-plane/control-server";
import type { InstanceRecord } from "../../scripts/lib/cluster/cluster";
import { isListening } from "../../scripts/lib/ports";
import { ReaderClient } from "../../scripts/lib/reader-client";
import { startStack, type Stack } from "../../scripts/lib/stack";

let stack: Stack;

/** An admin call as the scripts make it: with this run's token, as JSON. */
async function admin<T = unknown>(method: string, path: string, body?: string) {
  const headers = method === "GET" ? undefined : { Authorization: `Bearer ${stack.adminToken}`, "Content-Type": "application/json" };
  const response = await fetch(`${stack.url}/__cluster${path}`, { method, body, headers });
  return { status: response.status, body: (await response.json()) as T };
}

async function servedBy(headers: Record<string, string> = {}) {
  const response = await fetch(`${stack.url}/api/health`, { headers });
  await response.arrayBuffer();
  return { status: response.status, instance: response.headers.get("x-instance-id"), setCookie: response.headers.getSetCookie() };
}

beforeAll(async () => {
  const kv = inject("kv");
  process.env.KV_REST_API_URL = kv.url;
  process.env.KV_REST_API_TOKEN = kv.token;
  stack = await startStack({
    instances: 2,
    port: 0,
    policy: "round-robin",
    build: false,
    maxInstances: 3,
    env: { ALLOWED_HOSTS: "newsroom.test" },
    log: () => {},
  });
});

afterAll(async () => {
  await stack?.stop();
});

describe("HAProxy in front, driven by the control plane", () => {
  it("lists the instances and the policy as HAProxy reports them", async () => {
    const { status, body } = await admin<ClusterState>("GET", "");
    expect(status).toBe(200);
    expect(body.balancer).toMatch(/^HAProxy \d+\.\d+/);
    expect(body.policy).toBe("round-robin");
    expect(body.instances.map((i) => [i.id, i.status])).toEqual([
      ["a", "up"],
      ["b", "up"],
    ]);
    for (const instance of body.instances) {
      expect(instance.port).toBeGreaterThan(0);
      expect(instance.pid).toBeGreaterThan(0);
      // HAProxy's own words: in rotation, its readiness check on /api/ready passed.
      expect(instance.balancer).toMatchObject({ state: "UP", lastCheck: "L7OK 200", inRotation: true });
      expect(instance.served).toBe(instance.balancer!.served);
    }
    // The same through the Runtime API itself: what the page shows is what HAProxy does.
    const slots = await stack.haproxy.runtime.slotStates();
    expect(slots.filter((slot) => slot.assigned).map((slot) => [slot.id, slot.port])).toEqual(body.instances.map((i) => [i.id, i.port]));
  });

  it("counts the requests HAProxy gave each instance", async () => {
    const before = (await admin<ClusterState>("GET", "")).body.instances;
    for (let i = 0; i < 6; i++) await servedBy();
    const after = (await admin<ClusterState>("GET", "")).body.instances;
    const gained = after.map((instance, i) => instance.served - before[i]!.served);
    expect(gained.reduce((sum, n) => sum + n, 0)).toBe(6);
    expect(gained).toEqual([3, 3]);
  });

  it("round-robins over the instances that are up", async () => {
    const seen = [];
    for (let i = 0; i < 4; i++) seen.push((await servedBy()).instance);
    expect(new Set(seen)).toEqual(new Set(["a", "b"]));
    expect(seen[0]).not.toBe(seen[1]);
  });

  it("pins a client with HAProxy's affinity cookie under the sticky policy", async () => {
    expect((await admin("PUT", "/policy", '{"policy":"sticky"}')).status).toBe(200);
    expect(await stack.haproxy.runtime.policy(), "the switch reached HAProxy's policy map").toBe("sticky");
    expect((await admin<ClusterState>("GET", "")).body.policy).toBe("sticky");
    try {
      const first = await servedBy();
      const cookie = first.setCookie.find((c) => c.startsWith("nr_lb="))!;
      expect(cookie).toMatch(/HttpOnly/);
      const pair = cookie.split(";")[0]!;
      for (let i = 0; i < 4; i++) expect((await servedBy({ Cookie: pair })).instance).toBe(first.instance);
    } finally {
      await admin("PUT", "/policy", '{"policy":"round-robin"}');
    }
  });

  it("answers admin mistakes in the error envelope", async () => {
    expect(await admin("PUT", "/policy", '{"policy":"random"}')).toMatchObject({ status: 400, body: { error: { code: "INVALID_INPUT" } } });
    expect(await admin("PUT", "/policy", "{nope")).toMatchObject({ status: 400, body: { error: { code: "INVALID_JSON" } } });
    expect(await admin("POST", "/instances/zz/stop")).toMatchObject({ status: 404, body: { error: { code: "UNKNOWN_INSTANCE" } } });
    expect(await admin("DELETE", "/instances/a")).toMatchObject({ status: 404, body: { error: { code: "NOT_FOUND" } } });
    expect(await admin("POST", "/instances/a/start")).toMatchObject({ status: 409, body: { error: { code: "ALREADY_RUNNING" } } });
  });

  it("scales out by one instance that then takes traffic", async () => {
    const { status, body } = await admin<InstanceRecord>("POST", "/instances");
    expect(status).toBe(201);
    expect(body).toMatchObject({ id: "c", status: "up" });
    const seen = new Set<string | null>();
    for (let i = 0; i < 6; i++) seen.add((await servedBy()).instance);
    expect(seen).toEqual(new Set(["a", "b", "c"]));
  });

  it("stops an instance's whole process tree and starts it again", async () => {
    const stopped = await admin<InstanceRecord>("POST", "/instances/c/stop");
    // Out of HAProxy's rotation (maintenance) before the process went.
    expect(stopped.body).toMatchObject({ id: "c", status: "down", pid: null, balancer: { state: "MAINT", inRotation: false } });
    expect(await isListening(stopped.body.port)).toBe(false);
    for (let i = 0; i < 4; i++) expect((await servedBy()).instance).not.toBe("c");
    const started = await admin<InstanceRecord>("POST", "/instances/c/start");
    // Answered once HAProxy's own check passed: in rotation for the very next request.
    expect(started.body).toMatchObject({ id: "c", status: "up", balancer: { state: "UP", inRotation: true } });
    expect(await isListening(started.body.port)).toBe(true);
  });

  it("answers 503 when no instance is up", async () => {
    const ids = stack.cluster.list().map((i) => i.id);
    await Promise.all(ids.map((id) => admin("POST", `/instances/${id}/stop`)));
    try {
      const response = await fetch(`${stack.url}/`);
      expect(response.status).toBe(503);
      expect(await response.json()).toMatchObject({ error: { code: "NO_INSTANCE" } });
    } finally {
      await Promise.all(ids.map((id) => admin("POST", `/instances/${id}/start`)));
    }
  });

  it("asks one chosen instance about the caller's session, and counts memory readers per instance", async () => {
    const reader = new ReaderClient(stack.url);
    const switched = await reader.setMode("memory");
    expect(switched.status).toBe(200);
    const page = await reader.feed(5);
    expect(page.status).toBe(200);
    const holder = page.instance!;
    // The switch itself left an (empty) entry on the instance that handled it; ask a third one.
    const others = stack.cluster.list().filter((i) => i.id !== holder && i.id !== switched.instance && i.status === "up");
    expect(others.length, "needs a third instance (added by the scale-out test above)").toBeGreaterThan(0);
    const other = others[0]!.id;
    const asked = async (id: string) => {
      const response = await fetch(`${stack.url}/__cluster/instances/${id}/session`, { headers: { Cookie: reader.cookieHeader() } });
      return { status: response.status, instance: response.headers.get("x-instance-id"), body: (await response.json()) as SessionView };
    };
    expect(await asked(holder)).toMatchObject({ status: 200, instance: holder, body: { seenCount: 5, store: { heldBy: holder } } });
    expect(await asked(other)).toMatchObject({ status: 200, instance: other, body: { seenCount: 0, store: { heldBy: null } } });
    expect(await admin("GET", "/instances/zz/session")).toMatchObject({ status: 404, body: { error: { code: "UNKNOWN_INSTANCE" } } });
    // The next health check reports the reader held by that instance.
    await expect.poll(() => stack.cluster.list().find((i) => i.id === holder)!.readers, { timeout: 5000 }).toBeGreaterThanOrEqual(1);
  });

  it("with no instance up, gives a browser the recovery page and API clients the JSON 503", async () => {
    const ids = stack.cluster.list().map((i) => i.id);
    await Promise.all(ids.map((id) => admin("POST", `/instances/${id}/stop`)));
    try {
      const page = await fetch(`${stack.url}/cluster`, { headers: { Accept: "text/html" } });
      expect(page.status).toBe(503);
      expect(page.headers.get("content-type")).toContain("text/html");
      const html = await page.text();
      expect(html).toContain('data-testid="recovery"');
      const nonce = /script-src 'nonce-([^']+)'/.exec(page.headers.get("content-security-policy") ?? "")?.[1];
      expect(html, "the page's own script carries its nonce").toContain(`<script nonce="${nonce}">`);
      const api = await fetch(`${stack.url}/api/session`, { headers: { Accept: "text/html,application/json" } });
      expect(api.status).toBe(503);
      expect(await api.json()).toMatchObject({ error: { code: "NO_INSTANCE" } });
    } finally {
      await Promise.all(ids.map((id) => admin("POST", `/instances/${id}/start`)));
    }
  });

  it("stops scaling out at --max-instances", async () => {
    expect(stack.cluster.list()).toHaveLength(3);
    expect(await admin("POST", "/instances")).toMatchObject({ status: 409, body: { error: { code: "INSTANCE_LIMIT" } } });
  });

  it("treats only loopback addresses as admin clients", () => {
    for (const address of ["127.0.0.1", "127.1.2.3", "::1", "::ffff:127.0.0.1"]) expect(isLoopback(address)).toBe(true);
    for (const address of ["10.0.0.5", "192.168.1.2", "::ffff:10.0.0.1", "fe80::1", undefined]) expect(isLoopback(address)).toBe(false);
  });

  it("the control plane takes the client's address from the last X-Forwarded-For entry, which HAProxy appends", async () => {
    const control = `http://127.0.0.1:${stack.control.port}/__cluster`;
    // What HAProxy sends for a remote client (it answers 403 itself first: haproxy.test.ts); a
    // client's own X-Forwarded-For claiming loopback comes first and is not believed.
    const remote = await fetch(control, { headers: { "X-Forwarded-For": "127.0.0.1, 10.0.0.5" } });
    expect(remote.status).toBe(403);
    expect(await remote.json()).toMatchObject({ error: { code: "FORBIDDEN" } });
    expect((await fetch(control, { headers: { "X-Forwarded-For": "10.0.0.5, 127.0.0.1" } })).status).toBe(200);
    expect((await fetch(control)).status, "a local process on the control port itself").toBe(200);
  });
});

describe("attacks on the admin API and Host", () => {
  const stop = (headers: Record<string, string>) => fetch(`${stack.url}/__cluster/instances/a/stop`, { method: "POST", headers, body: "{}" });
  const token = () => ({ Authorization: `Bearer ${stack.adminToken}` });

  it("refuses a change without the admin token, without JSON, or from another site: nothing is stopped", async () => {
    const cases: [string, Record<string, string>, number, string][] = [
      ["no token (what a cross-origin no-cors fetch sends)", { "Content-Type": "text/plain" }, 415, "UNSUPPORTED_MEDIA_TYPE"],
      ["JSON but no token", { "Content-Type": "application/json" }, 401, "ADMIN_TOKEN_REQUIRED"],
      ["a wrong token", { "Content-Type": "application/json", Authorization: "Bearer not-the-token" }, 401, "ADMIN_TOKEN_REQUIRED"],
      ["the token, but a form body", { ...token(), "Content-Type": "application/x-www-form-urlencoded" }, 415, "UNSUPPORTED_MEDIA_TYPE"],
      ["the token, from another site", { ...token(), "Content-Type": "application/json", "Sec-Fetch-Site": "cross-site" }, 403, "CROSS_SITE_REQUEST"],
      [
        "the token, from a same-site page on another port",
        { ...token(), "Content-Type": "application/json", "Sec-Fetch-Site": "same-site" },
        403,
        "CROSS_SITE_REQUEST",
      ],
      ["the token, with a foreign Origin", { ...token(), "Content-Type": "application/json", Origin: "http://evil.test" }, 403, "CROSS_SITE_REQUEST"],
    ];
    for (const [what, headers, status, code] of cases) {
      const response = await stop(headers);
      expect({ what, status: response.status, body: await response.json() }).toMatchObject({ what, status, body: { error: { code } } });
    }
    expect(stack.cluster.get("a")!.status).toBe("up");
    // The control: same-origin JSON with the token does stop it (and it is started again).
    const origin = `http://${new URL(stack.url).host}`;
    expect((await stop({ ...token(), "Content-Type": "application/json", Origin: origin, "Sec-Fetch-Site": "same-origin" })).status).toBe(200);
    expect(stack.cluster.get("a")!.status).toBe("down");
    expect((await admin("POST", "/instances/a/start")).status).toBe(200);
  });

  it("tells a caller whether it may change the cluster, and hands a browser the cookie only for the printed link", async () => {
    expect(((await (await fetch(`${stack.url}/__cluster`)).json()) as ClusterState).admin).toBe(false);
    expect(((await (await fetch(`${stack.url}/__cluster`, { headers: token() })).json()) as ClusterState).admin).toBe(true);

    const link = await fetch(`${stack.url}/history?x=1&admin_token=${stack.adminToken}`, { redirect: "manual" });
    expect(link.status).toBe(303);
    expect(link.headers.get("location")).toBe("/history?x=1");
    const cookie = link.headers.getSetCookie()[0]!;
    expect(cookie).toMatch(/^nr_admin=[A-Za-z0-9_-]+; Path=\/__cluster; HttpOnly; SameSite=Strict$/);
    const withCookie = await fetch(`${stack.url}/__cluster`, { headers: { Cookie: cookie.split(";")[0]! } });
    expect(((await withCookie.json()) as ClusterState).admin).toBe(true);

    const stale = await fetch(`${stack.url}/?admin_token=from-another-run`, { redirect: "manual" });
    expect(stale.status).toBe(403);
    expect(stale.headers.getSetCookie()).toEqual([]);
    // Any other page hands out nothing.
    expect((await fetch(`${stack.url}/`)).headers.getSetCookie().some((c) => c.startsWith("nr_admin="))).toBe(false);
  });

  it("refuses a foreign Host (DNS rebinding) on HAProxy, the control plane and every instance, and serves allowed ones", async () => {
    const instance = stack.cluster.list().find((i) => i.status === "up")!;
    for (const base of [stack.url, `http://127.0.0.1:${stack.control.port}`, `http://127.0.0.1:${instance.port}`]) {
      const port = new URL(base).port;
      // The control plane answers /__cluster (anything else only while no instance is up).
      const probePath = Number(port) === stack.control.port ? "/__cluster" : "/api/health";
      const asked = (host: string, path = probePath) => rawGet(Number(port), path, host);
      for (const foreign of [`rebind.evil.test:${port}`, "rebind.evil.test", `localhost.evil.test:${port}`]) {
        const answer = await asked(foreign);
        expect(answer.status, `${foreign} on ${base}`).toBe(421);
        expect(JSON.parse(answer.body)).toMatchObject({ error: { code: "MISDIRECTED_REQUEST" } });
        expect(answer.headers["x-content-type-options"]).toBe("nosniff");
      }
      expect((await asked(`rebind.evil.test:${port}`, "/__cluster")).status).toBe(421);
      for (const ours of [`localhost:${port}`, `127.0.0.1:${port}`, `newsroom.test:${port}`, `app.localhost:${port}`]) {
        expect((await asked(ours)).status, `${ours} on ${base}`).toBe(200);
      }
      expect((await asked("")).status, "no Host at all").toBe(400);
    }
  });
});

/** A GET with exactly the Host header given ("" sends none). */
function rawGet(port: number, path: string, host: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: "127.0.0.1", port, path, setHost: false, headers: host ? { Host: host } : {} }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end();
  });
}
