-- The storage db mode did NOT choose, kept so the measurement can be rerun
-- (scripts/db-storage-bench.ts installs it next to schema/001_sessions.sql, whose helpers it uses;
-- the migrator never applies it). A row per seen article, the textbook relational shape:
-- (session, seq) with a read flag. Same functions, same arguments, same answers as the bitmap
-- store, so the two can be timed against each other call for call.
--
-- Why it lost: finding the newest unseen articles means an anti-join of the pool against all the
-- reader's rows, and counting what is left means counting them, so a claim costs more the longer
-- the history; and every seen article costs a heap tuple (24-byte header, alignment) plus a
-- primary-key index entry, where the bitmap spends one bit.

CREATE TABLE newsroom_rows_sessions (
  id         text PRIMARY KEY,
  expires_at timestamptz NOT NULL
);

CREATE TABLE newsroom_rows_seen (
  session_id text NOT NULL REFERENCES newsroom_rows_sessions (id) ON DELETE CASCADE,
  seq        int NOT NULL,
  read       boolean NOT NULL DEFAULT false,
  PRIMARY KEY (session_id, seq)
);

-- The candidate pool as a bit string: seqs 1..p_max_seq, within p_mask when not null.
CREATE FUNCTION newsroom_rows_pool_bits(p_max_seq int, p_mask bytea) RETURNS varbit
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN p_mask IS NULL THEN everything ELSE everything & newsroom_bits(p_mask, p_max_seq / 8 + 1) END
  FROM (SELECT B'0' || repeat('1', p_max_seq)::varbit || repeat('0', (p_max_seq / 8 + 1) * 8 - p_max_seq - 1)::varbit AS everything) pool
$$;

CREATE FUNCTION newsroom_rows_lock_session(p_id text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  v_expires timestamptz;
BEGIN
  SELECT expires_at INTO v_expires FROM newsroom_rows_sessions WHERE id = p_id FOR UPDATE;
  IF NOT FOUND THEN
    INSERT INTO newsroom_rows_sessions (id, expires_at) VALUES (p_id, '-infinity') ON CONFLICT (id) DO NOTHING;
    SELECT expires_at INTO v_expires FROM newsroom_rows_sessions WHERE id = p_id FOR UPDATE;
  END IF;
  IF v_expires <= clock_timestamp() THEN
    DELETE FROM newsroom_rows_seen WHERE session_id = p_id;
  END IF;
END $$;

CREATE FUNCTION newsroom_rows_claim(p_id text, p_limit int, p_max_seq int, p_mask bytea, p_ttl_ms bigint, p_deadline_ms bigint)
RETURNS int[]
LANGUAGE plpgsql AS $$
DECLARE
  v_pool varbit;
  v_picked int[];
  v_pool_seen int;
BEGIN
  PERFORM newsroom_assert_before(p_deadline_ms);
  PERFORM newsroom_rows_lock_session(p_id);
  v_pool := newsroom_rows_pool_bits(p_max_seq, p_mask);
  -- Newest first without a sort: the candidates stream out of generate_series in descending order
  -- and the anti-join keeps that order (an ORDER BY would make the server find EVERY unseen
  -- candidate before the LIMIT). scripts/db-storage-bench.ts checks the answers match the bitmap's.
  SELECT coalesce(array_agg(seq), '{}') INTO v_picked FROM (
    SELECT candidate.seq FROM generate_series(p_max_seq, 1, -1) AS candidate(seq)
    WHERE (p_mask IS NULL OR get_bit(v_pool, candidate.seq) = 1)
      AND NOT EXISTS (SELECT 1 FROM newsroom_rows_seen r WHERE r.session_id = p_id AND r.seq = candidate.seq)
    LIMIT p_limit
  ) picked;
  INSERT INTO newsroom_rows_seen (session_id, seq) SELECT p_id, unnest(v_picked);
  SELECT count(*) INTO v_pool_seen FROM newsroom_rows_seen r
  WHERE r.session_id = p_id AND r.seq <= p_max_seq AND get_bit(v_pool, r.seq) = 1;
  UPDATE newsroom_rows_sessions SET expires_at = clock_timestamp() + p_ttl_ms * interval '1 millisecond' WHERE id = p_id;
  PERFORM newsroom_assert_before(p_deadline_ms);
  RETURN ARRAY[(SELECT count(*)::int FROM newsroom_rows_seen WHERE session_id = p_id), bit_count(v_pool)::int - v_pool_seen] || v_picked;
END $$;

-- Loads a history (for the measurement): the seqs of p_seen as rows, none read.
CREATE FUNCTION newsroom_rows_replace(p_old_id text, p_new_id text, p_seen bytea, p_read bytea, p_ttl_ms bigint, p_deadline_ms bigint)
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  v_seen varbit := newsroom_bits(p_seen, length(p_seen));
  v_read varbit := newsroom_bits(p_read, length(p_seen));
BEGIN
  PERFORM newsroom_assert_before(p_deadline_ms);
  DELETE FROM newsroom_rows_sessions WHERE id = p_old_id;
  INSERT INTO newsroom_rows_sessions (id, expires_at) VALUES (p_new_id, clock_timestamp() + p_ttl_ms * interval '1 millisecond');
  INSERT INTO newsroom_rows_seen (session_id, seq, read)
  SELECT p_new_id, member.seq, get_bit(v_read, member.seq) = 1
  FROM generate_series(1, length(p_seen) * 8 - 1) AS member(seq)
  WHERE get_bit(v_seen, member.seq) = 1;
  PERFORM newsroom_assert_before(p_deadline_ms);
END $$;
