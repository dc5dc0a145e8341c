-- 0034: the open cases of a subtree, newest first, from one index range instead of every cell below it.
-- A province board's candidate list (pipeline.List: open cases of the subtree by id, newest first)
-- found Hà Nội's 27,241 open cases through its 26,605 units' cells and sorted them (≈ 520 ms at
-- national size); walking all open cases by id instead reads nearly all 425,000 when the province's
-- cases are the oldest ids (2.9 s).
--
-- case_open_ancestor holds, for every open case (closed_on IS NULL), one row per label of its cell's
-- open org_link path (the cell itself included): the latest tree, as member_open_count (0033). It
-- answers for a day when the tree of that day is the latest tree (no link version begins or ends
-- after it, org_link_last_day); pipeline.List checks that and otherwise reads the cells as before.
-- Statement triggers on candidate_case and org_link keep it exact in the writing transaction: a case
-- opened, closed or moved to another cell, a link version opened or closed.
--
-- Bulk loads that bypass the triggers (the seed) call case_rebuild_open_ancestor() afterwards.

CREATE TABLE case_open_ancestor (
    ancestor_id  bigint NOT NULL,   -- a unit on the cell's path; not a foreign key: it follows org_link
    case_id      bigint NOT NULL,
    PRIMARY KEY (ancestor_id, case_id)
);
CREATE INDEX case_open_ancestor_case ON case_open_ancestor (case_id);

CREATE FUNCTION case_rebuild_open_ancestor() RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp SET work_mem = '256MB'
    AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(x'707464760001'::bigint);
    TRUNCATE case_open_ancestor;
    INSERT INTO case_open_ancestor (ancestor_id, case_id)
    SELECT lab::bigint, c.id
    FROM candidate_case c JOIN org_link l ON l.unit_id = c.cell_id AND l.valid_to IS NULL
    CROSS JOIN LATERAL unnest(string_to_array(l.path::text, '.')) AS lab
    WHERE c.closed_on IS NULL
    ORDER BY 1, 2;
END
$$;

-- case_open_ancestor_sql is the statement that adds the pairs (ancestor, case) of a query whose net
-- sign is +1 and removes those at -1, sorted: two transactions lock what they share in the same order.
-- (Text for the trigger functions to EXECUTE themselves: the transition tables exist only there.)
CREATE FUNCTION case_open_ancestor_sql(pairs text) RETURNS text
    LANGUAGE sql IMMUTABLE
    AS $f$ SELECT format($q$
        WITH p AS (%s),
        d AS (SELECT ancestor_id, case_id, sum(sign) AS s FROM p GROUP BY 1, 2 HAVING sum(sign) <> 0),
        gone AS (DELETE FROM case_open_ancestor a USING d
                 WHERE d.s < 0 AND a.ancestor_id = d.ancestor_id AND a.case_id = d.case_id)
        INSERT INTO case_open_ancestor (ancestor_id, case_id)
        SELECT ancestor_id, case_id FROM d WHERE s > 0 ORDER BY 1, 2$q$, pairs) $f$;

-- Case statements: + the new open rows' pairs with their cells' open links, - the old ones'. An update
-- that changes neither the cell nor whether the case is open (every step of a case) adds nothing.
CREATE FUNCTION case_open_ancestor_case_changed() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp SET jit = off
    AS $$
DECLARE
    c text := CASE TG_OP
        WHEN 'INSERT' THEN 'SELECT id, cell_id, 1 AS sign FROM new_cases WHERE closed_on IS NULL'
        WHEN 'DELETE' THEN 'SELECT id, cell_id, -1 AS sign FROM old_cases WHERE closed_on IS NULL'
        ELSE 'SELECT n.id, n.cell_id, 1 AS sign FROM new_cases n JOIN old_cases o ON o.id = n.id
                WHERE n.closed_on IS NULL AND (o.closed_on IS NOT NULL OR o.cell_id <> n.cell_id)
              UNION ALL
              SELECT o.id, o.cell_id, -1 FROM old_cases o JOIN new_cases n ON n.id = o.id
                WHERE o.closed_on IS NULL AND (n.closed_on IS NOT NULL OR o.cell_id <> n.cell_id)' END;
BEGIN
    PERFORM pg_advisory_xact_lock_shared(x'707464760001'::bigint);
    EXECUTE case_open_ancestor_sql(format($q$
        SELECT lab::bigint AS ancestor_id, c.id AS case_id, c.sign
        FROM (%s) c JOIN org_link l ON l.unit_id = c.cell_id AND l.valid_to IS NULL
        CROSS JOIN LATERAL unnest(string_to_array(l.path::text, '.')) AS lab$q$, c));
    RETURN NULL;
END
$$;

-- Link statements (package org, under its tree lock): + the new open versions with their cells' open
-- cases, - the old open versions'.
CREATE FUNCTION case_open_ancestor_link_changed() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp SET jit = off
    AS $$
DECLARE
    c text := open_links_sql(TG_OP);
BEGIN
    EXECUTE case_open_ancestor_sql(format($q$
        SELECT lab::bigint AS ancestor_id, k.id AS case_id, c.sign
        FROM (%s) c JOIN candidate_case k ON k.cell_id = c.unit_id AND k.closed_on IS NULL
        CROSS JOIN LATERAL unnest(string_to_array(c.path::text, '.')) AS lab$q$, c));
    RETURN NULL;
END
$$;

CREATE TRIGGER case_open_ancestor_insert AFTER INSERT ON candidate_case
    REFERENCING NEW TABLE AS new_cases FOR EACH STATEMENT EXECUTE FUNCTION case_open_ancestor_case_changed();
CREATE TRIGGER case_open_ancestor_delete AFTER DELETE ON candidate_case
    REFERENCING OLD TABLE AS old_cases FOR EACH STATEMENT EXECUTE FUNCTION case_open_ancestor_case_changed();
CREATE TRIGGER case_open_ancestor_update AFTER UPDATE ON candidate_case
    REFERENCING OLD TABLE AS old_cases NEW TABLE AS new_cases FOR EACH STATEMENT EXECUTE FUNCTION case_open_ancestor_case_changed();
CREATE TRIGGER case_open_ancestor_link_insert AFTER INSERT ON org_link
    REFERENCING NEW TABLE AS new_links FOR EACH STATEMENT EXECUTE FUNCTION case_open_ancestor_link_changed();
CREATE TRIGGER case_open_ancestor_link_update AFTER UPDATE ON org_link
    REFERENCING OLD TABLE AS old_links NEW TABLE AS new_links FOR EACH STATEMENT EXECUTE FUNCTION case_open_ancestor_link_changed();

SELECT case_rebuild_open_ancestor();
ANALYZE case_open_ancestor;

-- Only the triggers (and the schema owner) write it; the application reads it joined to candidate_case,
-- whose policies decide which cases it sees (the pairs alone name no one).
REVOKE EXECUTE ON FUNCTION case_rebuild_open_ancestor() FROM PUBLIC;
GRANT SELECT ON case_open_ancestor TO ptdv_app;
