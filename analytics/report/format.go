package report

import (
	"math"
	"time"

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

// periodKindVI names a kind of target period.
var periodKindVI = map[string]string{"term": "Nhiệm kỳ", "year": "Năm", "quarter": "Quý"}

// dueKindVI names what is overdue.
var dueKindVI = map[string]string{
	"source_stalled":      "Nguồn chưa được bồi dưỡng",
	"certificate_expires": "Giấy chứng nhận học lớp sắp hết hạn",
	"dossier_stale":       "Hồ sơ quá hạn xét",
	"decision_due":        "Chờ quyết định kết nạp",
	"ceremony_due":        "Chờ tổ chức lễ kết nạp",
	"probation_ends":      "Hết thời gian dự bị",
	"recognition_due":     "Chờ công nhận đảng viên chính thức",
}

var dueKinds = []string{"source_stalled", "certificate_expires", "dossier_stale", "decision_due", "ceremony_due", "probation_ends", "recognition_due"}
