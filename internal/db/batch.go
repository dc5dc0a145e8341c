package db

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/uptrace/bun"
)

// BulkTx is a transaction on a connection of its own, through which InsertRows writes with COPY. Bulk
// imports run in one: everything or nothing is written, as with any transaction, at COPY's speed.
type BulkTx struct {
	bun.Tx
	conn bun.Conn
}

// RunInBulkTx runs fn in a BulkTx, committed when fn returns nil and rolled back otherwise.
func RunInBulkTx(ctx context.Context, d *bun.DB, fn func(ctx context.Context, tx BulkTx) error) (err error) {
	conn, err := d.Conn(ctx)
	if err != nil {
		return fmt.Errorf("db: bulk connection: %w", err)
	}
	defer conn.Close()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("db: bulk begin: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback()
			panic(p)
		}
	}()
	if err := fn(ctx, BulkTx{Tx: tx, conn: conn}); err != nil {
		return errors.Join(err, ignoreDone(tx.Rollback()))
	}
	return tx.Commit()
}

func ignoreDone(err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return nil
	}
	return err
}

// NextIDs reserves n values of a table's identity column "id", for rows that a bulk write inserts with
// their ids already known, so that rows of other tables can refer to them.
func NextIDs(ctx context.Context, idb bun.IDB, table string, n int) ([]int64, error) {
	if n == 0 {
		return nil, nil
	}
	var ids []int64
	// The sequence is looked up once (MATERIALIZED): pulled up into the outer query, the lookup ran for
	// every row, ≈ 2 µs each.
	err := idb.NewRaw(`WITH s AS MATERIALIZED (SELECT pg_get_serial_sequence(?, 'id')::regclass AS seq)
		SELECT nextval(s.seq) FROM s, generate_series(1, ?)`, table, n).Scan(ctx, &ids)
	if err != nil {
		return nil, fmt.Errorf("db: reserve %d ids of %s: %w", n, table, err)
	}
	return ids, nil
}

// Column is one column of InsertRows: its name and its values, a slice with one element per row (a
// date as time.Time, NULL as a nil pointer, jsonb as a string).
type Column struct {
	Name   string
	Values any
}

// InsertRows writes rows given column by column with COPY (binary): no statement to parse or plan, and
// the rows are encoded while the server stores the earlier ones. Identity columns take the values given.
// Statement triggers fire once, as for an INSERT.
func InsertRows(ctx context.Context, tx BulkTx, table string, cols ...Column) error {
	if len(cols) == 0 {
		return nil
	}
	names := make([]string, len(cols))
	vals := make([]reflect.Value, len(cols))
	n := -1
	for i, c := range cols {
		names[i], vals[i] = c.Name, reflect.ValueOf(c.Values)
		if n >= 0 && vals[i].Len() != n {
			return fmt.Errorf("db: insert into %s: column %s has %d values, not %d", table, c.Name, vals[i].Len(), n)
		}
		n = vals[i].Len()
	}
	if n == 0 {
		return nil
	}
	row := make([]any, len(cols))
	src := pgx.CopyFromSlice(n, func(i int) ([]any, error) {
		for j, v := range vals {
			row[j] = v.Index(i).Interface()
		}
		return row, nil
	})
	err := tx.conn.Raw(func(dc any) error {
		switch c := dc.(type) {
		case *scopedConn:
			return refusal(copyScoped(ctx, c.PgxConn(), table, names, src))
		case *stdlib.Conn:
			_, err := c.Conn().CopyFrom(ctx, pgx.Identifier{table}, names, src)
			return err
		}
		return fmt.Errorf("db: the driver connection is a %T, not pgx's", dc)
	})
	if err != nil {
		return fmt.Errorf("db: insert into %s: %w", table, err)
	}
	return nil
}

// bulkSeq numbers the staging tables of copyScoped.
var bulkSeq atomic.Int64

// copyScoped writes the rows on the application pool. PostgreSQL refuses COPY FROM into a table under
// row-level security, so the rows are copied into a temporary table of the same columns (no policies;
// dropped at commit) and moved with one INSERT … SELECT, which the policies check row by row. Given
// values of identity columns are kept, as COPY keeps them.
func copyScoped(ctx context.Context, c *pgx.Conn, table string, names []string, src pgx.CopyFromSource) error {
	tmp := "ptdv_bulk_" + strconv.FormatInt(bulkSeq.Add(1), 10)
	ident := pgx.Identifier{table}.Sanitize()
	cols := make([]string, len(names))
	for i, n := range names {
		cols[i] = pgx.Identifier{n}.Sanitize()
	}
	list := strings.Join(cols, ", ")
	if _, err := c.Exec(ctx, `CREATE TEMP TABLE `+tmp+` ON COMMIT DROP AS SELECT `+list+` FROM `+ident+` WITH NO DATA`); err != nil {
		return err
	}
	if _, err := c.CopyFrom(ctx, pgx.Identifier{tmp}, names, src); err != nil {
		return err
	}
	_, err := c.Exec(ctx, `INSERT INTO `+ident+` (`+list+`) OVERRIDING SYSTEM VALUE SELECT `+list+` FROM `+tmp+`;
		DROP TABLE `+tmp)
	return err
}

// NullText is nil for "", for the text columns that hold NULL rather than an empty string.
func NullText(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
