import { requestCookieJar, json, route, otherMethods } from "@/lib/http/route";
import { feedRequestSchema, readJsonBody } from "@/lib/http/validation";
import { nextFeedPage } from "@/lib/reader";

export const dynamic = "force-dynamic";

/** POST /api/feed {"limit"?: 1..50, "section"?} -> the next page of unseen articles, recorded as seen. */
export const POST = route(async (request) => {
  const input = feedRequestSchema.parse(await readJsonBody(request));
  return json(await nextFeedPage(await requestCookieJar(), input));
});

export const { GET, PUT, DELETE, PATCH } = otherMethods(["POST"]);
