/**
 * cookie mode: the reader's whole seen-set travels in an iron-session sealed cookie
 * (AES-256-CBC + HMAC-SHA-256). Any instance with the shared secret can read it, so it survives
 * load balancing and instance loss. Limits: 4,096 bytes per cookie (hence the compact codec),
 * and two tabs racing each other resolve as "last Set-Cookie wins".
 */
import { countUnseen, selectUnseen, type CandidatePool } from "../../seen/feed-selection";
import { sealData, unsealData } from "./iron-seal";
import type { Keyring } from "../config";
import { COOKIE_NAMES, MAX_COOKIE_BYTES, setCookieBytes } from "../cookies";
import { SessionTooLargeError } from "../errors";
import { decodeSeenSet, encodeSeenSet } from "../../seen/seen-set-codec";
import { SeqSet } from "../../seen/seq-set";
import type { ClaimResult, CookieJar, CookieOptions, Counts, SessionDescription, SessionSnapshot, SessionStore } from "../store";

/** What is sealed: version, seen-set, read-set (both codec strings). Kept terse: every byte counts. */
interface SealedSession {
  v: 1;
  s: string;
  r: string;
}

interface Loaded extends SessionSnapshot {
  /** Why the incoming cookie was not used, when it was present but unreadable. */
  rejected?: string;
}

export class CookieStore implements SessionStore {
  readonly mode = "cookie" as const;
  private loaded: Loaded | undefined;

  constructor(
    private readonly jar: CookieJar,
    private readonly keys: Keyring,
    private readonly options: CookieOptions,
  ) {}

  async claimUnseen(pool: CandidatePool, limit: number): Promise<ClaimResult> {
    const { seen, read } = await this.load();
    const next = seen.clone();
    const seqs = selectUnseen(next, pool, limit);
    for (const seq of seqs) next.add(seq);
    await this.save({ seen: next, read });
    return { seqs, seenCount: next.count(), remaining: countUnseen(next, pool) };
  }

  async markRead(seq: number): Promise<Counts> {
    const { seen, read } = await this.load();
    const nextSeen = seen.clone();
    const nextRead = read.clone();
    nextSeen.add(seq);
    nextRead.add(seq);
    await this.save({ seen: nextSeen, read: nextRead });
    return { seenCount: nextSeen.count(), readCount: nextRead.count() };
  }

  async describe(): Promise<SessionDescription> {
    const { seen, read, rejected } = await this.load();
    const value = this.jar.get(COOKIE_NAMES.cookieSession);
    return {
      seen,
      seenCount: seen.count(),
      readCount: read.count(),
      details: {
        kind: "cookie",
        cookieName: COOKIE_NAMES.cookieSession,
        cookieBytes: value && !rejected ? setCookieBytes(COOKIE_NAMES.cookieSession, value, this.options) : 0,
        valueBytes: value && !rejected ? value.length : 0,
        limitBytes: MAX_COOKIE_BYTES,
        ...(rejected ? { rejected } : {}),
      },
    };
  }

  async snapshot(): Promise<SessionSnapshot> {
    const { seen, read } = await this.load();
    return { seen: seen.clone(), read: read.clone() };
  }

  async replace(snapshot: SessionSnapshot): Promise<void> {
    await this.save(snapshot);
  }

  async destroy(): Promise<void> {
    this.jar.delete(COOKIE_NAMES.cookieSession);
    this.loaded = { seen: SeqSet.empty(), read: SeqSet.empty() };
  }

  /** Seals the state; refuses (413) rather than set a cookie the browser would drop. */
  private async save(state: SessionSnapshot): Promise<void> {
    const data: SealedSession = { v: 1, s: encodeSeenSet(state.seen), r: encodeSeenSet(state.read) };
    const seal = await sealData(data, { password: this.keys.secrets, ttl: this.options.maxAge, sealId: this.keys.sealId });
    const bytes = setCookieBytes(COOKIE_NAMES.cookieSession, seal, this.options);
    if (bytes > MAX_COOKIE_BYTES) throw new SessionTooLargeError(bytes);
    this.jar.set(COOKIE_NAMES.cookieSession, seal, this.options);
    this.loaded = { seen: state.seen, read: state.read };
  }

  /** A missing, tampered, foreign-secret or expired cookie is a fresh session, never an error. */
  private async load(): Promise<Loaded> {
    if (this.loaded) return this.loaded;
    const fresh = { seen: SeqSet.empty(), read: SeqSet.empty() };
    const value = this.jar.get(COOKIE_NAMES.cookieSession);
    if (!value) return (this.loaded = fresh);
    try {
      const data = await unsealData<Partial<SealedSession>>(value, { password: this.keys.secrets, ttl: this.options.maxAge });
      if (data.v !== 1 || typeof data.s !== "string" || typeof data.r !== "string") {
        return (this.loaded = { ...fresh, rejected: "unreadable, expired or sealed with another secret" });
      }
      return (this.loaded = { seen: decodeSeenSet(data.s), read: decodeSeenSet(data.r) });
    } catch {
      return (this.loaded = { ...fresh, rejected: "malformed" });
    }
  }
}
