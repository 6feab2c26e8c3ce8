/**
 * HAProxy as the demo's data plane, for real: the generated configuration in a real HAProxy 2.6,
 * driven through its Runtime API, in front of small Node servers standing in for app instances
 * (they answer /api/ready and name themselves in X-Instance-Id). The subject is the balancer:
 * policies, slots, health checks, routing rules, the Host allowlist and its own responses.
 *
 * The tests run in order on one HAProxy and leave every slot up for the next; each waits for the
 * state HAProxy reports rather than sleeping. Timings are printed, never asserted.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { Agent, createServer, type Server } from "node:http";
import { networkInterfaces, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkConfig, findHaproxy, HaproxyConfigError, running, startHaproxy, type RunningHaproxy } from "../../scripts/lib/haproxy/process";
import { SECURITY_HEADERS } from "../../scripts/lib/haproxy/responses";
import { parseShowStat } from "../../scripts/lib/haproxy/stats";
import { STAND_IN_HEADERS, startStandIn, type StandIn } from "../../scripts/lib/haproxy/stand-in";
import { freePort, isListening } from "../../scripts/lib/ports";
import { rawRequest, request } from "../support/http-client";

/** This machine's first non-loopback IPv4 address, if it has one. */
function outsideAddress(): string | undefined {
  return Object.values(networkInterfaces())
    .flat()
    .find((entry) => entry && entry.family === "IPv4" && !entry.internal)?.address;
}

const OUTSIDE = outsideAddress();
const IDS = ["a", "b", "c"] as const;
let haproxy: RunningHaproxy;
let port: number;
let controlPort: number;
let control: Server;
const controlHits: string[] = [];
const standIns = new Map<string, StandIn>();
const haproxyLog: string[] = [];

const get = (path: string, headers: Record<string, string> = {}) => request(port, path, { headers });
const standIn = (id: string) => standIns.get(id)!;

async function servedBy(count: number, path = "/api/feed", headers: Record<string, string> = {}): Promise<(string | null)[]> {
  const seen: (string | null)[] = [];
  for (let i = 0; i < count; i++) {
    const answer = await get(path, headers);
    expect(answer.status, answer.text).toBe(200);
    seen.push(answer.instance);
  }
  return seen;
}

interface SomeAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body?: string;
  text?: string;
}

function expectEnvelope(answer: SomeAnswer, status: number, code: string) {
  expect(answer.status).toBe(status);
  expect(answer.headers["content-type"]).toBe("application/json");
  expect(JSON.parse(answer.body ?? answer.text ?? "")).toEqual({ error: { code, message: expect.any(String) } });
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) expect(answer.headers[name.toLowerCase()], name).toBe(value);
}

async function startControl(): Promise<void> {
  control = createServer((req, res) => {
    controlHits.push(`${req.method} ${req.url}`);
    req.resume();
    const body = JSON.stringify({ control: true, path: req.url });
    req.once("end", () => res.writeHead(200, { "Content-Type": "application/json", "X-Control-Plane": "1" }).end(body));
  });
  await new Promise<void>((resolve) => control.listen(controlPort, "127.0.0.1", resolve));
}

async function stopControl(): Promise<void> {
  control.closeAllConnections();
  await new Promise<void>((resolve) => control.close(() => resolve()));
}

async function bringUp(id: string, instance: StandIn): Promise<void> {
  await haproxy.runtime.setSlotAddress(id, instance.port);
  await haproxy.runtime.setSlotState(id, "ready");
}

async function waitAllUp(): Promise<void> {
  await Promise.all(IDS.map((id) => haproxy.runtime.waitForSlotStatus(id, "UP", 5000)));
}

async function timed<T>(label: string, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await work();
  console.log(`[haproxy test] ${label}: ${Math.round(performance.now() - started)} ms`);
  return result;
}

beforeAll(async () => {
  port = await freePort();
  controlPort = await freePort();
  await startControl();
  for (const id of IDS) standIns.set(id, await startStandIn({ id }));
  haproxy = await startHaproxy({
    port,
    // Listening on every interface only to test the loopback-only admin API from another address.
    host: OUTSIDE ? "0.0.0.0" : "127.0.0.1",
    controlPort,
    maxInstances: 4,
    allowedHosts: ["news.test:8080", ...(OUTSIDE ? [`${OUTSIDE}:${port}`] : [])],
    serverTimeoutMs: 1500,
    log: (line) => haproxyLog.push(line),
  });
  for (const id of IDS) await bringUp(id, standIn(id));
  await waitAllUp();
});

afterAll(async () => {
  await haproxy?.stop();
  await Promise.all([...standIns.values()].map((instance) => instance.close()));
  await stopControl();
});

describe("HAProxy from the generated configuration", () => {
  it("passes haproxy -c without a warning, and a broken one is refused with HAProxy's words", () => {
    expect(checkConfig(haproxy.configPath)).toEqual([]);
    const dir = mkdtempSync(join(tmpdir(), "newsroom-haproxy-test-"));
    try {
      const broken = join(dir, "broken.cfg");
      writeFileSync(broken, readFileSync(haproxy.configPath, "utf8").replace("balance roundrobin", "balance round-robin"));
      expect(() => checkConfig(broken)).toThrow(HaproxyConfigError);
      expect(() => checkConfig(broken)).toThrow(/balance only supports 'roundrobin'/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("reports its slots, configured at run time, and its master and worker pids; the socket is private", async () => {
    const slots = await haproxy.runtime.slotStates();
    expect(slots.map(({ id, status, assigned, port: slotPort }) => ({ id, status, assigned, port: slotPort }))).toEqual([
      ...IDS.map((id) => ({ id, status: "UP", assigned: true, port: standIn(id).port })),
      { id: "d", status: "MAINT", assigned: false, port: 1 },
    ]);
    const { master, worker } = await haproxy.pids();
    expect(master).toBe(haproxy.masterPid);
    expect(worker).not.toBe(master);
    for (const pid of [master, worker]) expect(readFileSync(`/proc/${pid}/cmdline`, "utf8")).toMatch(/haproxy/);
    expect(statSync(join(haproxy.dir, "admin.sock")).mode & 0o777).toBe(0o600);
    expect(statSync(haproxy.dir).mode & 0o777).toBe(0o700);
  });

  it("round-robins requests over every slot up, one after the other", async () => {
    const seen = await servedBy(9);
    for (const id of IDS) expect(seen.filter((s) => s === id)).toHaveLength(3);
    for (let i = 1; i < seen.length; i++) expect(seen[i]).not.toBe(seen[i - 1]);
  });

  it("rotates static assets on their own, so a page's asset count never decides who serves its API calls", async () => {
    // Two assets per API call: in one shared rotation of three, every API call would land on the same instance.
    const api: (string | null)[] = [];
    const assets: (string | null)[] = [];
    for (let i = 0; i < 6; i++) {
      api.push((await get("/api/feed")).instance);
      assets.push((await get(`/_next/static/chunks/${i}.js`)).instance, (await get(i % 2 ? "/icon.svg" : "/favicon.ico")).instance);
    }
    expect(new Set(api)).toEqual(new Set(IDS));
    expect(new Set(assets)).toEqual(new Set(IDS));
  });

  it("pins a reader with HAProxy's nr_lb cookie under sticky, without passing the cookie on", async () => {
    await haproxy.runtime.setPolicy("sticky");
    try {
      expect(await haproxy.runtime.policy()).toBe("sticky");
      const first = await get("/api/feed");
      const setCookie = first.headers["set-cookie"] ?? [];
      expect(setCookie).toHaveLength(1);
      expect(setCookie[0]).toMatch(new RegExp(`^nr_lb=${first.instance}; path=/; HttpOnly; SameSite=Lax$`));
      const cookie = `nr_lb=${first.instance}; theme=dark`;
      for (let i = 0; i < 5; i++) {
        const next = await get("/api/feed", { Cookie: cookie });
        expect(next.instance).toBe(first.instance);
        expect(next.headers["set-cookie"]).toBeUndefined(); // indirect: not re-sent to a reader who has it
        expect(next.json<{ cookie: string }>().cookie).toBe("theme=dark"); // and not forwarded to the instance
      }
    } finally {
      await haproxy.runtime.setPolicy("round-robin");
    }
    expect(await haproxy.runtime.policy()).toBe("round-robin");
  });

  it("redispatches a sticky reader whose instance died, and pins it anew", async () => {
    await haproxy.runtime.setPolicy("sticky");
    try {
      await standIn("c").kill();
      // Still UP for HAProxy (two failed checks are needed): the refused connection is what moves the reader.
      const moved = await timed("sticky request to a dead instance", () => get("/api/feed", { Cookie: "nr_lb=c" }));
      expect(moved.status).toBe(200);
      expect(["a", "b"]).toContain(moved.instance);
      expect(moved.headers["set-cookie"]?.[0]).toMatch(new RegExp(`^nr_lb=${moved.instance};`));
    } finally {
      await haproxy.runtime.setPolicy("round-robin");
      await standIn("c").restart();
    }
    await timed("c back up", () => haproxy.runtime.waitForSlotStatus("c", "UP", 5000));
  });

  it("switches policy at run time, on an open keep-alive connection", async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const before = await request(port, "/api/feed", { agent });
      expect(before.headers["set-cookie"]).toBeUndefined();
      await haproxy.runtime.setPolicy("sticky");
      const after = await request(port, "/api/feed", { agent });
      expect(after.localPort).toBe(before.localPort);
      expect(after.headers["set-cookie"]?.[0]).toMatch(/^nr_lb=/);
      await haproxy.runtime.setPolicy("round-robin");
      expect((await request(port, "/api/feed", { agent })).headers["set-cookie"]).toBeUndefined();
    } finally {
      await haproxy.runtime.setPolicy("round-robin");
      agent.destroy();
    }
  });

  it("scales out into the next slot, which takes traffic only once its readiness check passes", async () => {
    const d = await startStandIn({ id: "d" });
    standIns.set("d", d);
    d.setReady(false);
    await bringUp("d", d);
    // HAProxy alone would count a slot leaving maintenance as up before checking it.
    expect((await haproxy.runtime.slotState("d")).status).toBe("DOWN");
    await timed("an unready d seen failing its check", () =>
      expect.poll(async () => (await haproxy.runtime.slotState("d")).checkStatus, { timeout: 5000 }).toBe("L7STS"),
    );
    await servedBy(8);
    expect(d.total()).toBe(0);
    d.setReady(true);
    await timed("d ready to up", () => haproxy.runtime.waitForSlotStatus("d", "UP", 5000));
    expect(new Set(await servedBy(8))).toEqual(new Set([...IDS, "d"]));
    await haproxy.runtime.setSlotState("d", "maint");
    expect(new Set(await servedBy(6))).toEqual(new Set(IDS));
  });

  it("drains a slot (new readers elsewhere, pinned ones stay) and takes it out entirely in maintenance", async () => {
    await haproxy.runtime.setSlotState("b", "drain");
    try {
      expect((await haproxy.runtime.slotState("b")).status).toBe("DRAIN");
      expect(await servedBy(6)).not.toContain("b");
      expect((await get("/api/session", { "X-Newsroom-Instance": "b" })).instance).toBe("b");
      await haproxy.runtime.setPolicy("sticky");
      expect(await servedBy(3, "/api/feed", { Cookie: "nr_lb=b" })).toEqual(["b", "b", "b"]);
      await haproxy.runtime.setSlotState("b", "maint");
      expect((await haproxy.runtime.slotState("b")).status).toBe("MAINT");
      const moved = await get("/api/feed", { Cookie: "nr_lb=b" });
      expect(["a", "c"]).toContain(moved.instance);
      expect(moved.headers["set-cookie"]?.[0]).toMatch(/^nr_lb=[ac];/);
    } finally {
      await haproxy.runtime.setPolicy("round-robin");
      await haproxy.runtime.setSlotState("b", "ready");
    }
    await haproxy.runtime.waitForSlotStatus("b", "UP", 5000);
    expect(new Set(await servedBy(6))).toEqual(new Set(IDS));
  });

  it("ejects an instance that stops answering its health check, and readmits it when it answers again", async () => {
    await standIn("b").kill();
    const down = await timed("killed b ejected by health checks", () => haproxy.runtime.waitForSlotStatus("b", "DOWN", 5000));
    expect(down.checkStatus).toBe("L4CON");
    expect(await servedBy(6)).not.toContain("b");
    await standIn("b").restart();
    await timed("restarted b readmitted", () => haproxy.runtime.waitForSlotStatus("b", "UP", 5000));
    expect(await servedBy(6)).toContain("b");
  });

  it("retries a request refused at connect on another instance", async () => {
    const redispatchedAwayFromA = async () => {
      const row = parseShowStat(await haproxy.runtime.command("show stat -1 4 -1")).find((r) => r.pxname === "app_rr" && r.svname === "a")!;
      return Number(row.wredis);
    };
    // Freeze a's health so it stays UP while pointing at a port nothing listens on.
    expect(await haproxy.runtime.command("disable health app_rr/a")).toMatch(/^\s*$/);
    const redispatchedBefore = await redispatchedAwayFromA();
    try {
      await haproxy.runtime.setSlotAddress("a", await freePort());
      const seen = await timed("6 requests, one refused and redispatched", () => servedBy(6));
      expect(seen).not.toContain("a");
      expect(await redispatchedAwayFromA()).toBeGreaterThan(redispatchedBefore);
    } finally {
      await haproxy.runtime.setSlotAddress("a", standIn("a").port);
      await haproxy.runtime.command("enable health app_rr/a");
    }
    await haproxy.runtime.waitForSlotStatus("a", "UP", 5000);
  });

  it("sends a request pinned with X-Newsroom-Instance to that slot when it is up, else balances it", async () => {
    expect(await servedBy(4, "/api/session", { "X-Newsroom-Instance": "b" })).toEqual(["b", "b", "b", "b"]);
    await haproxy.runtime.setPolicy("sticky");
    try {
      const pinned = await get("/api/session", { "X-Newsroom-Instance": "c", Cookie: "nr_lb=a" });
      expect(pinned.instance).toBe("c");
      expect(pinned.headers["set-cookie"]).toBeUndefined(); // asking c does not re-pin the reader
    } finally {
      await haproxy.runtime.setPolicy("round-robin");
    }
    // d is in maintenance and zz does not exist: balanced as usual.
    expect(new Set(await servedBy(6, "/api/session", { "X-Newsroom-Instance": "d" }))).toEqual(new Set(IDS));
    expect(new Set(await servedBy(6, "/api/session", { "X-Newsroom-Instance": "zz" }))).toEqual(new Set(IDS));
  });

  it("routes /__cluster and /__cluster/* to the control plane, and nothing else", async () => {
    controlHits.length = 0;
    const list = await get("/__cluster");
    expect(list.headers["x-control-plane"]).toBe("1");
    const stop = await request(port, "/__cluster/instances/b/stop", { method: "POST", body: "{}" });
    expect(stop.json()).toEqual({ control: true, path: "/__cluster/instances/b/stop" });
    expect((await get("/__clusterfoo")).instance).not.toBeNull();
    expect(controlHits).toEqual(["GET /__cluster", "POST /__cluster/instances/b/stop"]);
  });

  it("sends every request to the control plane while no slot is up, and answers 503 itself when that is down too", async () => {
    for (const id of IDS) await haproxy.runtime.setSlotState(id, "maint");
    try {
      for (const path of ["/", "/api/feed", "/_next/static/chunks/main.js"]) {
        const answer = await get(path, { "X-Newsroom-Instance": "a" });
        expect(answer.headers["x-control-plane"], path).toBe("1");
      }
      await stopControl();
      const unavailable = await get("/api/feed");
      expectEnvelope(unavailable, 503, "SERVICE_UNAVAILABLE");
    } finally {
      if (!control.listening) await startControl();
      for (const id of IDS) await haproxy.runtime.setSlotState(id, "ready");
    }
    await waitAllUp();
  });

  it("answers a foreign Host with 421 and a missing Host with 400, in the envelope with the security headers", async () => {
    expectEnvelope(await get("/api/feed", { Host: "evil.example:80" }), 421, "MISDIRECTED_REQUEST");
    expectEnvelope(await get("/__cluster", { Host: `attacker.test:${port}` }), 421, "MISDIRECTED_REQUEST");
    for (const host of [`127.0.0.1:${port}`, `LOCALHOST:${port}`, `[::1]:${port}`, "news.test:8080"]) {
      expect((await get("/api/feed", { Host: host })).status, host).toBe(200);
    }
    expectEnvelope(await rawRequest(port, "GET /api/feed HTTP/1.0\r\n\r\n"), 400, "BAD_REQUEST");
    expectEnvelope(await rawRequest(port, "GET /api/feed HTTP/1.1\r\nConnection: close\r\n\r\n"), 400, "BAD_REQUEST");
    // Two different Host headers: HAProxy's HTTP/1 parser refuses the request before any rule (its own
    // fixed 400 page, which HAProxy 2.6 cannot replace; see responses.ts). Refused is what matters.
    const doubled = `GET /api/feed HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nHost: evil.example\r\nConnection: close\r\n\r\n`;
    expect((await rawRequest(port, doubled)).status).toBe(400);
  });

  it.skipIf(!OUTSIDE)(`refuses the admin API to a client on ${OUTSIDE ?? "another address"} with 403, and serves it the app`, async () => {
    // Connected through the outside address, which HAProxy then sees as the source.
    expectEnvelope(await request(port, "/__cluster", { host: OUTSIDE }), 403, "FORBIDDEN");
    expect((await request(port, "/api/feed", { host: OUTSIDE })).status).toBe(200);
  });

  it("answers 502 and 504 itself in the envelope, and never sends a request that reached an instance a second time", async () => {
    const hangUps = () => IDS.reduce((sum, id) => sum + (standIn(id).served.get("/__stand-in/hang-up") ?? 0), 0);
    const slow = () => IDS.reduce((sum, id) => sum + (standIn(id).served.get("/__stand-in/slow") ?? 0), 0);
    expectEnvelope(await request(port, "/__stand-in/hang-up", { method: "POST", body: '{"limit":5}' }), 502, "BAD_GATEWAY");
    expect(hangUps()).toBe(1);
    expectEnvelope(await timed("504 after timeout server 1500ms", () => get("/__stand-in/slow?ms=4000")), 504, "GATEWAY_TIMEOUT");
    expect(slow()).toBe(1);
  });

  it("passes the app's own headers through untouched", async () => {
    const answer = await get("/");
    expect(answer.status).toBe(200);
    for (const [name, value] of Object.entries(STAND_IN_HEADERS)) expect(answer.headers[name.toLowerCase()], name).toBe(value);
    expect(answer.headers["x-content-type-options"]).toBeUndefined(); // HAProxy adds nothing to proxied responses
    expect(answer.json<{ forwardedFor: string }>().forwardedFor).toBe("127.0.0.1");
  });

  it("counts requests served per slot over every backend, and refuses bad Runtime API input", async () => {
    const before = await haproxy.runtime.slotStates();
    await servedBy(3);
    await get("/_next/static/x.js");
    const after = await haproxy.runtime.slotStates();
    const served = (slots: typeof before) => slots.reduce((sum, slot) => sum + slot.totalSessions, 0);
    expect(served(after) - served(before)).toBe(4);
    await expect(haproxy.runtime.setSlotState("zz", "ready")).rejects.toThrow(/no slot "zz"/);
    await expect(haproxy.runtime.setSlotAddress("a", 3000, "localhost")).rejects.toThrow(/IP address/);
    await expect(haproxy.runtime.command("show info; show stat")).rejects.toThrow(/without ';'/);
    await expect(haproxy.runtime.setPolicy("random" as never)).rejects.toThrow(/policy must be one of/);
    expect(haproxyLog.join("\n")).toMatch(/Server app_rr\/b is DOWN/);
  });
});

describe("the HAProxy process", () => {
  it("stops master and worker and removes its files; kill is immediate", async () => {
    for (const end of ["stop", "kill"] as const) {
      const started = await startHaproxy({ controlPort: 1, maxInstances: 1, log: () => {} });
      const { master, worker } = await started.pids();
      expect(running(master) && running(worker)).toBe(true);
      if (end === "kill") await started.kill();
      await started.stop();
      // Both gone when stop() / kill() resolve: the port is free for the next start.
      expect(await isListening(started.port)).toBe(false);
      expect(running(worker)).toBe(false);
      expect(running(master)).toBe(false);
      expect(existsSync(started.dir)).toBe(false);
    }
  });

  it("names both install commands when haproxy is missing and cannot be installed", () => {
    const path = process.env.PATH;
    process.env.PATH = "/nonexistent"; // no haproxy, and no apt-get to install it with
    try {
      expect(() => findHaproxy()).toThrow(/sudo apt-get install -y haproxy[\s\S]*brew install haproxy/);
    } finally {
      process.env.PATH = path;
    }
  });
});
