-- 0035: a unit's descendants by kind on the latest tree, one probe instead of its whole subtree. A
-- province board's unit page counted Hà Nội's 26,605 descendants by kind from their links and units
-- (≈ 85 ms at national size, on every page view).
--
-- org_open_count holds, for every unit and kind, the units of that kind strictly below it on the latest
-- tree (their open org_link versions: one count per label of a link's path but its own). Package org
-- reads it for a day whose tree is the latest (no link version begins or ends after it: the maximum of
-- org_link_last_day, migration 0033) and otherwise counts the links of the day. Statement triggers on
-- org_link keep it exact in the writing transaction; a unit's kind never changes.
--
-- Bulk loads that bypass the triggers (the seed) call org_rebuild_open_count() afterwards.

CREATE TABLE org_open_count (
    ancestor_id  bigint NOT NULL,   -- a unit on the path; not a foreign key: it follows org_link
    kind         text   NOT NULL,   -- org_unit.kind of the units counted
    n            int    NOT NULL,   -- may be 0 once they have moved or ended
    PRIMARY KEY (ancestor_id, kind)
);

CREATE FUNCTION org_rebuild_open_count() RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp SET work_mem = '256MB'
    AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(x'707464760001'::bigint);
    TRUNCATE org_open_count;
    INSERT INTO org_open_count (ancestor_id, kind, n)
    SELECT lab::bigint, u.kind, count(*)
    FROM org_link l JOIN org_unit u ON u.id = l.unit_id
    CROSS JOIN LATERAL unnest(string_to_array(l.path::text, '.')) AS lab
    WHERE l.valid_to IS NULL AND lab::bigint <> l.unit_id
    GROUP BY 1, 2;
END
$$;

-- Link statements: + the new open versions, - the old open versions, per label but the unit's own.
-- Sorted upsert: two transactions lock the rows they share in the same order.
CREATE FUNCTION org_open_count_link_changed() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp SET jit = off
    AS $$
DECLARE
    c text := open_links_sql(TG_OP);
BEGIN
    EXECUTE format($q$
        WITH c AS (%s),
        d AS (
            SELECT lab::bigint AS ancestor_id, u.kind, sum(c.sign)::int AS n
            FROM c JOIN org_unit u ON u.id = c.unit_id
            CROSS JOIN LATERAL unnest(string_to_array(c.path::text, '.')) AS lab
            WHERE lab::bigint <> c.unit_id
            GROUP BY 1, 2 HAVING sum(c.sign) <> 0)
        INSERT INTO org_open_count AS m (ancestor_id, kind, n)
        SELECT ancestor_id, kind, n FROM d ORDER BY ancestor_id, kind
        ON CONFLICT (ancestor_id, kind) DO UPDATE SET n = m.n + excluded.n$q$, c);
    RETURN NULL;
END
$$;

CREATE TRIGGER org_open_count_link_insert AFTER INSERT ON org_link
    REFERENCING NEW TABLE AS new_links FOR EACH STATEMENT EXECUTE FUNCTION org_open_count_link_changed();
CREATE TRIGGER org_open_count_link_update AFTER UPDATE ON org_link
    REFERENCING OLD TABLE AS old_links NEW TABLE AS new_links FOR EACH STATEMENT EXECUTE FUNCTION org_open_count_link_changed();

SELECT org_rebuild_open_count();
ANALYZE org_open_count;

-- Only the triggers (and the schema owner) write it; everyone reads the tree (it holds no personal data).
REVOKE EXECUTE ON FUNCTION org_rebuild_open_count() FROM PUBLIC;
GRANT SELECT ON org_open_count TO ptdv_app;
