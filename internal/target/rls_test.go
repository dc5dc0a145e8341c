package target_test

import (
	"context"
	"errors"
	"os"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"ptdv/internal/apperr"
	"ptdv/internal/fixture"
	"ptdv/internal/pgtest"
	"ptdv/internal/target"
)

// TestRowSecurityOnTargetWrites: the database refuses, by itself, a write of a term or target outside
// the actor's scope (migration 0022). The statements carry no scope filter of the application's; only
// the scope package db sets and the policies stand between a commune's board and its sibling's targets.
// Reads stay open (targets hold no personal data).
func TestRowSecurityOnTargetWrites(t *testing.T) {
	t.Parallel()
	if os.Getenv(pgtest.EnvNoRLS) == "1" {
		t.Skip("row-level security is switched off (" + pgtest.EnvNoRLS + "=1)")
	}
	d, tr, ctx := fixture.NewTree(t)
	td, c1, c2 := tr.D, tr.C1, tr.C2
	own := newTarget(t, ctx, d.App, target.NewTarget{UnitID: c1, Measure: target.MeasureAdmissions, Period: target.Year(2021), Values: count(60)})
	sib := newTarget(t, ctx, d.App, target.NewTarget{UnitID: c2, Measure: target.MeasureAdmissions, Period: target.Year(2021), Values: count(50)})
	board := fixture.Actor(t, d.App, "board", "VP.TD.HH")

	wantRLS := func(what string, err error) {
		t.Helper()
		var pe *pgconn.PgError
		if !errors.As(err, &pe) || pe.Code != "42501" || apperr.CodeOf(err) != apperr.NotFound {
			t.Errorf("%s: %v; want a row-level security refusal (42501) as NOT_FOUND", what, err)
		}
	}
	exec := func(ctx context.Context, q string, args ...any) (int64, error) {
		res, err := d.App.NewRaw(q, args...).Exec(ctx)
		if err != nil {
			return 0, err
		}
		return res.RowsAffected()
	}
	insTarget := `INSERT INTO target (unit_id, measure, period_kind, period_start, period_end, kind, count_value, created_by)
		VALUES (?, 'admissions', 'year', '2023-01-01', '2023-12-31', 'count', 5, 'x')`
	_, err := exec(board, insTarget, c2)
	wantRLS("a target for the sibling", err)
	_, err = exec(board, insTarget, td)
	wantRLS("a target for the district", err)
	if n, err := exec(board, `UPDATE target SET count_value = 999 WHERE id = ?`, sib.ID); err != nil || n != 0 {
		t.Errorf("revise the sibling's target: %d rows, %v; want 0", n, err)
	}
	_, err = exec(board, `INSERT INTO target_revision (target_id, revision, kind, count_value, recorded_by) VALUES (?, 9, 'count', 999, 'x')`, sib.ID)
	wantRLS("a revision of the sibling's target", err)
	_, err = exec(board, `INSERT INTO term (unit_id, name, starts_on, ends_on, recorded_by) VALUES (?, 'Nhiệm kỳ 2030–2035', '2030-10-01', '2035-09-30', 'x')`, c2)
	wantRLS("a term for the sibling", err)
	// Its own unit: allowed; reads of others' targets: open.
	if n, err := exec(board, `UPDATE target SET note = 'ok' WHERE id = ?`, own.ID); err != nil || n != 1 {
		t.Errorf("revise its own target: %d rows, %v", n, err)
	}
	if _, err := exec(board, insTarget, c1); err != nil {
		t.Errorf("a target for its own unit: %v", err)
	}
	var seen int
	if err := d.App.NewRaw(`SELECT count(*) FROM target WHERE id = ?`, sib.ID).Scan(board, &seen); err != nil || seen != 1 {
		t.Errorf("reading the sibling's target row: %d, %v (reads are the application's to scope)", seen, err)
	}
	var after int
	if err := d.Owner.NewRaw(`SELECT count(*) FROM target WHERE count_value = 999 OR period_start = '2023-01-01' AND unit_id <> ?`, c1).
		Scan(context.Background(), &after); err != nil || after != 0 {
		t.Errorf("%d rows written out of scope, %v", after, err)
	}
}
