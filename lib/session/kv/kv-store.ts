/**
 * kv mode: the seen-set lives in Redis behind @vercel/kv; the browser only holds a signed random
 * session id (signed-session-id.ts). Every operation is one Lua script (kv-scripts.ts): one round trip, atomic, so
 * parallel requests of one reader never receive the same article, and any instance can serve
 * any request. Instance loss loses nothing; a KV outage fails requests closed (503).
 */
import type { CandidatePool } from "../../seen/feed-selection";
import type { Keyring } from "../config";
import { keySlot } from "./key-slot";
import { COOKIE_NAMES } from "../cookies";
import { withKv, writeDeadline, type KvRunner } from "./kv-client";
import type { KvTransport } from "./kv-transport";
import { CLAIM_SCRIPT, DESCRIBE_SCRIPT, MARK_READ_SCRIPT, REPLACE_SCRIPT, sessionKeys } from "./kv-scripts";
import { SignedSessionId } from "../signed-session-id";
import { SeqSet } from "../../seen/seq-set";
import type { ClaimResult, CookieJar, CookieOptions, Counts, SessionDescription, SessionSnapshot, SessionStore } from "../store";

function hexOf(set: SeqSet): string {
  return Buffer.from(set.toBytes()).toString("hex");
}

function setFromHex(hex: unknown): SeqSet {
  return SeqSet.fromBytes(new Uint8Array(Buffer.from(String(hex ?? ""), "hex")));
}

export class KvStore implements SessionStore {
  readonly mode = "kv" as const;
  private readonly sid: SignedSessionId;

  constructor(
    jar: CookieJar,
    keys: Keyring,
    private readonly options: CookieOptions,
    private readonly run: KvRunner = withKv,
  ) {
    this.sid = new SignedSessionId(jar, COOKIE_NAMES.kvSession, keys, options);
  }

  async claimUnseen(pool: CandidatePool, limit: number): Promise<ClaimResult> {
    const keys = sessionKeys(this.sid.forWrite());
    const maskHex = pool.members ? hexOf(pool.members) : "";
    const reply = await this.run((kv) =>
      kv.evalScript(CLAIM_SCRIPT, [keys.seen, keys.read], [limit, pool.maxSeq, this.options.maxAge, maskHex, writeDeadline()]),
    );
    const [seenCount, remaining, ...seqs] = (reply as unknown[]).map(Number);
    return { seqs, seenCount: seenCount!, remaining: remaining! };
  }

  async markRead(seq: number): Promise<Counts> {
    const keys = sessionKeys(this.sid.forWrite());
    const [seenCount, readCount] = (await this.run((kv) =>
      kv.evalScript(MARK_READ_SCRIPT, [keys.seen, keys.read], [seq, this.options.maxAge, writeDeadline()]),
    )) as unknown[];
    return { seenCount: Number(seenCount), readCount: Number(readCount) };
  }

  async describe(): Promise<SessionDescription> {
    const state = await this.fetchState();
    if (!state) {
      const { kind: transport, endpoint } = await this.run(async (kv) => kv);
      return {
        seen: SeqSet.empty(),
        seenCount: 0,
        readCount: 0,
        details: { kind: "kv", transport, endpoint, keys: null, slot: null, ttlSeconds: null, ttlMs: null, bytes: 0, usage: [] },
      };
    }
    return {
      seen: state.seen,
      seenCount: state.seen.count(),
      readCount: state.read.count(),
      details: {
        kind: "kv",
        transport: state.transport,
        endpoint: state.endpoint,
        keys: [state.keys.seen, state.keys.read],
        slot: keySlot(state.keys.seen),
        ttlSeconds: state.ttlSeconds,
        ttlMs: state.ttlMs,
        bytes: state.bytes,
        usage: state.usage,
      },
    };
  }

  async snapshot(): Promise<SessionSnapshot> {
    const state = await this.fetchState();
    return state ? { seen: state.seen, read: state.read } : { seen: SeqSet.empty(), read: SeqSet.empty() };
  }

  /** Under a fresh session id: a copied old cookie can never point at the new state. */
  async replace(snapshot: SessionSnapshot): Promise<void> {
    const sid = this.sid.startNew();
    const keys = sessionKeys(sid);
    await this.run((kv) =>
      kv.evalScript(REPLACE_SCRIPT, [keys.seen, keys.read], [hexOf(snapshot.seen), hexOf(snapshot.read), this.options.maxAge, writeDeadline()]),
    );
  }

  async destroy(): Promise<void> {
    const sid = this.sid.current();
    if (sid) {
      const keys = sessionKeys(sid);
      await this.run((kv) => kv.del(keys.seen, keys.read));
    }
    this.sid.forget();
  }

  /** Both bitmaps, TTL and size in one read-only round trip; null when the reader has no kv session. */
  private async fetchState() {
    const sid = this.sid.current();
    if (!sid) return null;
    const keys = sessionKeys(sid);
    let via: Pick<KvTransport, "kind" | "endpoint"> | undefined;
    const [seenHex, readHex, pttl, seenBytes, readBytes, seenMemory, readMemory] = (await this.run((kv) => {
      via = kv;
      return kv.evalScript(DESCRIBE_SCRIPT, [keys.seen, keys.read], []);
    })) as unknown[];
    const memory = (bytes: unknown) => (bytes === null || bytes === undefined || Number(bytes) < 0 ? null : Number(bytes));
    return {
      keys,
      transport: via!.kind,
      endpoint: via!.endpoint,
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
}
