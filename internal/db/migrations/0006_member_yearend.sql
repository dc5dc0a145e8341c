-- 0006: the year-end member rollup. The base of an admissions rate target is the member total of a
-- subtree on 31 December of the year before the period (target_rate_base members_end_of_previous_year).
-- Counting it from member_status_span reads every member's span below the unit (≈ 230 ms for the 765
-- communes of a 366,000-member province). member_yearend holds, for every year-end of a window and every
-- unit, the members of its subtree as the tree stood on that day: one index probe per unit.
--
-- A member is a person whose status span (member_status_span) contains 31/12 of the year with a member
-- status (member_yearend_is_member: Go's member.MemberStatuses, which a test of package member compares).
-- The subtree is the tree of that day: a span at unit U counts for every label of U's org_link path valid
-- on 31/12 (U itself included), as package target's span query counts it.
--
-- The count is bilinear in spans and link versions: it sums, over every pair of a member span and a link
-- version of the same unit that both contain the year-end, one per label of the path. So a statement that
-- writes spans adds its new rows' pairs with the current links and subtracts its old rows', and a
-- statement that writes links does the same with the current spans: the rollup stays exact whatever the
-- order of writes and whatever date a tree operation bears (a move or merge dated before past year-ends
-- moves those years' counts too). Statement triggers keep it in step in the writing transaction, like
-- admission_ancestor (0005); the span triggers first take package org's tree lock in shared mode so that
-- spans and links are never written from two snapshots that miss each other.
--
-- Bulk loads that bypass the triggers call member_rebuild_yearend() afterwards.

-- The years materialized: from_year .. to_year. Package target counts other days from the spans.
-- from_year and years_ahead are the settings (an administrator edits them as the schema owner; the
-- rollup is then rebuilt by the trigger below); to_year is what has been filled, advanced to the current
-- year + years_ahead by member_rebuild_yearend() and member_extend_yearend() (run the latter nightly or
-- yearly: until then, year-ends past to_year fall back to the spans, correct but slower). ptdv runs it
-- after every migration (member.ExtendYearEnd: server start, nightly).
CREATE TABLE member_yearend_window (
    only_row     bool PRIMARY KEY DEFAULT true CHECK (only_row),
    from_year    int  NOT NULL CHECK (from_year BETWEEN 1900 AND 2200),
    to_year      int  NOT NULL,
    years_ahead  int  NOT NULL DEFAULT 1 CHECK (years_ahead BETWEEN 0 AND 10)
);
-- 2015: the base of the 2016 targets (the first year of recorded history the seed generates) and the
-- terms since. Each year costs about one row per unit with members (≈ 450,000 nationally).
INSERT INTO member_yearend_window (from_year, to_year, years_ahead)
    VALUES (2015, extract(year FROM current_date)::int + 1, 1);

CREATE TABLE member_yearend (
    ancestor_id  bigint NOT NULL,   -- a unit on the path; not a foreign key: the rollup follows org_link
    year         int    NOT NULL,   -- counted on 31 December of this year
    n            int    NOT NULL,   -- may be 0 once its members have left
    PRIMARY KEY (ancestor_id, year)
);

-- The member statuses (member.MemberStatuses).
CREATE FUNCTION member_yearend_is_member(status text) RETURNS bool
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT status IN ('probationary', 'full', 'exempted', 'temporary_out') $$;

-- member_yearend_fill adds the counts of years [y0, y1] from all spans and links, set-based: per unit,
-- +1 in the first counted year of each member span and -1 after its last, summed over the years, then
-- spread over the labels of the link valid on each year-end. (The pairs of spans, links and years would
-- be ten times as many rows.)
CREATE FUNCTION member_yearend_fill(y0 int, y1 int) RETURNS void
    LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp
    AS $$
    WITH s AS (
        SELECT s.unit_id, greatest(y0, extract(year FROM s.valid_from)::int) AS a,
               least(y1, coalesce(extract(year FROM s.valid_to)::int - 1, y1)) AS b
        FROM member_status_span s WHERE member_yearend_is_member(s.status)),
    d AS (
        SELECT unit_id, a AS year, 1 AS dn FROM s WHERE a <= b
        UNION ALL SELECT unit_id, b + 1, -1 FROM s WHERE a <= b AND b < y1),
    g AS (SELECT unit_id, year, sum(dn) AS dn FROM d GROUP BY unit_id, year),
    r AS (
        SELECT unit_id, year, sum(dn) OVER w AS n, lead(year, 1, y1 + 1) OVER w AS next
        FROM g WINDOW w AS (PARTITION BY unit_id ORDER BY year)),
    u AS (
        SELECT r.unit_id, y.year, r.n FROM r CROSS JOIN LATERAL generate_series(r.year, r.next - 1) AS y(year)
        WHERE r.n <> 0)
    INSERT INTO member_yearend (ancestor_id, year, n)
    SELECT lab::bigint, u.year, sum(u.n)
    FROM u JOIN org_link l ON l.unit_id = u.unit_id AND l.valid_from <= make_date(u.year, 12, 31)
                          AND (l.valid_to IS NULL OR l.valid_to > make_date(u.year, 12, 31))
    CROSS JOIN LATERAL unnest(string_to_array(l.path::text, '.')) AS lab
    GROUP BY 1, 2;
    $$;

-- member_rebuild_yearend rebuilds the whole rollup (after a bulk load, or a change of the window), and
-- advances to_year to the current year + years_ahead. It holds the tree lock: no span or link is written
-- meanwhile.
CREATE FUNCTION member_rebuild_yearend() RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
    AS $$
DECLARE
    w member_yearend_window;
BEGIN
    PERFORM pg_advisory_xact_lock(x'707464760001'::bigint);
    UPDATE member_yearend_window SET to_year = greatest(from_year - 1, extract(year FROM current_date)::int + years_ahead)
        RETURNING * INTO w;
    TRUNCATE member_yearend;
    PERFORM member_yearend_fill(w.from_year, w.to_year);
END
$$;

-- member_extend_yearend fills the years from to_year + 1 to the current year + years_ahead, if any: a
-- no-op on most days.
CREATE FUNCTION member_extend_yearend() RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
    AS $$
DECLARE
    w member_yearend_window;
    upto int;
BEGIN
    SELECT * INTO w FROM member_yearend_window;
    upto := extract(year FROM current_date)::int + w.years_ahead;
    IF upto <= w.to_year THEN
        RETURN;
    END IF;
    PERFORM pg_advisory_xact_lock(x'707464760001'::bigint);
    SELECT * INTO w FROM member_yearend_window;   -- again, under the lock
    IF upto > w.to_year THEN
        PERFORM member_yearend_fill(greatest(w.from_year, w.to_year + 1), upto);
        UPDATE member_yearend_window SET to_year = upto;
    END IF;
END
$$;

-- A change of the settings rebuilds (member_rebuild_yearend itself sets only to_year).
CREATE FUNCTION member_yearend_window_changed() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
    AS $$
BEGIN
    PERFORM member_rebuild_yearend();
    RETURN NULL;
END
$$;
CREATE TRIGGER member_yearend_window AFTER UPDATE OF from_year, years_ahead ON member_yearend_window
    FOR EACH STATEMENT EXECUTE FUNCTION member_yearend_window_changed();

-- The trigger functions turn JIT off: their transition tables have no statistics, so the planner's
-- estimate of a one-row statement runs to hundreds of millions and PostgreSQL would compile the query
-- (≈ 60–400 ms) for a join that reads a handful of rows.
--
-- Span statements: + the new rows' pairs, - the old rows'. The upsert is sorted, so that two transactions
-- lock the rows they share in the same order. (Dynamic SQL: a statement may name only the transition
-- tables its event has.)
CREATE FUNCTION member_yearend_span_changed() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp SET jit = off
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
        d AS (
            SELECT lab::bigint AS ancestor_id, y.year, sum(c.sign)::int AS n
            FROM c CROSS JOIN member_yearend_window w
            JOIN org_link l ON l.unit_id = c.unit_id
            CROSS JOIN LATERAL generate_series(
                greatest(w.from_year, extract(year FROM c.valid_from)::int, extract(year FROM l.valid_from)::int),
                least(w.to_year, coalesce(extract(year FROM c.valid_to)::int - 1, w.to_year),
                      coalesce(extract(year FROM l.valid_to)::int - 1, w.to_year))) AS y(year)
            CROSS JOIN LATERAL unnest(string_to_array(l.path::text, '.')) AS lab
            WHERE member_yearend_is_member(c.status)
            GROUP BY 1, 2 HAVING sum(c.sign) <> 0)
        INSERT INTO member_yearend AS m (ancestor_id, year, n)
        SELECT ancestor_id, year, n FROM d ORDER BY ancestor_id, year
        ON CONFLICT (ancestor_id, year) DO UPDATE SET n = m.n + excluded.n$q$, c);
    RETURN NULL;
END
$$;

-- Link statements (package org, under its tree lock): + the new versions' pairs with the unit's member
-- spans, - the old versions'. A new unit or a rename reads nothing but the span index of its units.
CREATE FUNCTION member_yearend_link_changed() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp SET jit = off
    AS $$
DECLARE
    c text := CASE TG_OP
        WHEN 'INSERT' THEN 'SELECT unit_id, path, valid_from, valid_to, 1 AS sign FROM new_links'
        ELSE 'SELECT unit_id, path, valid_from, valid_to, 1 AS sign FROM new_links
              UNION ALL SELECT unit_id, path, valid_from, valid_to, -1 FROM old_links' END;
BEGIN
    EXECUTE format($q$
        WITH c AS (%s),
        d AS (
            SELECT lab::bigint AS ancestor_id, y.year, sum(c.sign)::int AS n
            FROM c CROSS JOIN member_yearend_window w
            JOIN member_status_span s ON s.unit_id = c.unit_id
            CROSS JOIN LATERAL generate_series(
                greatest(w.from_year, extract(year FROM c.valid_from)::int, extract(year FROM s.valid_from)::int),
                least(w.to_year, coalesce(extract(year FROM c.valid_to)::int - 1, w.to_year),
                      coalesce(extract(year FROM s.valid_to)::int - 1, w.to_year))) AS y(year)
            CROSS JOIN LATERAL unnest(string_to_array(c.path::text, '.')) AS lab
            WHERE member_yearend_is_member(s.status)
            GROUP BY 1, 2 HAVING sum(c.sign) <> 0)
        INSERT INTO member_yearend AS m (ancestor_id, year, n)
        SELECT ancestor_id, year, n FROM d ORDER BY ancestor_id, year
        ON CONFLICT (ancestor_id, year) DO UPDATE SET n = m.n + excluded.n$q$, c);
    RETURN NULL;
END
$$;

CREATE TRIGGER member_yearend_insert AFTER INSERT ON member_status_span
    REFERENCING NEW TABLE AS new_spans FOR EACH STATEMENT EXECUTE FUNCTION member_yearend_span_changed();
CREATE TRIGGER member_yearend_delete AFTER DELETE ON member_status_span
    REFERENCING OLD TABLE AS old_spans FOR EACH STATEMENT EXECUTE FUNCTION member_yearend_span_changed();
CREATE TRIGGER member_yearend_update AFTER UPDATE ON member_status_span
    REFERENCING OLD TABLE AS old_spans NEW TABLE AS new_spans FOR EACH STATEMENT EXECUTE FUNCTION member_yearend_span_changed();
CREATE TRIGGER member_yearend_link_insert AFTER INSERT ON org_link
    REFERENCING NEW TABLE AS new_links FOR EACH STATEMENT EXECUTE FUNCTION member_yearend_link_changed();
CREATE TRIGGER member_yearend_link_update AFTER UPDATE ON org_link
    REFERENCING OLD TABLE AS old_links NEW TABLE AS new_links FOR EACH STATEMENT EXECUTE FUNCTION member_yearend_link_changed();

SELECT member_rebuild_yearend();

-- Only the triggers (and the schema owner) write the rollup.
REVOKE EXECUTE ON FUNCTION member_yearend_fill(int, int), member_rebuild_yearend(), member_extend_yearend() FROM PUBLIC;
GRANT SELECT ON member_yearend, member_yearend_window TO ptdv_app;
