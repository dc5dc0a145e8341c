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

-- ptdv_day: the day the tree is read, as the application's scope has it (auth.Scope.On: the request's
-- day in Vietnam), set with the scope as ptdv.day; without it, today in Vietnam. Never the server's
-- current_date: its time zone is not Vietnam's, and a scope resolved for another day must read that
-- day's tree in both keys.
CREATE FUNCTION ptdv_day() RETURNS date
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT coalesce(nullif(current_setting('ptdv.day', true), '')::date, (now() AT TIME ZONE 'Asia/Ho_Chi_Minh')::date) $$;

-- ptdv_scope_all: the national scope.
CREATE FUNCTION ptdv_scope_all() RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT coalesce(nullif(current_setting('ptdv.scope', true), '') = 'all', false) $$;

-- ptdv_scope_for returns the setting for an actor's unit (NULL: national): 'all', the unit's path
-- today, or '' when the unit does not exist today. Package db calls it when it opens a transaction.
CREATE FUNCTION ptdv_scope_for(unit bigint, day date) RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
    SELECT CASE WHEN unit IS NULL THEN 'all' ELSE coalesce(
        (SELECT l.path::text FROM public.org_link l
         WHERE l.unit_id = unit AND l.valid_from <= day AND (l.valid_to IS NULL OR l.valid_to > day)), '') END
    $$;

-- ptdv_scope_path: the subtree's path, NULL without a scope.
CREATE FUNCTION ptdv_scope_path() RETURNS public.ltree
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT nullif(current_setting('ptdv.scope', true), '')::public.ltree $$;

-- The rule in the policies is an EXISTS on org_link (see ptdv_policy below): the planner probes the
-- index org_link_today once per row for a page of rows, or hashes the subtree's units once for a count
-- over many. A PL/pgSQL function probing per row cost 6 µs a row (1.5 s to count a province's
-- persons) and, with its default selectivity, misled the planner; a set of the subtree's units
-- computed in every statement cost 20-60 ms for a province, even to read one row.
CREATE INDEX org_link_today ON org_link (unit_id) INCLUDE (path, valid_from, valid_to);

-- ptdv_visible_gone_units: the units that no longer exist and whose lineage leads, through any number
-- of mergers and splits, to a unit that exists today inside the subtree. Computed from the lineage
-- (a few hundred rows in a province), never from the whole subtree.
CREATE FUNCTION ptdv_visible_gone_units() RETURNS SETOF bigint
    LANGUAGE sql STABLE PARALLEL SAFE ROWS 10 SET jit = off
    AS $$
    WITH RECURSIVE gone(id) AS (
        SELECT g.predecessor_id FROM public.org_lineage g JOIN public.org_link l ON l.unit_id = g.successor_id
        WHERE l.valid_from <= public.ptdv_day() AND (l.valid_to IS NULL OR l.valid_to > public.ptdv_day()) AND l.path <@ public.ptdv_scope_path()
        UNION
        SELECT g.predecessor_id FROM public.org_lineage g JOIN gone ON g.successor_id = gone.id)
    SELECT id FROM gone WHERE NOT EXISTS (SELECT 1 FROM public.org_link l WHERE l.unit_id = gone.id
        AND l.valid_from <= public.ptdv_day() AND (l.valid_to IS NULL OR l.valid_to > public.ptdv_day()))
    $$;

-- ptdv_visible_units_ever: for the member status spans, also the units that ever lay inside the
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

-- ptdv_national_id_holder returns the id of another person holding a national ID, wherever that person
-- is (NULL: nobody; the unique index tells as much to any insert): package people then refuses the
-- duplicate with the same words for every unit out of scope, without reading the person, and keeps
-- the id in the audit row of the attempt, for an investigator (never in the answer).
CREATE FUNCTION ptdv_national_id_holder(nid text, self bigint) RETURNS bigint
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
    AS $$ SELECT id FROM person WHERE national_id = nid AND id <> coalesce(self, 0) $$;
-- The same for an import's national IDs at once: those held by someone.
CREATE FUNCTION ptdv_national_ids_taken(nids text[]) RETURNS SETOF text
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
    AS $$ SELECT national_id FROM person WHERE national_id = ANY(nids) $$;

-- Row security on the personal tables, one call each. A person and a case belong to their unit (cell)
-- of today; a person's unit history, positions, membership events and course places follow the person
-- (issue 12: individual records follow their current unit, for past dates too); a case's events,
-- sponsors, dues and reviews follow the case. The member status spans, which the counts read, follow
-- their unit as it was (ptdv_visible_units_ever). WITH CHECK is the same condition: a row may only
-- be written where it could be read.
-- ptdv_policy creates the policy "scope" on a table whose rows belong to the unit in column col: the
-- national scope, or the unit's link today inside the subtree, or a gone unit seen through its
-- successors, or what extra adds.
CREATE FUNCTION pg_temp.ptdv_policy(t text, col text, extra text DEFAULT '') RETURNS void
    LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY', t);
    EXECUTE format($p$CREATE POLICY scope ON %1$I TO ptdv_app USING (ptdv_scope_all()
        OR EXISTS (SELECT 1 FROM org_link l WHERE l.unit_id = %1$I.%2$I AND l.valid_from <= public.ptdv_day()
                   AND (l.valid_to IS NULL OR l.valid_to > public.ptdv_day()) AND l.path <@ ptdv_scope_path())
        OR %1$I.%2$I IN (SELECT ptdv_visible_gone_units())%3$s)$p$, t, col, extra);
END
$$;
-- ptdv_follow: rows that follow a parent row (a person, a case), visible with it.
CREATE FUNCTION pg_temp.ptdv_follow(t text, parent text, col text, extra text DEFAULT '') RETURNS void
    LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY scope ON %1$I TO ptdv_app USING (ptdv_scope_all() OR EXISTS (SELECT 1 FROM %2$I x WHERE x.id = %1$I.%3$I)%4$s)',
        t, parent, col, extra);
END
$$;

SELECT pg_temp.ptdv_policy('person', 'unit_id', ' OR person.id = ANY (ptdv_moved())');
SELECT pg_temp.ptdv_policy('candidate_case', 'cell_id', ' OR candidate_case.person_id = ANY (ptdv_moved())');
SELECT pg_temp.ptdv_policy('unit_responsible', 'unit_id');
SELECT pg_temp.ptdv_follow('person_unit', 'person', 'person_id');
SELECT pg_temp.ptdv_follow('person_position', 'person', 'person_id');
SELECT pg_temp.ptdv_follow('member_event', 'person', 'person_id');
SELECT pg_temp.ptdv_follow('course_roster', 'person', 'person_id');
-- The spans: their unit as it was first (one set per statement: a province's member count reads 230,000
-- spans, and a probe of the person for each took 6 s), then their person (a transfer's receiver rewrites
-- all of the person's spans). The person's check is rare, and a function declared cheap: as a subplan
-- its estimated cost per row turned the count's hash join into a nested loop three times slower.
CREATE FUNCTION ptdv_person_visible(p bigint) RETURNS boolean
    LANGUAGE sql STABLE COST 1
    AS $$ SELECT EXISTS (SELECT 1 FROM public.person x WHERE x.id = p) $$;
ALTER TABLE member_status_span ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY scope ON member_status_span TO ptdv_app
    USING (ptdv_scope_all() OR unit_id IN (SELECT ptdv_visible_units_ever()) OR ptdv_person_visible(person_id));
SELECT pg_temp.ptdv_follow('case_event', 'candidate_case', 'case_id');
SELECT pg_temp.ptdv_follow('case_sponsor', 'candidate_case', 'case_id');
SELECT pg_temp.ptdv_follow('case_due', 'candidate_case', 'case_id');
SELECT pg_temp.ptdv_follow('source_review', 'candidate_case', 'case_id');

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

REVOKE EXECUTE ON FUNCTION ptdv_national_id_holder(text, bigint), ptdv_national_ids_taken(text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ptdv_scope(), ptdv_scope_all(), ptdv_scope_for(bigint, date), ptdv_day(), ptdv_scope_path(), ptdv_visible_gone_units(),
    ptdv_visible_units_ever(), ptdv_person_visible(bigint), ptdv_moved(),
    ptdv_national_id_holder(text, bigint), ptdv_national_ids_taken(text[]) TO ptdv_app;
