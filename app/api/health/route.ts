import { json, route, otherMethods } from "@/lib/http/route";
import { health } from "@/lib/health";

export const dynamic = "force-dynamic";

/** GET /api/health -> liveness: who answered, and each store's last known readiness (no store is called). */
export const GET = route(async () => json(health()));

export const { POST, PUT, DELETE, PATCH } = otherMethods(["GET"]);
