/** Names and attributes of the cookies the session layer sets. */
import { serialize } from "cookie";
import type { CookieOptions } from "./store";

export const COOKIE_NAMES = {
  /** Which store holds this reader: cookie | kv | db | replicated | memory (not secret; a forged value only switches stores). */
  mode: "nr_mode",
  /** cookie mode: the whole seen-set, sealed by iron-session. */
  cookieSession: "nr_session",
  /** kv mode: a random session id signed with HMAC; the seen-set itself stays in Redis. */
  kvSession: "nr_kv",
  /** db mode: a random session id signed with HMAC; the seen-set itself stays in PostgreSQL. */
  dbSession: "nr_db",
  /** memory mode: a random session id keying one process's Map, signed like nr_kv. */
  memorySession: "nr_mem",
  /** replicated mode: a random session id keying every instance's replica, signed like nr_kv. */
  replicatedSession: "nr_rep",
} as const;

/** Browsers may drop a cookie over 4,096 bytes (name, value and attributes). */
export const MAX_COOKIE_BYTES = 4096;

/**
 * The length of the Set-Cookie header value the browser receives for this cookie. Next writes
 * Expires as well as Max-Age, so it is counted here too (a UTC date has a fixed length); the
 * e2e inspector spec compares this figure with the header the browser actually got.
 */
export function setCookieBytes(name: string, value: string, options: CookieOptions, now = Date.now()): number {
  return serialize(name, value, { ...options, expires: new Date(now + options.maxAge * 1000) }).length;
}
