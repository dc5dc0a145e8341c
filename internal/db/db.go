// Package db opens PostgreSQL for ptdv (bun with the pgdialect over pgx's
// database/sql driver), applies the embedded SQL migrations, and runs
// transactions.
//
// Three roles are involved. The owner (the role in the database URL) owns the schema and runs
// migrations and the binary's own jobs (seed, nightly). The application role ptdv_app (NOLOGIN) holds
// only what the migrations GRANT it and is subject to row-level security (migration 0012). The server
// logs in as a third role that is a member of ptdv_app and nothing else (LoginRole, or the user of
// DATABASE_APP_URL); with Options.AppRole every connection switches to ptdv_app at connection start,
// Open refuses a login role that is a superuser, may create roles or bypasses row security, and each
// transaction carries the actor's scope (scope.go). So the API server never runs as the table owner,
// and neither SET ROLE NONE nor a forgotten filter gets it past a revoked privilege or a policy.
package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
)

// AppRole is the role the application runs as (Options.AppRole). Migrate
// creates it, cluster-wide, and grants it to the migrating owner.
const AppRole = "ptdv_app"

// Options configure Open.
type Options struct {
	// AppRole makes every connection run as the role ptdv_app instead of
	// the URL's user (who must be a member of it, which Migrate arranges).
	AppRole bool
	// MaxOpenConns caps the pool; 0 means database/sql's default
	// (unlimited). Idle connections are kept up to the same number.
	MaxOpenConns int
	// StatementTimeout aborts any statement running longer; 0 keeps the
	// server's setting (normally none).
	StatementTimeout time.Duration
	// ApplicationName shows in pg_stat_activity and the server log.
	ApplicationName string
}

// Open connects to the database at url (a postgres:// URL or a key=value
// connection string) and pings it.
//
// Queries use pgx's simple protocol: bun formats arguments into the SQL text
// itself, so the extended protocol would only add a round trip for each
// statement's preparation without any benefit, and the simple protocol also
// works through transaction-pooling proxies. The exception is Scan (prepared.go): a read written with
// bind parameters, which the application pool prepares once per connection and reuses.
//
// Session settings (role, statement_timeout, application_name) are sent as
// startup parameters, so they hold from the first statement on every
// connection the pool opens, and RESET ALL / DISCARD ALL return to them
// rather than to the server defaults.
func Open(ctx context.Context, url string, o Options) (*bun.DB, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		// pgconn redacts the password in its parse errors.
		return nil, fmt.Errorf("db: parse database URL: %w", err)
	}
	cfg.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
	if cfg.RuntimeParams == nil {
		cfg.RuntimeParams = map[string]string{}
	}
	if o.AppRole {
		cfg.RuntimeParams["role"] = AppRole
		// The row-level security policies add subplans whose estimated cost lifts ordinary OLTP
		// statements past jit_above_cost: a province's member count spent 2.2 s compiling for a
		// 1.6 s run. The server's statements are short; JIT never pays for itself here.
		cfg.RuntimeParams["jit"] = "off"
	}
	if o.StatementTimeout > 0 {
		ms := o.StatementTimeout.Milliseconds()
		if ms < 1 {
			ms = 1 // 0 would mean "no timeout"
		}
		cfg.RuntimeParams["statement_timeout"] = strconv.FormatInt(ms, 10)
	}
	if o.ApplicationName != "" {
		cfg.RuntimeParams["application_name"] = o.ApplicationName
	}

	var sqldb *sql.DB
	if o.AppRole {
		sqldb = sql.OpenDB(scopedConnector{stdlib.GetConnector(*cfg)})
	} else {
		sqldb = stdlib.OpenDB(*cfg)
	}
	if o.MaxOpenConns > 0 {
		sqldb.SetMaxOpenConns(o.MaxOpenConns)
		sqldb.SetMaxIdleConns(o.MaxOpenConns)
	}
	bdb := bun.NewDB(sqldb, pgdialect.New())

	where := fmt.Sprintf("database %q on %s as %s", cfg.Database, cfg.Host, cfg.User)
	if err := bdb.PingContext(ctx); err != nil {
		bdb.Close()
		var pgErr *pgconn.PgError
		// The role is missing (invalid_parameter_value) or the user
		// may not use it (insufficient_privilege).
		if o.AppRole && errors.As(err, &pgErr) && (pgErr.Code == "22023" || pgErr.Code == "42501") {
			return nil, fmt.Errorf("db: connect to %s with role %s: %w (run `ptdv migrate` first: it creates the role and grants it to %s)",
				where, AppRole, err, cfg.User)
		}
		return nil, fmt.Errorf("db: connect to %s: %w", where, err)
	}
	if o.AppRole {
		// The server applies the role parameter silently; check it
		// took effect rather than run as the owner by mistake.
		var user string
		if err := bdb.NewRaw("SELECT current_user").Scan(ctx, &user); err != nil {
			bdb.Close()
			return nil, fmt.Errorf("db: check role on %s: %w", where, err)
		}
		if user != AppRole {
			bdb.Close()
			return nil, fmt.Errorf("db: connected to %s with role=%s, but current_user is %q", where, AppRole, user)
		}
		if err := checkLoginRole(ctx, bdb, where); err != nil {
			bdb.Close()
			return nil, err
		}
	}
	return bdb, nil
}

// InTx runs fn in a transaction on db and commits if fn returns nil, rolls
// back otherwise (also when fn panics, which is re-raised).
//
// If db already is a transaction, fn runs directly in it: no savepoint, so
// the outer transaction's caller keeps the only decision to commit or roll
// back, and a data function taking bun.IDB composes into a larger
// transaction without nesting surprises. (bun.Tx.RunInTx would open a
// savepoint instead.)
func InTx(ctx context.Context, db bun.IDB, fn func(ctx context.Context, tx bun.Tx) error) error {
	switch tx := db.(type) {
	case bun.Tx:
		return fn(ctx, tx)
	case *bun.Tx:
		return fn(ctx, *tx)
	}
	return db.RunInTx(ctx, nil, fn)
}

// RowValues scans the current row of rows into one value per column, whatever the columns are (n of
// them): for a query the caller knows only as text.
func RowValues(rows *sql.Rows, n int) ([]any, error) {
	vals, ptrs := make([]any, n), make([]any, n)
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	return vals, rows.Scan(ptrs...)
}
