/**
 * The one replication node of this process: created and started at start-up (instrumentation.ts)
 * when the instance has a REPLICATION_PORT, shared by every route bundle (processWide), and
 * announced to the instance's front door, which reports the instance ready only once the node
 * has caught up (scripts/instance-server.mjs reads the slot below).
 */
import { processWide } from "../../process-wide";
import { sessionConfig, type SessionConfig } from "../config";
import { channelKeys } from "./channel-auth";
import { listenChannel } from "./channel-server";
import { ReplicationNode } from "./replication-node";

/** Where the front door finds the promise that resolves once the node has caught up. */
export const REPLICATION_READY_SLOT = Symbol.for("newsroom.replicationReady");

interface Runtime {
  node: ReplicationNode | null;
  started: Promise<void> | null;
}

function runtime(): Runtime {
  return processWide("replicationRuntime", () => ({ node: null, started: null }));
}

/** This process's node, or null when replication is off here (no REPLICATION_PORT). */
export function replicationNode(config: SessionConfig = sessionConfig()): ReplicationNode | null {
  const current = runtime();
  if (current.node) return current.node;
  if ("unavailable" in config.replication) return null;
  current.node = new ReplicationNode(config.replication, channelKeys(config.keys), config.ttlSeconds * 1000);
  return current.node;
}

/**
 * Listens on the channel port, then joins the peers and catches up. Called once at start-up; the
 * front door waits on it before it says ready. A port that cannot be bound stops the instance: a
 * replicated instance that cannot hear its peers would silently diverge from them.
 */
export function startReplication(config: SessionConfig = sessionConfig()): Promise<void> | null {
  const current = runtime();
  if (current.started) return current.started;
  const node = replicationNode(config);
  if (!node || "unavailable" in config.replication) return null;
  const { host, port } = config.replication;
  current.started = listenChannel(node, host, port)
    .then(() => node.join())
    .then(() => node.watchForPauses())
    .catch((error: unknown) => {
      console.error(`[newsroom] replication channel cannot listen on ${host}:${port}: ${(error as Error).message}`);
      process.exit(1);
    });
  (globalThis as typeof globalThis & { [REPLICATION_READY_SLOT]?: Promise<void> })[REPLICATION_READY_SLOT] = current.started;
  return current.started;
}
