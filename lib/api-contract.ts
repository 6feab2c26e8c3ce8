/**
 * The JSON API's shapes, in one place: route handlers build them, and the UI, the scripts
 * (reader client, bench, chaos) and the e2e fixtures read them. Types only, so the browser bundle
 * takes nothing from the server with it. (The admin API's shapes are in cluster-contract.ts.)
 */
import type { ArticleSummary } from "./news/article";

export type { ArticleSummary };

/** Every error: `{"error":{"code","message"}}` with a 4xx/5xx status; some codes add details. */
export interface ErrorEnvelope {
  error: { code: string; message: string } & Record<string, unknown>;
}

/** Which instance answered (also in the X-Instance-Id header). */
export interface InstanceRef {
  id: string;
  pid: number;
}

/** GET /api/session names the port too. */
export interface InstanceIdentity extends InstanceRef {
  port: number | null;
}

/** POST /api/feed's body. */
export interface FeedRequest {
  /** 1..50, default 10. */
  limit?: number;
  /** A section name, case-insensitive. */
  section?: string;
}

/** POST /api/feed → the next unseen articles, already recorded as seen. */
export interface FeedPage {
  articles: ArticleSummary[];
  /** The mode the reader is in (a registered mode's name). */
  mode: string;
  instance: InstanceRef;
  seenCount: number;
  /** Unseen articles left (in the section asked for). */
  remaining: number;
}

/** cookie mode: the history rides in one sealed cookie. */
export interface CookieStoreDetails {
  kind: "cookie";
  cookieName: string;
  /** The whole Set-Cookie header's length (what counts against the browser's 4,096 bytes). */
  cookieBytes: number;
  /** The sealed value's length. */
  valueBytes: number;
  limitBytes: number;
  /** Why an incoming cookie was not used, when one was sent but could not be opened. */
  rejected?: string;
}

export interface KvKeyUsage {
  key: string;
  /** STRLEN. */
  valueBytes: number;
  /** MEMORY USAGE, Redis's own overhead included; null where the host does not offer it. */
  memoryBytes: number | null;
}

/** How kv mode reaches Redis: "rest" (@vercel/kv over the Upstash REST protocol) or "redis" (node-redis, the Redis protocol). */
export type KvTransportName = "rest" | "redis";

/** kv mode: two bitmaps in Redis; the browser holds a signed random id. */
export interface KvStoreDetails {
  kind: "kv";
  /** The transport that answered, and where it goes (no credentials). */
  transport: KvTransportName;
  endpoint: string;
  /** [seen, read] keys, or null when the reader has no kv session yet. */
  keys: [string, string] | null;
  /** The Redis Cluster slot both keys hash to (their {sid} tag); null without keys. Which master holds it: GET /__cluster. */
  slot: number | null;
  ttlSeconds: number | null;
  ttlMs: number | null;
  bytes: number;
  usage: KvKeyUsage[];
}

/** memory mode: a map in the answering process only. */
export interface MemoryStoreDetails {
  kind: "memory";
  /** The answering instance, when it holds this reader; null when it knows nothing of them. */
  heldBy: string | null;
  readersInThisProcess: number;
  maxReaders: number;
  warning: string;
}

/** db mode: one row per reader in PostgreSQL; the browser holds a signed random id. */
export interface DbStoreDetails {
  kind: "db";
  table: string;
  /** pg_column_size of the reader's row, or 0 when there is none. */
  rowBytes: number;
  seenBytes: number;
  readBytes: number;
  /** ISO time the session expires unless used again, or null without a session. */
  expiresAt: string | null;
  ttlMs: number | null;
}

/** One instance's copy of a replicated reader, as that instance reports it over the channel. */
export interface ReplicaHolderView {
  instance: string;
  /** "unreachable": the instance did not answer the inspector's question in time (or is down). */
  state: "holds" | "missing" | "unreachable";
  /** The forget-me generation: a higher epoch replaces a lower one. */
  epoch: number | null;
  /** Entries held in this epoch (seen + read): replicas only grow, so a lower version is behind. */
  version: number | null;
  seenCount: number | null;
  readCount: number | null;
  /** A short digest of the replica: equal digests, identical state. */
  digest: string | null;
}

/** The answering instance's link to one peer. */
export interface ReplicationPeerView {
  id: string;
  endpoint: string;
  state: "unknown" | "up" | "down";
  /** Last measured replication lag: a change here until that peer acknowledged it (ms). */
  lastLagMs: number | null;
  /** Readers whose changes wait to be sent to it. */
  backlog: number;
}

export type { ReplicationModeName } from "./cluster-contract";
import type { ReplicationModeName } from "./cluster-contract";

/** replicated mode: every instance holds the reader; changes travel between instances. */
export interface ReplicatedStoreDetails {
  kind: "replicated";
  answeredBy: string;
  replication: ReplicationModeName;
  /** The artificial delay before a change leaves for a peer (--replication-lag). */
  lagMs: number;
  holders: ReplicaHolderView[];
  peers: ReplicationPeerView[];
  readersInThisProcess: number;
  maxReaders: number;
}

/** A store outside the product (the bench's): nothing to show but a note. */
export interface OtherStoreDetails {
  kind: "other";
  note: string;
}

export type StoreDetails = CookieStoreDetails | KvStoreDetails | MemoryStoreDetails | DbStoreDetails | ReplicatedStoreDetails | OtherStoreDetails;

/** GET /api/session: what the store that holds the reader knows, and where it keeps it. No side effects. */
export interface SessionView {
  mode: string;
  instance: InstanceIdentity;
  seenCount: number;
  readCount: number;
  catalogueSize: number;
  /** The seen-set as inclusive [from, to] seq ranges, ascending. */
  seenRanges: [number, number][];
  /** The store's own facts; `mode` repeats the reader's mode, `kind` says which shape follows. */
  store: StoreDetails & { mode: string };
}

/** PUT /api/session/mode {"mode"} → what moved, and which instance carried the switch out. */
export interface ModeSwitchResult {
  mode: string;
  from: string;
  to: string;
  /** Everything the `from` store held for the reader, as this instance could read it (memory mode: its share). */
  migrated: { seen: number; read: number; seenCount: number; readCount: number };
  instance: InstanceRef;
}

/** POST /api/articles/{id}/read. */
export interface MarkReadResult {
  id: string;
  seq: number;
  mode: string;
  seenCount: number;
  readCount: number;
}

/** DELETE /api/session. */
export interface ForgetResult {
  forgotten: true;
  cleared: string[];
}

export interface HistoryEntry extends ArticleSummary {
  /** The reader opened it. */
  read: boolean;
}

/** GET /api/session/history?cursor=&limit= → the reader's seen articles, newest first, a page at a time. */
export interface HistoryPage {
  mode: string;
  instance: InstanceRef;
  seenCount: number;
  readCount: number;
  articles: HistoryEntry[];
  /** Pass back as `cursor` for the next page; null at the end. */
  nextCursor: string | null;
}

/** A mode as the header's switch offers it (from the registry, rendered by the server). */
export interface ModeOption {
  name: string;
  label: string;
  /** One line on where the history lives, for the switch's tooltip. */
  description: string;
  /** "bug": memory mode, drawn in red. */
  tone: "normal" | "bug";
  /** Why this process cannot serve the mode (the store is not configured), or null. */
  unavailable: string | null;
}

/** A store's last known readiness, from the instance's background probe. */
export interface StoreReadinessView {
  configured: boolean;
  ready: boolean | null;
  checkedAt: number | null;
  latencyMs?: number;
  error?: string;
  reason?: string;
  /** How the store is reached, e.g. kv's "rest" or "redis", and where (no credentials). */
  transport?: string;
  endpoint?: string;
  /** The same as `ready` (the name before readiness was split from liveness). */
  ok: boolean;
}

/** GET /api/health: liveness, answered from memory. */
export interface HealthView {
  ok: true;
  instance: InstanceIdentity;
  uptimeSeconds: number;
  catalogueSize: number;
  secretFingerprint: string;
  /** Every registered mode's readiness (stores without a probe are always ready), plus memory's reader count. */
  stores: Record<string, StoreReadinessView | { ok: true; ready: true; readers?: number }>;
  /** replicated mode's node on this instance, or null when replication is off here. */
  replication: ReplicationHealthView | null;
}

/** What /api/health says of this instance's replication node. */
export interface ReplicationHealthView {
  endpoint: string;
  caughtUp: boolean;
  /** Joining and state transfer at start: how long, how many replicas, from which peers. */
  catchUp: { ms: number; replicas: number; from: string[] } | null;
  replication: ReplicationModeName;
  lagMs: number;
  readers: number;
  maxReaders: number;
  peers: ReplicationPeerView[];
}
