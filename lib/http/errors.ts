/**
 * The error envelope {"error":{"code","message"}} and the mapping from domain errors to HTTP.
 * Anything unrecognised is a 500 INTERNAL, logged with its stack; input errors never reach it
 * because every handler validates first.
 */
import { ZodError } from "zod";
import { ArticleNotFoundError } from "../reader";
import { BenchModeDisabledError } from "../session/bench/bench-modes";
import { KvMisconfiguredError, KvNotConfiguredError, KvUnavailableError, SessionTooLargeError } from "../session/errors";

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

export interface ErrorEnvelope {
  error: { code: string; message: string } & Record<string, unknown>;
}

/** Seconds a client should wait before retrying after the KV store failed. */
export const KV_RETRY_AFTER_SECONDS = 2;

export function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  if (error instanceof ZodError) {
    const issue = error.issues[0];
    const where = issue && issue.path.length > 0 ? `${issue.path.join(".")}: ` : "";
    return new HttpError(400, "INVALID_INPUT", `${where}${issue?.message ?? "invalid input"}`);
  }
  if (error instanceof SessionTooLargeError) {
    return new HttpError(413, "SESSION_TOO_LARGE", error.message, {
      details: { cookieBytes: error.cookieBytes, limitBytes: 4096, hint: 'PUT /api/session/mode {"mode":"kv"}' },
    });
  }
  if (error instanceof KvNotConfiguredError) return new HttpError(503, "KV_NOT_CONFIGURED", error.message);
  if (error instanceof KvUnavailableError) {
    return new HttpError(503, "KV_UNAVAILABLE", error.message, {
      headers: { "Retry-After": String(KV_RETRY_AFTER_SECONDS) },
    });
  }
  if (error instanceof KvMisconfiguredError) {
    console.error("[newsroom] KV refused our credentials", error.cause);
    return new HttpError(500, "KV_MISCONFIGURED", error.message);
  }
  if (error instanceof BenchModeDisabledError) return new HttpError(403, "BENCH_MODE_DISABLED", error.message);
  if (error instanceof ArticleNotFoundError) return new HttpError(404, "ARTICLE_NOT_FOUND", error.message);
  console.error("[newsroom] unexpected error", error);
  return new HttpError(500, "INTERNAL", "Something went wrong on our side; nothing was recorded. Please try again.");
}

export function envelope(error: HttpError): ErrorEnvelope {
  return { error: { code: error.code, message: error.message, ...error.extra.details } };
}
