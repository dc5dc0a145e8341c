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
	"strconv"
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

// reported are the tables copied into the reporting schema as they are, with their columns (the
// same names in the DuckDB file and in PostgreSQL, run_id first in PostgreSQL). The breakdown goes
// packed, see packedBreakdown.
var reported = []struct {
	table string
	cols  []string
}{
	{"period", []string{"kind", "label", "starts_on", "ends_on", "on_date"}},
	{"funnel", []string{"unit_id", "period_kind", "period", "stage", "stage_order", "entered", "exited", "conversion",
		"median_working_days", "p90_working_days"}},
	{"funnel_dropout", []string{"unit_id", "period_kind", "period", "stage", "from_stage", "reason", "n"}},
	{"unit_gap", []string{"unit_id", "villages", "villages_no_cell", "villages_no_member", "cells_9_full_no_committee"}},
}

// packedBreakdown is the DuckDB query that packs the file's breakdown into the rows of
// reporting.breakdown_pack (migration 0028): one row per map, unit, period and measure, the
// dimensions, categories and counts as PostgreSQL array literals. One list of structs keeps the
// arrays aligned without sorting inside the groups. $run is the run id; $periods the periods packed
// in this part (list aggregates do not spill to disk, so the breakdown goes in parts small enough
// for the reader's memory_limit). A group never spans periods, and 05_breakdown.sql writes the
// breakdown one period at a time, so a part's rows lie in a few row groups that DuckDB finds by
// their bounds instead of scanning the whole table once per part.
const packedBreakdown = `WITH g AS (
	SELECT map, unit_id, period_kind, period, measure, max(total) AS total, max(total_last_year) AS total_last_year,
		bool_or(n_last_year IS NOT NULL) AS has_ly,
		list({'d': dimension, 'c': '"' || replace(replace(category, '\', '\\'), '"', '\"') || '"', 'n': n, 'l': coalesce(n_last_year, 0)}) AS x
	FROM breakdown
	WHERE period IN ($periods)
	GROUP BY map, unit_id, period_kind, period, measure)
SELECT $run AS run_id, map, unit_id, period_kind, period, measure, total, total_last_year,
	'{' || array_to_string(list_transform(x, lambda e: e.d), ',') || '}' AS dimensions,
	'{' || array_to_string(list_transform(x, lambda e: e.c), ',') || '}' AS categories,
	'{' || array_to_string(list_transform(x, lambda e: e.n), ',') || '}' AS n,
	CASE WHEN has_ly THEN '{' || array_to_string(list_transform(x, lambda e: e.l), ',') || '}' END AS n_last_year
FROM g`

// packRows is the number of breakdown rows packed at a time (≈ 0.5 GB of DuckDB memory); a period
// with more goes alone.
var packRows int64 = 2_000_000

// packParts splits the breakdown's periods, in the order they were written, into parts of at most
// packRows rows (or one period), each as a list of SQL string literals for packedBreakdown's $periods.
// A period's label names it among all kinds (2024, 2024-Q1, 2024-01, 2020-10-15/2025-10-14).
func packParts(ctx context.Context, dc *sql.Conn) ([]string, error) {
	rows, err := dc.QueryContext(ctx, `SELECT period, count(*) FROM breakdown GROUP BY period ORDER BY min(rowid)`)
	if err != nil {
		return nil, fmt.Errorf("analytics: the breakdown's periods: %w", err)
	}
	defer rows.Close()
	var parts []string
	var cur []string
	var n int64
	for rows.Next() {
		var p string
		var c int64
		if err := rows.Scan(&p, &c); err != nil {
			return nil, err
		}
		if len(cur) > 0 && n+c > packRows {
			parts = append(parts, strings.Join(cur, ", "))
			cur, n = nil, 0
		}
		cur = append(cur, quote(p))
		n += c
	}
	if len(cur) > 0 {
		parts = append(parts, strings.Join(cur, ", "))
	}
	return parts, rows.Err()
}

var packedCols = []string{"run_id", "map", "unit_id", "period_kind", "period", "measure", "total", "total_last_year",
	"dimensions", "categories", "n", "n_last_year"}

// writeBack copies the result tables of the published file into the reporting schema and marks the
// run succeeded, in one transaction; rows of older runs beyond keep succeeded runs are deleted in it.
//
// Rows go as CSV: DuckDB's COPY … TO writes into a pipe that PostgreSQL's COPY … FROM STDIN reads,
// so no row passes through Go values. The breakdown goes packed into a table of the run's own
// (breakdown_pack_r<id>), created in this transaction, filled with COPY … FREEZE, indexed once
// full and attached as a partition; older runs' partitions are dropped, not deleted row by row.
func writeBack(ctx context.Context, pg *pgx.Conn, res Result, run *Run, keep int) (map[string]int64, error) {
	if keep <= 0 {
		keep = 2
	}
	duck, err := Open(res.Path)
	if err != nil {
		return nil, err
	}
	defer duck.Close()
	dc, err := duck.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("analytics: write back: %w", err)
	}
	defer dc.Close()
	tx, err := pg.BeginTx(ctx, pgx.TxOptions{})
	if err != nil {
		return nil, fmt.Errorf("analytics: write back: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	// The run can be written again from its file: a commit lost in a crash costs a rerun, not data.
	if _, err := tx.Exec(ctx, `SET LOCAL synchronous_commit = off`); err != nil {
		return nil, fmt.Errorf("analytics: write back: %w", err)
	}
	rows := map[string]int64{}
	began := time.Now()
	lap := func(step string) {
		run.Steps["postgres."+step] = time.Since(began).Seconds()
		began = time.Now()
	}
	for _, t := range reported {
		q := "SELECT " + strconv.FormatInt(run.ID, 10) + " AS run_id, " + strings.Join(t.cols, ", ") + " FROM " + ident(t.table)
		n, err := pipeCSV(ctx, dc, tx, q, "reporting."+t.table+" (run_id, "+strings.Join(t.cols, ", ")+")", false)
		if err != nil {
			return nil, fmt.Errorf("analytics: write reporting.%s: %w", t.table, err)
		}
		rows[t.table] = n
		lap(t.table)
		if err := testHook("postgres." + t.table); err != nil {
			return nil, err
		}
	}

	part := fmt.Sprintf("reporting.breakdown_pack_r%d", run.ID)
	if _, err := tx.Exec(ctx, `CREATE TABLE `+part+` (LIKE reporting.breakdown_pack INCLUDING CONSTRAINTS,
		CHECK (run_id = `+strconv.FormatInt(run.ID, 10)+`))`); err != nil {
		return nil, fmt.Errorf("analytics: create %s: %w", part, err)
	}
	parts, err := packParts(ctx, dc)
	if err != nil {
		return nil, err
	}
	for _, periods := range parts {
		q := strings.NewReplacer("$run", strconv.FormatInt(run.ID, 10), "$periods", periods).Replace(packedBreakdown)
		n, err := pipeCSV(ctx, dc, tx, q, part+" ("+strings.Join(packedCols, ", ")+")", true)
		if err != nil {
			return nil, fmt.Errorf("analytics: write %s: %w", part, err)
		}
		rows["breakdown_pack"] += n
	}
	lap("breakdown_pack")
	if err := testHook("postgres.breakdown"); err != nil {
		return nil, err
	}
	if _, err := tx.Exec(ctx, `CREATE INDEX ON `+part+` (run_id, unit_id, period_kind, period, map)`); err != nil {
		return nil, fmt.Errorf("analytics: index %s: %w", part, err)
	}
	lap("breakdown_index")
	if _, err := tx.Exec(ctx, `ALTER TABLE reporting.breakdown_pack ATTACH PARTITION `+part+` FOR VALUES IN (`+strconv.FormatInt(run.ID, 10)+`)`); err != nil {
		return nil, fmt.Errorf("analytics: attach %s: %w", part, err)
	}
	// The rows of the breakdown as the view reporting.breakdown shows them.
	var unpacked int64
	if err := tx.QueryRow(ctx, `SELECT coalesce(sum(cardinality(categories)), 0) FROM `+part).Scan(&unpacked); err != nil {
		return nil, fmt.Errorf("analytics: count %s: %w", part, err)
	}
	rows["breakdown"] = unpacked
	lap("breakdown_attach")

	tables, _ := json.Marshal(res.Tables)
	if _, err := tx.Exec(ctx, `UPDATE reporting.nightly_run SET status = 'succeeded', finished_at = now(), snapshot_file = $2,
		rows_per_table = $3, seconds_per_step = $4 WHERE id = $1`, run.ID, res.Generation, string(tables), stepsJSON(run.Steps)); err != nil {
		return nil, fmt.Errorf("analytics: mark the run succeeded: %w", err)
	}
	// Keep the rows of the newest succeeded runs only.
	const keptRuns = `SELECT id FROM reporting.nightly_run WHERE status = 'succeeded' ORDER BY id DESC LIMIT $1`
	for _, t := range reported {
		if _, err := tx.Exec(ctx, `DELETE FROM reporting.`+t.table+` WHERE run_id NOT IN (`+keptRuns+`)`, keep); err != nil {
			return nil, fmt.Errorf("analytics: delete old rows of reporting.%s: %w", t.table, err)
		}
	}
	old, err := tx.Query(ctx, `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
		WHERE i.inhparent = 'reporting.breakdown_pack'::regclass AND c.relname ~ '^breakdown_pack_r[0-9]+$'
		AND substr(c.relname, 17)::bigint NOT IN (`+keptRuns+`)`, keep)
	if err != nil {
		return nil, fmt.Errorf("analytics: old breakdown partitions: %w", err)
	}
	drop, err := pgx.CollectRows(old, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("analytics: old breakdown partitions: %w", err)
	}
	for _, p := range drop {
		if _, err := tx.Exec(ctx, `DROP TABLE reporting.`+pgx.Identifier{p}.Sanitize()); err != nil {
			return nil, fmt.Errorf("analytics: drop %s: %w", p, err)
		}
	}
	if _, err := tx.Exec(ctx, `DELETE FROM reporting.breakdown_pack_default WHERE run_id NOT IN (`+keptRuns+`)`, keep); err != nil {
		return nil, fmt.Errorf("analytics: delete old rows of reporting.breakdown_pack: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("analytics: commit the write-back: %w", err)
	}
	lap("cleanup")
	return rows, nil
}

// pipeCSV streams the rows of the DuckDB query q into the PostgreSQL table target ("name (cols)")
// in tx: DuckDB writes CSV into one end of a pipe (opened by path through /dev/fd), PostgreSQL's COPY
// reads the other. freeze asks for COPY … FREEZE (target created in this transaction). It returns
// the rows PostgreSQL took, after checking that DuckDB finished without error.
func pipeCSV(ctx context.Context, dc *sql.Conn, tx pgx.Tx, q, target string, freeze bool) (int64, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return 0, err
	}
	defer r.Close()
	path := fmt.Sprintf("/dev/fd/%d", w.Fd())
	duckErr := make(chan error, 1)
	go func() {
		_, err := dc.ExecContext(ctx, "COPY ("+q+") TO "+quote(path)+" (FORMAT csv, HEADER false, USE_TMP_FILE false)")
		// Closing our write end ends PostgreSQL's input, whether DuckDB finished or failed.
		w.Close()
		duckErr <- err
	}()
	opts := "FORMAT csv"
	if freeze {
		opts += ", FREEZE"
	}
	tag, err := tx.Conn().PgConn().CopyFrom(ctx, r, "COPY "+target+" FROM STDIN ("+opts+")")
	if err != nil {
		r.Close() // unblocks DuckDB if it is still writing
		<-duckErr
		return 0, err
	}
	if err := <-duckErr; err != nil {
		return 0, fmt.Errorf("DuckDB: %w", err)
	}
	return tag.RowsAffected(), nil
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
