import { HttpError, STORE_RETRY_AFTER_SECONDS } from "@/lib/http/errors";
import { requestCookieJar, json, route, otherMethods } from "@/lib/http/route";
import { describeSession, forgetReader } from "@/lib/reader";

export const dynamic = "force-dynamic";

/** GET /api/session -> mode, counts and where the session lives. No side effects. */
export const GET = route(async () => json(await describeSession(await requestCookieJar())));

/** DELETE /api/session -> forget this reader in every store. */
export const DELETE = route(async () => {
  const { cleared, failed } = await forgetReader(await requestCookieJar());
  const failures = Object.entries(failed);
  if (failures.length > 0) {
    throw new HttpError(
      503,
      "FORGET_INCOMPLETE",
      `Cleared ${cleared.join(", ")}, but not ${failures.map(([m, why]) => `${m} (${why})`).join("; ")}. Try again.`,
      {
        headers: { "Retry-After": String(STORE_RETRY_AFTER_SECONDS) },
      },
    );
  }
  return json({ forgotten: true, cleared });
});

export const { POST, PUT, PATCH } = otherMethods(["GET", "DELETE"]);
