/**
 * Who may change the cluster through /__cluster. Loopback alone is not enough: any web page the
 * developer opens can make the browser send `fetch("http://127.0.0.1:3000/__cluster/…", {method:
 * "POST", mode: "no-cors"})`, and another local user can run curl. So a state-changing admin call
 * must be all of:
 *  - same-origin: a browser's Sec-Fetch-Site (when sent) is same-origin or none, and its Origin
 *    (when sent) is this very host;
 *  - JSON (`Content-Type: application/json`), which a cross-origin page cannot send without a
 *    CORS preflight we never grant;
 *  - carrying this run's admin token: `Authorization: Bearer <token>` (scripts: the demo prints it
 *    and writes it to .newsroom/admin-token, readable by its owner only), or the `nr_admin` cookie
 *    (HttpOnly, SameSite=Strict, Path=/__cluster) a browser receives by opening the link the demo
 *    prints once, `/?admin_token=<token>`, which the balancer exchanges for the cookie.
 * Reads (GET) stay open to loopback clients: they change nothing, and a cross-origin page cannot
 * read the answers.
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import type { IncomingMessage } from "node:http";
import { dirname, join } from "node:path";
import { ROOT } from "../build";
import { ClusterError } from "../cluster/cluster";

/** Where the demo writes its admin token for scripts (readable by its owner only). */
export const ADMIN_TOKEN_FILE = join(ROOT, ".newsroom", "admin-token");

export function writeAdminTokenFile(token: string): void {
  mkdirSync(dirname(ADMIN_TOKEN_FILE), { recursive: true });
  writeFileSync(ADMIN_TOKEN_FILE, `${token}\n`, { mode: 0o600 });
  chmodSync(ADMIN_TOKEN_FILE, 0o600); // mode only applies to a new file
}

export const ADMIN_COOKIE = "nr_admin";
/** The query parameter of the one link that hands a browser the admin cookie. */
export const ADMIN_LINK_PARAM = "admin_token";

export function newAdminToken(): string {
  return randomBytes(24).toString("base64url");
}

function sameToken(given: string, token: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function cookieValue(req: IncomingMessage, name: string): string | null {
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

/** Whether the request carries this run's admin token (header or cookie). */
export function hasAdminToken(req: IncomingMessage, token: string): boolean {
  const bearer = /^bearer\s+(.+)$/i.exec(req.headers.authorization ?? "")?.[1]?.trim();
  if (bearer && sameToken(bearer, token)) return true;
  const cookie = cookieValue(req, ADMIN_COOKIE);
  return cookie !== null && sameToken(cookie, token);
}

/** The cookie that lets this browser's cluster page (and recovery page) act. */
export function adminCookie(token: string): string {
  return `${ADMIN_COOKIE}=${token}; Path=/__cluster; HttpOnly; SameSite=Strict`;
}

/** Refuses a state-changing admin call that is not same-origin JSON with the admin token. */
export function checkAdminWrite(req: IncomingMessage, token: string): void {
  const site = req.headers["sec-fetch-site"];
  if (site !== undefined && site !== "same-origin" && site !== "none") {
    throw new ClusterError(403, "CROSS_SITE_REQUEST", "The cluster can only be changed from its own pages.");
  }
  const origin = req.headers.origin;
  if (origin !== undefined) {
    let originHost: string | null = null;
    try {
      originHost = new URL(origin).host;
    } catch {
      // "null" or garbage: not our origin
    }
    if (originHost === null || originHost !== req.headers.host) {
      throw new ClusterError(403, "CROSS_SITE_REQUEST", `Requests from ${origin.slice(0, 100)} may not change the cluster.`);
    }
  }
  if (!/^application\/json\b/i.test(req.headers["content-type"] ?? "")) {
    throw new ClusterError(415, "UNSUPPORTED_MEDIA_TYPE", "Admin calls that change the cluster must be sent as application/json.");
  }
  if (!hasAdminToken(req, token)) {
    throw new ClusterError(
      401,
      "ADMIN_TOKEN_REQUIRED",
      "Changing the cluster needs this run's admin token: open the link `npm run demo` printed (it sets a cookie), or send " +
        "Authorization: Bearer <token> (the token is in .newsroom/admin-token).",
    );
  }
}

/**
 * The one-time link `/…?admin_token=<token>`: a matching token becomes the admin cookie and the
 * browser is sent to the same URL without it (so the token stays out of history and referrers).
 * Returns the redirect (location and cookie) or null when the URL carries no such parameter.
 */
export function adminLink(req: IncomingMessage, token: string): { location: string; cookie: string | null } | null {
  const url = new URL(req.url ?? "/", "http://balancer");
  const given = url.searchParams.get(ADMIN_LINK_PARAM);
  if (given === null) return null;
  url.searchParams.delete(ADMIN_LINK_PARAM);
  const location = `${url.pathname}${url.search}`;
  return { location, cookie: sameToken(given, token) ? adminCookie(token) : null };
}
