-- 0005: terms and targets: term, annual and quarterly targets handed down the hierarchy, their revisions,
-- and the trigger-maintained cache that makes live progress (admissions counted by decision date in a
-- subtree as it stood on each decision date) one index range scan per unit. See package internal/target.
--
-- Dates of terms and target periods are civil dates and, unlike validity intervals, both ends are
-- inclusive: a period is "from starts_on to ends_on" as a report writes it ("từ ngày 01/01/2021 đến ngày
-- 31/12/2021").

-- Rules as data: what a target may measure. kinds lists the allowed target kinds; live_progress says
-- whether package target computes progress for the measure (admissions today; the composition measures
-- are recorded and handed down, their progress comes later from villages and positions).
CREATE TABLE target_measure (
    code           text PRIMARY KEY CHECK (code ~ '^[a-z][a-z0-9_]{0,63}$'),
    rank           int  NOT NULL,
    label_vi       text NOT NULL,
    label_en       text NOT NULL,
    kinds          text[] NOT NULL CHECK (kinds <@ ARRAY['count', 'rate'] AND cardinality(kinds) > 0),
    live_progress  bool NOT NULL,
    source         text NOT NULL DEFAULT ''
);

INSERT INTO target_measure (code, rank, label_vi, label_en, kinds, live_progress, source) VALUES
    ('admissions',                        1, 'Kết nạp đảng viên mới',                          'New members admitted',
        '{count,rate}', true,  'Nghị quyết đại hội các cấp; Chỉ thị 13-CT/TU Bình Định (trên 4 %/năm); nghị quyết toàn quốc 3–4 %/năm'),
    ('village_heads_members_pct',         2, 'Tỷ lệ trưởng thôn, tổ trưởng tổ dân phố là đảng viên', 'Share of village heads who are members',
        '{rate}',       false, 'Thành ủy Pleiku: 100 % trưởng thôn là đảng viên'),
    ('villages_with_cell_pct',            3, 'Tỷ lệ thôn, tổ dân phố có chi bộ',               'Share of villages with a cell',
        '{rate}',       false, 'Thành ủy Pleiku: 100 % thôn, tổ dân phố có chi bộ; xóa thôn "trắng" đảng viên'),
    ('village_cells_with_committee_pct',  4, 'Tỷ lệ chi bộ thôn, tổ dân phố có chi ủy',        'Share of village cells with a cell committee',
        '{rate}',       false, 'Thành ủy Pleiku: trên 60 % chi bộ thôn, làng, tổ dân phố có cấp ủy');

-- The denominator of a rate target, per measure. For admissions the only base is the member total of the
-- unit's subtree at the end of the year before the period starts (Bình Định: "trên 4 % tổng số đảng
-- viên"; DOMAIN.md, Targets).
CREATE TABLE target_rate_base (
    code      text PRIMARY KEY CHECK (code ~ '^[a-z][a-z0-9_]{0,63}$'),
    measure   text NOT NULL REFERENCES target_measure,
    label_vi  text NOT NULL,
    label_en  text NOT NULL,
    note      text NOT NULL DEFAULT ''
);

INSERT INTO target_rate_base (code, measure, label_vi, label_en, note) VALUES
    ('members_end_of_previous_year', 'admissions', 'Tổng số đảng viên đến 31/12 năm trước', 'Members on 31 December of the previous year',
        'Đảng viên (dự bị, chính thức, miễn sinh hoạt, sinh hoạt tạm thời nơi khác) của tổ chức và cấp dưới, theo cây tổ chức ngày 31/12 của năm trước năm bắt đầu kỳ.'),
    ('village_heads',   'village_heads_members_pct',        'Số trưởng thôn, tổ trưởng tổ dân phố', 'Village and residential group heads', ''),
    ('villages',        'villages_with_cell_pct',           'Số thôn, tổ dân phố',                  'Villages and residential groups', ''),
    ('village_cells',   'village_cells_with_committee_pct', 'Số chi bộ thôn, tổ dân phố',           'Village cells', '');

-- A unit's term (nhiệm kỳ), from the congress that opened it to its last day. Terms of one unit never
-- overlap; a unit's term has its own dates (congresses fall on different days).
CREATE TABLE term (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    unit_id            bigint NOT NULL REFERENCES org_unit,
    name               text   NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),   -- 'Nhiệm kỳ 2020–2025'
    starts_on          date   NOT NULL,
    ends_on            date   NOT NULL,                   -- the last day of the term, inclusive
    congress_document  text   NOT NULL DEFAULT '',        -- the congress resolution
    recorded_by        text   NOT NULL,
    recorded_at        timestamptz NOT NULL DEFAULT now(),
    CHECK (ends_on > starts_on),
    EXCLUDE USING gist (unit_id WITH =, daterange(starts_on, ends_on, '[]') WITH &&)
);

-- A target of one unit for one measure and period. The row caches the current values of its latest
-- revision (target_revision), updated in the same transaction. parent_target_id: the target it was
-- handed down from.
CREATE TABLE target (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    unit_id           bigint NOT NULL REFERENCES org_unit,
    measure           text   NOT NULL REFERENCES target_measure,
    period_kind       text   NOT NULL CHECK (period_kind IN ('term', 'year', 'quarter')),
    period_start      date   NOT NULL,
    period_end        date   NOT NULL,                    -- inclusive
    term_id           bigint REFERENCES term,
    kind              text   NOT NULL CHECK (kind IN ('count', 'rate')),
    count_value       int    CHECK (count_value >= 0),
    rate_value        numeric(6, 3) CHECK (rate_value >= 0 AND rate_value <= 100),   -- percent: 4.0 = 4 %
    rate_base         text   REFERENCES target_rate_base,
    parent_target_id  bigint REFERENCES target,
    note              text   NOT NULL DEFAULT '',
    revision          int    NOT NULL DEFAULT 1,
    created_by        text   NOT NULL,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    CHECK (period_end >= period_start),
    CHECK ((period_kind = 'term') = (term_id IS NOT NULL)),
    CHECK (period_kind <> 'year' OR (period_start = date_trunc('year', period_start::timestamp)::date
                                     AND period_end = (date_trunc('year', period_start::timestamp) + interval '1 year - 1 day')::date)),
    CHECK (period_kind <> 'quarter' OR (period_start = date_trunc('quarter', period_start::timestamp)::date
                                        AND period_end = (date_trunc('quarter', period_start::timestamp) + interval '3 months - 1 day')::date)),
    CHECK ((kind = 'count' AND count_value IS NOT NULL AND rate_value IS NULL AND rate_base IS NULL)
        OR (kind = 'rate' AND count_value IS NULL AND rate_value IS NOT NULL AND rate_base IS NOT NULL)),
    CHECK (parent_target_id IS DISTINCT FROM id),
    UNIQUE (unit_id, measure, period_kind, period_start, period_end)
);
CREATE INDEX target_parent ON target (parent_target_id) WHERE parent_target_id IS NOT NULL;
CREATE INDEX target_term ON target (term_id) WHERE term_id IS NOT NULL;

-- Every version of a target's values: append-only. Revision 1 is the creation.
CREATE TABLE target_revision (
    target_id         bigint NOT NULL REFERENCES target,
    revision          int    NOT NULL CHECK (revision >= 1),
    kind              text   NOT NULL CHECK (kind IN ('count', 'rate')),
    count_value       int,
    rate_value        numeric(6, 3),
    rate_base         text   REFERENCES target_rate_base,
    parent_target_id  bigint REFERENCES target,
    note              text   NOT NULL DEFAULT '',
    reason            text   NOT NULL DEFAULT '',
    recorded_by       text   NOT NULL,
    recorded_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (target_id, revision)
);

-- Live progress counts admissions (member_event of kind admitted or readmitted) by decision date, in a
-- subtree as it stood on each decision date. admission_ancestor holds, for every admission, one row per
-- unit on the path of the event's unit on the decision date (the unit itself included): "the admissions
-- of X's subtree decided in [a, b)" is then one index range scan on (X, date), whatever the tree did
-- before or since. It is a cache of member_event and org_link, kept in step by the triggers below in the
-- transaction of every write to either (package member records events; package org rewrites link versions
-- on every move, merge and split), so those packages need not know of it. The admission date is the
-- decision date, else (an imported record without one) the ceremony. The path is the link valid on that
-- date; for a unit created after the decision (the records went to a new cell before the ceremony), its
-- first link.
--
-- Bulk loads that bypass the triggers (session_replication_role = replica, or DISABLE TRIGGER) call
-- target_rebuild_admissions() once the rows and indexes are in.
CREATE TABLE admission_ancestor (
    ancestor_id  bigint NOT NULL,   -- a unit on the path; not a foreign key: the cache follows org_link
    decided      date   NOT NULL,
    event_id     bigint NOT NULL,
    unit_id      bigint NOT NULL,   -- the event's unit, to refresh its rows when its links change
    PRIMARY KEY (ancestor_id, decided, event_id)
);
CREATE INDEX admission_ancestor_unit ON admission_ancestor (unit_id);

-- The refresh finds a unit's admission events through this index.
CREATE INDEX member_event_admission ON member_event (unit_id) WHERE kind IN ('admitted', 'readmitted');

-- The rows of a set of admissions are written by joins, not a lookup per event, so that a large statement
-- (an import) is as cheap as the rebuild. The three copies below differ only in the events they read.
--
-- target_refresh_admissions rewrites the rows of every admission of the given units.
CREATE FUNCTION target_refresh_admissions(units bigint[]) RETURNS void
    LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp
    AS $$
    DELETE FROM admission_ancestor WHERE unit_id = ANY(units);
    WITH e AS (
        SELECT e.id, e.unit_id, coalesce(e.decision_date, e.effective) AS decided FROM member_event e
        WHERE e.unit_id = ANY(units) AND e.kind IN ('admitted', 'readmitted')),
    p AS (
        SELECT DISTINCT ON (e.id) e.id, e.unit_id, e.decided, l.path
        FROM e JOIN org_link l ON l.unit_id = e.unit_id AND (l.valid_to IS NULL OR l.valid_to > e.decided)
        ORDER BY e.id, l.valid_from <= e.decided DESC, l.valid_from)
    INSERT INTO admission_ancestor (ancestor_id, decided, event_id, unit_id)
    SELECT lab::bigint, p.decided, p.id, p.unit_id FROM p CROSS JOIN LATERAL unnest(string_to_array(p.path::text, '.')) AS lab;
    $$;

-- target_rebuild_admissions rebuilds the whole cache.
CREATE FUNCTION target_rebuild_admissions() RETURNS void
    LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp
    AS $$
    TRUNCATE admission_ancestor;
    WITH e AS (
        SELECT e.id, e.unit_id, coalesce(e.decision_date, e.effective) AS decided FROM member_event e
        WHERE e.kind IN ('admitted', 'readmitted')),
    p AS (
        SELECT DISTINCT ON (e.id) e.id, e.unit_id, e.decided, l.path
        FROM e JOIN org_link l ON l.unit_id = e.unit_id AND (l.valid_to IS NULL OR l.valid_to > e.decided)
        ORDER BY e.id, l.valid_from <= e.decided DESC, l.valid_from)
    INSERT INTO admission_ancestor (ancestor_id, decided, event_id, unit_id)
    SELECT lab::bigint, p.decided, p.id, p.unit_id FROM p CROSS JOIN LATERAL unnest(string_to_array(p.path::text, '.')) AS lab;
    $$;

-- Statement triggers: one set-based statement per statement, however many rows it wrote (moving a
-- commune rewrites the link of every unit below it).
--
-- An admission writes the rows of the new events only: two cells' secretaries recording at once never
-- touch each other's rows. It first waits for any tree operation in flight (package org serializes them
-- on the advisory lock below, internal/org treeLockKey) so that the paths it reads include that
-- operation; a tree operation that starts later waits for this transaction, and its refresh then sees
-- the new events.
CREATE FUNCTION target_member_event_changed() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
    AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM changed WHERE kind IN ('admitted', 'readmitted')) THEN
        PERFORM pg_advisory_xact_lock_shared(x'707464760001'::bigint);
        WITH e AS (
            SELECT e.id, e.unit_id, coalesce(e.decision_date, e.effective) AS decided FROM changed e
            WHERE e.kind IN ('admitted', 'readmitted')),
        p AS (
            SELECT DISTINCT ON (e.id) e.id, e.unit_id, e.decided, l.path
            FROM e JOIN org_link l ON l.unit_id = e.unit_id AND (l.valid_to IS NULL OR l.valid_to > e.decided)
            ORDER BY e.id, l.valid_from <= e.decided DESC, l.valid_from)
        INSERT INTO admission_ancestor (ancestor_id, decided, event_id, unit_id)
        SELECT lab::bigint, p.decided, p.id, p.unit_id FROM p CROSS JOIN LATERAL unnest(string_to_array(p.path::text, '.')) AS lab;
    END IF;
    RETURN NULL;
END
$$;

-- A tree operation (under package org's lock) rewrites the rows of the units whose links it wrote and
-- that have admissions in the cache. Most touch none (a new unit, a renamed committee): then nothing is
-- read but the cache's unit index, not even member_event, which a bulk loader may hold locked.
CREATE FUNCTION target_org_link_changed() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
    AS $$
DECLARE
    units bigint[];
BEGIN
    units := ARRAY(SELECT DISTINCT c.unit_id FROM changed c
                   WHERE EXISTS (SELECT 1 FROM admission_ancestor a WHERE a.unit_id = c.unit_id));
    IF cardinality(units) > 0 THEN
        PERFORM target_refresh_admissions(units);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER target_admissions AFTER INSERT ON member_event
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION target_member_event_changed();
CREATE TRIGGER target_admissions_insert AFTER INSERT ON org_link
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION target_org_link_changed();
CREATE TRIGGER target_admissions_update AFTER UPDATE ON org_link
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION target_org_link_changed();

SELECT target_rebuild_admissions();

-- Only the triggers (and the schema owner) rewrite the cache.
REVOKE EXECUTE ON FUNCTION target_refresh_admissions(bigint[]), target_rebuild_admissions() FROM PUBLIC;

GRANT SELECT ON target_measure, target_rate_base, admission_ancestor TO ptdv_app;
GRANT SELECT, INSERT ON term, target_revision TO ptdv_app;
-- UPDATE on target only rewrites the cached current values (with a new target_revision row).
GRANT SELECT, INSERT, UPDATE ON target TO ptdv_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ptdv_app;
