package seed

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// Loading into tables without indexes and constraints, then building them once, is several times
// faster than maintaining them row by row. Before the load the definitions are read from the catalog
// (so the schema a colleague changes is the one restored) and dropped; afterwards they are created
// again, two at a time (one per core), with the foreign keys added NOT VALID and validated after, so
// that validations of different tables run side by side. If the load fails, the tables are emptied
// and the definitions restored: the database is left as it was.

type schemaItem struct {
	table   string
	name    string
	kind    byte   // p, u, x (constraints), i (index), f (foreign key)
	def     string // constraint definition, or CREATE INDEX statement
	idxDef  string // for p and u: the CREATE UNIQUE INDEX of the backing index
	refs    string // for f: the referenced table
	relSize int64
}

type schema struct {
	items    []schemaItem
	tables   []string
	triggers [][2]string // user triggers of the loaded tables, disabled during the load: table, name
}

func quoteIdent(s string) string { return pgx.Identifier{s}.Sanitize() }

func readSchema(ctx context.Context, conn *pgx.Conn, tables []string) (*schema, error) {
	sc := &schema{tables: tables}
	rows, err := conn.Query(ctx, `
		SELECT c.conrelid::regclass::text, c.conname, c.contype::text, pg_get_constraintdef(c.oid),
			coalesce(pg_get_indexdef(c.conindid), ''), coalesce(c.confrelid::regclass::text, '')
		FROM pg_constraint c
		WHERE (c.contype IN ('p', 'u', 'x') AND c.conrelid = ANY($1::regclass[]))
		   OR (c.contype = 'f' AND (c.conrelid = ANY($1::regclass[]) OR c.confrelid = ANY($1::regclass[])))
		ORDER BY 1, 2`, tables)
	if err != nil {
		return nil, fmt.Errorf("seed: read constraints: %w", err)
	}
	for rows.Next() {
		var it schemaItem
		var kind string
		if err := rows.Scan(&it.table, &it.name, &kind, &it.def, &it.idxDef, &it.refs); err != nil {
			return nil, err
		}
		it.kind = kind[0]
		sc.items = append(sc.items, it)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// Triggers that maintain caches (migrations 0005 and 0006: admission_ancestor, member_yearend) would
	// fire once per COPY with the whole load as their transition table, and read tables still being
	// loaded: they are disabled during the load, which writes the caches itself (caches.go).
	rows, err = conn.Query(ctx, `
		SELECT t.tgrelid::regclass::text, t.tgname FROM pg_trigger t
		WHERE NOT t.tgisinternal AND t.tgenabled <> 'D' AND t.tgrelid = ANY($1::regclass[]) ORDER BY 1, 2`, tables)
	if err != nil {
		return nil, fmt.Errorf("seed: read triggers: %w", err)
	}
	for rows.Next() {
		var tr [2]string
		if err := rows.Scan(&tr[0], &tr[1]); err != nil {
			return nil, err
		}
		sc.triggers = append(sc.triggers, tr)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = conn.Query(ctx, `
		SELECT i.indrelid::regclass::text, c.relname, pg_get_indexdef(i.indexrelid)
		FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
		WHERE i.indrelid = ANY($1::regclass[])
		  AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
		ORDER BY 1, 2`, tables)
	if err != nil {
		return nil, fmt.Errorf("seed: read indexes: %w", err)
	}
	for rows.Next() {
		it := schemaItem{kind: 'i'}
		if err := rows.Scan(&it.table, &it.name, &it.def); err != nil {
			return nil, err
		}
		sc.items = append(sc.items, it)
	}
	return sc, rows.Err()
}

// drop removes the foreign keys, then the constraints and indexes of the loaded tables, and disables
// their triggers.
func (sc *schema) drop(ctx context.Context, conn *pgx.Conn) error {
	var stmts []string
	for _, tr := range sc.triggers {
		stmts = append(stmts, "ALTER TABLE "+tr[0]+" DISABLE TRIGGER "+quoteIdent(tr[1]))
	}
	for _, k := range []byte{'f', 'p', 'u', 'x', 'i'} {
		for _, it := range sc.items {
			if it.kind != k {
				continue
			}
			if k == 'i' {
				stmts = append(stmts, "DROP INDEX "+quoteIdent(it.name))
			} else {
				stmts = append(stmts, "ALTER TABLE "+it.table+" DROP CONSTRAINT "+quoteIdent(it.name))
			}
		}
	}
	return execTx(ctx, conn, stmts)
}

func execTx(ctx context.Context, conn *pgx.Conn, stmts []string) error {
	tx, err := conn.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	for _, s := range stmts {
		if _, err := tx.Exec(ctx, s); err != nil {
			return fmt.Errorf("seed: %s: %w", s, err)
		}
	}
	return tx.Commit(ctx)
}

// task is one statement of the restore, with the lock it takes on its table.
type task struct {
	table     string
	exclusive bool // ALTER TABLE (constraints) and VALIDATE on one table run alone
	sql       []string
	cost      int64
	then      *task // a follow-up that needs this one done (ADD CONSTRAINT … USING INDEX)
	label     string
}

// restore builds the indexes and constraints again on conns (one statement at a time each), then the
// foreign keys.
func (sc *schema) restore(ctx context.Context, conns []*pgx.Conn, log *slog.Logger, progress func(string)) error {
	sizes := map[string]int64{}
	for _, t := range sc.tables {
		var n int64
		if err := conns[0].QueryRow(ctx, `SELECT pg_relation_size($1::regclass)`, t).Scan(&n); err != nil {
			return err
		}
		sizes[t] = n
	}
	var tasks []*task
	for _, it := range sc.items {
		sz := sizes[it.table]
		switch it.kind {
		case 'i':
			tasks = append(tasks, &task{table: it.table, sql: []string{it.def}, cost: sz, label: it.name})
		case 'p', 'u':
			kw := "PRIMARY KEY"
			if it.kind == 'u' {
				kw = "UNIQUE"
			}
			tasks = append(tasks, &task{table: it.table, sql: []string{it.idxDef}, cost: sz, label: it.name,
				then: &task{table: it.table, exclusive: true, label: it.name,
					sql: []string{fmt.Sprintf("ALTER TABLE %s ADD CONSTRAINT %s %s USING INDEX %s", it.table, quoteIdent(it.name), kw, quoteIdent(it.name))}}})
		case 'x':
			// GiST builds are slow: weigh them up so they start first.
			tasks = append(tasks, &task{table: it.table, exclusive: true, cost: sz * 4, label: it.name,
				sql: []string{fmt.Sprintf("ALTER TABLE %s ADD CONSTRAINT %s %s", it.table, quoteIdent(it.name), it.def)}})
		}
	}
	if err := runTasks(ctx, conns, tasks, log, progress); err != nil {
		return err
	}
	// Foreign keys: added NOT VALID (a catalog change), then validated side by side.
	var add []string
	var validate []*task
	for _, it := range sc.items {
		if it.kind != 'f' {
			continue
		}
		add = append(add, fmt.Sprintf("ALTER TABLE %s ADD CONSTRAINT %s %s NOT VALID", it.table, quoteIdent(it.name), it.def))
		validate = append(validate, &task{table: it.table, exclusive: true, cost: sizes[it.table], label: it.name,
			sql: []string{fmt.Sprintf("ALTER TABLE %s VALIDATE CONSTRAINT %s", it.table, quoteIdent(it.name))}})
	}
	if err := execTx(ctx, conns[0], add); err != nil {
		return err
	}
	if err := runTasks(ctx, conns, validate, log, progress); err != nil {
		return err
	}
	return sc.enableTriggers(ctx, conns[0])
}

func (sc *schema) enableTriggers(ctx context.Context, conn *pgx.Conn) error {
	var stmts []string
	for _, tr := range sc.triggers {
		stmts = append(stmts, "ALTER TABLE "+tr[0]+" ENABLE TRIGGER "+quoteIdent(tr[1]))
	}
	return execTx(ctx, conn, stmts)
}

// runTasks runs tasks on the connections, largest first, never two that conflict on one table.
func runTasks(ctx context.Context, conns []*pgx.Conn, tasks []*task, log *slog.Logger, progress func(string)) error {
	sort.SliceStable(tasks, func(i, j int) bool { return tasks[i].cost > tasks[j].cost })
	var mu sync.Mutex
	cond := sync.NewCond(&mu)
	shared := map[string]int{}
	excl := map[string]bool{}
	pending := tasks
	running := 0
	var firstErr error
	take := func() *task {
		for i, t := range pending {
			if !excl[t.table] && (!t.exclusive || shared[t.table] == 0) {
				pending = append(pending[:i:i], pending[i+1:]...)
				if t.exclusive {
					excl[t.table] = true
				} else {
					shared[t.table]++
				}
				running++
				return t
			}
		}
		return nil
	}
	var wg sync.WaitGroup
	for _, conn := range conns {
		wg.Add(1)
		go func(conn *pgx.Conn) {
			defer wg.Done()
			for {
				mu.Lock()
				var t *task
				for firstErr == nil && (len(pending) > 0 || running > 0) {
					if t = take(); t != nil {
						break
					}
					cond.Wait()
				}
				if t == nil {
					mu.Unlock()
					cond.Broadcast()
					return
				}
				mu.Unlock()
				t0 := time.Now()
				var err error
				for _, s := range t.sql {
					if _, err = conn.Exec(ctx, s); err != nil {
						err = fmt.Errorf("seed: %s: %w", s, err)
						break
					}
				}
				if log != nil {
					log.Debug("seed: schema", "what", t.label, "table", t.table, "took", time.Since(t0).Round(time.Millisecond))
				}
				if progress != nil {
					progress(t.label)
				}
				mu.Lock()
				running--
				if t.exclusive {
					excl[t.table] = false
				} else {
					shared[t.table]--
				}
				if err != nil && firstErr == nil {
					firstErr = err
				}
				if err == nil && t.then != nil {
					pending = append([]*task{t.then}, pending...)
				}
				mu.Unlock()
				cond.Broadcast()
			}
		}(conn)
	}
	wg.Wait()
	return firstErr
}

func sessionSetup(ctx context.Context, conn *pgx.Conn) error {
	for _, s := range []string{
		"SET synchronous_commit = off",
		"SET maintenance_work_mem = '2GB'",
		// A GiST index larger than this is built in buffering mode, which keeps the build's working set
		// small whatever shared_buffers is (the default 128 MB of a private cluster).
		"SET effective_cache_size = '64MB'",
		"SET work_mem = '256MB'",
		"SET max_parallel_maintenance_workers = 0",
	} {
		if _, err := conn.Exec(ctx, s); err != nil {
			return fmt.Errorf("seed: %s: %w", s, err)
		}
	}
	return nil
}

func joinTables(ts []string) string {
	q := make([]string, len(ts))
	for i, t := range ts {
		q[i] = quoteIdent(t)
	}
	return strings.Join(q, ", ")
}
