/**
 * kv mode: the seen-set lives in Redis behind @vercel/kv; the browser only holds a sealed random
 * session id. Every operation is one Lua script (kv-scripts.ts): one round trip, atomic, so
 * parallel requests of one reader never receive the same article, and any instance can serve
 * any request. Instance loss loses nothing; a KV outage fails requests closed (503).
 */
import { randomBytes } from "node:crypto";
import type { VercelKV } from "@vercel/kv";
import { sealData, unsealData } from "iron-session";
import type { CandidatePool } from "../news/feed-selection";
import type { SessionPassword } from "./config";
import { COOKIE_NAMES } from "./cookies";
import { withKv } from "./kv-client";
import { CLAIM_SCRIPT, DESCRIBE_SCRIPT, MARK_READ_SCRIPT, REPLACE_SCRIPT, sessionKeys } from "./kv-scripts";
import { SeqSet } from "./seq-set";
import type { ClaimResult, CookieJar, CookieOptions, Counts, SessionDescription, SessionSnapshot, SessionStore } from "./store";

const SESSION_ID = /^[A-Za-z0-9_-]{22}$/;

function hexOf(set: SeqSet): string {
  return Buffer.from(set.toBytes()).toString("hex");
}

function setFromHex(hex: unknown): SeqSet {
  return SeqSet.fromBytes(new Uint8Array(Buffer.from(String(hex ?? ""), "hex")));
}

export class KvStore implements SessionStore {
  readonly mode = "kv" as const;
  private sid: string | null | undefined;

  constructor(
    private readonly jar: CookieJar,
    private readonly password: SessionPassword,
    private readonly options: CookieOptions,
    private readonly run: <T>(operation: (kv: VercelKV) => Promise<T>) => Promise<T> = withKv,
  ) {}

  async claimUnseen(pool: CandidatePool, limit: number): Promise<ClaimResult> {
    const keys = await this.keysForWrite();
    const maskHex = pool.members ? hexOf(pool.members) : "";
    const reply = await this.run((kv) =>
      kv.eval<(string | number)[], number[]>(CLAIM_SCRIPT, [keys.seen, keys.read], [limit, pool.maxSeq, this.options.maxAge, maskHex]),
    );
    const [seenCount, remaining, ...seqs] = reply.map(Number);
    return { seqs, seenCount: seenCount!, remaining: remaining! };
  }

  async markRead(seq: number): Promise<Counts> {
    const keys = await this.keysForWrite();
    const [seenCount, readCount] = await this.run((kv) =>
      kv.eval<number[], number[]>(MARK_READ_SCRIPT, [keys.seen, keys.read], [seq, this.options.maxAge]),
    );
    return { seenCount: Number(seenCount), readCount: Number(readCount) };
  }

  async describe(): Promise<SessionDescription> {
    const state = await this.fetchState();
    if (!state) return { seen: SeqSet.empty(), seenCount: 0, readCount: 0, details: { keys: null, ttlSeconds: null, ttlMs: null, bytes: 0, usage: [] } };
    return {
      seen: state.seen,
      seenCount: state.seen.count(),
      readCount: state.read.count(),
      details: { keys: [state.keys.seen, state.keys.read], ttlSeconds: state.ttlSeconds, ttlMs: state.ttlMs, bytes: state.bytes, usage: state.usage },
    };
  }

  async snapshot(): Promise<SessionSnapshot> {
    const state = await this.fetchState();
    return state ? { seen: state.seen, read: state.read } : { seen: SeqSet.empty(), read: SeqSet.empty() };
  }

  /** Under a fresh session id: a copied old cookie can never point at the new state. */
  async replace(snapshot: SessionSnapshot): Promise<void> {
    const sid = await this.startNewSession();
    const keys = sessionKeys(sid);
    await this.run((kv) =>
      kv.eval(REPLACE_SCRIPT, [keys.seen, keys.read], [hexOf(snapshot.seen), hexOf(snapshot.read), this.options.maxAge]),
    );
  }

  async destroy(): Promise<void> {
    const sid = await this.currentSid();
    if (sid) {
      const keys = sessionKeys(sid);
      await this.run((kv) => kv.del(keys.seen, keys.read));
    }
    this.jar.delete(COOKIE_NAMES.kvSession);
    this.sid = null;
  }

  /** Both bitmaps, TTL and size in one read-only round trip; null when the reader has no kv session. */
  private async fetchState() {
    const sid = await this.currentSid();
    if (!sid) return null;
    const keys = sessionKeys(sid);
    const [seenHex, readHex, pttl, seenBytes, readBytes, seenMemory, readMemory] = await this.run((kv) =>
      kv.eval<[], [string, string, number, number, number, number | null, number | null]>(DESCRIBE_SCRIPT, [keys.seen, keys.read], []),
    );
    const memory = (bytes: number | null) => (bytes === null || Number(bytes) < 0 ? null : Number(bytes));
    return {
      keys,
      seen: setFromHex(seenHex),
      read: setFromHex(readHex),
      ttlSeconds: Number(pttl) > 0 ? Math.ceil(Number(pttl) / 1000) : null,
      ttlMs: Number(pttl) > 0 ? Number(pttl) : null,
      bytes: Number(seenBytes) + Number(readBytes),
      usage: [
        { key: keys.seen, valueBytes: Number(seenBytes), memoryBytes: memory(seenMemory) },
        { key: keys.read, valueBytes: Number(readBytes), memoryBytes: memory(readMemory) },
      ],
    };
  }

  /** The session id from the sealed cookie; a missing, tampered or expired seal means none. */
  private async currentSid(): Promise<string | null> {
    if (this.sid !== undefined) return this.sid;
    const value = this.jar.get(COOKIE_NAMES.kvSession);
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

  private async keysForWrite(): Promise<{ seen: string; read: string }> {
    const sid = (await this.currentSid()) ?? (await this.startNewSession());
    // Re-seal on every write so the cookie's expiry slides with the Redis TTL.
    await this.writeCookie(sid);
    return sessionKeys(sid);
  }

  private async startNewSession(): Promise<string> {
    const sid = randomBytes(16).toString("base64url");
    await this.writeCookie(sid);
    this.sid = sid;
    return sid;
  }

  private async writeCookie(sid: string): Promise<void> {
    const seal = await sealData({ sid }, { password: this.password, ttl: this.options.maxAge });
    this.jar.set(COOKIE_NAMES.kvSession, seal, this.options);
  }
}
