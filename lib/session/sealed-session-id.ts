/**
 * A random session id kept in the browser as an iron-session seal: the cookie of kv mode (and of
 * the bench's textbook store). The id keys server-side state; the seal means a forged or edited
 * cookie is no session at all, and its ttl matches the state's so both expire together.
 */
import { randomBytes } from "node:crypto";
import { sealData, unsealData } from "iron-session";
import type { SessionPassword } from "./config";
import type { CookieJar, CookieOptions } from "./store";

const SESSION_ID = /^[A-Za-z0-9_-]{22}$/;

export class SealedSessionId {
  private sid: string | null | undefined;

  constructor(
    private readonly jar: CookieJar,
    private readonly cookieName: string,
    private readonly password: SessionPassword,
    private readonly options: CookieOptions,
  ) {}

  /** The id from the cookie; a missing, tampered or expired seal means none. Read once per request. */
  async current(): Promise<string | null> {
    if (this.sid !== undefined) return this.sid;
    const value = this.jar.get(this.cookieName);
    this.sid = null;
    if (value) {
      try {
        const data = await unsealData<{ sid?: unknown }>(value, { password: this.password, ttl: this.options.maxAge });
        if (typeof data.sid === "string" && SESSION_ID.test(data.sid)) this.sid = data.sid;
      } catch {
        // Malformed seal: treated as no session, like a missing cookie.
      }
    }
    return this.sid;
  }

  /** The current id, or a new one; re-sealed so the cookie's expiry slides with the state's TTL. */
  async forWrite(): Promise<string> {
    const sid = await this.current();
    if (!sid) return this.startNew();
    await this.write(sid);
    return sid;
  }

  /** A fresh id (the old cookie can then never point at the new state). */
  async startNew(): Promise<string> {
    const sid = randomBytes(16).toString("base64url");
    await this.write(sid);
    this.sid = sid;
    return sid;
  }

  forget(): void {
    this.jar.delete(this.cookieName);
    this.sid = null;
  }

  private async write(sid: string): Promise<void> {
    const seal = await sealData({ sid }, { password: this.password, ttl: this.options.maxAge });
    this.jar.set(this.cookieName, seal, this.options);
  }
}
