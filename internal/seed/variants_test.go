package seed

import (
	"context"
	"testing"
	"time"

	"ptdv/internal/pgtest"
)

// TestVariants loads the demo with another start year, and on a day before the 2025 reform.
func TestVariants(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		from  int
		today time.Time
	}{{2020, testToday}, {2016, time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)}} {
		d := pgtest.New(t)
		st, err := Run(context.Background(), d.URL, Options{Scale: "small", Seed: 3, FromYear: c.from, Today: c.today})
		if err != nil {
			t.Fatalf("from %d, today %s: %v", c.from, c.today.Format(time.DateOnly), err)
		}
		t.Run(c.today.Format(time.DateOnly), func(t *testing.T) {
			checkTree(t, d.Owner, c.today)
			checkMembers(t, d.Owner)
			checkCases(t, d.Owner, c.today)
		})
		var districts int
		if err := d.Owner.QueryRowContext(context.Background(), `SELECT count(*) FROM org_unit WHERE kind = 'district' AND valid_to IS NULL`).Scan(&districts); err != nil {
			t.Fatal(err)
		}
		if before := c.today.Before(time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)); before != (districts > 0) {
			t.Errorf("today %s: %d districts", c.today.Format(time.DateOnly), districts)
		}
		if st.Members == 0 {
			t.Errorf("no members: %+v", st)
		}
	}
}
