/**
 * The HAProxy configuration generator and the Runtime API parsers, without HAProxy: the text the
 * generator writes (tests/integration/haproxy.test.ts runs it in a real HAProxy), its refusals,
 * the quoting that keeps a value one word, and the parsers on output captured from HAProxy 2.6.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { cpuMicros } from "../../scripts/lib/haproxy/cpu";
import { haproxyConfig, hostAllowPattern, policyMapText, slotIds, type HaproxyConfigOptions } from "../../scripts/lib/haproxy/config";
import { HAPROXY_ERRORS, SECURITY_HEADERS } from "../../scripts/lib/haproxy/responses";
import { parseInfo, parsePolicyMap, parseServersState, parseShowStat, slotStates } from "../../scripts/lib/haproxy/stats";
import { checkedHostValue, quoted, quotedLogFormat } from "../../scripts/lib/haproxy/syntax";

const BASE: HaproxyConfigOptions = {
  port: 3000,
  controlPort: 4000,
  socketPath: "/tmp/nr-x/admin.sock",
  policyMapPath: "/tmp/nr-x/policy.map",
  maxInstances: 3,
};

/** The lines of one section ("backend app_rr", …), without indentation. */
function section(config: string, header: string): string[] {
  const blocks = config.split("\n\n").map((block) => block.split("\n").filter((line) => line !== "" && !line.startsWith("#")));
  const block = blocks.find((lines) => lines[0] === header);
  if (!block) throw new Error(`no section "${header}" in:\n${config}`);
  return block.slice(1).map((line) => line.trim());
}

/**
 * A reference reader for one HAProxy word, following section 2.2 of its manual (weak and strong
 * quoting, backslash escapes): what HAProxy will see of a value the generator wrote.
 */
function readWord(text: string): { word: string; rest: string } {
  let word = "";
  let i = 0;
  let mode: "plain" | "weak" | "strong" = "plain";
  for (; i < text.length; i++) {
    const c = text[i]!;
    if (mode === "strong") {
      if (c === "'") mode = "plain";
      else word += c;
    } else if (c === "\\") {
      const next = text[++i]!;
      if (next === "x") {
        word += String.fromCharCode(parseInt(text.slice(i + 1, i + 3), 16));
        i += 2;
      } else word += next === "n" ? "\n" : next === "r" ? "\r" : next === "t" ? "\t" : next;
    } else if (c === '"') mode = mode === "weak" ? "plain" : "weak";
    else if (c === "'" && mode === "plain") mode = "strong";
    else if (mode === "weak" && c === "$") throw new Error("an unescaped $ inside double quotes is an environment variable");
    else if (mode === "plain" && (c === " " || c === "#")) break;
    else word += c;
  }
  return { word, rest: text.slice(i).trimStart() };
}

/** The value after `keyword` on a line, read as HAProxy reads it. */
function argumentAfter(line: string, keyword: string): string {
  const at = line.indexOf(` ${keyword} `);
  if (at < 0) throw new Error(`no "${keyword}" in ${line}`);
  return readWord(line.slice(at + keyword.length + 2)).word;
}

describe("haproxyConfig", () => {
  const config = haproxyConfig({ ...BASE, allowedHosts: ["News.Local:8080", "192.168.1.20:3000"] });

  it("declares every slot in maintenance at the placeholder, with one health check, tracked by the sticky and assets backends", () => {
    expect(slotIds(3)).toEqual(["a", "b", "c"]);
    const main = section(config, "backend app_rr");
    expect(main).toEqual(expect.arrayContaining(["a", "b", "c"].map((id) => `server ${id} 127.0.0.1:1 check disabled`)));
    expect(main.filter((line) => line.startsWith("server "))).toHaveLength(3);
    expect(main).toEqual(
      expect.arrayContaining(["option httpchk", "http-check send meth GET uri /api/ready ver HTTP/1.1 hdr Host localhost", "http-check expect status 200"]),
    );
    const sticky = section(config, "backend app_sticky");
    expect(sticky).toContain('cookie nr_lb insert indirect nocache httponly attr "SameSite=Lax"');
    expect(sticky).toContain("server b 127.0.0.1:1 track app_rr/b cookie b");
    expect(section(config, "backend assets")).toContain("server c 127.0.0.1:1 track app_rr/c");
    // Trackers carry no check and no "disabled" of their own: their state is the tracked server's.
    for (const line of [...sticky, ...section(config, "backend assets")].filter((l) => l.startsWith("server "))) expect(line).not.toMatch(/check|disabled/);
    expect(section(config, "backend control")).toEqual(["server control 127.0.0.1:4000"]);
  });

  it("checks health every second (fall 2, rise 1, 3 s), retries only failed connections, elsewhere, and reuses connections", () => {
    const defaults = section(config, "defaults");
    expect(defaults).toEqual(
      expect.arrayContaining([
        "default-server inter 1s fastinter 250ms downinter 250ms fall 2 rise 1",
        "timeout check 3s",
        "retry-on conn-failure",
        "option redispatch 1",
        "http-reuse safe",
        "timeout http-request 10s",
        "timeout connect 2s",
        "timeout client 60s",
        "timeout server 60000ms",
      ]),
    );
    expect(section(config, "global")).toEqual(
      expect.arrayContaining(['stats socket "/tmp/nr-x/admin.sock" mode 600 level admin', "master-worker", "nbthread 1"]),
    );
    expect(config).not.toMatch(/^\s*log /m); // no log unless asked
    expect(haproxyConfig({ ...BASE, log: true })).toMatch(/^ {4}log stdout format raw daemon$/m);
  });

  it("routes in order: Host checks, admin API, no server up, pin header, assets, then the policy map", () => {
    const frontend = section(config, "frontend newsroom");
    expect(frontend[0]).toBe("bind 127.0.0.1:3000");
    const index = (pattern: RegExp) => frontend.findIndex((line) => pattern.test(line));
    const order = [
      index(/^http-request return status 400 .* unless \{ req\.hdr\(host\) -m found \}$/),
      index(/^http-request return status 421 .* unless host_allowed$/),
      index(/^http-request return status 403 .* if is_control !from_loopback$/),
      index(/^use_backend control if is_control$/),
      index(/^use_backend control if \{ nbsrv\(app_rr\) lt 1 \}$/),
      index(/^use_backend app_rr if pin_a \{ srv_is_up\(app_rr\/a\) \}$/),
      index(/^use_backend assets if is_asset$/),
      index(/^use_backend %\[str\(policy\),map\(\/tmp\/nr-x\/policy\.map,app_rr\)\]$/),
    ];
    expect(
      order.every((at) => at >= 0),
      frontend.join("\n"),
    ).toBe(true);
    expect([...order].sort((x, y) => x - y)).toEqual(order);
    expect(frontend).toContain("acl pin_c req.hdr(x-newsroom-instance) -m str c");
    expect(frontend).toEqual(expect.arrayContaining(["acl is_asset path_beg /_next/static/", "acl is_asset path /icon.svg /favicon.ico"]));
    expect(section(config, "backend app_rr")).toContain("use-server b if { req.hdr(x-newsroom-instance) -m str b }");
  });

  it("allows the app's Host rule (loopback names, *.localhost, IP literals, the extra names; any port), nothing else", () => {
    const pattern = hostAllowPattern(["News.Local:8080", "192.168.1.20:3000"]);
    expect(section(config, "frontend newsroom")).toContain(`acl host_allowed req.hdr(host) -m reg -i '${pattern}'`);
    // The same expression in JavaScript (HAProxy's PCRE reads it alike; haproxy.test.ts asks the real one).
    const allowed = new RegExp(pattern, "i");
    for (const ours of ["localhost:3000", "LOCALHOST", "127.0.0.1:3000", "[::1]:3000", "app.localhost:1", "10.1.2.3", "news.local", "NEWS.LOCAL:9"]) {
      expect(allowed.test(ours), ours).toBe(true);
    }
    for (const foreign of ["evil.test", "localhost.evil.test", "newsXlocal", "x.news.local", "news.local.evil", "127.0.0.1.evil", "a b", "localhost:3000/x"]) {
      expect(allowed.test(foreign), foreign).toBe(false);
    }
    for (const bad of ["evil host", 'a"b', "a'b", "x/y", "", "a:b:c", "#x"]) expect(() => checkedHostValue(bad), bad).toThrow(/not a Host header value/);
    expect(() => haproxyConfig({ ...BASE, allowedHosts: ["news local"] })).toThrow(/not a Host header value/);
  });

  it("answers its own errors, the 421 and the 400s in the JSON envelope with the security headers", () => {
    const lines = config
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => /^(http-error|http-request return) /.test(line));
    const statuses = lines.filter((line) => line.startsWith("http-error")).map((line) => Number(/status (\d+)/.exec(line)![1]));
    expect(statuses).toEqual(expect.arrayContaining([400, 403, 408, 413, 500, 502, 503, 504]));
    expect(statuses).toHaveLength(Object.keys(HAPROXY_ERRORS).length);
    for (const line of lines) {
      const status = Number(/status (\d+)/.exec(line)![1]);
      expect(argumentAfter(line, "content-type")).toBe("application/json");
      const body = JSON.parse(argumentAfter(line, "string")) as { error: { code: string; message: string } };
      expect(body.error.code, line).toMatch(/^[A-Z_]+$/);
      expect(body.error.message.length).toBeGreaterThan(10);
      if (status === 421) expect(body.error.code).toBe("MISDIRECTED_REQUEST");
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) expect(argumentAfter(line, `hdr ${name}`), `${name} in ${line}`).toBe(value);
    }
  });

  it("refuses what HAProxy could not run", () => {
    expect(() => haproxyConfig({ ...BASE, port: 0 })).toThrow(/cannot pick a free port/);
    expect(() => haproxyConfig({ ...BASE, controlPort: 70_000 })).toThrow(/controlPort must be a port/);
    expect(() => haproxyConfig({ ...BASE, maxInstances: 0 })).toThrow(/maxInstances/);
    expect(() => haproxyConfig({ ...BASE, maxInstances: 65 })).toThrow(/maxInstances/);
    expect(() => haproxyConfig({ ...BASE, threads: 0 })).toThrow(/threads/);
    expect(() => haproxyConfig({ ...BASE, policyMapPath: "/tmp/a,b/policy.map" })).toThrow(/policyMapPath/);
    expect(slotIds(28).slice(-3)).toEqual(["z", "i27", "i28"]);
  });

  it("binds an IPv6 host in brackets", () => {
    expect(section(haproxyConfig({ ...BASE, host: "::" }), "frontend newsroom")[0]).toBe("bind [::]:3000");
  });
});

describe("HAProxy quoting", () => {
  it("keeps any value one word, read back exactly", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary-ascii" }), (value) => {
        const { word, rest } = readWord(`${quoted(value)} next`);
        expect(word).toBe(value);
        expect(rest).toBe("next");
      }),
    );
  });

  it("doubles % in log-format values", () => {
    expect(readWord(quotedLogFormat("100% 'none'")).word).toBe("100%% 'none'");
  });

  it("writes the policy map", () => {
    expect(policyMapText("round-robin")).toBe("policy app_rr\n");
    expect(policyMapText("sticky")).toBe("policy app_sticky\n");
    expect(() => policyMapText("random" as never)).toThrow(/policy must be one of/);
  });
});

describe("Runtime API parsers (output captured from HAProxy 2.6)", () => {
  const fixture = (name: string) => readFileSync(join(__dirname, "fixtures", "haproxy", name), "utf8");

  it("reads show stat and show servers state into one state per slot", () => {
    const stats = parseShowStat(fixture("show-stat.csv"));
    expect(stats.find((row) => row.pxname === "app_sticky" && row.svname === "a")).toMatchObject({ status: "UP", tracked: "app_rr/a", cookie: "a" });
    const servers = parseServersState(fixture("show-servers-state.txt"));
    expect(servers).toHaveLength(4);
    expect(servers[2]).toMatchObject({ backend: "app_rr", server: "c", address: "127.0.0.1", port: 1, operationalState: 0, adminState: 5 });
    const slots = slotStates(["a", "b", "c", "d"], stats, servers);
    const summary = slots.map(({ id, status, checkStatus, assigned, maintenance, draining }) => ({ id, status, checkStatus, assigned, maintenance, draining }));
    expect(summary).toEqual([
      { id: "a", status: "UP", checkStatus: "L7OK", assigned: true, maintenance: false, draining: false },
      { id: "b", status: "DRAIN", checkStatus: "L7OK", assigned: true, maintenance: false, draining: true },
      { id: "c", status: "MAINT", checkStatus: "", assigned: false, maintenance: true, draining: false },
      { id: "d", status: "DOWN", checkStatus: "L4CON", assigned: true, maintenance: false, draining: false },
    ]);
    // 6 round-robin requests, 3 assets and 2 sticky ones were served: totals sum every backend.
    expect(slots.reduce((sum, slot) => sum + slot.totalSessions, 0)).toBe(11);
    const stotOfA = (px: string) => Number(stats.find((r) => r.pxname === px && r.svname === "a")!.stot);
    expect(slots[0]!.totalSessions).toBe(stotOfA("app_rr") + stotOfA("app_sticky") + stotOfA("assets"));
    expect(slots[3]).toMatchObject({ port: 44893, checkDescription: "Layer4 connection problem" });
  });

  it("refuses output that is not what it expects", () => {
    expect(() => parseShowStat("Unknown command.\n")).toThrow(/not "show stat" output/);
    expect(() => parseServersState("2\n# be_id\n")).toThrow(/format/);
    const [stats, servers] = [parseShowStat(fixture("show-stat.csv")), parseServersState(fixture("show-servers-state.txt"))];
    expect(() => slotStates(["a", "z"], stats, servers)).toThrow(/no server app_rr\/z/);
  });

  it("reads the policy map and show info", () => {
    expect(parsePolicyMap(fixture("show-map.txt"))).toBe("sticky");
    expect(parsePolicyMap("0x55e213bd1200 policy app_rr\n")).toBe("round-robin");
    expect(() => parsePolicyMap("0x1 policy nowhere\n")).toThrow(/no known policy/);
    expect(parseInfo("Name: HAProxy\nPid: 14100\nUptime_sec: 4\n\n")).toEqual({ Name: "HAProxy", Pid: "14100", Uptime_sec: "4" });
  });
});

describe("cpuMicros", () => {
  it("reads a process's CPU time from /proc, which grows as it works", () => {
    const before = cpuMicros(process.pid);
    const until = performance.now() + 200;
    let spins = 0;
    while (performance.now() < until) spins++; // 200 ms of CPU: twenty clock ticks
    expect(spins).toBeGreaterThan(0);
    expect(cpuMicros(process.pid)).toBeGreaterThan(before);
    expect(() => cpuMicros(2 ** 22 + 1)).toThrow(/cannot read the CPU time of pid/);
  });
});
