-- The database as the second lock for writes to terms and targets too (issue 12 §3). Targets and terms
-- hold no personal data, so everyone reads them (their scope on reads stays the application's, as for
-- the tree); but a write outside the actor's scope, through a forgotten check or injected SQL, is refused
-- by PostgreSQL itself: a commune's board cannot set, revise or hand down its sibling's or its
-- district's target, nor open a term for them.
--
-- ptdv_unit_writable is the rule of 0012's policies for one unit: the national scope, or the unit's link
-- today inside the actor's subtree, or a unit that no longer exists seen through its successors.
-- ENABLE without FORCE: the schema owner (migrations, the seed, the nightly write-back) is not bound.
CREATE FUNCTION ptdv_unit_writable(unit bigint) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
    SELECT public.ptdv_scope_all()
        OR EXISTS (SELECT 1 FROM public.org_link l WHERE l.unit_id = unit AND l.valid_from <= public.ptdv_day()
                   AND (l.valid_to IS NULL OR l.valid_to > public.ptdv_day()) AND l.path <@ public.ptdv_scope_path())
        OR unit IN (SELECT public.ptdv_visible_gone_units())
    $$;
COMMENT ON FUNCTION ptdv_unit_writable(bigint) IS
    'the actor (ptdv.scope) may write rows of this unit: national scope, the unit today inside the subtree, or a gone unit through its successors';

ALTER TABLE term ENABLE ROW LEVEL SECURITY;
CREATE POLICY read ON term FOR SELECT TO ptdv_app USING (true);
CREATE POLICY write ON term FOR INSERT TO ptdv_app WITH CHECK (ptdv_unit_writable(unit_id));

-- SELECT … FOR UPDATE of a target applies the UPDATE policy too: an out-of-scope target cannot even be
-- locked.
ALTER TABLE target ENABLE ROW LEVEL SECURITY;
CREATE POLICY read ON target FOR SELECT TO ptdv_app USING (true);
CREATE POLICY write ON target FOR INSERT TO ptdv_app WITH CHECK (ptdv_unit_writable(unit_id));
CREATE POLICY revise ON target FOR UPDATE TO ptdv_app USING (ptdv_unit_writable(unit_id)) WITH CHECK (ptdv_unit_writable(unit_id));

-- A revision follows its target.
ALTER TABLE target_revision ENABLE ROW LEVEL SECURITY;
CREATE POLICY read ON target_revision FOR SELECT TO ptdv_app USING (true);
CREATE POLICY write ON target_revision FOR INSERT TO ptdv_app
    WITH CHECK (EXISTS (SELECT 1 FROM target t WHERE t.id = target_revision.target_id AND ptdv_unit_writable(t.unit_id)));
