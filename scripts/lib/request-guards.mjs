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
