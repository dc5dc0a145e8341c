-- 0028: the breakdown rows of a nightly run, packed: one row per map, unit, period and measure with the
-- dimensions, categories and their counts as arrays, instead of one row per category (≈ 25× fewer rows for
-- the nightly write-back to load and index: most units are cells with one or two categories per dimension). Each run's rows are loaded into a table of their own
-- (reporting.breakdown_pack_r<run id>, created, filled with COPY … FREEZE and indexed in the run's
-- transaction) and attached as a partition, so publishing a run never updates an index row by row, and
-- dropping an old run is dropping its table instead of deleting millions of rows.
--
-- reporting.breakdown keeps its columns and meaning (see 0017): it is now a view that unpacks the arrays
-- and computes share, share_last_year and change the way the job did.
DROP TABLE reporting.breakdown;

CREATE TABLE reporting.breakdown_pack (
    run_id          bigint NOT NULL,       -- reporting.nightly_run(id); no foreign key (a partition per run)
    map             text   NOT NULL CHECK (map IN ('as_was', 'today')),
    unit_id         bigint NOT NULL,
    period_kind     text   NOT NULL CHECK (period_kind IN ('month', 'quarter', 'year', 'term')),
    period          text   NOT NULL,
    measure         text   NOT NULL CHECK (measure IN ('stock', 'admissions')),
    total           float8 NOT NULL,       -- the unit's count this period (the dimension 'total')
    total_last_year float8,                -- the same a year before; NULL when the run has no such period
    dimensions      text[]   NOT NULL,
    categories      text[]   NOT NULL,     -- categories[i] is a category of dimensions[i]
    n               float8[] NOT NULL,     -- n[i] is its count
    n_last_year     float8[],              -- the same a year before; NULL when the run has no such period
    CHECK (cardinality(categories) = cardinality(n) AND cardinality(dimensions) = cardinality(n)),
    CHECK (n_last_year IS NULL OR cardinality(n_last_year) = cardinality(n))
) PARTITION BY LIST (run_id);
CREATE INDEX breakdown_pack_read ON reporting.breakdown_pack (run_id, unit_id, period_kind, period, map);
-- Rows written outside a run's own partition (tests) land here; the job attaches one partition per run.
CREATE TABLE reporting.breakdown_pack_default PARTITION OF reporting.breakdown_pack DEFAULT;

CREATE VIEW reporting.breakdown AS
SELECT b.run_id, b.map, b.unit_id, b.period_kind, b.period, p.starts_on, p.ends_on, p.on_date, b.measure, c.dimension,
    c.category, c.n, b.total,
    CASE WHEN b.total > 0 THEN c.n / b.total END AS share,
    c.n_ly AS n_last_year, b.total_last_year,
    CASE WHEN b.total_last_year > 0 THEN c.n_ly / b.total_last_year END AS share_last_year,
    c.n - c.n_ly AS change
FROM reporting.breakdown_pack b
JOIN reporting.period p ON p.run_id = b.run_id AND p.kind = b.period_kind AND p.label = b.period
CROSS JOIN LATERAL unnest(b.dimensions, b.categories, b.n, b.n_last_year) AS c(dimension, category, n, n_ly);

GRANT SELECT ON reporting.breakdown_pack, reporting.breakdown TO ptdv_app;
