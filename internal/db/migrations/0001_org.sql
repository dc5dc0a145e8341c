-- 0001: the effective-dated party hierarchy, its recorded operations, villages and the audit trail.
--
-- Conventions used by every later migration:
--   * validity intervals are [valid_from, valid_to): valid_to is exclusive and NULL means "still valid";
--   * a row that records an event is never updated or deleted (history is append-only); a column that
--     caches current state (org_unit.valid_to) is updated in the same transaction as its event row;
--   * the application connects as role ptdv_app, which owns nothing and gets only the grants below.

CREATE EXTENSION IF NOT EXISTS ltree;
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS btree_gist;

-- ptdv_fold folds Vietnamese text for accent- and case-insensitive search ("Tam Dương" -> "tam duong",
-- "Đắk Lắk" -> "dak lak"). unaccent() itself is only STABLE; naming the dictionary makes it safe to
-- declare IMMUTABLE, which an expression index needs.
CREATE FUNCTION ptdv_fold(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, $1)) $$;

-- Rules as data: the kinds of unit and which kind may sit under which. An administrator edits these
-- rows (as the schema owner); the application only reads them.
CREATE TABLE org_kind (
    code       text PRIMARY KEY,
    rank       int  NOT NULL,           -- display order, top of the tree first
    label_vi   text NOT NULL,
    label_en   text NOT NULL
);

INSERT INTO org_kind (code, rank, label_vi, label_en) VALUES
    ('province',             1, 'Đảng bộ tỉnh, thành phố',                 'Province committee'),
    ('district',             2, 'Đảng bộ huyện, quận, thị xã, thành phố thuộc tỉnh', 'District committee (until 01/07/2025)'),
    ('grassroots_committee', 3, 'Đảng bộ cơ sở',                           'Grassroots committee'),
    ('grassroots_cell',      3, 'Chi bộ cơ sở',                            'Grassroots cell'),
    ('cell',                 4, 'Chi bộ trực thuộc',                        'Cell');

CREATE TABLE org_kind_parent (
    kind        text NOT NULL REFERENCES org_kind,
    parent_kind text REFERENCES org_kind,   -- NULL: the kind may be a root of the tree
    source      text NOT NULL,              -- the rule's source, for the administrator
    UNIQUE NULLS NOT DISTINCT (kind, parent_kind)
);

INSERT INTO org_kind_parent (kind, parent_kind, source) VALUES
    ('province',             NULL,                   'Điều lệ Đảng, Điều 11'),
    ('district',             'province',             'Điều lệ Đảng, Điều 11 (cấp huyện, bãi bỏ từ 01/07/2025)'),
    ('grassroots_committee', 'province',             'Quy định 294-QĐ/TW (2025)'),
    ('grassroots_committee', 'district',             'Điều lệ Đảng, Điều 21'),
    ('grassroots_cell',      'province',             'Quy định 294-QĐ/TW (2025)'),
    ('grassroots_cell',      'district',             'Điều lệ Đảng, Điều 21'),
    ('cell',                 'grassroots_committee', 'Điều lệ Đảng, Điều 24');

CREATE TABLE org_sector (
    code     text PRIMARY KEY,
    rank     int  NOT NULL,
    label_vi text NOT NULL,
    label_en text NOT NULL
);

INSERT INTO org_sector (code, rank, label_vi, label_en) VALUES
    ('territorial',          1, 'Địa phương (tỉnh, huyện, xã, phường, đặc khu, thôn, tổ dân phố)', 'Territorial (province, district, commune, ward, village)'),
    ('state_agency',         2, 'Cơ quan nhà nước, Đảng, Mặt trận, đoàn thể', 'State, Party and mass-organization agency'),
    ('public_service',       3, 'Đơn vị sự nghiệp công lập',                  'Public service unit'),
    ('state_enterprise',     4, 'Doanh nghiệp nhà nước',                       'State enterprise'),
    ('non_state_enterprise', 5, 'Doanh nghiệp ngoài nhà nước',                 'Non-state enterprise'),
    ('school',               6, 'Trường học (THPT, cao đẳng, đại học)',        'School (upper secondary, college, university)'),
    ('armed_forces',         7, 'Lực lượng vũ trang',                          'Armed forces'),
    ('other',                8, 'Khác',                                         'Other');

-- Every change to the tree is a recorded operation with its effective date and backing document.
CREATE TABLE org_operation (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind         text NOT NULL CHECK (kind IN ('create', 'rename', 'move', 'merge', 'split', 'dissolve')),
    effective    date NOT NULL,
    document     text NOT NULL DEFAULT '',   -- e.g. "Quyết định 1234-QĐ/TU ngày 30/06/2025"
    note         text NOT NULL DEFAULT '',
    recorded_by  text NOT NULL,              -- the actor's subject
    recorded_at  timestamptz NOT NULL DEFAULT now(),
    details      jsonb NOT NULL DEFAULT '{}'
);

CREATE TABLE org_unit (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code        text NOT NULL UNIQUE CHECK (code ~ '^[A-Z0-9][A-Z0-9._-]{0,63}$'),   -- never reused
    kind        text NOT NULL REFERENCES org_kind,
    sector      text NOT NULL REFERENCES org_sector,
    valid_from  date NOT NULL,
    valid_to    date,                       -- cached from the operation that ended the unit
    created_op  bigint NOT NULL REFERENCES org_operation,
    ended_op    bigint REFERENCES org_operation,
    CHECK (valid_to IS NULL OR valid_to > valid_from)
);

-- Names are effective-dated: a rename closes one row and opens the next.
CREATE TABLE org_unit_name (
    unit_id     bigint NOT NULL REFERENCES org_unit,
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 300),
    valid_from  date NOT NULL,
    valid_to    date,
    op_id       bigint NOT NULL REFERENCES org_operation,
    PRIMARY KEY (unit_id, valid_from),
    CHECK (valid_to IS NULL OR valid_to > valid_from),
    EXCLUDE USING gist (unit_id WITH =, daterange(valid_from, valid_to) WITH &&)
);
CREATE INDEX org_unit_name_fold_trgm ON org_unit_name USING gin (ptdv_fold(name) gin_trgm_ops);

-- The parent link, effective-dated, together with the materialized path of unit ids from the root
-- (e.g. '1.57.902'). A version is closed and a new one opened whenever the parent changes or any
-- ancestor moves, so "the subtree of X as of D" is one GiST-indexed ltree match:
--     path <@ (X's path on D) AND valid on D.
CREATE TABLE org_link (
    unit_id     bigint NOT NULL REFERENCES org_unit,
    parent_id   bigint REFERENCES org_unit,
    path        ltree  NOT NULL,
    valid_from  date NOT NULL,
    valid_to    date,
    op_id       bigint NOT NULL REFERENCES org_operation,
    PRIMARY KEY (unit_id, valid_from),
    CHECK (valid_to IS NULL OR valid_to > valid_from),
    CHECK (subpath(path, nlevel(path) - 1) = unit_id::text::ltree),
    EXCLUDE USING gist (unit_id WITH =, daterange(valid_from, valid_to) WITH &&)
);
CREATE INDEX org_link_path ON org_link USING gist (path);
CREATE INDEX org_link_parent ON org_link (parent_id, valid_from) INCLUDE (valid_to, unit_id);
CREATE INDEX org_link_open ON org_link (unit_id) WHERE valid_to IS NULL;

-- Merges and splits: which unit continued which. Year-over-year tables follow a unit through these.
CREATE TABLE org_lineage (
    op_id           bigint NOT NULL REFERENCES org_operation,
    predecessor_id  bigint NOT NULL REFERENCES org_unit,
    successor_id    bigint NOT NULL REFERENCES org_unit,
    effective       date   NOT NULL,
    PRIMARY KEY (predecessor_id, successor_id),
    CHECK (predecessor_id <> successor_id)
);
CREATE INDEX org_lineage_successor ON org_lineage (successor_id);

-- Villages and residential groups (thôn, làng, bản, ấp, tổ dân phố), and the cell that covers each.
-- A village with no covering cell is a tracked failure ("thôn chưa có chi bộ").
CREATE TABLE village (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code        text NOT NULL UNIQUE CHECK (code ~ '^[A-Z0-9][A-Z0-9._-]{0,63}$'),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 300),
    kind        text NOT NULL CHECK (kind IN ('village', 'residential_group')),
    commune_id  bigint NOT NULL REFERENCES org_unit,   -- the commune/ward committee it belongs to
    valid_from  date NOT NULL,
    valid_to    date,
    CHECK (valid_to IS NULL OR valid_to > valid_from)
);
CREATE INDEX village_commune ON village (commune_id);
CREATE INDEX village_fold_trgm ON village USING gin (ptdv_fold(name) gin_trgm_ops);

CREATE TABLE village_cell (
    village_id  bigint NOT NULL REFERENCES village,
    cell_id     bigint NOT NULL REFERENCES org_unit,
    valid_from  date NOT NULL,
    valid_to    date,
    recorded_by text NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (village_id, valid_from),
    CHECK (valid_to IS NULL OR valid_to > valid_from),
    EXCLUDE USING gist (village_id WITH =, daterange(valid_from, valid_to) WITH &&)
);
CREATE INDEX village_cell_cell ON village_cell (cell_id, valid_from);

-- The audit trail: one row per mutation, written in the mutation's own transaction.
-- ptdv_app may insert and read, never update or delete.
CREATE TABLE audit_log (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT now(),
    actor       text NOT NULL,
    actor_role  text NOT NULL,
    request_id  text NOT NULL DEFAULT '',
    action      text NOT NULL,
    entity      text NOT NULL,
    entity_id   text NOT NULL,
    before      jsonb,
    after       jsonb
);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id, at);

GRANT USAGE ON SCHEMA public TO ptdv_app;
GRANT SELECT ON org_kind, org_kind_parent, org_sector TO ptdv_app;
GRANT SELECT, INSERT ON org_operation, org_lineage, audit_log TO ptdv_app;
-- UPDATE only closes intervals (valid_to) and caches the end of a unit; see internal/org.
GRANT SELECT, INSERT, UPDATE ON org_unit, org_unit_name, org_link, village, village_cell TO ptdv_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ptdv_app;
