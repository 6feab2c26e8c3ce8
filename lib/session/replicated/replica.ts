/**
 * One replica of one reader's history, as every instance holds it in replicated mode, and the
 * merge that makes replicas agree.
 *
 * Why the merge is conflict-free here: within an epoch a replica only ever grows (articles are
 * added to `seen` and `read`, never removed), and set union is commutative, associative and
 * idempotent. So replicas that receive the same changes in any order, any number of times, and
 * in batches of any size end in the same state (a state-based CRDT, a grow-only set), and a
 * message lost or repeated is healed by any later one. No clocks, no locks, no "last writer wins"
 * that could drop an article.
 *
 * Removal is the one thing a grow-only set cannot say. "Forget me" is therefore a versioned
 * tombstone: a new epoch with empty sets. The merge orders replicas by epoch first: a higher
 * epoch replaces a lower one outright (so a late claim from before the forget cannot bring the
 * history back), equal epochs union. A session that removed single entries (a cart losing an
 * item) would need more than this: per-element add/remove tags (an OR-Set), or a single owner
 * per session (a lock or a primary), which is what a database row gives kv and db modes.
 *
 * Pure: no I/O.
 */
import { decodeSeenSet, encodeSeenSet } from "../../seen/seen-set-codec";
import { SeqSet } from "../../seen/seq-set";

export interface Replica {
  /** Bumped by "forget me": the tombstone's version. A higher epoch wins a merge outright. */
  epoch: number;
  seen: SeqSet;
  read: SeqSet;
  /** Set by "forget me" until the reader writes again under this id. */
  forgotten: boolean;
  /** Last write anywhere (ms since the epoch of the clock): the session's sliding expiry. */
  touchedAt: number;
}

/** A replica on the wire: the seen-set codec's compact strings. */
export interface WireReplica {
  sid: string;
  epoch: number;
  seen: string;
  read: string;
  forgotten: boolean;
  touchedAt: number;
}

export function emptyReplica(epoch = 0): Replica {
  return { epoch, seen: SeqSet.empty(), read: SeqSet.empty(), forgotten: false, touchedAt: 0 };
}

/**
 * Merges `incoming` into `local` in place; returns true when `local` changed. The result depends
 * only on the two states, never on which arrived first.
 */
export function mergeReplica(local: Replica, incoming: Replica): boolean {
  // The sliding expiry follows the latest activity anywhere, whichever epoch it was in.
  const touchedAt = Math.max(local.touchedAt, incoming.touchedAt);
  let changed = touchedAt !== local.touchedAt;
  local.touchedAt = touchedAt;
  if (incoming.epoch < local.epoch) return changed;
  if (incoming.epoch > local.epoch) {
    local.epoch = incoming.epoch;
    local.seen = incoming.seen.clone();
    local.read = incoming.read.clone();
    local.forgotten = incoming.forgotten;
    return true;
  }
  if (local.seen.unionWith(incoming.seen)) changed = true;
  if (local.read.unionWith(incoming.read)) changed = true;
  // Any entry in the epoch means the reader wrote after the forget.
  const forgotten = local.forgotten && incoming.forgotten;
  if (forgotten !== local.forgotten) changed = true;
  local.forgotten = forgotten;
  return changed;
}

/**
 * How far a replica has got within its epoch: the entries it holds. Replicas only grow, so a
 * higher version never lies behind a lower one; two replicas at one version may still differ
 * (two instances claimed different articles at once), which `digest` tells apart.
 */
export function versionOf(replica: Replica): number {
  return replica.seen.count() + replica.read.count();
}

export function toWire(sid: string, replica: Replica): WireReplica {
  return {
    sid,
    epoch: replica.epoch,
    seen: encodeSeenSet(replica.seen),
    read: encodeSeenSet(replica.read),
    forgotten: replica.forgotten,
    touchedAt: replica.touchedAt,
  };
}

const SESSION_ID = /^[A-Za-z0-9_-]{22}$/;

export class WireReplicaError extends Error {}

/** Validates a replica from a peer (authenticated, but still input): throws WireReplicaError. */
export function fromWire(value: unknown): { sid: string; replica: Replica } {
  if (typeof value !== "object" || value === null) throw new WireReplicaError("a replica must be an object");
  const wire = value as Partial<WireReplica>;
  if (typeof wire.sid !== "string" || !SESSION_ID.test(wire.sid)) throw new WireReplicaError("sid must be a 22-character session id");
  if (!Number.isSafeInteger(wire.epoch) || wire.epoch! < 0) throw new WireReplicaError("epoch must be a whole number ≥ 0");
  if (typeof wire.seen !== "string" || typeof wire.read !== "string") throw new WireReplicaError("seen and read must be encoded seen-sets");
  if (!Number.isFinite(wire.touchedAt)) throw new WireReplicaError("touchedAt must be a time in ms");
  let seen: SeqSet;
  let read: SeqSet;
  try {
    seen = decodeSeenSet(wire.seen);
    read = decodeSeenSet(wire.read);
  } catch (error) {
    throw new WireReplicaError((error as Error).message);
  }
  return { sid: wire.sid, replica: { epoch: wire.epoch!, seen, read, forgotten: wire.forgotten === true, touchedAt: wire.touchedAt! } };
}
