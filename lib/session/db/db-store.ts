/**
 * db mode: the seen-set lives in PostgreSQL, one row per reader (the Django / flask-session way);
 * the browser holds only a signed random session id (nr_db). Every operation is one call of a SQL
 * function (schema/001_sessions.sql): one round trip, one transaction, the reader's row locked,
 * so parallel requests of one reader never receive the same article and any instance can serve
 * any request. Every write carries the request's deadline and is refused by the server after it.
 * PostgreSQL keeps what it acknowledged; when it is down, requests fail closed (DbUnavailableError).
 */
import type { CandidatePool } from "../../seen/feed-selection";
import type { Keyring } from "../config";
import { COOKIE_NAMES } from "../cookies";
import { SeqSet } from "../../seen/seq-set";
import { SignedSessionId } from "../signed-session-id";
import type { ClaimResult, CookieJar, CookieOptions, Counts, SessionDescription, SessionSnapshot, SessionStore } from "../store";
import { withDb, type DbRunner } from "./pool";

export const SESSIONS_TABLE = "newsroom_sessions";

interface SessionRow {
  seen: Buffer;
  read: Buffer;
  expires_at: Date;
  ttl_ms: number;
  row_bytes: number;
  seen_bytes: number;
  read_bytes: number;
}

/** Read-only: an expired row is no session. Sizes are PostgreSQL's own (pg_column_size: the stored, possibly compressed, form). */
const READ_SESSION = `
  SELECT seen, read, expires_at,
         (extract(epoch FROM expires_at - clock_timestamp()) * 1000)::float8 AS ttl_ms,
         pg_column_size(s.*) AS row_bytes, pg_column_size(seen) AS seen_bytes, pg_column_size(read) AS read_bytes
  FROM ${SESSIONS_TABLE} s WHERE id = $1 AND expires_at > clock_timestamp()`;

function bytesOf(set: SeqSet): Buffer {
  return Buffer.from(set.toBytes());
}

export class DbStore implements SessionStore {
  readonly mode = "db" as const;
  private readonly sid: SignedSessionId;

  constructor(
    jar: CookieJar,
    keys: Keyring,
    private readonly options: CookieOptions,
    private readonly run: DbRunner = withDb,
  ) {
    this.sid = new SignedSessionId(jar, COOKIE_NAMES.dbSession, keys, options);
  }

  private get ttlMs(): number {
    return this.options.maxAge * 1000;
  }

  async claimUnseen(pool: CandidatePool, limit: number): Promise<ClaimResult> {
    const sid = this.sid.forWrite();
    const mask = pool.members ? bytesOf(pool.members) : null;
    const reply = await this.run(async (db, deadline) => {
      const { rows } = await db.query<{ reply: number[] }>("SELECT newsroom_claim($1, $2, $3, $4, $5, $6) AS reply", [
        sid,
        limit,
        pool.maxSeq,
        mask,
        this.ttlMs,
        deadline,
      ]);
      return rows[0]!.reply;
    });
    const [seenCount, remaining, ...seqs] = reply;
    return { seqs, seenCount: seenCount!, remaining: remaining! };
  }

  async markRead(seq: number): Promise<Counts> {
    const sid = this.sid.forWrite();
    const [seenCount, readCount] = await this.run(async (db, deadline) => {
      const { rows } = await db.query<{ reply: number[] }>("SELECT newsroom_mark_read($1, $2, $3, $4) AS reply", [sid, seq, this.ttlMs, deadline]);
      return rows[0]!.reply;
    });
    return { seenCount: seenCount!, readCount: readCount! };
  }

  async describe(): Promise<SessionDescription> {
    const row = await this.fetchRow();
    if (!row) {
      return {
        seen: SeqSet.empty(),
        seenCount: 0,
        readCount: 0,
        details: { kind: "db", table: SESSIONS_TABLE, rowBytes: 0, seenBytes: 0, readBytes: 0, expiresAt: null, ttlMs: null },
      };
    }
    const seen = SeqSet.fromBytes(row.seen);
    return {
      seen,
      seenCount: seen.count(),
      readCount: SeqSet.fromBytes(row.read).count(),
      details: {
        kind: "db",
        table: SESSIONS_TABLE,
        rowBytes: row.row_bytes,
        seenBytes: row.seen_bytes,
        readBytes: row.read_bytes,
        expiresAt: row.expires_at.toISOString(),
        ttlMs: Math.max(0, Math.round(row.ttl_ms)),
      },
    };
  }

  async snapshot(): Promise<SessionSnapshot> {
    const row = await this.fetchRow();
    return row ? { seen: SeqSet.fromBytes(row.seen), read: SeqSet.fromBytes(row.read) } : { seen: SeqSet.empty(), read: SeqSet.empty() };
  }

  /** Under a fresh session id (a copied old cookie can never point at the new state); the old row goes in the same call. */
  async replace(snapshot: SessionSnapshot): Promise<void> {
    const oldSid = this.sid.current();
    const newSid = this.sid.startNew();
    await this.run((db, deadline) =>
      db.query("SELECT newsroom_replace($1, $2, $3, $4, $5, $6)", [oldSid, newSid, bytesOf(snapshot.seen), bytesOf(snapshot.read), this.ttlMs, deadline]),
    );
  }

  async destroy(): Promise<void> {
    const sid = this.sid.current();
    if (sid) await this.run((db, deadline) => db.query("SELECT newsroom_destroy($1, $2)", [sid, deadline]));
    this.sid.forget();
  }

  /** The reader's row in one read-only round trip; null when there is no live session. */
  private async fetchRow(): Promise<SessionRow | null> {
    const sid = this.sid.current();
    if (!sid) return null;
    const { rows } = await this.run((db) => db.query<SessionRow>(READ_SESSION, [sid]));
    return rows[0] ?? null;
  }
}
