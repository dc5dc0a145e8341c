package calendar

import "time"

// AddMonths adds calendar months, keeping within the month: 31/01 + 1 month = 28 or 29/02, and
// 29/02 + 12 months = 28/02. Every rule counted in months (probation, certificate validity, dossier
// staleness, re-admission) uses it, so the pipeline and the member lifecycle agree on the same day.
func AddMonths(t time.Time, n int) time.Time {
	y, m, d := t.Date()
	first := time.Date(y, m+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	if last := first.AddDate(0, 1, -1).Day(); d > last {
		d = last
	}
	return time.Date(first.Year(), first.Month(), d, 0, 0, 0, 0, time.UTC)
}

// MonthsBetween counts the whole months from a to b: the largest n with AddMonths(a, n) ≤ b (0 when b
// is before a month after a, negative when b is before a). It is AddMonths's inverse, so an age and a
// period agree: a person born on 29/02/2008 is 18 (216 months) on 28/02/2026, the day a probation
// that began on 29/02/2028 ends twelve months later in 2029 is its 28/02.
func MonthsBetween(a, b time.Time) int {
	n := (b.Year()-a.Year())*12 + int(b.Month()) - int(a.Month())
	if AddMonths(a, n).After(b) {
		n--
	}
	return n
}

// YearsBetween is MonthsBetween in whole years: a person's age.
func YearsBetween(a, b time.Time) int {
	m := MonthsBetween(a, b)
	if m < 0 {
		return -((-m + 11) / 12)
	}
	return m / 12
}

// LatestStart is the last day from which n months have passed by day on: the largest a with
// MonthsBetween(a, on) ≥ n (for "born on or before": a person born then is n months old on on).
func LatestStart(on time.Time, n int) time.Time {
	a := AddMonths(on, -n)
	for !AddMonths(a.AddDate(0, 0, 1), n).After(on) { // 28/02 → 29/02 when on is the month's end
		a = a.AddDate(0, 0, 1)
	}
	return a
}
