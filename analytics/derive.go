package analytics

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"strings"
	"time"
)

// derived builds the tables computed inside DuckDB from the copied ones, in order. Each
// statement gets the as-of date as a DATE literal in place of {{as_of}}.
var derived = []struct {
	table string
	sql   string
}{
	// unit_asof: every unit that exists on the as-of date, with its name, parent and path on
	// that date. The province is the root of the path (path labels are unit ids).
	{"unit_asof", `
CREATE TABLE unit_asof AS
WITH u AS (
	SELECT id, code, kind, sector, valid_from, valid_to FROM org_unit
	WHERE valid_from <= {{as_of}} AND (valid_to IS NULL OR valid_to > {{as_of}})),
n AS (
	SELECT unit_id, name FROM org_unit_name
	WHERE valid_from <= {{as_of}} AND (valid_to IS NULL OR valid_to > {{as_of}})),
l AS (
	SELECT unit_id, parent_id, path, depth FROM org_link
	WHERE valid_from <= {{as_of}} AND (valid_to IS NULL OR valid_to > {{as_of}})),
x AS (
	SELECT u.id, u.code, u.kind, u.sector, n.name, l.parent_id, l.path, l.depth,
		TRY_CAST(split_part(l.path, '.', 1) AS BIGINT) AS province_id,
		u.valid_from, u.valid_to
	FROM u LEFT JOIN n ON n.unit_id = u.id LEFT JOIN l ON l.unit_id = u.id)
SELECT x.id, x.code, x.kind, x.sector, x.name, x.parent_id, x.path, x.depth,
	x.province_id, p.code AS province_code, p.name AS province_name,
	x.valid_from, x.valid_to
FROM x LEFT JOIN x AS p ON p.id = x.province_id
ORDER BY x.path, x.id`},

	// unit_counts: units on the as-of date per province and kind. National totals per kind
	// are its sums; units without a path on the date (none, if the data is sound) have a
	// NULL province.
	{"unit_counts", `
CREATE TABLE unit_counts AS
SELECT province_id, province_code, province_name, kind, count(*) AS n
FROM unit_asof
GROUP BY province_id, province_code, province_name, kind
ORDER BY province_code, kind`},
}

// checks run after the derived tables; each counts offending units and names the first one.
// A fatal check fails the snapshot (a file that contradicts itself is worse than yesterday's
// file); the others are logged.
var checks = []struct {
	fatal bool
	msg   string
	sql   string
}{
	{true, "units with more than one name or parent link on the as-of date (would be counted twice)",
		`SELECT count(*), min(id) FROM (SELECT id FROM unit_asof GROUP BY id HAVING count(*) > 1)`},
	{false, "units that exist on the as-of date but have no name then",
		`SELECT count(*), min(id) FROM unit_asof WHERE name IS NULL`},
	{false, "units that exist on the as-of date but have no parent link then (counted without a province)",
		`SELECT count(*), min(id) FROM unit_asof WHERE path IS NULL`},
}

// buildDerived creates the derived tables and runs the checks.
func buildDerived(ctx context.Context, c *sql.Conn, asOf time.Time, log *slog.Logger) error {
	lit := "DATE '" + asOf.Format(time.DateOnly) + "'"
	for _, d := range derived {
		if _, err := c.ExecContext(ctx, strings.ReplaceAll(d.sql, "{{as_of}}", lit)); err != nil {
			return fmt.Errorf("analytics: build %s: %w", d.table, err)
		}
	}
	for _, ch := range checks {
		var n int64
		var first sql.NullInt64
		if err := c.QueryRowContext(ctx, ch.sql).Scan(&n, &first); err != nil {
			return fmt.Errorf("analytics: check %q: %w", ch.msg, err)
		}
		if n == 0 {
			continue
		}
		if ch.fatal {
			return fmt.Errorf("analytics: inconsistent data: %d %s, e.g. unit id %d", n, ch.msg, first.Int64)
		}
		log.Warn("analytics: "+ch.msg, "count", n, "first_unit_id", first.Int64)
	}
	return nil
}
