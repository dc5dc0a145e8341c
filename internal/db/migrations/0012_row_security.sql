-- The database is the second lock (issue 12 §3): row-level security on every table with personal data.
-- The application filters every query by the actor's scope (internal/auth); these policies apply the
-- same rule again inside PostgreSQL, so a forgotten filter, or injected SQL, reads and writes nothing
-- outside the scope.
--
-- The scope reaches the database as the transaction-local setting ptdv.scope, set by package db in
-- every transaction of a request (set_config('ptdv.scope', …, true)): 'all' for national scope (an
-- admin without a unit, and the binary's own jobs), else the materialized path of the actor's unit as
-- the tree stands today, or '' when that unit does not exist today. No setting (a pooled connection
-- between requests, a statement without an actor) is no rows.
--
-- The rule, the one auth.Scope.UnitFilter applies: a row's unit is visible when the unit's link valid
-- today has a path inside the actor's subtree; a unit that no longer exists is visible through its
-- lineage successors (org_lineage, transitively) that are visible. Tables without a unit column follow
-- their parent row (see the policies below). The audit trail has no unit: any actor may append to it,
-- only the national scope may read it.
--
-- The schema owner (migrations, the seed, the nightly snapshot and the SECURITY DEFINER caches) keeps
-- seeing every row: a superuser bypasses row security anyway, and a policy for the role that ran this
-- migration covers a non-superuser owner, which FORCE ROW LEVEL SECURITY would otherwise lock out.

-- ptdv_scope is the setting, NULL when unset or empty.
CREATE FUNCTION ptdv_scope() RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT nullif(current_setting('ptdv.scope', true), '') $$;

-- ptdv_scope_all: the national scope.
CREATE FUNCTION ptdv_scope_all() RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT coalesce(nullif(current_setting('ptdv.scope', true), '') = 'all', false) $$;

-- ptdv_scope_for returns the setting for an actor's unit (NULL: national): 'all', the unit's path
-- today, or '' when the unit does not exist today. Package db calls it when it opens a transaction.
CREATE FUNCTION ptdv_scope_for(unit bigint) RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
    SELECT CASE WHEN unit IS NULL THEN 'all' ELSE coalesce(
        (SELECT l.path::text FROM public.org_link l
         WHERE l.unit_id = unit AND l.valid_from <= current_date AND (l.valid_to IS NULL OR l.valid_to > current_date)), '') END
    $$;

-- ptdv_visible_units is the set of unit ids the scope covers (for a national scope, which the policies
-- test first, it is not computed): the units whose link valid today lies in the subtree, and the units
-- that no longer exist whose lineage leads, through any number of mergers and splits, to one of them.
-- A policy reads it as "unit_id IN (SELECT ptdv_visible_units())": a hashed subplan, computed once per
-- statement and probed per row. Per row, a function probing org_link cost 6 µs and, with its default
-- selectivity, misled the planner; the set costs ≈ 1 ms for a commune's subtree and ≈ 20 ms for a whole
-- province (15,600 units), once per statement. JIT is off: on a province its compilation alone took
-- 60 ms, for a query that runs in 20.
CREATE FUNCTION ptdv_visible_units() RETURNS SETOF bigint
    LANGUAGE sql STABLE PARALLEL SAFE ROWS 1000 SET jit = off
    AS $$
    WITH RECURSIVE alive AS (
        SELECT l.unit_id FROM public.org_link l
        WHERE l.path <@ nullif(current_setting('ptdv.scope', true), '')::public.ltree
          AND l.valid_from <= current_date AND (l.valid_to IS NULL OR l.valid_to > current_date)),
    gone(id) AS (
        SELECT g.predecessor_id FROM public.org_lineage g JOIN alive a ON g.successor_id = a.unit_id
        UNION
        SELECT g.predecessor_id FROM public.org_lineage g JOIN gone ON g.successor_id = gone.id)
    SELECT unit_id FROM alive
    UNION ALL
    SELECT id FROM gone WHERE NOT EXISTS (SELECT 1 FROM public.org_link l WHERE l.unit_id = gone.id
        AND l.valid_from <= current_date AND (l.valid_to IS NULL OR l.valid_to > current_date))
    $$;

-- ptdv_visible_units_ever adds, for the member status spans, the units that ever lay inside the
-- subtree as it was at any time, or inside a unit merged into the actor's: counts for past dates stay
-- with the unit as it was then (a commune's 2024 count keeps a cell that left in 2026, and a merged
-- commune counts its predecessors' members), the rule auth applies to counts.
CREATE FUNCTION ptdv_visible_units_ever() RETURNS SETOF bigint
    LANGUAGE sql STABLE PARALLEL SAFE ROWS 1000 SET jit = off
    AS $$
    WITH RECURSIVE me AS (
        SELECT ltree2text(subpath(s, nlevel(s) - 1))::bigint AS id
        FROM (SELECT nullif(current_setting('ptdv.scope', true), '')::public.ltree AS s) x WHERE s IS NOT NULL),
    lin(id) AS (
        SELECT id FROM me
        UNION
        SELECT g.predecessor_id FROM public.org_lineage g JOIN lin ON g.successor_id = lin.id
        WHERE NOT EXISTS (SELECT 1 FROM public.org_lineage o
                          WHERE o.predecessor_id = g.predecessor_id AND o.successor_id <> g.successor_id)),
    roots AS (SELECT DISTINCT l.path FROM public.org_link l WHERE l.unit_id IN (SELECT id FROM lin))
    SELECT l.unit_id FROM public.org_link l JOIN roots r ON l.path <@ r.path
    UNION
    SELECT ptdv_visible_units()
    $$;

-- ptdv_moved: the persons this transaction moved to another unit (trigger below). A board may hand a
-- person to a unit outside its scope (a transfer); the transaction that does it keeps seeing the person
-- and its records until it ends, so that it can finish the move (the unit history, the member spans, the
-- open case), and not a statement longer.
CREATE FUNCTION ptdv_moved() RETURNS bigint[]
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT string_to_array(nullif(current_setting('ptdv.moved', true), ''), ',')::bigint[] $$;

CREATE FUNCTION ptdv_note_moved() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    PERFORM set_config('ptdv.moved', coalesce(nullif(current_setting('ptdv.moved', true), '') || ',', '') || NEW.id, true);
    RETURN NEW;
END
$$;
-- BEFORE: the policies check the new row after BEFORE triggers.
CREATE TRIGGER ptdv_note_moved BEFORE UPDATE OF unit_id ON person
    FOR EACH ROW WHEN (OLD.unit_id IS DISTINCT FROM NEW.unit_id) EXECUTE FUNCTION ptdv_note_moved();

-- ptdv_national_id_taken tells whether another person holds a national ID, wherever that person is
-- (the unique index tells as much to any insert): package people then refuses the duplicate with the
-- same words for every unit out of scope, without reading the person.
CREATE FUNCTION ptdv_national_id_taken(nid text, self bigint) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
    AS $$ SELECT EXISTS (SELECT 1 FROM person WHERE national_id = nid AND id <> coalesce(self, 0)) $$;
-- The same for an import's national IDs at once: those held by someone.
CREATE FUNCTION ptdv_national_ids_taken(nids text[]) RETURNS SETOF text
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
    AS $$ SELECT national_id FROM person WHERE national_id = ANY(nids) $$;

-- Row security on the personal tables, one line each. A person and a case belong to their unit (cell)
-- of today; a person's unit history, positions, membership events and course places follow the person
-- (issue 12: individual records follow their current unit, for past dates too); a case's events,
-- sponsors, dues and reviews follow the case. The member status spans, which the counts read, follow
-- their unit as it was (ptdv_visible_units_ever). WITH CHECK is the same condition: a row may only
-- be written where it could be read.
ALTER TABLE person ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY scope ON person TO ptdv_app USING (ptdv_scope_all() OR unit_id IN (SELECT ptdv_visible_units()) OR id = ANY (ptdv_moved()));

ALTER TABLE person_unit ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY scope ON person_unit TO ptdv_app USING (ptdv_scope_all() OR EXISTS (SELECT 1 FROM person p WHERE p.id = person_id));

ALTER TABLE person_position ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY scope ON person_position TO ptdv_app USING (ptdv_scope_all() OR EXISTS (SELECT 1 FROM person p WHERE p.id = person_id));

ALTER TABLE member_event ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY scope ON member_event TO ptdv_app USING (ptdv_scope_all() OR EXISTS (SELECT 1 FROM person p WHERE p.id = person_id));

ALTER TABLE member_status_span ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY scope ON member_status_span TO ptdv_app USING (ptdv_scope_all() OR unit_id IN (SELECT ptdv_visible_units_ever()) OR EXISTS (SELECT 1 FROM person p WHERE p.id = person_id));

ALTER TABLE course_roster ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY scope ON course_roster TO ptdv_app USING (ptdv_scope_all() OR EXISTS (SELECT 1 FROM person p WHERE p.id = person_id));

ALTER TABLE candidate_case ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY scope ON candidate_case TO ptdv_app USING (ptdv_scope_all() OR cell_id IN (SELECT ptdv_visible_units()) OR person_id = ANY (ptdv_moved()));

ALTER TABLE case_event ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY scope ON case_event TO ptdv_app USING (ptdv_scope_all() OR EXISTS (SELECT 1 FROM candidate_case c WHERE c.id = case_id));

ALTER TABLE case_sponsor ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY scope ON case_sponsor TO ptdv_app USING (ptdv_scope_all() OR EXISTS (SELECT 1 FROM candidate_case c WHERE c.id = case_id));

ALTER TABLE case_due ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY scope ON case_due TO ptdv_app USING (ptdv_scope_all() OR EXISTS (SELECT 1 FROM candidate_case c WHERE c.id = case_id));

ALTER TABLE source_review ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY scope ON source_review TO ptdv_app USING (ptdv_scope_all() OR EXISTS (SELECT 1 FROM candidate_case c WHERE c.id = case_id));

-- The committee member responsible for a unit: the unit's record.
ALTER TABLE unit_responsible ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY scope ON unit_responsible TO ptdv_app USING (ptdv_scope_all() OR unit_id IN (SELECT ptdv_visible_units()));

-- The audit trail names no unit: every actor appends, the national scope reads.
ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY read_national ON audit_log FOR SELECT TO ptdv_app USING (ptdv_scope_all());
CREATE POLICY append ON audit_log FOR INSERT TO ptdv_app WITH CHECK (ptdv_scope() IS NOT NULL);

-- The owner sees and writes everything (see above).
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['person', 'person_unit', 'person_position', 'member_event', 'member_status_span',
        'candidate_case', 'case_event', 'case_sponsor', 'case_due', 'source_review', 'course_roster',
        'unit_responsible', 'audit_log']
    LOOP
        EXECUTE format('CREATE POLICY owner ON %I TO %I USING (true) WITH CHECK (true)', t, current_user);
    END LOOP;
END
$$;

REVOKE EXECUTE ON FUNCTION ptdv_national_id_taken(text, bigint), ptdv_national_ids_taken(text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ptdv_scope(), ptdv_scope_all(), ptdv_scope_for(bigint), ptdv_visible_units(), ptdv_visible_units_ever(), ptdv_moved(),
    ptdv_national_id_taken(text, bigint), ptdv_national_ids_taken(text[]) TO ptdv_app;
