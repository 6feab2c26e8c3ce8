/**
 * The SessionStore contract every session strategy implements.
 *
 * It is domain-shaped on purpose: "claim up to N unseen articles", not get/set of a session
 * object. A generic read-modify-write session is exactly what loses updates when two requests of
 * one reader run at once; a domain operation can be made atomic where the storage allows (kv).
 * A store instance is bound to one request (its CookieJar); state lives where the mode says.
 */
import type { StoreDetails } from "../api-contract";
import type { CandidatePool } from "../seen/feed-selection";
import type { SeqSet } from "../seen/seq-set";

export interface ClaimResult {
  /** Claimed seqs, newest first: now recorded as seen. */
  seqs: number[];
  seenCount: number;
  /** Unseen candidates of the pool left after this claim. */
  remaining: number;
}

export interface Counts {
  seenCount: number;
  readCount: number;
}

/** Everything a store knows about a reader: what moves between stores on a mode switch. */
export interface SessionSnapshot {
  seen: SeqSet;
  read: SeqSet;
}

export interface SessionDescription extends Counts {
  /** Store-specific facts for the inspector: cookie size, kv key and TTL, holding instance. */
  details: StoreDetails;
  seen: SeqSet;
}

export interface SessionStore {
  /** The registered mode this store serves (registry.ts). */
  readonly mode: string;
  /** Atomically pick up to `limit` unseen articles of `pool`, newest first, and record them as seen. */
  claimUnseen(pool: CandidatePool, limit: number): Promise<ClaimResult>;
  /** Record that the reader opened `seq` (which also makes it seen). */
  markRead(seq: number): Promise<Counts>;
  /** Read-only view for GET /api/session: must not write cookies or state. */
  describe(): Promise<SessionDescription>;
  snapshot(): Promise<SessionSnapshot>;
  /** Make `snapshot` this reader's whole state in this store (used when switching into it). */
  replace(snapshot: SessionSnapshot): Promise<void>;
  /** Forget this reader in this store. */
  destroy(): Promise<void>;
}

/** The slice of a request's cookies a store may touch; Next's cookies() and test jars both fit. */
export interface CookieJar {
  get(name: string): string | undefined;
  set(name: string, value: string, options: CookieOptions): void;
  delete(name: string): void;
}

export interface CookieOptions {
  httpOnly: boolean;
  sameSite: "lax" | "strict";
  secure: boolean;
  path: string;
  maxAge: number;
}
