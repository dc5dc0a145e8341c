package forecast

import (
	"fmt"
	"io"
	"math"
	"runtime"
	"sort"
	"sync"
	"time"

	"ptdv/internal/vn"
)

// Levels the backtest scores.
var Levels = []string{"cell", "commune", "province"}

// AtLevel says whether a unit belongs to a backtest level: cells (with grassroots cells, which have no
// cells below), commune and ward committees (territorial grassroots committees), provinces.
func AtLevel(u Unit, level string) bool {
	switch level {
	case "cell":
		return u.Kind == "cell" || u.Kind == "grassroots_cell"
	case "commune":
		return u.Kind == "grassroots_committee" && u.Sector == "territorial"
	case "province":
		return u.Kind == "province"
	}
	return false
}

// BacktestOptions choose the origins and the level.
type BacktestOptions struct {
	From, To Day // the first and last origins (month ends); zero To: the last month end of the last complete year
	Level    string
	Model    Options
}

// Outcome is one scored forecast: a unit's admissions in the calendar year of the origin.
type Outcome struct {
	Origin     Day
	Unit       int64
	MonthsLeft int
	Actual     int
	Expected   float64
	Lo80, Hi80 int
	Lo95, Hi95 int
	RunRate    float64 // this year's admissions so far, extrapolated linearly
	Seasonal   float64 // the same, through the seasonal curve
	LastYear   float64 // last year's admissions
	Target     int     // -1: none
	RealTarget bool    // the unit's own target, not the reference one
	PMeet      float64
}

// Backtest replays month-end origins: at each, the model is fitted on the history cut at the origin
// (Fit cuts it) and forecasts every unit of the level its admissions in the origin's calendar year,
// scored against what the full history says happened. Years that end after the history are left out.
// A unit's target is its own year target where one was set, else a reference target, the smallest
// count above last year's by 4 % (how boards usually set them), so that P(meet target) is scored on
// every unit.
func Backtest(h *History, opt BacktestOptions) ([]Outcome, error) {
	if opt.Level == "" {
		opt.Level = "commune"
	}
	if !AtLevel(Unit{Kind: map[string]string{"cell": "cell", "commune": "grassroots_committee", "province": "province"}[opt.Level], Sector: "territorial"}, opt.Level) {
		return nil, fmt.Errorf("backtest level %q: want cell, commune or province", opt.Level)
	}
	lastY, _ := h.AsOf.YM()
	if Date(lastY, 12, 31) > h.AsOf {
		lastY--
	}
	if opt.To == 0 {
		opt.To = Date(lastY, 12, 31)
	}
	if opt.From == 0 {
		opt.From = MonthEnd(Date(lastY-2, 1, 1))
	}
	// The year targets of the history, by unit and year.
	targets := map[unitYear]Target{}
	for _, t := range h.Targets {
		if t.PeriodKind == "year" {
			y, _ := t.Start.YM()
			targets[unitYear{t.Unit, y}] = t
		}
	}
	var origins []Day
	for o := MonthEnd(opt.From); o <= opt.To; o = MonthEnd(o + 1) {
		if y, _ := o.YM(); Date(y, 12, 31) > h.AsOf {
			break
		}
		origins = append(origins, o)
	}
	// Origins are independent (each fit reads the history cut at its own origin): one per core.
	res := make([][]Outcome, len(origins))
	var wg sync.WaitGroup
	next := make(chan int)
	for range max(1, min(runtime.GOMAXPROCS(0), len(origins))) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				res[i] = backtestOrigin(h, origins[i], opt, targets)
			}
		}()
	}
	for i := range origins {
		next <- i
	}
	close(next)
	wg.Wait()
	var out []Outcome
	for _, r := range res {
		out = append(out, r...)
	}
	return out, nil
}

type unitYear struct {
	unit int64
	year int
}

// backtestOrigin scores the forecasts made at one origin.
func backtestOrigin(h *History, o Day, opt BacktestOptions, targets map[unitYear]Target) []Outcome {
	var out []Outcome
	y, mo := o.YM()
	end := Date(y, 12, 31)
	m := Fit(h, o, opt.Model)
	truth := originTruth(h, m, y)
	start := Date(y, 1, 1)
	for _, s := range m.order {
		if !AtLevel(s.u, opt.Level) {
			continue
		}
		r := m.ForecastPeriod(s.u.ID, Period{Kind: "year", Start: start, End: end})
		so := float64(r.Admitted)
		oc := Outcome{Origin: o, Unit: s.u.ID, MonthsLeft: 12 - int(mo), Actual: truth[s.u.ID],
			Expected: r.Expected, Lo80: r.Lo80, Hi80: r.Hi80, Lo95: r.Lo95, Hi95: r.Hi95,
			RunRate:  so * float64(end-start+1) / float64(o-start+1),
			LastYear: float64(countIn(s.adm, Date(y-1, 1, 1), Date(y-1, 12, 31))), Target: -1}
		if w := m.seasonWeight(s.pool, start, o); w > 0 {
			oc.Seasonal = so * m.seasonWeight(s.pool, start, end) / w
		}
		tv := -1
		if t, ok := targets[unitYear{s.u.ID, y}]; ok {
			if v := m.ResolveTarget(t); v != nil {
				tv, oc.RealTarget = *v, true
			}
		}
		if tv < 0 {
			tv = int(math.Floor(oc.LastYear*1.04)) + 1
		}
		if tv > 0 {
			oc.Target = tv
			oc.PMeet = r.dist.AtLeast(tv)
		}
		out = append(out, oc)
	}
	return out
}

// originTruth counts every unit's admissions decided in year y, as the full history knows them, for the
// units as they stood at the model's origin: an admission counts for the units on its cell's path at
// the origin (a cell created since: its path on the decision date, through the merges known at the
// origin). A merger after the origin does not move the goalposts of a forecast made before it.
func originTruth(h *History, m *Model, y int) map[int64]int {
	rep := m.repFunc()
	out := map[int64]int{}
	a, b := Date(y, 1, 1), Date(y, 12, 31)
	for _, ad := range h.Admissions {
		if ad.Decided < a || ad.Decided > b {
			continue
		}
		labels := m.labelsAtOrigin(ad)
		credit(labels, rep, m.unit, func(s *unitState) { out[s.u.ID]++ })
	}
	return out
}

// Score is the summary of a set of outcomes.
type Score struct {
	N                    int
	RMSE, MAE            float64
	RMSERun, RMSESeas    float64
	RMSELast             float64
	MAERun, MAESeas      float64
	MAELast              float64
	Cover80, Cover95     float64
	BrierN               int
	Brier, BrierBaseline float64 // BrierBaseline: always forecasting the base rate of meeting targets
}

// Horizon is the score of the outcomes forecast with the same number of months left.
type Horizon struct {
	MonthsLeft int
	Score      Score
}

// ByMonthsLeft scores outcomes by months left, the most months first.
func ByMonthsLeft(os []Outcome) []Horizon {
	by := map[int][]Outcome{}
	for _, o := range os {
		by[o.MonthsLeft] = append(by[o.MonthsLeft], o)
	}
	hs := make([]Horizon, 0, len(by))
	for k, group := range by {
		hs = append(hs, Horizon{MonthsLeft: k, Score: Summarize(group)})
	}
	sort.Slice(hs, func(i, j int) bool { return hs[i].MonthsLeft > hs[j].MonthsLeft })
	return hs
}

// Summarize scores outcomes.
func Summarize(os []Outcome) Score {
	var s Score
	var se, ae, seR, aeR, seS, aeS, seL, aeL, c80, c95, br, met float64
	for _, o := range os {
		a := float64(o.Actual)
		s.N++
		d := o.Expected - a
		se += d * d
		ae += math.Abs(d)
		seR += (o.RunRate - a) * (o.RunRate - a)
		aeR += math.Abs(o.RunRate - a)
		seS += (o.Seasonal - a) * (o.Seasonal - a)
		aeS += math.Abs(o.Seasonal - a)
		seL += (o.LastYear - a) * (o.LastYear - a)
		aeL += math.Abs(o.LastYear - a)
		if o.Actual >= o.Lo80 && o.Actual <= o.Hi80 {
			c80++
		}
		if o.Actual >= o.Lo95 && o.Actual <= o.Hi95 {
			c95++
		}
		if o.Target > 0 {
			s.BrierN++
			hit := 0.0
			if o.Actual >= o.Target {
				hit = 1
			}
			met += hit
			br += (o.PMeet - hit) * (o.PMeet - hit)
		}
	}
	if s.N == 0 {
		return s
	}
	n := float64(s.N)
	s.RMSE, s.MAE = math.Sqrt(se/n), ae/n
	ratio := func(a, b float64) float64 {
		if b == 0 {
			return math.NaN()
		}
		return a / b
	}
	s.RMSERun, s.RMSESeas, s.RMSELast = ratio(se, seR), ratio(se, seS), ratio(se, seL)
	s.RMSERun, s.RMSESeas, s.RMSELast = math.Sqrt(s.RMSERun), math.Sqrt(s.RMSESeas), math.Sqrt(s.RMSELast)
	s.MAERun, s.MAESeas, s.MAELast = ratio(ae, aeR), ratio(ae, aeS), ratio(ae, aeL)
	s.Cover80, s.Cover95 = c80/n, c95/n
	if s.BrierN > 0 {
		bn := float64(s.BrierN)
		s.Brier = br / bn
		p := met / bn
		s.BrierBaseline = p * (1 - p)
	}
	return s
}

// Reliability bins P(meet target) by tenths: forecasts, mean forecast, share met.
type ReliabilityBin struct {
	N          int
	MeanP, Met float64
}

// Reliability tabulates calibration of P(meet target).
func Reliability(os []Outcome) [10]ReliabilityBin {
	var b [10]ReliabilityBin
	for _, o := range os {
		if o.Target <= 0 {
			continue
		}
		i := min(int(o.PMeet*10), 9)
		b[i].N++
		b[i].MeanP += o.PMeet
		if o.Actual >= o.Target {
			b[i].Met++
		}
	}
	for i := range b {
		if b[i].N > 0 {
			b[i].MeanP /= float64(b[i].N)
			b[i].Met /= float64(b[i].N)
		}
	}
	return b
}

// PrintBacktest writes the report of a backtest: per months remaining and overall.
func PrintBacktest(w io.Writer, level string, os []Outcome, took time.Duration) {
	pct := func(x float64) string {
		if math.IsNaN(x) {
			return "—"
		}
		return vn.Decimal(100*x, 1) + " %"
	}
	num := func(x float64, p int) string {
		if math.IsNaN(x) {
			return "—"
		}
		return vn.Decimal(x, p)
	}
	if len(os) == 0 {
		fmt.Fprintf(w, "Kiểm định ngược, cấp %s: không có dự báo nào để chấm (lịch sử quá ngắn?).\n", level)
		return
	}
	first, last := os[0].Origin, os[0].Origin
	units := map[int64]bool{}
	for _, o := range os {
		first, last = min(first, o.Origin), max(last, o.Origin)
		units[o.Unit] = true
	}
	fmt.Fprintf(w, "Kiểm định ngược (backtest), cấp %s: %s dự báo, %s đơn vị, mốc cuối tháng %s–%s, kỳ = năm dương lịch của mốc (%s).\n",
		level, vn.Int(int64(len(os))), vn.Int(int64(len(units))), vn.Date(first.Time()), vn.Date(last.Time()), took.Round(time.Millisecond))
	fmt.Fprintln(w, "Tỷ số = sai số của mô hình / sai số của phương pháp so sánh (dưới 1 là tốt hơn): run-rate = số đã kết nạp kéo dài tuyến tính; theo mùa = kéo dài theo đường mùa vụ; năm trước = số của năm trước.")
	head := fmt.Sprintf("%-9s %7s %7s %6s %8s %8s %8s %6s %8s %8s %8s %8s %7s %8s", "còn (th)", "n", "RMSE", "MAE",
		"RMSE/rr", "RMSE/mùa", "RMSE/nt", "MAE/rr", "MAE/mùa", "MAE/nt", "phủ 80%", "phủ 95%", "Brier", "Brier0")
	fmt.Fprintln(w, head)
	line := func(label string, s Score) {
		fmt.Fprintf(w, "%-9s %7s %7s %6s %8s %8s %8s %6s %8s %8s %8s %8s %7s %8s\n", label, vn.Int(int64(s.N)), num(s.RMSE, 2), num(s.MAE, 2),
			num(s.RMSERun, 3), num(s.RMSESeas, 3), num(s.RMSELast, 3), num(s.MAERun, 3), num(s.MAESeas, 3), num(s.MAELast, 3),
			pct(s.Cover80), pct(s.Cover95), num(s.Brier, 3), num(s.BrierBaseline, 3))
	}
	for _, h := range ByMonthsLeft(os) {
		line(fmt.Sprint(h.MonthsLeft), h.Score)
	}
	line("tất cả", Summarize(os))
	real := 0
	for _, o := range os {
		if o.RealTarget {
			real++
		}
	}
	fmt.Fprintf(w, "P(đạt chỉ tiêu): %s dự báo có chỉ tiêu năm của chính đơn vị, còn lại dùng chỉ tiêu tham chiếu (năm trước + 4 %%, làm tròn lên). Brier0 = Brier của dự báo luôn bằng tỷ lệ đạt chung.\n", vn.Int(int64(real)))
	fmt.Fprintln(w, "Độ tin cậy của P(đạt chỉ tiêu):")
	fmt.Fprintf(w, "  %-10s %8s %12s %10s\n", "P dự báo", "n", "P trung bình", "tỷ lệ đạt")
	for i, b := range Reliability(os) {
		if b.N == 0 {
			continue
		}
		fmt.Fprintf(w, "  %-10s %8s %12s %10s\n", fmt.Sprintf("%d–%d %%", 10*i, 10*i+10), vn.Int(int64(b.N)), pct(b.MeanP), pct(b.Met))
	}
}
