package db

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
)

// NextIDs reserves n values of a table's identity column "id", for rows that a bulk write inserts with
// their ids already known (OVERRIDING SYSTEM VALUE), so that rows of other tables can refer to them.
func NextIDs(ctx context.Context, idb bun.IDB, table string, n int) ([]int64, error) {
	if n == 0 {
		return nil, nil
	}
	var ids []int64
	err := idb.NewRaw(`SELECT nextval(pg_get_serial_sequence(?, 'id')) FROM generate_series(1, ?)`, table, n).Scan(ctx, &ids)
	if err != nil {
		return nil, fmt.Errorf("db: reserve %d ids of %s: %w", n, table, err)
	}
	return ids, nil
}

// Column is one column of a bulk insert: its name, its SQL type and its values (a slice, one per row).
type Column struct {
	Name, Type string
	Values     any
}

// InsertRows inserts rows given column by column in one statement (INSERT … SELECT FROM unnest), which
// parses and plans once for any number of rows: bulk imports write through it. Identity columns given
// among cols take the values given.
func InsertRows(ctx context.Context, idb bun.IDB, table string, cols ...Column) error {
	names := make([]string, len(cols))
	casts := make([]string, len(cols))
	args := make([]any, len(cols))
	for i, c := range cols {
		names[i] = c.Name
		casts[i] = "?::" + c.Type + "[]"
		args[i] = pgdialect.Array(c.Values)
	}
	q := fmt.Sprintf(`INSERT INTO %s (%s) OVERRIDING SYSTEM VALUE SELECT * FROM unnest(%s)`,
		table, strings.Join(names, ", "), strings.Join(casts, ", "))
	if _, err := idb.NewRaw(q, args...).Exec(ctx); err != nil {
		return fmt.Errorf("db: insert into %s: %w", table, err)
	}
	return nil
}

// DateText formats a date for a date[] column of InsertRows; NullDate a nullable one.
func DateText(t time.Time) string { return t.Format(time.DateOnly) }

// NullDate is DateText for a date that may be missing.
func NullDate(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := DateText(*t)
	return &s
}

// NullText is nil for "", for the text columns that hold NULL rather than an empty string.
func NullText(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
