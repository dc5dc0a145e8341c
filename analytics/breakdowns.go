package analytics

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"ptdv/analytics/breakdown"
)

// breakdownSQL holds the breakdown steps, one file each, run in name order after the copies and
// the derived tables (see analytics/breakdown/*.sql: periods, facts, the rollup over the tree, the
// published tables breakdown, funnel, funnel_dropout, village_gap, cell_committee_gap, unit_gap).
var breakdownSQL = breakdown.SQL

// buildBreakdowns runs the breakdown steps on c and returns the seconds each took, by file.
//
// The steps' large working tables (persons' categories, membership spans, stage entries, the counts
// before publication: tens of millions of rows nationally) are created in `work`, a scratch DuckDB file in
// tempDir attached for the run, and found by name through the search path. On disk they are compressed
// and the buffer manager may evict them; as TEMP tables they lived in memory and the national run
// stopped at memory_limit. The scratch file goes with tempDir.
func buildBreakdowns(ctx context.Context, c *sql.Conn, asOf time.Time, tempDir string, log *slog.Logger) (map[string]float64, error) {
	names, err := fs.Glob(breakdownSQL, "*.sql")
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(tempDir, 0o700); err != nil {
		return nil, fmt.Errorf("analytics: scratch directory: %w", err)
	}
	scratch := filepath.Join(tempDir, "work.duckdb")
	for _, stmt := range []string{"ATTACH " + quote(scratch) + " AS work", "SET search_path = 'main,work'"} {
		if _, err := c.ExecContext(ctx, stmt); err != nil {
			return nil, fmt.Errorf("analytics: scratch database: %w", err)
		}
	}
	defer func() {
		c.ExecContext(context.WithoutCancel(ctx), "RESET search_path")
		c.ExecContext(context.WithoutCancel(ctx), "DETACH work")
		os.Remove(scratch)
		os.Remove(scratch + ".wal")
	}()
	sort.Strings(names)
	lit := "DATE '" + asOf.Format(time.DateOnly) + "'"
	took := map[string]float64{}
	for _, name := range names {
		b, err := breakdownSQL.ReadFile(name)
		if err != nil {
			return nil, err
		}
		began := time.Now()
		text := strings.ReplaceAll(string(b), "{{as_of}}", lit)
		// A file marked "-- each on_date" runs once per distinct period date, to keep each
		// aggregation small enough for memory_limit.
		dates := []string{""}
		if strings.Contains(text, "\n-- each on_date\n") {
			if dates, err = periodDates(ctx, c); err != nil {
				return nil, err
			}
		}
		// Within it, the statements between "-- each period of the date" and "-- end each period" run
		// once per period of the date ({{period_id}}, {{starts_on}}, {{period_kind}}, {{ly_period_id}}: the
		// period a year before, NULL when there is none).
		pre, perPeriod, post := text, "", ""
		if i := strings.Index(text, "\n-- each period of the date\n"); i >= 0 {
			j := strings.Index(text, "\n-- end each period\n")
			if j < i {
				return nil, fmt.Errorf("analytics: breakdown step %s: \"each period of the date\" without its end", name)
			}
			pre, perPeriod, post = text[:i], text[i:j], text[j:]
		}
		run := func(sqlText, d, what string) error {
			// One statement at a time (each ends with ";" at the end of a line), so an error names it.
			for i, stmt := range strings.Split(stripComments(strings.ReplaceAll(sqlText, "{{on_date}}", d)), ";\n") {
				if strings.TrimSpace(stmt) == "" {
					continue
				}
				t0 := time.Now()
				if _, err := c.ExecContext(ctx, stmt); err != nil {
					return fmt.Errorf("analytics: breakdown step %s, statement %d %s %s: %w", name, i+1, d, what, err)
				}
				if took := time.Since(t0); took > time.Second {
					log.Debug("analytics: breakdown statement", "step", name, "statement", i+1, "date", d, "took", took.Round(time.Millisecond))
				}
			}
			return nil
		}
		for i, d := range dates {
			if len(dates) > 1 {
				log.Debug("analytics: breakdown date", "step", name, "date", d, "n", i+1, "of", len(dates), "after", time.Since(began).Round(time.Millisecond))
			}
			if err := run(pre, d, ""); err != nil {
				return nil, err
			}
			if perPeriod != "" {
				ps, err := periodsOn(ctx, c, d)
				if err != nil {
					return nil, err
				}
				for _, p := range ps {
					text := strings.NewReplacer("{{period_id}}", p.id, "{{starts_on}}", p.startsOn, "{{ly_period_id}}", p.lyID, "{{period_kind}}", p.kind).Replace(perPeriod)
					if err := run(text, d, "period "+p.id); err != nil {
						return nil, err
					}
				}
			}
			if err := run(post, d, ""); err != nil {
				return nil, err
			}
		}
		step := strings.TrimSuffix(name, ".sql")
		took[step] = time.Since(began).Seconds()
		log.Info("analytics: breakdown step done", "step", step, "took", time.Since(began).Round(time.Millisecond))
		if log.Enabled(ctx, slog.LevelDebug) || debugSizes {
			rows, err := c.QueryContext(ctx, `SELECT table_name, estimated_size FROM duckdb_tables() WHERE temporary OR database_name = 'work' OR table_name IN ('breakdown','funnel','period')`)
			if err == nil {
				for rows.Next() {
					var n string
					var z int64
					rows.Scan(&n, &z)
					log.Info("analytics: table size", "table", n, "rows", z)
				}
				rows.Close()
			}
		}
	}
	return took, nil
}

// publishedBreakdowns are the tables the breakdown steps leave in the file.
var publishedBreakdowns = []string{"period", "breakdown", "funnel", "funnel_dropout", "village_gap", "cell_committee_gap", "unit_gap"}

// stripComments removes "--" comments from SQL text (none of the steps has "--" inside a string).
func stripComments(s string) string {
	var b strings.Builder
	for _, line := range strings.Split(s, "\n") {
		if i := strings.Index(line, "--"); i >= 0 {
			line = line[:i]
		}
		b.WriteString(line + "\n")
	}
	return b.String()
}

var debugSizes = false

// periodDates returns the distinct dates of the periods as DATE literals.
func periodDates(ctx context.Context, c *sql.Conn) ([]string, error) {
	ds, err := strings1(ctx, c, `SELECT DISTINCT 'DATE ''' || strftime(on_date, '%Y-%m-%d') || '''' FROM period ORDER BY 1`)
	if err != nil {
		return nil, fmt.Errorf("analytics: period dates: %w", err)
	}
	return ds, nil
}

// periodsOn returns the periods whose date is d (a DATE literal): their ids, first days (DATE literals),
// the ids of the periods a year before (NULL when there is none) and their kinds.
// The first day goes into the statements as a constant, so that DuckDB skips the row groups of the tables
// sorted by date (admission, stage_entry) that lie outside the period.
func periodsOn(ctx context.Context, c *sql.Conn, d string) ([]periodOn, error) {
	rows, err := c.QueryContext(ctx, `SELECT id::VARCHAR, strftime(starts_on, '%Y-%m-%d'), coalesce(ly_period_id::VARCHAR, 'NULL'), kind FROM period WHERE on_date = `+d+` ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("analytics: periods of %s: %w", d, err)
	}
	defer rows.Close()
	var out []periodOn
	for rows.Next() {
		var p periodOn
		if err := rows.Scan(&p.id, &p.startsOn, &p.lyID, &p.kind); err != nil {
			return nil, err
		}
		p.startsOn = "DATE '" + p.startsOn + "'"
		out = append(out, p)
	}
	return out, rows.Err()
}

type periodOn struct{ id, startsOn, lyID, kind string }
