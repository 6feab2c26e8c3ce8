/**
 * KV_WAIT_REPLICAS: a write is not confirmed to the reader until that many replicas hold it.
 *
 * Redis replicates asynchronously. A master that acknowledges a claim and dies before its replica
 * received it takes the claim along: the replica is promoted without it and the claimed articles
 * come back in the reader's feed. Redis's WAIT, sent on the same connection right after the write,
 * blocks until N replicas acknowledged everything that connection wrote (or the timeout passes).
 * Fewer than N → the write is refused as an outage (503): the articles stay claimed on the master,
 * so the reader may never see them, but they can never be shown twice. WAIT narrows the window, it
 * does not close it: a replica that acknowledged may still lose the race for promotion to one that
 * did not (Redis's failover prefers the most up-to-date replica, which makes that rare).
 */
import { KvTransportError } from "./kv-transport";

/** WAIT's timeout: well inside the kv deadline (KV_TIMEOUT_MS, 2000 ms), so a refusal still reaches the reader as a 503. */
export const KV_WAIT_TIMEOUT_MS = 500;

/**
 * Words every refusal carries, the bridge's too (scripts/lib/kv-rest/cluster-redis.ts): over REST
 * only the message crosses, so this is how the app tells "not on a replica" from "Redis is down".
 */
export const REPLICA_WAIT_REFUSAL = "not acknowledged by enough replicas";

/** Whether `error` (or its cause) is a refused write of KV_WAIT_REPLICAS. */
export function isReplicaWaitRefusal(error: unknown): boolean {
  for (let at = error; at instanceof Error; at = at.cause) if (at.message.includes(REPLICA_WAIT_REFUSAL)) return true;
  return false;
}

/** The WAIT command for `replicas` replicas. */
export function waitCommand(replicas: number): string[] {
  return ["WAIT", String(replicas), String(KV_WAIT_TIMEOUT_MS)];
}

/** Throws an outage when WAIT answered fewer replicas than asked for. */
export function requireAcknowledged(reply: unknown, replicas: number): void {
  const acknowledged = Number(reply);
  if (acknowledged >= replicas) return;
  throw new KvTransportError(
    `the write reached the Redis master but was ${REPLICA_WAIT_REFUSAL} (${acknowledged} of ${replicas} within ${KV_WAIT_TIMEOUT_MS} ms, ` +
      "KV_WAIT_REPLICAS): refused, so that a failover cannot bring the claimed articles back",
  );
}
