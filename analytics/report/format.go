package report

import (
	"math"
	"time"

	"ptdv/internal/target"
	"ptdv/internal/vn"
)

// finite says whether x is a number a page may print.
func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// num prints x with prec decimals in Vietnamese format (1.234,5); a dash for what is not a number.
func num(x float64, prec int) string {
	if !finite(x) {
		return "—"
	}
	if prec == 0 || x == math.Trunc(x) && prec < 0 {
		return vn.Int(int64(math.Round(x)))
	}
	if prec < 0 {
		prec = -prec
	}
	return vn.Decimal(x, prec)
}

// count prints a count that may be fractional (today's map shares a split unit's figures): whole
// numbers without decimals, others with one.
func count(x float64) string {
	if !finite(x) {
		return "—"
	}
	if x == math.Round(x) {
		return vn.Int(int64(x))
	}
	return vn.Decimal(x, 1)
}

// ratio is a/b, or NaN when b is zero (printed as a dash, never a division by zero).
func ratio(a, b float64) float64 {
	if b == 0 || !finite(a) || !finite(b) {
		return math.NaN()
	}
	return a / b
}

// pct prints a share (0..1) as a percentage with one decimal: "12,3 %".
func pct(x float64) string {
	if !finite(x) {
		return "—"
	}
	return vn.Decimal(100*x, 1) + " %"
}

// pct0 prints a share as a whole percentage: "12 %".
func pct0(x float64) string {
	if !finite(x) {
		return "—"
	}
	return vn.Int(int64(math.Round(100*x))) + " %"
}

func date(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return vn.Date(t)
}

// periodLabel names a kind of target period.
func periodLabel(kind string) string { return target.PeriodLabels[target.PeriodKind(kind)] }

// dueKinds are the columns of the overdue table, in the pipeline's order; their names are
// pipeline.DueLabels.
var dueKinds = []string{"source_stalled", "certificate_expires", "dossier_stale", "decision_due", "ceremony_due", "probation_ends", "recognition_due"}
