-- Payments (API.md, "Payments: the two-phase purchase"): on a program-month that takes the buyer's money, a
-- purchase is first a hold, and the hold ends exactly once.
--
-- A hold is a purchase entry with payment = 'account'. It takes its amount from the cap and the citizen's limit
-- at once, like any purchase, and is counted in the head's held_* until it ends. Its ending is one more entry
-- about it, numbered like the rest (TigerBeetle's post and void of a pending transfer):
--   'post'    the provider withdrew the price: the hold becomes sold;
--   'void'    the provider refused (reason: its message): the amount goes back to the cap and the citizen;
--   'expire'  no word from the provider within the hold's time: the same, and if the provider did withdraw
--             after all, the price goes back to the payer (payment_refunds).
-- A cancel of a paid purchase (posted only) returns its price through the provider, also via payment_refunds.
--
-- Expand only (db/README.md): the baseline's ledger_commit, ledger_claim, ledger_audit and index stay for silos
-- of the release before; the new overload and functions below are what this release uses.

ALTER TABLE ledger_heads
    ADD COLUMN held_mobile bigint NOT NULL DEFAULT 0 CHECK (held_mobile >= 0),
    ADD COLUMN held_paper  bigint NOT NULL DEFAULT 0 CHECK (held_paper >= 0);

ALTER TABLE ledger_entries
    DROP CONSTRAINT ledger_entries_kind_check,
    DROP CONSTRAINT ledger_entries_check1,
    ADD COLUMN payment text CHECK (payment = 'account'),
    ADD COLUMN reason  text CHECK (length(reason) BETWEEN 1 AND 200),
    ADD CONSTRAINT ledger_entries_kind CHECK (kind IN ('purchase', 'cancel', 'post', 'void', 'expire')),
    ADD CONSTRAINT ledger_entries_about CHECK ((kind = 'purchase' AND purchase_sequence = sequence)
        OR (kind <> 'purchase' AND purchase_sequence < sequence)),
    ADD CONSTRAINT ledger_entries_payment_of_purchase CHECK (payment IS NULL OR kind = 'purchase'),
    ADD CONSTRAINT ledger_entries_reason_of_void CHECK ((kind = 'void') = (reason IS NOT NULL));

-- A hold ends once: posted, voided or expired. Also how a purchase's hold ended.
CREATE UNIQUE INDEX ledger_entries_ending_of
    ON ledger_entries (purchase_sequence, (program_id || '/' || month)) WHERE kind IN ('post', 'void', 'expire');

-- A citizen's releases (cancels, and holds that ended without a payment), for their usage.
CREATE INDEX ledger_entries_citizen_release
    ON ledger_entries (citizen_id, (program_id || '/' || month)) WHERE kind IN ('cancel', 'void', 'expire');

-- The holds not yet ended, kept in step with the entries by ledger_commit (a hold is added with its entry and
-- removed with its ending), so a new activation, or the sweeper of a silo, finds them without reading the
-- ledger. Derived, like the head's counters: ledger_audit_with_holds recomputes it.
CREATE TABLE ledger_open_holds
(
    program_id text        NOT NULL,
    month      text        NOT NULL,
    sequence   bigint      NOT NULL,
    citizen_id text        NOT NULL,
    channel    text        NOT NULL,
    amount     bigint      NOT NULL CHECK (amount > 0),
    price      bigint      NOT NULL CHECK (price > 0),
    expires_at timestamptz NOT NULL,
    PRIMARY KEY (program_id, month, sequence)
);

CREATE INDEX ledger_open_holds_expiry ON ledger_open_holds (expires_at);

-- The outbox of money owed back to payers, written in the transaction of the entry that owes it: a cancel of a
-- paid purchase ('cancel') or an expired hold whose withdrawal may still have happened ('expire'). A worker
-- delivers each row through the provider (a deposit with its own transfer id, which moves money at most once)
-- and marks it 'done', or 'none' when an expired hold's withdrawal never happened.
CREATE TABLE payment_refunds
(
    program_id        text        NOT NULL,
    month             text        NOT NULL,
    purchase_sequence bigint      NOT NULL,
    citizen_id        text        NOT NULL,
    amount            bigint      NOT NULL CHECK (amount > 0),
    reason            text        NOT NULL CHECK (reason IN ('cancel', 'expire')),
    state             text        NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'none')),
    created_at        timestamptz NOT NULL,
    settled_at        timestamptz,
    PRIMARY KEY (program_id, month, purchase_sequence)
);

CREATE INDEX payment_refunds_pending ON payment_refunds (created_at) WHERE state = 'pending';

-- What an entry adds to its channel's sold and held amounts (and so to its citizen's usage, which is both):
-- a purchase without payment sells; a hold holds; a post turns held into sold; a void or an expiry releases
-- what was held; a cancel gives back what was sold. Plain SQL, so the planner inlines them.
CREATE FUNCTION ledger_sold_by(p_kind text, p_payment text, p_amount bigint) RETURNS bigint
    LANGUAGE sql IMMUTABLE AS
$$
SELECT CASE
           WHEN p_kind = 'purchase' AND p_payment IS NULL THEN p_amount
           WHEN p_kind = 'post' THEN p_amount
           WHEN p_kind = 'cancel' THEN -p_amount
           ELSE 0 END;
$$;

CREATE FUNCTION ledger_held_by(p_kind text, p_payment text, p_amount bigint) RETURNS bigint
    LANGUAGE sql IMMUTABLE AS
$$
SELECT CASE
           WHEN p_kind = 'purchase' AND p_payment IS NOT NULL THEN p_amount
           WHEN p_kind IN ('post', 'void', 'expire') THEN -p_amount
           ELSE 0 END;
$$;

-- ledger_claim, with the held counters.
CREATE FUNCTION ledger_claim_with_holds(p_program text, p_month text, p_create boolean)
    RETURNS TABLE (epoch bigint, next_sequence bigint, sold_mobile bigint, sold_paper bigint,
                   held_mobile bigint, held_paper bigint)
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
        SELECT h.epoch, h.next_sequence, h.sold_mobile, h.sold_paper, h.held_mobile, h.held_paper
        FROM ledger_heads h
        WHERE h.program_id = p_program AND h.month = p_month;
END;
$$;

-- ledger_commit with holds: the baseline's function (db/0003_ledger.sql, whose comments hold for this one too)
-- with three more arguments and two more answer columns.
--
-- f_sequence, f_kind, f_reason: the follow-ups, each an entry about an earlier purchase, in order: 'cancel'
-- (a purchase without payment, or a posted hold), 'post', 'void' (f_reason: the provider's message) or
-- 'expire' (a hold not yet ended). A follow-up that names no such purchase fails the batch (LB001): a bug.
-- b_hold_seconds: per purchase, null for one without payment, else the seconds its hold may stay open.
--
-- Follow-ups answer with their own kind ('cancelled', 'posted', 'voided', 'expired'). Every item answers
-- status ('confirmed', 'cancelled', 'pending', 'voided') and reason: for a purchase (the first one, for a
-- duplicate) what it is now; for a follow-up what its purchase became. citizen_used counts holds not yet ended.
CREATE FUNCTION ledger_commit(
    p_program text, p_month text, p_epoch bigint, p_next bigint,
    p_limit bigint, p_cap_mobile bigint, p_cap_paper bigint, p_at timestamptz,
    f_sequence bigint[], f_kind text[], f_reason text[],
    b_citizen text[], b_key text[], b_channel text[], b_amount bigint[], b_price bigint[], b_sold_by text[],
    b_hold_seconds integer[])
    RETURNS TABLE (item bigint, outcome text, sequence bigint, citizen_used bigint,
                   channel text, amount bigint, price bigint, at timestamptz, status text, reason text)
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

    DELETE FROM ledger_open_holds o
    USING ledger_entries e
    WHERE e.program_id = p_program AND e.month = p_month AND e.sequence >= p_next AND e.sequence < next_seq
      AND e.kind IN ('post', 'void', 'expire')
      AND o.program_id = p_program AND o.month = p_month AND o.sequence = e.purchase_sequence;

    -- What the payer is owed back: the price of a paid purchase cancelled, and of an expired hold in case the
    -- provider did withdraw for it.
    INSERT INTO payment_refunds (program_id, month, purchase_sequence, citizen_id, amount, reason, created_at)
    SELECT p_program, p_month, e.purchase_sequence, e.citizen_id, e.price, e.kind, p_at
    FROM ledger_entries e
             JOIN ledger_entries p
                  ON p.program_id = p_program AND p.month = p_month AND p.sequence = e.purchase_sequence
    WHERE e.program_id = p_program AND e.month = p_month AND e.sequence >= p_next AND e.sequence < next_seq
      AND e.kind IN ('cancel', 'expire') AND p.payment IS NOT NULL;

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
               CASE e.kind WHEN 'void' THEN e.reason WHEN 'expire' THEN 'expired' END
        FROM ledger_entries e
        WHERE e.program_id = p_program AND e.month = p_month AND e.sequence >= p_next AND e.sequence < next_seq;

    -- Purchases, as in the baseline; a hold's releases (void, expire) count like cancels in the usage, and a
    -- duplicate answers its first purchase's status now.
    RETURN QUERY
        WITH looked AS MATERIALIZED (
            SELECT b.*, p.first_sequence, p.first_channel, p.first_amount, p.first_price, p.first_at, p.first_paid,
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
                        (SELECT x.kind || coalesce(':' || x.reason, '') FROM ledger_entries x
                         WHERE (x.program_id || '/' || x.month) = pm AND x.kind IN ('post', 'void', 'expire')
                           AND x.purchase_sequence = n.first_sequence) AS ending
                 FROM numbered n
                 WHERE n.first_sequence IS NOT NULL)
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
               CASE
                   WHEN n.accepted THEN CASE WHEN n.hold_seconds IS NULL THEN 'confirmed' ELSE 'pending' END
                   WHEN s.cancel IS NOT NULL THEN 'cancelled'
                   WHEN n.first_paid AND s.ending IS NULL THEN 'pending'
                   WHEN s.ending LIKE 'void:%' OR s.ending = 'expire' THEN 'voided'
                   ELSE 'confirmed' END,
               CASE
                   WHEN s.ending LIKE 'void:%' THEN substr(s.ending, 6)
                   WHEN s.ending = 'expire' THEN 'expired' END
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

-- ledger_audit, with holds: sold (purchases without payment, posted holds, less cancels) and held (holds not yet
-- ended) per channel recomputed from the entries against the head, and the open-hold table against the entries.
CREATE FUNCTION ledger_audit_with_holds(p_program text, p_month text, p_limit bigint)
    RETURNS TABLE (head_next_sequence bigint, head_sold_mobile bigint, head_sold_paper bigint,
                   ledger_sold_mobile bigint, ledger_sold_paper bigint, entries bigint, max_sequence bigint,
                   citizens_over_limit bigint, head_held_mobile bigint, head_held_paper bigint,
                   ledger_held_mobile bigint, ledger_held_paper bigint, open_holds_astray bigint)
    LANGUAGE sql STABLE AS
$$
WITH e AS (SELECT * FROM ledger_entries e WHERE e.program_id = p_program AND e.month = p_month),
     signed AS (SELECT e.channel, e.citizen_id, ledger_sold_by(e.kind, e.payment, e.amount) AS sold,
                       ledger_held_by(e.kind, e.payment, e.amount) AS held
                FROM e),
     per_citizen AS (SELECT sum(s.sold + s.held) AS used FROM signed s GROUP BY s.citizen_id),
     open_in_ledger AS (SELECT p.sequence FROM e p
                        WHERE p.kind = 'purchase' AND p.payment IS NOT NULL
                          AND NOT EXISTS (SELECT 1 FROM e x WHERE x.purchase_sequence = p.sequence
                                                             AND x.kind IN ('post', 'void', 'expire'))),
     open_in_table AS (SELECT o.sequence FROM ledger_open_holds o WHERE o.program_id = p_program AND o.month = p_month)
SELECT h.next_sequence, h.sold_mobile, h.sold_paper,
       (SELECT coalesce(sum(sold), 0) FROM signed WHERE channel = 'mobile')::bigint,
       (SELECT coalesce(sum(sold), 0) FROM signed WHERE channel = 'paper')::bigint,
       (SELECT count(*) FROM e),
       (SELECT coalesce(max(sequence), 0) FROM e),
       (SELECT count(*) FROM per_citizen p WHERE p.used > p_limit),
       h.held_mobile, h.held_paper,
       (SELECT coalesce(sum(held), 0) FROM signed WHERE channel = 'mobile')::bigint,
       (SELECT coalesce(sum(held), 0) FROM signed WHERE channel = 'paper')::bigint,
       (SELECT count(*) FROM ((SELECT * FROM open_in_ledger EXCEPT SELECT * FROM open_in_table)
                              UNION ALL (SELECT * FROM open_in_table EXCEPT SELECT * FROM open_in_ledger)) astray)
FROM ledger_heads h
WHERE h.program_id = p_program AND h.month = p_month;
$$;
