-- Many program-months' batches in one set of statements (issue 20). ledger_commit_many (db/0009) shares one
-- transaction among many program-months, but still runs every statement of ledger_commit_with_rejections once per
-- batch: when every program sells at once a batch holds a handful of purchases, and each statement's fixed cost
-- (pg_stat_statements, nationwide: most of the commit's time) was paid per batch. ledger_commit_batches runs each
-- statement once for all the batches of a transaction, every row carrying its batch's number.
--
-- The rules are ledger_commit_with_rejections's (db/0008), batch by batch. Every batch is fenced by its own epoch and
-- expected sequence: the heads are locked in (program, month) order, and a batch whose head has moved on is left
-- out, answered one row with LF001, and the others commit. A broken invariant in any batch (LB001: follow-ups that
-- name no purchase; LB002: a cap passed) fails the statement whole; the caller then commits the batches one by one
-- through ledger_commit_many, where each fails alone.
--
-- Arguments: each batch's figures in the m_ arrays; follow-ups and purchases of every batch concatenated in the f_
-- and b_ arrays, with their batch's number (from 1) in f_batch and b_batch, and in batch order. Rows as
-- ledger_commit_many's: the batch, then the item as the batch numbers it (purchases from 1, follow-ups from -1).
-- Generic plans, as ledger_commit_many's (db/0009).

CREATE FUNCTION ledger_commit_batches(
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
    good     integer[];
    written  bigint;
    expected bigint;
    over     record;
BEGIN
    -- The batches whose heads are as they expect, locked in one order.
    SELECT coalesce(array_agg(l.i), '{}') INTO good
    FROM (SELECT m.i::integer AS i
          FROM unnest(m_program, m_month, m_epoch, m_next) WITH ORDINALITY AS m(program, month, epoch, next, i)
                   JOIN ledger_heads h ON h.program_id = m.program AND h.month = m.month
          WHERE h.epoch = m.epoch AND h.next_sequence = m.next
          ORDER BY h.program_id, h.month
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
                     JOIN ledger_entries e
                          ON e.program_id = m_program[g.b] AND e.month = m_month[g.b] AND e.sequence >= m_next[g.b]
                              AND e.sequence < m_next[g.b] + m_follow_ups[g.b]
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
    FOR over IN
        UPDATE ledger_heads h
        SET next_sequence = t.next_sequence,
            sold_mobile   = h.sold_mobile + t.sold_mobile,
            sold_paper    = h.sold_paper + t.sold_paper,
            held_mobile   = h.held_mobile + t.held_mobile,
            held_paper    = h.held_paper + t.held_paper
        FROM (SELECT g.b, m_program[g.b] AS program, m_month[g.b] AS month,
                     m_next[g.b] + count(e.sequence) AS next_sequence,
                     coalesce(sum(s.sold) FILTER (WHERE s.channel = 'mobile'), 0) AS sold_mobile,
                     coalesce(sum(s.sold) FILTER (WHERE s.channel = 'paper'), 0) AS sold_paper,
                     coalesce(sum(s.held) FILTER (WHERE s.channel = 'mobile'), 0) AS held_mobile,
                     coalesce(sum(s.held) FILTER (WHERE s.channel = 'paper'), 0) AS held_paper
              FROM unnest(good) AS g(b)
                       LEFT JOIN ledger_entries e
                                 ON e.program_id = m_program[g.b] AND e.month = m_month[g.b] AND e.sequence >= m_next[g.b]
                       LEFT JOIN LATERAL (
                  SELECT e.channel, ledger_sold_by(e.kind, e.payment, e.amount) AS sold,
                         ledger_held_by(e.kind, e.payment, e.amount) AS held) s ON true
              GROUP BY g.b) t
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
