import { requestCookieJar, json, route, otherMethods } from "@/lib/http/route";
import { historyQuerySchema } from "@/lib/http/validation";
import { readHistory } from "@/lib/reader";

export const dynamic = "force-dynamic";

/** GET /api/session/history?cursor=&limit= -> the articles this reader was shown, newest first, in pages. No side effects. */
export const GET = route(async (request) => {
  const query = historyQuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  return json(await readHistory(await requestCookieJar(), query));
});

export const { POST, PUT, DELETE, PATCH } = otherMethods(["GET"]);
