/**
 * The error envelope {"error":{"code","message"}} and the mapping from domain errors to HTTP.
 * Anything unrecognised is a 500 INTERNAL, logged with its stack; input errors never reach it
 * because every handler validates first.
 */
import { ZodError } from "zod";
import type { ErrorEnvelope } from "../api-contract";
import { ArticleNotFoundError } from "../reader";
import { MAX_COOKIE_BYTES } from "../session/cookies";
import { KvMisconfiguredError, ModeUnavailableError, SessionTooLargeError, StoreUnavailableError } from "../session/errors";

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: { headers?: Record<string, string>; details?: Record<string, unknown> } = {},
  ) {
    super(message);
    this.name = "HttpError";
  }
}

/** Seconds a client should wait before retrying after a store failed (Retry-After). */
export const STORE_RETRY_AFTER_SECONDS = 2;

export function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  if (error instanceof ZodError) {
    const issue = error.issues[0];
    const where = issue && issue.path.length > 0 ? `${issue.path.join(".")}: ` : "";
    return new HttpError(400, "INVALID_INPUT", `${where}${issue?.message ?? "invalid input"}`);
  }
  if (error instanceof SessionTooLargeError) {
    return new HttpError(413, "SESSION_TOO_LARGE", error.message, {
      details: { cookieBytes: error.cookieBytes, limitBytes: MAX_COOKIE_BYTES, hint: 'PUT /api/session/mode {"mode":"kv"}' },
    });
  }
  if (error instanceof ModeUnavailableError) return new HttpError(503, error.code, error.message);
  if (error instanceof StoreUnavailableError) {
    return new HttpError(503, error.code, error.message, { headers: { "Retry-After": String(STORE_RETRY_AFTER_SECONDS) } });
  }
  if (error instanceof KvMisconfiguredError) {
    console.error("[newsroom] KV refused our credentials", error.cause);
    return new HttpError(500, "KV_MISCONFIGURED", error.message);
  }
  if (error instanceof ArticleNotFoundError) return new HttpError(404, "ARTICLE_NOT_FOUND", error.message);
  console.error("[newsroom] unexpected error", error);
  return new HttpError(500, "INTERNAL", "Something went wrong on our side; nothing was recorded. Please try again.");
}

export function envelope(error: HttpError): ErrorEnvelope {
  return { error: { code: error.code, message: error.message, ...error.extra.details } };
}
