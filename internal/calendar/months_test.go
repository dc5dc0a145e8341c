package calendar

import (
	"testing"
	"time"
)

func TestAddMonths(t *testing.T) {
	d := func(s string) time.Time { x, _ := time.Parse(time.DateOnly, s); return x }
	for _, c := range []struct {
		from string
		n    int
		want string
	}{{"2028-02-29", 12, "2029-02-28"}, {"2026-01-31", 1, "2026-02-28"}, {"2025-06-02", 12, "2026-06-02"}, {"2024-01-10", 60, "2029-01-10"}} {
		if got := AddMonths(d(c.from), c.n); !got.Equal(d(c.want)) {
			t.Errorf("AddMonths(%s, %d) = %s, want %s", c.from, c.n, got.Format(time.DateOnly), c.want)
		}
	}
}

// One month arithmetic: an age and a period counted from 29/02 end on the same day, 28/02 of a
// common year (the age rule once made it 01/03).
func TestMonthsBetweenInvertsAddMonths(t *testing.T) {
	d := func(s string) time.Time { x, _ := time.Parse(time.DateOnly, s); return x }
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"2008-02-29", "2026-02-27", 215}, {"2008-02-29", "2026-02-28", 216}, {"2008-02-29", "2026-03-01", 216},
		{"2028-02-29", "2029-02-28", 12}, {"2026-01-31", "2026-02-28", 1}, {"2026-01-31", "2026-02-27", 0},
		{"2025-06-02", "2026-06-01", 11}, {"2025-06-02", "2026-06-02", 12}, {"2025-06-02", "2025-06-02", 0},
		{"2025-06-02", "2025-06-01", -1},
	} {
		if got := MonthsBetween(d(c.a), d(c.b)); got != c.want {
			t.Errorf("MonthsBetween(%s, %s) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
	birth := d("2008-02-29")
	if YearsBetween(birth, d("2026-02-28")) != 18 || YearsBetween(birth, d("2026-02-27")) != 17 {
		t.Error("a person born on 29/02/2008 turns 18 on 28/02/2026")
	}
	if end := AddMonths(d("2028-02-29"), 12); !end.Equal(d("2029-02-28")) || MonthsBetween(d("2028-02-29"), end) != 12 {
		t.Error("a probation from 29/02/2028 ends on 28/02/2029")
	}
	if got := LatestStart(d("2026-02-28"), 216); !got.Equal(d("2008-02-29")) {
		t.Errorf("LatestStart(28/02/2026, 216) = %s, want 2008-02-29", got.Format(time.DateOnly))
	}
	if got := LatestStart(d("2026-06-15"), 12); !got.Equal(d("2025-06-15")) {
		t.Errorf("LatestStart(15/06/2026, 12) = %s", got.Format(time.DateOnly))
	}
}
