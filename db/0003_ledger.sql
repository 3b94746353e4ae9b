-- The ledger's own tables, functions and triggers: the baseline, applied once (db/README.md).
--
-- ledger_entries is the append-only truth. ledger_heads holds counters kept in step with it by
-- ledger_commit, in the same transaction, so they can always be recomputed (ledger_audit). A citizen's
-- usage has no counter: it is summed from the citizen's entries, which two indexes reach directly.
-- Policies live in Orleans grain state (OrleansStorage); nothing here depends on them except the caps
-- and limit that ledger_commit is handed, which it re-checks as a last line of defence.

CREATE TABLE ledger_heads
(
    program_id    text   NOT NULL,
    month         text   NOT NULL,
    -- Raised by each new activation of the program-month grain; a commit must name the current epoch,
    -- so an older activation that Orleans has not yet torn down can no longer write.
    epoch         bigint NOT NULL CHECK (epoch >= 1),
    -- The sequence the next entry will take. A commit must name it too: one writer per sequence.
    next_sequence bigint NOT NULL CHECK (next_sequence >= 1),
    sold_mobile   bigint NOT NULL DEFAULT 0 CHECK (sold_mobile >= 0),
    sold_paper    bigint NOT NULL DEFAULT 0 CHECK (sold_paper >= 0),
    PRIMARY KEY (program_id, month)
);

CREATE TABLE ledger_entries
(
    program_id        text        NOT NULL,
    month             text        NOT NULL,
    sequence          bigint      NOT NULL CHECK (sequence >= 1),
    kind              text        NOT NULL CHECK (kind IN ('purchase', 'cancel')),
    -- The purchase the entry is about: itself for a purchase, the cancelled one for a cancel.
    purchase_sequence bigint      NOT NULL,
    citizen_id        text        NOT NULL,
    channel           text        NOT NULL CHECK (channel IN ('mobile', 'paper')),
    amount            bigint      NOT NULL CHECK (amount > 0),
    price             bigint      NOT NULL CHECK (price > 0),
    idempotency_key   text,
    at                timestamptz NOT NULL,
    -- The teller who sold a purchase at the counter on the citizen's behalf; null when the citizen bought
    -- for themself, and on cancels.
    --
    -- A key is its seller's. idempotency_key holds it scoped: a citizen's own key as sent, a teller's as
    -- '{teller} {key}' (a space is in neither a teller id nor a key), so ledger_entries_key keeps each
    -- seller's keys apart for a citizen.
    sold_by           text,
    PRIMARY KEY (program_id, month, sequence),
    CHECK ((kind = 'purchase') = (idempotency_key IS NOT NULL)),
    CHECK ((kind = 'purchase' AND purchase_sequence = sequence)
        OR (kind = 'cancel' AND purchase_sequence < sequence))
);

-- The secondary indexes are keyed by the program-month as one expression, (program_id || '/' || month), never
-- by the plain columns that lead the primary key, and each leads with what only its own lookups name. The
-- queries that use them name the program-month only through that expression. Why: a program-month is new
-- each month and fills within minutes of opening, long before autovacuum's ANALYZE, so the planner's
-- statistics say it has no rows. Every index on plain (program_id, month, ...) then looks equally cheap,
-- and PostgreSQL picked the primary key's prefix (or another index's) for a citizen's lookup, scanning
-- the whole program-month per probe: lookups took milliseconds to seconds and purchases fell to a third
-- of their rate as a sale went on. With the expression, each lookup has exactly one index that fits it,
-- whatever the statistics say.

-- A citizen's key buys at most once per program-month, whichever activation or silo commits it; also a
-- citizen's purchases (their usage, their history).
CREATE UNIQUE INDEX ledger_entries_key
    ON ledger_entries ((program_id || '/' || month), citizen_id, idempotency_key) WHERE kind = 'purchase';

-- A teller's key buys at most once per program-month, whichever citizen it is used for (the same key for
-- another citizen is a conflict, not a second sale).
CREATE UNIQUE INDEX ledger_entries_teller_key
    ON ledger_entries (sold_by, idempotency_key, (program_id || '/' || month))
    WHERE kind = 'purchase' AND sold_by IS NOT NULL;

-- A purchase is cancelled at most once; also whether a purchase is cancelled.
CREATE UNIQUE INDEX ledger_entries_cancel_of
    ON ledger_entries (purchase_sequence, (program_id || '/' || month)) WHERE kind = 'cancel';

CREATE FUNCTION ledger_entries_are_append_only() RETURNS trigger
    LANGUAGE plpgsql AS
$$
BEGIN
    RAISE EXCEPTION 'ledger_entries is append-only: % refused', TG_OP USING ERRCODE = 'LA001';
END;
$$;

CREATE TRIGGER ledger_entries_append_only
    BEFORE UPDATE OR DELETE ON ledger_entries
    FOR EACH ROW EXECUTE FUNCTION ledger_entries_are_append_only();

CREATE TRIGGER ledger_entries_no_truncate
    BEFORE TRUNCATE ON ledger_entries
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_entries_are_append_only();

-- A citizen's cancels, for their usage.
CREATE INDEX ledger_entries_citizen_cancel
    ON ledger_entries (citizen_id, (program_id || '/' || month)) WHERE kind = 'cancel';

-- Claims the program-month for a new grain activation: raises the epoch (creating the head when asked)
-- and returns the counters the activation starts from. Every commit of an older epoch fails from here on.
CREATE FUNCTION ledger_claim(p_program text, p_month text, p_create boolean)
    RETURNS TABLE (epoch bigint, next_sequence bigint, sold_mobile bigint, sold_paper bigint)
    LANGUAGE plpgsql AS
$$
BEGIN
    IF p_create THEN
        INSERT INTO ledger_heads AS h (program_id, month, epoch, next_sequence)
        VALUES (p_program, p_month, 1, 1)
        ON CONFLICT (program_id, month) DO UPDATE SET epoch = h.epoch + 1;
    ELSE
        UPDATE ledger_heads h SET epoch = h.epoch + 1 WHERE h.program_id = p_program AND h.month = p_month;
    END IF;
    RETURN QUERY
        SELECT h.epoch, h.next_sequence, h.sold_mobile, h.sold_paper
        FROM ledger_heads h
        WHERE h.program_id = p_program AND h.month = p_month;
END;
$$;

-- Commits one batch of a program-month in one transaction, and answers for each item.
--
-- Fenced: the head must still carry p_epoch and p_next, or nothing is written (SQLSTATE LF001).
-- Cancels come first, in order, then purchases, in order; each entry takes the next sequence, so the
-- ledger has no gaps. The caller guarantees each citizen, and each teller's key, appears at most once in a
-- batch and that every cancel names an existing, uncancelled purchase (a violation fails the whole batch:
-- it is a bug). b_key holds the keys scoped (see sold_by above); b_sold_by names the teller selling each
-- purchase, null for a citizen's own.
--
-- Purchase items answer:
--   'duplicate'  the citizen already bought with this key (of this seller), with the same channel and
--                amount: the first purchase is returned and nothing is bought;
--   'conflict'   the key was used with another channel or amount, or it is a teller's key that bought for
--                another citizen: nothing is bought;
--   'limit'      the citizen's usage plus the amount would pass p_limit: nothing is bought;
--   'confirmed'  bought, at the returned sequence.
-- Cancel items (negative item numbers) answer 'cancelled' with the cancel entry's sequence.
-- citizen_used is the citizen's usage after the batch.
CREATE FUNCTION ledger_commit(
    p_program text, p_month text, p_epoch bigint, p_next bigint,
    p_limit bigint, p_cap_mobile bigint, p_cap_paper bigint, p_at timestamptz,
    c_sequence bigint[],
    b_citizen text[], b_key text[], b_channel text[], b_amount bigint[], b_price bigint[], b_sold_by text[])
    RETURNS TABLE (item bigint, outcome text, sequence bigint, citizen_used bigint,
                   channel text, amount bigint, price bigint, at timestamptz, cancelled boolean)
    LANGUAGE plpgsql AS
$$
DECLARE
    -- The program-month as the secondary indexes key it (see above).
    pm       text := p_program || '/' || p_month;
    head     ledger_heads%ROWTYPE;
    next_seq bigint;
    written  bigint;
BEGIN
    SELECT * INTO head FROM ledger_heads h
    WHERE h.program_id = p_program AND h.month = p_month
        FOR UPDATE;
    IF NOT FOUND OR head.epoch <> p_epoch OR head.next_sequence <> p_next THEN
        RAISE EXCEPTION 'ledger %/% is fenced: the commit expects epoch % and sequence %, the head has % and %',
            p_program, p_month, p_epoch, p_next, head.epoch, head.next_sequence
            USING ERRCODE = 'LF001';
    END IF;
    next_seq := p_next;

    -- Cancels: a cancel entry mirrors its purchase's figures.
    INSERT INTO ledger_entries (program_id, month, sequence, kind, purchase_sequence, citizen_id, channel,
                                amount, price, idempotency_key, at)
    SELECT p_program, p_month, next_seq + c.i - 1, 'cancel', e.sequence, e.citizen_id, e.channel,
           e.amount, e.price, NULL, p_at
    FROM unnest(c_sequence) WITH ORDINALITY AS c(seq, i)
             CROSS JOIN LATERAL (
        SELECT * FROM ledger_entries x
        WHERE x.program_id = p_program AND x.month = p_month AND x.sequence = c.seq AND x.kind = 'purchase'
        LIMIT 1) e;
    GET DIAGNOSTICS written = ROW_COUNT;
    IF written <> coalesce(cardinality(c_sequence), 0) THEN
        RAISE EXCEPTION 'ledger %/%: % of % cancels name no purchase', p_program, p_month,
            coalesce(cardinality(c_sequence), 0) - written, coalesce(cardinality(c_sequence), 0)
            USING ERRCODE = 'LB001';
    END IF;
    next_seq := next_seq + written;

    RETURN QUERY
        SELECT -(e.sequence - p_next + 1), 'cancelled', e.sequence,
               (SELECT coalesce(sum(x.amount), 0)::bigint FROM ledger_entries x
                WHERE (x.program_id || '/' || x.month) = pm AND x.kind = 'purchase' AND x.citizen_id = e.citizen_id)
               - (SELECT coalesce(sum(x.amount), 0)::bigint FROM ledger_entries x
                  WHERE (x.program_id || '/' || x.month) = pm AND x.kind = 'cancel' AND x.citizen_id = e.citizen_id),
               e.channel, e.amount, e.price, e.at, true
        FROM ledger_entries e
        WHERE e.program_id = p_program AND e.month = p_month AND e.sequence >= p_next AND e.sequence < next_seq;

    -- Purchases. A key already bought with answers with the first purchase; otherwise the purchase is
    -- accepted if the citizen's usage plus its amount stays within the limit, and the accepted ones take
    -- the next sequences in batch order. Reading the usage and then appending is safe: every write of
    -- this program-month's rows happens under the head's lock, taken above.
    --
    -- Each item costs one index probe, whatever the program-month's history: its citizen's purchases
    -- (a few entries), which give both the first purchase with its key and their sum. Only a citizen
    -- who has bought can have cancels (a cancel is of one of their purchases), so only then is a second
    -- probe made, for the sum of their cancels. A burst of newcomers thus costs one probe each (a
    -- batch of 2,000: 19 ms against 23 ms with three probes, docs/BENCHMARKS.md). The lookups are
    -- LATERAL, which can only run as probes per item, and no two of the batch's CTEs are joined (the
    -- planner cannot estimate unnest and chose quadratic joins for them). A teller's item costs one more
    -- probe, for a purchase of another citizen with the teller's key.
    RETURN QUERY
        WITH looked AS MATERIALIZED (
            SELECT b.*, p.first_sequence, p.first_channel, p.first_amount, p.first_price, p.first_at,
                   p.bought - CASE WHEN p.bought = 0 THEN 0 ELSE (
                       SELECT coalesce(sum(x.amount), 0)::bigint
                       FROM ledger_entries x
                       WHERE (x.program_id || '/' || x.month) = pm AND x.kind = 'cancel'
                         AND x.citizen_id = b.citizen) END AS used,
                   b.sold_by IS NOT NULL AND EXISTS (
                       SELECT 1 FROM ledger_entries x
                       WHERE x.sold_by = b.sold_by AND x.idempotency_key = b.key
                         AND (x.program_id || '/' || x.month) = pm AND x.kind = 'purchase'
                         AND x.citizen_id <> b.citizen) AS key_of_another
            FROM unnest(b_citizen, b_key, b_channel, b_amount, b_price, b_sold_by)
                     WITH ORDINALITY AS b(citizen, key, channel, amount, price, sold_by, i)
                     CROSS JOIN LATERAL (
                -- The scoped key is unique per citizen and program-month (ledger_entries_key), so each
                -- FILTER sees one row at most.
                SELECT coalesce(sum(x.amount), 0)::bigint AS bought,
                       min(x.sequence) FILTER (WHERE x.named) AS first_sequence,
                       min(x.channel) FILTER (WHERE x.named) AS first_channel,
                       min(x.amount) FILTER (WHERE x.named) AS first_amount,
                       min(x.price) FILTER (WHERE x.named) AS first_price,
                       min(x.at) FILTER (WHERE x.named) AS first_at
                FROM (SELECT y.sequence, y.channel, y.amount, y.price, y.at,
                             y.idempotency_key = b.key AS named
                      FROM ledger_entries y
                      WHERE (y.program_id || '/' || y.month) = pm AND y.kind = 'purchase'
                        AND y.citizen_id = b.citizen) x) p),
             decided AS MATERIALIZED (
                 SELECT l.*, l.first_sequence IS NULL AND NOT l.key_of_another AND l.used + l.amount <= p_limit AS accepted
                 FROM looked l),
             numbered AS MATERIALIZED (
                 SELECT d.*,
                        CASE WHEN d.accepted
                                 THEN next_seq + count(*) FILTER (WHERE d.accepted) OVER (ORDER BY d.i) - 1
                            END AS seq
                 FROM decided d),
             -- Data-modifying CTEs run exactly once whether or not they are read.
             inserted AS (
                 INSERT INTO ledger_entries (program_id, month, sequence, kind, purchase_sequence, citizen_id,
                                             channel, amount, price, idempotency_key, at, sold_by)
                     SELECT p_program, p_month, n.seq, 'purchase', n.seq, n.citizen, n.channel, n.amount,
                            n.price, n.key, p_at, n.sold_by
                     FROM numbered n
                     WHERE n.accepted
                     RETURNING 1)
        SELECT n.i,
               CASE
                   WHEN n.accepted THEN 'confirmed'
                   WHEN n.key_of_another THEN 'conflict'
                   WHEN n.first_sequence IS NULL THEN 'limit'
                   WHEN n.first_channel = n.channel AND n.first_amount = n.amount THEN 'duplicate'
                   ELSE 'conflict' END,
               coalesce(n.seq, n.first_sequence),
               CASE WHEN n.accepted THEN n.used + n.amount ELSE n.used END,
               coalesce(n.first_channel, n.channel), coalesce(n.first_amount, n.amount),
               coalesce(n.first_price, n.price), coalesce(n.first_at, p_at),
               n.first_sequence IS NOT NULL AND EXISTS (
                   SELECT 1 FROM ledger_entries x
                   WHERE (x.program_id || '/' || x.month) = pm AND x.kind = 'cancel' AND x.purchase_sequence = n.first_sequence)
        FROM numbered n;

    -- Move the head past everything written, and re-check the caps the grain enforced.
    UPDATE ledger_heads h
    SET next_sequence = t.next_sequence,
        sold_mobile   = h.sold_mobile + t.mobile,
        sold_paper    = h.sold_paper + t.paper
    FROM (SELECT p_next + count(*) AS next_sequence,
                 coalesce(sum(CASE WHEN e.channel = 'mobile' THEN
                     CASE WHEN e.kind = 'purchase' THEN e.amount ELSE -e.amount END END), 0) AS mobile,
                 coalesce(sum(CASE WHEN e.channel = 'paper' THEN
                     CASE WHEN e.kind = 'purchase' THEN e.amount ELSE -e.amount END END), 0) AS paper
          FROM ledger_entries e
          WHERE e.program_id = p_program AND e.month = p_month AND e.sequence >= p_next) t
    WHERE h.program_id = p_program AND h.month = p_month
    RETURNING * INTO head;
    IF head.sold_mobile > p_cap_mobile OR head.sold_paper > p_cap_paper THEN
        RAISE EXCEPTION 'ledger %/%: the batch would sell % mobile and % paper past caps % and %', p_program, p_month,
            head.sold_mobile, head.sold_paper, p_cap_mobile, p_cap_paper
            USING ERRCODE = 'LB002';
    END IF;
END;
$$;

-- Recomputes a program-month's counters from its entries and compares them with what is stored.
CREATE FUNCTION ledger_audit(p_program text, p_month text, p_limit bigint)
    RETURNS TABLE (head_next_sequence bigint, head_sold_mobile bigint, head_sold_paper bigint,
                   ledger_sold_mobile bigint, ledger_sold_paper bigint, entries bigint, max_sequence bigint,
                   citizens_over_limit bigint)
    LANGUAGE sql STABLE AS
$$
WITH e AS (SELECT * FROM ledger_entries e WHERE e.program_id = p_program AND e.month = p_month),
     per_citizen AS (SELECT sum(CASE WHEN e.kind = 'purchase' THEN e.amount ELSE -e.amount END) AS used
                     FROM e GROUP BY e.citizen_id)
SELECT h.next_sequence, h.sold_mobile, h.sold_paper,
       (SELECT coalesce(sum(CASE WHEN kind = 'purchase' THEN amount ELSE -amount END), 0) FROM e WHERE channel = 'mobile'),
       (SELECT coalesce(sum(CASE WHEN kind = 'purchase' THEN amount ELSE -amount END), 0) FROM e WHERE channel = 'paper'),
       (SELECT count(*) FROM e),
       (SELECT coalesce(max(sequence), 0) FROM e),
       (SELECT count(*) FROM per_citizen p WHERE p.used > p_limit)
FROM ledger_heads h
WHERE h.program_id = p_program AND h.month = p_month;
$$;
