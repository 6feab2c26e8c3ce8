/**
 * replicated mode: every instance keeps every reader's history in its own memory, and each change
 * travels to the peers over the replication channel (replication-node.ts), as Tomcat's
 * DeltaManager or Hazelcast replicate HTTP sessions. The browser holds a signed random id, as in
 * kv mode; what that id keys is in every instance's memory rather than in one store.
 *
 * sync (default): the reader's answer waits until every live peer acknowledged the change, so
 * the next request finds it wherever it lands. async: the answer goes first and the change after,
 * so a next request that outruns replication (a slow network: --replication-lag) repeats
 * articles. Neither is a lock: two tabs on two instances at the same moment can both claim the
 * same article before either hears of the other (the bench counts these parallel duplicates).
 */
import type { ReplicatedStoreDetails } from "../../api-contract";
import { countUnseen, selectUnseen, type CandidatePool } from "../../seen/feed-selection";
import { SeqSet } from "../../seen/seq-set";
import type { Keyring } from "../config";
import { COOKIE_NAMES } from "../cookies";
import { SignedSessionId } from "../signed-session-id";
import type { ClaimResult, CookieJar, CookieOptions, Counts, SessionDescription, SessionSnapshot, SessionStore } from "../store";
import { emptyReplica } from "./replica";
import type { ReplicationNode } from "./replication-node";

export class ReplicatedStore implements SessionStore {
  readonly mode = "replicated" as const;
  private readonly sid: SignedSessionId;

  constructor(
    jar: CookieJar,
    keys: Keyring,
    options: CookieOptions,
    private readonly node: ReplicationNode,
  ) {
    this.sid = new SignedSessionId(jar, COOKIE_NAMES.replicatedSession, keys, options);
  }

  async claimUnseen(pool: CandidatePool, limit: number): Promise<ClaimResult> {
    await this.node.whenCaughtUp();
    const sid = this.sid.forWrite();
    const replica = this.node.replicaForWrite(sid);
    // Synchronous until publish: one instance never hands the same article to two requests.
    const seqs = selectUnseen(replica.seen, pool, limit);
    for (const seq of seqs) replica.seen.add(seq);
    replica.forgotten = false;
    const result = { seqs, seenCount: replica.seen.count(), remaining: countUnseen(replica.seen, pool) };
    await this.node.publish(sid);
    return result;
  }

  async markRead(seq: number): Promise<Counts> {
    await this.node.whenCaughtUp();
    const sid = this.sid.forWrite();
    const replica = this.node.replicaForWrite(sid);
    replica.seen.add(seq);
    replica.read.add(seq);
    replica.forgotten = false;
    const counts = { seenCount: replica.seen.count(), readCount: replica.read.count() };
    await this.node.publish(sid);
    return counts;
  }

  async describe(): Promise<SessionDescription> {
    await this.node.whenCaughtUp();
    const sid = this.sid.current();
    const replica = sid ? this.node.replica(sid) : undefined;
    const seen = replica?.seen ?? SeqSet.empty();
    const status = this.node.status();
    const details: ReplicatedStoreDetails = {
      kind: "replicated",
      answeredBy: this.node.instanceId,
      replication: status.settings.mode,
      lagMs: status.settings.lagMs,
      holders: sid ? await this.node.holders(sid) : [],
      peers: status.peers,
      readersInThisProcess: status.readers,
      maxReaders: status.maxReaders,
    };
    return { seen, seenCount: seen.count(), readCount: replica?.read.count() ?? 0, details };
  }

  async snapshot(): Promise<SessionSnapshot> {
    await this.node.whenCaughtUp();
    const sid = this.sid.current();
    const replica = sid ? this.node.replica(sid) : undefined;
    return { seen: replica?.seen.clone() ?? SeqSet.empty(), read: replica?.read.clone() ?? SeqSet.empty() };
  }

  /** Under a new id, so replicas other instances may still hold for an old id never merge in. */
  async replace(snapshot: SessionSnapshot): Promise<void> {
    const sid = this.sid.startNew();
    this.node.adopt(sid, { ...emptyReplica(), seen: snapshot.seen.clone(), read: snapshot.read.clone() });
    await this.node.publish(sid);
  }

  /** A tombstone: the next epoch, empty, replicated like any change, so no peer brings the history back. */
  async destroy(): Promise<void> {
    const sid = this.sid.current();
    if (sid) {
      const epoch = (this.node.replica(sid)?.epoch ?? 0) + 1;
      this.node.adopt(sid, { ...emptyReplica(epoch), forgotten: true });
      await this.node.publish(sid);
    }
    this.sid.forget();
  }
}
