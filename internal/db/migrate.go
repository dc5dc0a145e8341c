package db

import (
	"context"
	"crypto/sha256"
	"database/sql/driver"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/uptrace/bun"
)

// Migrations holds the schema migrations, files named NNNN_name.sql under
// migrations/. Pass it to Migrate and Pending as is.
//
//go:embed migrations/*.sql
var Migrations embed.FS

// migrateLockKey is the pg_advisory_lock key that serializes migrations of
// one database: the ASCII bytes of "ptdvmigr". Advisory locks are scoped to
// the current database, so migrations of different databases on one cluster
// (parallel tests) do not wait for each other.
const migrateLockKey int64 = 0x707464766d696772

// migration is one NNNN_name.sql file.
type migration struct {
	version  string // the digits, as written: "0001"
	num      uint64 // its value, for ordering and duplicate detection
	name     string // the file's base name
	sql      string
	checksum string // sha256 of the contents, to notice edits after applying
}

var migrationFile = regexp.MustCompile(`^([0-9]+)_([A-Za-z0-9_-]+)\.sql$`)

// loadMigrations reads the *.sql files at the root of fsys or, if there are
// none, under migrations/ (the layout of the embedded Migrations). Any .sql
// file that does not follow NNNN_name.sql is an error rather than skipped:
// a misnamed migration silently not applied is worse than a failed start.
func loadMigrations(fsys fs.FS) ([]migration, error) {
	files, err := fs.Glob(fsys, "*.sql")
	if err != nil {
		return nil, fmt.Errorf("db: list migrations: %w", err)
	}
	if len(files) == 0 {
		if files, err = fs.Glob(fsys, "migrations/*.sql"); err != nil {
			return nil, fmt.Errorf("db: list migrations: %w", err)
		}
	}
	migs := make([]migration, 0, len(files))
	seen := map[uint64]string{}
	for _, f := range files {
		base := path.Base(f)
		m := migrationFile.FindStringSubmatch(base)
		if m == nil {
			return nil, fmt.Errorf("db: migration file %s: name must be NNNN_name.sql", f)
		}
		num, err := strconv.ParseUint(m[1], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("db: migration file %s: %w", f, err)
		}
		if other, dup := seen[num]; dup {
			return nil, fmt.Errorf("db: migrations %s and %s have the same number", other, base)
		}
		seen[num] = base
		b, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, fmt.Errorf("db: read migration: %w", err)
		}
		sum := sha256.Sum256(b)
		migs = append(migs, migration{
			version:  m[1],
			num:      num,
			name:     base,
			sql:      string(b),
			checksum: hex.EncodeToString(sum[:]),
		})
	}
	sort.Slice(migs, func(i, j int) bool { return migs[i].num < migs[j].num })
	return migs, nil
}

// Migrate applies the migrations in fsys (see loadMigrations) that the
// database has not recorded yet, in order, and returns the versions it
// applied.
//
// Each file runs in its own transaction together with its row in
// schema_migrations, so a failing file leaves no trace and the files before
// it stay applied. Files must therefore not contain BEGIN/COMMIT or
// statements that cannot run in a transaction (CREATE INDEX CONCURRENTLY).
//
// The whole run holds a session-level pg_advisory_lock on one dedicated
// connection: a second Migrate (another `ptdv migrate`, another replica
// starting) waits and then finds nothing left to do, and if the process
// dies the lock dies with its connection; no stale lock row to clear by hand.
//
// Before the files, Migrate makes sure the role ptdv_app exists and that
// the current user may switch to it (Open with AppRole), and it grants
// ptdv_app SELECT on schema_migrations for Pending. The files themselves
// grant ptdv_app what the application needs.
func Migrate(ctx context.Context, db *bun.DB, fsys fs.FS) (applied []string, err error) {
	migs, err := loadMigrations(fsys)
	if err != nil {
		return nil, err
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("db: migrate: get connection: %w", err)
	}
	unlock, err := advisoryLock(ctx, conn, migrateLockKey, "migration")
	if err != nil {
		// A cancelled wait may have raced with the grant: never pool
		// a connection that might hold the lock.
		discard(conn)
		return nil, fmt.Errorf("db: migrate: %w", err)
	}
	defer unlock()

	if err := ensureAppRole(ctx, conn); err != nil {
		return nil, err
	}
	if _, err := conn.ExecContext(ctx, `
		CREATE TABLE IF NOT EXISTS public.schema_migrations (
			version    text PRIMARY KEY,
			name       text NOT NULL,
			checksum   text NOT NULL,
			applied_at timestamptz NOT NULL DEFAULT now()
		);
		GRANT SELECT ON public.schema_migrations TO `+AppRole); err != nil {
		return nil, fmt.Errorf("db: migrate: create schema_migrations: %w", err)
	}
	done, err := appliedVersions(ctx, conn)
	if err != nil {
		return nil, fmt.Errorf("db: migrate: %w", err)
	}

	log := slog.Default()
	for _, m := range migs {
		if sum, ok := done[m.version]; ok {
			if sum != m.checksum {
				// Not an error: a comment fix must not stop
				// the server. But an edited applied migration
				// is not re-run, which someone should know.
				log.Warn("migration file changed after it was applied; the change is not applied", "migration", m.name)
			}
			continue
		}
		begin := time.Now()
		if err := applyOne(ctx, conn, m); err != nil {
			return applied, err
		}
		applied = append(applied, m.version)
		log.Info("applied migration", "migration", m.name, "took", time.Since(begin).Round(time.Millisecond))
	}
	return applied, nil
}

func applyOne(ctx context.Context, conn bun.Conn, m migration) error {
	return conn.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		// Through database/sql directly: bun's formatter would treat
		// "?" in the SQL (jsonb operators) as placeholders.
		if _, err := tx.Tx.ExecContext(ctx, m.sql); err != nil {
			return fmt.Errorf("db: migration %s%s: %w", m.name, errorLine(m.sql, err), err)
		}
		if _, err := tx.NewRaw(`INSERT INTO public.schema_migrations (version, name, checksum) VALUES (?, ?, ?)`,
			m.version, m.name, m.checksum).Exec(ctx); err != nil {
			return fmt.Errorf("db: migration %s: record it: %w", m.name, err)
		}
		return nil
	})
}

// errorLine turns the character position PostgreSQL reports for a syntax
// error into " (line N)", since the position counts from the start of the
// file, which no editor shows.
func errorLine(sql string, err error) string {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Position <= 0 {
		return ""
	}
	r := []rune(sql)
	pos := int(pgErr.Position)
	if pos > len(r) {
		return ""
	}
	return fmt.Sprintf(" (line %d)", strings.Count(string(r[:pos-1]), "\n")+1)
}

// Pending returns the versions of migrations in fsys that the database has
// not applied, in order; empty means the schema is current. It only reads
// schema_migrations, so it works as ptdv_app (the readiness check).
func Pending(ctx context.Context, db *bun.DB, fsys fs.FS) ([]string, error) {
	migs, err := loadMigrations(fsys)
	if err != nil {
		return nil, err
	}
	done, err := appliedVersions(ctx, db)
	if err != nil {
		return nil, fmt.Errorf("db: pending migrations: %w", err)
	}
	var pending []string
	for _, m := range migs {
		if _, ok := done[m.version]; !ok {
			pending = append(pending, m.version)
		}
	}
	return pending, nil
}

// appliedVersions maps applied versions to their checksums. A database never
// migrated has no schema_migrations table: nothing applied.
func appliedVersions(ctx context.Context, db bun.IDB) (map[string]string, error) {
	var rows []struct {
		Version  string
		Checksum string
	}
	err := db.NewRaw("SELECT version, checksum FROM public.schema_migrations").Scan(ctx, &rows)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "42P01" { // undefined_table
		return map[string]string{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read schema_migrations: %w", err)
	}
	done := make(map[string]string, len(rows))
	for _, r := range rows {
		done[r.Version] = r.Checksum
	}
	return done, nil
}

// raceSafe is a PL/pgSQL block running stmt, which creates or grants a role: roles are cluster-wide,
// so two sessions (parallel tests, two ptdv processes) may race, and the loser's duplicate_object or
// unique_violation only means the winner did the work.
func raceSafe(stmt string) string {
	return `BEGIN
			` + stmt + `;
		EXCEPTION WHEN duplicate_object OR unique_violation THEN
			NULL;
		END;`
}

// createRole is a PL/pgSQL statement that creates role name with attrs (" NOLOGIN", " LOGIN …") unless
// it exists (race-safe).
func createRole(name, attrs string) string {
	return `IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = '` + name + `') THEN
		` + raceSafe(`CREATE ROLE `+name+attrs) + `
	END IF;`
}

// joinAppRole is a PL/pgSQL statement that grants ptdv_app to member (an SQL expression for a role's
// name: a quoted name or current_user) unless it is a member already (race-safe). pg_has_role is true
// for superusers, who need no membership.
func joinAppRole(member string) string {
	return `IF NOT pg_catalog.pg_has_role(` + member + `, '` + AppRole + `', 'MEMBER') THEN
		` + raceSafe(`EXECUTE format('GRANT `+AppRole+` TO %I', `+member+`)`) + `
	END IF;`
}

// ensureAppRole creates ptdv_app and lets the current user switch to it.
//
// Roles are cluster-wide while the advisory lock is per database, so
// migrations of two databases (parallel tests) can race here: the loser of a
// concurrent CREATE ROLE or GRANT gets duplicate_object or a unique violation
// on the catalog index, which only means the winner did the work.
func ensureAppRole(ctx context.Context, conn bun.Conn) error {
	_, err := conn.ExecContext(ctx, `
DO $$
BEGIN
	`+createRole(AppRole, " NOLOGIN")+`
	`+joinAppRole("current_user")+`
END
$$`)
	if err != nil {
		return fmt.Errorf("db: migrate: create role %s (the owner needs CREATEROLE, or an administrator creates it and grants it to the owner): %w", AppRole, err)
	}
	return nil
}

// advisoryLock takes a session-level advisory lock on conn, logging when it
// has to wait. The returned function unlocks and returns conn to the pool;
// if unlocking fails, the connection is discarded instead, since a pooled
// connection still holding the lock would block every later migration.
func advisoryLock(ctx context.Context, conn bun.Conn, key int64, what string) (unlock func(), err error) {
	var got bool
	if err := conn.NewRaw("SELECT pg_try_advisory_lock(?)", key).Scan(ctx, &got); err != nil {
		return nil, fmt.Errorf("take %s lock: %w", what, err)
	}
	if !got {
		slog.Default().Info("waiting for another " + what + " to finish (advisory lock held)")
		if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock(?)", key); err != nil {
			return nil, fmt.Errorf("wait for %s lock: %w", what, err)
		}
	}
	return func() {
		// The caller's ctx may be cancelled by now; unlocking must
		// still happen.
		uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if _, err := conn.ExecContext(uctx, "SELECT pg_advisory_unlock(?)", key); err != nil {
			slog.Default().Warn("release "+what+" lock failed; closing the connection to drop it", "err", err)
			discard(conn)
			return
		}
		conn.Close()
	}, nil
}

// discard closes conn's underlying connection instead of returning it to
// the pool: database/sql drops a connection when Raw's function returns
// driver.ErrBadConn. Session state such as an advisory lock goes with it.
func discard(conn bun.Conn) {
	_ = conn.Raw(func(any) error { return driver.ErrBadConn })
	conn.Close()
}
