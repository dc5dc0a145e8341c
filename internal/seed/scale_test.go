package seed

import (
	"context"
	"log/slog"
	"os"
	"testing"
	"time"

	"ptdv/internal/pgtest"
)

// TestScale loads a larger scale and reports its time, rows per second and database size. It runs only
// when PTDV_SEED_SCALE names the scale ("province" or "national"; PTDV_SEED_NATIONAL=1 means national),
// never in make test. PTDV_SEED_CHECK=1 runs the consistency checks of the demo test on the result (the
// replay of every member's events only below 5 million events). Put the private cluster on disk for
// the national scale: the database takes about 18 GB, more than /dev/shm holds.
//
//	PTDV_SEED_NATIONAL=1 PTDV_TEST_PGDIR=/var/tmp go test ./internal/seed -run TestScale -v -timeout 60m
//
// SEED_INDEX_WORKERS=1 builds the indexes one at a time (to time them one by one with the debug log).
func TestScale(t *testing.T) {
	scale := os.Getenv("PTDV_SEED_SCALE")
	if os.Getenv("PTDV_SEED_NATIONAL") == "1" {
		scale = "national"
	}
	if scale == "" {
		t.Skip("set PTDV_SEED_NATIONAL=1 (or PTDV_SEED_SCALE=province) to load a large scale")
	}
	if os.Getenv("SEED_INDEX_WORKERS") == "1" {
		indexWorkers = 1
	}
	d := pgtest.New(t)
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	st, err := Run(context.Background(), d.URL, Options{Scale: scale, Seed: 2016, Today: time.Date(2026, 5, 15, 0, 0, 0, 0, time.UTC),
		Progress: os.Stderr, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	if os.Getenv("PTDV_SEED_CHECK") == "1" {
		today := time.Date(2026, 5, 15, 0, 0, 0, 0, time.UTC)
		checkTree(t, d.Owner, today)
		checkMembers(t, d.Owner)
		checkCases(t, d.Owner, today)
	}
	t.Logf("%s: %d units, %d persons, %d members, %d cases, %d events, %d rows in %s: %.0f rows/s, database %.2f GB",
		scale, st.Units, st.Persons, st.Members, st.Cases, st.Events, st.Rows, st.Duration.Round(time.Second), st.RowsPerSec,
		float64(st.DBSizeBytes)/(1<<30))
}
