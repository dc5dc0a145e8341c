package analytics

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"ptdv/internal/vn"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// advisoryKey is the PostgreSQL advisory lock a nightly run holds for its whole length, so that two
// runs against one database (two servers, a server and `ptdv nightly`) never overlap.
const advisoryKey int64 = 0x70746476_6e69676c // "ptdvnigl"

// ErrRunning is returned (wrapped) by Nightly when another run holds the database's advisory lock.
var ErrRunning = errors.New("analytics: another nightly run is in progress on this database")

// NightlyOptions tune Nightly: the snapshot's Options, and where the Parquet copy goes.
type NightlyOptions struct {
	Options
	// ParquetDir is the directory of the Parquet publication; empty means <dir>/parquet.
	ParquetDir string
	// KeepRuns is the number of succeeded runs whose rows stay in the reporting schema; 0 means 2.
	KeepRuns int
}

// Run describes a finished nightly run.
type Run struct {
	ID       int64
	Snapshot Result
	Parquet  Manifest
	Rows     map[string]int64   // rows written to the reporting schema, per table
	Steps    map[string]float64 // seconds per step
	Duration time.Duration
}

// Nightly runs the whole nightly job: it takes the database's advisory lock, records a run in
// reporting.nightly_run, writes and publishes the DuckDB snapshot (Snapshot), writes the Parquet
// copy, and writes the results into the reporting schema in one transaction that also marks the
// run succeeded. A failure marks the run failed with its error; a run that died without doing so
// (killed) stays 'running' until the next run, which marks it failed. Readers of the reporting
// schema read the latest succeeded run only, so none ever sees half a run.
func Nightly(ctx context.Context, pgURL, dir string, o NightlyOptions) (Run, error) {
	start := time.Now()
	log := o.Logger
	if log == nil {
		log = slog.Default()
	}
	var run Run
	pg, err := pgx.Connect(ctx, pgURL)
	if err != nil {
		return run, fmt.Errorf("analytics: connect to PostgreSQL: %w", err)
	}
	defer pg.Close(context.WithoutCancel(ctx))
	var got bool
	if err := pg.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, advisoryKey).Scan(&got); err != nil {
		return run, fmt.Errorf("analytics: advisory lock: %w", err)
	}
	if !got {
		return run, ErrRunning
	}
	defer pg.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, advisoryKey)

	// We hold the lock: a run still marked running was killed.
	if _, err := pg.Exec(ctx, `UPDATE reporting.nightly_run SET status = 'failed', finished_at = now(),
		error = 'interrupted: the run stopped without finishing (process killed or crashed)' WHERE status = 'running'`); err != nil {
		return run, fmt.Errorf("analytics: close interrupted runs: %w", err)
	}
	asOf := o.AsOf
	if asOf.IsZero() {
		asOf = start.In(vn.Zone)
	}
	asOf = vn.Day(asOf)
	o.AsOf = asOf
	host, _ := os.Hostname()
	if err := pg.QueryRow(ctx, `INSERT INTO reporting.nightly_run (as_of, host) VALUES ($1, $2) RETURNING id`, asOf, host).Scan(&run.ID); err != nil {
		return run, fmt.Errorf("analytics: record the run: %w", err)
	}
	log.Info("analytics: nightly run started", "run", run.ID, "as_of", asOf.Format(time.DateOnly))

	err = nightly(ctx, pg, pgURL, dir, o, &run, log)
	run.Duration = time.Since(start)
	if err != nil {
		msg := err.Error()
		if _, uerr := pg.Exec(context.WithoutCancel(ctx), `UPDATE reporting.nightly_run SET status = 'failed', finished_at = now(),
			error = $2, seconds_per_step = $3 WHERE id = $1`, run.ID, msg, stepsJSON(run.Steps)); uerr != nil {
			log.Error("analytics: record the failed run", "run", run.ID, "err", uerr)
		}
		return run, err
	}
	// The write-back's own time is known after its commit.
	if _, err := pg.Exec(ctx, `UPDATE reporting.nightly_run SET seconds_per_step = $2 WHERE id = $1`, run.ID, stepsJSON(run.Steps)); err != nil {
		log.Warn("analytics: record the steps' times", "run", run.ID, "err", err)
	}
	log.Info("analytics: nightly run succeeded", "run", run.ID, "took", run.Duration.Round(time.Millisecond))
	return run, nil
}

func nightly(ctx context.Context, pg *pgx.Conn, pgURL, dir string, o NightlyOptions, run *Run, log *slog.Logger) error {
	res, err := Snapshot(ctx, pgURL, dir, o.Options)
	if err != nil {
		return err
	}
	run.Snapshot = res
	run.Steps = map[string]float64{}
	for k, v := range res.Steps {
		run.Steps[k] = v
	}

	began := time.Now()
	pq := o.ParquetDir
	if pq == "" {
		pq = filepath.Join(dir, "parquet")
	}
	if run.Parquet, err = WriteParquet(ctx, res.Path, pq, run.ID, o.Keep); err != nil {
		return err
	}
	run.Steps["parquet"] = time.Since(began).Seconds()

	began = time.Now()
	run.Rows, err = writeBack(ctx, pg, res, run, o.KeepRuns)
	if err != nil {
		return err
	}
	run.Steps["postgres"] = time.Since(began).Seconds()
	return nil
}

// reported are the tables copied into the reporting schema, with their columns (the same names in
// the DuckDB file and in PostgreSQL, run_id first in PostgreSQL).
var reported = []struct {
	table string
	cols  []string
}{
	{"period", []string{"kind", "label", "starts_on", "ends_on", "on_date"}},
	{"breakdown", []string{"map", "unit_id", "period_kind", "period", "starts_on", "ends_on", "on_date", "measure", "dimension",
		"category", "n", "total", "share", "n_last_year", "total_last_year", "share_last_year", "change"}},
	{"funnel", []string{"unit_id", "period_kind", "period", "stage", "stage_order", "entered", "exited", "conversion",
		"median_working_days", "p90_working_days"}},
	{"funnel_dropout", []string{"unit_id", "period_kind", "period", "stage", "from_stage", "reason", "n"}},
	{"unit_gap", []string{"unit_id", "villages", "villages_no_cell", "villages_no_member", "cells_9_full_no_committee"}},
}

// writeBack copies the result tables of the published file into the reporting schema and marks the
// run succeeded, in one transaction; rows of older runs beyond keep succeeded runs are deleted in it.
func writeBack(ctx context.Context, pg *pgx.Conn, res Result, run *Run, keep int) (map[string]int64, error) {
	if keep <= 0 {
		keep = 2
	}
	duck, err := Open(res.Path)
	if err != nil {
		return nil, err
	}
	defer duck.Close()
	tx, err := pg.BeginTx(ctx, pgx.TxOptions{})
	if err != nil {
		return nil, fmt.Errorf("analytics: write back: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	rows := map[string]int64{}
	for _, t := range reported {
		q, err := duck.QueryContext(ctx, "SELECT "+strings.Join(t.cols, ", ")+" FROM "+ident(t.table))
		if err != nil {
			return nil, fmt.Errorf("analytics: read %s: %w", t.table, err)
		}
		src := &duckRows{rows: q, run: run.ID, n: len(t.cols)}
		n, err := tx.CopyFrom(ctx, pgx.Identifier{"reporting", t.table}, append([]string{"run_id"}, t.cols...), src)
		q.Close()
		if err != nil {
			return nil, fmt.Errorf("analytics: write reporting.%s: %w", t.table, err)
		}
		rows[t.table] = n
		if err := testHook("postgres." + t.table); err != nil {
			return nil, err
		}
	}
	tables, _ := json.Marshal(res.Tables)
	if _, err := tx.Exec(ctx, `UPDATE reporting.nightly_run SET status = 'succeeded', finished_at = now(), snapshot_file = $2,
		rows_per_table = $3, seconds_per_step = $4 WHERE id = $1`, run.ID, res.Generation, string(tables), stepsJSON(run.Steps)); err != nil {
		return nil, fmt.Errorf("analytics: mark the run succeeded: %w", err)
	}
	// Keep the rows of the newest succeeded runs only.
	for _, t := range reported {
		if _, err := tx.Exec(ctx, `DELETE FROM reporting.`+t.table+` WHERE run_id NOT IN (
			SELECT id FROM reporting.nightly_run WHERE status = 'succeeded' ORDER BY id DESC LIMIT $1)`, keep); err != nil {
			return nil, fmt.Errorf("analytics: delete old rows of reporting.%s: %w", t.table, err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("analytics: commit the write-back: %w", err)
	}
	return rows, nil
}

func stepsJSON(steps map[string]float64) string {
	if steps == nil {
		return "{}"
	}
	keys := make([]string, 0, len(steps))
	for k := range steps {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	b, _ := json.Marshal(steps)
	return string(b)
}

// duckRows feeds DuckDB rows to pgx's CopyFrom, with the run id as first column.
type duckRows struct {
	rows *sql.Rows
	run  int64
	n    int
	vals []any
	err  error
}

func (d *duckRows) Next() bool {
	if !d.rows.Next() {
		d.err = d.rows.Err()
		return false
	}
	if d.vals == nil {
		d.vals = make([]any, d.n+1)
	}
	ptrs := make([]any, d.n)
	for i := range ptrs {
		ptrs[i] = &d.vals[i+1]
	}
	d.vals[0] = d.run
	d.err = d.rows.Scan(ptrs...)
	return d.err == nil
}

func (d *duckRows) Values() ([]any, error) { return d.vals, d.err }
func (d *duckRows) Err() error             { return d.err }
