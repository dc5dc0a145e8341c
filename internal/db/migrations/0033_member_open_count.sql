-- 0033: a subtree's members by status on a day, from one probe per status instead of every span below it.
-- Counting a province's spans on the day (member.CountByStatus) read 945,000 index entries for Hà Nội's
-- 26,605 units (≈ 470 ms at national size, on every province board's unit page); counting per unit
-- from a per-unit table still probed 26,605 units (≈ 170 ms).
--
-- member_open_count holds, for every unit and status, the open member status spans (valid_to IS NULL)
-- of its subtree on the latest tree: a span at unit U counts for every label of U's open org_link path
-- (U itself included). Like member_yearend (0006) it is bilinear in spans and links, and statement
-- triggers on both keep it exact in the writing transaction, whatever the order of the writes.
--
-- A day d is answered from it when the tree of d is the latest tree (no link version begins or ends
-- after d): the subtree's spans on d are then its open spans, minus the open ones that begin after d,
-- plus the closed ones that contain d. Both corrections are spans whose last boundary
-- (coalesce(valid_to, valid_from)) is after d, read through an index on that boundary: a handful
-- for today, more the further back d lies (package member counts older days from the spans).
--
-- Bulk loads that bypass the triggers (the seed) call member_rebuild_open() afterwards.

CREATE TABLE member_open_count (
    ancestor_id  bigint NOT NULL,   -- a unit on the path; not a foreign key: the rollup follows org_link
    status       text   NOT NULL,   -- member_status_span.status
    n            int    NOT NULL,   -- may be 0 once its spans are closed
    PRIMARY KEY (ancestor_id, status)
);

CREATE INDEX member_status_span_last_day ON member_status_span ((coalesce(valid_to, valid_from)));
CREATE INDEX org_link_last_day ON org_link ((coalesce(valid_to, valid_from)));
ANALYZE member_status_span, org_link;

CREATE FUNCTION member_rebuild_open() RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp SET work_mem = '256MB'
    AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(x'707464760001'::bigint);
    TRUNCATE member_open_count;
    INSERT INTO member_open_count (ancestor_id, status, n)
    SELECT lab::bigint, s.status, sum(s.n)
    FROM (SELECT unit_id, status, count(*) AS n FROM member_status_span WHERE valid_to IS NULL GROUP BY 1, 2) s
    JOIN org_link l ON l.unit_id = s.unit_id AND l.valid_to IS NULL
    CROSS JOIN LATERAL unnest(string_to_array(l.path::text, '.')) AS lab
    GROUP BY 1, 2;
END
$$;

-- Span statements: + the new open spans, - the old ones, per unit and status, spread over the labels of
-- the unit's open link. Sorted upsert: two transactions lock the rows they share in the same order.
CREATE FUNCTION member_open_span_changed() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp SET jit = off SET work_mem = '64MB'
    AS $$
DECLARE
    c text := CASE TG_OP
        WHEN 'INSERT' THEN 'SELECT unit_id, status, 1 AS sign FROM new_spans WHERE valid_to IS NULL'
        WHEN 'DELETE' THEN 'SELECT unit_id, status, -1 AS sign FROM old_spans WHERE valid_to IS NULL'
        ELSE 'SELECT unit_id, status, 1 AS sign FROM new_spans WHERE valid_to IS NULL
              UNION ALL SELECT unit_id, status, -1 FROM old_spans WHERE valid_to IS NULL' END;
BEGIN
    PERFORM pg_advisory_xact_lock_shared(x'707464760001'::bigint);
    EXECUTE format($q$
        WITH c AS (%s),
        u AS (SELECT unit_id, status, sum(sign)::int AS n FROM c GROUP BY 1, 2 HAVING sum(sign) <> 0),
        d AS (
            SELECT lab::bigint AS ancestor_id, u.status, sum(u.n)::int AS n
            FROM u JOIN org_link l ON l.unit_id = u.unit_id AND l.valid_to IS NULL
            CROSS JOIN LATERAL unnest(string_to_array(l.path::text, '.')) AS lab
            GROUP BY 1, 2 HAVING sum(u.n) <> 0)
        INSERT INTO member_open_count AS m (ancestor_id, status, n)
        SELECT ancestor_id, status, n FROM d ORDER BY ancestor_id, status
        ON CONFLICT (ancestor_id, status) DO UPDATE SET n = m.n + excluded.n$q$, c);
    RETURN NULL;
END
$$;

-- open_links_sql is the query of a link statement's open versions, signed: + the new ones, - the old ones
-- (unit_id, path, sign), for the link triggers of the rollups on the latest tree (0033–0035) to EXECUTE
-- themselves (the transition tables new_links and old_links exist only there; links are never deleted).
CREATE FUNCTION open_links_sql(op text) RETURNS text
    LANGUAGE sql IMMUTABLE
    AS $$ SELECT 'SELECT unit_id, path, 1 AS sign FROM new_links WHERE valid_to IS NULL'
          || CASE WHEN op = 'UPDATE' THEN ' UNION ALL SELECT unit_id, path, -1 FROM old_links WHERE valid_to IS NULL' ELSE '' END $$;

-- Link statements (package org, under its tree lock): + the new open versions with their units' open
-- spans, - the old open versions'. A new unit or a rename reads nothing but the span index of its units.
CREATE FUNCTION member_open_link_changed() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp SET jit = off SET work_mem = '64MB'
    AS $$
DECLARE
    c text := open_links_sql(TG_OP);
BEGIN
    EXECUTE format($q$
        WITH c AS (%s),
        s AS (
            SELECT s.unit_id, s.status, count(*)::int AS n FROM member_status_span s
            WHERE s.valid_to IS NULL AND s.unit_id IN (SELECT unit_id FROM c) GROUP BY 1, 2),
        d AS (
            SELECT lab::bigint AS ancestor_id, s.status, sum(c.sign * s.n)::int AS n
            FROM c JOIN s ON s.unit_id = c.unit_id
            CROSS JOIN LATERAL unnest(string_to_array(c.path::text, '.')) AS lab
            GROUP BY 1, 2 HAVING sum(c.sign * s.n) <> 0)
        INSERT INTO member_open_count AS m (ancestor_id, status, n)
        SELECT ancestor_id, status, n FROM d ORDER BY ancestor_id, status
        ON CONFLICT (ancestor_id, status) DO UPDATE SET n = m.n + excluded.n$q$, c);
    RETURN NULL;
END
$$;

CREATE TRIGGER member_open_insert AFTER INSERT ON member_status_span
    REFERENCING NEW TABLE AS new_spans FOR EACH STATEMENT EXECUTE FUNCTION member_open_span_changed();
CREATE TRIGGER member_open_delete AFTER DELETE ON member_status_span
    REFERENCING OLD TABLE AS old_spans FOR EACH STATEMENT EXECUTE FUNCTION member_open_span_changed();
CREATE TRIGGER member_open_update AFTER UPDATE ON member_status_span
    REFERENCING OLD TABLE AS old_spans NEW TABLE AS new_spans FOR EACH STATEMENT EXECUTE FUNCTION member_open_span_changed();
CREATE TRIGGER member_open_link_insert AFTER INSERT ON org_link
    REFERENCING NEW TABLE AS new_links FOR EACH STATEMENT EXECUTE FUNCTION member_open_link_changed();
CREATE TRIGGER member_open_link_update AFTER UPDATE ON org_link
    REFERENCING OLD TABLE AS old_links NEW TABLE AS new_links FOR EACH STATEMENT EXECUTE FUNCTION member_open_link_changed();

-- member_counts_on: the spans on day d in the subtree of unit, by status, as member.CountByStatus counts
-- them (the tree of that day, whole), or one row (NULL, NULL) when the rollup cannot answer d (a link
-- version begins or ends after d, or the connection has no scope set): the caller then counts from the
-- spans. No rows when the unit has no open link or lies outside the caller's scope (ptdv.scope, the
-- second key: the rollup has no policies of its own and the application role reads it only through
-- here). Custom plans: the range of the boundary index depends on d.
CREATE FUNCTION member_counts_on(unit bigint, d date) RETURNS TABLE (status text, n bigint)
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp SET jit = off
    SET plan_cache_mode = force_custom_plan
    AS $$
DECLARE
    p ltree;
BEGIN
    IF ptdv_scope() IS NULL OR (SELECT max(coalesce(l.valid_to, l.valid_from)) FROM org_link l) > d THEN
        RETURN QUERY SELECT NULL::text, NULL::bigint;
        RETURN;
    END IF;
    SELECT l.path INTO p FROM org_link l WHERE l.unit_id = unit AND l.valid_to IS NULL;
    IF p IS NULL OR NOT (ptdv_scope_all() OR coalesce(p <@ ptdv_scope_path(), false)) THEN
        RETURN;
    END IF;
    -- The corrections first, by date, then each one's link probed (a scalar subquery, not a join: the
    -- planner, expecting tens of thousands of corrections, would read and hash a province's 26,605
    -- links, 17 ms, for the handful there are; or walk those units and probe their spans, 150 ms).
    RETURN QUERY
    WITH late AS MATERIALIZED (
        SELECT s.unit_id, s.status, CASE WHEN s.valid_to IS NULL THEN -1 WHEN s.valid_from <= d THEN 1 ELSE 0 END AS n
        FROM member_status_span s WHERE coalesce(s.valid_to, s.valid_from) > d)
    SELECT x.status, sum(x.n)::bigint FROM (
        SELECT c.status, c.n::bigint AS n FROM member_open_count c WHERE c.ancestor_id = unit
        UNION ALL
        SELECT late.status, late.n FROM late
        WHERE (SELECT l.path FROM org_link l WHERE l.unit_id = late.unit_id AND l.valid_to IS NULL) <@ p) x
    GROUP BY x.status HAVING sum(x.n) <> 0;
END
$$;

SELECT member_rebuild_open();

REVOKE EXECUTE ON FUNCTION member_rebuild_open() FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION member_counts_on(bigint, date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION member_counts_on(bigint, date) TO ptdv_app;
