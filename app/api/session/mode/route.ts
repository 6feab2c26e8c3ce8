import { requestCookieJar, json, route, otherMethods } from "@/lib/http/route";
import { modeRequestSchema, readJsonBody } from "@/lib/http/validation";
import { changeMode } from "@/lib/reader";

export const dynamic = "force-dynamic";

/** PUT /api/session/mode {"mode"} -> switch stores, carrying the seen-set across. */
export const PUT = route(async (request) => {
  const { mode } = modeRequestSchema().parse(await readJsonBody(request));
  return json(await changeMode(await requestCookieJar(), mode));
});

export const { GET, POST, DELETE, PATCH } = otherMethods(["PUT"]);
