/** Instance identity and store reachability, for /api/health and the balancer's health checks. */
import { getCatalogue } from "./news/catalogue";
import { instanceIdentity } from "./instance";
import { secretFingerprint, sessionPassword } from "./session/config";
import { kvStatus, pingKv } from "./session/kv-client";
import { memorySessions } from "./session/memory-store";

const startedAt = Date.now();

export async function health() {
  const kv = kvStatus();
  return {
    ok: true,
    instance: instanceIdentity(),
    uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
    catalogueSize: getCatalogue().size,
    /** Equal on every instance that shares SESSION_SECRET; the cluster flags one that differs. */
    secretFingerprint: secretFingerprint(sessionPassword()),
    stores: {
      cookie: { ok: true },
      memory: { ok: true, readers: memorySessions().size },
      kv: kv.configured ? { configured: true, ...(await pingKv()) } : { configured: false, ok: false, reason: kv.reason },
    },
  };
}
