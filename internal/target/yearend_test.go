package target_test

import (
	"context"
	"fmt"
	"testing"

	"ptdv/internal/fixture"
	"ptdv/internal/member"
	"ptdv/internal/org"
	"ptdv/internal/page"
	"ptdv/internal/pgtest"
	"ptdv/internal/target"

	"github.com/uptrace/bun"
)

// denominators lists each child's rate figures, then the province's own, as ChildrenProgress and
// TargetProgress report them.
func denominators(t *testing.T, ctx context.Context, d *pgtest.DB, province int64, own int64) []string {
	t.Helper()
	pg, err := target.ChildrenProgress(ctx, d.App, province, target.MeasureAdmissions, target.Year(2026), fixture.Day("2026-06-30"), target.SortPercentAsc, page.Args{First: 10})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, c := range pg.Items {
		p := c.Progress
		out = append(out, fmt.Sprintf("%d: denominator %v on %v, target %v, admitted %d", c.Unit.ID, deref(p.Denominator), deref(p.DenominatorOn), deref(p.TargetCount), p.Admitted))
	}
	p, err := target.TargetProgress(ctx, d.App, own, fixture.Day("2026-06-30"))
	if err != nil {
		t.Fatal(err)
	}
	return append(out, fmt.Sprintf("province: denominator %v, target %v", deref(p.Denominator), deref(p.TargetCount)))
}

// Rate targets read their denominators (members on 31/12/2025) from the year-end rollup of migration
// 0006; the figures are those of the span count, which serves days outside the rollup's window.
func TestRateTargetsFromYearend(t *testing.T) {
	t.Parallel()
	d, u, ctx := fixture.NewUnits(t, `
		HD         province              Đảng bộ tỉnh Hải Dương
		HD.NS      district              Đảng bộ huyện Nam Sách
		HD.NS.A    grassroots_committee  Đảng bộ xã An Lâm
		HD.NS.B    grassroots_committee  Đảng bộ xã An Sơn
		HD.TK      grassroots_committee  Đảng bộ phường Tứ Minh
		HD.NS.A.1  cell                  Chi bộ thôn Bạch Đa
		HD.NS.B.1  cell                  Chi bộ thôn Mạc Xá
		HD.TK.1    cell                  Chi bộ khu dân cư 1`)
	p, dist, a, b, c, xa, xb, xc := u["HD"], u["HD.NS"], u["HD.NS.A"], u["HD.NS.B"], u["HD.TK"], u["HD.NS.A.1"], u["HD.NS.B.1"], u["HD.TK.1"]
	as := admit(t, d.App, xa, spread("2019-01-07", 30, 20)...)
	admit(t, d.App, xb, spread("2020-02-03", 20, 30)...)
	cs := admit(t, d.App, xc, spread("2018-03-05", 25, 25)...)
	for _, id := range as[:3] {
		if err := member.Record(ctx, d.App, member.Event{PersonID: id, Kind: member.KindRemoved, Effective: fixture.Day("2024-05-04"), Document: "NQ xóa tên"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := member.Record(ctx, d.App, member.Event{PersonID: cs[0], Kind: member.KindTransferredOutOfficial, Effective: fixture.Day("2025-10-01"), ToUnitID: &xa}); err != nil {
		t.Fatal(err)
	}
	if err := member.Record(ctx, d.App, member.Event{PersonID: cs[0], Kind: member.KindTransferredInOfficial, Effective: fixture.Day("2025-10-20")}); err != nil {
		t.Fatal(err)
	}
	// The reform: A and B merge under the province, the district ends.
	s := reform(t, ctx, d.App, a, b, p, dist, "HD.AL", "Đảng bộ xã An Lạc")
	admit(t, d.App, xa, spread("2026-01-12", 4, 30)...)
	for _, u := range []int64{s, c} {
		newTarget(t, ctx, d.App, target.NewTarget{UnitID: u, Measure: target.MeasureAdmissions, Period: target.Year(2026),
			Values: target.Values{Kind: target.KindRate, Rate: fixture.Ptr(4.0)}})
	}
	own := newTarget(t, ctx, d.App, target.NewTarget{UnitID: p, Measure: target.MeasureAdmissions, Period: target.Year(2026),
		Values: target.Values{Kind: target.KindRate, Rate: fixture.Ptr(3.5)}})

	rollup := denominators(t, ctx, d, p, own.ID)
	board := denominators(t, fixture.Actor(t, d.App, "board", "HD"), d, p, own.ID)
	// 31/12/2025: An Lạc 30 − 3 + 20 + 1 (transferred in) = 48, Tứ Minh 24, the province 72.
	want := []string{
		fmt.Sprintf("%d: denominator 24 on 2025-12-31 00:00:00 +0000 UTC, target 1, admitted 0", c),
		fmt.Sprintf("%d: denominator 48 on 2025-12-31 00:00:00 +0000 UTC, target 2, admitted 4", s),
		"province: denominator 72, target 3",
	}
	if fmt.Sprint(rollup) != fmt.Sprint(want) || fmt.Sprint(board) != fmt.Sprint(want) {
		t.Errorf("from the rollup:\n%v\nas the province's board:\n%v\nwant\n%v", rollup, board, want)
	}

	// The rollup is what was read: a count changed behind the triggers' back shows.
	if _, err := d.Owner.ExecContext(context.Background(), `UPDATE member_yearend SET n = n + 1000 WHERE ancestor_id = ? AND year = 2025`, c); err != nil {
		t.Fatal(err)
	}
	if got := denominators(t, ctx, d, p, own.ID); got[0] != fmt.Sprintf("%d: denominator 1024 on 2025-12-31 00:00:00 +0000 UTC, target 41, admitted 0", c) {
		t.Errorf("after tampering with the rollup: %v", got)
	}
	// Outside the window (here: an empty one) the spans are counted, with the same figures.
	if _, err := d.Owner.ExecContext(context.Background(), `UPDATE member_yearend_window SET from_year = 2100`); err != nil {
		t.Fatal(err)
	}
	if n := fixture.Count(t, d.Owner, `SELECT count(*) FROM member_yearend`); n != 0 {
		t.Fatalf("%d rollup rows in an empty window", n)
	}
	spans := denominators(t, ctx, d, p, own.ID)
	if fmt.Sprint(spans) != fmt.Sprint(rollup) {
		t.Errorf("from the spans:\n%v\nfrom the rollup:\n%v", spans, rollup)
	}
}

// reform merges communes a and b into a new grassroots committee (code, name) under the province p and
// ends the district dist, both on 01/07/2025: the 2025 reform the target tests replay. It returns the
// successor.
func reform(t *testing.T, ctx context.Context, db bun.IDB, a, b, p, dist int64, code, name string) int64 {
	t.Helper()
	res, err := org.Merge(ctx, db, []int64{a, b}, org.Successor{
		New:      &org.NewUnit{Code: code, Name: name, Kind: "grassroots_committee", Sector: "territorial"},
		ParentID: &p}, org.Doc{Effective: fixture.Day("2025-07-01"), Document: "Nghị quyết sáp nhập"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := org.Dissolve(ctx, db, dist, org.Doc{Effective: fixture.Day("2025-07-01")}); err != nil {
		t.Fatal(err)
	}
	return res.Units[0]
}
