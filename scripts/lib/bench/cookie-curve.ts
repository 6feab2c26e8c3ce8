/**
 * Cookie bytes as a reader's history grows, measured on the real CookieStore (same codec, same
 * iron-session seal, same Set-Cookie count as the app) in this process: the cookie's content
 * depends only on the seen and read sets, so each point is one seal of that state.
 * Needs the react-server condition (npm run bench passes it) because the stores are server-only.
 */
import { parseSessionConfig } from "../../../lib/session/config";
import { prng } from "../../../lib/news/random";
import { CookieStore } from "../../../lib/session/cookie/cookie-store";
import { COOKIE_NAMES, setCookieBytes } from "../../../lib/session/cookies";
import { SeqSet } from "../../../lib/seen/seq-set";
import type { CookieJar } from "../../../lib/session/store";

export interface CookiePoint {
  articles: number;
  setCookieBytes: number;
  valueBytes: number;
}

async function measure(seen: SeqSet, read: SeqSet, password: string): Promise<Omit<CookiePoint, "articles">> {
  const values = new Map<string, string>();
  const jar: CookieJar = { get: (name) => values.get(name), set: (name, value) => void values.set(name, value), delete: (name) => void values.delete(name) };
  // The production instance's configuration: the same cookie attributes the app sets.
  const config = parseSessionConfig({ SESSION_SECRET: password, NODE_ENV: "production" });
  const options = config.cookie;
  await new CookieStore(jar, config.keys, options).replace({ seen, read });
  const value = values.get(COOKIE_NAMES.cookieSession) ?? "";
  return { valueBytes: value.length, setCookieBytes: setCookieBytes(COOKIE_NAMES.cookieSession, value, options) };
}

/** Newest-first reading, as the feed serves it: after k articles the seen-set is the newest k. */
export async function inFeedOrder(catalogue: number, steps: number[], password: string): Promise<CookiePoint[]> {
  const points: CookiePoint[] = [];
  for (const k of steps) {
    const seen = SeqSet.of(Array.from({ length: k }, (_, i) => catalogue - i));
    points.push({ articles: k, ...(await measure(seen, SeqSet.empty(), password)) });
  }
  return points;
}

/** The whole catalogue shown in feed order, then a random k of it opened (seeded, repeatable). */
export async function randomOpened(catalogue: number, steps: number[], password: string, seed = 20261121): Promise<CookiePoint[]> {
  const order = Array.from({ length: catalogue }, (_, i) => i + 1);
  const random = prng(seed);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const seen = SeqSet.of(order);
  const points: CookiePoint[] = [];
  for (const k of steps) points.push({ articles: k, ...(await measure(seen, SeqSet.of(order.slice(0, k)), password)) });
  return points;
}
