-- 0017: the result tables of a nightly run (see 0016 and the snapshot's tables of the same names, which
-- document every column: `ptdv analytics views`).
--
-- period: the periods of a run (kind month, quarter, year or term; label 2025, 2025-Q3, 2025-07,
-- 2020-10-15/2025-10-14).
CREATE TABLE reporting.period (
    run_id     bigint NOT NULL REFERENCES reporting.nightly_run,
    kind       text   NOT NULL,
    label      text   NOT NULL,
    starts_on  date   NOT NULL,
    ends_on    date   NOT NULL,
    on_date    date   NOT NULL,
    PRIMARY KEY (run_id, kind, label)
);

-- breakdown: members at the period's date (measure 'stock') and admissions in the period ('admissions') of
-- a unit's subtree, by dimension and category, with the same period a year before. map 'as_was' counts the
-- subtree as the tree stood on the period's date; map 'today' sums predecessors' figures into their
-- successors through org_lineage, on today's tree. n is a count (fractional only on today's map, for what
-- was recorded on a split unit itself, shared equally among its successors).
CREATE TABLE reporting.breakdown (
    run_id          bigint NOT NULL REFERENCES reporting.nightly_run,
    map             text   NOT NULL CHECK (map IN ('as_was', 'today')),
    unit_id         bigint NOT NULL,
    period_kind     text   NOT NULL CHECK (period_kind IN ('month', 'quarter', 'year', 'term')),
    period          text   NOT NULL,
    starts_on       date   NOT NULL,
    ends_on         date   NOT NULL,
    on_date         date   NOT NULL,      -- the stock's date: the period's end, or the as-of date if later
    measure         text   NOT NULL CHECK (measure IN ('stock', 'admissions')),
    dimension       text   NOT NULL,
    category        text   NOT NULL,
    n               float8 NOT NULL,
    total           float8 NOT NULL,
    share           float8,
    n_last_year     float8,
    total_last_year float8,
    share_last_year float8,
    change          float8
);
CREATE INDEX breakdown_read ON reporting.breakdown (run_id, unit_id, period_kind, period, dimension, map);

-- funnel: cases entering each stage in the period in a unit's subtree (as it was), conversion to the next
-- stage, exits, and working days spent in the stage by the cases that left it in the period.
CREATE TABLE reporting.funnel (
    run_id              bigint NOT NULL REFERENCES reporting.nightly_run,
    unit_id             bigint NOT NULL,
    period_kind         text   NOT NULL,
    period              text   NOT NULL,
    stage               text   NOT NULL,
    stage_order         int    NOT NULL,
    entered             bigint NOT NULL,
    exited              bigint NOT NULL,
    conversion          float8,
    median_working_days float8,
    p90_working_days    float8
);
CREATE INDEX funnel_read ON reporting.funnel (run_id, unit_id, period_kind, period);

CREATE TABLE reporting.funnel_dropout (
    run_id      bigint NOT NULL REFERENCES reporting.nightly_run,
    unit_id     bigint NOT NULL,
    period_kind text   NOT NULL,
    period      text   NOT NULL,
    stage       text   NOT NULL,    -- left or removed
    from_stage  text   NOT NULL,
    reason      text   NOT NULL,    -- code list leave_reason
    n           bigint NOT NULL
);
CREATE INDEX funnel_dropout_read ON reporting.funnel_dropout (run_id, unit_id, period_kind, period);

-- unit_gap: per unit on the as-of date, over its subtree: villages, villages with no cell, villages with
-- no member, cells with 9 or more full members and no recorded cell committee.
CREATE TABLE reporting.unit_gap (
    run_id                    bigint NOT NULL REFERENCES reporting.nightly_run,
    unit_id                   bigint NOT NULL,
    villages                  bigint NOT NULL,
    villages_no_cell          bigint NOT NULL,
    villages_no_member        bigint NOT NULL,
    cells_9_full_no_committee bigint NOT NULL,
    PRIMARY KEY (run_id, unit_id)
);

GRANT SELECT ON reporting.period, reporting.breakdown, reporting.funnel, reporting.funnel_dropout, reporting.unit_gap TO ptdv_app;
