/**
 * memory mode: THE BUG, reproduced on purpose.
 *
 * This is the Flask `sessions = {}` of the App Engine story: a Map in this process, keyed by a
 * session-id cookie. It works on one instance; behind a round-robin balancer each instance has
 * its own Map, so a reader's history is split across them and articles reappear. Sticky
 * balancing hides it until the pinned instance dies and takes the history with it.
 * Nothing here is shared or persisted, and that is the point.
 *
 * What is NOT part of the lesson, and is guarded: the Map is bounded (least recently used readers
 * go first, and expired ones are swept), so cookie-less requests cannot grow a process without
 * limit; and the id cookie is signed like kv mode's, so nobody can choose or guess another
 * reader's id.
 */
import { countUnseen, selectUnseen, type CandidatePool } from "../../seen/feed-selection";
import { instanceIdentity } from "../../instance";
import { processWide } from "../../process-wide";
import { ReaderMap } from "../reader-map";
import { sessionConfig, type Keyring } from "../config";
import { COOKIE_NAMES } from "../cookies";
import { SeqSet } from "../../seen/seq-set";
import { SignedSessionId } from "../signed-session-id";
import type { ClaimResult, CookieJar, CookieOptions, Counts, SessionDescription, SessionSnapshot, SessionStore } from "../store";

export interface MemoryEntry extends SessionSnapshot {
  touchedAt: number;
}

/** One map per process, whatever route bundle asks. */
export function memorySessions(): ReaderMap<MemoryEntry> {
  return processWide("memorySessions", () => new ReaderMap(sessionConfig().memoryMaxReaders));
}

export class MemoryStore implements SessionStore {
  readonly mode = "memory" as const;
  private readonly sid: SignedSessionId;

  constructor(
    jar: CookieJar,
    keys: Keyring,
    private readonly options: CookieOptions,
    private readonly now: () => number = Date.now,
    private readonly readers: ReaderMap<MemoryEntry> = memorySessions(),
  ) {
    this.sid = new SignedSessionId(jar, COOKIE_NAMES.memorySession, keys, options);
  }

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
        kind: "memory",
        heldBy: entry ? instanceIdentity().id : null,
        readersInThisProcess: this.readers.size,
        maxReaders: this.readers.maxReaders,
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
    const id = this.sid.startNew();
    this.readers.touch(id, { seen: snapshot.seen.clone(), read: snapshot.read.clone(), touchedAt: 0 }, this.now());
  }

  async destroy(): Promise<void> {
    const id = this.sid.current();
    if (id) this.readers.delete(id);
    this.sid.forget();
  }

  private existingEntry(id = this.sid.current()): MemoryEntry | undefined {
    const now = this.now();
    this.readers.sweep(now, this.options.maxAge * 1000);
    const entry = id ? this.readers.get(id) : undefined;
    if (entry && now - entry.touchedAt > this.options.maxAge * 1000) {
      this.readers.delete(id!);
      return undefined;
    }
    return entry;
  }

  /** The entry for this reader in THIS process, created empty if this process never saw them. */
  private entryForWrite(): MemoryEntry {
    // forWrite re-sets the cookie every time, so its sliding expiry matches the other modes.
    const id = this.sid.forWrite();
    const entry = this.existingEntry(id) ?? { seen: SeqSet.empty(), read: SeqSet.empty(), touchedAt: 0 };
    this.readers.touch(id, entry, this.now());
    return entry;
  }
}
