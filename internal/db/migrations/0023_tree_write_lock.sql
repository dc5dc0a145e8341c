-- The database as the second lock for writes to the tree (issue 12 §3): units, their names, parent
-- links and lineage, villages and the cells that cover them. Everyone reads the tree (it holds no
-- personal data; the scope of reads stays the application's, internal/auth); a write that would change
-- a unit outside the actor's scope, or place a unit outside it, is refused by PostgreSQL itself.
--
-- ptdv_tree_writable(unit): the rule of ptdv_unit_writable (0022: national scope, the unit today inside
-- the subtree, a gone unit through its successors), or, for a unit without a link valid today (created
-- with a later date, or in this very transaction before its link), every link it has lies strictly
-- below the actor's unit.
-- ptdv_below_actor(path): a link's path lies strictly below the actor's unit (the actor's own link is
-- not its own to rewrite: a commune's board cannot move or end its commune).
-- ENABLE without FORCE: the schema owner (migrations, the seed, the unit import's national runs through
-- the owner) is not bound.
-- ptdv_unit_writable (0022) again, as PL/pgSQL: the national scope returns at once and the lineage is
-- walked only for a unit without a link today in the subtree. As a SQL function it was not inlined into
-- the policies and cost 0.4 ms a row even for the national scope (the sample's bulk load of the tree
-- slowed from seconds to minutes).
CREATE OR REPLACE FUNCTION ptdv_unit_writable(unit bigint) RETURNS boolean
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    AS $$
BEGIN
    IF public.ptdv_scope_all() THEN
        RETURN true;
    END IF;
    IF public.ptdv_scope_path() IS NULL THEN
        RETURN false;
    END IF;
    IF EXISTS (SELECT 1 FROM public.org_link l WHERE l.unit_id = unit AND l.valid_from <= public.ptdv_day()
               AND (l.valid_to IS NULL OR l.valid_to > public.ptdv_day()) AND l.path <@ public.ptdv_scope_path()) THEN
        RETURN true;
    END IF;
    IF EXISTS (SELECT 1 FROM public.org_link l WHERE l.unit_id = unit AND l.valid_from <= public.ptdv_day()
               AND (l.valid_to IS NULL OR l.valid_to > public.ptdv_day())) THEN
        RETURN false; -- exists today, elsewhere
    END IF;
    RETURN unit IN (SELECT public.ptdv_visible_gone_units());
END
$$;

CREATE FUNCTION ptdv_below_actor(p public.ltree) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
    SELECT public.ptdv_scope_all() OR coalesce(
        p ~ ('*.' || public.ltree2text(public.subpath(public.ptdv_scope_path(), public.nlevel(public.ptdv_scope_path()) - 1)) || '.*{1,}')::public.lquery,
        false)
    $$;

CREATE FUNCTION ptdv_tree_writable(unit bigint) RETURNS boolean
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    AS $$
BEGIN
    IF public.ptdv_scope_all() THEN
        RETURN true;
    END IF;
    IF public.ptdv_unit_writable(unit) THEN
        RETURN true;
    END IF;
    RETURN NOT EXISTS (SELECT 1 FROM public.org_link l WHERE l.unit_id = unit AND l.valid_from <= public.ptdv_day()
                       AND (l.valid_to IS NULL OR l.valid_to > public.ptdv_day()))
       AND NOT EXISTS (SELECT 1 FROM public.org_link l WHERE l.unit_id = unit AND NOT public.ptdv_below_actor(l.path));
END
$$;
COMMENT ON FUNCTION ptdv_tree_writable(bigint) IS
    'the actor (ptdv.scope) may change this unit: ptdv_unit_writable, or a unit without a link today whose links all lie below the actor''s unit';

-- org_unit: a new unit has no link yet (its link, checked below, places it); changing one (its end)
-- needs the unit writable.
ALTER TABLE org_unit ENABLE ROW LEVEL SECURITY;
CREATE POLICY read ON org_unit FOR SELECT TO ptdv_app USING (true);
CREATE POLICY insert_in_scope ON org_unit FOR INSERT TO ptdv_app WITH CHECK (true);
CREATE POLICY update_in_scope ON org_unit FOR UPDATE TO ptdv_app USING (ptdv_tree_writable(id)) WITH CHECK (ptdv_tree_writable(id));

ALTER TABLE org_unit_name ENABLE ROW LEVEL SECURITY;
CREATE POLICY read ON org_unit_name FOR SELECT TO ptdv_app USING (true);
CREATE POLICY insert_in_scope ON org_unit_name FOR INSERT TO ptdv_app WITH CHECK (ptdv_tree_writable(unit_id));
CREATE POLICY update_in_scope ON org_unit_name FOR UPDATE TO ptdv_app USING (ptdv_tree_writable(unit_id)) WITH CHECK (ptdv_tree_writable(unit_id));

-- A link: the unit writable, and its place strictly below the actor's unit.
ALTER TABLE org_link ENABLE ROW LEVEL SECURITY;
CREATE POLICY read ON org_link FOR SELECT TO ptdv_app USING (true);
CREATE POLICY insert_in_scope ON org_link FOR INSERT TO ptdv_app WITH CHECK (ptdv_tree_writable(unit_id) AND ptdv_below_actor(path));
CREATE POLICY update_in_scope ON org_link FOR UPDATE TO ptdv_app USING (ptdv_tree_writable(unit_id)) WITH CHECK (ptdv_below_actor(path));

ALTER TABLE org_lineage ENABLE ROW LEVEL SECURITY;
CREATE POLICY read ON org_lineage FOR SELECT TO ptdv_app USING (true);
CREATE POLICY insert_in_scope ON org_lineage FOR INSERT TO ptdv_app WITH CHECK (ptdv_tree_writable(predecessor_id) AND ptdv_tree_writable(successor_id));

-- Villages belong to a commune, their covering cell to the commune's subtree.
ALTER TABLE village ENABLE ROW LEVEL SECURITY;
CREATE POLICY read ON village FOR SELECT TO ptdv_app USING (true);
CREATE POLICY insert_in_scope ON village FOR INSERT TO ptdv_app WITH CHECK (ptdv_tree_writable(commune_id));
CREATE POLICY update_in_scope ON village FOR UPDATE TO ptdv_app USING (ptdv_tree_writable(commune_id)) WITH CHECK (ptdv_tree_writable(commune_id));

ALTER TABLE village_cell ENABLE ROW LEVEL SECURITY;
CREATE POLICY read ON village_cell FOR SELECT TO ptdv_app USING (true);
CREATE POLICY insert_in_scope ON village_cell FOR INSERT TO ptdv_app WITH CHECK (ptdv_tree_writable(cell_id));
CREATE POLICY update_in_scope ON village_cell FOR UPDATE TO ptdv_app USING (ptdv_tree_writable(cell_id)) WITH CHECK (ptdv_tree_writable(cell_id));
