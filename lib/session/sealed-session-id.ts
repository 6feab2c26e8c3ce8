/**
 * A random session id kept in the browser as an iron-session seal: the cookie of kv mode (and of
 * the bench's textbook store). The id keys server-side state; the seal means a forged or edited
 * cookie is no session at all, and its ttl matches the state's so both expire together.
 *
 * Sliding expiry without sealing on every request: the state's TTL slides on every write, the
 * cookie is re-sealed (new Max-Age) only once its seal is older than REFRESH_AFTER, so it can
 * expire at most that much before the state does. Sealing is the costliest step of a kv request.
 */
import { randomBytes } from "node:crypto";
import type { SessionPassword } from "./config";
import { sealRemembered, unsealRemembered } from "./seal-cache";
import type { CookieJar, CookieOptions } from "./store";

const SESSION_ID = /^[A-Za-z0-9_-]{22}$/;
const MAX_REFRESH_SECONDS = 3600;

type SealedId = {
  sid?: unknown;
  /** When it was sealed, epoch seconds (absent in seals from before this field). */
  iat?: unknown;
};

export class SealedSessionId {
  private sid: string | null | undefined;
  private sealedAt = 0;

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
        const data = await unsealRemembered<SealedId>(value, this.password, this.options.maxAge);
        if (typeof data.sid === "string" && SESSION_ID.test(data.sid)) {
          this.sid = data.sid;
          this.sealedAt = typeof data.iat === "number" ? data.iat : 0;
        }
      } catch {
        // Malformed seal: treated as no session, like a missing cookie.
      }
    }
    return this.sid;
  }

  /** The current id, or a new one; re-sealed when the seal is old, so the cookie's expiry slides too. */
  async forWrite(): Promise<string> {
    const sid = await this.current();
    if (!sid) return this.startNew();
    const refreshAfter = Math.min(MAX_REFRESH_SECONDS, Math.floor(this.options.maxAge / 10));
    if (nowSeconds() - this.sealedAt >= refreshAfter) await this.write(sid);
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
    const iat = nowSeconds();
    const seal = await sealRemembered({ sid, iat }, this.password, this.options.maxAge);
    this.jar.set(this.cookieName, seal, this.options);
    this.sealedAt = iat;
  }
}

const nowSeconds = () => Math.floor(Date.now() / 1000);
