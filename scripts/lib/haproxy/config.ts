/**
 * The HAProxy configuration of the demo's data plane, as text: a pure function of its options, so
 * it is unit-tested without HAProxy and regenerated identically on every start.
 *
 * Everything the control plane changes while the demo runs is done through the Runtime API, never
 * by a reload (a reload forks a new worker and drops its counters and health state):
 * - server slots: `maxInstances` servers are declared up front, in maintenance, at a placeholder
 *   address; starting instance `c` sets slot `c`'s address and makes it ready; stopping drains it
 *   or puts it back in maintenance; a scale-out uses the next free slot.
 * - the policy: the frontend picks the round-robin or the sticky backend through a map entry
 *   (`set map <policy map> policy <backend>`). Both backends' servers (and the assets backend's)
 *   `track` the round-robin backend's, so there is one health check and one admin state per slot.
 *
 * Request routing, first match wins:
 *   no Host -> 400 (two different Host headers never get this far: HAProxy's parser refuses them);
 *   Host not allowed -> 421 (DNS rebinding: a hostile page on another name must not reach the
 *   admin API through the reader's browser); /__cluster from a non-loopback client -> 403;
 *   /__cluster[/…] -> control; the demo's admin link (`?admin_token=…`) -> control (it swaps the
 *   token for the admin cookie); no app server up -> control (a recovery page / JSON 503);
 *   `X-Newsroom-Instance: <id>` with that slot up (draining included) -> that slot; static assets
 *   -> their own rotation; everything else -> the backend the policy map names.
 */
import { POLICIES, instanceIdFor, type Policy } from "../cluster/cluster";
import { ADMIN_LINK_PARAM } from "../control-plane/admin-guard";
import { httpErrorLines, returnLine } from "./responses";
import { checkedHostValue, quoted } from "./syntax";

/** The sticky policy's cookie, inserted by HAProxy (the Node balancer used the same name). */
export const AFFINITY_COOKIE = "nr_lb";
/** Request header naming the one instance that should answer this request (if it is up). */
export const PIN_HEADER = "X-Newsroom-Instance";
/** Where an unused slot points: nothing listens on port 1, and the slot is in maintenance anyway. */
export const PLACEHOLDER_ADDRESS = "127.0.0.1:1";

export const BACKENDS = {
  /** Per-request round-robin; owns the slots' addresses, health checks and admin states. */
  roundRobin: "app_rr",
  /** Round-robin plus the affinity cookie; its servers track app_rr's. */
  sticky: "app_sticky",
  /** Static assets' own rotation; its servers track app_rr's. */
  assets: "assets",
  /** The Node control plane: /__cluster, and every request while no app server is up. */
  control: "control",
} as const;

/** The backend each policy routes to (the value the policy map holds). */
export const POLICY_BACKEND: Readonly<Record<Policy, string>> = { "round-robin": BACKENDS.roundRobin, sticky: BACKENDS.sticky };
/** The policy map's one key. */
export const POLICY_MAP_KEY = "policy";
/** The health check every slot must pass: live and ready to serve (never dependent on a store). */
export const READY_PATH = "/api/ready";

export interface HaproxyConfigOptions {
  /** Port the frontend listens on. A real port: HAProxy cannot pick a free one and tell us (port 0 is refused). */
  port: number;
  /** Interface the frontend listens on. Default "127.0.0.1"; "0.0.0.0" to reach it from other machines. */
  host?: string;
  /** Server slots declared up front (ids a, b, c, … as the cluster names instances). Default 8; at most 64. */
  maxInstances?: number;
  /** Port of the Node control plane on 127.0.0.1, which serves /__cluster and answers when no instance is up. */
  controlPort: number;
  /** Path of the Runtime API's unix socket (mode 600, admin level): put it in a private temp dir. */
  socketPath: string;
  /** Path of the policy map file; write `policyMapText(policy)` there before starting. */
  policyMapPath: string;
  /**
   * Host names allowed besides loopback names and IP literals (any port), e.g. "news.local": the
   * app's ALLOWED_HOSTS rule (request-guards.mjs), so HAProxy refuses what an instance would. A
   * port given here is ignored. Default none.
   */
  allowedHosts?: readonly string[];
  /** Log one line per request (HTTP log format) to stdout; process.ts can send stdout to a file. Default false. */
  log?: boolean;
  /** How long an instance may take to answer before HAProxy gives up with a 504. Default 60 000 ms (the Node balancer's). */
  serverTimeoutMs?: number;
  /** Worker threads. Default 1: the demo's traffic needs no more, and one thread costs the least CPU per request. */
  threads?: number;
}

export const DEFAULT_MAX_INSTANCES = 8;
const MAX_SLOTS = 64;

/** The slot ids the configuration declares, in order. */
export function slotIds(maxInstances: number = DEFAULT_MAX_INSTANCES): string[] {
  if (!Number.isInteger(maxInstances) || maxInstances < 1 || maxInstances > MAX_SLOTS) {
    throw new Error(`maxInstances must be an integer from 1 to ${MAX_SLOTS}, got ${maxInstances}`);
  }
  return Array.from({ length: maxInstances }, (_, i) => instanceIdFor(i));
}

/** The policy map file's content: which backend the frontend sends ordinary requests to. */
export function policyMapText(policy: Policy): string {
  if (!POLICIES.includes(policy)) throw new Error(`policy must be one of ${POLICIES.join(", ")}, got ${String(policy)}`);
  return `${POLICY_MAP_KEY} ${POLICY_BACKEND[policy]}\n`;
}

/**
 * The Host rule of the whole app (request-guards.mjs checkHost, which every instance and the
 * control plane apply too), as one case-insensitive regular expression on the Host header, any
 * port: loopback names and *.localhost, IP literals (a DNS-rebinding page cannot make a browser
 * send one of ours), and the extra names. It goes in single quotes, inside which HAProxy changes
 * nothing: its backslashes reach the regex engine as written (unquoted, HAProxy would eat them).
 */
export function hostAllowPattern(extra: readonly string[] = []): string {
  const names = [...new Set(extra.map((host) => checkedHostValue(host).replace(/:\d+$/, "")))];
  const literal = (name: string) => name.replace(/[.[\]]/g, (c) => `\\${c}`);
  const alternatives = ["localhost", "[a-z0-9.-]+\\.localhost", "[0-9]{1,3}(\\.[0-9]{1,3}){3}", "\\[[0-9a-f:.]+\\]", ...names.map(literal)];
  return `^(${alternatives.join("|")})(:[0-9]{1,5})?$`;
}

function checkPort(name: string, port: number): void {
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new Error(`${name} must be a port from 1 to 65535, got ${port}${port === 0 ? " (HAProxy cannot pick a free port: pass one from freePort())" : ""}`);
  }
}

/** A path inside a sample expression, where `,`, `)` and quotes are syntax and cannot be escaped reliably. */
function samplePath(path: string): string {
  if (!/^[\w./-]+$/.test(path)) {
    throw new Error(`policyMapPath must use only letters, digits, "_", ".", "/" and "-" (got "${path}"); put it in a plain temp dir`);
  }
  return path;
}

export function haproxyConfig(options: HaproxyConfigOptions): string {
  checkPort("port", options.port);
  checkPort("controlPort", options.controlPort);
  const threads = options.threads ?? 1;
  if (!Number.isInteger(threads) || threads < 1 || threads > 64) throw new Error(`threads must be an integer from 1 to 64, got ${threads}`);
  const serverTimeoutMs = options.serverTimeoutMs ?? 60_000;
  if (!Number.isInteger(serverTimeoutMs) || serverTimeoutMs < 1) throw new Error(`serverTimeoutMs must be a positive integer, got ${serverTimeoutMs}`);
  const slots = slotIds(options.maxInstances);
  const host = options.host ?? "127.0.0.1";
  const bindAddress = host.includes(":") ? `[${host}]` : host;
  const hostPattern = hostAllowPattern(options.allowedHosts);
  const pin = PIN_HEADER.toLowerCase();
  const { roundRobin, sticky, assets, control } = BACKENDS;

  const sections: string[][] = [
    [
      "global",
      "master-worker",
      `nbthread ${threads}`,
      // Explicit, rather than derived from a possibly huge `ulimit -n`: a demo never needs more.
      "maxconn 4096",
      `stats socket ${quoted(options.socketPath)} mode 600 level admin`,
      ...(options.log ? ["log stdout format raw daemon"] : []),
    ],
    [
      "defaults",
      "mode http",
      // dontlognull: a connection that sends nothing (a port probe) is not a request.
      ...(options.log ? ["log global", "option httplog", "option dontlognull"] : []),
      "option forwardfor",
      // A request whose connection failed never reached an instance: retry it, each time on
      // another server (1 = redispatch on every retry). Nothing else is retried: a request that
      // may have reached an instance (a POST /api/feed claims articles) must not run twice.
      "retries 2",
      "retry-on conn-failure",
      "option redispatch 1",
      // Keep-alive to the instances; "safe": a client's first request never rides a reused
      // connection, so a connection an instance is closing cannot fail a fresh client.
      "http-reuse safe",
      "timeout connect 2s",
      "timeout client 60s",
      `timeout server ${serverTimeoutMs}ms`,
      // Slowloris: the request headers must arrive within 10 s.
      "timeout http-request 10s",
      "timeout http-keep-alive 65s",
      "timeout queue 5s",
      // /api/ready is answered by the instance's front door in one turn of its event loop, but a
      // saturated instance (the chaos and bench runs drive more readers than the machine serves)
      // takes half a second and more per turn: a tight timeout would eject working instances, all
      // of them at once under load. A crashed instance refuses the connection and fails at once.
      "timeout check 3s",
      // Checked every second while up; two failures in a row eject (one slow answer is not death),
      // one pass readmits. Between the first failure and the verdict, and while down (an instance
      // just admitted, or crashed), every 250 ms: a crash is out in about 1.3 s instead of 2, and an
      // admitted instance takes its first reader within a quarter second of being ready.
      "default-server inter 1s fastinter 250ms downinter 250ms fall 2 rise 1",
      ...httpErrorLines(),
    ],
    [
      "frontend newsroom",
      `bind ${bindAddress}:${options.port}`,
      returnLine(400, { code: "BAD_REQUEST", message: "A Host header is required." }, "unless { req.hdr(host) -m found }"),
      `acl host_allowed req.hdr(host) -m reg -i '${hostPattern}'`,
      returnLine(
        421,
        {
          code: "MISDIRECTED_REQUEST",
          message:
            "This server does not answer for that Host: only for localhost, IP addresses and the names in ALLOWED_HOSTS (a defence against DNS rebinding). To reach it under another name, add that name to ALLOWED_HOSTS.",
        },
        "unless host_allowed",
      ),
      "acl is_control path /__cluster",
      "acl is_control path_beg /__cluster/",
      "acl from_loopback src 127.0.0.0/8 ::1",
      returnLine(403, { code: "FORBIDDEN", message: "The cluster admin API only answers loopback clients." }, "if is_control !from_loopback"),
      `use_backend ${control} if is_control`,
      `use_backend ${control} if { url_param(${ADMIN_LINK_PARAM}) -m found }`,
      `use_backend ${control} if { nbsrv(${roundRobin}) lt 1 }`,
      ...slots.flatMap((id) => [`acl pin_${id} req.hdr(${pin}) -m str ${id}`, `use_backend ${roundRobin} if pin_${id} { srv_is_up(${roundRobin}/${id}) }`]),
      "acl is_asset path_beg /_next/static/",
      "acl is_asset path /icon.svg /favicon.ico",
      `use_backend ${assets} if is_asset`,
      `use_backend %[str(${POLICY_MAP_KEY}),map(${samplePath(options.policyMapPath)},${roundRobin})]`,
      `default_backend ${roundRobin}`,
    ],
    [
      `backend ${roundRobin}`,
      "balance roundrobin",
      "option httpchk",
      `http-check send meth GET uri ${READY_PATH} ver HTTP/1.1 hdr Host localhost`,
      "http-check expect status 200",
      // (ACLs belong to the proxy that declares them: the frontend's pin_* are not visible here.)
      ...slots.map((id) => `use-server ${id} if { req.hdr(${pin}) -m str ${id} }`),
      ...slots.map((id) => `server ${id} ${PLACEHOLDER_ADDRESS} check disabled`),
    ],
    [
      `backend ${sticky}`,
      "balance roundrobin",
      // indirect: the cookie is neither forwarded to the instance nor re-sent to a browser that
      // already holds the right one; nocache: a response that sets it is marked uncacheable.
      `cookie ${AFFINITY_COOKIE} insert indirect nocache httponly attr "SameSite=Lax"`,
      ...slots.map((id) => `server ${id} ${PLACEHOLDER_ADDRESS} track ${roundRobin}/${id} cookie ${id}`),
    ],
    [`backend ${assets}`, "balance roundrobin", ...slots.map((id) => `server ${id} ${PLACEHOLDER_ADDRESS} track ${roundRobin}/${id}`)],
    [`backend ${control}`, `server control 127.0.0.1:${options.controlPort}`],
  ];
  const body = sections.map(([first, ...rest]) => [first, ...rest.map((line) => `    ${line}`)].join("\n")).join("\n\n");
  return `# Generated by scripts/lib/haproxy/config.ts; the control plane changes it at run time through the Runtime API.\n${body}\n`;
}
