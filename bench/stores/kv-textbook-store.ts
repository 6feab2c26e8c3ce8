/**
 * Bench-only: the textbook server-side session, as connect-redis and flask-session do it. The
 * whole session is one JSON value; each request GETs it, changes it in the app and SETs it back
 * with an expiry. Two round trips through the same @vercel/kv client and bridge as kv mode, and
 * not atomic: two parallel requests of one reader both read the old value, both pick the same
 * articles, and the last SET wins. That is the comparison kv mode's one Lua script is measured against.
 */
import { countUnseen, selectUnseen, type CandidatePool } from "@/lib/seen/feed-selection";
import type { Keyring } from "@/lib/session/config";
import { withKv, type KvRunner } from "@/lib/session/kv/kv-client";
import { SignedSessionId } from "@/lib/session/signed-session-id";
import { SeqSet } from "@/lib/seen/seq-set";
import type { ClaimResult, CookieJar, CookieOptions, Counts, SessionDescription, SessionSnapshot, SessionStore } from "@/lib/session/store";

export const TEXTBOOK_COOKIE = "nr_tb";

/** The session object as a textbook app would keep it: plain lists of ids. */
interface TextbookSession {
  seen: number[];
  read: number[];
}

export class KvTextbookStore implements SessionStore {
  readonly mode = "kv-textbook" as const;
  private readonly sid: SignedSessionId;

  constructor(
    jar: CookieJar,
    keys: Keyring,
    private readonly options: CookieOptions,
    private readonly run: KvRunner = withKv,
  ) {
    // The same sealed-id cookie as kv mode, so the two differ only in how they use Redis.
    this.sid = new SignedSessionId(jar, TEXTBOOK_COOKIE, keys, options);
  }

  async claimUnseen(pool: CandidatePool, limit: number): Promise<ClaimResult> {
    const key = textbookKey(this.sid.forWrite());
    const session = await this.load(key); // round trip 1
    const seen = SeqSet.of(session.seen);
    const seqs = selectUnseen(seen, pool, limit);
    for (const seq of seqs) seen.add(seq);
    await this.save(key, { seen: [...seen.ascending()], read: session.read }); // round trip 2
    return { seqs, seenCount: seen.count(), remaining: countUnseen(seen, pool) };
  }

  async markRead(seq: number): Promise<Counts> {
    const key = textbookKey(this.sid.forWrite());
    const session = await this.load(key);
    const seen = SeqSet.of([...session.seen, seq]);
    const read = SeqSet.of([...session.read, seq]);
    await this.save(key, { seen: [...seen.ascending()], read: [...read.ascending()] });
    return { seenCount: seen.count(), readCount: read.count() };
  }

  async describe(): Promise<SessionDescription> {
    const { seen, read } = await this.snapshot();
    return { seen, seenCount: seen.count(), readCount: read.count(), details: { kind: "other", note: "bench-only: GET + SET of one JSON value" } };
  }

  async snapshot(): Promise<SessionSnapshot> {
    const sid = this.sid.current();
    const session = sid ? await this.load(textbookKey(sid)) : { seen: [], read: [] };
    return { seen: SeqSet.of(session.seen), read: SeqSet.of(session.read) };
  }

  async replace(snapshot: SessionSnapshot): Promise<void> {
    await this.save(textbookKey(this.sid.forWrite()), { seen: [...snapshot.seen.ascending()], read: [...snapshot.read.ascending()] });
  }

  async destroy(): Promise<void> {
    const sid = this.sid.current();
    if (sid) await this.run((kv) => kv.del(textbookKey(sid)));
    this.sid.forget();
  }

  private async load(key: string): Promise<TextbookSession> {
    const raw = await this.run((kv) => kv.get(key));
    if (!raw) return { seen: [], read: [] };
    const parsed = JSON.parse(raw) as Partial<TextbookSession>;
    return { seen: parsed.seen ?? [], read: parsed.read ?? [] };
  }

  private async save(key: string, session: TextbookSession): Promise<void> {
    await this.run((kv) => kv.set(key, JSON.stringify(session), this.options.maxAge));
  }
}

function textbookKey(sid: string): string {
  return `newsroom:textbook:${sid}`;
}
