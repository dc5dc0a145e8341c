package people_test

import (
	"context"
	"errors"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/uptrace/bun"

	"ptdv/internal/apperr"
	"ptdv/internal/db"
	"ptdv/internal/fixture"
	"ptdv/internal/org"
	"ptdv/internal/people"
	"ptdv/internal/pgtest"
)

// TestRowSecurityAlone: the database refuses out-of-scope reads and writes by itself. The statements
// below carry no scope filter of the application's (as a forgotten filter or injected SQL would not);
// only the actor's scope, which package db sets in every transaction, and the policies of migration 0012
// stand between a commune's board and another commune's persons.
func TestRowSecurityAlone(t *testing.T) {
	t.Parallel()
	skipWithoutRLS(t)
	d, tr, _ := fixture.NewTree(t)
	an := mustCreate(t, fixture.System(), d.App, person("Nguyễn Văn An", "male", "1990-05-01", "001090012345", tr.X))
	binh := mustCreate(t, fixture.System(), d.App, person("Trần Văn Bình", "male", "1991-05-01", "001091012345", tr.Y))
	if err := people.SetPosition(fixture.System(), d.App, binh.ID, "village_head", fixture.Day("2020-01-01"), ""); err != nil {
		t.Fatal(err)
	}
	mine := fixture.Actor(t, d.App, "board", "VP.TD.HH") // C1: sees X (An), not Y (Bình)
	ctx := context.Background()
	total := fixture.Count(t, d.Owner, `SELECT count(*) FROM person`)

	read := func(ctx context.Context, q string, args ...any) int {
		t.Helper()
		var n int
		if err := d.App.NewRaw(q, args...).Scan(ctx, &n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return n
	}
	// Reads: only the own subtree's rows exist.
	if n := read(mine, `SELECT count(*) FROM person`); n != 1 {
		t.Errorf("board of C1 counts %d persons (of %d), want 1", n, total)
	}
	if n := read(mine, `SELECT count(*) FROM person WHERE id = ?`, binh.ID); n != 0 {
		t.Error("board of C1 reads a person of C2")
	}
	for _, q := range []string{`SELECT count(*) FROM person_unit WHERE person_id = ?`, `SELECT count(*) FROM person_position WHERE person_id = ?`} {
		if n := read(mine, q, binh.ID); n != 0 {
			t.Errorf("%s: board of C1 reads %d rows of a person of C2", q, n)
		}
	}
	if n := read(fixture.System(), `SELECT count(*) FROM person`); n != total {
		t.Errorf("national scope counts %d persons, want %d", n, total)
	}
	// No scope (a statement without an actor, a pooled connection between requests): no personal rows.
	for _, q := range []string{`SELECT count(*) FROM person`, `SELECT count(*) FROM person_unit`, `SELECT count(*) FROM person_position`,
		`SELECT count(*) FROM audit_log`} {
		if n := read(ctx, q); n != 0 {
			t.Errorf("%s without a scope: %d, want 0", q, n)
		}
	}
	if n := read(mine, `SELECT count(*) FROM audit_log`); n != 0 {
		t.Errorf("a commune's board reads %d audit rows, want none (national scope only)", n)
	}

	// Writes: an update or delete of an out-of-scope row touches nothing; an insert is refused.
	res, err := d.App.NewRaw(`UPDATE person SET workplace = 'hacked' WHERE id = ?`, binh.ID).Exec(mine)
	if n, _ := res.RowsAffected(); err != nil || n != 0 {
		t.Errorf("update of a person of C2: %d rows, %v; want 0", n, err)
	}
	res, err = d.App.NewRaw(`UPDATE person_position SET note = 'hacked' WHERE person_id = ?`, binh.ID).Exec(mine)
	if n, _ := res.RowsAffected(); err != nil || n != 0 {
		t.Errorf("update of a position of C2's person: %d rows, %v; want 0", n, err)
	}
	// The refusal reads as NOT_FOUND, like the application's own; PostgreSQL's error is inside it.
	wantRLS := func(what string, err error) {
		t.Helper()
		var pe *pgconn.PgError
		if !errors.As(err, &pe) || pe.Code != "42501" || apperr.CodeOf(err) != apperr.NotFound {
			t.Errorf("%s: %v; want a row-level security refusal (42501) as NOT_FOUND", what, err)
		}
	}
	_, err = d.App.NewRaw(`INSERT INTO person (full_name, sex, birth_date, unit_id) VALUES ('Lê Văn Lạ', 'male', '1990-01-01', ?)`, tr.Y).Exec(mine)
	wantRLS("insert of a person into C2's cell", err)
	_, err = d.App.NewRaw(`UPDATE person SET unit_id = ? WHERE id = ?`, tr.Y, an.ID).Exec(mine)
	if err != nil {
		t.Errorf("a board hands its person to another commune (a transfer): %v", err)
	}
	err = d.App.RunInTx(mine, nil, func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.NewRaw(`INSERT INTO person_position (person_id, position, valid_from, recorded_by) VALUES (?, 'team_leader', '2024-01-01', 'x')`, binh.ID).Exec(ctx)
		return err
	})
	wantRLS("insert of a position for C2's person", err)
	// COPY (the imports' batch path) goes through the same policies.
	err = db.RunInBulkTx(mine, d.App, func(ctx context.Context, tx db.BulkTx) error {
		return db.InsertRows(ctx, tx, "person_position", db.Column{Name: "person_id", Values: []int64{binh.ID}},
			db.Column{Name: "position", Values: []string{"team_leader"}}, db.Column{Name: "valid_from", Values: []time.Time{fixture.Day("2024-01-01")}},
			db.Column{Name: "recorded_by", Values: []string{"x"}})
	})
	wantRLS("bulk insert of a position for C2's person", err)
	err = db.RunInBulkTx(fixture.System(), d.App, func(ctx context.Context, tx db.BulkTx) error {
		return db.InsertRows(ctx, tx, "person_position", db.Column{Name: "person_id", Values: []int64{binh.ID}},
			db.Column{Name: "position", Values: []string{"team_leader"}}, db.Column{Name: "valid_from", Values: []time.Time{fixture.Day("2024-01-01")}},
			db.Column{Name: "recorded_by", Values: []string{"x"}})
	})
	if err != nil {
		t.Errorf("bulk insert with a national scope: %v", err)
	}
	if n := fixture.Count(t, d.Owner, `SELECT count(*) FROM person WHERE workplace = 'hacked'`) + fixture.Count(t, d.Owner, `SELECT count(*) FROM person_position WHERE note = 'hacked'`); n != 0 {
		t.Errorf("%d rows written out of scope", n)
	}
	if n := fixture.Count(t, d.Owner, `SELECT count(*) FROM person_position WHERE person_id = `+itoa(binh.ID)); n != 2 {
		t.Errorf("%d positions of Bình, want 2 (the first and the national bulk insert)", n)
	}
}

// TestRowSecurityFollowsTheTreeToday: after a cell moves to another commune, the old commune's board no
// longer reads its persons through the database, and the new one does; a unit merged away is seen
// through its successor.
func TestRowSecurityFollowsTheTreeToday(t *testing.T) {
	t.Parallel()
	skipWithoutRLS(t)
	d, tr, _ := fixture.NewTree(t)
	an := mustCreate(t, fixture.System(), d.App, person("Nguyễn Văn An", "male", "1990-05-01", "", tr.X))
	if _, err := org.Move(fixture.System(), d.App, tr.X, tr.C3, org.Doc{Effective: fixture.Day("2025-01-01"), Document: "QĐ điều chuyển"}); err != nil {
		t.Fatal(err)
	}
	seen := func(unit string) int {
		t.Helper()
		var n int
		if err := d.App.NewRaw(`SELECT count(*) FROM person WHERE id = ?`, an.ID).Scan(fixture.Actor(t, d.App, "board", unit), &n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if seen("VP.TD.HH") != 0 || seen("VP.VY.LL") != 1 {
		t.Errorf("after the move: old commune sees %d, new commune %d; want 0 and 1", seen("VP.TD.HH"), seen("VP.VY.LL"))
	}
	// C2 and C3 merge into a new ward; the person's cell now lies under it, and C3 is gone.
	_, err := org.Merge(fixture.System(), d.App, []int64{tr.C2, tr.C3}, org.Successor{New: &org.NewUnit{Code: "VP.VY.NEW", Name: "Đảng bộ phường mới",
		Kind: "grassroots_committee", Sector: "territorial"}, ParentID: &tr.E}, org.Doc{Effective: fixture.Day("2025-07-01"), Document: "QĐ sáp nhập"})
	if err != nil {
		t.Fatal(err)
	}
	if seen("VP.VY.NEW") != 1 {
		t.Error("the merged ward does not see the person of its predecessor's cell")
	}
	// A person recorded directly in the gone unit is seen through its successor.
	if _, err := d.Owner.ExecContext(context.Background(), `UPDATE person SET unit_id = ? WHERE id = ?`, tr.C3, an.ID); err != nil {
		t.Fatal(err)
	}
	if seen("VP.VY.NEW") != 1 || seen("VP.TD.HH") != 0 {
		t.Error("a person of a merged-away unit: the successor must see it, others not")
	}
}

func skipWithoutRLS(t *testing.T) {
	if os.Getenv(pgtest.EnvNoRLS) == "1" {
		t.Skip("row-level security is switched off (" + pgtest.EnvNoRLS + "=1)")
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
