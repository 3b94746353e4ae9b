-- Many program-months in one transaction (issue 20). When every program opens at once, each program-month's grain
-- has a small batch waiting, and committing each in a transaction of its own cost a round trip, a commit and a WAL
-- flush per batch. ledger_commit_many takes the waiting batches of many program-months (a silo's) and commits each
-- with ledger_commit_with_rejections (db/0008) in one transaction, so that they share one commit and one flush.
--
-- Each batch runs in a subtransaction of its own: a batch that fails (fenced by a newer activation: LF001; a broken
-- invariant: LB001, LB002; any other error) leaves nothing of itself and is answered one row with its SQLSTATE and
-- message, and the others commit. Every batch is still fenced by its own epoch and expected sequence. A caller
-- sends batches in the order of (program, month), so that two transactions lock heads in one order and cannot
-- deadlock, and at most 64 at once: a backend caches 64 subtransaction ids, and past that every other backend's
-- snapshot falls back to pg_subtrans lookups while the transaction runs.
--
-- Its statements, and those of the functions it calls, run on generic plans: with a batch's parameters PostgreSQL
-- planned most statements of ledger_commit_with_rejections afresh on every call (pg_stat_statements, nationwide:
-- more time planning than executing), a cost that a few large batches of one hot program-month hide and many small
-- ones of many program-months pay each time. The plans are the same probes by key either way (the query plan tests).
--
-- The batches' items are concatenated in the b_ and f_ arrays, m_follow_ups[m] and m_purchases[m] of batch m, in
-- batch order. Rows are ledger_commit_with_rejections's, with the batch's number (from 1) first. Expand only:
-- ledger_commit_with_rejections stays, for the silos of the release before.

CREATE FUNCTION ledger_commit_many(
    m_program text[], m_month text[], m_epoch bigint[], m_next bigint[],
    m_limit bigint[], m_cap_mobile bigint[], m_cap_paper bigint[], m_at timestamptz[],
    m_follow_ups integer[], m_purchases integer[],
    f_sequence bigint[], f_kind text[], f_reason text[],
    b_citizen text[], b_key text[], b_channel text[], b_amount bigint[], b_price bigint[], b_sold_by text[],
    b_hold_seconds integer[])
    RETURNS TABLE (batch integer, item bigint, outcome text, sequence bigint, citizen_used bigint,
                   channel text, amount bigint, price bigint, at timestamptz, status text, reason text,
                   rejected_as text, remaining bigint, opens_at timestamptz, failed_state text, failed_message text)
    LANGUAGE plpgsql
    SET plan_cache_mode = force_generic_plan AS
$$
DECLARE
    f_from  integer := 0;
    b_from  integer := 0;
    f_to    integer;
    b_to    integer;
    state   text;
    message text;
BEGIN
    FOR m IN 1 .. coalesce(cardinality(m_program), 0) LOOP
        f_to := f_from + m_follow_ups[m];
        b_to := b_from + m_purchases[m];
        BEGIN
            RETURN QUERY
                SELECT m, c.*, NULL::text, NULL::text
                FROM ledger_commit_with_rejections(
                    m_program[m], m_month[m], m_epoch[m], m_next[m], m_limit[m], m_cap_mobile[m], m_cap_paper[m], m_at[m],
                    f_sequence[f_from + 1 : f_to], f_kind[f_from + 1 : f_to], f_reason[f_from + 1 : f_to],
                    b_citizen[b_from + 1 : b_to], b_key[b_from + 1 : b_to], b_channel[b_from + 1 : b_to],
                    b_amount[b_from + 1 : b_to], b_price[b_from + 1 : b_to], b_sold_by[b_from + 1 : b_to],
                    b_hold_seconds[b_from + 1 : b_to]) c;
        EXCEPTION WHEN OTHERS THEN
            GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT;
            RETURN QUERY
                SELECT m, 0::bigint, 'failed'::text, NULL::bigint, NULL::bigint, NULL::text, NULL::bigint, NULL::bigint,
                       NULL::timestamptz, NULL::text, NULL::text, NULL::text, NULL::bigint, NULL::timestamptz, state, message;
        END;
        f_from := f_to;
        b_from := b_to;
    END LOOP;
END;
$$;
