-- 0030: person_unit's overlap check (migration 0008) in one pass. The statement trigger probed each
-- person of the statement with a lateral join of the person's rows against their later rows (two index
-- scans and a subquery a person: ≈ 4.7 s of the 120,000 person_unit rows of a province's import, with
-- the inserts themselves). The rule is the same: sorted by valid_from, a person's rows overlap when one
-- of them reaches past the start of some later one, which is when one reaches past the start of the
-- next one (the rows' starts are distinct: the primary key is (person_id, valid_from)). So each of the
-- statement's persons is read once, in key order, and each row compared with the next (lead).
CREATE OR REPLACE FUNCTION person_unit_no_overlap() RETURNS trigger
    LANGUAGE plpgsql SET search_path = public, pg_temp SET jit = off
AS $$
DECLARE
    bad bigint;
BEGIN
    SELECT u.person_id INTO bad
    FROM (SELECT a.person_id, a.valid_to,
                 lead(a.valid_from) OVER (PARTITION BY a.person_id ORDER BY a.valid_from) AS next_from
          FROM person_unit a WHERE a.person_id IN (SELECT c.person_id FROM changed c)) u
    WHERE u.next_from IS NOT NULL AND (u.valid_to IS NULL OR u.valid_to > u.next_from)
    LIMIT 1;
    IF bad IS NOT NULL THEN
        RAISE EXCEPTION 'person_unit: the unit history of person % overlaps', bad
            USING ERRCODE = 'exclusion_violation', TABLE = 'person_unit', DETAIL = format('person_id=%s', bad);
    END IF;
    RETURN NULL;
END
$$;
