/**
 * A random session id kept in the browser as `id.signature` (HMAC-SHA256, cookie-signature, as
 * express-session / connect-redis do): the cookie of kv mode, db mode and the bench's textbook store.
 *
 * The id only keys state in Redis or PostgreSQL, so it needs integrity, not secrecy: a forged or edited cookie
 * is no session at all. Signing costs microseconds where an iron-session seal cost ~0.7 ms per
 * request here (bench: docs/benchmarks.md), which is why kv mode does not seal its id.
 * Expiry lives where the state lives: the Redis keys' TTL or the row's expires_at (refreshed on
 * every write, with the cookie's Max-Age). With SESSION_SECRET as a map, the keyring's sealing id signs and any id verifies.
 */
import { randomBytes } from "node:crypto";
import { sign, unsign } from "cookie-signature";
import type { Keyring } from "./config";
import type { CookieJar, CookieOptions } from "./store";

const SESSION_ID = /^[A-Za-z0-9_-]{22}$/;

/** The signing secret first, then the others (they only verify), newest first. */
function secretsOf(keys: Keyring): string[] {
  const others = Object.entries(keys.secrets)
    .filter(([id]) => id !== keys.sealId)
    .sort(([a], [b]) => Number(b) - Number(a))
    .map(([, secret]) => secret);
  return [keys.secrets[keys.sealId]!, ...others];
}

export class SignedSessionId {
  private sid: string | null | undefined;
  private readonly secrets: string[];

  constructor(
    private readonly jar: CookieJar,
    private readonly cookieName: string,
    keys: Keyring,
    private readonly options: CookieOptions,
  ) {
    this.secrets = secretsOf(keys);
  }

  /** The id from the cookie; a missing, malformed or wrongly signed cookie means none. Read once per request. */
  current(): string | null {
    if (this.sid !== undefined) return this.sid;
    this.sid = null;
    const value = this.jar.get(this.cookieName);
    if (!value) return null;
    for (const secret of this.secrets) {
      const sid = unsign(value, secret);
      if (sid !== false && SESSION_ID.test(sid)) return (this.sid = sid);
    }
    return null;
  }

  /** The current id, or a new one; the cookie is set again so its Max-Age slides with the keys' TTL. */
  forWrite(): string {
    const sid = this.current();
    if (!sid) return this.startNew();
    this.write(sid);
    return sid;
  }

  /** A fresh id (the old cookie can then never point at the new state). */
  startNew(): string {
    const sid = randomBytes(16).toString("base64url");
    this.write(sid);
    return (this.sid = sid);
  }

  forget(): void {
    this.jar.delete(this.cookieName);
    this.sid = null;
  }

  private write(sid: string): void {
    this.jar.set(this.cookieName, sign(sid, this.secrets[0]!), this.options);
  }
}
