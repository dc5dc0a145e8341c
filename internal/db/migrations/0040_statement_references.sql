-- 0040: the references that an import writes by the hundred thousand are checked once per statement,
-- not once per row (issue 17: a province's ten-year history must import in ≤ 30 s).
--
-- A foreign key checks each inserted row with its own query (an index probe and a FOR KEY SHARE lock
-- of the referenced row, through SPI: ≈ 5 µs). A province's import made 1.36 M of them: a case's
-- events, sponsors and dues pointing at the case (618,000), persons, unit histories, cases and
-- membership rows pointing at their person (480,000) and unit (525,000); a third of PostgreSQL's time
-- in the import. The rule stays the same and is enforced for every writer, the API and the owner
-- alike, by triggers in place of those constraints:
--
--   - on the referencing table, after every INSERT statement: the distinct keys of the statement's rows
--     are locked FOR KEY SHARE, as the foreign key locks each (so that a concurrent DELETE or change of
--     the key waits, or makes this check fail), and every one must be there; after an UPDATE that
--     changes the column, the same for the row (a row trigger with a WHEN, so that the updates that keep
--     the key, nearly all, cost nothing, as the foreign key skipped them);
--   - on the referenced table, after a DELETE or a change of id: no row may still point at a key gone
--     (NO ACTION, as the constraints were); after a TRUNCATE: the referencing tables must be empty (a
--     referenced table was only truncated with them).
--
-- The foreign key's check of a deletion also sees the references committed by transactions that its
-- own snapshot does not see (a crosscheck snapshot), which a trigger cannot: under REPEATABLE READ or
-- SERIALIZABLE a DELETE or key change of rows of a referenced table is refused outright. Nothing does
-- either: ptdv_app may not delete persons, units or cases, and their ids are identities.
--
-- The errors are those of a foreign key (SQLSTATE 23503, the constraint's name). Loads that disable
-- triggers (the seed) call ptdv_reference_validate() afterwards, as they validate the foreign keys
-- they drop and add again.

-- The references checked by statement: child.col points at parent.id (NULL: no reference).
CREATE TABLE statement_reference (
    name    text PRIMARY KEY,   -- the constraint's name, kept in errors
    child   text NOT NULL,
    col     text NOT NULL,
    parent  text NOT NULL,
    UNIQUE (child, col)
);
INSERT INTO statement_reference (name, child, col, parent) VALUES
    ('case_event_case_id_fkey',   'case_event',   'case_id', 'candidate_case'),
    ('case_sponsor_case_id_fkey', 'case_sponsor', 'case_id', 'candidate_case'),
    ('case_due_case_id_fkey',     'case_due',     'case_id', 'candidate_case'),
    ('case_sponsor_sponsor_id_fkey',       'case_sponsor',       'sponsor_id', 'person'),
    ('candidate_case_person_id_fkey',      'candidate_case',     'person_id',  'person'),
    ('candidate_case_cell_id_fkey',        'candidate_case',     'cell_id',    'org_unit'),
    ('candidate_case_helper_id_fkey',      'candidate_case',     'helper_id',  'person'),
    ('person_unit_id_fkey',                'person',             'unit_id',    'org_unit'),
    ('person_unit_person_id_fkey',         'person_unit',        'person_id',  'person'),
    ('person_unit_unit_id_fkey',           'person_unit',        'unit_id',    'org_unit'),
    ('member_event_person_id_fkey',        'member_event',       'person_id',  'person'),
    ('member_event_unit_id_fkey',          'member_event',       'unit_id',    'org_unit'),
    ('member_event_to_unit_id_fkey',       'member_event',       'to_unit_id', 'org_unit'),
    ('member_status_span_person_id_fkey',  'member_status_span', 'person_id',  'person'),
    ('member_status_span_unit_id_fkey',    'member_status_span', 'unit_id',    'org_unit');

-- The referencing side raises, for a statement's keys (some of which are missing), a foreign key's
-- error naming the first missing one.
CREATE FUNCTION ptdv_reference_missing(ref text, keys bigint[]) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
    r   statement_reference;
    bad bigint;
BEGIN
    SELECT * INTO STRICT r FROM statement_reference WHERE name = ref;
    EXECUTE format('SELECT k FROM unnest($1) k WHERE NOT EXISTS (SELECT 1 FROM %I p WHERE p.id = k) LIMIT 1', r.parent)
        INTO bad USING keys;
    RAISE EXCEPTION 'insert or update on table "%" violates foreign key constraint "%"', r.child, r.name
        USING ERRCODE = 'foreign_key_violation', TABLE = r.child, CONSTRAINT = r.name,
              DETAIL = format('Key (%s)=(%s) is not present in table "%s".', r.col, coalesce(bad::text, '?'), r.parent);
END
$$;

-- After an UPDATE that changed the column, the row's key (TG_ARGV: the reference's name, column and
-- parent table).
CREATE FUNCTION ptdv_reference_check_row() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp SET jit = off
AS $$
DECLARE
    k     bigint := (to_jsonb(NEW) ->> TG_ARGV[1])::bigint;
    there int;
BEGIN
    IF k IS NULL THEN
        RETURN NULL;
    END IF;
    EXECUTE format('SELECT 1 FROM %I p WHERE p.id = $1 FOR KEY SHARE OF p', TG_ARGV[2]) INTO there USING k;
    IF there IS NULL THEN
        RAISE EXCEPTION 'insert or update on table "%" violates foreign key constraint "%"', TG_TABLE_NAME, TG_ARGV[0]
            USING ERRCODE = 'foreign_key_violation', TABLE = TG_TABLE_NAME, CONSTRAINT = TG_ARGV[0],
                  DETAIL = format('Key (%s)=(%s) is not present in table "%s".', TG_ARGV[1], k, TG_ARGV[2]);
    END IF;
    RETURN NULL;
END
$$;

-- ptdv_reference_orphan returns a row of child whose col points at none of parent's rows, restricted
-- to the keys in gone when it is not NULL; NULL when there is none.
CREATE FUNCTION ptdv_reference_orphan(child text, col text, parent text, gone bigint[]) RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp SET jit = off
AS $$
DECLARE
    bad bigint;
BEGIN
    IF gone IS NULL THEN
        EXECUTE format('SELECT c.%1$I FROM %2$I c WHERE c.%1$I IS NOT NULL AND NOT EXISTS (SELECT 1 FROM %3$I p WHERE p.id = c.%1$I) LIMIT 1',
            col, child, parent) INTO bad;
    ELSE
        EXECUTE format('SELECT c.%1$I FROM %2$I c WHERE c.%1$I = ANY($1) AND NOT EXISTS (SELECT 1 FROM %3$I p WHERE p.id = c.%1$I) LIMIT 1',
            col, child, parent) INTO bad USING gone;
    END IF;
    RETURN bad;
END
$$;

-- The referenced side, after a DELETE (old_rows) or a change of id (a row trigger: OLD): the rows
-- still pointing at the keys gone.
CREATE FUNCTION ptdv_reference_kept() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp SET jit = off
AS $$
DECLARE
    gone bigint[];
    r    statement_reference;
    bad  bigint;
BEGIN
    IF TG_LEVEL = 'ROW' THEN
        gone := ARRAY[OLD.id];
    ELSE
        SELECT array_agg(id) INTO gone FROM old_rows;
    END IF;
    IF gone IS NULL THEN
        RETURN NULL;
    END IF;
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION 'rows of table "%" are deleted or change their id only under READ COMMITTED', TG_TABLE_NAME
            USING ERRCODE = 'serialization_failure', TABLE = TG_TABLE_NAME,
                  HINT = 'Its references are checked by triggers, which would not see those committed since the snapshot.';
    END IF;
    FOR r IN SELECT * FROM statement_reference WHERE parent = TG_TABLE_NAME ORDER BY name LOOP
        bad := ptdv_reference_orphan(r.child, r.col, r.parent, gone);
        IF bad IS NOT NULL THEN
            RAISE EXCEPTION 'update or delete on table "%" violates foreign key constraint "%" on table "%"', TG_TABLE_NAME, r.name, r.child
                USING ERRCODE = 'foreign_key_violation', TABLE = r.child, CONSTRAINT = r.name,
                      DETAIL = format('Key (id)=(%s) is still referenced from table "%s".', bad, r.child);
        END IF;
    END LOOP;
    RETURN NULL;
END
$$;

-- After a TRUNCATE of a referenced table, the tables pointing at it must be empty.
CREATE FUNCTION ptdv_reference_truncated() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
    r        statement_reference;
    nonempty boolean;
BEGIN
    FOR r IN SELECT * FROM statement_reference WHERE parent = TG_TABLE_NAME ORDER BY name LOOP
        EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I)', r.child) INTO nonempty;
        IF nonempty THEN
            RAISE EXCEPTION 'cannot truncate a table referenced in a foreign key constraint'
                USING ERRCODE = 'feature_not_supported', TABLE = r.child, CONSTRAINT = r.name,
                      DETAIL = format('Table "%s" references "%s".', r.child, TG_TABLE_NAME),
                      HINT = format('Truncate table "%s" at the same time.', r.child);
        END IF;
    END LOOP;
    RETURN NULL;
END
$$;

-- ptdv_reference_validate checks every reference over whole tables, as VALIDATE CONSTRAINT would.
CREATE FUNCTION ptdv_reference_validate() RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
    r   statement_reference;
    bad bigint;
BEGIN
    FOR r IN SELECT * FROM statement_reference ORDER BY name LOOP
        bad := ptdv_reference_orphan(r.child, r.col, r.parent, NULL);
        IF bad IS NOT NULL THEN
            RAISE EXCEPTION 'insert or update on table "%" violates foreign key constraint "%"', r.child, r.name
                USING ERRCODE = 'foreign_key_violation', TABLE = r.child, CONSTRAINT = r.name,
                      DETAIL = format('Key (%s)=(%s) is not present in table "%s".', r.col, bad, r.parent);
        END IF;
    END LOOP;
END
$$;
REVOKE EXECUTE ON FUNCTION ptdv_reference_orphan(text, text, text, bigint[]), ptdv_reference_validate(),
    ptdv_reference_missing(text, bigint[]) FROM PUBLIC;

-- The constraints give way to the triggers.
DO $do$
DECLARE
    r statement_reference;
    p text;
BEGIN
    FOR r IN SELECT * FROM statement_reference ORDER BY name LOOP
        EXECUTE format('ALTER TABLE %I DROP CONSTRAINT %I', r.child, r.name);
        -- After an INSERT, a function of the reference's own: the statement's distinct keys, then their
        -- parents locked and counted through the primary key. Static SQL with generic plans, kept for
        -- the session: a generic function's dynamic SQL, planned at every statement, added 0.1 ms to an
        -- API's one-row insert, custom plans of = ANY(keys) half of that (the foreign key cost ≈ 20 µs,
        -- this ≈ 50 µs). A generic plan is made once, with the table's size then: without enable_seqscan
        -- off, a plan made while the table was small scanned it whole, comparing each row with every key,
        -- once it had grown (an import's 15,000 units with each statement's 5,000 cells).
        EXECUTE format($f$CREATE FUNCTION %1$I() RETURNS trigger
            LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp SET jit = off
            SET plan_cache_mode = force_generic_plan SET enable_seqscan = off
        AS $b$
        DECLARE
            keys   bigint[];
            locked bigint;
        BEGIN
            SELECT array_agg(DISTINCT %2$I) INTO keys FROM new_rows WHERE %2$I IS NOT NULL;
            IF keys IS NULL THEN
                RETURN NULL;
            END IF;
            SELECT count(*) INTO locked FROM (SELECT 1 FROM %3$I p WHERE p.id = ANY(keys) FOR KEY SHARE OF p) l;
            IF locked < cardinality(keys) THEN
                PERFORM ptdv_reference_missing(%4$L, keys);
            END IF;
            RETURN NULL;
        END
        $b$$f$, 'ptdv_ref_' || r.name, r.col, r.parent, r.name);
        EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
                        EXECUTE FUNCTION %I()', r.name || '_insert', r.child, 'ptdv_ref_' || r.name);
        EXECUTE format('CREATE TRIGGER %I AFTER UPDATE OF %I ON %I FOR EACH ROW WHEN (OLD.%I IS DISTINCT FROM NEW.%I)
                        EXECUTE FUNCTION ptdv_reference_check_row(%L, %L, %L)', r.name || '_update', r.col, r.child, r.col, r.col,
                       r.name, r.col, r.parent);
    END LOOP;
    FOR p IN SELECT DISTINCT parent FROM statement_reference ORDER BY 1 LOOP
        EXECUTE format('CREATE TRIGGER ptdv_reference_delete AFTER DELETE ON %I REFERENCING OLD TABLE AS old_rows
                        FOR EACH STATEMENT EXECUTE FUNCTION ptdv_reference_kept()', p);
        EXECUTE format('CREATE TRIGGER ptdv_reference_key AFTER UPDATE OF id ON %I FOR EACH ROW
                        WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION ptdv_reference_kept()', p);
        EXECUTE format('CREATE TRIGGER ptdv_reference_truncate AFTER TRUNCATE ON %I
                        FOR EACH STATEMENT EXECUTE FUNCTION ptdv_reference_truncated()', p);
    END LOOP;
END
$do$;

SELECT ptdv_reference_validate();
