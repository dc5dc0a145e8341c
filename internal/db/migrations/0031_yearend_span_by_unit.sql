-- 0031: the year-end rollup's span trigger (migration 0006) sums the statement's spans per unit and year
-- before it joins the unit's link versions and spreads the sums over their paths' labels, in memory. The
-- result is the same: a span counts in year y when its member status contains 31/12/y, and the sum of a
-- unit and year goes to every label of the link valid on that day, the pairs (span, link, year) it
-- summed before, grouped the other way round. An import writes tens of thousands of spans in one
-- statement: the labels were unnested for every span and year (780,000 rows for a province's 20,000
-- members) and, the planner sizing a generate_series over a transition table's columns at 1,000 rows a
-- call, summed through temporary files in the default 4 MB of work_mem.
CREATE OR REPLACE FUNCTION member_yearend_span_changed() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp SET jit = off SET work_mem = '64MB'
    AS $$
DECLARE
    c text := CASE TG_OP
        WHEN 'INSERT' THEN 'SELECT unit_id, status, valid_from, valid_to, 1 AS sign FROM new_spans'
        WHEN 'DELETE' THEN 'SELECT unit_id, status, valid_from, valid_to, -1 AS sign FROM old_spans'
        ELSE 'SELECT unit_id, status, valid_from, valid_to, 1 AS sign FROM new_spans
              UNION ALL SELECT unit_id, status, valid_from, valid_to, -1 FROM old_spans' END;
BEGIN
    PERFORM pg_advisory_xact_lock_shared(x'707464760001'::bigint);
    EXECUTE format($q$
        WITH c AS (%s),
        u AS (
            SELECT c.unit_id, y.year, sum(c.sign)::int AS n
            FROM c CROSS JOIN member_yearend_window w
            CROSS JOIN LATERAL generate_series(
                greatest(w.from_year, extract(year FROM c.valid_from)::int),
                least(w.to_year, coalesce(extract(year FROM c.valid_to)::int - 1, w.to_year))) AS y(year)
            WHERE member_yearend_is_member(c.status)
            GROUP BY 1, 2 HAVING sum(c.sign) <> 0),
        d AS (
            SELECT lab::bigint AS ancestor_id, u.year, sum(u.n)::int AS n
            FROM u JOIN org_link l ON l.unit_id = u.unit_id
                AND extract(year FROM l.valid_from)::int <= u.year
                AND (l.valid_to IS NULL OR extract(year FROM l.valid_to)::int - 1 >= u.year)
            CROSS JOIN LATERAL unnest(string_to_array(l.path::text, '.')) AS lab
            GROUP BY 1, 2 HAVING sum(u.n) <> 0)
        INSERT INTO member_yearend AS m (ancestor_id, year, n)
        SELECT ancestor_id, year, n FROM d ORDER BY ancestor_id, year
        ON CONFLICT (ancestor_id, year) DO UPDATE SET n = m.n + excluded.n$q$, c);
    RETURN NULL;
END
$$;

-- The link trigger's sums are as large when a tree operation moves a commune with its members.
ALTER FUNCTION member_yearend_link_changed() SET work_mem = '64MB';
