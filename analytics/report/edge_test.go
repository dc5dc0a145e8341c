package report

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"ptdv/analytics/forecast"
)

func ip(v int) *int         { return &v }
func fp(v float64) *float64 { return &v }

// TestEdgeUnits renders units with no history, no target, a target already met, a zero target, a
// period not yet started and no published run at all: every page has numbers or dashes, never NaN,
// Inf or a negative width.
func TestEdgeUnits(t *testing.T) {
	asOf := time.Date(2026, 6, 10, 0, 0, 0, 0, time.UTC)
	y0, y1 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC)
	root := &Unit{ID: 1, Code: "P1", Name: "Đảng bộ tỉnh Thử"}
	kids := []*Unit{
		{ID: 2, Code: "C2", Name: "Xã không có lịch sử", Parent: 1},
		{ID: 3, Code: "C3", Name: "Xã chưa có chỉ tiêu", Parent: 1},
		{ID: 4, Code: "C4", Name: "Xã đã đạt chỉ tiêu", Parent: 1},
		{ID: 5, Code: "C5", Name: "Xã chỉ tiêu 0", Parent: 1},
		{ID: 6, Code: "C6", Name: "Xã kỳ chưa bắt đầu", Parent: 1},
	}
	root.Children = kids
	units := map[int64]*Unit{1: root}
	for _, k := range kids {
		units[k.ID] = k
	}
	f := func(unit int64, target *int, admitted int, exp float64, p, sf *float64, start, end time.Time) forecast.Published {
		return forecast.Published{UnitID: unit, AsOf: asOf, PeriodKind: "year", PeriodStart: start, PeriodEnd: end, Admitted: admitted,
			Expected: exp, Lo80: admitted, Hi80: int(exp), Lo95: admitted, Hi95: int(exp) + 1, Target: target, PMeet: p, Shortfall: sf, Explanation: "Câu giải thích."}
	}
	d := &Data{AsOf: asOf, Generated: asOf, Year: "2026", Root: root, Units: units,
		Forecasts: map[int64][]forecast.Published{
			2: {f(2, ip(3), 0, 0, fp(0), fp(3), y0, y1)},                                       // no history: nothing admitted, nothing expected
			3: {f(3, nil, 4, 6, nil, nil, y0, y1)},                                             // no number to meet
			4: {f(4, ip(5), 9, 11, fp(1), fp(0), y0, y1)},                                      // met already
			5: {f(5, ip(0), 0, 0, fp(1), fp(0), y0, y1)},                                       // a zero target
			6: {f(6, ip(2), 0, 1, fp(0.2), fp(1), y1.AddDate(0, 0, -10), y1.AddDate(1, 0, 0))}, // starts later
		},
		Admissions: map[int64]map[string]float64{},
		Tables:     map[int64][]Table{1: {{Title: "Kết nạp đảng viên", Lines: []Line{{Label: "Tổng số"}, {Label: "Nữ", HasLast: true}}}}},
		Overdue:    map[int64]*Overdue{},
	}
	for _, u := range append([]*Unit{root}, kids...) {
		var b bytes.Buffer
		if err := renderPage(&b, buildPage(d, u, u == root)); err != nil {
			t.Fatal(err)
		}
		s := b.String()
		for _, bad := range []string{"NaN", "Inf", `width="-`, `="-`} {
			if strings.Contains(s, bad) {
				i := strings.Index(s, bad)
				t.Errorf("%s: %q in %s", u.Code, bad, s[max(0, i-80):min(len(s), i+40)])
			}
		}
		if u == root {
			if !strings.Contains(s, "Đơn vị chưa có chỉ tiêu kết nạp đang mở") {
				t.Error("the root without a forecast has no sentence saying so")
			}
			if !strings.Contains(s, "Chưa có kết quả kiểm định ngược") {
				t.Error("no sentence for the missing backtest")
			}
			// The unit without a target is listed last.
			if i, j := strings.Index(s, "Xã chưa có chỉ tiêu"), strings.Index(s, "Xã không có lịch sử"); i < j {
				t.Error("the unit without a target is not last in the at-risk list")
			}
		}
	}
	// Zero totals: shares and ratios are dashes.
	rows := tableRows(d.Tables[1][0])
	if rows[0][2] != "—" || rows[1][5] != "—" {
		t.Errorf("zero totals: %q", rows)
	}
	// The workbook of the same data.
	if err := writeXLSX(t.TempDir()+"/x.xlsx", d); err != nil {
		t.Fatal(err)
	}
	for v, want := range map[float64]float64{0: 4, 1: 4, 4: 4, 4.1: 8, 9: 20, 82: 100, 101: 200, 750: 800, 810: 1000, 90: 100} {
		if got := niceCeil(v); got != want {
			t.Errorf("niceCeil(%v) = %v, want %v", v, got, want)
		}
	}
	// Burn-up points never go below zero nor before the period.
	pts := burnPoints(map[string]float64{"2026-06": 5, "2026-05": 9}, f(4, ip(5), 3, 4, fp(1), fp(0), y0, y1))
	for _, p := range pts {
		if p.N < 0 || p.Day.Before(y0) {
			t.Errorf("burn-up point %v", p)
		}
	}
	if pts[len(pts)-1].N != 3 || pts[0].N != 0 {
		t.Errorf("burn-up from %v to %v, want 0 to 3", pts[0], pts[len(pts)-1])
	}
}
