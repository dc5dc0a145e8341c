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
