package db

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"ptdv/internal/apperr"
)

// The actor's scope reaches PostgreSQL's row-level security (migration 0012) as the transaction-local
// setting ptdv.scope. The application pool (Options.AppRole) sets it in every transaction it runs for a
// context that carries a scope (WithScope, which auth.WithActor calls):
//
//   - an explicit transaction (RunInTx, InTx, RunInBulkTx) sets it right after BEGIN;
//   - a statement outside a transaction that returns no rows is sent as one Query message
//     "SELECT set_config(…, true); <statement>", which PostgreSQL runs as one implicit transaction;
//   - a statement outside a transaction that returns rows is sent the same way, as one Query message
//     "SELECT set_config(…, true); <statement>", whose second result is the rows (one round trip, one
//     implicit transaction that ends with the message); a statement with driver arguments runs in a
//     transaction of its own instead: BEGIN and the setting, the statement, COMMIT when its rows are closed.
//   - a read through Scan (bind parameters, prepared once per connection) is sent as one pipeline: the
//     prepared setting, the prepared read, one Sync; PostgreSQL runs what precedes a Sync as one implicit
//     transaction, so the setting holds for the read and ends with it (prepared.go).
//
// The setting names the actor's subtree by its path, as auth resolved it for the request (WithScopePath);
// a scope given by its unit alone (WithScope) is looked up by ptdv_scope_for in each transaction.
//
// Being transaction-local, the setting ends with the transaction: a pooled connection never carries a
// request's scope into the next one, and a statement without a scope sees no personal rows.
//
// The driver connection is pgx's, wrapped; code that needs pgx itself (COPY) gets it through PgxConn.

type scopeKey struct{}

// scope is the scope a context carries: national, or the subtree of one unit.
type scope struct {
	national bool
	unit     int64
	path     string    // the unit's materialized path on day, when known (WithScopePath)
	day      time.Time // the day the tree is read (zero: today in Vietnam)
}

// WithScope returns a context whose statements on the application pool run with the scope of unit
// (national: every row). auth.WithActor calls it; nothing else needs to.
func WithScope(ctx context.Context, national bool, unit int64, day time.Time) context.Context {
	return context.WithValue(ctx, scopeKey{}, scope{national: national, unit: unit, day: day})
}

// WithScopePath is WithScope for the subtree of a unit whose materialized path on day the caller has
// just read from the database (auth.Resolve): the setting carries the path itself, so a statement does
// not look the unit up again (ptdv_scope_for, a function call planned and run in every transaction). A
// path that is not an ltree of unit ids is ignored: the unit is then looked up as by WithScope.
func WithScopePath(ctx context.Context, unit int64, path string, day time.Time) context.Context {
	if !isPath(path) || day.IsZero() {
		path = ""
	}
	return context.WithValue(ctx, scopeKey{}, scope{unit: unit, path: path, day: day})
}

// isPath reports whether p is a materialized path of unit ids ("1.15508"): digits separated by single
// dots, so safe to inline in SQL.
func isPath(p string) bool {
	if p == "" || len(p) > 1000 || p[0] == '.' || p[len(p)-1] == '.' {
		return false
	}
	for i := 0; i < len(p); i++ {
		switch c := p[i]; {
		case c >= '0' && c <= '9':
		case c == '.' && p[i-1] != '.':
		default:
			return false
		}
	}
	return true
}

// setScopeSQL is the statement that sets ctx's scope, "" when ctx carries none. ptdv_scope_for turns
// the unit into its path as the tree stands today (an empty string when it no longer exists: no rows),
// unless the context carries the path already.
func setScopeSQL(ctx context.Context) string {
	s, ok := ctx.Value(scopeKey{}).(scope)
	if !ok {
		return ""
	}
	if s.national {
		return "SELECT set_config('ptdv.scope', 'all', true)"
	}
	if s.path != "" { // isPath and a day, checked by WithScopePath: digits, dots and dashes only
		return "SELECT set_config('ptdv.day', '" + s.day.Format(time.DateOnly) + "', true), set_config('ptdv.scope', '" + s.path + "', true)"
	}
	if s.day.IsZero() {
		return "SELECT set_config('ptdv.scope', public.ptdv_scope_for(" + strconv.FormatInt(s.unit, 10) + ", public.ptdv_day()), true)"
	}
	d := s.day.Format(time.DateOnly) // digits and dashes only: safe to inline
	return "SELECT set_config('ptdv.day', '" + d + "', true), set_config('ptdv.scope', public.ptdv_scope_for(" +
		strconv.FormatInt(s.unit, 10) + ", '" + d + "'::date), true)"
}

// ScopedConnector wraps a pgx connector so that its connections set the request's scope as the
// application pool's do (Open with AppRole uses it): for a pool a caller builds itself, such as a test
// whose cluster changes port on restart.
func ScopedConnector(c driver.Connector) driver.Connector { return scopedConnector{c} }

// scopedConnector opens scopedConns.
type scopedConnector struct{ inner driver.Connector }

func (c scopedConnector) Connect(ctx context.Context) (driver.Conn, error) {
	dc, err := c.inner.Connect(ctx)
	if err != nil {
		return nil, err
	}
	sc, ok := dc.(*stdlib.Conn)
	if !ok {
		dc.Close()
		return nil, errors.New("db: the driver connection is not pgx's")
	}
	return &scopedConn{Conn: sc}, nil
}

func (c scopedConnector) Driver() driver.Driver { return scopedDriver{c.inner.Driver()} }

// scopedConn is pgx's driver connection that sets the scope as described above. database/sql uses a
// driver connection from one goroutine at a time, so inTx needs no lock.
type scopedConn struct {
	*stdlib.Conn
	inTx     bool
	prepared map[string]*pgconn.StatementDescription // by text: the statements queryPipeline prepared
}

// ResetSession runs before database/sql hands a pooled connection to the next caller: one left inside
// a transaction (a scoped read whose COMMIT failed) would run the next request in it, under the
// previous scope, so it is dropped instead.
func (c *scopedConn) ResetSession(ctx context.Context) error {
	if c.inTx || c.Conn.Conn().PgConn().TxStatus() != 'I' {
		return driver.ErrBadConn
	}
	return c.Conn.ResetSession(ctx)
}

// PgxConn is the pgx connection underneath, for COPY.
func (c *scopedConn) PgxConn() *pgx.Conn { return c.Conn.Conn() }

func (c *scopedConn) Begin() (driver.Tx, error) {
	return c.BeginTx(context.Background(), driver.TxOptions{})
}

func (c *scopedConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	tx, err := c.Conn.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	if set := setScopeSQL(ctx); set != "" {
		if _, err := c.Conn.ExecContext(ctx, set, nil); err != nil {
			_ = tx.Rollback()
			return nil, err
		}
	}
	c.inTx = true
	return scopedTx{Tx: tx, c: c}, nil
}

type scopedTx struct {
	driver.Tx
	c *scopedConn
}

func (t scopedTx) Commit() error   { t.c.inTx = false; return t.Tx.Commit() }
func (t scopedTx) Rollback() error { t.c.inTx = false; return t.Tx.Rollback() }

func (c *scopedConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if set := setScopeSQL(ctx); set != "" && !c.inTx {
		// One Query message: one implicit transaction; the result is the last statement's.
		query = set + ";\n" + query
	}
	res, err := c.Conn.ExecContext(ctx, query, args)
	return res, refusal(err)
}

// refusal turns PostgreSQL's refusal of a row outside the scope ("new row violates row-level security
// policy") into NOT_FOUND, the answer the application gives for anything outside the scope: an
// outsider learns no more from the second lock than from the first. The database error stays wrapped.
func refusal(err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "42501" && strings.Contains(pe.Message, "row-level security") {
		return fmt.Errorf("%w (%w)", apperr.New(apperr.NotFound, "Không tìm thấy đối tượng này trong phạm vi của bạn.",
			"row outside the actor's scope (row-level security)"), err)
	}
	return err
}

func (c *scopedConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	set := setScopeSQL(ctx)
	if len(args) == 0 {
		if b, ok := boundArgs(ctx, query); ok && len(b) > 0 { // Scan's: a prepared statement
			if set != "" && !c.inTx {
				rows, ok, err := c.queryPipeline(ctx, query, b)
				if _, stale := err.(errStale); stale {
					rows, ok, err = c.queryPipeline(ctx, query, b)
				}
				if ok {
					return rows, err
				}
			}
			// In a transaction (its setting made after BEGIN) or without a scope: pgx's statement cache.
			args = append([]driver.NamedValue{{Ordinal: 0, Value: pgx.QueryExecModeCacheStatement}}, b...)
		}
	}
	if set == "" || c.inTx {
		rows, err := c.Conn.QueryContext(ctx, query, args)
		return rows, refusal(err)
	}
	if len(args) == 0 { // bun formats its arguments into the text: the usual case
		return c.queryOneMessage(ctx, set, query)
	}
	if _, err := c.Conn.ExecContext(ctx, "BEGIN;\n"+set, nil); err != nil {
		return nil, err
	}
	rows, err := c.Conn.QueryContext(ctx, query, args)
	if err != nil {
		c.end("ROLLBACK")
		return nil, refusal(err)
	}
	return &scopedRows{Rows: rows.(*stdlib.Rows), c: c}, nil
}

// end finishes the transaction of a statement that returned rows, without the request's context,
// which may be over by the time the rows are closed (and a context with a deadline costs pgx a watcher
// goroutine: 2.6 ms a statement on a busy machine). If it fails, the connection is left inside a
// transaction, which ResetSession reports as a bad connection, so database/sql drops it.
func (c *scopedConn) end(stmt string) error {
	_, err := c.Conn.ExecContext(context.Background(), stmt, nil)
	return err
}

// scopedRows commits the statement's transaction when its rows are closed.
type scopedRows struct {
	*stdlib.Rows
	c    *scopedConn
	done bool
}

func (r *scopedRows) Close() error {
	err := r.Rows.Close()
	if r.done {
		return err
	}
	r.done = true
	if err != nil {
		return errors.Join(err, r.c.end("ROLLBACK"))
	}
	return r.c.end("COMMIT")
}
