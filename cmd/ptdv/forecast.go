package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"ptdv/analytics/forecast"
	"ptdv/internal/auth"
)

// forecastCmd: `ptdv forecast backtest [--from YYYY-MM] [--level cell|commune|province]`.
func forecastCmd(fs *flag.FlagSet) func(context.Context, *env) error {
	from := fs.String("from", "", "mốc đầu tiên YYYY-MM (mặc định: tháng 1 của ba năm trọn vẹn gần nhất)")
	level := fs.String("level", "commune", "cấp chấm điểm: cell, commune hoặc province (có thể nhiều, cách nhau dấu phẩy)")
	return func(ctx context.Context, e *env) error {
		if len(e.args) != 1 || e.args[0] != "backtest" {
			fmt.Fprintln(os.Stderr, "ptdv forecast: chỉ có lệnh con backtest")
			return errUsage
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
