-- 0026: what the nightly report needs beyond the forecasts: the backtest's scored forecasts (package
-- analytics/forecast writes them, package analytics/report summarises them per province in every
-- report). One row per unit and month-end origin of the last complete year at commune level: what was
-- forecast at the origin for the unit's admissions in that year, the baselines, and what happened. The
-- nightly job recomputes them when the last complete year changes or the rows are a week old.
CREATE TABLE reporting.backtest_outcome (
    run_id      text   NOT NULL,   -- the forecast run that wrote the rows
    level       text   NOT NULL CHECK (level IN ('cell', 'commune', 'province')),
    origin      date   NOT NULL,   -- the month end the model was fitted at (on the history cut there)
    unit_id     bigint NOT NULL,
    months_left int    NOT NULL,
    actual      int    NOT NULL,   -- admissions in the origin's calendar year, as the full history knows them
    expected    float8 NOT NULL,
    lo80        int    NOT NULL,
    hi80        int    NOT NULL,
    lo95        int    NOT NULL,
    hi95        int    NOT NULL,
    run_rate    float8 NOT NULL,   -- the baselines: the year so far extrapolated linearly,
    seasonal    float8 NOT NULL,   -- through the seasonal curve,
    last_year   float8 NOT NULL,   -- and last year's total
    target      int    NOT NULL,   -- the year target scored by p_meet (the unit's own, else last year + 4 %); -1: none
    real_target boolean NOT NULL,
    p_meet      float8 NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (run_id, level, origin, unit_id)
);
CREATE INDEX backtest_outcome_latest ON reporting.backtest_outcome (created_at DESC);

GRANT SELECT ON reporting.backtest_outcome TO ptdv_app;
