/**
 * Cross-site request refusal for the state-changing routes (feed, mode, read, session DELETE).
 * A browser marks every request it sends: Sec-Fetch-Site says where it came from, and Origin
 * names the page. A request another site made the browser send is refused with 403, so a
 * hostile page cannot spend a reader's feed or switch their mode. Clients that send neither
 * header (curl, the tests' readers, server-to-server) are not browsers acting for a reader,
 * and they still work; the 415 on non-JSON bodies already stops plain cross-site form posts.
 */
import { HttpError } from "./errors";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

function originHost(origin: string): string | null {
  try {
    return new URL(origin).host;
  } catch {
    return null; // "null" (sandboxed frames, some redirects) or garbage: not our own
  }
}

export function refuseCrossSite(request: Request): void {
  if (SAFE_METHODS.has(request.method)) return;
  const site = request.headers.get("sec-fetch-site");
  if (site === "cross-site") {
    throw new HttpError(403, "CROSS_SITE_REQUEST", "This request came from another site and was refused; use Newsroom from its own pages.");
  }
  const origin = request.headers.get("origin");
  if (origin === null) return;
  const ours = request.headers.get("host");
  if (ours === null || originHost(origin) !== ours) {
    throw new HttpError(403, "CROSS_SITE_REQUEST", `Requests from ${origin.slice(0, 100)} are refused: only Newsroom's own pages may change a session.`);
  }
}
