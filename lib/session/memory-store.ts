/**
 * memory mode: THE BUG, reproduced on purpose.
 *
 * This is the Flask `sessions = {}` of the App Engine story: a Map in this process, keyed by a
 * session-id cookie. It works on one instance; behind a round-robin balancer each instance has
 * its own Map, so a reader's history is split across them and articles reappear. Sticky
 * balancing hides it until the pinned instance dies and takes the history with it.
 * Nothing here is shared or persisted, and that is the point.
 */
import { randomBytes } from "node:crypto";
import { countUnseen, selectUnseen, type CandidatePool } from "../news/feed-selection";
import { instanceIdentity } from "../instance";
import { COOKIE_NAMES } from "./cookies";
import { SeqSet } from "./seq-set";
import type { ClaimResult, CookieJar, CookieOptions, Counts, SessionDescription, SessionSnapshot, SessionStore } from "./store";

interface MemoryEntry extends SessionSnapshot {
  touchedAt: number;
}

const MAP_KEY = Symbol.for("newsroom.memorySessions");
type GlobalWithMap = typeof globalThis & { [MAP_KEY]?: Map<string, MemoryEntry> };

/** One Map per process (on globalThis so every route bundle of this process shares it). */
export function memorySessions(): Map<string, MemoryEntry> {
  const holder = globalThis as GlobalWithMap;
  return (holder[MAP_KEY] ??= new Map());
}

const SESSION_ID = /^[A-Za-z0-9_-]{22}$/;

export class MemoryStore implements SessionStore {
  readonly mode = "memory" as const;

  constructor(
    private readonly jar: CookieJar,
    private readonly options: CookieOptions,
    private readonly now: () => number = Date.now,
  ) {}

  async claimUnseen(pool: CandidatePool, limit: number): Promise<ClaimResult> {
    const entry = this.entryForWrite();
    // Synchronous from here on: Node runs it without interleaving, so one process never double-claims.
    const seqs = selectUnseen(entry.seen, pool, limit);
    for (const seq of seqs) entry.seen.add(seq);
    return { seqs, seenCount: entry.seen.count(), remaining: countUnseen(entry.seen, pool) };
  }

  async markRead(seq: number): Promise<Counts> {
    const entry = this.entryForWrite();
    entry.seen.add(seq);
    entry.read.add(seq);
    return { seenCount: entry.seen.count(), readCount: entry.read.count() };
  }

  async describe(): Promise<SessionDescription> {
    const entry = this.existingEntry();
    const seen = entry?.seen ?? SeqSet.empty();
    return {
      seen,
      seenCount: seen.count(),
      readCount: entry?.read.count() ?? 0,
      details: {
        heldBy: entry ? instanceIdentity().id : null,
        readersInThisProcess: memorySessions().size,
        warning: "Held only in this instance's memory: other instances know nothing of it.",
      },
    };
  }

  async snapshot(): Promise<SessionSnapshot> {
    const entry = this.existingEntry();
    return { seen: entry?.seen.clone() ?? SeqSet.empty(), read: entry?.read.clone() ?? SeqSet.empty() };
  }

  /** Always under a new id, so stale entries other instances may hold for an old id never merge in. */
  async replace(snapshot: SessionSnapshot): Promise<void> {
    const id = randomBytes(16).toString("base64url");
    this.jar.set(COOKIE_NAMES.memorySession, id, this.options);
    memorySessions().set(id, { seen: snapshot.seen.clone(), read: snapshot.read.clone(), touchedAt: this.now() });
  }

  async destroy(): Promise<void> {
    const id = this.currentId();
    if (id) memorySessions().delete(id);
    this.jar.delete(COOKIE_NAMES.memorySession);
  }

  private currentId(): string | undefined {
    const id = this.jar.get(COOKIE_NAMES.memorySession);
    return id && SESSION_ID.test(id) ? id : undefined;
  }

  private existingEntry(id = this.currentId()): MemoryEntry | undefined {
    const entry = id ? memorySessions().get(id) : undefined;
    if (entry && this.now() - entry.touchedAt > this.options.maxAge * 1000) {
      memorySessions().delete(id!);
      return undefined;
    }
    return entry;
  }

  /** The entry for this reader in THIS process, created empty if this process never saw them. */
  private entryForWrite(): MemoryEntry {
    const id = this.currentId() ?? randomBytes(16).toString("base64url");
    let entry = this.existingEntry(id);
    if (!entry) {
      entry = { seen: SeqSet.empty(), read: SeqSet.empty(), touchedAt: this.now() };
      memorySessions().set(id, entry);
    }
    entry.touchedAt = this.now();
    // (Re)set the cookie every time so its sliding expiry matches the other modes.
    this.jar.set(COOKIE_NAMES.memorySession, id, this.options);
    return entry;
  }
}
