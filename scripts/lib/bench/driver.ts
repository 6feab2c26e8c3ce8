/**
 * The bench's load driver: virtual readers, each with its own cookie jar (ReaderClient) and its
 * own keep-alive connection (an undici Client), each doing POST /api/feed back to back. Latency
 * goes into an HDR histogram (microseconds). Closed loop, like autocannon; autocannon itself is
 * not used because its per-request context is reset on every loop, so it cannot keep cookies.
 */
import { build, type Histogram } from "hdr-histogram-js";
import { Client } from "undici";
import { COOKIE_NAMES } from "../../../lib/session/cookies";
import { ReaderClient } from "../reader-client";

const FEED_BODY = JSON.stringify({ limit: 10 });
/** Cookies that carry a session (not the mode switch or the balancer's affinity): every product mode's, and kv-textbook's. */
export const SESSION_COOKIES = new Set([...Object.values(COOKIE_NAMES).filter((name) => name !== COOKIE_NAMES.mode), "nr_tb"]);

export class VirtualReader {
  readonly jar: ReaderClient;
  readonly received = new Set<string>();
  /** Seqs of everything received, to compare with the seen-set the server reports at the end. */
  readonly receivedSeqs = new Set<number>();
  repeats = 0;
  private readonly client: Client;

  constructor(readonly url: string) {
    this.jar = new ReaderClient(url);
    this.client = new Client(url, { pipelining: 1, keepAliveTimeout: 30_000 });
  }

  /** Bytes of session cookie this reader sends with its next request. */
  sessionCookieBytes(): number {
    let bytes = 0;
    for (const [name, value] of this.jar.cookies) if (SESSION_COOKIES.has(name)) bytes += name.length + 1 + value.length;
    return bytes;
  }

  /** One feed page; a failure comes back with its error code from the envelope (or none). */
  async feed(): Promise<{ status: number; ids: string[]; code?: string }> {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (this.jar.cookies.size > 0) headers.cookie = this.jar.cookieHeader();
    const response = await this.client.request({ path: "/api/feed", method: "POST", headers, body: FEED_BODY });
    const text = await response.body.text();
    const setCookie = response.headers["set-cookie"];
    this.jar.absorb(setCookie === undefined ? [] : Array.isArray(setCookie) ? setCookie : [setCookie]);
    if (response.statusCode !== 200) return { status: response.statusCode, ids: [], code: errorCode(text) };
    const articles = (JSON.parse(text) as { articles: { id: string; seq: number }[] }).articles;
    for (const { id, seq } of articles) {
      if (this.received.has(id)) this.repeats++;
      this.received.add(id);
      this.receivedSeqs.add(seq);
    }
    return { status: 200, ids: articles.map((a) => a.id) };
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}

function errorCode(text: string): string | undefined {
  try {
    return (JSON.parse(text) as { error?: { code?: string } }).error?.code;
  } catch {
    return undefined;
  }
}

export function newHistogram(): Histogram {
  return build({ lowestDiscernibleValue: 1, highestTrackableValue: 120_000_000, numberOfSignificantValueDigits: 3 });
}

export interface LoadTally {
  requests: number;
  errors: number;
  /** Session-cookie bytes sent, summed over requests. */
  cookieBytes: number;
  elapsedMs: number;
}

export function emptyTally(): LoadTally {
  return { requests: 0, errors: 0, cookieBytes: 0, elapsedMs: 0 };
}

/**
 * Every reader requests back to back until `durationMs` is up (or each has made
 * `requestsPerReader`). With `histogram` null nothing is recorded (warm-up).
 */
export async function runLoad(
  readers: VirtualReader[],
  options: { durationMs?: number; requestsPerReader?: number; histogram: Histogram | null; tally: LoadTally },
): Promise<void> {
  const started = performance.now();
  const deadline = started + (options.durationMs ?? Number.POSITIVE_INFINITY);
  const limit = options.requestsPerReader ?? Number.POSITIVE_INFINITY;
  await Promise.all(
    readers.map(async (reader) => {
      for (let made = 0; made < limit && performance.now() < deadline; made++) {
        const cookieBytes = reader.sessionCookieBytes();
        const t0 = performance.now();
        let ok = false;
        try {
          ok = (await reader.feed()).status === 200;
        } catch {
          ok = false;
        }
        if (!options.histogram) continue;
        options.histogram.recordValue(Math.max(1, Math.round((performance.now() - t0) * 1000)));
        options.tally.requests++;
        options.tally.cookieBytes += cookieBytes;
        if (!ok) options.tally.errors++;
      }
    }),
  );
  if (options.histogram) options.tally.elapsedMs += performance.now() - started;
}
