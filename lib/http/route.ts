/**
 * The wrapper every route handler goes through: cross-site refusal, identity header, no caching,
 * error envelope.
 * It keeps handlers to "parse, call lib/, shape the response".
 */
import { cookies } from "next/headers";
import { NextResponse } from "next/server";
import { INSTANCE_HEADER, instanceIdentity } from "../instance";
import type { CookieJar } from "../session/store";
import { refuseCrossSite } from "./csrf";
import { envelope, HttpError, toHttpError } from "./errors";

type Handler<C> = (request: Request, context: C) => Promise<Response>;

const COMMON_HEADERS = { "Cache-Control": "no-store" };

export function json(body: unknown, init: { status?: number; headers?: Record<string, string> } = {}): NextResponse {
  return NextResponse.json(body, {
    status: init.status ?? 200,
    headers: { ...COMMON_HEADERS, [INSTANCE_HEADER]: instanceIdentity().id, ...init.headers },
  });
}

export function route<C>(handler: Handler<C>): Handler<C> {
  return async (request, context) => {
    try {
      refuseCrossSite(request);
      return await handler(request, context);
    } catch (error) {
      const httpError = toHttpError(error);
      return json(envelope(httpError), { status: httpError.status, headers: httpError.extra.headers });
    }
  };
}

/** This request's cookies as the session layer sees them (reads incoming, writes Set-Cookie). */
export async function requestCookieJar(): Promise<CookieJar> {
  const store = await cookies();
  return {
    get: (name) => store.get(name)?.value,
    set: (name, value, options) => {
      store.set(name, value, options);
    },
    delete: (name) => {
      store.delete(name);
    },
  };
}

type Method = "GET" | "POST" | "PUT" | "DELETE" | "PATCH";

/**
 * Handlers for the methods a route does not serve: 405 in the error envelope with an Allow header
 * (Next.js's own 405 has an empty body). Spread into a route file's exports next to its real ones.
 */
export function otherMethods<const A extends readonly Method[]>(allowed: A): Record<Exclude<Method, A[number]>, Handler<unknown>> {
  const refuse = route(async (request) => {
    throw new HttpError(405, "METHOD_NOT_ALLOWED", `${request.method} is not allowed on ${new URL(request.url).pathname}; use ${allowed.join(" or ")}.`, {
      headers: { Allow: [...allowed, ...(allowed.includes("GET") ? ["HEAD"] : [])].join(", ") },
    });
  });
  const all: Method[] = ["GET", "POST", "PUT", "DELETE", "PATCH"];
  return Object.fromEntries(all.filter((method) => !allowed.includes(method)).map((method) => [method, refuse])) as Record<
    Exclude<Method, A[number]>,
    Handler<unknown>
  >;
}
