-- 0016: the reporting schema: what the nightly analytics job publishes back into PostgreSQL for the API
-- (package analytics writes it; internal/report reads it). nightly_run records every run; the result
-- tables hold the rows of the runs that succeeded, keyed by run_id, written in one transaction together
-- with the run's status 'succeeded', so a reader never sees half a run. Readers take the latest
-- succeeded run. The job keeps the rows of the last few succeeded runs and deletes older ones.
CREATE SCHEMA reporting;

CREATE TABLE reporting.nightly_run (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    started_at    timestamptz NOT NULL DEFAULT now(),
    finished_at   timestamptz,
    status        text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'succeeded', 'failed')),
    as_of         date NOT NULL,
    host          text NOT NULL DEFAULT '',
    snapshot_file text NOT NULL DEFAULT '',       -- the DuckDB generation the run published
    rows_per_table jsonb NOT NULL DEFAULT '{}',   -- {"breakdown": 123, …}: rows of every table of the file
    seconds_per_step jsonb NOT NULL DEFAULT '{}', -- {"copy": 1.2, "breakdown": 3.4, "parquet": …, "postgres": …}
    error         text,
    CHECK ((status = 'running') = (finished_at IS NULL))
);
CREATE INDEX nightly_run_latest ON reporting.nightly_run (status, id DESC);

GRANT USAGE ON SCHEMA reporting TO ptdv_app;
GRANT SELECT ON reporting.nightly_run TO ptdv_app;
