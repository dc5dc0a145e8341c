package org_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/uptrace/bun"

	"ptdv/internal/apperr"
	"ptdv/internal/auth"
	"ptdv/internal/fixture"
	"ptdv/internal/org"
	"ptdv/internal/page"
	"ptdv/internal/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

func doc(s string) org.Doc { return org.Doc{Effective: fixture.Day(s), Document: "QĐ test " + s} }

var all = page.Args{First: 100}

// tree is a small province before and after the 2025 reform:
//
//	P Tỉnh Vĩnh Phúc ─ D Đảng bộ huyện Tam Dương ─ C1 xã Hoàng Hoa ─ X chi bộ thôn Đồng Bông
//	                                              └ C2 xã Hoàng Đan
//	                 └ E Đảng bộ thành phố Vĩnh Yên (a second district)
type tree struct{ P, D, C1, C2, X, E int64 }

// newTree is a fresh test database holding tree, with the system actor's context. The cell X comes later
// than the rest (01/03/2016): an operation on it dated before is refused.
func newTree(t *testing.T) (*pgtest.DB, tree, context.Context) {
	d, u, ctx := fixture.NewUnits(t, `
		VP        province              Đảng bộ tỉnh Vĩnh Phúc
		VP.TD     district              Đảng bộ huyện Tam Dương
		VP.VY     district              Đảng bộ thành phố Vĩnh Yên
		VP.TD.HH  grassroots_committee  Đảng bộ xã Hoàng Hoa
		VP.TD.HD  grassroots_committee  Đảng bộ xã Hoàng Đan`)
	tr := tree{P: u["VP"], D: u["VP.TD"], E: u["VP.VY"], C1: u["VP.TD.HH"], C2: u["VP.TD.HD"]}
	tr.X = fixture.Unit(t, ctx, d.App, "VP.TD.HH.DB", "Chi bộ thôn Đồng Bông", "cell", &tr.C1, "2016-03-01")
	return d, tr, ctx
}

func actorForTB(t testing.TB, d *pgtest.DB, role, unit string) context.Context {
	return fixture.Actor(t, d.App, role, unit)
}

func codes(us []org.Unit) []string {
	out := make([]string, len(us))
	for i, u := range us {
		out[i] = u.Code
	}
	return out
}

func wantCodes(t *testing.T, what string, got []org.Unit, want ...string) {
	t.Helper()
	if diff := cmp.Diff(want, codes(got), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("%s (-want +got):\n%s", what, diff)
	}
}

func TestAsOfAcrossMerger(t *testing.T) {
	t.Parallel()
	d, tr, ctx := newTree(t)

	// The 2025 reform: the two communes merge into a new commune directly under the province,
	// and the district, left empty, is dissolved.
	res, err := org.Merge(ctx, d.App, []int64{tr.C1, tr.C2}, org.Successor{
		New:      &org.NewUnit{Code: "VP.HA", Name: "Đảng bộ xã Hoàng An", Kind: "grassroots_committee", Sector: "territorial"},
		ParentID: &tr.P}, doc("2025-07-01"))
	if err != nil {
		t.Fatal(err)
	}
	n := res.Units[0]
	if _, err := org.Dissolve(ctx, d.App, tr.D, doc("2025-07-01")); err != nil {
		t.Fatal(err)
	}

	before, after := fixture.Day("2025-06-30"), fixture.Day("2025-07-01")

	kids, err := org.Children(ctx, d.App, tr.P, before, org.Filter{}, all)
	if err != nil {
		t.Fatal(err)
	}
	wantCodes(t, "children of P before", kids.Items, "VP.TD", "VP.VY")
	kids, _ = org.Children(ctx, d.App, tr.P, after, org.Filter{}, all)
	wantCodes(t, "children of P after", kids.Items, "VP.HA", "VP.VY")

	anc, err := org.Ancestors(ctx, d.App, tr.X, before)
	if err != nil {
		t.Fatal(err)
	}
	wantCodes(t, "ancestors of X before", anc, "VP", "VP.TD", "VP.TD.HH")
	anc, _ = org.Ancestors(ctx, d.App, tr.X, after)
	wantCodes(t, "ancestors of X after", anc, "VP", "VP.HA")

	sub, _ := org.Descendants(ctx, d.App, tr.P, before, org.Filter{}, all)
	wantCodes(t, "subtree before", sub.Items, "VP.TD", "VP.TD.HD", "VP.TD.HH", "VP.TD.HH.DB", "VP.VY")
	sub, _ = org.Descendants(ctx, d.App, tr.P, after, org.Filter{}, all)
	wantCodes(t, "subtree after", sub.Items, "VP.HA", "VP.TD.HH.DB", "VP.VY")
	sub, _ = org.Descendants(ctx, d.App, tr.P, fixture.Day("2010-01-01"), org.Filter{}, all)
	wantCodes(t, "subtree before anything existed", sub.Items)

	counts, err := org.CountDescendants(ctx, d.App, tr.P, after)
	if err != nil {
		t.Fatal(err)
	}
	if counts["district"] != 1 || counts["grassroots_committee"] != 1 || counts["cell"] != 1 {
		t.Errorf("counts after = %v", counts)
	}

	// The dissolved district still answers with its name and end date.
	u, err := org.GetOne(ctx, d.App, tr.D, after)
	if err != nil {
		t.Fatal(err)
	}
	if u.Name != "Đảng bộ huyện Tam Dương" || u.ValidTo == nil || !u.ValidTo.Equal(after) || u.ExistsOn(after) || !u.ExistsOn(before) {
		t.Errorf("dissolved district = %+v", u)
	}

	preds, err := org.Lineage(ctx, d.App, n, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(preds) != 2 || preds[0].UnitID != tr.C1 || preds[1].UnitID != tr.C2 || preds[0].Kind != "merge" || preds[0].Steps != 1 {
		t.Errorf("predecessors = %+v", preds)
	}
	succ, _ := org.Lineage(ctx, d.App, tr.C2, true)
	if len(succ) != 1 || succ[0].UnitID != n || !succ[0].Effective.Equal(after) {
		t.Errorf("successors of C2 = %+v", succ)
	}
}

func TestRenameMoveAndSplitHistory(t *testing.T) {
	t.Parallel()
	d, tr, ctx := newTree(t)

	if _, err := org.Rename(ctx, d.App, tr.C1, "Đảng bộ thị trấn Hoàng Hoa", doc("2020-01-01")); err != nil {
		t.Fatal(err)
	}
	if _, err := org.Move(ctx, d.App, tr.X, tr.C2, doc("2021-01-01")); err != nil {
		t.Fatal(err)
	}
	// Move the whole district under… nothing else fits; move commune C2 (with X) to district E.
	if _, err := org.Move(ctx, d.App, tr.C2, tr.E, doc("2022-01-01")); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		on   string
		name string
		anc  []string
	}{
		{"2019-12-31", "Đảng bộ xã Hoàng Hoa", []string{"VP", "VP.TD", "VP.TD.HH"}},
		{"2020-06-01", "Đảng bộ thị trấn Hoàng Hoa", []string{"VP", "VP.TD", "VP.TD.HH"}},
		{"2021-06-01", "Đảng bộ thị trấn Hoàng Hoa", []string{"VP", "VP.TD", "VP.TD.HD"}},
		{"2022-06-01", "Đảng bộ thị trấn Hoàng Hoa", []string{"VP", "VP.VY", "VP.TD.HD"}},
	} {
		u, err := org.GetOne(ctx, d.App, tr.C1, fixture.Day(c.on))
		if err != nil {
			t.Fatal(err)
		}
		if u.Name != c.name {
			t.Errorf("name of C1 on %s = %q, want %q", c.on, u.Name, c.name)
		}
		anc, err := org.Ancestors(ctx, d.App, tr.X, fixture.Day(c.on))
		if err != nil {
			t.Fatal(err)
		}
		wantCodes(t, "ancestors of X on "+c.on, anc, c.anc...)
	}

	// Split C2 into two communes; X goes to the first.
	res, err := org.Split(ctx, d.App, tr.C2, []org.SplitPart{
		{Unit: org.NewUnit{Code: "VP.VY.A", Name: "Đảng bộ phường A", Kind: "grassroots_committee", Sector: "territorial"}, Children: []int64{tr.X}},
		{Unit: org.NewUnit{Code: "VP.VY.B", Name: "Đảng bộ phường B", Kind: "grassroots_committee", Sector: "territorial"}},
	}, doc("2023-01-01"))
	if err != nil {
		t.Fatal(err)
	}
	anc, _ := org.Ancestors(ctx, d.App, tr.X, fixture.Day("2023-01-01"))
	wantCodes(t, "ancestors of X after split", anc, "VP", "VP.VY", "VP.VY.A")
	succ, _ := org.Lineage(ctx, d.App, tr.C2, true)
	if len(succ) != 2 || succ[0].Kind != "split" {
		t.Errorf("split successors = %+v", succ)
	}
	ops, err := org.Operations(ctx, d.App, tr.X, all)
	if err != nil {
		t.Fatal(err)
	}
	// create, move (2021), move of C2 (2022, rewrote X's path), split (2023, moved X)
	if len(ops.Items) != 4 || ops.Items[0].ID != res.OperationID || ops.Items[3].Kind != "create" {
		t.Errorf("operations of X = %+v", ops.Items)
	}
}

// count returns the rows of the tables a failed operation must leave untouched.
func count(t *testing.T, db bun.IDB) [5]int {
	t.Helper()
	var n [5]int
	for i, tb := range []string{"org_operation", "org_unit", "org_unit_name", "org_link", "audit_log"} {
		if err := db.NewRaw("SELECT count(*) FROM "+tb).Scan(context.Background(), &n[i]); err != nil {
			t.Fatal(err)
		}
	}
	return n
}

func TestBadInputChangesNothing(t *testing.T) {
	t.Parallel()
	d, tr, ctx := newTree(t)
	before := count(t, d.Owner)
	// createUnder creates a territorial unit under the province on 01/01/2024.
	createUnder := func(code, name, kind string) func() error {
		return func() error {
			_, err := org.Create(ctx, d.App, org.NewUnit{Code: code, Name: name, Kind: kind, Sector: "territorial"}, &tr.P, doc("2024-01-01"))
			return err
		}
	}

	for _, c := range []struct {
		name string
		op   func() error
		code apperr.Code
		rule string
	}{
		{"cycle: district under its own commune", func() error {
			_, err := org.Move(ctx, d.App, tr.D, tr.C1, doc("2024-01-01"))
			return err
		}, apperr.RuleViolation, org.RuleNoCycle},
		{"cycle: commune under its own cell", func() error {
			_, err := org.Move(ctx, d.App, tr.C1, tr.X, doc("2024-01-01"))
			return err
		}, apperr.RuleViolation, org.RuleNoCycle},
		{"merge into own descendant", func() error {
			_, err := org.Merge(ctx, d.App, []int64{tr.D}, org.Successor{ExistingID: &tr.C1}, doc("2024-01-01"))
			return err
		}, apperr.RuleViolation, org.RuleMergeDescend},
		{"operation dated before the unit existed", func() error {
			_, err := org.Rename(ctx, d.App, tr.X, "Chi bộ thôn Mới", doc("2016-01-01"))
			return err
		}, apperr.RuleViolation, org.RuleAlive},
		{"history out of order", func() error {
			if _, err := org.Rename(ctx, d.App, tr.E, "Đảng bộ TP Vĩnh Yên", doc("2024-05-01")); err != nil {
				return err
			}
			_, err := org.Rename(ctx, d.App, tr.E, "Đảng bộ thành phố Vĩnh Yên (cũ)", doc("2024-01-01"))
			return err
		}, apperr.RuleViolation, org.RuleHistoryOrder},
		{"unknown kind", createUnder("VP.Z", "Z", "galaxy"), apperr.InvalidInput, ""},
		{"kind under wrong parent", createUnder("VP.Z", "Chi bộ Z", "cell"), apperr.RuleViolation, org.RuleKindParent},
		{"bad code", createUnder("vp z!", "Z", "district"), apperr.InvalidInput, ""},
		{"duplicate code", createUnder("VP.TD", "Trùng", "district"), apperr.Conflict, ""},
		{"dissolve with children", func() error {
			_, err := org.Dissolve(ctx, d.App, tr.D, doc("2024-01-01"))
			return err
		}, apperr.RuleViolation, org.RuleDissolveEmpty},
		{"split leaving a child behind", func() error {
			_, err := org.Split(ctx, d.App, tr.C1, []org.SplitPart{
				{Unit: org.NewUnit{Code: "VP.S1", Name: "S1", Kind: "grassroots_committee", Sector: "territorial"}},
				{Unit: org.NewUnit{Code: "VP.S2", Name: "S2", Kind: "grassroots_committee", Sector: "territorial"}},
			}, doc("2024-01-01"))
			return err
		}, apperr.RuleViolation, org.RuleSplitAllChildren},
		{"no effective date", func() error {
			_, err := org.Dissolve(ctx, d.App, tr.X, org.Doc{})
			return err
		}, apperr.InvalidInput, ""},
	} {
		err := c.op()
		e, ok := apperr.As(err)
		if !ok || e.Code != c.code || e.Rule != c.rule || e.Message == "" {
			t.Errorf("%s: err = %v, want code %s rule %q", c.name, err, c.code, c.rule)
		}
	}
	after := count(t, d.Owner)
	// The only change: the one successful rename inside "history out of order".
	want := before
	want[0]++ // operation
	want[2]++ // new name version
	want[4]++ // audit row
	if after != want {
		t.Errorf("rows after refused operations = %v, want %v (before %v)", after, want, before)
	}
}

func TestSearchWithoutAccents(t *testing.T) {
	t.Parallel()
	d, tr, ctx := newTree(t)
	gl := fixture.Unit(t, ctx, d.App, "GL", "Đảng bộ tỉnh Gia Lai", "province", nil, "2015-01-01")
	fixture.Unit(t, ctx, d.App, "GL.PK", "Thành ủy Pleiku", "district", &gl, "2015-01-01")
	on := fixture.Day("2024-01-01")
	for _, c := range []struct {
		text string
		want []string
	}{
		{"tam duong", []string{"VP.TD"}},
		{"TAM DƯƠNG", []string{"VP.TD"}},
		{"pleiku", []string{"GL.PK"}},
		{"hoang", []string{"VP.TD.HD", "VP.TD.HH"}},
		{"hoang hoa", []string{"VP.TD.HH"}},
		{"đồng bông", []string{"VP.TD.HH.DB"}},
		{"thon dong b", []string{"VP.TD.HH.DB"}},
		{"dong bong thon", nil},
		{"oang", nil},                // words are matched from their start
		{"vp.td", []string{"VP.TD"}}, // exact code
		{"50%", nil},
	} {
		res, err := org.Search(ctx, d.App, c.text, on, false, org.Filter{}, all)
		if err != nil {
			t.Fatal(err)
		}
		wantCodes(t, "search "+c.text, res.Items, c.want...)
	}
	// Historic names: the old name is found only with historic set.
	if _, err := org.Rename(ctx, d.App, tr.C1, "Đảng bộ thị trấn Hợp Hòa", doc("2020-01-01")); err != nil {
		t.Fatal(err)
	}
	res, _ := org.Search(ctx, d.App, "hoang hoa", on, false, org.Filter{}, all)
	wantCodes(t, "old name, current", res.Items)
	res, _ = org.Search(ctx, d.App, "hoang hoa", on, true, org.Filter{}, all)
	wantCodes(t, "old name, historic", res.Items, "VP.TD.HH")
	if _, err := org.Search(ctx, d.App, "  ", on, false, org.Filter{}, all); apperr.CodeOf(err) != apperr.InvalidInput {
		t.Errorf("empty search: %v", err)
	}
}

func TestScopeCommuneCannotReachSibling(t *testing.T) {
	t.Parallel()
	d, tr, _ := newTree(t)
	ctx := fixture.Actor(t, d.App, "board", "VP.TD.HH") // the board of commune C1
	on := fixture.Day("2024-01-01")

	// Reads of the tree are the application's to scope (no personal data, no read policies): skipped
	// when the two-key test switches the application's filter off. Writes are refused by both keys.
	if !auth.AppFilterOff() {
		if _, err := org.GetOne(ctx, d.App, tr.C2, on); apperr.CodeOf(err) != apperr.NotFound {
			t.Errorf("sibling by id: %v", err)
		}
		if _, err := org.GetByCode(ctx, d.App, "VP.TD.HD", on); apperr.CodeOf(err) != apperr.NotFound {
			t.Errorf("sibling by code: %v", err)
		}
		m, err := org.Get(ctx, d.App, []int64{tr.C1, tr.C2, tr.D, tr.X, 999999}, on)
		if err != nil {
			t.Fatal(err)
		}
		if len(m) != 2 || m[tr.C1].ID == 0 || m[tr.X].ID == 0 {
			t.Errorf("visible = %v, want only C1 and X", m)
		}
		kids, err := org.Children(ctx, d.App, tr.D, on, org.Filter{}, all)
		if err != nil {
			t.Fatal(err)
		}
		wantCodes(t, "children of the parent district", kids.Items, "VP.TD.HH")
		res, _ := org.Search(ctx, d.App, "hoang", on, true, org.Filter{}, all)
		wantCodes(t, "search", res.Items, "VP.TD.HH")
		roots, _ := org.Roots(ctx, d.App, on, all)
		wantCodes(t, "roots", roots.Items, "VP.TD.HH")
		anc, _ := org.Ancestors(ctx, d.App, tr.X, on)
		wantCodes(t, "ancestors stop at the scope root", anc, "VP.TD.HH")
		cc, _ := org.ChildCounts(ctx, d.App, []org.ChildKey{{ID: tr.D, AsOf: on}})
		if cc[org.ChildKey{ID: tr.D, AsOf: on}] != 1 {
			t.Errorf("child count of the district seen from C1 = %v", cc)
		}
	}

	before := count(t, d.Owner)
	for name, op := range map[string]func() error{
		"rename sibling": func() error { _, err := org.Rename(ctx, d.App, tr.C2, "X", doc("2024-01-01")); return err },
		"move own cell to sibling": func() error {
			_, err := org.Move(ctx, d.App, tr.X, tr.C2, doc("2024-01-01"))
			return err
		},
		"create under sibling": func() error {
			_, err := org.Create(ctx, d.App, org.NewUnit{Code: "VP.TD.HD.X", Name: "Chi bộ X", Kind: "cell", Sector: "territorial"}, &tr.C2, doc("2024-01-01"))
			return err
		},
		"merge sibling into own": func() error {
			_, err := org.Merge(ctx, d.App, []int64{tr.C2}, org.Successor{ExistingID: &tr.C1}, doc("2024-01-01"))
			return err
		},
		"lineage of sibling": func() error { _, err := org.Lineage(ctx, d.App, tr.C2, true); return err },
	} {
		if name == "lineage of sibling" && auth.AppFilterOff() {
			continue // a read
		}
		if err := op(); apperr.CodeOf(err) != apperr.NotFound {
			t.Errorf("%s: err = %v, want NOT_FOUND", name, err)
		}
	}
	if after := count(t, d.Owner); after != before {
		t.Errorf("refused writes changed rows: %v → %v", before, after)
	}

	// A secretary may read but not change the tree.
	sec := fixture.Actor(t, d.App, "secretary", "VP.TD.HH")
	if _, err := org.Rename(sec, d.App, tr.X, "Chi bộ thôn Đồng Bông 1", doc("2024-01-01")); apperr.CodeOf(err) != apperr.Forbidden {
		t.Errorf("secretary rename: %v", err)
	}
	// No actor at all: fail closed.
	if _, err := org.GetOne(context.Background(), d.App, tr.X, on); apperr.CodeOf(err) != apperr.Unauthenticated {
		t.Errorf("no actor: %v", err)
	}
}

func TestMergedCommuneSeesPredecessorsHistory(t *testing.T) {
	t.Parallel()
	d, tr, ctx := newTree(t)
	if _, err := org.Merge(ctx, d.App, []int64{tr.C1, tr.C2}, org.Successor{
		New: &org.NewUnit{Code: "VP.HA", Name: "Đảng bộ xã Hoàng An", Kind: "grassroots_committee", Sector: "territorial"}, ParentID: &tr.P,
	}, doc("2025-07-01")); err != nil {
		t.Fatal(err)
	}
	sc := fixture.Actor(t, d.App, "board", "VP.HA")
	m, err := org.Get(sc, d.App, []int64{tr.C1, tr.C2, tr.X, tr.D, tr.E}, fixture.Day("2024-01-01"))
	if err != nil {
		t.Fatal(err)
	}
	if len(m) != 3 || m[tr.C1].ID == 0 || m[tr.C2].ID == 0 || m[tr.X].ID == 0 {
		t.Errorf("the merged commune sees %v, want its predecessors and their cell", m)
	}
}

func TestAuditRowsAreAppendOnly(t *testing.T) {
	t.Parallel()
	d, tr, _ := newTree(t)
	if _, err := org.Rename(fixture.System(), d.App, tr.X, "Chi bộ thôn Đồng Bông Mới", doc("2024-01-01")); err != nil {
		t.Fatal(err)
	}
	var row struct {
		Actor  string `bun:"actor"`
		Action string `bun:"action"`
		After  string `bun:"after"`
	}
	if err := d.Owner.NewRaw(`SELECT actor, action, after::text FROM audit_log ORDER BY id DESC LIMIT 1`).Scan(context.Background(), &row); err != nil {
		t.Fatal(err)
	}
	if row.Actor != "test" || row.Action != "org.rename" || !strings.Contains(row.After, "Chi bộ thôn Đồng Bông Mới") {
		t.Errorf("audit row = %+v", row)
	}
	for _, q := range []string{`DELETE FROM audit_log`, `UPDATE audit_log SET actor = 'x'`, `TRUNCATE audit_log`, `DELETE FROM org_operation`} {
		if _, err := d.App.ExecContext(context.Background(), q); err == nil {
			t.Errorf("%s as the application role succeeded", q)
		}
	}
}
