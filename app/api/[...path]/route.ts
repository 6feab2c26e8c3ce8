import { HttpError } from "@/lib/http/errors";
import { route } from "@/lib/http/route";

export const dynamic = "force-dynamic";

/** Unknown API paths answer in the JSON envelope, not with the HTML 404 page. */
const notFound = route(async (request) => {
  throw new HttpError(404, "NOT_FOUND", `No API endpoint at ${new URL(request.url).pathname}.`);
});

export { notFound as GET, notFound as POST, notFound as PUT, notFound as DELETE, notFound as PATCH };
