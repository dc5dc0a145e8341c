package pipeline_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"ptdv/internal/fixture"
	"ptdv/internal/org"
	"ptdv/internal/people"
	"ptdv/internal/pgtest"
	"ptdv/internal/pipeline"
	"ptdv/internal/vn"
)

// checkOpenAncestor compares the trigger-maintained case_open_ancestor (migration 0034) with a rebuild
// from scratch, then each unit's candidate list (the open cases, newest first) on the given days with
// the open cases in the subtree of that day counted here independently.
func checkOpenAncestor(t *testing.T, d *pgtest.DB, units map[string]int64, what string, days ...time.Time) {
	t.Helper()
	ctx := context.Background()
	const pairs = `SELECT ancestor_id || ' ' || case_id FROM case_open_ancestor ORDER BY ancestor_id, case_id`
	var got, rebuilt []string
	if err := d.Owner.NewRaw(pairs).Scan(ctx, &got); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Owner.ExecContext(ctx, `SELECT case_rebuild_open_ancestor()`); err != nil {
		t.Fatal(err)
	}
	if err := d.Owner.NewRaw(pairs).Scan(ctx, &rebuilt); err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, "\n") != strings.Join(rebuilt, "\n") || len(got) == 0 {
		t.Errorf("%s: case_open_ancestor\n%v\ndiffers from a rebuild\n%v", what, got, rebuilt)
	}
	for _, day := range days {
		for code, u := range units {
			var want []int64
			err := d.Owner.NewRaw(`SELECT c.id FROM candidate_case c
				JOIN org_link l ON l.unit_id = c.cell_id AND l.valid_from <= ?0 AND (l.valid_to IS NULL OR l.valid_to > ?0)
				JOIN org_link r ON r.unit_id = ?1 AND r.valid_from <= ?0 AND (r.valid_to IS NULL OR r.valid_to > ?0) AND l.path <@ r.path
				WHERE c.closed_on IS NULL ORDER BY c.id DESC`, day, u).Scan(ctx, &want)
			if err != nil {
				t.Fatal(err)
			}
			list, err := pipeline.List(fixture.System(), d.App, pipeline.Filter{UnitID: &u}, day, pageAll)
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, c := range list.Items {
				ids = append(ids, c.ID)
			}
			if !slices.Equal(ids, want) {
				t.Errorf("%s: open cases of %s on %s: %v, want %v", what, code, day.Format(time.DateOnly), ids, want)
			}
		}
	}
}

// The open cases of a subtree follow cases opened and closed, a cell moved to another commune a few
// days ago (the lists of days before the move read the cells of that day's tree) and a new cell.
func TestOpenCasesOfSubtree(t *testing.T) {
	t.Parallel()
	w, d, ctx := newWorld(t)
	today := vn.Today()
	ago := func(n int) time.Time { return today.AddDate(0, 0, -n) }
	units := map[string]int64{"HY.QC": w.communeA, "HY.QC.1": w.cellA, "HY.QS.1": w.cellB}
	for _, code := range []string{"HY", "HY.QS"} {
		units[code] = int64(fixture.Count(t, d.Owner, `SELECT id FROM org_unit WHERE code = '`+code+`'`))
	}
	var cases []pipeline.Case
	for i, cell := range []int64{w.cellA, w.cellA, w.cellB, w.cellA, w.cellB} {
		p := w.person(t, "Đỗ Văn "+string(rune('A'+i)), "1998-02-0"+string(rune('1'+i)), cell, nil)
		c, err := pipeline.Open(ctx, d.App, pipeline.OpenInput{PersonID: p, CellID: cell, Proposer: "cell", Doc: doc("2025-01-06", "")})
		if err != nil {
			t.Fatal(err)
		}
		cases = append(cases, c)
	}
	days := []time.Time{ago(5), today}
	checkOpenAncestor(t, d, units, "opened", days...)

	if _, err := pipeline.Leave(ctx, d.App, cases[1].ID, cases[1].Version, doc("2025-03-01", ""), "declined"); err != nil {
		t.Fatal(err)
	}
	checkOpenAncestor(t, d, units, "one left", days...)

	// Cell B moves from Quỳnh Sơn to Quỳnh Châu three days ago: today's list of Quỳnh Châu has its
	// cases, the list of five days ago has them under Quỳnh Sơn.
	if _, err := org.Move(ctx, d.App, w.cellB, w.communeA, org.Doc{Effective: ago(3), Document: "QĐ điều chỉnh"}); err != nil {
		t.Fatal(err)
	}
	checkOpenAncestor(t, d, units, "a cell moved", days...)
	qc, err := pipeline.List(ctx, d.App, pipeline.Filter{UnitID: &w.communeA}, today, pageAll)
	if err != nil || len(qc.Items) != 4 {
		t.Errorf("Quỳnh Châu today: %d cases, want 4 (cell A's 2, cell B's 2): %v", len(qc.Items), err)
	}
	qs := units["HY.QS"]
	if old, err := pipeline.List(ctx, d.App, pipeline.Filter{UnitID: &qs}, ago(5), pageAll); err != nil || len(old.Items) != 2 {
		t.Errorf("Quỳnh Sơn five days ago: %d cases, want cell B's 2: %v", len(old.Items), err)
	}

	// A cell created today under Quỳnh Sơn, a case there.
	nc, err := org.Create(ctx, d.App, org.NewUnit{Code: "HY.QS.2", Name: "Chi bộ thôn Tây Hải", Kind: "cell", Sector: "territorial"},
		&qs, org.Doc{Effective: today, Document: "QĐ thành lập"})
	if err != nil {
		t.Fatal(err)
	}
	units["HY.QS.2"] = nc.Units[0]
	p := w.person(t, "Đỗ Văn Mới", "1999-09-09", nc.Units[0], func(n *people.NewPerson) { n.Since = today })
	if _, err := pipeline.Open(ctx, d.App, pipeline.OpenInput{PersonID: p, CellID: nc.Units[0], Proposer: "cell", Doc: doc(today.Format(time.DateOnly), "")}); err != nil {
		t.Fatal(err)
	}
	checkOpenAncestor(t, d, units, "a new cell", days...)

	// The application reads the pairs; only the triggers write them.
	if _, err := d.App.ExecContext(context.Background(), `DELETE FROM case_open_ancestor`); err == nil {
		t.Error("ptdv_app could delete from case_open_ancestor")
	}
	if _, err := d.App.ExecContext(context.Background(), `SELECT case_rebuild_open_ancestor()`); err == nil {
		t.Error("ptdv_app could rebuild case_open_ancestor")
	}
}
