-- 0018: the published forecasts (package analytics/forecast). Each nightly run (or `ptdv forecast run`)
-- writes one row per open admissions target: the expected admissions by the period's end, the 80 % and
-- 95 % intervals, the probability of meeting the target, the expected shortfall and the sentence that
-- explains them. GraphQL `forecast` and `atRisk` read the latest run.
--
-- The reporting schema may already exist (the nightly snapshot's tables); this table stands on its
-- own: keyed by its run id and as-of date, with no foreign key to a run table, and none to target or
-- org_unit either (a report of a past night stays readable whatever happens to the rows it names).
CREATE SCHEMA IF NOT EXISTS reporting;

CREATE TABLE reporting.forecast (
    run_id        text        NOT NULL,   -- the run that wrote the row (e.g. '20261203T020000Z')
    as_of         date        NOT NULL,   -- the origin: what was known at the end of this day
    target_id     bigint      NOT NULL,
    unit_id       bigint      NOT NULL,
    period_kind   text        NOT NULL CHECK (period_kind IN ('term', 'year', 'quarter')),
    period_start  date        NOT NULL,
    period_end    date        NOT NULL,
    admitted      int         NOT NULL,   -- decided in the period and known by as_of
    pending       float8      NOT NULL,   -- expected from decided cases waiting for their ceremony
    pipeline      float8      NOT NULL,   -- expected from the cases before the decision
    fresh         float8      NOT NULL,   -- expected from candidates not yet listed
    expected      float8      NOT NULL,
    lo80          int         NOT NULL,
    hi80          int         NOT NULL,
    lo95          int         NOT NULL,
    hi95          int         NOT NULL,
    target        int,                    -- the number to reach; NULL when a rate target's base is unknown
    p_meet        float8 CHECK (p_meet BETWEEN 0 AND 1),
    shortfall     float8 CHECK (shortfall >= 0),
    explanation   text        NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (run_id, target_id),
    CHECK (lo95 <= lo80 AND lo80 <= hi80 AND hi80 <= hi95)
);
-- The latest forecast of a target, and a unit's targets of a run.
CREATE INDEX forecast_target ON reporting.forecast (target_id, as_of DESC, created_at DESC);
CREATE INDEX forecast_unit ON reporting.forecast (unit_id, as_of DESC);

GRANT USAGE ON SCHEMA reporting TO ptdv_app;
GRANT SELECT ON reporting.forecast TO ptdv_app;
