/**
 * Runs before every request (Next.js 16 "proxy", formerly middleware):
 *  - stamps X-Instance-Id on every response, pages included, so a person (and the tests) can
 *    always tell which instance answered (route handlers set it too, for responses that bypass this);
 *  - gives each response its own CSP nonce (lib/http/content-security-policy.ts): Next.js reads it
 *    from the request's Content-Security-Policy header and puts it on the scripts it renders.
 */
import { NextResponse, type NextRequest } from "next/server";
import { contentSecurityPolicy, newNonce } from "@/lib/http/content-security-policy";
import { INSTANCE_HEADER, instanceIdentity } from "@/lib/instance";

export function proxy(request: NextRequest) {
  const policy = contentSecurityPolicy(newNonce());
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("Content-Security-Policy", policy);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set("Content-Security-Policy", policy);
  response.headers.set(INSTANCE_HEADER, instanceIdentity().id);
  return response;
}

export const config = {
  matcher: ["/((?!_next/static|_next/image|favicon.ico).*)"],
};
