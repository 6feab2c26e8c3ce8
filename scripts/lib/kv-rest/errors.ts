/**
 * Every way a KV bridge request can fail, as the HTTP status and {"error": message} body the
 * client sees. The statuses follow Upstash's documented HTTP codes (400 for a rejected or failed
 * command, 401 for a bad token, 405 for a method it does not take); 503 and 500 are our own,
 * because Upstash documents nothing for "Redis is not there" or "the endpoint has a bug":
 *
 *   400  Redis answered with an error reply (unknown command, wrong arity, WRONGTYPE, a Lua error,
 *        EXECABORT, NOPERM), or the bridge refused the command or the request. A bug in the
 *        caller, never an outage: retrying the same request gives the same answer.
 *   401  missing or wrong token.
 *   405  an HTTP method other than HEAD, GET, POST, PUT.
 *   503  Redis is down, unreachable, stalled (no answer within the command timeout), or says it
 *        cannot serve right now (LOADING, BUSY, MASTERDOWN, ...). An outage: retry later.
 *        The message always starts with "UNAVAILABLE ", a word no Redis error reply starts
 *        with: @upstash/redis (under @vercel/kv) drops the HTTP status and keeps only the
 *        message, so this is how a client tells an outage from a Redis error.
 *   500  a bug in the bridge itself (logged).
 */
import {
  AbortError,
  ClientClosedError,
  ClientOfflineError,
  ConnectionTimeoutError,
  DisconnectsClientError,
  ErrorReply,
  ReconnectStrategyError,
  SocketClosedUnexpectedlyError,
  SocketTimeoutError,
  TimeoutError,
} from "redis";

export class BridgeError extends Error {
  constructor(
    readonly status: 400 | 401 | 405 | 500 | 503,
    message: string,
  ) {
    super(message);
    this.name = "BridgeError";
  }
}

/** A request the bridge rejects before Redis sees it (bad JSON, refused command, ...): 400. */
export const badRequest = (message: string) => new BridgeError(400, message);

/** Redis could not be used right now: 503, "UNAVAILABLE <why>". */
export const unavailable = (why: string) => new BridgeError(503, `UNAVAILABLE ${why}`);

/**
 * Error replies that describe the server's state, not the command: retrying later can succeed,
 * so they are outages (503), unlike every other Redis error reply (400). Our choice; Upstash
 * documents 400 for any failed command, but its own servers do not surface these states.
 *   LOADING (dataset still loading), BUSY (a script or function is running too long),
 *   MASTERDOWN / READONLY / TRYAGAIN / CLUSTERDOWN (replication or cluster failover),
 *   MISCONF (cannot persist, writes refused), OOM (maxmemory reached),
 *   NOAUTH / WRONGPASS (the bridge's own Redis credentials are wrong: a deployment problem).
 */
const OUTAGE_REPLY = /^(LOADING|BUSY|MASTERDOWN|READONLY|TRYAGAIN|CLUSTERDOWN|MISCONF|OOM|NOAUTH|WRONGPASS)\b/;

/** Errors node-redis raises when the connection, not the command, failed. */
const CONNECTION_ERRORS: ReadonlyArray<abstract new (...args: never[]) => Error> = [
  ClientOfflineError,
  ClientClosedError,
  DisconnectsClientError,
  SocketClosedUnexpectedlyError,
  ConnectionTimeoutError,
  SocketTimeoutError,
  ReconnectStrategyError,
  TimeoutError,
  AbortError,
];

/** Node's own socket errors (ECONNREFUSED, ECONNRESET, EPIPE, ...) carry a string `code`. */
function isSystemSocketError(error: Error): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return typeof code === "string" && code.startsWith("E");
}

/**
 * Maps whatever the Redis side threw onto the bridge's answer. Redis error replies are classified
 * by class (ErrorReply and its subclasses SimpleError, BlobError, MultiErrorReply), never by
 * message text, except the outage prefixes above; anything unrecognised is our bug (500).
 */
export function classifyFailure(error: unknown): BridgeError {
  if (error instanceof BridgeError) return error;
  if (error instanceof ErrorReply) return OUTAGE_REPLY.test(error.message) ? unavailable(error.message) : new BridgeError(400, error.message);
  if (error instanceof Error && (CONNECTION_ERRORS.some((type) => error instanceof type) || isSystemSocketError(error))) {
    return unavailable(`Redis is not reachable: ${error.message}`);
  }
  return new BridgeError(500, `ERR internal error in the KV bridge: ${error instanceof Error ? error.message : String(error)}`);
}
