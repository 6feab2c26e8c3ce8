/** Names and attributes of the cookies the session layer sets. */
import { cookieSecure, sessionTtlSeconds } from "./config";
import type { CookieOptions } from "./store";

export const COOKIE_NAMES = {
  /** Which store holds this reader: cookie | kv | memory (not secret; a forged value only switches stores). */
  mode: "nr_mode",
  /** cookie mode: the whole seen-set, sealed by iron-session. */
  cookieSession: "nr_session",
  /** kv mode: a sealed random session id; the seen-set itself stays in Redis. */
  kvSession: "nr_kv",
  /** memory mode: a random session id keying one process's Map. */
  memorySession: "nr_mem",
} as const;

/** Browsers may drop a cookie over 4,096 bytes (name, value and attributes). */
export const MAX_COOKIE_BYTES = 4096;

export function sessionCookieOptions(): CookieOptions {
  return { httpOnly: true, sameSite: "lax", secure: cookieSecure(), path: "/", maxAge: sessionTtlSeconds() };
}
