package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"ptdv/analytics/report"
	"ptdv/internal/db"
	"ptdv/internal/vn"
)

// reportCmd: `ptdv report [--unit CODE] [--out DIR] [--as-of YYYY-MM-DD] [--pdf auto|on|off]` writes the
// nightly report from what the last runs published (the nightly job writes it too).
func reportCmd(fs *flag.FlagSet) func(context.Context, *env) error {
	unit := fs.String("unit", "", "mã đảng bộ tỉnh (trống: mọi tỉnh)")
	out := fs.String("out", "", "thư mục báo cáo (mặc định: $PTDV_DATA/analytics/report)")
	asOf := fs.String("as-of", "", "dùng lượt chạy mới nhất đến ngày YYYY-MM-DD (mặc định: mới nhất)")
	pdf := fs.String("pdf", envOr("PTDV_REPORT_PDF", "auto"), "in PDF qua Chromium: auto (nếu đã cài), on (bắt buộc), off (env PTDV_REPORT_PDF)")
	return func(ctx context.Context, e *env) error {
		if *pdf != "auto" && *pdf != "on" && *pdf != "off" {
			fmt.Fprintf(os.Stderr, "--pdf: auto, on hoặc off, không phải %q\n", *pdf)
			return errUsage
		}
		o := report.Options{Unit: *unit, Out: *out, PDF: *pdf}
		if *asOf != "" {
			t, err := time.Parse(time.DateOnly, *asOf)
			if err != nil {
				return fmt.Errorf("--as-of %q: cần dạng YYYY-MM-DD", *asOf)
			}
			o.AsOf = t
		}
		url, err := e.migratedOwner(ctx)
		if err != nil {
			return err
		}
		return e.report(ctx, url, o)
	}
}

// report writes the reports (as the owner: the whole country) and says where.
func (e *env) report(ctx context.Context, url string, o report.Options) error {
	if o.Out == "" {
		dir, err := e.dataDir()
		if err != nil {
			return err
		}
		o.Out = filepath.Join(dir, "analytics", "report")
	}
	owner, err := db.Open(ctx, url, db.Options{ApplicationName: "ptdv-report"})
	if err != nil {
		return err
	}
	defer owner.Close()
	sum, err := report.Generate(ctx, owner, o)
	if err != nil {
		return err
	}
	steps := []any{"took", sum.Took.Round(time.Millisecond)}
	for k, v := range sum.Steps {
		steps = append(steps, k, v.Round(time.Millisecond))
	}
	e.log.Info("report written", steps...)
	pages, pdfs := 0, 0
	for _, p := range sum.Manifest.Provinces {
		pages += p.Pages
		if p.PDF != "" {
			pdfs++
		}
	}
	fmt.Printf("Báo cáo ngày %s: %s đảng bộ tỉnh, %s trang, %s tệp PDF, tại %s (mục lục: %s); lập trong %s.\n",
		vn.Date(sum.Manifest.AsOf), vn.Int(int64(len(sum.Manifest.Provinces))), vn.Int(int64(pages)), vn.Int(int64(pdfs)),
		sum.Dir, filepath.Join(o.Out, "index.html"), secs(sum.Took))
	if sum.Manifest.PDFNote != "" {
		fmt.Println(sum.Manifest.PDFNote)
	}
	return nil
}
