/**
 * db mode's errors, and which failures are an outage. An outage (the server is down, restarting,
 * unreachable, too slow, or the request's deadline passed) is a DbUnavailableError: the app
 * answers 503 and the reader retries. Anything else the database says (a SQL error, a missing
 * function because the schema was never migrated, a wrong password) stays what it is: a bug or a
 * misconfiguration, answered 500 and logged.
 */
import { StoreUnavailableError } from "../errors";

/** db mode was asked for but DATABASE_URL is not set. */
export class DbNotConfiguredError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = "DbNotConfiguredError";
  }
}

/** PostgreSQL did not answer in time, or could not be reached: nothing was recorded. */
export class DbUnavailableError extends StoreUnavailableError {
  constructor(cause: unknown) {
    super("DB_UNAVAILABLE", "The session database is not reachable right now. Nothing was recorded; try again in a moment.", cause);
    this.name = "DbUnavailableError";
  }
}

/** SQLSTATE our functions raise when the request's deadline has passed (schema/001_sessions.sql). */
export const DEADLINE_PASSED_SQLSTATE = "NRDL1";

/** Socket-level failures: the server is not there, or the connection to it broke. */
const NETWORK_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "EHOSTUNREACH", "ENETUNREACH", "ENOTFOUND", "EAI_AGAIN", "ECONNABORTED"]);

/** SQLSTATEs that mean "not now" rather than "wrong". */
const OUTAGE_SQLSTATES = new Set([
  DEADLINE_PASSED_SQLSTATE,
  "57014", // query_canceled: statement_timeout fired
  "57P01", // admin_shutdown: the server is shutting down
  "57P02", // crash_shutdown: another backend crashed, the server is restarting
  "57P03", // cannot_connect_now: starting up or in recovery
  "55P03", // lock_not_available: lock_timeout fired
  "53300", // too_many_connections
  "40001", // serialization_failure
  "40P01", // deadlock_detected
]);

/** What node-postgres and pg-pool say when the connection fails or a client-side timeout fires. */
const CLIENT_MESSAGES = [
  /^Connection terminated/,
  /^timeout exceeded when trying to connect/,
  /^Query read timeout/,
  /^Client has encountered a connection error and is not queryable/,
  /^Client was closed and is not queryable/,
  /^timeout expired/,
];

export function isOutage(error: unknown): boolean {
  if (error instanceof DbUnavailableError) return true;
  if (!(error instanceof Error)) return false;
  const { code } = error as Error & { code?: unknown };
  if (typeof code === "string") {
    if (NETWORK_CODES.has(code) || OUTAGE_SQLSTATES.has(code) || code.startsWith("08")) return true; // class 08: connection exception
  }
  if (CLIENT_MESSAGES.some((pattern) => pattern.test(error.message))) return true;
  // Node reports a refused connection to a name with several addresses as an AggregateError.
  return error instanceof AggregateError && error.errors.some(isOutage);
}

/** An outage becomes DbUnavailableError (503); anything else is returned unchanged (500). */
export function classifyDbError(error: unknown): unknown {
  return isOutage(error) && !(error instanceof DbUnavailableError) ? new DbUnavailableError(error) : error;
}
