package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"ptdv/analytics"
	"ptdv/analytics/forecast"
	"ptdv/internal/auth"
	"ptdv/internal/db"
	"ptdv/internal/vn"
)

// forecastCmd: `ptdv forecast backtest [--from YYYY-MM] [--level cell|commune|province]` and
// `ptdv forecast run [--as-of YYYY-MM-DD]` (forecast every open target and publish to reporting.forecast).
func forecastCmd(fs *flag.FlagSet) func(context.Context, *env) error {
	from := fs.String("from", "", "backtest: mốc đầu tiên YYYY-MM (mặc định: tháng 1 của ba năm trọn vẹn gần nhất)")
	level := fs.String("level", "commune", "backtest: cấp chấm điểm: cell, commune hoặc province (có thể nhiều, cách nhau dấu phẩy)")
	asOf := fs.String("as-of", "", "run: ngày chốt số liệu YYYY-MM-DD (mặc định: hôm nay)")
	return func(ctx context.Context, e *env) error {
		if len(e.args) != 1 || (e.args[0] != "backtest" && e.args[0] != "run") {
			fmt.Fprintln(os.Stderr, "ptdv forecast: lệnh con là backtest hoặc run")
			return errUsage
		}
		if e.args[0] == "run" {
			url, err := e.migratedOwner(ctx)
			if err != nil {
				return err
			}
			return e.forecastRun(ctx, url, *asOf, "")
		}
		var opt forecast.BacktestOptions
		if *from != "" {
			t, err := time.Parse("2006-01", *from)
			if err != nil {
				return fmt.Errorf("--from %q: cần dạng YYYY-MM", *from)
			}
			opt.From = forecast.MonthEnd(forecast.DayOf(t))
		}
		_, app, err := e.migratedApp(ctx)
		if err != nil {
			return err
		}
		ctx = auth.WithActor(ctx, auth.System("ptdv-forecast"))
		t0 := time.Now()
		lo := forecast.LoadOptions{}
		if opt.From != 0 {
			lo.From = opt.From.Time().AddDate(-7, 0, 0)
		} else {
			lo.From = time.Now().AddDate(-10, 0, 0)
		}
		h, err := forecast.Load(ctx, app, lo)
		if err != nil {
			return err
		}
		e.log.Info("forecast: history loaded", "cases", len(h.Cases), "admissions", len(h.Admissions), "took", time.Since(t0).Round(time.Millisecond))
		for _, lv := range splitComma(*level) {
			opt.Level = lv
			t1 := time.Now()
			out, err := forecast.Backtest(h, opt)
			if err != nil {
				return err
			}
			forecast.PrintBacktest(os.Stdout, lv, out, time.Since(t1))
			fmt.Println()
		}
		return nil
	}
}

func splitComma(s string) []string {
	var out []string
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == ',' {
			if i > start {
				out = append(out, s[start:i])
			}
			start = i + 1
		}
	}
	return out
}

// forecastRun forecasts every open admissions target as of a day and publishes the run to
// reporting.forecast (as the schema owner, like the nightly snapshot).
// snapshot, when set, is the DuckDB file the nightly job has just published: the history is read back
// from it (seconds) instead of from PostgreSQL (minutes at national size).
func (e *env) forecastRun(ctx context.Context, ownerURL, asOf, snapshot string) error {
	day := time.Now()
	if asOf != "" {
		var err error
		if day, err = time.Parse(time.DateOnly, asOf); err != nil {
			return fmt.Errorf("--as-of: %w", err)
		}
	}
	owner, err := db.Open(ctx, ownerURL, db.Options{ApplicationName: "ptdv-forecast"})
	if err != nil {
		return err
	}
	defer owner.Close()
	ctx = auth.WithActor(ctx, auth.System("ptdv-forecast"))
	t0 := time.Now()
	var h *forecast.History
	if snapshot != "" {
		duck, err := analytics.Open(snapshot)
		if err != nil {
			return err
		}
		h, err = forecast.LoadSnapshot(ctx, duck, forecast.LoadOptions{AsOf: day})
		duck.Close()
		if err != nil {
			return err
		}
	} else if h, err = forecast.Load(ctx, owner, forecast.LoadOptions{AsOf: day}); err != nil {
		return err
	}
	tl := time.Since(t0)
	rs := forecast.Fit(h, h.AsOf, forecast.Options{}).ForecastAll()
	tf := time.Since(t0) - tl
	run := forecast.RunID(t0)
	if err := forecast.Publish(ctx, owner, run, rs); err != nil {
		return err
	}
	// The report's backtest (the last complete year, commune level), again when a week old.
	fresh, err := forecast.BacktestFresh(ctx, owner, "commune", day, 7*24*time.Hour)
	if err != nil {
		return err
	}
	if !fresh {
		t1 := time.Now()
		bt, err := forecast.ReportBacktest(h)
		if err != nil {
			return err
		}
		if err := forecast.PublishBacktest(ctx, owner, run, "commune", bt); err != nil {
			return err
		}
		fmt.Printf("Kiểm định ngược năm %d cho báo cáo: %s dự báo cấp xã, %s.\n", day.Year()-1, vn.Int(int64(len(bt))), secs(time.Since(t1)))
	}
	risk := 0
	for _, r := range rs {
		if r.PMeet != nil && *r.PMeet < 0.5 {
			risk++
		}
	}
	fmt.Printf("Dự báo ngày %s (lần chạy %s): %s chỉ tiêu đang mở, %s có khả năng đạt dưới 50 %%; đọc lịch sử %s, dự báo %s, tổng %s.\n",
		vn.Date(day), run, vn.Int(int64(len(rs))), vn.Int(int64(risk)), secs(tl), secs(tf), secs(time.Since(t0)))
	return nil
}

func secs(d time.Duration) string { return vn.Decimal(d.Seconds(), 1) + " s" }
