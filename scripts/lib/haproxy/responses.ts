/**
 * The answers HAProxy writes itself (the Host allowlist, a refused admin client, its own errors):
 * in the app's JSON error envelope and with the security headers every app response carries, so
 * a client cannot tell from the shape of an error which layer produced it, and a browser gets
 * the same protections from a balancer error as from a page. Proxied responses are untouched:
 * these headers are part of HAProxy's own responses only, never added to (or over) the app's.
 *
 * One exception HAProxy 2.6 does not let us change: when a connection sends something that never
 * becomes a request (bytes that are not HTTP, two different Host headers, headers not complete
 * within `timeout http-request`), its HTTP/1 layer answers 400 or 408 with a fixed HTML page before
 * any rule or error directive applies (mux_h1.c h1_send_error writes the built-in message). Those
 * pages are static text that reflects nothing from the request.
 */
import { quoted, quotedLogFormat } from "./syntax";

/** Sent with every response HAProxy generates; the app sets its own (its CSP allows its pages to run). */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "strict-origin-when-cross-origin",
  "X-Frame-Options": "DENY",
  "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
  "Cache-Control": "no-store",
};

export interface BalancerError {
  code: string;
  message: string;
}

/**
 * Every status HAProxy 2.6 can generate (its `http-error` directive lists them; 200 is only the
 * monitor page, which we do not use), with the envelope it answers in.
 */
export const HAPROXY_ERRORS: Readonly<Record<number, BalancerError>> = {
  400: { code: "BAD_REQUEST", message: "The balancer could not read this request as HTTP." },
  401: { code: "UNAUTHORIZED", message: "This request needs credentials." },
  403: { code: "FORBIDDEN", message: "The balancer refused this request." },
  404: { code: "NOT_FOUND", message: "The balancer has nothing at this address." },
  405: { code: "METHOD_NOT_ALLOWED", message: "This method is not allowed here." },
  407: { code: "PROXY_AUTHENTICATION_REQUIRED", message: "This request needs proxy credentials." },
  408: { code: "REQUEST_TIMEOUT", message: "The request did not arrive in time; send it again." },
  410: { code: "GONE", message: "This address is gone." },
  413: { code: "PAYLOAD_TOO_LARGE", message: "The request is too large for the balancer." },
  425: { code: "TOO_EARLY", message: "Send this request again once the connection is established." },
  429: { code: "TOO_MANY_REQUESTS", message: "Too many requests; slow down and try again." },
  500: { code: "BALANCER_ERROR", message: "The balancer failed while handling this request." },
  501: { code: "NOT_IMPLEMENTED", message: "The balancer does not support this request." },
  502: { code: "BAD_GATEWAY", message: "An instance closed the connection or sent an invalid response; try again." },
  503: { code: "SERVICE_UNAVAILABLE", message: "No instance could take this request; try again in a moment, or start one from /cluster." },
  504: { code: "GATEWAY_TIMEOUT", message: "An instance took too long to answer; try again." },
};

/** The body HAProxy sends: the app's envelope, `{"error":{"code","message"}}`. */
export function envelope(error: BalancerError): string {
  return JSON.stringify({ error: { code: error.code, message: error.message } });
}

/** The shared tail of an `http-error` or `http-request return`: JSON body and the security headers. */
export function jsonResponseArguments(error: BalancerError): string {
  const headers = Object.entries(SECURITY_HEADERS).map(([name, value]) => `hdr ${name} ${quotedLogFormat(value)}`);
  return ["content-type application/json", `string ${quoted(envelope(error))}`, ...headers].join(" ");
}

/** `http-error` lines replacing every HAProxy-generated error with the envelope. */
export function httpErrorLines(): string[] {
  return Object.entries(HAPROXY_ERRORS).map(([status, error]) => `http-error status ${status} ${jsonResponseArguments(error)}`);
}

/** An `http-request return` answering `status` in the envelope when `condition` holds. */
export function returnLine(status: number, error: BalancerError, condition: string): string {
  return `http-request return status ${status} ${jsonResponseArguments(error)} ${condition}`;
}
