/**
 * replicated mode's configuration, from the environment the cluster scripts give each instance.
 * Pure (no server-only): config.ts reads it into SessionConfig, the scripts share the names.
 *
 *   REPLICATION_PORT     this instance's replication channel port (required for the mode; the
 *                        cluster scripts pick a free one per instance). Unset: the mode is off.
 *   REPLICATION_HOST     interface the channel listens on, default 127.0.0.1 (only peers reach it).
 *   REPLICATION_PEERS    the other instances at start-up, "id=host:port,…", default none. A newcomer
 *                        joins them; instances that start later join us and are learned then.
 *   REPLICATION_MODE     "sync" (default: answer after every live peer acknowledged) or "async"
 *                        (answer first, replicate after). Switchable at run time from /cluster.
 *   REPLICATION_LAG_MS   delay before a change leaves for a peer, default 0 (max 60000): stands in
 *                        for a slow network so the async repeat can be seen.
 *   REPLICATED_MAX_READERS  readers one instance holds, default MEMORY_MODE_MAX_READERS (10,000):
 *                        bounded like memory mode, least recently active first out.
 */
import { ConfigError } from "../keyring";

import { REPLICATION_MODES, type ReplicationModeName } from "../../cluster-contract";

export { REPLICATION_MODES };
export type ReplicationMode = ReplicationModeName;
export const MAX_REPLICATION_LAG_MS = 60_000;

export interface PeerAddress {
  id: string;
  host: string;
  port: number;
}

export interface ReplicationConfig {
  instanceId: string;
  host: string;
  port: number;
  peers: PeerAddress[];
  mode: ReplicationMode;
  lagMs: number;
  maxReaders: number;
}

export type ReplicationSetting = ReplicationConfig | { unavailable: string };

type Env = Readonly<Record<string, string | undefined>>;

const INSTANCE_ID = /^[a-z0-9-]{1,32}$/;

function port(raw: string, name: string): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 65535) throw new ConfigError(`${name} must be a port number (1-65535), got "${raw}"`);
  return value;
}

export function parsePeers(raw: string | undefined): PeerAddress[] {
  if (!raw?.trim()) return [];
  return raw.split(",").map((item) => {
    const match = /^([a-z0-9-]{1,32})=([^:=,\s]+):(\d+)$/.exec(item.trim());
    if (!match) throw new ConfigError(`REPLICATION_PEERS entries look like "b=127.0.0.1:4101", got "${item.trim()}"`);
    return { id: match[1]!, host: match[2]!, port: port(match[3]!, "a REPLICATION_PEERS port") };
  });
}

export function formatPeers(peers: readonly PeerAddress[]): string {
  return peers.map((peer) => `${peer.id}=${peer.host}:${peer.port}`).join(",");
}

export function isReplicationMode(value: unknown): value is ReplicationMode {
  return REPLICATION_MODES.includes(value as ReplicationMode);
}

export function parseLagMs(raw: unknown): number {
  const value = typeof raw === "string" && raw.trim() !== "" ? Number(raw) : raw;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > MAX_REPLICATION_LAG_MS) {
    throw new ConfigError(`the replication lag must be a whole number of ms from 0 to ${MAX_REPLICATION_LAG_MS}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

/** Throws with the variable's name when a value is malformed; `unavailable` when the mode is simply not set up. */
export function parseReplicationConfig(env: Env, defaultMaxReaders: number): ReplicationSetting {
  if (!env.REPLICATION_PORT?.trim()) {
    return { unavailable: "Replication is off: this instance has no REPLICATION_PORT. npm run demo and npm run dev give every instance one." };
  }
  const instanceId = env.INSTANCE_ID?.trim() || "solo";
  if (!INSTANCE_ID.test(instanceId)) throw new ConfigError(`INSTANCE_ID must be lower-case letters, digits or "-", got "${instanceId}"`);
  const mode = env.REPLICATION_MODE?.trim() || "sync";
  if (!isReplicationMode(mode)) throw new ConfigError(`REPLICATION_MODE must be "sync" or "async", got "${mode}"`);
  const maxReaders = env.REPLICATED_MAX_READERS?.trim() ? Number(env.REPLICATED_MAX_READERS) : defaultMaxReaders;
  if (!Number.isInteger(maxReaders) || maxReaders < 1)
    throw new ConfigError(`REPLICATED_MAX_READERS must be a positive whole number, got "${env.REPLICATED_MAX_READERS}"`);
  return {
    instanceId,
    host: env.REPLICATION_HOST?.trim() || "127.0.0.1",
    port: port(env.REPLICATION_PORT.trim(), "REPLICATION_PORT"),
    peers: parsePeers(env.REPLICATION_PEERS).filter((peer) => peer.id !== instanceId),
    mode,
    lagMs: env.REPLICATION_LAG_MS?.trim() ? parseLagMs(env.REPLICATION_LAG_MS) : 0,
    maxReaders,
  };
}
