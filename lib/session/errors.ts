/** Domain errors of the session layer; lib/http/errors.ts maps them onto HTTP answers. */

/** A cookie-mode save would exceed the browser's 4,096-byte cookie limit; nothing was saved. */
export class SessionTooLargeError extends Error {
  constructor(readonly cookieBytes: number) {
    super(
      `Your reading history no longer fits in a cookie (${cookieBytes} of 4096 bytes). ` +
        "Nothing was lost: switch to kv mode to keep reading.",
    );
    this.name = "SessionTooLargeError";
  }
}

/** kv mode was asked for but KV_REST_API_URL / KV_REST_API_TOKEN are not set. */
export class KvNotConfiguredError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = "KvNotConfiguredError";
  }
}

/** The KV store (bridge or Redis) did not answer in time or answered with an error. */
export class KvUnavailableError extends Error {
  constructor(cause: unknown) {
    super("The shared session store is not reachable right now. Nothing was recorded; try again in a moment.", { cause });
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
