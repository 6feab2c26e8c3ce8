/**
 * Liveness for /api/health and the balancer's health checks: answered from memory, with no store
 * call, so it stays fast whatever the stores do. Each store's readiness comes from the background
 * probes (lib/session/readiness.ts) and says when it was last checked.
 */
import type { HealthView } from "./api-contract";
import { getCatalogue } from "./news/catalogue";
import { instanceIdentity } from "./instance";
import { secretFingerprint, sessionConfig } from "./session/config";
import { memorySessions } from "./session/memory/memory-store";
import { storeReadiness } from "./session/readiness";
import { replicationNode } from "./session/replicated/node-runtime";
import { registeredModes } from "./session/registry";

const startedAt = Date.now();

function replicationHealth(): HealthView["replication"] {
  const node = replicationNode();
  if (!node) return null;
  const status = node.status();
  const { endpoint, caughtUp, catchUp, readers, maxReaders, peers } = status;
  return { endpoint, caughtUp, catchUp, replication: status.settings.mode, lagMs: status.settings.lagMs, readers, maxReaders, peers };
}

export function health(): HealthView {
  const probed = storeReadiness();
  const stores: HealthView["stores"] = {};
  for (const mode of registeredModes()) {
    const readiness = probed[mode.name];
    // `ok` is the same as `ready` (the name /api/health used before readiness was split from liveness).
    stores[mode.name] = readiness ? { ...readiness, ok: readiness.ready === true } : { ok: true, ready: true };
  }
  // The cluster page counts memory-mode readers per instance.
  stores.memory = { ok: true, ready: true, readers: memorySessions().size };
  return {
    ok: true,
    instance: instanceIdentity(),
    uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
    catalogueSize: getCatalogue().size,
    /** Equal on every instance that shares SESSION_SECRET; the cluster flags one that differs. */
    secretFingerprint: secretFingerprint(sessionConfig().keys),
    stores,
    replication: replicationHealth(),
  };
}

/** Where the instance's front door (scripts/instance-server.mjs) finds health(). */
export const LIVENESS_SLOT = Symbol.for("newsroom.liveness");

/**
 * Hands health() to the instance's front door, which then answers GET /api/health itself, in one
 * turn of the event loop. Through Next.js's request pipeline (a few dozen awaits) a saturated
 * instance took seconds to answer even this, since every await waits for a full turn of a busy
 * loop: long enough for a balancer to call a working instance dead. (`next start` deployments
 * without the front door still get the same answer from app/api/health/route.ts.)
 */
export function publishLiveness(): void {
  (globalThis as typeof globalThis & { [LIVENESS_SLOT]?: () => unknown })[LIVENESS_SLOT] = health;
}

/**
 * Readiness of the instance itself, for /api/ready on `next start` deployments (the front door
 * answers it itself, once warmed up): true once its start-up work is done. It never depends on a
 * store being reachable (see readiness.ts).
 */
export function ready(): { ready: boolean; instance: ReturnType<typeof instanceIdentity> } {
  return { ready: true, instance: instanceIdentity() };
}
