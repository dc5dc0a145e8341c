package org_test

import (
	"context"
	"errors"
	"os"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/uptrace/bun"

	"ptdv/internal/fixture"
	"ptdv/internal/org"
	"ptdv/internal/pgtest"
)

// TestRowSecurityOnTreeWrites: the database refuses, by itself, a change of the tree outside the
// actor's scope (migration 0023). The statements carry no scope check of the application's; only the
// scope package db sets and the policies stand between a commune's board and its sibling's units.
// Reads stay open (the tree holds no personal data).
func TestRowSecurityOnTreeWrites(t *testing.T) {
	t.Parallel()
	if os.Getenv(pgtest.EnvNoRLS) == "1" {
		t.Skip("row-level security is switched off (" + pgtest.EnvNoRLS + "=1)")
	}
	d, tr, _ := newTree(t)
	board := fixture.Actor(t, d.App, "board", "VP.TD.HH") // commune C1, with its cell X
	if _, err := org.CreateVillage(fixture.System(), d.App, org.NewVillage{Code: "VP.TD.HD.T1", Name: "Thôn Một", Kind: "village", CommuneID: tr.C2},
		org.Doc{Effective: fixture.Day("2015-01-01"), Document: "QĐ"}); err != nil {
		t.Fatal(err)
	}
	before := count(t, d.Owner)

	refused := func(what string, q string, args ...any) {
		t.Helper()
		res, err := d.App.NewRaw(q, args...).Exec(board)
		var pe *pgconn.PgError
		if err == nil {
			if n, _ := res.RowsAffected(); n == 0 {
				return // an update that finds no row it may change
			}
			t.Errorf("%s: written", what)
			return
		}
		if !errors.As(err, &pe) || pe.Code != "42501" {
			t.Errorf("%s: %v; want a row-level security refusal (42501)", what, err)
		}
	}
	refused("rename the sibling", `UPDATE org_unit_name SET name = 'X' WHERE unit_id = ?`, tr.C2)
	refused("a name for the sibling", `INSERT INTO org_unit_name (unit_id, name, valid_from, op_id) VALUES (?, 'X', '2024-01-01', 1)`, tr.C2)
	refused("end the sibling", `UPDATE org_unit SET valid_to = '2024-01-01' WHERE id = ?`, tr.C2)
	refused("move its cell under the sibling", `UPDATE org_link SET parent_id = ?, path = (SELECT path FROM org_link WHERE unit_id = ?) || ?::text::ltree WHERE unit_id = ?`,
		tr.C2, tr.C2, tr.X, tr.X)
	refused("move its own commune", `UPDATE org_link SET parent_id = ?, path = (SELECT path FROM org_link WHERE unit_id = ?) || ?::text::ltree WHERE unit_id = ?`,
		tr.E, tr.E, tr.C1, tr.C1)
	refused("end its own commune's link", `UPDATE org_link SET valid_to = '2024-01-01' WHERE unit_id = ?`, tr.C1)
	refused("the sibling merged into it", `INSERT INTO org_lineage (op_id, predecessor_id, successor_id, effective) VALUES (1, ?, ?, '2024-01-01')`, tr.C2, tr.C1)
	refused("a village of the sibling", `INSERT INTO village (code, name, kind, commune_id, valid_from) VALUES ('VP.T2', 'Thôn Hai', 'village', ?, '2024-01-01')`, tr.C2)
	refused("rename the sibling's village", `UPDATE village SET name = 'X' WHERE code = 'VP.TD.HD.T1'`)
	// A new unit placed under the sibling: the unit row has no place yet; its link is refused.
	err := d.App.RunInTx(board, nil, func(ctx context.Context, tx bun.Tx) error {
		var id int64
		if err := tx.NewRaw(`INSERT INTO org_unit (code, kind, sector, valid_from, created_op) VALUES ('VP.TD.HD.9', 'cell', 'territorial', '2024-01-01', 1) RETURNING id`).Scan(ctx, &id); err != nil {
			return err
		}
		_, err := tx.NewRaw(`INSERT INTO org_link (unit_id, parent_id, path, valid_from, op_id) VALUES (?, ?, (SELECT path FROM org_link WHERE unit_id = ?) || ?::text::ltree, '2024-01-01', 1)`,
			id, tr.C2, tr.C2, id).Exec(ctx)
		return err
	})
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "42501" {
		t.Errorf("a unit under the sibling: %v; want a row-level security refusal", err)
	}
	if after := count(t, d.Owner); after != before {
		t.Errorf("refused writes changed rows: %v → %v", before, after)
	}
	// Its own cell: renamed through the same policies.
	if _, err := org.Rename(board, d.App, tr.X, "Chi bộ thôn Đồng Bông mới", doc("2024-02-01")); err != nil {
		t.Errorf("rename its own cell: %v", err)
	}
}
