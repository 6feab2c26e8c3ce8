/**
 * This instance's member of the replication group: every reader's replica in this process's
 * memory, the links to every peer, and membership.
 *
 * Membership: the peers named at start-up (REPLICATION_PEERS, from the cluster) plus every
 * instance that joins later. A newcomer first listens (so changes sent to it while it catches up
 * are not lost), then asks each peer to join: the peer adds it to its links and answers with every
 * replica it holds (state transfer), which the newcomer merges. Only then is it caught up and may
 * report ready; the balancer routes to ready instances only. A peer that does not answer the join
 * is marked down and caught up by its link when it answers again (peer-link.ts).
 *
 * Settings (sync / async, lag) come from the environment at start and from the control plane
 * (PUT /settings on the channel, signed); each carries a version so an older message cannot undo
 * a newer one.
 */
import type { ReplicaHolderView, ReplicationPeerView } from "../../api-contract";
import { ReaderMap } from "../reader-map";
import type { ChannelKeys } from "./channel-auth";
import { PeerLink, type LinkOwner } from "./peer-link";
import { emptyReplica, fromWire, mergeReplica, toWire, versionOf, type Replica, type WireReplica } from "./replica";
import type { PeerAddress, ReplicationConfig, ReplicationMode } from "./replication-config";
import { createHash } from "node:crypto";

export interface ReplicationSettings {
  mode: ReplicationMode;
  lagMs: number;
  /** Only a higher version replaces the settings in force (0: from the environment). */
  version: number;
}

export type HolderView = ReplicaHolderView;

export interface NodeStatus {
  instance: string;
  endpoint: string;
  caughtUp: boolean;
  /** How long joining and state transfer took (ms), and how many replicas came with it. */
  catchUp: { ms: number; replicas: number; from: string[] } | null;
  settings: ReplicationSettings;
  readers: number;
  maxReaders: number;
  peers: ReplicationPeerView[];
}

/** What publish() waited for: the peers that acknowledged before the reader got an answer. */
export interface Published {
  acked: string[];
  skipped: string[];
}

/**
 * An event loop that did not turn for this long was paused (SIGSTOP, a VM freeze, a long GC):
 * the peers have marked this instance down and kept its changes back, so before it answers
 * replicated readers again it pulls their state (a re-join), rather than serve a stale replica
 * for the second their next ping takes. Far above a busy loop's lag, so load alone never triggers it.
 */
const PAUSE_MS = 6000;
const PAUSE_CHECK_MS = 500;

/** How long a join may take per peer: a peer busy sending a big state transfer still answers. */
const JOIN_TIMEOUT_MS = 10_000;
/** The inspector's question to each peer. */
const HOLDER_TIMEOUT_MS = 500;

export function replicaDigest(replica: Replica): string {
  return createHash("sha256").update(replica.seen.toBytes()).update("|").update(replica.read.toBytes()).digest("hex").slice(0, 8);
}

export class ReplicationNode implements LinkOwner {
  readonly instanceId: string;
  readonly replicas: ReaderMap<Replica>;
  readonly links = new Map<string, PeerLink>();
  settings: ReplicationSettings;
  caughtUp = false;
  catchUp: NodeStatus["catchUp"] = null;
  readonly ready: Promise<void>;
  private resolveReady!: () => void;
  private rejoining: Promise<void> | null = null;
  /** The last wire form of each replica (wireReplica): peers sent the same state share one encoding. */
  private readonly encoded = new WeakMap<Replica, { key: string; wire: WireReplica }>();
  private lastTick = 0;
  private pauseWatch: NodeJS.Timeout | null = null;

  constructor(
    private readonly config: ReplicationConfig,
    readonly keys: ChannelKeys,
    /** The session TTL: a replica untouched for longer is gone, like every mode's session. */
    private readonly ttlMs: number,
    readonly log: (line: string) => void = (line) => console.log(`[replication ${config.instanceId}] ${line}`),
    private readonly now: () => number = Date.now,
  ) {
    this.instanceId = config.instanceId;
    this.replicas = new ReaderMap<Replica>(config.maxReaders);
    this.settings = { mode: config.mode, lagMs: config.lagMs, version: 0 };
    this.ready = new Promise((resolve) => (this.resolveReady = resolve));
    for (const peer of config.peers) this.links.set(peer.id, new PeerLink(peer.id, peer, this));
  }

  get endpoint(): string {
    return `${this.config.host}:${this.config.port}`;
  }

  lagMs(): number {
    return this.settings.lagMs;
  }

  /** Joins every known peer and merges their state; then the node is caught up (ready resolves). */
  async join(): Promise<void> {
    const started = this.now();
    const from: string[] = [];
    let transferred = 0;
    await Promise.all(
      [...this.links.values()].map(async (link) => {
        const answer = await link.call<JoinAnswer>("POST", "/join", { id: this.instanceId, host: this.config.host, port: this.config.port }, JOIN_TIMEOUT_MS);
        if (!answer) {
          link.markDown();
          return;
        }
        link.markUp();
        from.push(link.id);
        transferred += this.mergeAll(answer.replicas);
        for (const member of answer.members ?? []) if (member.id !== this.instanceId) this.knowPeer(member);
        if (answer.settings && answer.settings.version > this.settings.version) this.settings = answer.settings;
      }),
    );
    this.catchUp = { ms: this.now() - started, replicas: transferred, from: from.sort() };
    this.caughtUp = true;
    this.log(
      from.length > 0
        ? `caught up from ${from.join(", ")}: ${transferred} replicas in ${this.catchUp.ms} ms`
        : `no peer answered (${this.links.size} known): starting empty`,
    );
    this.resolveReady();
  }

  /**
   * Null when this replica set is current; after a pause, a promise that resolves once the peers'
   * state has been pulled again. Replicated readers' requests wait on it.
   */
  whenCaughtUp(): Promise<void> | null {
    return this.rejoining;
  }

  /** Starts the pause watch (after the first join). */
  watchForPauses(): void {
    if (this.pauseWatch) return;
    this.lastTick = this.now();
    this.pauseWatch = setInterval(() => this.checkPause(this.now()), PAUSE_CHECK_MS);
    this.pauseWatch.unref();
  }

  /** Called every PAUSE_CHECK_MS; a gap over PAUSE_MS since the last call starts a re-join. */
  checkPause(now: number): void {
    const gap = now - this.lastTick;
    this.lastTick = now;
    if (gap <= PAUSE_MS || this.rejoining || !this.caughtUp) return;
    this.log(`this process was paused for ${gap} ms: pulling the peers' state before serving replicated readers again`);
    this.rejoining = this.join().finally(() => (this.rejoining = null));
  }

  /** A peer asked to join: link it (or re-link it at its new address) and hand it everything. */
  acceptJoin(peer: PeerAddress): JoinAnswer {
    const link = this.knowPeer(peer);
    link.markUp();
    return {
      members: [{ id: this.instanceId, host: this.config.host, port: this.config.port }, ...[...this.links.values()].map((l) => l.addressOf())],
      settings: this.settings,
      replicas: [...this.replicas.all()].filter(([, replica]) => this.alive(replica)).map(([sid, replica]) => toWire(sid, replica)),
    };
  }

  knowPeer(peer: PeerAddress): PeerLink {
    let link = this.links.get(peer.id);
    if (!link) {
      link = new PeerLink(peer.id, peer, this);
      this.links.set(peer.id, link);
      this.log(`peer ${peer.id} joined at ${peer.host}:${peer.port}`);
    } else link.moveTo(peer);
    return link;
  }

  applySettings(next: ReplicationSettings): boolean {
    if (next.version <= this.settings.version) return false;
    this.settings = next;
    this.log(`replication is now ${next.mode}, lag ${next.lagMs} ms`);
    return true;
  }

  /** This reader's replica here, or undefined (never held, expired, or evicted). */
  replica(sid: string): Replica | undefined {
    const now = this.now();
    this.replicas.sweep(now, this.ttlMs);
    const replica = this.replicas.get(sid);
    if (replica && !this.alive(replica, now)) {
      this.replicas.delete(sid);
      return undefined;
    }
    return replica;
  }

  /** The replica to change for a write here, created empty when this reader is new everywhere. */
  replicaForWrite(sid: string): Replica {
    const replica = this.replica(sid) ?? emptyReplica();
    this.replicas.touch(sid, replica, this.now());
    return replica;
  }

  /** Starts a reader over under `sid` with `replica` (a mode switch into replicated). */
  adopt(sid: string, replica: Replica): void {
    this.replicas.touch(sid, replica, this.now());
  }

  /**
   * Sends `sid`'s replica to every peer. sync: resolves once every live peer acknowledged it (a
   * peer that fails meanwhile is skipped); async: resolves at once, the links send it after.
   */
  async publish(sid: string): Promise<Published> {
    const wait = this.settings.mode === "sync";
    const acked: string[] = [];
    const skipped: string[] = [];
    const waits: Promise<void>[] = [];
    for (const link of this.links.values()) {
      const live = link.state !== "down";
      const ack = link.schedule(sid, wait && live);
      if (ack) waits.push(ack.then((ok) => void (ok ? acked : skipped).push(link.id)));
      else if (wait) skipped.push(link.id);
    }
    await Promise.all(waits);
    return { acked, skipped };
  }

  /** Merges replicas from a peer; returns how many were valid. Bad entries are skipped, not fatal. */
  mergeAll(wire: unknown): number {
    if (!Array.isArray(wire)) return 0;
    let merged = 0;
    for (const item of wire) {
      let parsed: ReturnType<typeof fromWire>;
      try {
        parsed = fromWire(item);
      } catch {
        continue;
      }
      if (!this.alive(parsed.replica)) continue;
      const local = this.replica(parsed.sid);
      if (local) mergeReplica(local, parsed.replica);
      this.replicas.put(parsed.sid, local ?? parsed.replica);
      merged++;
    }
    return merged;
  }

  /** The inspector's view of this reader here. */
  holderView(sid: string): HolderView {
    const replica = this.replica(sid);
    if (!replica) return { instance: this.instanceId, state: "missing", epoch: null, version: null, seenCount: null, readCount: null, digest: null };
    return {
      instance: this.instanceId,
      state: "holds",
      epoch: replica.epoch,
      version: versionOf(replica),
      seenCount: replica.seen.count(),
      readCount: replica.read.count(),
      digest: replicaDigest(replica),
    };
  }

  /** Every instance's view of this reader: this one's, and each peer's over the channel. */
  async holders(sid: string): Promise<HolderView[]> {
    const views = await Promise.all(
      [...this.links.values()].map(async (link): Promise<HolderView> => {
        const answer =
          link.state === "down" ? null : await link.call<HolderView>("GET", `/replica?sid=${encodeURIComponent(sid)}`, undefined, HOLDER_TIMEOUT_MS);
        return answer ?? { instance: link.id, state: "unreachable", epoch: null, version: null, seenCount: null, readCount: null, digest: null };
      }),
    );
    return [this.holderView(sid), ...views].sort((a, b) => a.instance.localeCompare(b.instance));
  }

  status(): NodeStatus {
    return {
      instance: this.instanceId,
      endpoint: this.endpoint,
      caughtUp: this.caughtUp,
      catchUp: this.catchUp,
      settings: this.settings,
      readers: this.replicas.size,
      maxReaders: this.replicas.maxReaders,
      peers: [...this.links.values()]
        .map((link) => ({ id: link.id, endpoint: link.endpoint, state: link.state, lastLagMs: link.lastLagMs, backlog: link.backlog }))
        .sort((a, b) => a.id.localeCompare(b.id)),
    };
  }

  /**
   * The replica as it travels, encoded once per state however many peers it goes to. Within an
   * epoch the sets only grow, so equal counts mean equal sets: epoch, counts, the forget flag and
   * the touch time identify the state.
   */
  wireReplica(sid: string): WireReplica | null {
    const replica = this.replicas.get(sid);
    if (!replica) return null;
    const key = `${replica.epoch}:${replica.seen.count()}:${replica.read.count()}:${replica.forgotten}:${replica.touchedAt}`;
    const cached = this.encoded.get(replica);
    if (cached?.key === key && cached.wire.sid === sid) return cached.wire;
    const wire = toWire(sid, replica);
    this.encoded.set(replica, { key, wire });
    return wire;
  }

  allSids(): string[] {
    return [...this.replicas.all()].map(([sid]) => sid);
  }

  close(): void {
    if (this.pauseWatch) clearInterval(this.pauseWatch);
    for (const link of this.links.values()) link.close();
  }

  private alive(replica: Replica, now = this.now()): boolean {
    return now - replica.touchedAt <= this.ttlMs;
  }
}

/** The answer to POST /join: the group as the peer knows it, its settings, and its state. */
export interface JoinAnswer {
  members: PeerAddress[];
  settings: ReplicationSettings;
  replicas: WireReplica[];
}
