/**
 * Redis replies as Upstash's JSON, written straight into a string (no intermediate objects):
 *   bulk strings  -> JSON strings: UTF-8 text, invalid bytes replaced by U+FFFD, as Upstash
 *                    documents; with `Upstash-Encoding: base64`, base64 of the raw bytes instead
 *   status replies -> JSON strings; with base64 encoding every one but "OK" is base64 too, as
 *                    Upstash documents ("all strings in the response will be base64 encoded,
 *                    except for the OK response")
 *   integers -> JSON numbers; nil -> null; arrays -> arrays (RESP2: Upstash speaks RESP2)
 *   an error nested in an array (inside an EXEC or a script's table reply) -> its message, as a
 *   string (our choice: Upstash documents only top-level errors)
 * Integers beyond 2^53 lose precision in node-redis's decoder, as they would in any JavaScript
 * client reading Upstash's JSON.
 */

/** The reply types node-redis hands over with the bridge's type mapping (bulk strings as Buffers). */
export type Reply = null | number | string | Buffer | Error | Reply[];

export function replyJson(reply: unknown, base64: boolean): string {
  if (reply === null || reply === undefined) return "null";
  if (typeof reply === "number") return Number.isFinite(reply) ? String(reply) : JSON.stringify(String(reply));
  if (Buffer.isBuffer(reply)) return base64 ? `"${reply.toString("base64")}"` : JSON.stringify(reply.toString("utf8"));
  if (typeof reply === "string") return base64 && reply !== "OK" ? `"${Buffer.from(reply, "utf8").toString("base64")}"` : JSON.stringify(reply);
  if (Array.isArray(reply)) {
    let json = "[";
    for (let i = 0; i < reply.length; i++) json += (i === 0 ? "" : ",") + replyJson(reply[i], base64);
    return json + "]";
  }
  if (reply instanceof Error) return JSON.stringify(reply.message);
  throw new TypeError(`no JSON form for a Redis reply of type ${Object.prototype.toString.call(reply)}`);
}

/** {"result": ...} */
export function resultJson(reply: unknown, base64: boolean): string {
  return `{"result":${replyJson(reply, base64)}}`;
}

/** {"error": "..."} */
export function errorJson(message: string): string {
  return `{"error":${JSON.stringify(message)}}`;
}

/** Pipeline and transaction answers: one {"result"} or {"error"} per command, in order. */
export function resultListJson(replies: ReadonlyArray<unknown>, base64: boolean): string {
  let json = "[";
  for (let i = 0; i < replies.length; i++) {
    const reply = replies[i];
    json += (i === 0 ? "" : ",") + (reply instanceof Error ? errorJson(reply.message) : resultJson(reply, base64));
  }
  return json + "]";
}
