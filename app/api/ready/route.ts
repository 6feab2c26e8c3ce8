import { json, otherMethods, route } from "@/lib/http/route";
import { ready } from "@/lib/health";

export const dynamic = "force-dynamic";

/** GET /api/ready -> 200 once this instance's start-up work is done (503 before); never waits on a store. */
export const GET = route(async () => {
  const answer = ready();
  return json(answer, { status: answer.ready ? 200 : 503 });
});

export const { POST, PUT, DELETE, PATCH } = otherMethods(["GET"]);
