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
