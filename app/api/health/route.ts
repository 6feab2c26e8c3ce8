import { json, route, otherMethods } from "@/lib/http/route";
import { health } from "@/lib/health";

export const dynamic = "force-dynamic";

/** GET /api/health -> who answered and whether each store is reachable. */
export const GET = route(async () => json(await health()));

export const { POST, PUT, DELETE, PATCH } = otherMethods(["GET"]);
