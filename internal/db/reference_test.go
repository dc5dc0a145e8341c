package db_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"ptdv/internal/fixture"
)

// The references that migration 0040 checks by statement refuse what their foreign keys refused, for
// the owner as for the application: a row pointing at nothing (inserted or updated), a referenced row
// deleted or truncated away, and a table loaded with the triggers off fails the validation.
func TestStatementReferences(t *testing.T) {
	t.Parallel()
	d, tree, ctx := fixture.NewTree(t)
	p := fixture.Person(t, ctx, d.App, "Nguyễn Văn An", tree.C1)
	var c int64
	if err := d.Owner.DB.QueryRowContext(ctx, `INSERT INTO candidate_case (person_id, cell_id, proposer, stage, stage_since, listed_on)
		VALUES ($1, $2, 'cell', 'source', '2020-01-01', '2020-01-01') RETURNING id`, p, tree.C1).Scan(&c); err != nil {
		t.Fatal(err)
	}
	event := `INSERT INTO case_event (case_id, kind, stage_after, effective, recorded_by) VALUES `
	if _, err := d.Owner.DB.ExecContext(ctx, event+`($1, 'listed', 'source', '2020-01-01', 'test')`, c); err != nil {
		t.Fatal(err)
	}
	refused := func(what, constraint string, err error) {
		t.Helper()
		var pe *pgconn.PgError
		if !errors.As(err, &pe) || pe.Code != "23503" || pe.ConstraintName != constraint {
			t.Errorf("%s: %v, want a foreign_key_violation of %s", what, err, constraint)
		}
	}
	exec := func(db *sql.DB, q string, args ...any) error {
		_, err := db.ExecContext(ctx, q, args...)
		return err
	}
	refused("an event of no case", "case_event_case_id_fkey",
		exec(d.Owner.DB, event+`($1, 'listed', 'source', '2020-01-01', 'test'), ($2, 'listed', 'source', '2020-01-01', 'test')`, c, c+1000))
	refused("a case moved to no cell", "candidate_case_cell_id_fkey",
		exec(d.Owner.DB, `UPDATE candidate_case SET cell_id = -5 WHERE id = $1`, c))
	refused("a case of no person", "candidate_case_person_id_fkey",
		exec(d.Owner.DB, `INSERT INTO candidate_case (person_id, cell_id, proposer, stage, stage_since, listed_on)
			VALUES (-7, $1, 'cell', 'source', '2020-01-01', '2020-01-01')`, tree.C1))
	refused("a referenced case deleted", "case_event_case_id_fkey",
		exec(d.Owner.DB, `DELETE FROM candidate_case WHERE id = $1`, c))
	refused("a referenced person deleted", "candidate_case_person_id_fkey",
		exec(d.Owner.DB, `DELETE FROM person WHERE id = $1`, p))
	if err := exec(d.Owner.DB, `UPDATE candidate_case SET cell_id = $1, stage_since = '2020-02-01' WHERE id = $2`, tree.C2, c); err != nil {
		t.Errorf("a case moved to another cell: %v", err)
	}
	if err := exec(d.Owner.DB, `TRUNCATE candidate_case, source_review`); err == nil {
		t.Error("candidate_case truncated while case_event points at it")
	}

	// REPEATABLE READ: a deletion could not see the references committed since its snapshot.
	tx, err := d.Owner.DB.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead})
	if err != nil {
		t.Fatal(err)
	}
	_, err = tx.ExecContext(ctx, `DELETE FROM case_event WHERE case_id = $1; DELETE FROM candidate_case WHERE id = $1`, c)
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "40001" {
		t.Errorf("a case deleted under REPEATABLE READ: %v, want a serialization_failure", err)
	}
	_ = tx.Rollback()

	// A load with the triggers off is validated after.
	tx, err = d.Owner.DB.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	for _, q := range []string{
		`ALTER TABLE case_event DISABLE TRIGGER case_event_case_id_fkey_insert`,
		event + `(-3, 'listed', 'source', '2020-01-01', 'test')`,
	} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	_, err = tx.ExecContext(context.Background(), `SELECT ptdv_reference_validate()`)
	refused("an orphan loaded with the triggers off", "case_event_case_id_fkey", err)
}

// A case's event and the case's deletion in two transactions at once: whichever comes second waits for
// the first and then refuses, as with the foreign key, so that no event is left without its case.
func TestStatementReferencesConcurrent(t *testing.T) {
	t.Parallel()
	d, tree, ctx := fixture.NewTree(t)
	p := fixture.Person(t, ctx, d.App, "Nguyễn Văn An", tree.C1)
	newCase := func() int64 {
		t.Helper()
		var c int64
		if err := d.Owner.DB.QueryRowContext(ctx, `INSERT INTO candidate_case (person_id, cell_id, proposer, stage, stage_since, listed_on, closed_on)
			VALUES ($1, $2, 'cell', 'left', '2020-01-01', '2020-01-01', '2020-01-01') RETURNING id`, p, tree.C1).Scan(&c); err != nil {
			t.Fatal(err)
		}
		return c
	}
	event := `INSERT INTO case_event (case_id, kind, stage_after, effective, recorded_by) VALUES ($1, 'listed', 'source', '2020-01-01', 'test')`
	del := `DELETE FROM candidate_case WHERE id = $1`
	for _, order := range []struct {
		name         string
		first, other string
	}{{"the event first", event, del}, {"the deletion first", del, event}} {
		t.Run(order.name, func(t *testing.T) {
			c := newCase()
			tx, err := d.Owner.DB.BeginTx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback()
			if _, err := tx.ExecContext(ctx, order.first, c); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() {
				_, err := d.Owner.DB.ExecContext(ctx, order.other, c)
				done <- err
			}()
			select {
			case err := <-done:
				t.Fatalf("the second statement did not wait for the first transaction: %v", err)
			case <-time.After(300 * time.Millisecond):
			}
			if err := tx.Commit(); err != nil {
				t.Fatal(err)
			}
			err = <-done
			var pe *pgconn.PgError
			if !errors.As(err, &pe) || pe.Code != "23503" || pe.ConstraintName != "case_event_case_id_fkey" {
				t.Errorf("the second statement: %v, want a foreign_key_violation of case_event_case_id_fkey", err)
			}
			var orphans int
			if err := d.Owner.DB.QueryRowContext(ctx, `SELECT count(*) FROM case_event e WHERE NOT EXISTS (SELECT 1 FROM candidate_case c WHERE c.id = e.case_id)`).Scan(&orphans); err != nil || orphans != 0 {
				t.Errorf("%d events without their case (%v)", orphans, err)
			}
		})
	}
}
