/** Domain errors of the session layer; lib/http/errors.ts maps them onto HTTP answers. */
import { isReplicaWaitRefusal } from "./kv/replica-wait";
import { MAX_COOKIE_BYTES } from "./cookies";

/** A cookie-mode save would exceed the browser's 4,096-byte cookie limit; nothing was saved. */
export class SessionTooLargeError extends Error {
  constructor(readonly cookieBytes: number) {
    super(
      `Your reading history no longer fits in a cookie (${cookieBytes} of ${MAX_COOKIE_BYTES} bytes). Nothing was lost: switch to kv mode to keep reading.`,
    );
    this.name = "SessionTooLargeError";
  }
}

/** A registered mode this process cannot serve, because its store is not configured here (503 <MODE>_NOT_CONFIGURED). */
export class ModeUnavailableError extends Error {
  readonly code: string;

  constructor(
    readonly mode: string,
    reason: string,
  ) {
    super(reason);
    this.name = "ModeUnavailableError";
    this.code = `${mode.toUpperCase().replace(/[^A-Z0-9]+/g, "_")}_NOT_CONFIGURED`;
  }
}

/**
 * A store that is down, unreachable or too slow: nothing was recorded, and retrying later may work
 * (503 with Retry-After). Each store says it in its own words and code (KV_UNAVAILABLE, …).
 */
export class StoreUnavailableError extends Error {
  constructor(
    readonly code: string,
    message: string,
    cause: unknown,
  ) {
    super(message, { cause });
    this.name = "StoreUnavailableError";
  }
}

/** The KV store (bridge or Redis) did not answer in time, or reported an outage. */
export class KvUnavailableError extends StoreUnavailableError {
  constructor(cause: unknown) {
    super(
      "KV_UNAVAILABLE",
      isReplicaWaitRefusal(cause)
        ? "The shared session store could not copy this page to a replica in time, so it was withheld: it can never come back later. Try again in a moment."
        : "The shared session store is not reachable right now. Nothing was recorded; try again in a moment.",
      cause,
    );
    this.name = "KvUnavailableError";
  }
}

/** The KV store refused our credentials (a wrong or read-only token): a deployment problem, not an outage. */
export class KvMisconfiguredError extends Error {
  constructor(cause: unknown) {
    super("The shared session store refused this server's credentials. The operator must fix KV_REST_API_TOKEN; nothing was recorded.", { cause });
    this.name = "KvMisconfiguredError";
  }
}
