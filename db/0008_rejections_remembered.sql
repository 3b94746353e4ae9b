-- Rejections remembered across restarts (issue 18, item 5): the contract gives a key its first answer again, and a
-- rejection is an answer. The program-month grain answers a rejection from memory at once and writes it here in
-- the background, in batches; a key is bought only through ledger_commit, so the function that commits a batch
-- probes this table per purchase by primary key and answers the stored rejection instead of buying. Expand only:
-- the 18-parameter ledger_commit stays for the silos of the release before (db/README.md).

-- One row per key that was refused: the key's owner (the teller for a teller's key, else the citizen) and the key
-- as the ledger stores it (scoped: a teller's as "{teller} {key}"), the request's fingerprint (citizen, channel,
-- amount: the same key with another body is a conflict) and the answer with its figures.
CREATE TABLE ledger_rejections (
    program_id      text        NOT NULL,
    month           text        NOT NULL,
    owner_id        text        NOT NULL,
    idempotency_key text        NOT NULL,
    citizen_id      text        NOT NULL,
    channel         text        NOT NULL CHECK (channel IN ('mobile', 'paper')),
    amount          bigint      NOT NULL,
    outcome         text        NOT NULL CHECK (outcome IN ('sold-out', 'limit', 'not-open', 'closed')),
    remaining       bigint,
    opens_at        timestamptz,
    at              timestamptz NOT NULL,
    PRIMARY KEY (program_id, month, owner_id, idempotency_key)
);

-- ledger_commit with holds (db/0007), which also answers a purchase whose key was refused before with that
-- refusal (outcome 'rejected', with rejected_as, remaining and opens_at), or with 'conflict' when the body
-- differs. A key that bought answers its purchase first, as before. One primary-key probe per purchase.
-- (LATERAL ... LIMIT 1: without the LIMIT the planner read every refusal of the program-month once and compared
-- it with every item of the batch, a cost that grew with the refusals.)

CREATE FUNCTION ledger_commit_with_rejections(
    p_program text, p_month text, p_epoch bigint, p_next bigint,
    p_limit bigint, p_cap_mobile bigint, p_cap_paper bigint, p_at timestamptz,
    f_sequence bigint[], f_kind text[], f_reason text[],
    b_citizen text[], b_key text[], b_channel text[], b_amount bigint[], b_price bigint[], b_sold_by text[],
    b_hold_seconds integer[])
    RETURNS TABLE (item bigint, outcome text, sequence bigint, citizen_used bigint,
                   channel text, amount bigint, price bigint, at timestamptz, status text, reason text,
                   rejected_as text, remaining bigint, opens_at timestamptz)
    LANGUAGE plpgsql AS
$$
DECLARE
    pm       text := p_program || '/' || p_month;
    head     ledger_heads%ROWTYPE;
    next_seq bigint;
    written  bigint;
    expected bigint := coalesce(cardinality(f_sequence), 0);
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

    -- Follow-ups mirror their purchase's figures. A cancel needs a purchase without payment or a posted hold;
    -- an ending needs a hold (a second ending of one fails on ledger_entries_ending_of).
    INSERT INTO ledger_entries (program_id, month, sequence, kind, purchase_sequence, citizen_id, channel,
                                amount, price, idempotency_key, at, reason)
    SELECT p_program, p_month, next_seq + f.i - 1, f.kind, e.sequence, e.citizen_id, e.channel,
           e.amount, e.price, NULL, p_at, CASE WHEN f.kind = 'void' THEN f.reason END
    FROM unnest(f_sequence, f_kind, f_reason) WITH ORDINALITY AS f(seq, kind, reason, i)
             CROSS JOIN LATERAL (
        SELECT * FROM ledger_entries x
        WHERE x.program_id = p_program AND x.month = p_month AND x.sequence = f.seq AND x.kind = 'purchase'
          AND CASE WHEN f.kind = 'cancel'
                       THEN x.payment IS NULL OR EXISTS (
                           SELECT 1 FROM ledger_entries p
                           WHERE p.purchase_sequence = x.sequence AND (p.program_id || '/' || p.month) = pm
                             AND p.kind IN ('post', 'void', 'expire') AND p.kind = 'post')
                   ELSE x.payment IS NOT NULL AND f.kind IN ('post', 'void', 'expire') END
        LIMIT 1) e;
    GET DIAGNOSTICS written = ROW_COUNT;
    IF written <> expected THEN
        RAISE EXCEPTION 'ledger %/%: % of % follow-ups name no purchase they can follow', p_program, p_month,
            expected - written, expected
            USING ERRCODE = 'LB001';
    END IF;
    next_seq := next_seq + written;

    -- Probed by key: joined with the batch's entries, the planner looped every open hold against every ending.
    -- A batch without follow-ups (most, in a sale's rush) skips both statements.
    IF expected > 0 THEN
    DELETE FROM ledger_open_holds o
    WHERE o.program_id = p_program AND o.month = p_month
      AND o.sequence = ANY (ARRAY(SELECT f.seq FROM unnest(f_sequence, f_kind) AS f(seq, kind)
                                  WHERE f.kind IN ('post', 'void', 'expire')));

    -- What the payer is owed back: the price of a paid purchase cancelled, and of an expired hold in case the
    -- provider did withdraw for it.
    -- One primary-key probe per follow-up (LATERAL ... LIMIT 1): joined, the planner scanned the program-month
    -- once per cancel, in sales without payment too.
    INSERT INTO payment_refunds (program_id, month, purchase_sequence, citizen_id, amount, reason, created_at)
    SELECT p_program, p_month, p.sequence, p.citizen_id, p.price, f.kind, p_at
    FROM unnest(f_sequence, f_kind) AS f(seq, kind)
             CROSS JOIN LATERAL (
        SELECT x.sequence, x.citizen_id, x.price FROM ledger_entries x
        WHERE x.program_id = p_program AND x.month = p_month AND x.sequence = f.seq AND x.kind = 'purchase'
          AND x.payment IS NOT NULL
        LIMIT 1) p
    WHERE f.kind IN ('cancel', 'expire');
    END IF;

    RETURN QUERY
        SELECT -(e.sequence - p_next + 1),
               CASE e.kind WHEN 'cancel' THEN 'cancelled' WHEN 'post' THEN 'posted' WHEN 'void' THEN 'voided'
                   ELSE 'expired' END,
               e.sequence,
               (SELECT coalesce(sum(x.amount), 0)::bigint FROM ledger_entries x
                WHERE (x.program_id || '/' || x.month) = pm AND x.kind = 'purchase' AND x.citizen_id = e.citizen_id)
               - (SELECT coalesce(sum(x.amount), 0)::bigint FROM ledger_entries x
                  WHERE (x.program_id || '/' || x.month) = pm AND x.kind IN ('cancel', 'void', 'expire')
                    AND x.citizen_id = e.citizen_id),
               e.channel, e.amount, e.price, e.at,
               CASE e.kind WHEN 'cancel' THEN 'cancelled' WHEN 'post' THEN 'confirmed' ELSE 'voided' END,
               CASE e.kind WHEN 'void' THEN e.reason WHEN 'expire' THEN 'expired' END,
               NULL::text, NULL::bigint, NULL::timestamptz
        FROM ledger_entries e
        WHERE e.program_id = p_program AND e.month = p_month AND e.sequence >= p_next AND e.sequence < next_seq;

    -- Purchases, as in the baseline; a hold's releases (void, expire) count like cancels in the usage, and a
    -- duplicate answers its first purchase's status now.
    RETURN QUERY
        WITH looked AS MATERIALIZED (
            SELECT b.*, p.first_sequence, p.first_channel, p.first_amount, p.first_price, p.first_at, p.first_paid,
                   r.r_citizen, r.r_channel, r.r_amount, r.r_outcome, r.r_remaining, r.r_opens_at,
                   p.bought - CASE WHEN p.bought = 0 THEN 0 ELSE (
                       SELECT coalesce(sum(x.amount), 0)::bigint
                       FROM ledger_entries x
                       WHERE (x.program_id || '/' || x.month) = pm AND x.kind IN ('cancel', 'void', 'expire')
                         AND x.citizen_id = b.citizen) END AS used,
                   b.sold_by IS NOT NULL AND EXISTS (
                       SELECT 1 FROM ledger_entries x
                       WHERE x.sold_by = b.sold_by AND x.idempotency_key = b.key
                         AND (x.program_id || '/' || x.month) = pm AND x.kind = 'purchase'
                         AND x.citizen_id <> b.citizen) AS key_of_another
            FROM unnest(b_citizen, b_key, b_channel, b_amount, b_price, b_sold_by, b_hold_seconds)
                     WITH ORDINALITY AS b(citizen, key, channel, amount, price, sold_by, hold_seconds, i)
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
                      WHERE (y.program_id || '/' || y.month) = pm AND y.kind = 'purchase'
                        AND y.citizen_id = b.citizen) x) p
                     LEFT JOIN LATERAL (
                SELECT r.citizen_id AS r_citizen, r.channel AS r_channel, r.amount AS r_amount, r.outcome AS r_outcome,
                       r.remaining AS r_remaining, r.opens_at AS r_opens_at
                FROM ledger_rejections r
                WHERE r.program_id = p_program AND r.month = p_month
                  AND r.owner_id = coalesce(b.sold_by, b.citizen) AND r.idempotency_key = b.key
                LIMIT 1) r ON true),
             decided AS MATERIALIZED (
                 SELECT l.*, l.first_sequence IS NULL AND NOT l.key_of_another AND l.r_outcome IS NULL
                        AND l.used + l.amount <= p_limit AS accepted
                 FROM looked l),
             numbered AS MATERIALIZED (
                 SELECT d.*,
                        CASE WHEN d.accepted
                                 THEN next_seq + count(*) FILTER (WHERE d.accepted) OVER (ORDER BY d.i) - 1
                            END AS seq
                 FROM decided d),
             inserted AS (
                 INSERT INTO ledger_entries (program_id, month, sequence, kind, purchase_sequence, citizen_id,
                                             channel, amount, price, idempotency_key, at, sold_by, payment)
                     SELECT p_program, p_month, n.seq, 'purchase', n.seq, n.citizen, n.channel, n.amount,
                            n.price, n.key, p_at, n.sold_by, CASE WHEN n.hold_seconds IS NOT NULL THEN 'account' END
                     FROM numbered n
                     WHERE n.accepted
                     RETURNING 1),
             held AS (
                 INSERT INTO ledger_open_holds (program_id, month, sequence, citizen_id, channel, amount, price, expires_at)
                     SELECT p_program, p_month, n.seq, n.citizen, n.channel, n.amount, n.price,
                            p_at + make_interval(secs => n.hold_seconds)
                     FROM numbered n
                     WHERE n.accepted AND n.hold_seconds IS NOT NULL
                     RETURNING 1),
             -- How each first purchase stands now (a cancel, or how its hold ended), for duplicates.
             standing AS MATERIALIZED (
                 SELECT n.i,
                        (SELECT x.kind FROM ledger_entries x
                         WHERE (x.program_id || '/' || x.month) = pm AND x.kind = 'cancel'
                           AND x.purchase_sequence = n.first_sequence) AS cancel,
                        CASE WHEN n.first_paid THEN (
                            SELECT x.kind || coalesce(':' || x.reason, '') FROM ledger_entries x
                            WHERE (x.program_id || '/' || x.month) = pm AND x.kind IN ('post', 'void', 'expire')
                              AND x.purchase_sequence = n.first_sequence) END AS ending
                 FROM numbered n
                 WHERE n.first_sequence IS NOT NULL)
        SELECT n.i,
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
               coalesce(n.first_price, n.price), coalesce(n.first_at, p_at),
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
               CASE WHEN n.first_sequence IS NULL AND NOT n.accepted AND NOT n.key_of_another THEN n.r_opens_at END
        FROM numbered n
                 LEFT JOIN standing s ON s.i = n.i;

    -- Move the head past everything written, and re-check the caps the grain enforced: sold and held together.
    UPDATE ledger_heads h
    SET next_sequence = t.next_sequence,
        sold_mobile   = h.sold_mobile + t.sold_mobile,
        sold_paper    = h.sold_paper + t.sold_paper,
        held_mobile   = h.held_mobile + t.held_mobile,
        held_paper    = h.held_paper + t.held_paper
    FROM (SELECT p_next + count(*) AS next_sequence,
                 coalesce(sum(s.sold) FILTER (WHERE s.channel = 'mobile'), 0) AS sold_mobile,
                 coalesce(sum(s.sold) FILTER (WHERE s.channel = 'paper'), 0) AS sold_paper,
                 coalesce(sum(s.held) FILTER (WHERE s.channel = 'mobile'), 0) AS held_mobile,
                 coalesce(sum(s.held) FILTER (WHERE s.channel = 'paper'), 0) AS held_paper
          FROM ledger_entries e
                   CROSS JOIN LATERAL (
              SELECT e.channel, ledger_sold_by(e.kind, e.payment, e.amount) AS sold,
                     ledger_held_by(e.kind, e.payment, e.amount) AS held) s
          WHERE e.program_id = p_program AND e.month = p_month AND e.sequence >= p_next) t
    WHERE h.program_id = p_program AND h.month = p_month
    RETURNING * INTO head;
    IF head.sold_mobile + head.held_mobile > p_cap_mobile OR head.sold_paper + head.held_paper > p_cap_paper THEN
        RAISE EXCEPTION 'ledger %/%: the batch would take % mobile and % paper (sold and held) past caps % and %',
            p_program, p_month, head.sold_mobile + head.held_mobile, head.sold_paper + head.held_paper,
            p_cap_mobile, p_cap_paper
            USING ERRCODE = 'LB002';
    END IF;
END;
$$;
