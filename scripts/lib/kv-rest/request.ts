/**
 * Turns an Upstash REST request into Redis commands: the token from the Authorization header
 * (or the documented `_token` query parameter), path-style commands with their query-string
 * arguments, and the JSON bodies of POST /, /pipeline and /multi-exec. Pure functions, no I/O.
 */
import { timingSafeEqual } from "node:crypto";
import { badRequest } from "./errors";

/** One Redis command: its name, then its arguments (Buffers where the bytes came from a raw body). */
export type Command = [name: string, ...args: Array<string | Buffer>];

/** The request target split at the first "?", without allocating a URL object. */
export function splitTarget(target: string): { path: string; query: string } {
  const mark = target.indexOf("?");
  return mark < 0 ? { path: target, query: "" } : { path: target.slice(0, mark), query: target.slice(mark + 1) };
}

/**
 * The credentials of `Authorization: Bearer <token>`. The scheme is case-insensitive (RFC 9110
 * section 11.1: "bearer", "BEARER" and "Bearer" are the same scheme); the token is not.
 */
export function bearerToken(authorization: string | undefined): string | undefined {
  if (authorization === undefined || authorization.length < 8 || authorization.charCodeAt(6) !== 32) return undefined;
  if (authorization.slice(0, 6).toLowerCase() !== "bearer") return undefined;
  const token = authorization.slice(7).trim();
  return token === "" ? undefined : token;
}

/** The `_token` query parameter, which Upstash documents as an alternative to the header. */
export function queryToken(query: string): string | undefined {
  if (!query.includes("_token=")) return undefined;
  for (const part of query.split("&")) {
    if (part.startsWith("_token=")) return decodeQueryPart(part.slice(7));
  }
  return undefined;
}

/** Constant-time comparison of a presented token with an expected one (only the length can leak). */
export function tokenMatches(given: string, expected: Buffer): boolean {
  if (Buffer.byteLength(given) !== expected.length) return false;
  return timingSafeEqual(Buffer.from(given), expected);
}

function decodePathPart(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw badRequest(`ERR malformed percent-encoding in the URL path: ${part}`);
  }
}

/** Query strings are form-encoded: "+" is a space (as Go's url.ParseQuery, behind Upstash's endpoint, reads them). */
function decodeQueryPart(part: string): string {
  try {
    return decodeURIComponent(part.includes("+") ? part.replaceAll("+", " ") : part);
  } catch {
    throw badRequest(`ERR malformed percent-encoding in the query string: ${part}`);
  }
}

/**
 * A path-style command, as Upstash documents it: `/COMMAND/arg1/arg2` (each segment
 * percent-decoded), then the raw request body as one more argument when there is one, then the
 * query parameters in order: `/set/k?EX=100` with body `v` is SET k v EX 100.
 * Our choices where the documentation is silent: a parameter without "=" (`?NX`) adds only its
 * name; trailing slashes are ignored (`/get/k/` is GET k); `_token` is authentication, not an argument.
 */
export function pathCommand(path: string, body: Buffer | null, query: string): Command {
  const segments = path.split("/");
  let end = segments.length;
  while (end > 1 && segments[end - 1] === "") end--;
  const name = decodePathPart(segments[1] ?? "");
  if (name === "") throw badRequest("ERR empty command: send one as /COMMAND/arg1/arg2 or as a JSON array in a POST / body");
  const command: Command = [name];
  for (let i = 2; i < end; i++) command.push(decodePathPart(segments[i]!));
  if (body !== null && body.length > 0) command.push(body);
  if (query !== "") {
    for (const part of query.split("&")) {
      if (part === "" || part.startsWith("_token=")) continue;
      const equals = part.indexOf("=");
      if (equals < 0) {
        command.push(decodeQueryPart(part));
      } else {
        command.push(decodeQueryPart(part.slice(0, equals)), decodeQueryPart(part.slice(equals + 1)));
      }
    }
  }
  return command;
}

function parseJson(body: Buffer | null): unknown {
  if (body === null || body.length === 0) throw badRequest('ERR empty command: the body must be a JSON array such as ["SET", "key", "value"]');
  try {
    return JSON.parse(body.toString("utf8"));
  } catch {
    throw badRequest("ERR failed to parse the request body as JSON");
  }
}

/** One command from JSON: a non-empty array of strings and numbers (booleans are taken as text). */
function toCommand(value: unknown, where: string): Command {
  if (!Array.isArray(value) || value.length === 0) throw badRequest(`ERR ${where} must be a non-empty JSON array such as ["SET", "key", "value"]`);
  const command = new Array<string>(value.length);
  for (let i = 0; i < value.length; i++) {
    const arg: unknown = value[i];
    if (typeof arg === "string") command[i] = arg;
    else if (typeof arg === "number" || typeof arg === "boolean") command[i] = String(arg);
    else throw badRequest(`ERR ${where}: argument ${i} must be a string or a number, not ${arg === null ? "null" : typeof arg}`);
  }
  if (command[0] === "") throw badRequest(`ERR ${where}: the command name is empty`);
  return command as Command;
}

/** POST / : the whole command as one JSON array. */
export function jsonCommand(body: Buffer | null): Command {
  return toCommand(parseJson(body), "the command");
}

/** POST /pipeline and /multi-exec : a JSON array of commands. */
export function jsonCommandList(body: Buffer | null): Command[] {
  const value = parseJson(body);
  if (!Array.isArray(value) || value.length === 0) {
    throw badRequest('ERR the body must be a non-empty JSON array of commands such as [["SET", "k", "v"], ["GET", "k"]]');
  }
  return value.map((item, i) => toCommand(item, `command ${i + 1}`));
}
