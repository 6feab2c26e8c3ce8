import { requestCookieJar, json, route } from "@/lib/http/route";
import { modeRequestSchema, readJsonBody } from "@/lib/http/validation";
import { switchMode } from "@/lib/reader";

export const dynamic = "force-dynamic";

/** PUT /api/session/mode {"mode"} -> switch stores, carrying the seen-set across. */
export const PUT = route(async (request) => {
  const { mode } = modeRequestSchema.parse(await readJsonBody(request));
  return json({ mode, ...(await switchMode(await requestCookieJar(), mode)) });
});
