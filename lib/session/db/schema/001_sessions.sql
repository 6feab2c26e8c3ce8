-- db mode, schema version 1. Applied once, at start-up, by lib/session/db/migrate.ts, which
-- records it in newsroom_schema_migrations with its SHA-256: never edit this file once it has
-- shipped; add 002_<what>.sql instead. Needs PostgreSQL 14 or newer (bit_count, rtrim on bytea).
--
-- STORAGE: one row per reader session, the seen-set and the read-set as bitmaps (bytea) in the
-- layout of lib/session/seq-set.ts and of Redis's SETBIT: bit offset = article seq, most
-- significant bit first. Chosen by measurement over a row per seen article
-- (lib/session/db/experiments/row-per-article.sql; rerun with `npm run db-storage-bench`). Claiming
-- 10 of a 10,000-article catalogue, p50 end to end over loopback, 100 interleaved samples each, on
-- 2 CPU cores shared with other work (absolute figures high, ratios comparable):
--                       0 seen     9,000 seen in order    9,000 seen at random   bytes per reader at 9,000
--   bitmap row          3.24 ms    3.39 ms (1.05x)        3.25 ms (1.00x)        1,529 (row 1,304: the bitmap is 1,251)
--   row per article     7.08 ms    71.2 ms (10.1x)        15.4 ms (2.2x)         ~913,000 (heap tuple + index entry each)
-- The row per article must anti-join the pool against all of the reader's rows to find the newest
-- unseen ones, and count them for `remaining`, so its cost grows with the history; the bitmap's
-- work is a few C functions over the catalogue's 1,251 bytes, whatever the history. Past ~2 KB
-- (catalogues over ~16,000 articles) PostgreSQL compresses the bitmap in place: a reader's history,
-- long runs of ones, compresses well (100,000 articles: 12.5 KB bitmap stored in ~160 bytes).
--
-- ATOMICITY: every operation is ONE call of a function below (one round trip, one implicit
-- transaction). Functions that write lock the reader's row first (SELECT … FOR UPDATE), so two
-- parallel claims of one reader run one after the other, and the second sees the first's picks.
--
-- DEADLINE: every write takes the request's deadline (epoch ms). The function refuses to start
-- after it, and checks again just before it returns (so before the commit): work that reaches the
-- server after the request gave up, or that waited on a lock past it, raises SQLSTATE NRDL1 and
-- rolls back, writing nothing.
--
-- EXPIRY: expires_at slides on every write (now + the session TTL). An expired row reads as empty
-- everywhere, and the sweeper (lib/session/db/sweeper.ts) deletes it later, like Django's
-- clearsessions.

CREATE TABLE newsroom_sessions (
  -- The random 128-bit session id (base64url) from the signed nr_db cookie. It is worthless
  -- without its HMAC, so it is stored as is.
  id         text PRIMARY KEY,
  seen       bytea NOT NULL DEFAULT ''::bytea,
  read       bytea NOT NULL DEFAULT ''::bytea,
  expires_at timestamptz NOT NULL
);

-- For the sweeper: expired rows without a scan of the table. It costs every write an index entry
-- (expires_at always changes, so no update is HOT): measured here, about a tenth of a claim
-- (p25 1.70 ms with it, 1.52 ms without, 500 readers at 9,000 seen).
CREATE INDEX newsroom_sessions_expires_at ON newsroom_sessions (expires_at);

-- Raises NRDL1 when the server clock is past the request's deadline (epoch ms).
-- Server and app clocks must agree (NTP); the deadline leaves a margin for that (pool.ts).
CREATE FUNCTION newsroom_assert_before(p_deadline_ms bigint) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF clock_timestamp() > to_timestamp(p_deadline_ms / 1000.0) THEN
    RAISE EXCEPTION 'newsroom: the request gave up at % (server clock %); nothing was written',
      to_timestamp(p_deadline_ms / 1000.0), clock_timestamp()
      USING ERRCODE = 'NRDL1';
  END IF;
END $$;

-- A bitmap as a bit string of exactly p_len bytes: cut, or padded with zero bytes.
CREATE FUNCTION newsroom_bits(p_bytes bytea, p_len int) RETURNS varbit
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT ('x' || encode(substring(p_bytes FROM 1 FOR p_len), 'hex') || repeat('00', greatest(0, p_len - length(p_bytes))))::varbit
$$;

-- Locks the reader's row, creating it when new, and returns its bitmaps (empty when expired).
-- Called only from the writing functions below, inside their single statement.
CREATE FUNCTION newsroom_lock_session(p_id text, OUT o_seen bytea, OUT o_read bytea)
LANGUAGE plpgsql AS $$
DECLARE
  v_expires timestamptz;
BEGIN
  SELECT seen, read, expires_at INTO o_seen, o_read, v_expires FROM newsroom_sessions WHERE id = p_id FOR UPDATE;
  IF NOT FOUND THEN
    -- A new reader; a parallel request of the same reader may be creating the row too, and then
    -- this waits for it and the SELECT below locks the row it made. '-infinity': not alive yet.
    INSERT INTO newsroom_sessions (id, expires_at) VALUES (p_id, '-infinity') ON CONFLICT (id) DO NOTHING;
    SELECT seen, read, expires_at INTO o_seen, o_read, v_expires FROM newsroom_sessions WHERE id = p_id FOR UPDATE;
  END IF;
  IF v_expires <= clock_timestamp() THEN
    o_seen := ''::bytea;
    o_read := ''::bytea;
  END IF;
END $$;

-- p_bytes with the bit for p_seq set, grown with zero bytes as needed.
CREATE FUNCTION newsroom_with_seq(p_bytes bytea, p_seq int) RETURNS bytea
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  v_bytes bytea := p_bytes;
BEGIN
  IF length(v_bytes) <= p_seq >> 3 THEN
    v_bytes := v_bytes || decode(repeat('00', (p_seq >> 3) + 1 - length(v_bytes)), 'hex');
  END IF;
  RETURN set_byte(v_bytes, p_seq >> 3, get_byte(v_bytes, p_seq >> 3) | (128 >> (p_seq & 7)));
END $$;

-- Claims up to p_limit unseen articles of the pool, newest first, and records them as seen.
-- The pool is seqs 1..p_max_seq, only those set in p_mask (a section's members) when not null.
-- Returns {seenCount, remaining, seq1, seq2, …}: the reply of the kv store's CLAIM_SCRIPT.
-- Same answers as selectUnseen / countUnseen (lib/news/feed-selection.ts), and the cost does not
-- grow with the history: the set algebra (NOT seen AND mask) runs in C over the catalogue's
-- bytes, and the walk down from the newest article skips every byte with nothing left to claim
-- in C too (rtrim of zero bytes), so a history of 9,000 articles costs what an empty one does.
CREATE FUNCTION newsroom_claim(p_id text, p_limit int, p_max_seq int, p_mask bytea, p_ttl_ms bigint, p_deadline_ms bigint)
RETURNS int[]
LANGUAGE plpgsql AS $$
DECLARE
  n_bytes constant int := p_max_seq / 8 + 1;
  v_seen bytea;
  v_read bytea;
  v_candidates varbit;
  v_available bytea;
  v_unseen int;
  v_picked int[] := '{}';
  v_byte int;
  i int;
  k int;
BEGIN
  PERFORM newsroom_assert_before(p_deadline_ms); -- too late already: take no lock, create no row
  SELECT o_seen, o_read INTO v_seen, v_read FROM newsroom_lock_session(p_id);

  -- What is left to claim, as bytes in the Redis layout (varbit_send prefixes a 4-byte bit count).
  v_candidates := ~newsroom_bits(v_seen, n_bytes);
  IF p_mask IS NOT NULL THEN
    v_candidates := v_candidates & newsroom_bits(p_mask, n_bytes);
  END IF;
  v_available := substring(varbit_send(v_candidates) FROM 5);
  v_available := set_byte(v_available, 0, get_byte(v_available, 0) & 127); -- seq 0 does not exist
  v_available := set_byte(v_available, n_bytes - 1, get_byte(v_available, n_bytes - 1) & ((255 << (7 - p_max_seq % 8)) & 255)); -- nor > p_max_seq
  v_unseen := bit_count(v_available);

  i := length(rtrim(v_available, '\x00'::bytea)) - 1; -- the newest byte with anything to claim
  WHILE i >= 0 AND cardinality(v_picked) < p_limit LOOP
    v_byte := get_byte(v_available, i);
    FOR k IN REVERSE 7..0 LOOP
      EXIT WHEN cardinality(v_picked) >= p_limit;
      IF v_byte & (128 >> k) <> 0 THEN
        v_picked := v_picked || (i * 8 + k);
      END IF;
    END LOOP;
    i := length(rtrim(substring(v_available FROM 1 FOR i), '\x00'::bytea)) - 1;
  END LOOP;

  IF cardinality(v_picked) > 0 AND length(v_seen) < n_bytes THEN
    v_seen := v_seen || decode(repeat('00', n_bytes - length(v_seen)), 'hex');
  END IF;
  FOREACH k IN ARRAY v_picked LOOP
    v_seen := set_byte(v_seen, k >> 3, get_byte(v_seen, k >> 3) | (128 >> (k & 7)));
  END LOOP;
  UPDATE newsroom_sessions SET seen = v_seen, read = v_read, expires_at = clock_timestamp() + p_ttl_ms * interval '1 millisecond'
  WHERE id = p_id;
  PERFORM newsroom_assert_before(p_deadline_ms); -- the last look before the commit
  RETURN ARRAY[bit_count(v_seen)::int, v_unseen - cardinality(v_picked)] || v_picked;
END $$;

-- Records that the reader opened p_seq (read, and so seen). Returns {seenCount, readCount}.
CREATE FUNCTION newsroom_mark_read(p_id text, p_seq int, p_ttl_ms bigint, p_deadline_ms bigint)
RETURNS int[]
LANGUAGE plpgsql AS $$
DECLARE
  v_seen bytea;
  v_read bytea;
BEGIN
  PERFORM newsroom_assert_before(p_deadline_ms);
  SELECT o_seen, o_read INTO v_seen, v_read FROM newsroom_lock_session(p_id);
  v_seen := newsroom_with_seq(v_seen, p_seq);
  v_read := newsroom_with_seq(v_read, p_seq);
  UPDATE newsroom_sessions SET seen = v_seen, read = v_read, expires_at = clock_timestamp() + p_ttl_ms * interval '1 millisecond'
  WHERE id = p_id;
  PERFORM newsroom_assert_before(p_deadline_ms);
  RETURN ARRAY[bit_count(v_seen)::int, bit_count(v_read)::int];
END $$;

-- Makes (p_seen, p_read) the whole state of a new session p_new_id, and drops p_old_id (the
-- reader's previous db session, if any) in the same transaction: a copied old cookie then points
-- at nothing.
CREATE FUNCTION newsroom_replace(p_old_id text, p_new_id text, p_seen bytea, p_read bytea, p_ttl_ms bigint, p_deadline_ms bigint)
RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM newsroom_assert_before(p_deadline_ms);
  DELETE FROM newsroom_sessions WHERE id = p_old_id;
  INSERT INTO newsroom_sessions (id, seen, read, expires_at)
  VALUES (p_new_id, p_seen, p_read, clock_timestamp() + p_ttl_ms * interval '1 millisecond');
  PERFORM newsroom_assert_before(p_deadline_ms);
END $$;

-- Forgets the reader.
CREATE FUNCTION newsroom_destroy(p_id text, p_deadline_ms bigint)
RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM newsroom_assert_before(p_deadline_ms);
  DELETE FROM newsroom_sessions WHERE id = p_id;
  PERFORM newsroom_assert_before(p_deadline_ms);
END $$;
