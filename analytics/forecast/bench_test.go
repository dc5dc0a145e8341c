//go:build unix

package forecast

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"syscall"
	"testing"
	"time"

	"ptdv/internal/auth"
	"ptdv/internal/db"
	"ptdv/internal/pgtest"
	"ptdv/internal/seed"
)

// benchHistory loads a province-scale history: from PTDV_FORECAST_BENCH_URL (a database seeded with
// `ptdv seed --scale province`), else by seeding one into a test database (about a minute). Opt-in:
// PTDV_BENCH_FORECAST=1 or the URL.
func benchHistory(b *testing.B) *History {
	url := os.Getenv("PTDV_FORECAST_BENCH_URL")
	if url == "" && os.Getenv("PTDV_BENCH_FORECAST") != "1" {
		b.Skip("set PTDV_BENCH_FORECAST=1 (seeds a province, ≈ 1 min) or PTDV_FORECAST_BENCH_URL to a seeded database")
	}
	bg := context.Background()
	asOf := time.Now()
	if url == "" {
		d := pgtest.New(b)
		asOf = seedToday
		if _, err := seed.Run(bg, d.URL, seed.Options{Scale: "province", Seed: 1, Today: seedToday}); err != nil {
			b.Fatal(err)
		}
		url = d.URL
	}
	conn, err := db.Open(bg, url, db.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	t0 := time.Now()
	h, err := Load(auth.WithActor(bg, auth.System("bench")), conn, LoadOptions{AsOf: asOf, From: asOf.AddDate(-10, 0, 0)})
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("loaded %d units, %d cases, %d admissions, %d targets in %s", len(h.Units), len(h.Cases), len(h.Admissions), len(h.Targets), time.Since(t0).Round(time.Millisecond))
	return h
}

// cpuTime is the process's user and system CPU time: on a shared machine the wall time of a run
// depends on the neighbours, its CPU time much less.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// nationalFactor scales a province-scale time to the national one, linearly in the cases and
// admissions (5.6 million members against the province seed's 211,000): an extrapolation, not a
// measurement.
const nationalFactor = 5.6e6 / 211e3

// BenchmarkForecast: one nightly run's forecasts at province scale (fit at today, every open target),
// and a three-year commune-level backtest. Run with -bench Forecast -benchtime 1x.
func BenchmarkForecast(b *testing.B) {
	h := benchHistory(b)
	b.Run("nightly", func(b *testing.B) {
		for b.Loop() {
			t0, c0 := time.Now(), cpuTime()
			m := Fit(h, h.AsOf, Options{})
			fit := time.Since(t0)
			rs := m.ForecastAll()
			all, cpu := time.Since(t0), cpuTime()-c0
			b.ReportMetric(float64(len(rs)), "targets")
			b.ReportMetric(fit.Seconds(), "fit-s")
			b.ReportMetric(all.Seconds()*nationalFactor, "national-extrapolated-s")
			b.ReportMetric(cpu.Seconds(), "cpu-s")
			fmt.Fprintf(os.Stderr, "forecast nightly: fit %s, %d targets forecast in %s (CPU %s); national extrapolated ×%.1f: %.1f s wall, %.1f s CPU\n",
				fit.Round(time.Millisecond), len(rs), (all - fit).Round(time.Millisecond), cpu.Round(time.Millisecond), nationalFactor,
				all.Seconds()*nationalFactor, cpu.Seconds()*nationalFactor)
		}
	})
	b.Run("backtest3y", func(b *testing.B) {
		for b.Loop() {
			t0, c0 := time.Now(), cpuTime()
			out, err := Backtest(h, BacktestOptions{Level: "commune"})
			if err != nil {
				b.Fatal(err)
			}
			d, cpu := time.Since(t0), cpuTime()-c0
			b.ReportMetric(float64(len(out)), "forecasts")
			b.ReportMetric(d.Seconds()*nationalFactor, "national-extrapolated-s")
			b.ReportMetric(cpu.Seconds(), "cpu-s")
			fmt.Fprintf(os.Stderr, "forecast backtest, commune level, 36 origins: %s (CPU %s, %d workers); national extrapolated ×%.1f: %.0f s wall, %.0f s CPU\n",
				d.Round(time.Millisecond), cpu.Round(time.Millisecond), runtime.GOMAXPROCS(0), nationalFactor, d.Seconds()*nationalFactor, cpu.Seconds()*nationalFactor)
		}
	})
}
