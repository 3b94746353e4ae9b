-- ledger_commit_batches (db/0010) again, same signature, reading by key wherever a statistic could mislead it
-- (a review of 0010 found two spots; none was seen misplanned):
--
-- - The head's update summed what each batch wrote by joining every batch with ledger_entries on a range open at the
--   top. On generic plans that range is guessed to hold a third of the rows, and on a sale's first morning the
--   statistics know one month and few programs: a hash join reading the whole table was a plan the planner could
--   pick. Each batch is now read on its own (LATERAL), on a range bounded on both sides (its next sequence, plus its
--   follow-ups and purchases), which only the primary key serves. The follow-ups' answers are read the same way.
-- - The heads were locked in the database's collation, the store sorts batches by ordinal: both are now ordinal
--   (COLLATE "C"), so the one-by-one fallback (db/0009) locks in the same order.

CREATE OR REPLACE FUNCTION ledger_commit_batches(
    m_program text[], m_month text[], m_epoch bigint[], m_next bigint[],
    m_limit bigint[], m_cap_mobile bigint[], m_cap_paper bigint[], m_at timestamptz[], m_follow_ups integer[],
    f_batch integer[], f_sequence bigint[], f_kind text[], f_reason text[],
    b_batch integer[], b_citizen text[], b_key text[], b_channel text[], b_amount bigint[], b_price bigint[], b_sold_by text[],
    b_hold_seconds integer[])
    RETURNS TABLE (batch integer, item bigint, outcome text, sequence bigint, citizen_used bigint,
                   channel text, amount bigint, price bigint, at timestamptz, status text, reason text,
                   rejected_as text, remaining bigint, opens_at timestamptz, failed_state text, failed_message text)
    LANGUAGE plpgsql
    SET plan_cache_mode = force_generic_plan AS
$$
DECLARE
    good         integer[];
    written      bigint;
    expected     bigint;
    purchases_of integer[];
    over         record;
BEGIN
    -- The batches whose heads are as they expect, locked in one order.
    SELECT coalesce(array_agg(l.i), '{}') INTO good
    FROM (SELECT m.i::integer AS i
          FROM unnest(m_program, m_month, m_epoch, m_next) WITH ORDINALITY AS m(program, month, epoch, next, i)
                   JOIN ledger_heads h ON h.program_id = m.program AND h.month = m.month
          WHERE h.epoch = m.epoch AND h.next_sequence = m.next
          ORDER BY h.program_id COLLATE "C", h.month COLLATE "C"
              FOR UPDATE OF h) l;

    RETURN QUERY
        SELECT m.i::integer, 0::bigint, 'failed'::text, NULL::bigint, NULL::bigint, NULL::text, NULL::bigint,
               NULL::bigint, NULL::timestamptz, NULL::text, NULL::text, NULL::text, NULL::bigint, NULL::timestamptz,
               'LF001'::text,
               format('ledger %s/%s is fenced: the commit expects epoch %s and sequence %s, the head has %s and %s',
                      m.program, m.month, m.epoch, m.next, h.epoch, h.next_sequence)
        FROM unnest(m_program, m_month, m_epoch, m_next) WITH ORDINALITY AS m(program, month, epoch, next, i)
                 LEFT JOIN ledger_heads h ON h.program_id = m.program AND h.month = m.month
        WHERE m.i <> ALL (good);

    -- Follow-ups, as in db/0008, each numbered from its batch's next sequence.
    SELECT count(*) INTO expected FROM unnest(f_batch) AS f(b) WHERE f.b = ANY (good);
    IF expected > 0 THEN
        INSERT INTO ledger_entries (program_id, month, sequence, kind, purchase_sequence, citizen_id, channel,
                                    amount, price, idempotency_key, at, reason)
        SELECT m_program[f.b], m_month[f.b], m_next[f.b] + f.r - 1, f.kind, e.sequence, e.citizen_id, e.channel,
               e.amount, e.price, NULL, m_at[f.b], CASE WHEN f.kind = 'void' THEN f.reason END
        FROM (SELECT u.*, row_number() OVER (PARTITION BY u.b ORDER BY u.i) AS r
              FROM unnest(f_batch, f_sequence, f_kind, f_reason) WITH ORDINALITY AS u(b, seq, kind, reason, i)
              WHERE u.b = ANY (good)) f
                 CROSS JOIN LATERAL (
            SELECT * FROM ledger_entries x
            WHERE x.program_id = m_program[f.b] AND x.month = m_month[f.b] AND x.sequence = f.seq AND x.kind = 'purchase'
              AND CASE WHEN f.kind = 'cancel'
                           THEN x.payment IS NULL OR EXISTS (
                               SELECT 1 FROM ledger_entries p
                               WHERE p.purchase_sequence = x.sequence
                                 AND (p.program_id || '/' || p.month) = m_program[f.b] || '/' || m_month[f.b]
                                 AND p.kind IN ('post', 'void', 'expire') AND p.kind = 'post')
                       ELSE x.payment IS NOT NULL AND f.kind IN ('post', 'void', 'expire') END
            LIMIT 1) e;
        GET DIAGNOSTICS written = ROW_COUNT;
        IF written <> expected THEN
            RAISE EXCEPTION 'ledger_commit_batches: % of % follow-ups name no purchase they can follow',
                expected - written, expected
                USING ERRCODE = 'LB001';
        END IF;

        DELETE FROM ledger_open_holds o
        USING (SELECT f.b, f.seq FROM unnest(f_batch, f_sequence, f_kind) AS f(b, seq, kind)
               WHERE f.b = ANY (good) AND f.kind IN ('post', 'void', 'expire')) f
        WHERE o.program_id = m_program[f.b] AND o.month = m_month[f.b] AND o.sequence = f.seq;

        INSERT INTO payment_refunds (program_id, month, purchase_sequence, citizen_id, amount, reason, created_at)
        SELECT m_program[f.b], m_month[f.b], p.sequence, p.citizen_id, p.price, f.kind, m_at[f.b]
        FROM unnest(f_batch, f_sequence, f_kind) AS f(b, seq, kind)
                 CROSS JOIN LATERAL (
            SELECT x.sequence, x.citizen_id, x.price FROM ledger_entries x
            WHERE x.program_id = m_program[f.b] AND x.month = m_month[f.b] AND x.sequence = f.seq AND x.kind = 'purchase'
              AND x.payment IS NOT NULL
            LIMIT 1) p
        WHERE f.b = ANY (good) AND f.kind IN ('cancel', 'expire');

        RETURN QUERY
            SELECT g.b, -(e.sequence - m_next[g.b] + 1),
                   CASE e.kind WHEN 'cancel' THEN 'cancelled' WHEN 'post' THEN 'posted' WHEN 'void' THEN 'voided'
                       ELSE 'expired' END,
                   e.sequence,
                   (SELECT coalesce(sum(x.amount), 0)::bigint FROM ledger_entries x
                    WHERE (x.program_id || '/' || x.month) = m_program[g.b] || '/' || m_month[g.b] AND x.kind = 'purchase'
                      AND x.citizen_id = e.citizen_id)
                   - (SELECT coalesce(sum(x.amount), 0)::bigint FROM ledger_entries x
                      WHERE (x.program_id || '/' || x.month) = m_program[g.b] || '/' || m_month[g.b]
                        AND x.kind IN ('cancel', 'void', 'expire') AND x.citizen_id = e.citizen_id),
                   e.channel, e.amount, e.price, e.at,
                   CASE e.kind WHEN 'cancel' THEN 'cancelled' WHEN 'post' THEN 'confirmed' ELSE 'voided' END,
                   CASE e.kind WHEN 'void' THEN e.reason WHEN 'expire' THEN 'expired' END,
                   NULL::text, NULL::bigint, NULL::timestamptz, NULL::text, NULL::text
            FROM unnest(good) AS g(b)
                     CROSS JOIN LATERAL (
                SELECT * FROM ledger_entries x
                WHERE x.program_id = m_program[g.b] AND x.month = m_month[g.b] AND x.sequence >= m_next[g.b]
                  AND x.sequence < m_next[g.b] + m_follow_ups[g.b]) e
            WHERE m_follow_ups[g.b] > 0;
    END IF;

    -- Purchases, as in db/0008, each batch's numbered after its follow-ups.
    RETURN QUERY
        WITH looked AS MATERIALIZED (
            SELECT b.*, p.first_sequence, p.first_channel, p.first_amount, p.first_price, p.first_at, p.first_paid,
                   r.r_citizen, r.r_channel, r.r_amount, r.r_outcome, r.r_remaining, r.r_opens_at,
                   p.bought - CASE WHEN p.bought = 0 THEN 0 ELSE (
                       SELECT coalesce(sum(x.amount), 0)::bigint
                       FROM ledger_entries x
                       WHERE (x.program_id || '/' || x.month) = b.pm AND x.kind IN ('cancel', 'void', 'expire')
                         AND x.citizen_id = b.citizen) END AS used,
                   b.sold_by IS NOT NULL AND EXISTS (
                       SELECT 1 FROM ledger_entries x
                       WHERE x.sold_by = b.sold_by AND x.idempotency_key = b.key
                         AND (x.program_id || '/' || x.month) = b.pm AND x.kind = 'purchase'
                         AND x.citizen_id <> b.citizen) AS key_of_another
            FROM (SELECT u.*, m_program[u.b] AS program, m_month[u.b] AS month, m_program[u.b] || '/' || m_month[u.b] AS pm,
                         row_number() OVER (PARTITION BY u.b ORDER BY u.i) AS r
                  FROM unnest(b_batch, b_citizen, b_key, b_channel, b_amount, b_price, b_sold_by, b_hold_seconds)
                           WITH ORDINALITY AS u(b, citizen, key, channel, amount, price, sold_by, hold_seconds, i)
                  WHERE u.b = ANY (good)) b
                     CROSS JOIN LATERAL (
                SELECT coalesce(sum(x.amount), 0)::bigint AS bought,
                       min(x.sequence) FILTER (WHERE x.named) AS first_sequence,
                       min(x.channel) FILTER (WHERE x.named) AS first_channel,
                       min(x.amount) FILTER (WHERE x.named) AS first_amount,
                       min(x.price) FILTER (WHERE x.named) AS first_price,
                       min(x.at) FILTER (WHERE x.named) AS first_at,
                       bool_or(x.paid) FILTER (WHERE x.named) AS first_paid
                FROM (SELECT y.sequence, y.channel, y.amount, y.price, y.at, y.payment IS NOT NULL AS paid,
                             y.idempotency_key = b.key AS named
                      FROM ledger_entries y
                      WHERE (y.program_id || '/' || y.month) = b.pm AND y.kind = 'purchase'
                        AND y.citizen_id = b.citizen) x) p
                     LEFT JOIN LATERAL (
                SELECT r.citizen_id AS r_citizen, r.channel AS r_channel, r.amount AS r_amount, r.outcome AS r_outcome,
                       r.remaining AS r_remaining, r.opens_at AS r_opens_at
                FROM ledger_rejections r
                WHERE r.program_id = b.program AND r.month = b.month
                  AND r.owner_id = coalesce(b.sold_by, b.citizen) AND r.idempotency_key = b.key
                LIMIT 1) r ON true),
             decided AS MATERIALIZED (
                 SELECT l.*, l.first_sequence IS NULL AND NOT l.key_of_another AND l.r_outcome IS NULL
                        AND l.used + l.amount <= m_limit[l.b] AS accepted
                 FROM looked l),
             numbered AS MATERIALIZED (
                 SELECT d.*,
                        CASE WHEN d.accepted
                                 THEN m_next[d.b] + m_follow_ups[d.b]
                                          + count(*) FILTER (WHERE d.accepted) OVER (PARTITION BY d.b ORDER BY d.i) - 1
                            END AS seq
                 FROM decided d),
             inserted AS (
                 INSERT INTO ledger_entries (program_id, month, sequence, kind, purchase_sequence, citizen_id,
                                             channel, amount, price, idempotency_key, at, sold_by, payment)
                     SELECT n.program, n.month, n.seq, 'purchase', n.seq, n.citizen, n.channel, n.amount,
                            n.price, n.key, m_at[n.b], n.sold_by, CASE WHEN n.hold_seconds IS NOT NULL THEN 'account' END
                     FROM numbered n
                     WHERE n.accepted
                     RETURNING 1),
             held AS (
                 INSERT INTO ledger_open_holds (program_id, month, sequence, citizen_id, channel, amount, price, expires_at)
                     SELECT n.program, n.month, n.seq, n.citizen, n.channel, n.amount, n.price,
                            m_at[n.b] + make_interval(secs => n.hold_seconds)
                     FROM numbered n
                     WHERE n.accepted AND n.hold_seconds IS NOT NULL
                     RETURNING 1),
             -- How each first purchase stands now (a cancel, or how its hold ended), for duplicates.
             standing AS MATERIALIZED (
                 SELECT n.i,
                        (SELECT x.kind FROM ledger_entries x
                         WHERE (x.program_id || '/' || x.month) = n.pm AND x.kind = 'cancel'
                           AND x.purchase_sequence = n.first_sequence) AS cancel,
                        CASE WHEN n.first_paid THEN (
                            SELECT x.kind || coalesce(':' || x.reason, '') FROM ledger_entries x
                            WHERE (x.program_id || '/' || x.month) = n.pm AND x.kind IN ('post', 'void', 'expire')
                              AND x.purchase_sequence = n.first_sequence) END AS ending
                 FROM numbered n
                 WHERE n.first_sequence IS NOT NULL)
        SELECT n.b::integer, n.r,
               CASE
                   WHEN n.accepted THEN 'confirmed'
                   WHEN n.key_of_another THEN 'conflict'
                   WHEN n.first_sequence IS NULL AND n.r_outcome IS NOT NULL THEN
                       CASE WHEN n.r_citizen = n.citizen AND n.r_channel = n.channel AND n.r_amount = n.amount
                                THEN 'rejected' ELSE 'conflict' END
                   WHEN n.first_sequence IS NULL THEN 'limit'
                   WHEN n.first_channel = n.channel AND n.first_amount = n.amount THEN 'duplicate'
                   ELSE 'conflict' END,
               coalesce(n.seq, n.first_sequence),
               CASE WHEN n.accepted THEN n.used + n.amount ELSE n.used END,
               coalesce(n.first_channel, n.channel), coalesce(n.first_amount, n.amount),
               coalesce(n.first_price, n.price), coalesce(n.first_at, m_at[n.b]),
               CASE
                   WHEN n.accepted THEN CASE WHEN n.hold_seconds IS NULL THEN 'confirmed' ELSE 'pending' END
                   WHEN s.cancel IS NOT NULL THEN 'cancelled'
                   WHEN n.first_paid AND s.ending IS NULL THEN 'pending'
                   WHEN s.ending LIKE 'void:%' OR s.ending = 'expire' THEN 'voided'
                   ELSE 'confirmed' END,
               CASE
                   WHEN s.ending LIKE 'void:%' THEN substr(s.ending, 6)
                   WHEN s.ending = 'expire' THEN 'expired' END,
               CASE WHEN n.first_sequence IS NULL AND NOT n.accepted AND NOT n.key_of_another THEN n.r_outcome END,
               CASE WHEN n.first_sequence IS NULL AND NOT n.accepted AND NOT n.key_of_another THEN n.r_remaining END,
               CASE WHEN n.first_sequence IS NULL AND NOT n.accepted AND NOT n.key_of_another THEN n.r_opens_at END,
               NULL::text, NULL::text
        FROM numbered n
                 LEFT JOIN standing s ON s.i = n.i;

    -- Move each head past everything written, and re-check the caps the grains enforced: sold and held together.
    -- What a batch wrote lies between its next sequence and that plus its items: a range bounded on both sides, read
    -- per batch, is a probe of the primary key whatever the statistics say.
    SELECT coalesce(array_agg(coalesce(c.n, 0) ORDER BY m.i), '{}') INTO purchases_of
    FROM generate_series(1, coalesce(cardinality(m_program), 0)) AS m(i)
             LEFT JOIN (SELECT u.b, count(*)::integer AS n FROM unnest(b_batch) AS u(b) GROUP BY u.b) c ON c.b = m.i;
    FOR over IN
        UPDATE ledger_heads h
        SET next_sequence = t.next_sequence,
            sold_mobile   = h.sold_mobile + t.sold_mobile,
            sold_paper    = h.sold_paper + t.sold_paper,
            held_mobile   = h.held_mobile + t.held_mobile,
            held_paper    = h.held_paper + t.held_paper
        FROM (SELECT g.b, m_program[g.b] AS program, m_month[g.b] AS month, m_next[g.b] + w.written AS next_sequence,
                     w.sold_mobile, w.sold_paper, w.held_mobile, w.held_paper
              FROM unnest(good) AS g(b)
                       CROSS JOIN LATERAL (
                  SELECT count(*) AS written,
                         coalesce(sum(s.sold) FILTER (WHERE s.channel = 'mobile'), 0) AS sold_mobile,
                         coalesce(sum(s.sold) FILTER (WHERE s.channel = 'paper'), 0) AS sold_paper,
                         coalesce(sum(s.held) FILTER (WHERE s.channel = 'mobile'), 0) AS held_mobile,
                         coalesce(sum(s.held) FILTER (WHERE s.channel = 'paper'), 0) AS held_paper
                  FROM ledger_entries e
                           CROSS JOIN LATERAL (
                      SELECT e.channel, ledger_sold_by(e.kind, e.payment, e.amount) AS sold,
                             ledger_held_by(e.kind, e.payment, e.amount) AS held) s
                  WHERE e.program_id = m_program[g.b] AND e.month = m_month[g.b] AND e.sequence >= m_next[g.b]
                    AND e.sequence < m_next[g.b] + m_follow_ups[g.b] + purchases_of[g.b]) w) t
        WHERE h.program_id = t.program AND h.month = t.month
        RETURNING h.program_id, h.month, h.sold_mobile + h.held_mobile AS mobile, h.sold_paper + h.held_paper AS paper,
            m_cap_mobile[t.b] AS cap_mobile, m_cap_paper[t.b] AS cap_paper
    LOOP
        IF over.mobile > over.cap_mobile OR over.paper > over.cap_paper THEN
            RAISE EXCEPTION 'ledger %/%: the batch would take % mobile and % paper (sold and held) past caps % and %',
                over.program_id, over.month, over.mobile, over.paper, over.cap_mobile, over.cap_paper
                USING ERRCODE = 'LB002';
        END IF;
    END LOOP;
END;
$$;
