package db_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"

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
