package analytics

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"strings"
	"time"

	"github.com/duckdb/duckdb-go/v2"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
)

// loadFunc copies the result of query, run in the snapshot transaction src, into a new DuckDB
// table named table on dst, and returns the number of rows copied. The table's columns are
// the query's columns, typed from the PostgreSQL result (see duckType).
//
// load is the one place rows move from PostgreSQL to DuckDB. It is a variable so a faster
// implementation (Arrow record batches built from pgx RawValues and INSERT … SELECT from a
// registered Arrow view, build tag duckdb_arrow) can replace the row-by-row Appender from an
// init function in a tagged file, without touching the table list or the snapshot steps.
var load loadFunc = appendRows

type loadFunc func(ctx context.Context, src pgx.Tx, dst *sql.Conn, table, query string) (int64, error)

// column is one result column and its DuckDB counterpart.
type column struct {
	name string
	typ  string                   // DuckDB type
	conv func(v any) (any, error) // nil: pass the pgx value through
}

// appendRows is the portable loader: pgx decodes each row (binary format) into Go values and
// duckdb-go's Appender writes them in data chunks. About 0.23 M rows/s measured here.
func appendRows(ctx context.Context, src pgx.Tx, dst *sql.Conn, table, query string) (int64, error) {
	rows, err := src.Query(ctx, query)
	if err != nil {
		return 0, fmt.Errorf("query: %w", err)
	}
	defer rows.Close()
	cols, err := resultColumns(rows.FieldDescriptions())
	if err != nil {
		return 0, err
	}
	if _, err := dst.ExecContext(ctx, createTable(table, cols)); err != nil {
		return 0, fmt.Errorf("create table: %w", err)
	}
	var n int64
	err = dst.Raw(func(dc any) error {
		conn, ok := dc.(driver.Conn)
		if !ok {
			return fmt.Errorf("unexpected driver connection %T", dc)
		}
		app, err := duckdb.NewAppenderFromConn(conn, "", table)
		if err != nil {
			return err
		}
		vals := make([]driver.Value, len(cols))
		for rows.Next() {
			raw, err := rows.Values()
			if err != nil {
				app.Close()
				return err
			}
			for i, v := range raw {
				if v != nil && cols[i].conv != nil {
					if v, err = cols[i].conv(v); err != nil {
						app.Close()
						return fmt.Errorf("row %d, column %s: %w", n+1, cols[i].name, err)
					}
				}
				vals[i] = v
			}
			if err := app.AppendRow(vals...); err != nil {
				app.Close()
				return fmt.Errorf("row %d: %w", n+1, err)
			}
			n++
		}
		if err := rows.Err(); err != nil {
			app.Close()
			return err
		}
		return app.CloseWithCancel(ctx)
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// createTable is the DDL of a table with the given columns.
func createTable(table string, cols []column) string {
	var b strings.Builder
	b.WriteString("CREATE TABLE " + ident(table) + " (")
	for i, c := range cols {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(ident(c.name) + " " + c.typ)
	}
	b.WriteString(")")
	return b.String()
}

// resultColumns maps a PostgreSQL result's columns to DuckDB columns.
func resultColumns(fds []pgconn.FieldDescription) ([]column, error) {
	cols := make([]column, len(fds))
	seen := map[string]bool{}
	for i, fd := range fds {
		if seen[fd.Name] {
			return nil, fmt.Errorf("column %q appears twice", fd.Name)
		}
		seen[fd.Name] = true
		typ, conv, ok := duckType(fd.DataTypeOID)
		if !ok {
			return nil, fmt.Errorf("column %q has PostgreSQL type OID %d, which the loader does not map; cast it in the query (e.g. ::text)", fd.Name, fd.DataTypeOID)
		}
		cols[i] = column{name: fd.Name, typ: typ, conv: conv}
	}
	return cols, nil
}

// duckTypes maps each PostgreSQL type the loader takes to the DuckDB column type that holds it, with
// the conversion of pgx's decoded value when the Appender does not take it as is (nil: as is). Types
// not listed must be cast in the export query (ltree and jsonb to text, numeric to a float or text).
var duckTypes = map[uint32]struct {
	typ  string
	conv func(any) (any, error)
}{
	pgtype.BoolOID: {"BOOLEAN", nil},
	pgtype.Int2OID: {"SMALLINT", nil}, pgtype.Int4OID: {"INTEGER", nil}, pgtype.Int8OID: {"BIGINT", nil},
	pgtype.Float4OID: {"FLOAT", nil}, pgtype.Float8OID: {"DOUBLE", nil},
	pgtype.TextOID: {"VARCHAR", nil}, pgtype.VarcharOID: {"VARCHAR", nil}, pgtype.BPCharOID: {"VARCHAR", nil}, pgtype.NameOID: {"VARCHAR", nil},
	pgtype.DateOID: {"DATE", finiteTime}, pgtype.TimestampOID: {"TIMESTAMP", finiteTime}, pgtype.TimestamptzOID: {"TIMESTAMPTZ", finiteTime},
}

// duckType is the DuckDB column type of a PostgreSQL type and its conversion (see duckTypes).
func duckType(oid uint32) (typ string, conv func(any) (any, error), ok bool) {
	t, ok := duckTypes[oid]
	return t.typ, t.conv, ok
}

// finiteTime passes a time through and refuses PostgreSQL's ±infinity, which pgx decodes as an
// InfinityModifier and DuckDB's Appender cannot take. The schema marks open intervals with
// NULL, so an infinite date is a data error worth stopping for.
func finiteTime(v any) (any, error) {
	switch t := v.(type) {
	case time.Time:
		return t, nil
	case pgtype.InfinityModifier:
		return nil, fmt.Errorf("infinite date/time %s is not exported; use NULL for an open end", t)
	}
	return nil, fmt.Errorf("unexpected date/time value %T", v)
}
