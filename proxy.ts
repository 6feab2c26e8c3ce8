/**
 * Runs before every request (Next.js 16 "proxy", formerly middleware): stamps X-Instance-Id on
 * every response, pages included, so a person (and the tests) can always tell which instance
 * answered. Route handlers set it too, for responses that bypass this.
 */
import { NextResponse } from "next/server";
import { INSTANCE_HEADER, instanceIdentity } from "@/lib/instance";

export function proxy() {
  const response = NextResponse.next();
  response.headers.set(INSTANCE_HEADER, instanceIdentity().id);
  return response;
}

export const config = {
  matcher: ["/((?!_next/static|_next/image|favicon.ico).*)"],
};
