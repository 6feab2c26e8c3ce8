/**
 * Bench-only: the textbook server-side session, as connect-redis and flask-session do it. The
 * whole session is one JSON value; each request GETs it, changes it in the app and SETs it back
 * with an expiry. Two round trips through the same @vercel/kv client and bridge as kv mode, and
 * not atomic: two parallel requests of one reader both read the old value, both pick the same
 * articles, and the last SET wins. That is the comparison kv mode's one Lua script is measured against.
 */
import { randomBytes } from "node:crypto";
import type { VercelKV } from "@vercel/kv";
import { sealData, unsealData } from "iron-session";
import { countUnseen, selectUnseen, type CandidatePool } from "../../news/feed-selection";
import type { SessionPassword } from "../config";
import { withKv } from "../kv-client";
import { SeqSet } from "../seq-set";
import type { ClaimResult, CookieJar, CookieOptions, Counts, SessionDescription, SessionSnapshot, SessionStore } from "../store";

export const TEXTBOOK_COOKIE = "nr_tb";
const SESSION_ID = /^[A-Za-z0-9_-]{22}$/;

/** The session object as a textbook app would keep it: plain lists of ids. */
interface TextbookSession {
  seen: number[];
  read: number[];
}

export class KvTextbookStore implements SessionStore {
  readonly mode = "kv-textbook" as const;
  private sid: string | null | undefined;

  constructor(
    private readonly jar: CookieJar,
    private readonly password: SessionPassword,
    private readonly options: CookieOptions,
    private readonly run: <T>(operation: (kv: VercelKV) => Promise<T>) => Promise<T> = withKv,
  ) {}

  async claimUnseen(pool: CandidatePool, limit: number): Promise<ClaimResult> {
    const key = await this.keyForWrite();
    const session = await this.load(key); // round trip 1
    const seen = SeqSet.of(session.seen);
    const seqs = selectUnseen(seen, pool, limit);
    for (const seq of seqs) seen.add(seq);
    await this.save(key, { seen: [...seen.ascending()], read: session.read }); // round trip 2
    return { seqs, seenCount: seen.count(), remaining: countUnseen(seen, pool) };
  }

  async markRead(seq: number): Promise<Counts> {
    const key = await this.keyForWrite();
    const session = await this.load(key);
    const seen = SeqSet.of([...session.seen, seq]);
    const read = SeqSet.of([...session.read, seq]);
    await this.save(key, { seen: [...seen.ascending()], read: [...read.ascending()] });
    return { seenCount: seen.count(), readCount: read.count() };
  }

  async describe(): Promise<SessionDescription> {
    const { seen, read } = await this.snapshot();
    return { seen, seenCount: seen.count(), readCount: read.count(), details: { note: "bench-only: GET + SET of one JSON value" } };
  }

  async snapshot(): Promise<SessionSnapshot> {
    const sid = await this.currentSid();
    const session = sid ? await this.load(textbookKey(sid)) : { seen: [], read: [] };
    return { seen: SeqSet.of(session.seen), read: SeqSet.of(session.read) };
  }

  async replace(snapshot: SessionSnapshot): Promise<void> {
    await this.save(await this.keyForWrite(), { seen: [...snapshot.seen.ascending()], read: [...snapshot.read.ascending()] });
  }

  async destroy(): Promise<void> {
    const sid = await this.currentSid();
    if (sid) await this.run((kv) => kv.del(textbookKey(sid)));
    this.jar.delete(TEXTBOOK_COOKIE);
  }

  private async load(key: string): Promise<TextbookSession> {
    const raw = await this.run((kv) => kv.get<string>(key));
    if (!raw) return { seen: [], read: [] };
    const parsed = JSON.parse(raw) as Partial<TextbookSession>;
    return { seen: parsed.seen ?? [], read: parsed.read ?? [] };
  }

  private async save(key: string, session: TextbookSession): Promise<void> {
    await this.run((kv) => kv.set(key, JSON.stringify(session), { ex: this.options.maxAge }));
  }

  private async currentSid(): Promise<string | null> {
    if (this.sid !== undefined) return this.sid;
    const value = this.jar.get(TEXTBOOK_COOKIE);
    this.sid = null;
    if (value) {
      try {
        const data = await unsealData<{ sid?: unknown }>(value, { password: this.password, ttl: this.options.maxAge });
        if (typeof data.sid === "string" && SESSION_ID.test(data.sid)) this.sid = data.sid;
      } catch {
        // A bad seal is no session, as in kv mode.
      }
    }
    return this.sid;
  }

  private async keyForWrite(): Promise<string> {
    const sid = (await this.currentSid()) ?? randomBytes(16).toString("base64url");
    this.sid = sid;
    const seal = await sealData({ sid }, { password: this.password, ttl: this.options.maxAge });
    this.jar.set(TEXTBOOK_COOKIE, seal, this.options);
    return textbookKey(sid);
  }
}

function textbookKey(sid: string): string {
  return `newsroom:textbook:${sid}`;
}
