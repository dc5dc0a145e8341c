package target_test

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"ptdv/internal/apperr"
	"ptdv/internal/auth"
	pdb "ptdv/internal/db"
	"ptdv/internal/fixture"
	"ptdv/internal/member"
	"ptdv/internal/org"
	"ptdv/internal/page"
	"ptdv/internal/pgtest"
	"ptdv/internal/target"
)

func round1(x float64) float64 { return math.Round(x*10) / 10 }

// Quỳnh Phụ district set 750 new members for its 2020–2025 term and had 419 by 26 February 2024.
func TestQuynhPhuTermTarget(t *testing.T) {
	t.Parallel()
	d, u, ctx := fixture.NewUnits(t, `
		TB          province              Đảng bộ tỉnh Thái Bình
		TB.QP       district              Đảng bộ huyện Quỳnh Phụ
		TB.QP.QH    grassroots_committee  Đảng bộ xã Quỳnh Hải
		TB.QP.QG    grassroots_committee  Đảng bộ xã Quỳnh Giao
		TB.QP.QH.1  cell                  Chi bộ thôn 1
		TB.QP.QG.1  cell                  Chi bộ thôn Đông`)
	qp, c1, c2, x1, x2 := u["TB.QP"], u["TB.QP.QH"], u["TB.QP.QG"], u["TB.QP.QH.1"], u["TB.QP.QG.1"]

	term, err := target.CreateTerm(ctx, d.App, target.NewTerm{UnitID: qp, Name: "Nhiệm kỳ 2020–2025",
		StartsOn: fixture.Day("2020-07-01"), EndsOn: fixture.Day("2025-06-30"), CongressDocument: "Nghị quyết Đại hội Đảng bộ huyện lần thứ XXVI"})
	if err != nil {
		t.Fatal(err)
	}
	tg := newTarget(t, ctx, d.App, target.NewTarget{UnitID: qp, Measure: target.MeasureAdmissions,
		Period: target.Period{Kind: target.PeriodTerm, TermID: &term.ID}, Values: count(750)})
	if tg.Period.Start != fixture.Day("2020-07-01") || tg.Period.End != fixture.Day("2025-06-30") || tg.Revision != 1 {
		t.Fatalf("target %+v", tg)
	}

	// 419 admissions from the term's first day to 26/02/2024, alternating between the communes' cells;
	// two before the term and two after the day, which must not count.
	var in1, in2 []time.Time
	for i := range 419 {
		dd := fixture.Day("2020-07-01").AddDate(0, 0, i*1336/419)
		if i%2 == 0 {
			in1 = append(in1, dd)
		} else {
			in2 = append(in2, dd)
		}
	}
	out := []time.Time{fixture.Day("2020-06-15"), fixture.Day("2020-06-30"), fixture.Day("2024-02-27"), fixture.Day("2024-03-10")}
	admit(t, d.App, x1, append(in1, out[:2]...)...)
	admit(t, d.App, x2, append(in2, out[2:]...)...)
	all := append(append(append([]time.Time{}, in1...), in2...), out...)
	lastYear := countBetween(all, "2019-07-01", "2023-02-26")

	want := figures{Admitted: 419, LastYear: lastYear, Target: 750, PercentDone: 55.9, DaysElapsed: 1336, DaysTotal: 1826,
		PercentElapsed: 73.2, Expected: 548.7, PercentOfLastYear: round1(100 * 419 / float64(lastYear)), Source: target.SourceExplicit,
		Start: "2020-07-01", End: "2025-06-30", AsOf: "2024-02-26", LastYearFrom: "2019-07-01", LastYearTo: "2023-02-26"}
	p, err := target.TargetProgress(ctx, d.App, tg.ID, fixture.Day("2024-02-26"))
	if err != nil {
		t.Fatal(err)
	}
	wantProgress(t, "Quỳnh Phụ on 26/02/2024", p, want)
	if p.Target == nil || p.Target.ID != tg.ID {
		t.Errorf("explicit target %v", p.Target)
	}
	p, err = target.ProgressForUnit(ctx, d.App, qp, target.MeasureAdmissions, target.PeriodTerm, fixture.Day("2024-02-26"))
	if err != nil {
		t.Fatal(err)
	}
	wantProgress(t, "Quỳnh Phụ's term on 26/02/2024", p, want)

	// The district hands the target down to its communes; the shares fall 50 short: a warning.
	al, err := target.HandDown(ctx, d.App, tg.ID, []target.Share{{UnitID: c1, Count: 400}, {UnitID: c2, Count: 300}})
	if err != nil {
		t.Fatal(err)
	}
	if al.SumOfChildren != 700 || al.Difference != -50 || al.Balanced || !strings.Contains(al.Warning, "50") || len(al.Children) != 2 {
		t.Errorf("allocation %+v", al)
	}
	for _, c := range al.Children {
		if c.ParentTargetID == nil || *c.ParentTargetID != tg.ID || c.Period.Start != tg.Period.Start || c.Period.End != tg.Period.End ||
			c.Period.TermID == nil || *c.Period.TermID != term.ID {
			t.Errorf("handed-down target %+v", c)
		}
	}
	if got, err := target.GetAllocation(ctx, d.App, tg.ID); err != nil || got.Difference != -50 || got.SumOfChildren != 700 {
		t.Errorf("GetAllocation = %+v, %v", got, err)
	}

	// Which commune lags: Quỳnh Hải 210 of 400 (52.5 %), Quỳnh Giao 209 of 300 (69.7 %).
	pg, err := target.ChildrenProgress(ctx, d.App, qp, target.MeasureAdmissions, target.Period{Kind: target.PeriodTerm, TermID: &term.ID},
		fixture.Day("2024-02-26"), target.SortPercentAsc, page.Args{First: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(pg.Items) != 2 || pg.Items[0].Unit.ID != c1 || pg.Items[1].Unit.ID != c2 {
		t.Fatalf("children %+v", pg.Items)
	}
	if a, b := pg.Items[0].Progress, pg.Items[1].Progress; a.Admitted != 210 || *a.PercentDone != 52.5 || *a.TargetCount != 400 ||
		b.Admitted != 209 || *b.PercentDone != 69.7 || pg.Items[0].Unit.Name != "Đảng bộ xã Quỳnh Hải" {
		t.Errorf("children progress %+v / %+v", a, b)
	}
	first, err := target.ChildrenProgress(ctx, d.App, qp, target.MeasureAdmissions, target.Period{Kind: target.PeriodTerm, TermID: &term.ID},
		fixture.Day("2024-02-26"), target.SortPercentDesc, page.Args{First: 1})
	if err != nil || len(first.Items) != 1 || !first.HasNext || first.Items[0].Unit.ID != c2 {
		t.Fatalf("first page desc: %+v, %v", first, err)
	}
	next, err := target.ChildrenProgress(ctx, d.App, qp, target.MeasureAdmissions, target.Period{Kind: target.PeriodTerm, TermID: &term.ID},
		fixture.Day("2024-02-26"), target.SortPercentDesc, page.Args{First: 1, After: first.Items[0].PageKey()})
	if err != nil || len(next.Items) != 1 || next.HasNext || next.Items[0].Unit.ID != c1 {
		t.Fatalf("second page desc: %+v, %v", next, err)
	}
}

// Tam Dương aimed at 160 or more in 2021, after 89 in 2020; progress is reported quarterly as "this
// period / same period last year / %".
func TestTamDuongQuarterlyReport(t *testing.T) {
	t.Parallel()
	d, tr, ctx := fixture.NewTree(t)
	td, x := tr.D, tr.X
	var ds []time.Time
	for _, q := range []struct {
		from    string
		n, step int
	}{
		{"2020-01-06", 20, 4}, {"2020-04-02", 25, 3}, {"2020-07-03", 22, 4}, {"2020-10-02", 22, 4}, // 89 in 2020
		{"2021-01-04", 30, 2}, {"2021-04-01", 45, 2}, {"2021-07-01", 50, 1}, {"2021-10-01", 40, 2}, // 165 in 2021
	} {
		ds = append(ds, spread(q.from, q.n, q.step)...)
	}
	admit(t, d.App, x, ds...)
	tg := newTarget(t, ctx, d.App, target.NewTarget{UnitID: td, Measure: target.MeasureAdmissions,
		Period: target.Year(2021), Values: count(160), Reason: "Nghị quyết Ban Chấp hành Đảng bộ huyện năm 2021"})

	p, err := target.ProgressForUnit(ctx, d.App, td, target.MeasureAdmissions, target.PeriodQuarter, fixture.Day("2021-03-31"))
	if err != nil {
		t.Fatal(err)
	}
	wantProgress(t, "Q1 2021", p, figures{Admitted: 30, LastYear: 20, PercentOfLastYear: 150.0, Source: target.SourceNone,
		DaysElapsed: 90, DaysTotal: 90, PercentElapsed: 100, Start: "2021-01-01", End: "2021-03-31", AsOf: "2021-03-31",
		LastYearFrom: "2020-01-01", LastYearTo: "2020-03-31"})

	p, err = target.TargetProgress(ctx, d.App, tg.ID, fixture.Day("2021-06-30"))
	if err != nil {
		t.Fatal(err)
	}
	wantProgress(t, "first half of 2021", p, figures{Admitted: 75, LastYear: 45, PercentOfLastYear: 166.7, Target: 160, PercentDone: 46.9,
		DaysElapsed: 181, DaysTotal: 365, PercentElapsed: 49.6, Expected: 79.3, Source: target.SourceExplicit,
		Start: "2021-01-01", End: "2021-12-31", AsOf: "2021-06-30", LastYearFrom: "2020-01-01", LastYearTo: "2020-06-30"})

	// Asked after the year, progress stops at its end: 165 against 89.
	p, err = target.ProgressForUnit(ctx, d.App, td, target.MeasureAdmissions, target.PeriodYear, fixture.Day("2021-12-31"))
	if err != nil {
		t.Fatal(err)
	}
	want := figures{Admitted: 165, LastYear: 89, PercentOfLastYear: 185.4, Target: 160, PercentDone: 103.1,
		DaysElapsed: 365, DaysTotal: 365, PercentElapsed: 100, Expected: 160.0, Source: target.SourceExplicit,
		Start: "2021-01-01", End: "2021-12-31", AsOf: "2021-12-31", LastYearFrom: "2020-01-01", LastYearTo: "2020-12-31"}
	wantProgress(t, "2021", p, want)
	p, err = target.TargetProgress(ctx, d.App, tg.ID, fixture.Day("2022-03-01"))
	if err != nil {
		t.Fatal(err)
	}
	wantProgress(t, "2021 asked in 2022", p, want)

	// Before the year starts, nothing has elapsed.
	p, err = target.TargetProgress(ctx, d.App, tg.ID, fixture.Day("2020-12-01"))
	if err != nil {
		t.Fatal(err)
	}
	if p.Admitted != 0 || p.DaysElapsed != 0 || p.PercentElapsed != 0 || *p.Expected != 0 || *p.PercentDone != 0 || p.SamePeriodLastYear != 0 {
		t.Errorf("before the year: %+v", p)
	}
}

// Bình Định asks for admissions each year above 4 % of all members: the denominator is the member total
// at the end of the previous year.
func TestBinhDinhRateTarget(t *testing.T) {
	t.Parallel()
	d, u, ctx := fixture.NewUnits(t, `
		BD       province              Đảng bộ tỉnh Bình Định
		BD.TP    grassroots_committee  Đảng bộ phường Trần Phú
		BD.TP.1  cell                  Chi bộ khu phố 1
		BD.TP.2  cell                  Chi bộ khu phố 2`)
	bd, tp, x, y := u["BD"], u["BD.TP"], u["BD.TP.1"], u["BD.TP.2"]
	// 250 members admitted in 2016–2019; in 2020 five are removed and three die: 242 on 31/12/2020.
	xs := admit(t, d.App, x, spread("2016-01-04", 150, 9)...)
	ys := admit(t, d.App, y, spread("2017-01-02", 100, 10)...)
	for _, id := range xs[:5] {
		if err := member.Record(ctx, d.App, member.Event{PersonID: id, Kind: member.KindRemoved, Effective: fixture.Day("2020-05-04"), Document: "NQ xóa tên"}); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range ys[:3] {
		if err := member.Record(ctx, d.App, member.Event{PersonID: id, Kind: member.KindDeceased, Effective: fixture.Day("2020-08-01")}); err != nil {
			t.Fatal(err)
		}
	}
	admit(t, d.App, x, spread("2021-01-10", 7, 20)...) // 7 by 30/06/2021
	admit(t, d.App, y, spread("2021-09-01", 3, 20)...)
	base, err := member.CountByStatus(ctx, d.App, bd, fixture.Day("2020-12-31"))
	if err != nil || member.Members(base) != 242 {
		t.Fatalf("members on 31/12/2020: %v %v", base, err)
	}

	tg := newTarget(t, ctx, d.App, target.NewTarget{UnitID: bd, Measure: target.MeasureAdmissions, Period: target.Year(2021),
		Values: target.Values{Kind: target.KindRate, Rate: fixture.Ptr(4.0), Note: "Chỉ thị 13-CT/TU: trên 4 % tổng số đảng viên"}})
	if tg.Values.RateBase != target.RateBaseMembersEndOfPreviousYear {
		t.Errorf("rate base %q", tg.Values.RateBase)
	}
	p, err := target.TargetProgress(ctx, d.App, tg.ID, fixture.Day("2021-06-30"))
	if err != nil {
		t.Fatal(err)
	}
	// ceil(4 % × 242) = ceil(9.68) = 10.
	wantProgress(t, "Bình Định", p, figures{Admitted: 7, Target: 10, PercentDone: 70.0, DaysElapsed: 181, DaysTotal: 365, PercentElapsed: 49.6,
		Expected: 5.0, Source: target.SourceExplicit, Start: "2021-01-01", End: "2021-12-31", AsOf: "2021-06-30",
		LastYearFrom: "2020-01-01", LastYearTo: "2020-06-30"})
	if p.Denominator == nil || *p.Denominator != 242 || p.DenominatorOn == nil || *p.DenominatorOn != fixture.Day("2020-12-31") ||
		p.Rate == nil || *p.Rate != 4.0 || p.RateBase != target.RateBaseMembersEndOfPreviousYear {
		t.Errorf("rate figures: denominator %v on %v, rate %v %q", deref(p.Denominator), deref(p.DenominatorOn), deref(p.Rate), p.RateBase)
	}

	// The ward's own 4.5 %: ceil(10.89) = 11, computed by the batched query of ChildrenProgress.
	newTarget(t, ctx, d.App, target.NewTarget{UnitID: tp, Measure: target.MeasureAdmissions, Period: target.Year(2021),
		Values: target.Values{Kind: target.KindRate, Rate: fixture.Ptr(4.5)}})
	pg, err := target.ChildrenProgress(ctx, d.App, bd, target.MeasureAdmissions, target.Year(2021), fixture.Day("2021-06-30"), target.SortPercentAsc, page.Args{First: 10})
	if err != nil || len(pg.Items) != 1 {
		t.Fatalf("children: %+v %v", pg, err)
	}
	if c := pg.Items[0].Progress; *c.Denominator != 242 || *c.TargetCount != 11 || c.Admitted != 7 || *c.PercentDone != 63.6 {
		t.Errorf("ward: denominator %v target %v admitted %d done %v", deref(c.Denominator), deref(c.TargetCount), c.Admitted, deref(c.PercentDone))
	}
	// A year with an exact base: 4 % of 250 members on 31/12/2019 is exactly 10.
	t20 := newTarget(t, ctx, d.App, target.NewTarget{UnitID: bd, Measure: target.MeasureAdmissions, Period: target.Year(2020),
		Values: target.Values{Kind: target.KindRate, Rate: fixture.Ptr(4.0), RateBase: target.RateBaseMembersEndOfPreviousYear}})
	if p, err := target.TargetProgress(ctx, d.App, t20.ID, fixture.Day("2020-12-31")); err != nil || *p.Denominator != 250 || *p.TargetCount != 10 {
		t.Errorf("2020: %v %v, %v", deref(p.Denominator), deref(p.TargetCount), err)
	}
}

// Tiên Phước had 28 of its 60 for 2021 after seven months.
func TestTienPhuocSevenMonths(t *testing.T) {
	t.Parallel()
	d, u, ctx := fixture.NewUnits(t, `
		QNA          province              Đảng bộ tỉnh Quảng Nam
		QNA.TP       district              Đảng bộ huyện Tiên Phước
		QNA.TP.TK    grassroots_committee  Đảng bộ thị trấn Tiên Kỳ
		QNA.TP.TK.1  cell                  Chi bộ khối phố 1`)
	tpd, x := u["QNA.TP"], u["QNA.TP.TK.1"]
	admit(t, d.App, x, append(append(spread("2021-01-05", 28, 7), spread("2021-08-02", 5, 10)...), spread("2020-01-06", 20, 10)...)...)
	tg := newTarget(t, ctx, d.App, target.NewTarget{UnitID: tpd, Measure: target.MeasureAdmissions, Period: target.Year(2021), Values: count(60)})
	p, err := target.TargetProgress(ctx, d.App, tg.ID, fixture.Day("2021-07-31"))
	if err != nil {
		t.Fatal(err)
	}
	wantProgress(t, "Tiên Phước on 31/07/2021", p, figures{Admitted: 28, LastYear: 20, PercentOfLastYear: 140.0, Target: 60, PercentDone: 46.7,
		DaysElapsed: 212, DaysTotal: 365, PercentElapsed: 58.1, Expected: 34.8, Source: target.SourceExplicit,
		Start: "2021-01-01", End: "2021-12-31", AsOf: "2021-07-31", LastYearFrom: "2020-01-01", LastYearTo: "2020-07-31"})
}

// Two communes with admissions in the first half of 2025 merge on 1 July 2025; the new commune's year
// and term progress includes theirs.
func TestMergedCommune(t *testing.T) {
	t.Parallel()
	d, u, ctx := fixture.NewUnits(t, `
		HY         province              Đảng bộ tỉnh Hưng Yên
		HY.KC      district              Đảng bộ huyện Kim Động
		HY.VL      district              Đảng bộ huyện Văn Lâm
		HY.KC.A    grassroots_committee  Đảng bộ xã Toàn Thắng
		HY.KC.B    grassroots_committee  Đảng bộ xã Chính Nghĩa
		HY.KC.A.1  cell                  Chi bộ thôn Tạ Thượng
		HY.KC.B.1  cell                  Chi bộ thôn Tiên Cầu`)
	p, dist, other, a, b, xa, xb := u["HY"], u["HY.KC"], u["HY.VL"], u["HY.KC.A"], u["HY.KC.B"], u["HY.KC.A.1"], u["HY.KC.B.1"]
	tA := newTarget(t, ctx, d.App, target.NewTarget{UnitID: a, Measure: target.MeasureAdmissions, Period: target.Year(2025), Values: count(10)})
	tB := newTarget(t, ctx, d.App, target.NewTarget{UnitID: b, Measure: target.MeasureAdmissions, Period: target.Year(2025), Values: count(8)})
	termA, err := target.CreateTerm(ctx, d.App, target.NewTerm{UnitID: a, Name: "Nhiệm kỳ 2025–2030", StartsOn: fixture.Day("2025-03-01"), EndsOn: fixture.Day("2030-02-28")})
	if err != nil {
		t.Fatal(err)
	}
	termB, err := target.CreateTerm(ctx, d.App, target.NewTerm{UnitID: b, Name: "Nhiệm kỳ 2025–2030", StartsOn: fixture.Day("2025-04-10"), EndsOn: fixture.Day("2030-04-09")})
	if err != nil {
		t.Fatal(err)
	}
	newTarget(t, ctx, d.App, target.NewTarget{UnitID: a, Measure: target.MeasureAdmissions, Period: target.Period{Kind: target.PeriodTerm, TermID: &termA.ID}, Values: count(50)})
	newTarget(t, ctx, d.App, target.NewTarget{UnitID: b, Measure: target.MeasureAdmissions, Period: target.Period{Kind: target.PeriodTerm, TermID: &termB.ID}, Values: count(40)})
	admit(t, d.App, xa, fixture.Day("2025-02-10"), fixture.Day("2025-03-15"), fixture.Day("2025-05-20"))
	admit(t, d.App, xb, fixture.Day("2025-01-20"), fixture.Day("2025-06-10"))

	s := reform(t, ctx, d.App, a, b, p, dist, "HY.TT", "Đảng bộ xã Toàn Thắng mới")
	admit(t, d.App, xa, fixture.Day("2025-08-05"))
	admit(t, d.App, xb, fixture.Day("2025-09-09"))

	// The year 2025: the successor has no target of its own: 10 + 8 = 18, and all 7 admissions count.
	pr, err := target.ProgressForUnit(ctx, d.App, s, target.MeasureAdmissions, target.PeriodYear, fixture.Day("2025-12-31"))
	if err != nil {
		t.Fatal(err)
	}
	wantProgress(t, "successor's 2025", pr, figures{Admitted: 7, Target: 18, PercentDone: 38.9, DaysElapsed: 365, DaysTotal: 365,
		PercentElapsed: 100, Expected: 18.0, Source: target.SourceMerged, Start: "2025-01-01", End: "2025-12-31", AsOf: "2025-12-31",
		LastYearFrom: "2024-01-01", LastYearTo: "2024-12-31"})
	if len(pr.Inherited) != 2 || pr.Inherited[0].ID != tA.ID || pr.Inherited[1].ID != tB.ID {
		t.Errorf("inherited %+v", pr.Inherited)
	}
	// A predecessor's own progress stops at the merger.
	if pa, err := target.TargetProgress(ctx, d.App, tA.ID, fixture.Day("2025-12-31")); err != nil || pa.Admitted != 3 {
		t.Errorf("predecessor A: %d, %v", pa.Admitted, err)
	}

	// The 2025–2030 term, before the successor records its own: the predecessors' term targets (50 + 40)
	// over the span of their terms; admissions from 01/03/2025: 15/03, 20/05, 10/06, 05/08, 09/09.
	pr, err = target.ProgressForUnit(ctx, d.App, s, target.MeasureAdmissions, target.PeriodTerm, fixture.Day("2025-12-31"))
	if err != nil {
		t.Fatal(err)
	}
	if pr.TargetSource != target.SourceMerged || *pr.TargetCount != 90 || pr.Admitted != 5 ||
		pr.Period.Start != fixture.Day("2025-03-01") || pr.Period.End != fixture.Day("2030-04-09") {
		t.Errorf("inherited term: %s %v admitted %d period %v", pr.TargetSource, deref(pr.TargetCount), pr.Admitted, pr.Period)
	}
	// The successor carries on its predecessors' term (it may start before its own first day) with a
	// target of its own.
	term, err := target.CreateTerm(ctx, d.App, target.NewTerm{UnitID: s, Name: "Nhiệm kỳ 2025–2030", StartsOn: fixture.Day("2025-03-01"), EndsOn: fixture.Day("2030-02-28")})
	if err != nil {
		t.Fatal(err)
	}
	tS := newTarget(t, ctx, d.App, target.NewTarget{UnitID: s, Measure: target.MeasureAdmissions, Period: target.Period{Kind: target.PeriodTerm, TermID: &term.ID}, Values: count(100)})
	pr, err = target.ProgressForUnit(ctx, d.App, s, target.MeasureAdmissions, target.PeriodTerm, fixture.Day("2025-12-31"))
	if err != nil {
		t.Fatal(err)
	}
	if pr.TargetSource != target.SourceExplicit || pr.Target.ID != tS.ID || *pr.TargetCount != 100 || pr.Admitted != 5 || *pr.PercentDone != 5.0 {
		t.Errorf("own term: %s %v admitted %d", pr.TargetSource, deref(pr.TargetCount), pr.Admitted)
	}

	// The province's board sees the new commune at 38.9 % and the other district, without a target, last.
	pg, err := target.ChildrenProgress(ctx, d.App, p, target.MeasureAdmissions, target.Year(2025), fixture.Day("2025-12-31"), target.SortPercentDesc, page.Args{First: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(pg.Items) != 2 || pg.Items[0].Unit.ID != s || pg.Items[1].Unit.ID != other || pg.Items[1].Progress.TargetCount != nil ||
		pg.Items[0].Progress.Admitted != 7 || *pg.Items[0].Progress.TargetCount != 18 {
		t.Errorf("children of the province: %+v", pg.Items)
	}
	// The inherited targets come back whole (progress reads only the columns it needs, then the rows shown).
	if inh := pg.Items[0].Progress.Inherited; len(inh) == 0 || inh[0].CreatedBy == "" || inh[0].CreatedAt.IsZero() {
		t.Errorf("inherited targets not hydrated: %+v", inh)
	}
	// On a pool of one connection the admissions cannot be counted on a second one: the same answer, no
	// deadlock.
	one, err := pdb.Open(context.Background(), d.AppURL(), pdb.Options{AppRole: true, MaxOpenConns: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer one.Close()
	pg1, err := target.ChildrenProgress(ctx, one, p, target.MeasureAdmissions, target.Year(2025), fixture.Day("2025-12-31"), target.SortPercentDesc, page.Args{First: 10})
	if err != nil || len(pg1.Items) != 2 || pg1.Items[0].Progress.Admitted != 7 || *pg1.Items[0].Progress.TargetCount != 18 ||
		pg1.Items[1].Progress.Admitted != pg.Items[1].Progress.Admitted {
		t.Errorf("on one connection: %+v, %v", pg1.Items, err)
	}
	// The successor's board sees its predecessors' targets.
	board := fixture.Actor(t, d.App, "board", "HY.TT")
	if _, err := target.GetTarget(board, d.App, tA.ID); err != nil {
		t.Errorf("successor's board reading a predecessor's target: %v", err)
	}
	if pr, err := target.ProgressForUnit(board, d.App, s, target.MeasureAdmissions, target.PeriodYear, fixture.Day("2025-12-31")); err != nil || pr.Admitted != 7 || *pr.TargetCount != 18 {
		t.Errorf("successor's board: %+v, %v", pr, err)
	}
	checkCache(t, d)
}

// A split: explicit targets are required, admissions follow the cells.
func TestSplitCommune(t *testing.T) {
	t.Parallel()
	d, units, ctx := fixture.NewUnits(t, `
		LC       province              Đảng bộ tỉnh Lào Cai
		LC.SP    grassroots_committee  Đảng bộ phường Sa Pa
		LC.SP.1  cell                  Chi bộ tổ 1
		LC.SP.2  cell                  Chi bộ tổ 2`)
	u, x, y := units["LC.SP"], units["LC.SP.1"], units["LC.SP.2"]
	tU := newTarget(t, ctx, d.App, target.NewTarget{UnitID: u, Measure: target.MeasureAdmissions, Period: target.Year(2025), Values: count(20)})
	admit(t, d.App, x, fixture.Day("2025-02-01"), fixture.Day("2025-03-01"))
	admit(t, d.App, y, fixture.Day("2025-04-01"))
	res, err := org.Split(ctx, d.App, u, []org.SplitPart{
		{Unit: org.NewUnit{Code: "LC.SP1", Name: "Đảng bộ phường Sa Pa", Kind: "grassroots_committee", Sector: "territorial"}, Children: []int64{x}},
		{Unit: org.NewUnit{Code: "LC.SP2", Name: "Đảng bộ xã Tả Van", Kind: "grassroots_committee", Sector: "territorial"}, Children: []int64{y}},
	}, org.Doc{Effective: fixture.Day("2025-07-01"), Document: "Nghị quyết chia tách"})
	if err != nil {
		t.Fatal(err)
	}
	s1, s2 := res.Units[1], res.Units[2]
	admit(t, d.App, x, fixture.Day("2025-08-01"))

	for _, c := range []struct {
		unit     int64
		admitted int
	}{{s1, 3}, {s2, 1}} {
		pr, err := target.ProgressForUnit(ctx, d.App, c.unit, target.MeasureAdmissions, target.PeriodYear, fixture.Day("2025-12-31"))
		if err != nil || pr.TargetSource != target.SourceSplit || pr.TargetCount != nil || pr.Admitted != c.admitted {
			t.Errorf("split successor %d: %s %v admitted %d, %v", c.unit, pr.TargetSource, deref(pr.TargetCount), pr.Admitted, err)
		}
	}
	if pr, err := target.TargetProgress(ctx, d.App, tU.ID, fixture.Day("2025-12-31")); err != nil || pr.Admitted != 3 {
		t.Errorf("split unit: %d, %v", pr.Admitted, err)
	}
	// Its own target for 2025, though it was created in July.
	newTarget(t, ctx, d.App, target.NewTarget{UnitID: s1, Measure: target.MeasureAdmissions, Period: target.Year(2025), Values: count(12)})
	pr, err := target.ProgressForUnit(ctx, d.App, s1, target.MeasureAdmissions, target.PeriodYear, fixture.Day("2025-12-31"))
	if err != nil || pr.TargetSource != target.SourceExplicit || *pr.TargetCount != 12 || *pr.PercentDone != 25.0 {
		t.Errorf("split successor with its target: %+v, %v", pr, err)
	}
	// The next year starts clean: 2026 has no admission from before the split.
	if pr, err := target.ProgressForUnit(ctx, d.App, s1, target.MeasureAdmissions, target.PeriodYear, fixture.Day("2026-03-01")); err != nil ||
		pr.TargetSource != target.SourceNone || pr.Admitted != 0 || pr.SamePeriodLastYear != 2 {
		t.Errorf("2026: %+v, %v", pr, err)
	}
	checkCache(t, d)
}

type rowCounts struct{ Targets, Revisions, Terms, Audit int }

func rows(t *testing.T, db bun.IDB) rowCounts {
	t.Helper()
	var c rowCounts
	err := db.NewRaw(`SELECT (SELECT count(*) FROM target) AS targets, (SELECT count(*) FROM target_revision) AS revisions,
		(SELECT count(*) FROM term) AS terms, (SELECT count(*) FROM audit_log) AS audit`).Scan(context.Background(), &c.Targets, &c.Revisions, &c.Terms, &c.Audit)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Bad input is INVALID_INPUT naming the field (CONFLICT for duplicates), and writes nothing.
func TestBadInput(t *testing.T) {
	t.Parallel()
	d, u, ctx := fixture.NewUnits(t, `
		NA      province              Đảng bộ tỉnh Nghệ An
		NA.X    grassroots_committee  Đảng bộ xã Xuân Lâm
		NA.Y    grassroots_committee  Đảng bộ xã Yên Hồ
		NA.X.1  cell                  Chi bộ xóm 1`)
	c, other, cell := u["NA.X"], u["NA.Y"], u["NA.X.1"]
	term, err := target.CreateTerm(ctx, d.App, target.NewTerm{UnitID: c, Name: "Nhiệm kỳ 2020–2025", StartsOn: fixture.Day("2020-08-10"), EndsOn: fixture.Day("2025-08-09")})
	if err != nil {
		t.Fatal(err)
	}
	tg := newTarget(t, ctx, d.App, target.NewTarget{UnitID: c, Measure: target.MeasureAdmissions, Period: target.Year(2021), Values: count(20)})
	before := rows(t, d.Owner)

	adm := func(p target.Period, v target.Values) target.NewTarget {
		return target.NewTarget{UnitID: c, Measure: target.MeasureAdmissions, Period: p, Values: v}
	}
	for _, x := range []struct {
		name  string
		in    target.NewTarget
		code  apperr.Code
		field string
	}{
		{"period before the unit existed", adm(target.Year(2014), count(5)), apperr.InvalidInput, "periodStart"},
		{"negative count", adm(target.Year(2022), count(-1)), apperr.InvalidInput, "count"},
		{"rate over 100 %", adm(target.Year(2022), target.Values{Kind: target.KindRate, Rate: fixture.Ptr(100.5)}), apperr.InvalidInput, "rate"},
		{"rate below 0", adm(target.Year(2022), target.Values{Kind: target.KindRate, Rate: fixture.Ptr(-0.5)}), apperr.InvalidInput, "rate"},
		{"rate with four decimals", adm(target.Year(2022), target.Values{Kind: target.KindRate, Rate: fixture.Ptr(4.0001)}), apperr.InvalidInput, "rate"},
		{"rate without a rate", adm(target.Year(2022), target.Values{Kind: target.KindRate}), apperr.InvalidInput, "rate"},
		{"count and rate", adm(target.Year(2022), target.Values{Kind: target.KindCount, Count: fixture.Ptr(3), Rate: fixture.Ptr(4.0)}), apperr.InvalidInput, "rate"},
		{"unknown kind", adm(target.Year(2022), target.Values{Kind: "share", Count: fixture.Ptr(3)}), apperr.InvalidInput, "kind"},
		{"foreign rate base", adm(target.Year(2022), target.Values{Kind: target.KindRate, Rate: fixture.Ptr(4.0), RateBase: "villages"}), apperr.InvalidInput, "rateBase"},
		{"period end before start", adm(target.Period{Kind: target.PeriodQuarter, Start: fixture.Day("2021-04-01"), End: fixture.Day("2021-03-31")}, count(3)), apperr.InvalidInput, "periodEnd"},
		{"quarter not aligned", adm(target.Period{Kind: target.PeriodQuarter, Start: fixture.Day("2021-02-01")}, count(3)), apperr.InvalidInput, "periodStart"},
		{"quarter too long", adm(target.Period{Kind: target.PeriodQuarter, Start: fixture.Day("2021-04-01"), End: fixture.Day("2021-07-31")}, count(3)), apperr.InvalidInput, "periodStart"},
		{"year not aligned", adm(target.Period{Kind: target.PeriodYear, Start: fixture.Day("2021-07-01")}, count(3)), apperr.InvalidInput, "periodStart"},
		{"unknown period kind", adm(target.Period{Kind: "month", Start: fixture.Day("2021-07-01")}, count(3)), apperr.InvalidInput, "periodKind"},
		{"term without a term", adm(target.Period{Kind: target.PeriodTerm}, count(3)), apperr.InvalidInput, "termId"},
		{"term with other dates", adm(target.Period{Kind: target.PeriodTerm, TermID: &term.ID, Start: fixture.Day("2020-01-01")}, count(3)), apperr.InvalidInput, "periodStart"},
		{"another unit's term", target.NewTarget{UnitID: other, Measure: target.MeasureAdmissions, Period: target.Period{Kind: target.PeriodTerm, TermID: &term.ID}, Values: count(3)}, apperr.InvalidInput, "termId"},
		{"unknown measure", target.NewTarget{UnitID: c, Measure: "weddings", Period: target.Year(2022), Values: count(3)}, apperr.InvalidInput, "measure"},
		{"a count of a composition measure", target.NewTarget{UnitID: c, Measure: "villages_with_cell_pct", Period: target.Year(2022), Values: count(3)}, apperr.InvalidInput, "kind"},
		{"no unit", target.NewTarget{Measure: target.MeasureAdmissions, Period: target.Year(2022), Values: count(3)}, apperr.InvalidInput, "unitId"},
		{"duplicate", adm(target.Year(2021), count(25)), apperr.Conflict, "period"},
	} {
		_, err := target.CreateTarget(ctx, d.App, x.in)
		wantCode(t, x.name, err, x.code, x.field)
	}
	for _, x := range []struct {
		name  string
		in    target.NewTerm
		code  apperr.Code
		field string
	}{
		{"term ends before it starts", target.NewTerm{UnitID: c, Name: "Nhiệm kỳ 2025–2030", StartsOn: fixture.Day("2030-08-10"), EndsOn: fixture.Day("2025-08-10")}, apperr.InvalidInput, "endsOn"},
		{"term before the unit", target.NewTerm{UnitID: c, Name: "Nhiệm kỳ 2010–2015", StartsOn: fixture.Day("2010-08-10"), EndsOn: fixture.Day("2015-08-09")}, apperr.InvalidInput, "startsOn"},
		{"overlapping term", target.NewTerm{UnitID: c, Name: "Nhiệm kỳ 2025–2030", StartsOn: fixture.Day("2025-08-01"), EndsOn: fixture.Day("2030-07-31")}, apperr.Conflict, "startsOn"},
		{"term without a name", target.NewTerm{UnitID: c, Name: "  ", StartsOn: fixture.Day("2025-08-10"), EndsOn: fixture.Day("2030-08-09")}, apperr.InvalidInput, "name"},
	} {
		_, err := target.CreateTerm(ctx, d.App, x.in)
		wantCode(t, x.name, err, x.code, x.field)
	}
	_, err = target.ReviseTarget(ctx, d.App, tg.ID, 1, count(-3), "sai")
	wantCode(t, "revise to a negative count", err, apperr.InvalidInput, "count")
	_, err = target.ReviseTarget(ctx, d.App, tg.ID, 1, count(30), "")
	wantCode(t, "revise without a reason", err, apperr.InvalidInput, "reason")
	_, err = target.ReviseTarget(ctx, d.App, tg.ID, 1, count(20), "không đổi")
	wantCode(t, "revise to the same values", err, apperr.InvalidInput, "values")
	_, err = target.HandDown(ctx, d.App, tg.ID, []target.Share{{UnitID: cell, Count: -1}})
	wantCode(t, "hand down a negative share", err, apperr.InvalidInput, "shares[0].count")
	_, err = target.HandDown(ctx, d.App, tg.ID, []target.Share{{UnitID: cell, Count: 5}, {UnitID: other, Count: 5}})
	wantCode(t, "hand down outside the subtree", err, apperr.InvalidInput, "shares[1].unitId")
	_, err = target.HandDown(ctx, d.App, tg.ID, []target.Share{{UnitID: cell, Count: 5}, {UnitID: cell, Count: 5}})
	wantCode(t, "hand down twice to a unit", err, apperr.InvalidInput, "shares[1].unitId")
	_, err = target.ProgressForUnit(ctx, d.App, c, "villages_with_cell_pct", target.PeriodYear, fixture.Day("2021-06-30"))
	wantCode(t, "progress of a composition measure", err, apperr.InvalidInput, "measure")
	_, err = target.ProgressForUnit(ctx, d.App, other, target.MeasureAdmissions, target.PeriodTerm, fixture.Day("2021-06-30"))
	wantCode(t, "term progress without a term", err, apperr.NotFound, "date")
	if after := rows(t, d.Owner); after != before {
		t.Errorf("refused writes changed rows: %+v → %+v", before, after)
	}

	// A revision with a stale number is a CONFLICT; history keeps every version.
	if _, err := target.ReviseTarget(ctx, d.App, tg.ID, 1, count(24), "Nghị quyết điều chỉnh"); err != nil {
		t.Fatal(err)
	}
	_, err = target.ReviseTarget(ctx, d.App, tg.ID, 1, count(26), "lần hai")
	wantCode(t, "stale revision", err, apperr.Conflict, "")
	revs, err := target.Revisions(ctx, d.App, tg.ID)
	if err != nil || len(revs) != 2 || *revs[0].Count != 20 || *revs[1].Count != 24 || revs[1].Reason != "Nghị quyết điều chỉnh" || revs[1].RecordedBy != "test" {
		t.Errorf("revisions %+v, %v", revs, err)
	}
	var audited int
	if err := d.Owner.NewRaw(`SELECT count(*) FROM audit_log WHERE entity = 'target' AND entity_id = ?`, fmt.Sprint(tg.ID)).Scan(context.Background(), &audited); err != nil || audited != 2 {
		t.Errorf("audit rows for the target: %d, %v", audited, err)
	}
	// ptdv_app may not rewrite history.
	if _, err := d.App.ExecContext(context.Background(), `UPDATE target_revision SET count_value = 1`); err == nil {
		t.Error("the application role could update target_revision")
	}
}

// Handing down: shares that do not add up are a warning, not a refusal; a second hand-down revises the
// shares; a unit with its own target is a conflict.
func TestHandDown(t *testing.T) {
	t.Parallel()
	d, tr, ctx := fixture.NewTree(t)
	td, c1, c2, x := tr.D, tr.C1, tr.C2, tr.X
	c3 := fixture.Unit(t, ctx, d.App, "VP.TD.KT", "Đảng bộ thị trấn Hợp Hòa", "grassroots_committee", &td, "2015-01-01")
	tg := newTarget(t, ctx, d.App, target.NewTarget{UnitID: td, Measure: target.MeasureAdmissions, Period: target.Year(2021), Values: count(160)})
	newTarget(t, ctx, d.App, target.NewTarget{UnitID: c3, Measure: target.MeasureAdmissions, Period: target.Year(2021), Values: count(9)})

	board := fixture.Actor(t, d.App, "board", "VP.TD")
	al, err := target.HandDown(board, d.App, tg.ID, []target.Share{{UnitID: c1, Count: 60}, {UnitID: c2, Count: 50}, {UnitID: x, Count: 20}})
	if err != nil {
		t.Fatal(err)
	}
	if al.SumOfChildren != 130 || al.Difference != -30 || al.Balanced || al.Warning == "" {
		t.Errorf("under-allocated: %+v", al)
	}
	al, err = target.HandDown(board, d.App, tg.ID, []target.Share{{UnitID: c2, Count: 80}, {UnitID: x, Count: 20}})
	if err != nil {
		t.Fatal(err)
	}
	if al.SumOfChildren != 160 || al.Difference != 0 || !al.Balanced || al.Warning != "" || len(al.Children) != 3 {
		t.Errorf("balanced: %+v", al)
	}
	var c2Target target.Target
	for _, c := range al.Children {
		if c.UnitID == c2 {
			c2Target = c
		}
	}
	if revs, err := target.Revisions(board, d.App, c2Target.ID); err != nil || len(revs) != 2 || *revs[1].Count != 80 {
		t.Errorf("revisions of a re-handed share: %+v, %v", revs, err)
	}
	al, err = target.HandDown(board, d.App, tg.ID, []target.Share{{UnitID: c2, Count: 100}})
	if err != nil || al.Difference != 20 || !strings.Contains(al.Warning, "vượt") {
		t.Errorf("over-allocated: %+v, %v", al, err)
	}
	_, err = target.HandDown(board, d.App, tg.ID, []target.Share{{UnitID: c3, Count: 10}})
	wantCode(t, "a unit with its own target", err, apperr.Conflict, "shares[0].unitId")
	_, err = target.HandDown(fixture.Actor(t, d.App, "secretary", "VP.TD"), d.App, tg.ID, []target.Share{{UnitID: c3, Count: 10}})
	wantCode(t, "a secretary hands down", err, apperr.Forbidden, "")
	// A rate target is not handed down in shares.
	rt := newTarget(t, ctx, d.App, target.NewTarget{UnitID: td, Measure: target.MeasureAdmissions, Period: target.Year(2022),
		Values: target.Values{Kind: target.KindRate, Rate: fixture.Ptr(3.5)}})
	_, err = target.HandDown(board, d.App, rt.ID, []target.Share{{UnitID: c1, Count: 10}})
	wantCode(t, "hand down a rate", err, apperr.InvalidInput, "parentTargetId")
}

// Scope: a commune's board sees its own targets, not its sibling's nor its district's; it sets none.
func TestScope(t *testing.T) {
	t.Parallel()
	d, tr, ctx := fixture.NewTree(t)
	td, c1, c2 := tr.D, tr.C1, tr.C2
	tTD := newTarget(t, ctx, d.App, target.NewTarget{UnitID: td, Measure: target.MeasureAdmissions, Period: target.Year(2021), Values: count(160)})
	al, err := target.HandDown(ctx, d.App, tTD.ID, []target.Share{{UnitID: c1, Count: 60}, {UnitID: c2, Count: 50}})
	if err != nil {
		t.Fatal(err)
	}
	t1, t2 := al.Children[0], al.Children[1]
	if t1.UnitID != c1 {
		t1, t2 = t2, t1
	}
	board := fixture.Actor(t, d.App, "board", "VP.TD.HH")
	if _, err := target.GetTarget(board, d.App, t1.ID); err != nil {
		t.Errorf("own target: %v", err)
	}
	// Reads of targets are the application's to scope (no personal data, no read policies): skipped when
	// the two-key test switches the application's filter off. Writes are refused by both keys.
	if !auth.AppFilterOff() {
		_, err = target.GetTarget(board, d.App, t2.ID)
		wantCode(t, "sibling's target", err, apperr.NotFound, "")
		_, err = target.GetTarget(board, d.App, tTD.ID)
		wantCode(t, "district's target", err, apperr.NotFound, "")
		_, err = target.TargetProgress(board, d.App, t2.ID, fixture.Day("2021-06-30"))
		wantCode(t, "sibling's progress", err, apperr.NotFound, "")
		_, err = target.ProgressForUnit(board, d.App, c2, target.MeasureAdmissions, target.PeriodYear, fixture.Day("2021-06-30"))
		wantCode(t, "sibling's unit progress", err, apperr.NotFound, "")
		_, err = target.ChildrenProgress(board, d.App, c2, target.MeasureAdmissions, target.Year(2021), fixture.Day("2021-06-30"), target.SortPercentAsc, page.Args{First: 10})
		wantCode(t, "sibling's children", err, apperr.NotFound, "")
		_, err = target.GetAllocation(board, d.App, tTD.ID)
		wantCode(t, "district's allocation", err, apperr.NotFound, "")
		_, err = target.Revisions(board, d.App, t2.ID)
		wantCode(t, "sibling's revisions", err, apperr.NotFound, "")
		if m, err := target.GetTargets(board, d.App, []int64{t1.ID, t2.ID, tTD.ID}); err != nil || len(m) != 1 {
			t.Errorf("GetTargets: %v, %v", m, err)
		}
	}
	_, err = target.CreateTarget(board, d.App, target.NewTarget{UnitID: c2, Measure: target.MeasureAdmissions, Period: target.Year(2022), Values: count(5)})
	wantCode(t, "sibling's new target", err, apperr.NotFound, "")
	_, err = target.CreateTarget(fixture.Actor(t, d.App, "secretary", "VP.TD.HH"), d.App,
		target.NewTarget{UnitID: c1, Measure: target.MeasureAdmissions, Period: target.Year(2022), Values: count(5)})
	wantCode(t, "a secretary sets a target", err, apperr.Forbidden, "")
	if pg, err := target.UnitTargets(board, d.App, c1, target.Filter{Measure: target.MeasureAdmissions}, page.Args{First: 10}); err != nil || len(pg.Items) != 1 {
		t.Errorf("own targets: %+v, %v", pg, err)
	}
	// The district's board sees both communes.
	dboard := fixture.Actor(t, d.App, "board", "VP.TD")
	pg, err := target.ChildrenProgress(dboard, d.App, td, target.MeasureAdmissions, target.Year(2021), fixture.Day("2021-06-30"), target.SortPercentAsc, page.Args{First: 10})
	if err != nil || len(pg.Items) != 2 {
		t.Errorf("district's children: %+v, %v", pg, err)
	}
}

// checkCache compares the trigger-maintained admissions cache with a rebuild from scratch.
func checkCache(t *testing.T, d *pgtest.DB) {
	t.Helper()
	ctx := context.Background()
	var before, after []string
	q := `SELECT ancestor_id || ' ' || decided || ' ' || event_id FROM admission_ancestor ORDER BY 1`
	if err := d.Owner.NewRaw(q).Scan(ctx, &before); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Owner.ExecContext(ctx, `SELECT target_rebuild_admissions()`); err != nil {
		t.Fatal(err)
	}
	if err := d.Owner.NewRaw(q).Scan(ctx, &after); err != nil {
		t.Fatal(err)
	}
	if strings.Join(before, "\n") != strings.Join(after, "\n") || len(before) == 0 {
		t.Errorf("the admissions cache differs from a rebuild:\n%v\n%v", before, after)
	}
	// The application may read the cache, not write it nor rebuild it.
	if _, err := d.App.ExecContext(ctx, `DELETE FROM admission_ancestor`); err == nil {
		t.Error("ptdv_app could delete from admission_ancestor")
	}
	if _, err := d.App.ExecContext(ctx, `SELECT target_rebuild_admissions()`); err == nil {
		t.Error("ptdv_app could rebuild the cache")
	}
}

// A cell moved to another commune after its admissions were recorded, with an effective date between
// them: each admission counts where the cell stood on its decision date.
func TestTreeChangeAfterAdmissions(t *testing.T) {
	t.Parallel()
	d, u, ctx := fixture.NewUnits(t, `
		TN         province              Đảng bộ tỉnh Thái Nguyên
		TN.DH      district              Đảng bộ huyện Đại Từ
		TN.DH.A    grassroots_committee  Đảng bộ xã An Khánh
		TN.DH.B    grassroots_committee  Đảng bộ xã Bình Thuận
		TN.DH.A.1  cell                  Chi bộ xóm Đồng`)
	p, dist, c1, c2, x := u["TN"], u["TN.DH"], u["TN.DH.A"], u["TN.DH.B"], u["TN.DH.A.1"]
	admit(t, d.App, x, fixture.Day("2021-03-01"), fixture.Day("2021-09-01"))
	if _, err := org.Move(ctx, d.App, x, c2, org.Doc{Effective: fixture.Day("2021-06-01"), Document: "QĐ điều chỉnh"}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		unit int64
		want int
	}{{c1, 1}, {c2, 1}, {dist, 2}, {p, 2}} {
		pr, err := target.ProgressForUnit(ctx, d.App, c.unit, target.MeasureAdmissions, target.PeriodYear, fixture.Day("2021-12-31"))
		if err != nil || pr.Admitted != c.want {
			t.Errorf("unit %d: admitted %d, want %d (%v)", c.unit, pr.Admitted, c.want, err)
		}
	}
	// The commune's board sees the first admission in its history, the second commune's the second.
	pr, err := target.ProgressForUnit(fixture.Actor(t, d.App, "board", "TN.DH.A"), d.App, c1, target.MeasureAdmissions, target.PeriodYear, fixture.Day("2021-12-31"))
	if err != nil || pr.Admitted != 1 {
		t.Errorf("first commune's board: %d, %v", pr.Admitted, err)
	}
	checkCache(t, d)
}

// Scope applies to the admissions counted, not only to the unit asked about: a commune that moved into a
// district counts, for that district's board, only the cells that district can see. A cell that left the
// commune before the move never was in the district.
func TestScopeOfCountedUnits(t *testing.T) {
	t.Parallel()
	d, u, ctx := fixture.NewUnits(t, `
		BN          province              Đảng bộ tỉnh Bắc Ninh
		BN.TS       district              Đảng bộ huyện Tiên Du
		BN.TX       district              Đảng bộ thị xã Từ Sơn
		BN.TS.DH    grassroots_committee  Đảng bộ xã Đình Bảng
		BN.TS.LB    grassroots_committee  Đảng bộ xã Lạc Vệ
		BN.TS.DH.1  cell                  Chi bộ khu phố Đình
		BN.TS.DH.2  cell                  Chi bộ khu phố Trang Liệt`)
	d1, d2, c, e, x, y := u["BN.TS"], u["BN.TX"], u["BN.TS.DH"], u["BN.TS.LB"], u["BN.TS.DH.1"], u["BN.TS.DH.2"]
	admit(t, d.App, x, fixture.Day("2021-02-01"))
	admit(t, d.App, y, fixture.Day("2021-03-01"))
	if _, err := org.Move(ctx, d.App, y, e, org.Doc{Effective: fixture.Day("2021-05-01")}); err != nil {
		t.Fatal(err)
	}
	if _, err := org.Move(ctx, d.App, c, d2, org.Doc{Effective: fixture.Day("2021-07-01")}); err != nil {
		t.Fatal(err)
	}
	if pr, err := target.ProgressForUnit(ctx, d.App, c, target.MeasureAdmissions, target.PeriodYear, fixture.Day("2021-12-31")); err != nil || pr.Admitted != 2 {
		t.Errorf("national scope: %d, %v", pr.Admitted, err)
	}
	// A count is a figure of the tree of its day, the same for every actor who may see the unit today:
	// the new district's board sees Đình Bảng's 2021 with both admissions (Trang Liệt was its cell in
	// March), and the old district keeps its 2021 figures although Đình Bảng has left it; it no longer
	// sees Đình Bảng itself.
	board := fixture.Actor(t, d.App, "board", "BN.TX")
	if pr, err := target.ProgressForUnit(board, d.App, c, target.MeasureAdmissions, target.PeriodYear, fixture.Day("2021-12-31")); err != nil || pr.Admitted != 2 {
		t.Errorf("the new district's board: %d, %v", pr.Admitted, err)
	}
	pg, err := target.ChildrenProgress(board, d.App, d2, target.MeasureAdmissions, target.Year(2021), fixture.Day("2021-12-31"), target.SortPercentAsc, page.Args{First: 10})
	if err != nil || len(pg.Items) != 1 || pg.Items[0].Progress.Admitted != 2 {
		t.Errorf("the new district's children: %+v, %v", pg, err)
	}
	old := fixture.Actor(t, d.App, "board", "BN.TS")
	if pr, err := target.ProgressForUnit(old, d.App, d1, target.MeasureAdmissions, target.PeriodYear, fixture.Day("2021-12-31")); err != nil || pr.Admitted != 2 {
		t.Errorf("the old district's own 2021: %d, %v", pr.Admitted, err)
	}
	// (A count's unit is read through the tree, whose scope is the application's alone.)
	if _, err := target.ProgressForUnit(old, d.App, c, target.MeasureAdmissions, target.PeriodYear, fixture.Day("2021-12-31")); !auth.AppFilterOff() && apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("the old district reads the commune that left it: %v", err)
	}
	checkCache(t, d)
}

// The children's admissions counted in two halves on two connections give what one count gives, in the
// same order. Not parallel: it changes the split threshold.
func TestChildrenProgressInHalves(t *testing.T) {
	d := pgtest.New(t)
	ctx := fixture.System()
	p := fixture.Unit(t, ctx, d.App, "HY", "Đảng bộ tỉnh Hưng Yên", "province", nil, "2015-01-01")
	for i := range 5 {
		c := fixture.Unit(t, ctx, d.App, fmt.Sprintf("HY.X%d", i), fmt.Sprintf("Đảng bộ xã số %d", i), "grassroots_committee", &p, "2015-01-01")
		cell := fixture.Unit(t, ctx, d.App, fmt.Sprintf("HY.X%d.1", i), fmt.Sprintf("Chi bộ thôn số %d", i), "cell", &c, "2015-01-01")
		admit(t, d.App, cell, spread("2025-01-10", 1+2*i, 20)...)
		newTarget(t, ctx, d.App, target.NewTarget{UnitID: c, Measure: target.MeasureAdmissions, Period: target.Year(2025), Values: count(10)})
	}
	get := func() []string {
		pg, err := target.ChildrenProgress(ctx, d.App, p, target.MeasureAdmissions, target.Year(2025), fixture.Day("2025-12-31"), target.SortPercentAsc, page.Args{First: 10})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, it := range pg.Items {
			out = append(out, fmt.Sprintf("%s:%d/%d", it.Unit.Code, it.Progress.Admitted, deref(it.Progress.TargetCount)))
		}
		return out
	}
	one := get()
	defer target.SetSplitAbove(2)()
	halves := get()
	if want := "HY.X0:1/10 HY.X1:3/10 HY.X2:5/10 HY.X3:7/10 HY.X4:9/10"; strings.Join(one, " ") != want || strings.Join(halves, " ") != want {
		t.Errorf("one count %v, in halves %v; want %s", one, halves, want)
	}
}
