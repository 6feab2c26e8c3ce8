/**
 * The link from this instance to one peer: which readers changed since the peer last
 * acknowledged them, and the loop that sends them.
 *
 * What travels is each changed reader's whole current replica, not the change: merging is
 * idempotent (replica.ts), so a batch may repeat, arrive late or be coalesced with later changes,
 * and one acknowledged send brings the peer fully up to date for those readers. A reader changed
 * twice before its send goes once. While the peer is down its changes wait here (bounded: past
 * MAX_PENDING the link forgets them and re-sends every replica when the peer answers again), and
 * a ping every RETRY_MS notices its return: that is how a peer that stopped answering catches up.
 */
import { Pool } from "undici";
import { signMessage, type ChannelKeys } from "./channel-auth";
import type { WireReplica } from "./replica";

export type PeerState = "unknown" | "up" | "down";

/** What the link needs from its node. */
export interface LinkOwner {
  instanceId: string;
  keys: ChannelKeys;
  /** The artificial delivery delay now in force (REPLICATION_LAG_MS, /cluster). */
  lagMs(): number;
  /** The reader's current replica for the wire, or null when this instance no longer holds it. */
  wireReplica(sid: string): WireReplica | null;
  /** Every reader this instance holds (a full re-send). */
  allSids(): string[];
  log(line: string): void;
}

interface Pending {
  /** When the change happened here: the replication lag is measured from it. */
  changedAt: number;
  /** Not sent before (the artificial lag). */
  dueAt: number;
  waiters: Array<(acked: boolean) => void>;
}

/** Readers per message; a message stays a few hundred kB at most. */
const BATCH_MAX = 256;
/** Sends in flight to one peer at once: more changes wait for the next batch. */
const MAX_IN_FLIGHT = 4;
/** A send that takes longer marks the peer down (a stopped process, a stalled network). */
export const SEND_TIMEOUT_MS = 2000;
/** How often a down peer is tried again. */
const RETRY_MS = 1000;
/** Changes kept for a down peer before the link falls back to a full re-send on its return. */
const MAX_PENDING = 20_000;

export class PeerLink {
  state: PeerState = "unknown";
  /** The last measured replication lag: change here → acknowledged there (ms), or null before the first. */
  lastLagMs: number | null = null;
  lastContactAt: number | null = null;
  private readonly pending = new Map<string, Pending>();
  private resendAll = false;
  private inFlight = 0;
  private timer: NodeJS.Timeout | null = null;
  private timerAt = Infinity;
  private retryAt = 0;
  private pool: Pool;
  private closed = false;

  constructor(
    readonly id: string,
    private address: { host: string; port: number },
    private readonly owner: LinkOwner,
  ) {
    this.pool = this.newPool();
  }

  get endpoint(): string {
    return `${this.address.host}:${this.address.port}`;
  }

  /** Changes waiting for this peer (0 when it is in step). */
  get backlog(): number {
    return this.pending.size + (this.resendAll ? this.owner.allSids().length : 0);
  }

  /** The peer restarted or moved: new address, fresh connections. */
  moveTo(address: { host: string; port: number }): void {
    if (address.host === this.address.host && address.port === this.address.port) return;
    this.address = address;
    const old = this.pool;
    this.pool = this.newPool();
    void old.close().catch(() => undefined);
  }

  /** The peer just contacted us (it joined): it is up, and what waited for it can go now. */
  markUp(): void {
    this.state = "up";
    this.lastContactAt = Date.now();
    this.retryAt = 0;
    this.kick();
  }

  /** The peer sent us something: it is alive, so what waits for it may go now. */
  noteContact(): void {
    if (this.state !== "up") this.markUp();
    else this.lastContactAt = Date.now();
  }

  /** The peer did not answer (its join, say): try again in RETRY_MS, and every RETRY_MS after. */
  markDown(): void {
    this.state = "down";
    this.retryAt = Date.now() + RETRY_MS;
    this.kick();
  }

  addressOf(): { id: string; host: string; port: number } {
    return { id: this.id, ...this.address };
  }

  /**
   * Queues `sid` for this peer. With `wait`, resolves once the peer acknowledged a replica that
   * includes this change (true) or the send failed (false: the peer is down, the reader is not
   * kept waiting on it).
   */
  schedule(sid: string, wait: boolean): Promise<boolean> | null {
    const now = Date.now();
    let entry = this.pending.get(sid);
    if (!entry) {
      if (this.pending.size >= MAX_PENDING) {
        // Too far behind to track reader by reader: send everything once it answers.
        this.pending.clear();
        this.resendAll = true;
      }
      entry = { changedAt: now, dueAt: now + this.owner.lagMs(), waiters: [] };
      this.pending.set(sid, entry);
    }
    const acked = wait ? new Promise<boolean>((resolve) => entry.waiters.push(resolve)) : null;
    this.kick();
    return acked;
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    for (const entry of this.pending.values()) for (const resolve of entry.waiters) resolve(false);
    this.pending.clear();
    void this.pool.close().catch(() => undefined);
  }

  /** Arms the timer for the next send: the earliest due change, or the next retry of a down peer. */
  private kick(): void {
    if (this.closed) return;
    let next = this.state === "down" ? Math.max(this.retryAt, Date.now()) : Infinity;
    if (this.state !== "down" || Date.now() >= this.retryAt) {
      for (const entry of this.pending.values()) next = Math.min(next, entry.dueAt);
      if (this.resendAll) next = Math.min(next, Date.now());
    }
    if (next === Infinity || this.inFlight >= MAX_IN_FLIGHT) return;
    if (this.timer && this.timerAt <= next) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = next;
    this.timer = setTimeout(
      () => {
        this.timer = null;
        this.timerAt = Infinity;
        void this.sendDue();
      },
      Math.max(0, next - Date.now()),
    );
    this.timer.unref();
  }

  private takeDue(now: number): Array<[string, Pending]> {
    const batch: Array<[string, Pending]> = [];
    if (this.state === "down" && now < this.retryAt) return batch;
    for (const [sid, entry] of this.pending) {
      if (entry.dueAt > now) continue;
      batch.push([sid, entry]);
      this.pending.delete(sid);
      if (batch.length >= BATCH_MAX) break;
    }
    if (batch.length < BATCH_MAX && this.resendAll) {
      this.resendAll = false;
      for (const sid of this.owner.allSids()) {
        if (!this.pending.has(sid)) this.pending.set(sid, { changedAt: now, dueAt: now, waiters: [] });
      }
    }
    return batch;
  }

  private async sendDue(): Promise<void> {
    while (!this.closed && this.inFlight < MAX_IN_FLIGHT) {
      const now = Date.now();
      const batch = this.takeDue(now);
      const ping = batch.length === 0 && this.state === "down" && now >= this.retryAt;
      if (batch.length === 0 && !ping) break;
      this.inFlight++;
      void this.send(batch).finally(() => {
        this.inFlight--;
        this.kick();
      });
      if (ping) break;
    }
    this.kick();
  }

  private async send(batch: Array<[string, Pending]>): Promise<void> {
    const replicas = batch.map(([sid]) => this.owner.wireReplica(sid)).filter((replica): replica is WireReplica => replica !== null);
    const body = Buffer.from(JSON.stringify({ replicas }));
    const ok = await this.post("/replicate", body);
    const now = Date.now();
    if (ok) {
      const wasDown = this.state === "down";
      this.state = "up";
      this.lastContactAt = now;
      if (batch.length > 0) this.lastLagMs = now - Math.min(...batch.map(([, entry]) => entry.changedAt));
      if (wasDown) this.owner.log(`peer ${this.id} answers again; sending what it missed`);
    } else {
      if (this.state !== "down") this.owner.log(`peer ${this.id} (${this.endpoint}) does not answer; skipping it until it does`);
      this.state = "down";
      this.retryAt = now + RETRY_MS;
      for (const [sid, entry] of batch) {
        // Keep the change for the peer's return, unless a newer one is already queued.
        if (!this.pending.has(sid)) this.pending.set(sid, { changedAt: entry.changedAt, dueAt: this.retryAt, waiters: [] });
      }
    }
    for (const [, entry] of batch) for (const resolve of entry.waiters) resolve(ok);
  }

  /** One signed POST; false on any failure (refused, timed out, not 2xx). */
  async post(path: string, body: Buffer): Promise<boolean> {
    try {
      const response = await this.pool.request({
        method: "POST",
        path,
        headers: { "content-type": "application/json", ...signMessage(this.owner.keys, "POST", path, this.owner.instanceId, body) },
        body,
        headersTimeout: SEND_TIMEOUT_MS,
        bodyTimeout: SEND_TIMEOUT_MS,
      });
      await response.body.dump();
      return response.statusCode >= 200 && response.statusCode < 300;
    } catch {
      return false;
    }
  }

  /** One signed request whose JSON answer matters (join, a replica's view); null on any failure. */
  async call<T>(method: "GET" | "POST", path: string, payload: unknown, timeoutMs: number): Promise<T | null> {
    const body = Buffer.from(payload === undefined ? "" : JSON.stringify(payload));
    try {
      const response = await this.pool.request({
        method,
        path,
        headers: { "content-type": "application/json", ...signMessage(this.owner.keys, method, path, this.owner.instanceId, body) },
        body: method === "GET" ? undefined : body,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      if (response.statusCode < 200 || response.statusCode >= 300) {
        await response.body.dump();
        return null;
      }
      return (await response.body.json()) as T;
    } catch {
      return null;
    }
  }

  private newPool(): Pool {
    return new Pool(`http://${this.address.host}:${this.address.port}`, {
      connections: MAX_IN_FLIGHT + 2,
      keepAliveTimeout: 30_000,
      connect: { timeout: SEND_TIMEOUT_MS },
    });
  }
}
