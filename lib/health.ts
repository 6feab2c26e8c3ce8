/**
 * Liveness for /api/health and the balancer's health checks: answered from memory, with no store
 * call, so it stays fast whatever the stores do. Each store's readiness comes from the background
 * probes (lib/store-readiness.ts) and says when it was last checked.
 */
import { getCatalogue } from "./news/catalogue";
import { instanceIdentity } from "./instance";
import { secretFingerprint, sessionPassword } from "./session/config";
import { memorySessions } from "./session/memory-store";
import { storeReadiness } from "./store-readiness";

const startedAt = Date.now();

export function health() {
  const { kv } = storeReadiness();
  return {
    ok: true,
    instance: instanceIdentity(),
    uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
    catalogueSize: getCatalogue().size,
    /** Equal on every instance that shares SESSION_SECRET; the cluster flags one that differs. */
    secretFingerprint: secretFingerprint(sessionPassword()),
    stores: {
      cookie: { ok: true, ready: true },
      memory: { ok: true, ready: true, readers: memorySessions().size },
      // `ok` is the same as `ready` (the name /api/health used before readiness was split from liveness).
      kv: { ...kv, ok: kv.ready === true },
    },
  };
}

/**
 * Readiness of the instance itself, for /api/ready: true once its start-up work is done. It never
 * depends on a store being reachable (see store-readiness.ts).
 */
export function ready(): { ready: boolean; instance: ReturnType<typeof instanceIdentity> } {
  return { ready: true, instance: instanceIdentity() };
}
