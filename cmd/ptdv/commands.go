package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"net/http/pprof"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"ptdv/analytics"
	"ptdv/analytics/report"
	"ptdv/graph"
	"ptdv/internal/auth"
	"ptdv/internal/org"
	"ptdv/internal/page"
	"ptdv/internal/sample"
	"ptdv/internal/seed"
	"ptdv/internal/server"
	"ptdv/internal/target"
	"ptdv/internal/vn"
)

func serveCmd(fs *flag.FlagSet) func(context.Context, *env) error {
	dev := fs.Bool("dev", os.Getenv("PTDV_DEV") == "1", "chế độ phát triển: GraphiQL tại /, introspection, không bắt buộc first (env PTDV_DEV=1)")
	noMigrate := fs.Bool("no-migrate", false, "không tự áp dụng migration khi khởi động")
	nightlyAt := fs.String("nightly-at", envOr("PTDV_NIGHTLY_AT", "02:00"), "giờ chạy tổng hợp hằng đêm (giờ Việt Nam, HH:MM) hoặc off (env PTDV_NIGHTLY_AT)")
	return func(ctx context.Context, e *env) error {
		h, m, on, err := parseNightlyAt(*nightlyAt)
		if err != nil {
			return err
		}
		url, err := e.ownerURL(ctx)
		if err != nil {
			return err
		}
		if !*noMigrate {
			if _, err := e.migrate(ctx, url); err != nil {
				return err
			}
		}
		if on {
			go e.scheduleNightly(ctx, url, h, m)
		}
		return e.serve(ctx, url, *dev, "", nil)
	}
}

// trustedDocuments loads PTDV_TRUSTED_DOCUMENTS; PTDV_TRUSTED_ONLY=1 without a manifest is an error
// (a production server that would refuse everything).
func (e *env) trustedDocuments() (*graph.TrustedDocuments, error) {
	path, only := e.get("PTDV_TRUSTED_DOCUMENTS"), e.get("PTDV_TRUSTED_ONLY")
	if only != "0" && only != "1" {
		return nil, fmt.Errorf("PTDV_TRUSTED_ONLY must be 0 or 1")
	}
	if path == "" {
		if only == "1" {
			return nil, fmt.Errorf("PTDV_TRUSTED_ONLY=1 needs PTDV_TRUSTED_DOCUMENTS (the manifest of the frontends' operations)")
		}
		return nil, nil
	}
	t, err := graph.LoadTrustedDocuments(path)
	if err != nil {
		return nil, err
	}
	t.Only = only == "1"
	e.log.Info("trusted documents", "path", path, "documents", t.Len(), "only", t.Only)
	return t, nil
}

func envOr(name, def string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return def
}

// serve runs the API until ctx ends. banner, if set, is printed once the port is open.
func (e *env) serve(ctx context.Context, url string, dev bool, devToken string, banner func(addr string)) error {
	app, err := e.appDB(ctx, url)
	if err != nil {
		return err
	}
	secret, err := e.jwtSecret()
	if err != nil {
		return err
	}
	rt, err := e.duration("PTDV_REQUEST_TIMEOUT")
	if err != nil {
		return err
	}
	var share int
	if _, err := fmt.Sscan(e.get("PTDV_ACTOR_CONCURRENCY"), &share); err != nil || share < 1 {
		return fmt.Errorf("PTDV_ACTOR_CONCURRENCY must be a positive number")
	}
	trusted, err := e.trustedDocuments()
	if err != nil {
		return err
	}
	read, err := e.readDB(ctx)
	if err != nil {
		return err
	}
	if addr := e.get("PTDV_PPROF"); addr != "" {
		// The profiler on its own listener, never on the API's: off unless asked for.
		go func() {
			e.log.Info("pprof", "addr", addr)
			if err := http.ListenAndServe(addr, pprofMux()); err != nil {
				e.log.Error("pprof", "err", err)
			}
		}()
	}
	h := server.New(server.Config{DB: app, JWTSecret: secret, Dev: dev, Logger: e.log, RequestTimeout: rt,
		ActorConcurrency: share, DevToken: devToken, DevQuery: exampleQuery, Trusted: trusted, ReadDB: read})
	err = server.Serve(ctx, e.get("PTDV_LISTEN"), h, 20*time.Second, func(addr string) {
		e.log.Info("serving", "addr", addr, "dev", dev)
		if banner != nil {
			banner(addr)
		}
	})
	if err == nil {
		e.log.Info("server stopped: requests in flight finished")
	}
	return err
}

func migrateCmd(fs *flag.FlagSet) func(context.Context, *env) error {
	return func(ctx context.Context, e *env) error {
		url, err := e.ownerURL(ctx)
		if err != nil {
			return err
		}
		applied, err := e.migrate(ctx, url)
		if err != nil {
			return err
		}
		if len(applied) == 0 {
			fmt.Println("Cơ sở dữ liệu đã ở phiên bản mới nhất.")
		}
		for _, v := range applied {
			fmt.Println("đã áp dụng", v)
		}
		return nil
	}
}

func tokenCmd(fs *flag.FlagSet) func(context.Context, *env) error {
	role := fs.String("role", "viewer", "vai trò: admin, board, secretary, analyst, viewer")
	unit := fs.String("unit", "", "mã tổ chức đảng gốc của phạm vi (trống: toàn quốc, chỉ cho admin)")
	subject := fs.String("subject", "", "người dùng (mặc định: <role>@<unit>)")
	ttl := fs.Duration("ttl", 24*time.Hour, "thời hạn của mã")
	return func(ctx context.Context, e *env) error {
		r, err := auth.ParseRole(*role)
		if err != nil {
			return err
		}
		if *unit == "" && !r.Holds(auth.PermNationalScope) {
			return fmt.Errorf("--unit is required for role %s (only admin may have national scope)", r)
		}
		secret, err := e.jwtSecret()
		if err != nil {
			return err
		}
		sub := *subject
		if sub == "" {
			sub = *role + "@" + strings.ToLower(*unit)
			if *unit == "" {
				sub = *role + "@national"
			}
		}
		tok, err := auth.Mint(secret, sub, r, strings.ToUpper(*unit), *ttl, time.Now())
		if err != nil {
			return err
		}
		fmt.Println(tok)
		return nil
	}
}

func nightlyCmd(fs *flag.FlagSet) func(context.Context, *env) error {
	asOf := fs.String("as-of", "", "ngày chốt số liệu YYYY-MM-DD (mặc định: hôm nay)")
	return func(ctx context.Context, e *env) error {
		url, err := e.migratedOwner(ctx)
		if err != nil {
			return err
		}
		return e.nightly(ctx, url, *asOf)
	}
}

func (e *env) nightly(ctx context.Context, url, asOf string) error {
	dir, err := e.dataDir()
	if err != nil {
		return err
	}
	opts := analytics.NightlyOptions{Options: analytics.Options{Logger: e.log, MemoryLimit: "1GB", Threads: 2}}
	if asOf != "" {
		if opts.AsOf, err = time.Parse(time.DateOnly, asOf); err != nil {
			return fmt.Errorf("--as-of: %w", err)
		}
	}
	run, err := analytics.Nightly(ctx, url, filepath.Join(dir, "analytics"), opts)
	if errors.Is(err, analytics.ErrRunning) {
		return fmt.Errorf("một lượt nightly khác đang chạy trên cơ sở dữ liệu này; thử lại sau khi nó kết thúc")
	}
	if err != nil {
		return err
	}
	run.Snapshot.Print(os.Stdout)
	if err := analytics.PrintYear(ctx, os.Stdout, run.Snapshot.Path); err != nil {
		return err
	}
	fmt.Printf("\nLượt chạy %d: %s; Parquet tại %s.\n", run.ID, stepsVN(run.Steps, run.Duration), run.Parquet.Dir)
	// The forecasts of every open target, published beside the snapshot (reporting.forecast), then the
	// reports of every province from what was just published.
	if err := e.forecastRun(ctx, url, asOf, run.Snapshot.Path); err != nil {
		return err
	}
	pdf := envOr("PTDV_REPORT_PDF", "auto")
	if pdf != "auto" && pdf != "on" && pdf != "off" {
		return fmt.Errorf("PTDV_REPORT_PDF: auto, on hoặc off, không phải %q", pdf)
	}
	return e.report(ctx, url, report.Options{PDF: pdf})
}

const exampleQuery = `# Cây tổ chức đảng hôm nay: các tỉnh, và đơn vị trực thuộc của từng tỉnh.
query DemoTree {
  rootUnits(first: 10) {
    nodes {
      code
      name
      kindLabel
      childCount
      children(first: 5) {
        nodes { code name kindLabel childCount }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
}
`

func demoCmd(fs *flag.FlagSet) func(context.Context, *env) error {
	noServe := fs.Bool("no-serve", false, "chỉ nạp dữ liệu và chạy nightly, không phục vụ API")
	dataset := fs.String("dataset", "province", "dữ liệu: province (sinh một tỉnh quy mô thật, ptdv seed) hoặc sample (bộ mẫu nhỏ theo các bài báo)")
	return func(ctx context.Context, e *env) error {
		url, app, err := e.migratedApp(ctx)
		if err != nil {
			return err
		}
		switch *dataset {
		case "province":
			if err := e.seedProvince(ctx, app, url); err != nil {
				return err
			}
		case "sample":
			sum, err := sample.Load(ctx, app)
			if err != nil {
				return fmt.Errorf("load demo data: %w", err)
			}
			fmt.Printf("Dữ liệu mẫu: %d tổ chức đảng, %d thao tác đã ghi, %d thôn/tổ dân phố; %d người, %d đảng viên, %d hồ sơ phát triển đảng viên (%d việc quá hạn); nạp trong %s.\n",
				sum.Units, sum.Operations, sum.Villages, sum.Persons, sum.Members, sum.Cases, sum.Overdue, sum.Duration.Round(time.Millisecond))
		default:
			fmt.Fprintf(os.Stderr, "--dataset: province hoặc sample, không phải %q\n", *dataset)
			return errUsage
		}
		if err := printProgress(ctx, app); err != nil {
			return err
		}
		if err := e.nightly(ctx, url, ""); err != nil {
			return err
		}
		if *noServe {
			return nil
		}
		secret, err := e.jwtSecret()
		if err != nil {
			return err
		}
		tok, err := auth.Mint(secret, "admin@demo", auth.RoleAdmin, "", 30*24*time.Hour, time.Now())
		if err != nil {
			return err
		}
		return e.serve(ctx, url, true, tok, func(addr string) {
			fmt.Printf(`
ptdv đang chạy (chế độ demo) — nhấn Ctrl+C để dừng.

  GraphiQL:  http://%[1]s/
  GraphQL:   http://%[1]s/graphql

Mã đăng nhập quản trị (toàn quốc, hạn 30 ngày):
  %[2]s

Truy vấn mẫu:
  curl -s http://%[1]s/graphql -H 'Content-Type: application/json' \
    -H 'Authorization: Bearer %[2]s' \
    -d '{"query":"{ rootUnits(first: 10) { nodes { code name childCount } } }"}'

`, addr, tok)
		})
	}
}

// seedProvince fills an empty database with a province-size seed; a database that already holds units
// (an earlier demo) is used as it is.
func (e *env) seedProvince(ctx context.Context, app bun.IDB, url string) error {
	var units int
	if err := app.NewRaw(`SELECT count(*) FROM (SELECT 1 FROM org_unit LIMIT 1) x`).Scan(ctx, &units); err != nil {
		return err
	}
	if units > 0 {
		fmt.Println("Dùng lại dữ liệu đã có trong cơ sở dữ liệu (xóa thư mục dữ liệu để sinh lại).")
		return nil
	}
	fmt.Println("Sinh dữ liệu một tỉnh quy mô thật (ptdv seed --scale province)…")
	st, err := seed.Run(ctx, url, seed.Options{Scale: "province", Seed: 1, FromYear: 2016, Progress: os.Stderr, Logger: e.log})
	if err != nil {
		return err
	}
	fmt.Printf("Đã sinh %d tổ chức đảng, %d người, %d đảng viên, %d hồ sơ, %d sự kiện trong %s (%.0f dòng/giây; cơ sở dữ liệu %d MB).\n",
		st.Units, st.Persons, st.Members, st.Cases, st.Events, st.Duration.Round(time.Second), st.RowsPerSec, st.DBSizeBytes>>20)
	return nil
}

// printProgress shows where each demo province stands against this year's admission target.
func printProgress(ctx context.Context, db bun.IDB) error {
	ctx = auth.WithActor(ctx, auth.System("demo"))
	now := time.Now()
	roots, err := org.Roots(ctx, db, now, page.Args{First: 100})
	if err != nil {
		return err
	}
	fmt.Printf("\nChỉ tiêu kết nạp năm %d (đến ngày %s):\n", now.Year(), vn.Date(now))
	for _, u := range roots.Items {
		p, err := target.ProgressForUnit(ctx, db, u.ID, target.MeasureAdmissions, target.PeriodYear, now)
		if err != nil {
			return err
		}
		if p.TargetCount == nil {
			continue
		}
		fmt.Printf("  %-32s %3d/%-3d đảng viên (%s %%; thời gian đã qua %s %%; cùng kỳ năm trước %d)\n",
			u.Name, p.Admitted, *p.TargetCount, vnNumber(p.PercentDone), vnNumber(&p.PercentElapsed), p.SamePeriodLastYear)
		behind, err := target.ChildrenProgress(ctx, db, u.ID, target.MeasureAdmissions, p.Period, now, target.SortPercentAsc, page.Args{First: 5})
		if err != nil {
			return err
		}
		if len(behind.Items) > 0 {
			fmt.Println("    Chậm nhất:")
		}
		for _, c := range behind.Items {
			if c.Progress.TargetCount == nil {
				continue
			}
			fmt.Printf("      %-30s %3d/%-3d (%s %%)\n", c.Unit.Name, c.Progress.Admitted, *c.Progress.TargetCount, vnNumber(c.Progress.PercentDone))
		}
	}
	fmt.Println()
	return nil
}

// vnNumber writes 1234.5 as "1.234,5", nil as a dash.
func vnNumber(x *float64) string {
	if x == nil {
		return "—"
	}
	return vn.Decimal(*x, 1)
}

func seedCmd(fs *flag.FlagSet) func(context.Context, *env) error {
	scale := fs.String("scale", "province", "quy mô: small, province hoặc national")
	seedN := fs.Uint64("seed", 1, "hạt giống ngẫu nhiên: cùng hạt giống cho cùng dữ liệu")
	from := fs.Int("from", 2016, "năm bắt đầu lịch sử")
	return func(ctx context.Context, e *env) error {
		url, err := e.migratedOwner(ctx)
		if err != nil {
			return err
		}
		st, err := seed.Run(ctx, url, seed.Options{Scale: *scale, Seed: *seedN, FromYear: *from, Progress: os.Stderr, Logger: e.log})
		if err != nil {
			return err
		}
		fmt.Printf("Đã sinh %d tổ chức đảng, %d người, %d đảng viên, %d hồ sơ, %d sự kiện trong %s (%.0f dòng/giây; cơ sở dữ liệu %d MB).\n",
			st.Units, st.Persons, st.Members, st.Cases, st.Events, st.Duration.Round(time.Second), st.RowsPerSec, st.DBSizeBytes>>20)
		return nil
	}
}

// pprofMux serves net/http/pprof's handlers (PTDV_PPROF), not registered on the default mux.
func pprofMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return mux
}
