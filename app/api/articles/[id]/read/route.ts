import { requestCookieJar, json, route, otherMethods } from "@/lib/http/route";
import { articleIdSchema } from "@/lib/http/validation";
import { markArticleRead } from "@/lib/reader";

export const dynamic = "force-dynamic";

/** POST /api/articles/{id}/read -> mark opened (and therefore seen). */
export const POST = route<{ params: Promise<{ id: string }> }>(async (_request, { params }) => {
  const id = articleIdSchema.parse((await params).id);
  return json(await markArticleRead(await requestCookieJar(), id));
});

export const { GET, PUT, DELETE, PATCH } = otherMethods(["POST"]);
