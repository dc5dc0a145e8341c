package forecast

import (
	"context"
	"testing"

	"github.com/golang-jwt/jwt/v5"

	"ptdv/internal/apperr"
	"ptdv/internal/auth"
	"ptdv/internal/fixture"
)

// TestPublish writes a run to reporting.forecast (twice: no duplicates), reads a target's latest
// forecast and the children at risk as a board of the province, and gets NOT_FOUND outside its scope.
func TestPublish(t *testing.T) {
	t.Parallel()
	d := fixture.Seeded(t, 3, seedToday)
	bg := context.Background()
	sys := auth.WithActor(bg, auth.System("forecast-test"))
	h, err := Load(sys, d.App, LoadOptions{AsOf: seedToday})
	if err != nil {
		t.Fatal(err)
	}
	rs := Fit(h, h.AsOf, Options{}).ForecastAll()
	if len(rs) < 10 {
		t.Fatalf("%d forecasts", len(rs))
	}
	for range 2 {
		if err := Publish(sys, d.Owner, "run-1", rs); err != nil {
			t.Fatal(err)
		}
	}
	var n int
	if err := d.Owner.QueryRowContext(bg, `SELECT count(*) FROM reporting.forecast WHERE run_id = 'run-1'`).Scan(&n); err != nil || n != len(rs) {
		t.Fatalf("%d rows (%v), want %d", n, err, len(rs))
	}
	if err := Publish(sys, d.Owner, "", rs); apperr.CodeOf(err) != apperr.InvalidInput {
		t.Errorf("empty run id: %v", err)
	}

	var province int64
	var code string
	if err := d.Owner.QueryRowContext(bg, `SELECT id, code FROM org_unit WHERE kind = 'province' AND valid_to IS NULL`).Scan(&province, &code); err != nil {
		t.Fatal(err)
	}
	board, err := auth.Resolve(bg, d.App, auth.Claims{Role: "board", Unit: code, RegisteredClaims: jwt.RegisteredClaims{Subject: "b"}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := auth.WithActor(bg, board)
	risk, err := AtRisk(ctx, d.App, province, "year")
	if err != nil {
		t.Fatal(err)
	}
	if len(risk) == 0 {
		t.Fatal("no child of the province at risk or not")
	}
	for i := 1; i < len(risk); i++ {
		a, b := risk[i-1].PMeet, risk[i].PMeet
		if a != nil && b != nil && *a > *b || a == nil && b != nil {
			t.Fatalf("not sorted by P(meet): %v then %v", a, b)
		}
	}
	byTarget := map[int64]Result{}
	for _, r := range rs {
		byTarget[r.TargetID] = r
	}
	first := risk[0]
	want := byTarget[first.TargetID]
	got, err := LatestForecast(ctx, d.App, first.UnitID, first.TargetID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Expected != want.Expected || got.Lo80 != want.Lo80 || got.Hi95 != want.Hi95 || got.Explanation != want.Explanation || got.RunID != "run-1" {
		t.Errorf("read back %+v, wrote %+v", got, want)
	}
	if _, err := AtRisk(ctx, d.App, province, "month"); apperr.CodeOf(err) != apperr.InvalidInput {
		t.Errorf("bad period kind: %v", err)
	}

	// A board of one commune sees neither the province's children nor another unit's forecast.
	var commune string
	var communeID int64
	if err := d.Owner.QueryRowContext(bg, `SELECT u.code, u.id FROM org_unit u JOIN org_link l ON l.unit_id = u.id AND l.valid_to IS NULL
		WHERE u.kind = 'grassroots_committee' AND u.valid_to IS NULL AND u.id <> ? ORDER BY u.id LIMIT 1`, first.UnitID).Scan(&commune, &communeID); err != nil {
		t.Fatal(err)
	}
	other, err := auth.Resolve(bg, d.App, auth.Claims{Role: "board", Unit: commune, RegisteredClaims: jwt.RegisteredClaims{Subject: "c"}})
	if err != nil {
		t.Fatal(err)
	}
	octx := auth.WithActor(bg, other)
	if _, err := LatestForecast(octx, d.App, first.UnitID, first.TargetID); apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("another unit's forecast: %v, want NOT_FOUND", err)
	}
	if _, err := AtRisk(octx, d.App, province, "year"); apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("the province's children from a commune: %v, want NOT_FOUND", err)
	}
	if _, err := LatestForecast(ctx, d.App, first.UnitID, 987654321); apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("a missing target: %v", err)
	}
}
