// @ts-check
/**
 * Checks a request must pass before any router sees it, shared by every instance's front door
 * (scripts/instance-server.mjs) and the balancer. Plain JavaScript (checked by tsc through
 * JSDoc) because the instance front door runs under bare Node, before Next.js is loaded.
 *
 * Why a front door at all: Next.js 16 answers a path it cannot percent-decode (`/articles/%zz`,
 * `/api/articles/%/read`, invalid UTF-8 such as `%ff`) with a plain-text 500 from deep inside its
 * router, before our proxy or headers run. Bad input must get a 4xx, so it is refused here.
 */

/** Methods the app answers. Anything else (TRACE, PROPFIND, …) is a 405 before the router runs. */
export const APP_METHODS = new Set(["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]);

/** Prefixes whose answers are JSON (the error envelope); other paths are pages. */
const JSON_PREFIXES = ["/api/", "/__cluster"];

/**
 * The request target's path, percent-decoded; null when it cannot be decoded (a malformed
 * escape or bytes that are not UTF-8). Only for checking: routers decode the original again.
 * @param {string | undefined} target
 * @returns {string | null}
 */
export function decodedPath(target) {
  const raw = (target ?? "/").split("?", 1)[0] ?? "/";
  try {
    return decodeURIComponent(raw);
  } catch {
    return null;
  }
}

/**
 * Whether a path is answered in JSON (API and admin) rather than with a page.
 * @param {string | undefined} target
 */
export function wantsJson(target) {
  const raw = (target ?? "/").split("?", 1)[0] ?? "/";
  return raw === "/api" || raw === "/__cluster" || JSON_PREFIXES.some((prefix) => raw.startsWith(prefix));
}

/**
 * The error envelope every JSON error uses: {"error":{"code","message"}}.
 * @param {string} code
 * @param {string} message
 */
export function errorBody(code, message) {
  return JSON.stringify({ error: { code, message } });
}

/**
 * Headers on every response the front door or the balancer writes itself, matching what the app
 * sets on its own responses (next.config.js): nothing it answers may be framed or sniffed.
 */
export const SECURITY_HEADERS = Object.freeze({
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "strict-origin-when-cross-origin",
  "X-Frame-Options": "DENY",
  "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
  "Cache-Control": "no-store",
});

/** Loopback names every server here answers to, whatever else is allowed. */
const LOOPBACK_NAMES = ["localhost", "127.0.0.1", "[::1]"];

/**
 * The name part of a Host header ("example.test:3000" → "example.test", "[::1]:3000" → "[::1]"),
 * lower-cased; null when malformed.
 * @param {string} host
 */
export function hostName(host) {
  const value = host.trim().toLowerCase();
  const match = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::(\d{1,5}))?$/.exec(value);
  return match ? (match[1] ?? null) : null;
}

/**
 * Names allowed in the Host header besides the loopback ones: ALLOWED_HOSTS (comma-separated,
 * e.g. "newsroom.local,192.168.1.20") plus the interface the demo was asked to listen on.
 * @param {string | undefined} allowedHostsVariable
 * @param {string | undefined} [listenHost]
 * @returns {string[]}
 */
export function allowedHostNames(allowedHostsVariable, listenHost) {
  const names = (allowedHostsVariable ?? "")
    .split(",")
    .map((name) => hostName(name))
    .filter((name) => name !== null);
  if (listenHost && !["0.0.0.0", "::", "[::]"].includes(listenHost)) {
    const own = hostName(listenHost.includes(":") && !listenHost.startsWith("[") ? `[${listenHost}]` : listenHost);
    if (own) names.push(own);
  }
  return [...new Set(names)];
}

/**
 * DNS rebinding defence: a page on evil.test can make its name resolve to 127.0.0.1, and the
 * browser then treats our answers as evil.test's own. Only a request whose Host names us is
 * served: loopback names (and *.localhost), IP literals (a rebinding page cannot make the browser
 * send one of ours: its origin would have to be that address), and `allowed` names.
 * @param {string | undefined} host  the Host header
 * @param {readonly string[]} allowed  extra names (see allowedHostNames)
 * @returns {"ok" | "missing" | "refused"}
 */
export function checkHost(host, allowed) {
  if (host === undefined || host.trim() === "") return "missing";
  const name = hostName(host);
  if (name === null) return "refused";
  if (LOOPBACK_NAMES.includes(name) || name.endsWith(".localhost")) return "ok";
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(name) || name.startsWith("[")) return "ok";
  return allowed.includes(name) ? "ok" : "refused";
}

/**
 * The 421 / 400 answer for a Host that is not ours (status, code, message).
 * @param {"missing" | "refused"} verdict
 * @param {string | undefined} host
 */
export function hostRefusal(verdict, host) {
  if (verdict === "missing") return { status: 400, code: "MISSING_HOST", message: "The request has no Host header." };
  return {
    status: 421,
    code: "MISDIRECTED_REQUEST",
    message:
      `This server does not answer for "${String(host).slice(0, 100)}": only for localhost, 127.0.0.1, [::1] and the names in ALLOWED_HOSTS ` +
      "(a defence against DNS rebinding). To reach it under another name, add that name to ALLOWED_HOSTS.",
  };
}
