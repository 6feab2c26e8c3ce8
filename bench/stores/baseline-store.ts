/**
 * Bench-only: the feed handler's cost without a session. Runs the same feed selection as the
 * real stores (against an empty seen-set) and records nothing, so every page is the newest one.
 */
import { countUnseen, selectUnseen, type CandidatePool } from "@/lib/seen/feed-selection";
import { SeqSet } from "@/lib/seen/seq-set";
import type { ClaimResult, Counts, SessionDescription, SessionSnapshot, SessionStore } from "@/lib/session/store";

export class BaselineStore implements SessionStore {
  readonly mode = "baseline" as const;

  async claimUnseen(pool: CandidatePool, limit: number): Promise<ClaimResult> {
    const nothing = SeqSet.empty();
    return { seqs: selectUnseen(nothing, pool, limit), seenCount: 0, remaining: countUnseen(nothing, pool) };
  }

  async markRead(): Promise<Counts> {
    return { seenCount: 0, readCount: 0 };
  }

  async describe(): Promise<SessionDescription> {
    return { seen: SeqSet.empty(), seenCount: 0, readCount: 0, details: { kind: "other", note: "bench-only: records nothing" } };
  }

  async snapshot(): Promise<SessionSnapshot> {
    return { seen: SeqSet.empty(), read: SeqSet.empty() };
  }

  async replace(): Promise<void> {}

  async destroy(): Promise<void> {}
}
