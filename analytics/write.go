package analytics

import (
	"context"
	"database/sql"
	"encoding/hex"
	"fmt"
	"log/slog"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// source is one table copied from PostgreSQL: the query runs in the snapshot transaction and
// its result becomes the DuckDB table of the same name, typed from the result's columns.
//
// Columns are listed, not "*": the file is a data contract for analysts, and a column added
// to PostgreSQL should appear here on purpose. Types the loader does not map (ltree, jsonb)
// are cast to text in the query. To add a table (persons, members, pipeline events), add a
// source; nothing else changes.
type source struct {
	table string
	query string
}

var sources = []source{
	{"org_kind", `SELECT code, rank, label_vi, label_en FROM org_kind ORDER BY rank, code`},
	{"org_sector", `SELECT code, rank, label_vi, label_en FROM org_sector ORDER BY rank, code`},
	{"org_unit", `SELECT id, code, kind, sector, valid_from, valid_to, created_op, ended_op
		FROM org_unit ORDER BY id`},
	{"org_unit_name", `SELECT unit_id, name, valid_from, valid_to, op_id
		FROM org_unit_name ORDER BY unit_id, valid_from`},
	{"org_link", `SELECT unit_id, parent_id, path::text AS path, nlevel(path) AS depth, valid_from, valid_to, op_id
		FROM org_link ORDER BY unit_id, valid_from`},
	{"org_lineage", `SELECT op_id, predecessor_id, successor_id, effective
		FROM org_lineage ORDER BY op_id, predecessor_id, successor_id`},
	{"org_operation", `SELECT id, kind, effective, document, note, recorded_by, recorded_at, details::text AS details
		FROM org_operation ORDER BY id`},
	{"village", `SELECT id, code, name, kind, commune_id, valid_from, valid_to FROM village ORDER BY id`},
	{"village_cell", `SELECT village_id, cell_id, valid_from, valid_to, recorded_by, recorded_at
		FROM village_cell ORDER BY village_id, valid_from`},

	// Code lists and rules, with the attributes the breakdowns need as typed columns.
	{"code_item", `SELECT list, code, rank, label_vi, label_en,
			(attrs->>'minority')::boolean AS minority, (attrs->>'religious')::boolean AS religious,
			(attrs->>'level')::int AS level, (attrs->>'key_cadre')::boolean AS key_cadre,
			(attrs->>'member')::boolean AS member, active
		FROM code_item ORDER BY list, rank, code`},
	{"calendar_day", `SELECT day, kind, name_vi FROM calendar_day ORDER BY day`},
	{"rule", `SELECT id, value, unit, label_vi, source FROM rule ORDER BY id`},

	// People, pseudonymized: no name, national ID, address, workplace, phone or birth day. The
	// person's id is replaced by {{pkey(...)}}, a keyed hash (see pseudonymKey) that is stable
	// from run to run and joins the tables of the file with each other, but not with PostgreSQL.
	{"person", `SELECT {{pkey(p.id)}} AS person_key, p.sex,
			extract(year FROM p.birth_date)::int AS birth_year, extract(month FROM p.birth_date)::int AS birth_month,
			p.ethnicity, e.label_vi AS ethnicity_label, (e.attrs->>'minority')::boolean AS ethnic_minority,
			p.religion, p.general_education, p.professional_qualification, p.political_theory, p.occupation,
			p.youth_union_member, p.village_id, p.unit_id
		FROM person p LEFT JOIN code_item e ON e.list = 'ethnicity' AND e.code = p.ethnicity`},
	{"person_unit", `SELECT {{pkey(person_id)}} AS person_key, unit_id, valid_from, valid_to FROM person_unit`},
	{"person_position", `SELECT {{pkey(person_id)}} AS person_key, position, valid_from, valid_to FROM person_position`},
	{"member_event", `SELECT id, {{pkey(person_id)}} AS person_key, unit_id, kind, effective, decision_date, to_unit_id
		FROM member_event`},
	{"member_status_span", `SELECT {{pkey(person_id)}} AS person_key, unit_id, status, grade, valid_from, valid_to
		FROM member_status_span`},
	// Members of each unit's subtree on 31/12 of each year (kept by PostgreSQL's triggers): the
	// forecasts' size of a unit, read from this file by the nightly job.
	{"member_yearend", `SELECT ancestor_id, year, n FROM member_yearend`},
	{"candidate_case", `SELECT id, {{pkey(person_id)}} AS person_key, cell_id, proposer, stage, stage_since, listed_on,
			certificate_on, dossier_on, cell_resolution_on, committee_resolution_on, decision_on, extensions,
			ceremony_on, recognized_on, closed_on, close_reason, recognition_rounds,
			CASE WHEN helper_id IS NOT NULL THEN {{pkey(helper_id)}} END AS helper_key
		FROM candidate_case`},
	{"case_event", `SELECT id, case_id, kind, stage_after, effective, document_date, votes_for, votes_eligible, reason,
			late_rule, late_days
		FROM case_event`},

	// Terms and targets.
	{"term", `SELECT id, unit_id, name, starts_on, ends_on FROM term ORDER BY id`},
	{"target_measure", `SELECT code, rank, label_vi, label_en, live_progress FROM target_measure ORDER BY rank`},
	{"target", `SELECT id, unit_id, measure, period_kind, period_start, period_end, term_id, kind, count_value,
			rate_value::float8 AS rate_value, rate_base, parent_target_id, revision
		FROM target ORDER BY id`},
	{"target_revision", `SELECT target_id, revision, kind, count_value, rate_value::float8 AS rate_value, rate_base,
			parent_target_id, reason, recorded_at
		FROM target_revision ORDER BY target_id, revision`},
}

// pgSnapshot identifies the PostgreSQL state a snapshot copied.
type pgSnapshot struct {
	takenAt       time.Time // the transaction's start, when its snapshot was taken
	snapshot      string    // pg_current_snapshot(): xmin:xmax:xip_list
	lsn           string    // WAL position (replay position on a standby)
	serverVersion string
	database      string
}

// write builds the complete snapshot file at path: the copies, the derived tables and
// snapshot_meta; then checkpoints it and closes it.
func write(ctx context.Context, pgURL, path, tempDir string, asOf time.Time, key []byte, o Options, steps map[string]float64, log *slog.Logger) (err error) {
	db, err := openWriter(path, o, tempDir)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := db.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("analytics: close DuckDB file: %w", cerr)
		}
	}()
	// One connection for everything: the Appender needs its raw connection, and the
	// derived tables must see what it appended.
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("analytics: DuckDB connection: %w", err)
	}
	defer conn.Close()

	began := time.Now()
	snap, copied, err := copyFromPostgres(ctx, pgURL, db, sources, key, o, log)
	if err != nil {
		return err
	}
	steps["copy"] = time.Since(began).Seconds()
	if err := testHook("breakdown"); err != nil {
		return err
	}
	began = time.Now()
	if err := buildDerived(ctx, conn, asOf, log); err != nil {
		return err
	}
	log.Info("analytics: derived tables built", "took", time.Since(began).Round(time.Millisecond))
	bsteps, err := buildBreakdowns(ctx, conn, asOf, tempDir, log)
	if err != nil {
		return err
	}
	for k, v := range bsteps {
		steps["breakdown."+k] = v
	}
	steps["derive"] = time.Since(began).Seconds() - sum(bsteps)
	if err := createViews(ctx, conn); err != nil {
		return err
	}
	if err := writeMeta(ctx, conn, asOf, snap, copied); err != nil {
		return err
	}
	// Fold the WAL into the file, so the file alone is the database and can be renamed.
	if _, err := conn.ExecContext(ctx, "CHECKPOINT"); err != nil {
		return fmt.Errorf("analytics: checkpoint: %w", err)
	}
	return conn.Close()
}

// copyFromPostgres copies every source inside one REPEATABLE READ READ ONLY transaction's
// snapshot, so the copies agree with each other, and returns the rows copied per table. The
// tables are read in o.Streams parallel streams (default 3): the first transaction exports its
// snapshot (pg_export_snapshot) and every other stream's transaction imports it (SET TRANSACTION
// SNAPSHOT) before reading anything, so all streams see exactly the same rows. Each stream has
// its own PostgreSQL connection and DuckDB connection and takes the next table, largest first.
func copyFromPostgres(ctx context.Context, pgURL string, db *sql.DB, sources []source, key []byte, o Options, log *slog.Logger) (pgSnapshot, map[string]int64, error) {
	var snap pgSnapshot
	cfg, err := pgx.ParseConfig(pgURL)
	if err != nil {
		return snap, nil, fmt.Errorf("analytics: parse PostgreSQL URL: %w", err)
	}
	if _, ok := cfg.RuntimeParams["application_name"]; !ok {
		cfg.RuntimeParams["application_name"] = "ptdv analytics snapshot"
	}
	streams := o.Streams
	if streams <= 0 {
		streams = 3
	}
	streams = min(streams, len(sources))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	type stream struct {
		pg   *pgx.Conn
		tx   pgx.Tx
		duck *sql.Conn
	}
	ss := make([]*stream, 0, streams)
	defer func() {
		for _, s := range ss {
			if s.duck != nil {
				s.duck.Close()
			}
			if s.tx != nil {
				s.tx.Rollback(context.WithoutCancel(ctx))
			}
			cctx, ccancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			s.pg.Close(cctx)
			ccancel()
		}
	}()
	var exported string
	for i := range streams {
		pg, err := pgx.ConnectConfig(ctx, cfg)
		if err != nil {
			return snap, nil, fmt.Errorf("analytics: connect to PostgreSQL: %w", err)
		}
		s := &stream{pg: pg}
		ss = append(ss, s)
		if s.tx, err = pg.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}); err != nil {
			return snap, nil, fmt.Errorf("analytics: begin snapshot transaction: %w", err)
		}
		if i == 0 {
			// The first statement fixes the transaction's snapshot; record what identifies it
			// and export it for the other streams.
			var lsn *string // NULL on a standby that has not replayed anything yet
			err = s.tx.QueryRow(ctx, `SELECT now(), pg_current_snapshot()::text,
					(CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END)::text,
					current_setting('server_version'), current_database(), pg_export_snapshot()`).
				Scan(&snap.takenAt, &snap.snapshot, &lsn, &snap.serverVersion, &snap.database, &exported)
			if err != nil {
				return snap, nil, fmt.Errorf("analytics: read snapshot identity: %w", err)
			}
			if lsn != nil {
				snap.lsn = *lsn
			}
			if err := testHook("snapshot.exported"); err != nil {
				return snap, nil, err
			}
		} else if _, err := s.tx.Exec(ctx, "SET TRANSACTION SNAPSHOT "+quote(exported)); err != nil {
			return snap, nil, fmt.Errorf("analytics: share the snapshot with stream %d: %w", i+1, err)
		}
		if s.duck, err = db.Conn(ctx); err != nil {
			return snap, nil, fmt.Errorf("analytics: DuckDB connection: %w", err)
		}
	}

	// Largest tables first, so the last table to finish is a small one.
	order := make([]source, len(sources))
	copy(order, sources)
	sort.SliceStable(order, func(i, j int) bool { return sourceWeight(order[i].table) > sourceWeight(order[j].table) })
	next := make(chan source, len(order))
	for _, s := range order {
		next <- s
	}
	close(next)

	var mu sync.Mutex
	copied := make(map[string]int64, len(sources))
	errs := make(chan error, streams)
	for _, st := range ss {
		go func() {
			errs <- func() error {
				for s := range next {
					if ctx.Err() != nil {
						return ctx.Err()
					}
					began := time.Now()
					n, err := load(ctx, st.tx, st.duck, s.table, pseudonymize(s.query, key))
					if err != nil {
						return fmt.Errorf("analytics: copy %s: %w", s.table, err)
					}
					mu.Lock()
					copied[s.table] = n
					mu.Unlock()
					if err := testHook("copy." + s.table); err != nil {
						return err
					}
					took := time.Since(began)
					log.Info("analytics: copied", "table", s.table, "rows", n, "took", took.Round(time.Millisecond),
						"rows_per_s", int64(float64(n)/max(took.Seconds(), 1e-6)))
				}
				return nil
			}()
		}()
	}
	var first error
	for range ss {
		if err := <-errs; err != nil && first == nil {
			first = err
			cancel()
		}
	}
	if first != nil {
		return snap, nil, first
	}
	for _, s := range ss {
		if err := s.tx.Commit(ctx); err != nil {
			return snap, nil, fmt.Errorf("analytics: end snapshot transaction: %w", err)
		}
		s.tx = nil
	}
	return snap, copied, nil
}

// sourceWeight orders the copies: the large tables (rows at national size, in millions) first.
func sourceWeight(table string) int {
	switch table {
	case "case_event":
		return 18
	case "member_event":
		return 15
	case "member_status_span":
		return 10
	case "person":
		return 7
	case "candidate_case":
		return 4
	case "person_unit":
		return 3
	case "person_position":
		return 2
	case "org_link", "org_unit", "org_unit_name":
		return 1
	}
	return 0
}

// writeMeta records snapshot_meta, after checking that every copied table holds the rows the
// loader reported.
func writeMeta(ctx context.Context, c *sql.Conn, asOf time.Time, snap pgSnapshot, copied map[string]int64) error {
	names := make([]string, 0, len(sources)+len(derived))
	for _, s := range sources {
		names = append(names, s.table)
	}
	for _, d := range derived {
		names = append(names, d.table)
	}
	names = append(names, publishedBreakdowns...)
	var keys, vals []string
	for _, t := range names {
		var n int64
		if err := c.QueryRowContext(ctx, "SELECT count(*) FROM "+ident(t)).Scan(&n); err != nil {
			return fmt.Errorf("analytics: count %s: %w", t, err)
		}
		if want, ok := copied[t]; ok && want != n {
			return fmt.Errorf("analytics: table %s holds %d rows after copying %d", t, n, want)
		}
		keys = append(keys, quote(t))
		vals = append(vals, strconv.FormatInt(n, 10))
	}
	ts := func(t time.Time) string {
		return "TIMESTAMPTZ " + quote(t.UTC().Format("2006-01-02 15:04:05.999999Z07:00"))
	}
	stmt := `CREATE TABLE snapshot_meta (
	format_version    INTEGER NOT NULL,
	as_of             DATE NOT NULL,
	taken_at          TIMESTAMPTZ NOT NULL,
	written_at        TIMESTAMPTZ NOT NULL,
	pg_snapshot       VARCHAR NOT NULL,
	pg_lsn            VARCHAR,
	pg_server_version VARCHAR NOT NULL,
	pg_database       VARCHAR NOT NULL,
	row_counts        MAP(VARCHAR, BIGINT) NOT NULL);
INSERT INTO snapshot_meta VALUES (` + strings.Join([]string{
		strconv.Itoa(FormatVersion),
		"DATE " + quote(asOf.Format(time.DateOnly)),
		ts(snap.takenAt),
		ts(time.Now()),
		quote(snap.snapshot),
		nullable(snap.lsn),
		quote(snap.serverVersion),
		quote(snap.database),
		"MAP([" + strings.Join(keys, ", ") + "], [" + strings.Join(vals, ", ") + "]::BIGINT[])",
	}, ", ") + ")"
	if _, err := c.ExecContext(ctx, stmt); err != nil {
		return fmt.Errorf("analytics: write snapshot_meta: %w", err)
	}
	if _, err := c.ExecContext(ctx, "COMMENT ON TABLE snapshot_meta IS "+quote(tableDocs["snapshot_meta"].comment)); err != nil {
		return fmt.Errorf("analytics: comment snapshot_meta: %w", err)
	}
	return nil
}

func nullable(s string) string {
	if s == "" {
		return "NULL"
	}
	return quote(s)
}

var pkeyRef = regexp.MustCompile(`\{\{pkey\(([a-z_.]+)\)\}\}`)

// pseudonymize replaces every {{pkey(col)}} of a source query with the person key of the bigint
// column col: the first 8 bytes of SHA-256(key || the id's 8 bytes), as a bigint. The key never
// leaves the server's data directory, so the file cannot be joined back to PostgreSQL's ids
// (nor to anything the API shows) without it, while the same person keeps the same key from
// night to night. PostgreSQL's built-in sha256 is used because pgcrypto's hmac is not installed;
// with a fixed-length message and a secret prefix, the length-extension weakness of the
// prefix construction does not apply.
func pseudonymize(query string, key []byte) string {
	k := "'\\x" + hex.EncodeToString(key) + "'::bytea"
	return pkeyRef.ReplaceAllString(query,
		`('x' || encode(substr(sha256(`+k+` || int8send($1)), 1, 8), 'hex'))::bit(64)::bigint`)
}

func sum(m map[string]float64) float64 {
	var t float64
	for _, v := range m {
		t += v
	}
	return t
}
