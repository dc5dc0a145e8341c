package forecast

import (
	"math"
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestNoLookAhead: a forecast made at an origin from the full history is identical to one made from a
// history that was never told what happened after the origin (generated with those records left out).
func TestNoLookAhead(t *testing.T) {
	t.Parallel()
	sp := defaultSim()
	sp.Communes, sp.YearTargets = 15, 2018
	full := simulate(sp)
	for _, o := range []Day{Date(2018, 3, 31), Date(2018, 8, 15)} {
		sp.HideAfter = o
		hidden := simulate(sp)
		if len(hidden.Cases) >= len(full.Cases) || len(hidden.Admissions) >= len(full.Admissions) {
			t.Fatalf("the hidden history is not shorter: %d/%d cases", len(hidden.Cases), len(full.Cases))
		}
		a, b := Fit(full, o, Options{}).ForecastAll(), Fit(hidden, o, Options{}).ForecastAll()
		if len(a) != 16 {
			t.Fatalf("%d forecasts at %s, want 16 (15 communes and the province)", len(a), o.Time().Format("2006-01-02"))
		}
		if !reflect.DeepEqual(a, b) {
			for i := range a {
				if !reflect.DeepEqual(a[i], b[i]) {
					t.Fatalf("origin %s, target %d: full history %+v\nhidden %+v", o.Time().Format("2006-01-02"), a[i].TargetID, a[i], b[i])
				}
			}
		}
		// And the future matters when it is not hidden: a later origin sees more.
		c := Fit(full, o+60, Options{}).ForecastAll()
		if reflect.DeepEqual(a, c) {
			t.Fatal("forecasts 60 days apart are identical: the origin is not used")
		}
	}
}

// TestCalibration: on a synthetic history with known rates, the 80 % intervals of the communes' year
// forecasts cover 75–85 % of what happened, the 95 % intervals about 95 %, and the forecast beats the
// run-rate.
func TestCalibration(t *testing.T) {
	t.Parallel()
	sp := defaultSim()
	h := simulate(sp)
	var in80, in95, n int
	var se, seRR float64
	for _, y := range []int{2017, 2018} {
		truth := map[int64]int{}
		for _, a := range h.Admissions {
			if ay, _ := a.Decided.YM(); ay == y {
				truth[simCommune(int((a.Unit-10000)/100))]++
			}
		}
		for mo := 1; mo <= 11; mo += 2 {
			o := MonthEnd(Date(y, time.Month(mo), 1))
			m := Fit(h, o, Options{})
			for i := range sp.Communes {
				r := m.ForecastPeriod(simCommune(i), Period{Kind: "year", Start: Date(y, 1, 1), End: Date(y, 12, 31)})
				act := truth[simCommune(i)]
				n++
				if act >= r.Lo80 && act <= r.Hi80 {
					in80++
				}
				if act >= r.Lo95 && act <= r.Hi95 {
					in95++
				}
				se += (r.Expected - float64(act)) * (r.Expected - float64(act))
				rr := float64(r.Admitted) * 365 / float64(o-Date(y, 1, 1)+1)
				seRR += (rr - float64(act)) * (rr - float64(act))
			}
		}
	}
	c80, c95 := float64(in80)/float64(n), float64(in95)/float64(n)
	t.Logf("%d forecasts: 80 %% coverage %.3f, 95 %% coverage %.3f, RMSE %.2f (run-rate %.2f)", n, c80, c95, math.Sqrt(se/float64(n)), math.Sqrt(seRR/float64(n)))
	if c80 < 0.75 || c80 > 0.85 {
		t.Errorf("80 %% intervals cover %.3f, want 0.75–0.85", c80)
	}
	if c95 < 0.90 || c95 > 0.99 {
		t.Errorf("95 %% intervals cover %.3f, want about 0.95", c95)
	}
	if se >= 0.75*0.75*seRR {
		t.Errorf("RMSE %.2f not 25 %% below the run-rate's %.2f", math.Sqrt(se/float64(n)), math.Sqrt(seRR/float64(n)))
	}
}

// TestEdgeCases: a unit with no history, a target already met, a zero target, a rate target without a
// base, a unit with no target: sensible numbers, never NaN, and a sentence.
func TestEdgeCases(t *testing.T) {
	t.Parallel()
	sp := defaultSim()
	sp.Communes, sp.YearTargets = 5, 2018
	h := simulate(sp)
	// A new cell under commune 0, with no case and no admission, and its own target of 3.
	newCell := int64(99999)
	h.Units = append(h.Units, Unit{ID: newCell, Code: "NEW", Kind: "cell", Sector: "territorial", From: Date(2018, 5, 1), To: NoDay})
	h.Links = append(h.Links, Link{Unit: newCell, Parent: simCommune(0), Path: []int64{simProvince, simCommune(0), newCell}, From: Date(2018, 5, 1), To: NoDay})
	o := Date(2018, 6, 30)
	year := Period{Kind: "year", Start: Date(2018, 1, 1), End: Date(2018, 12, 31)}
	m := Fit(h, o, Options{})
	adm := m.ForecastPeriod(simCommune(1), year).Admitted
	if adm == 0 {
		t.Fatal("commune 1 admitted nobody by the origin: the test needs some")
	}
	cases := []struct {
		name string
		tg   Target
		want func(r Result) string
	}{
		{"no history", Target{ID: 1, Unit: newCell, PeriodKind: "year", Start: year.Start, End: year.End, Kind: "count", Count: 3}, func(r Result) string {
			if r.Expected > 3 || r.Admitted != 0 || r.Lo80 != 0 || *r.PMeet > 0.5 {
				return "a new cell with nothing behind it should expect little"
			}
			return ""
		}},
		{"met", Target{ID: 2, Unit: simCommune(1), PeriodKind: "year", Start: year.Start, End: year.End, Kind: "count", Count: adm}, func(r Result) string {
			if *r.PMeet != 1 || *r.Shortfall != 0 || !strings.Contains(r.Explanation, "đã đạt chỉ tiêu") {
				return "a target already met: P = 1, no shortfall, said so"
			}
			return ""
		}},
		{"zero", Target{ID: 3, Unit: simCommune(2), PeriodKind: "year", Start: year.Start, End: year.End, Kind: "count", Count: 0}, func(r Result) string {
			if *r.PMeet != 1 || *r.Shortfall != 0 {
				return "a zero target is met"
			}
			return ""
		}},
		{"rate without base", Target{ID: 4, Unit: newCell, PeriodKind: "year", Start: year.Start, End: year.End, Kind: "rate", Rate: 4}, func(r Result) string {
			if r.Target != nil || r.PMeet != nil || !strings.Contains(r.Explanation, "chưa có chỉ tiêu") {
				return "a rate target whose base is unknown has no number"
			}
			return ""
		}},
		{"unknown unit", Target{ID: 5, Unit: 424242, PeriodKind: "year", Start: year.Start, End: year.End, Kind: "count", Count: 2}, func(r Result) string {
			if r.Expected != 0 || *r.PMeet != 0 || *r.Shortfall != 2 {
				return "a unit the history does not know expects nothing"
			}
			return ""
		}},
		{"rate", Target{ID: 6, Unit: simProvince, PeriodKind: "year", Start: year.Start, End: year.End, Kind: "rate", Rate: 4}, func(r Result) string {
			if r.Target == nil || *r.Target != int(math.Ceil(0.04*float64(20*sp.Communes*sp.Cells))) {
				return "a rate target is rate × members at the end of the year before, rounded up"
			}
			return ""
		}},
	}
	for _, c := range cases {
		r := m.Forecast(c.tg)
		for _, x := range []float64{r.Expected, r.Pending, r.Pipeline, r.Fresh} {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				t.Errorf("%s: a NaN or Inf in %+v", c.name, r)
			}
		}
		if r.PMeet != nil && (math.IsNaN(*r.PMeet) || math.IsNaN(*r.Shortfall)) {
			t.Errorf("%s: NaN probability", c.name)
		}
		if !(r.Lo95 <= r.Lo80 && r.Lo80 <= r.Hi80 && r.Hi80 <= r.Hi95) || float64(r.Lo95) > r.Expected+1e-9 || float64(r.Hi95) < r.Expected-1e-9 {
			t.Errorf("%s: intervals out of order: %+v", c.name, r)
		}
		if strings.Contains(r.Explanation, "NaN") || !strings.HasPrefix(r.Explanation, "Đã kết nạp") || !strings.HasSuffix(r.Explanation, ".") {
			t.Errorf("%s: explanation %q", c.name, r.Explanation)
		}
		if msg := c.want(r); msg != "" {
			t.Errorf("%s: %s: %+v\n%s", c.name, msg, r, r.Explanation)
		}
	}
	// No history at all.
	empty := &History{AsOf: o, YearEnd: map[YearKey]int{}}
	r := Fit(empty, o, Options{}).Forecast(Target{ID: 9, Unit: 1, PeriodKind: "year", Start: year.Start, End: year.End, Kind: "count", Count: 5})
	if r.Expected != 0 || *r.PMeet != 0 || math.IsNaN(*r.Shortfall) || r.Explanation == "" {
		t.Errorf("empty history: %+v", r)
	}
}

// TestExplanation: the sentence is built from the numbers, in Vietnamese formats.
func TestExplanation(t *testing.T) {
	t.Parallel()
	sp := defaultSim()
	sp.Communes, sp.YearTargets = 5, 2018
	h := simulate(sp)
	m := Fit(h, Date(2018, 4, 30), Options{})
	r := m.Forecast(h.Targets[0])
	for _, want := range []string{"Đã kết nạp " + itoa(int64(r.Admitted)), "quần chúng", "thường", "% được kết nạp", "31/12/2018",
		"người/tháng từ nguồn mới", "dự kiến ", "(80 %: " + itoa(int64(r.Lo80)) + "–" + itoa(int64(r.Hi80)) + ")", "khả năng đạt chỉ tiêu " + itoa(int64(*r.Target))} {
		if !strings.Contains(r.Explanation, want) {
			t.Errorf("explanation %q lacks %q", r.Explanation, want)
		}
	}
	if strings.Contains(r.Explanation, ".5") || strings.Count(r.Explanation, ".") != 1 {
		t.Errorf("explanation %q: one sentence, decimals with a comma", r.Explanation)
	}
}

// TestBacktest runs the backtest on the synthetic history: the origins' outcomes, scored, beat the
// run-rate, and the report prints without NaN.
func TestBacktest(t *testing.T) {
	t.Parallel()
	sp := defaultSim()
	sp.Communes = 20
	h := simulate(sp)
	out, err := Backtest(h, BacktestOptions{Level: "commune", From: Date(2018, 1, 1), To: Date(2018, 12, 31)})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 12*20 {
		t.Fatalf("%d outcomes, want 240", len(out))
	}
	for i := 1; i < len(out); i++ {
		if out[i].Origin < out[i-1].Origin {
			t.Fatal("outcomes not in origin order")
		}
	}
	s := Summarize(out)
	if s.RMSERun >= 0.75 || s.Cover80 < 0.7 || s.Cover80 > 0.9 || s.BrierN != len(out) {
		t.Errorf("score %+v", s)
	}
	var b strings.Builder
	PrintBacktest(&b, "commune", out, time.Second)
	if strings.Contains(b.String(), "NaN") || !strings.Contains(b.String(), "tất cả") || !strings.Contains(b.String(), "phủ 80%") {
		t.Errorf("report:\n%s", b.String())
	}
	if _, err := Backtest(h, BacktestOptions{Level: "village"}); err == nil {
		t.Error("an unknown level is accepted")
	}
}
