package report

import (
	"context"
	"os"
	"testing"

	"ptdv/internal/db"
	"ptdv/internal/pgtest"
)

// BenchmarkReport writes every province's report (HTML pages, workbooks; no PDF) from the published
// runs: on the small seed (two provinces, published first, outside the timer), or on the database at
// PTDV_REPORT_BENCH_URL (read-only: it must hold a succeeded nightly run and a forecast run, e.g. the
// national fixture after `ptdv nightly`). It reports seconds per province and pages per second.
func BenchmarkReport(b *testing.B) {
	ctx := context.Background()
	var idb interface{ Close() error }
	opt := Options{PDF: "off"}
	var gen func() (Summary, error)
	if url := os.Getenv("PTDV_REPORT_BENCH_URL"); url != "" {
		conn, err := db.Open(ctx, url, db.Options{ApplicationName: "ptdv-report-bench"})
		if err != nil {
			b.Fatal(err)
		}
		idb = conn
		opt.ReadOnly = true
		gen = func() (Summary, error) { opt.Out = b.TempDir(); return Generate(ctx, conn, opt) }
	} else {
		d := pgtest.New(b)
		published(b, d)
		gen = func() (Summary, error) { opt.Out = b.TempDir(); return Generate(ctx, d.Owner, opt) }
	}
	if idb != nil {
		defer idb.Close()
	}
	var last Summary
	b.ResetTimer()
	for b.Loop() {
		s, err := gen()
		if err != nil {
			b.Fatal(err)
		}
		last = s
	}
	b.StopTimer()
	pages := 0
	for _, p := range last.Manifest.Provinces {
		pages += p.Pages
	}
	n := float64(len(last.Manifest.Provinces))
	b.ReportMetric(last.Took.Seconds()/max(n, 1), "s/province")
	b.ReportMetric(float64(pages)/last.Took.Seconds(), "pages/s")
	b.Logf("%d provinces, %d pages in %s; %v", len(last.Manifest.Provinces), pages, last.Took, last.Steps)
}
