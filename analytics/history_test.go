package analytics

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"ptdv/analytics/forecast"
	"ptdv/internal/auth"
)

// TestForecastHistoryFromSnapshot: the forecasts' history read back from the nightly's DuckDB file is
// the history read from PostgreSQL, unit for unit, case for case (the demo data, across the 2025 merger),
// and only a national actor may read it from the file (it has no row-level scope).
func TestForecastHistoryFromSnapshot(t *testing.T) {
	ctx := context.Background()
	d, duck := openDemo(t)
	sys := auth.WithActor(ctx, auth.System("test"))
	opt := forecast.LoadOptions{AsOf: demoToday}
	fromPG, err := forecast.Load(sys, d.Owner, opt)
	if err != nil {
		t.Fatal(err)
	}
	fromFile, err := forecast.LoadSnapshot(sys, duck, opt)
	if err != nil {
		t.Fatal(err)
	}
	if len(fromPG.Cases) == 0 || len(fromPG.Admissions) == 0 || len(fromPG.YearEnd) == 0 || len(fromPG.Merges) == 0 {
		t.Fatalf("demo history too thin to compare: %d cases, %d admissions, %d year-ends, %d merges",
			len(fromPG.Cases), len(fromPG.Admissions), len(fromPG.YearEnd), len(fromPG.Merges))
	}
	if diff := cmp.Diff(fromPG, fromFile, cmpopts.EquateEmpty(), cmp.AllowUnexported(forecast.History{})); diff != "" {
		t.Errorf("history from the snapshot differs from PostgreSQL's (-pg +file):\n%.3000s", diff)
	}
	var code string
	if err := d.Owner.QueryRowContext(ctx, `SELECT code FROM org_unit WHERE kind = 'province' AND valid_to IS NULL LIMIT 1`).Scan(&code); err != nil {
		t.Fatal(err)
	}
	board := actor(t, d, auth.RoleBoard, code)
	if _, err := forecast.LoadSnapshot(board, duck, opt); err == nil {
		t.Error("a province board read the national history from the snapshot")
	}
}
