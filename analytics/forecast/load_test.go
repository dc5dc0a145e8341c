package forecast

import (
	"context"
	"os"
	"reflect"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"ptdv/internal/auth"
	"ptdv/internal/fixture"
	"ptdv/internal/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

var seedToday = time.Date(2026, 6, 10, 0, 0, 0, 0, time.UTC)

// TestLoadHidesTheFuture loads the demo data from PostgreSQL as the application role, forecasts every
// open target at an origin, then deletes from the database every event dated after the origin and the
// year-end counts not yet known then, loads again, and gets identical forecasts: the loader and the
// model read nothing of the future. The loaded history also agrees with SQL counts.
func TestLoadHidesTheFuture(t *testing.T) {
	t.Parallel()
	d := fixture.Seeded(t, 1, seedToday)
	bg := context.Background()
	ctx := auth.WithActor(bg, auth.System("forecast-test"))
	from := time.Date(2016, 1, 1, 0, 0, 0, 0, time.UTC)
	full, err := Load(ctx, d.App, LoadOptions{From: from, AsOf: seedToday})
	if err != nil {
		t.Fatal(err)
	}
	if len(full.Cases) < 300 || len(full.Admissions) < 300 || len(full.Targets) == 0 || len(full.YearEnd) == 0 || len(full.Merges) == 0 {
		t.Fatalf("loaded little: %d cases, %d admissions, %d targets, %d year-ends, %d merges",
			len(full.Cases), len(full.Admissions), len(full.Targets), len(full.YearEnd), len(full.Merges))
	}
	o := Date(2025, 3, 31)
	m := Fit(full, o, Options{})
	// The admissions of 2024 known at the origin, summed over the provinces, are SQL's count.
	var want int
	if err := d.Owner.QueryRowContext(bg, `SELECT count(*) FROM member_event WHERE kind IN ('admitted', 'readmitted')
		AND coalesce(decision_date, effective) BETWEEN '2024-01-01' AND '2024-12-31' AND effective <= '2025-03-31'`).Scan(&want); err != nil {
		t.Fatal(err)
	}
	got, provinces := 0, 0
	for _, u := range m.Units() {
		if u.Kind == "province" {
			provinces++
			got += m.ForecastPeriod(u.ID, Period{Kind: "year", Start: Date(2024, 1, 1), End: Date(2024, 12, 31)}).Admitted
		}
	}
	if provinces != 2 || got != want || want == 0 {
		t.Errorf("2024 admissions of the %d provinces: %d, SQL %d", provinces, got, want)
	}
	before := m.ForecastAll()
	pipeline := 0.0
	for _, r := range before {
		pipeline += r.Pipeline + r.Pending
	}
	if len(before) < 10 || pipeline < 10 {
		t.Fatalf("%d forecasts with %.1f expected from the pipeline: too few to test anything", len(before), pipeline)
	}

	for _, q := range []string{
		`DELETE FROM case_event WHERE effective > '2025-03-31'`,
		`DELETE FROM member_event WHERE effective > '2025-03-31'`,
		`DELETE FROM member_yearend WHERE year >= 2025`,
	} {
		res, err := d.Owner.ExecContext(bg, q)
		if err != nil {
			t.Fatal(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			t.Fatalf("%s: nothing to hide", q)
		}
	}
	hidden, err := Load(ctx, d.App, LoadOptions{From: from, AsOf: o.Time()})
	if err != nil {
		t.Fatal(err)
	}
	after := Fit(hidden, o, Options{}).ForecastAll()
	if !reflect.DeepEqual(before, after) {
		if len(before) != len(after) {
			t.Fatalf("%d forecasts from the full history, %d from the hidden one", len(before), len(after))
		}
		for i := range before {
			if !reflect.DeepEqual(before[i], after[i]) {
				t.Fatalf("target %d: full %+v\nhidden %+v", before[i].TargetID, before[i], after[i])
			}
		}
	}
}

// TestLoadScope: a board scoped to one province loads that province's units and cases only; without an
// actor nothing is loaded.
func TestLoadScope(t *testing.T) {
	t.Parallel()
	d := fixture.Seeded(t, 2, seedToday)
	bg := context.Background()
	if _, err := Load(bg, d.App, LoadOptions{}); err == nil {
		t.Fatal("loaded without an actor")
	}
	var code string
	var root int64
	if err := d.Owner.QueryRowContext(bg, `SELECT code, id FROM org_unit WHERE kind = 'province' AND valid_to IS NULL`).Scan(&code, &root); err != nil {
		t.Fatal(err)
	}
	all, err := Load(auth.WithActor(bg, auth.System("t")), d.App, LoadOptions{AsOf: seedToday})
	if err != nil {
		t.Fatal(err)
	}
	// A commune board today (a token of a unit that has ended is refused): its own subtree only. The
	// commune with the most cases in its cells, so that the scoped load is not empty.
	var other string
	if err := d.Owner.QueryRowContext(bg, `SELECT u.code FROM org_unit u WHERE u.kind = 'grassroots_committee' AND u.valid_to IS NULL
		ORDER BY (SELECT count(*) FROM candidate_case c JOIN org_link l ON l.unit_id = c.cell_id AND l.valid_to IS NULL WHERE l.parent_id = u.id) DESC, u.id
		LIMIT 1`).Scan(&other); err != nil {
		t.Fatal(err)
	}
	a, err := auth.Resolve(bg, d.App, auth.Claims{Role: "board", Unit: other, RegisteredClaims: jwt.RegisteredClaims{Subject: "b"}})
	if err != nil {
		t.Fatal(err)
	}
	part, err := Load(auth.WithActor(bg, a), d.App, LoadOptions{AsOf: seedToday})
	if err != nil {
		t.Fatal(err)
	}
	if len(part.Cases) == 0 || len(part.Cases) >= len(all.Cases) || len(part.Units) >= len(all.Units) {
		t.Fatalf("scoped load: %d of %d cases, %d of %d units", len(part.Cases), len(all.Cases), len(part.Units), len(all.Units))
	}
	for _, u := range part.Units {
		if u.ID == root {
			t.Fatalf("the scoped load holds the surviving province %s", code)
		}
	}
}
