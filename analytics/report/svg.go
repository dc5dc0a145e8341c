package report

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"strings"
	"time"

	"ptdv/analytics/forecast"
)

// burnPoints is the admissions curve of a target's period up to the forecast's day: month-end points
// counted back from the forecast's admitted count through the published month (then year) admissions;
// before the published months the curve joins the period's start with a straight line.
func burnPoints(adm map[string]float64, f forecast.Published) []Point {
	start, asOf := f.PeriodStart, f.AsOf
	if asOf.After(f.PeriodEnd) {
		asOf = f.PeriodEnd
	}
	if asOf.Before(start) {
		return []Point{{start, 0}}
	}
	cum := float64(f.Admitted)
	pts := []Point{{asOf, cum}}
	m := time.Date(asOf.Year(), asOf.Month(), 1, 0, 0, 0, 0, time.UTC) // the next month to take off
	for m.After(start) {
		if n, ok := adm[m.Format("2006-01")]; ok {
			cum -= n
		} else if n, ok := adm[m.Format("2006")]; ok && m.Month() == 12 {
			cum -= n // a year before the published months, whole
			m = time.Date(m.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
		} else {
			break
		}
		cum = math.Max(cum, 0)
		pts = append(pts, Point{m.AddDate(0, 0, -1), cum})
		m = m.AddDate(0, -1, 0)
	}
	if pts[len(pts)-1].Day.After(start) {
		pts = append(pts, Point{start, 0})
	}
	// Oldest first; a point before the period's start is moved onto it.
	for i, j := 0, len(pts)-1; i < j; i, j = i+1, j-1 {
		pts[i], pts[j] = pts[j], pts[i]
	}
	if pts[0].Day.Before(start) {
		pts[0].Day = start
	}
	return pts
}

// svgWriter builds an inline SVG.
type svgWriter struct{ b strings.Builder }

func (s *svgWriter) f(format string, a ...any) { fmt.Fprintf(&s.b, format, a...) }

func esc(s string) string { return html.EscapeString(s) }

// burnUp draws a target's burn-up chart: admissions to date, the target line, the even pace, and the
// forecast's fan (80 % and 95 %) from the forecast's day to the period's end.
func burnUp(f forecast.Published, pts []Point) template.HTML {
	const W, H, left, right, top, bottom = 640.0, 260.0, 52.0, 16.0, 14.0, 40.0
	t0, t1 := f.PeriodStart, f.PeriodEnd
	span := t1.Sub(t0).Hours()
	if span <= 0 {
		span = 24
	}
	ymax := math.Max(float64(f.Hi95), float64(f.Admitted))
	if f.Target != nil {
		ymax = math.Max(ymax, float64(*f.Target))
	}
	ymax = niceCeil(math.Max(ymax*1.08, 1))
	x := func(t time.Time) float64 {
		v := t.Sub(t0).Hours() / span
		return left + math.Min(math.Max(v, 0), 1)*(W-left-right)
	}
	y := func(v float64) float64 { return top + (1-v/ymax)*(H-top-bottom) }
	var s svgWriter
	s.f(`<svg class="chart burnup" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %g %g" width="%g" height="%g" role="img" aria-label="%s">`,
		W, H, W, H, esc("Biểu đồ tiến độ chỉ tiêu "+periodLabel(f.PeriodKind)))
	// Grid and the y axis.
	step := ymax / 4
	for i := 0; i <= 4; i++ {
		v := step * float64(i)
		s.f(`<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" class="grid"/>`, left, y(v), W-right, y(v))
		s.f(`<text x="%.1f" y="%.1f" class="ax" text-anchor="end">%s</text>`, left-6, y(v)+4, esc(num(v, 0)))
	}
	s.f(`<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" class="axis"/>`, left, y(0), W-right, y(0))
	// The x axis: the period's ends and the forecast's day.
	asOf := f.AsOf
	if asOf.After(t1) {
		asOf = t1
	}
	s.f(`<text x="%.1f" y="%.1f" class="ax" text-anchor="start">%s</text>`, x(t0), H-bottom+16, esc(date(t0)))
	s.f(`<text x="%.1f" y="%.1f" class="ax" text-anchor="end">%s</text>`, x(t1), H-bottom+16, esc(date(t1)))
	if x(asOf)-x(t0) > 75 && x(t1)-x(asOf) > 75 {
		s.f(`<text x="%.1f" y="%.1f" class="ax" text-anchor="middle">%s</text>`, x(asOf), H-bottom+16, esc(date(asOf)))
	}
	s.f(`<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" class="today"/>`, x(asOf), top, x(asOf), y(0))
	// The fan: from today's count to the intervals at the period's end.
	if t1.After(asOf) {
		a := float64(f.Admitted)
		s.f(`<polygon class="fan95" points="%.1f,%.1f %.1f,%.1f %.1f,%.1f"/>`, x(asOf), y(a), x(t1), y(float64(f.Hi95)), x(t1), y(float64(f.Lo95)))
		s.f(`<polygon class="fan80" points="%.1f,%.1f %.1f,%.1f %.1f,%.1f"/>`, x(asOf), y(a), x(t1), y(float64(f.Hi80)), x(t1), y(float64(f.Lo80)))
		if finite(f.Expected) {
			s.f(`<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" class="expected"/>`, x(asOf), y(a), x(t1), y(f.Expected))
		}
	}
	// The target and the even pace towards it.
	if f.Target != nil {
		tv := float64(*f.Target)
		s.f(`<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" class="target"/>`, left, y(tv), W-right, y(tv))
		s.f(`<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" class="pace"/>`, x(t0), y(0), x(t1), y(tv))
		s.f(`<text x="%.1f" y="%.1f" class="lbl" text-anchor="start">%s</text>`, left+4, y(tv)-4, esc("Chỉ tiêu "+num(tv, 0)))
	}
	// Admissions to date.
	var p strings.Builder
	for _, pt := range pts {
		fmt.Fprintf(&p, "%.1f,%.1f ", x(pt.Day), y(pt.N))
	}
	s.f(`<polyline class="actual" points="%s"/>`, strings.TrimSpace(p.String()))
	s.f(`<circle class="actual-dot" cx="%.1f" cy="%.1f" r="3.5"/>`, x(asOf), y(float64(f.Admitted)))
	s.f(`<text x="%.1f" y="%.1f" class="lbl" text-anchor="end">%s</text>`, x(asOf)-6, y(float64(f.Admitted))-6, esc(num(float64(f.Admitted), 0)))
	// The legend.
	lx, ly := left, H-8.0
	for _, it := range []struct{ class, text string }{{"actual", "Đã kết nạp"}, {"target", "Chỉ tiêu"}, {"pace", "Tiến độ đều"},
		{"expected", "Dự kiến"}, {"fan80", "Khoảng 80 %"}, {"fan95", "Khoảng 95 %"}} {
		if strings.HasPrefix(it.class, "fan") {
			s.f(`<rect x="%.1f" y="%.1f" width="14" height="8" class="%s"/>`, lx, ly-8, it.class)
		} else {
			s.f(`<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" class="%s"/>`, lx, ly-4, lx+14, ly-4, it.class)
		}
		s.f(`<text x="%.1f" y="%.1f" class="ax">%s</text>`, lx+18, ly, esc(it.text))
		lx += 18 + float64(len([]rune(it.text)))*6.2 + 14
	}
	s.f(`</svg>`)
	return template.HTML(s.b.String())
}

// niceCeil is the top of a chart's scale: four whole steps of 1, 2, 2,5 or 5 times a power of ten, at
// or above v (4, 8, 20, 40, 80, 100, 200…), so that every tick is a whole number.
func niceCeil(v float64) float64 {
	for p := 1.0; ; p *= 10 {
		for _, m := range []float64{1, 2, 2.5, 5} {
			if m*p != math.Trunc(m*p) {
				continue
			}
			if 4*m*p >= v {
				return 4 * m * p
			}
		}
	}
}

// probBar draws a probability as a small horizontal bar (red below 50 %, amber below 80 %, green).
func probBar(p *float64) template.HTML {
	if p == nil || !finite(*p) {
		return ""
	}
	v := math.Min(math.Max(*p, 0), 1)
	class := "ok"
	switch {
	case v < 0.5:
		class = "bad"
	case v < 0.8:
		class = "warn"
	}
	return template.HTML(fmt.Sprintf(`<svg class="bar" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 60 10" width="60" height="10"><rect x="0" y="0" width="60" height="10" class="bar-bg"/><rect x="0" y="0" width="%.1f" height="10" class="bar-%s"/></svg>`, 60*v, class))
}

// funnelChart draws the cases entering each stage of the year as horizontal bars.
func funnelChart(st []Stage, label func(string) string) template.HTML {
	if len(st) == 0 {
		return ""
	}
	const W, rowH, left, right = 640.0, 22.0, 250.0, 60.0
	var mx int64 = 1
	for _, s := range st {
		mx = max(mx, s.Entered)
	}
	H := rowH*float64(len(st)) + 8
	var s svgWriter
	s.f(`<svg class="chart funnel" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %g %g" width="%g" height="%g" role="img" aria-label="Phễu phát triển đảng viên">`, W, H, W, H)
	for i, x := range st {
		yy := 4 + rowH*float64(i)
		w := (W - left - right) * float64(x.Entered) / float64(mx)
		s.f(`<text x="%.1f" y="%.1f" class="ax" text-anchor="end">%s</text>`, left-8, yy+14, esc(label(x.Stage)))
		s.f(`<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" class="funnel-bar"/>`, left, yy+2, math.Max(w, 0.5), rowH-6)
		s.f(`<text x="%.1f" y="%.1f" class="ax">%s</text>`, left+w+6, yy+14, esc(num(float64(x.Entered), 0)))
	}
	s.f(`</svg>`)
	return template.HTML(s.b.String())
}
