package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

var errUsage = errors.New("usage")

// command is one subcommand: its flags, its help and what it does.
type command struct {
	name, summary string
	flags         func(fs *flag.FlagSet) func(ctx context.Context, env *env) error
	// args names the positional arguments ("KIND FILE"); commands without it take none.
	args string
}

var commands = []command{
	{"serve", "chạy máy chủ GraphQL (serve the GraphQL API)", serveCmd, ""},
	{"migrate", "áp dụng các bản chuyển đổi cơ sở dữ liệu (apply database migrations)", migrateCmd, ""},
	{"demo", "nạp dữ liệu mẫu, chạy nightly và phục vụ API (load demo data, run nightly, serve)", demoCmd, ""},
	{"token", "cấp mã đăng nhập JWT (mint a bearer token)", tokenCmd, ""},
	{"nightly", "chụp dữ liệu sang DuckDB và in số liệu (snapshot into DuckDB)", nightlyCmd, ""},
	{"analytics", "truy vấn bản chụp phân tích mới nhất (analytics views | sql \"SELECT …\" [--format table|csv|json])", analyticsCmd, "views | sql QUERY"},
	{"seed", "sinh dữ liệu mô phỏng quy mô demo, tỉnh hoặc toàn quốc (generate realistic data)", seedCmd, ""},
	{"import", "nhập danh sách từ tệp Excel/CSV (import candidates|members|units|targets FILE, or template KIND)", importCmd, "candidates|members|units|targets FILE  |  template KIND"},
	{"forecast", "dự báo kết nạp theo chỉ tiêu; kiểm định ngược (forecast backtest)", forecastCmd, "backtest"},
	{"report", "lập báo cáo tiến độ, dự báo, cơ cấu theo tỉnh: HTML, XLSX, PDF (write the nightly report)", reportCmd, ""},
	{"export", "xuất danh sách của một đơn vị ra Excel/CSV (export candidates|members|units|targets of a subtree)", exportCmd, "candidates|members|units|targets"},
}

func usage(w io.Writer) {
	fmt.Fprint(w, `ptdv — phát triển đảng viên: theo dõi nguồn, hồ sơ, kết nạp đảng viên mới.

Cách dùng: ptdv <lệnh> [tham số]   (ptdv <lệnh> --help để xem chi tiết)

Lệnh:
`)
	for _, c := range commands {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, "\nBiến môi trường:\n")
	for _, v := range envVars {
		fmt.Fprintf(w, "  %-20s %s\n", v.name, v.help)
	}
}

func run(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(os.Stdout)
		if len(args) == 0 {
			return errUsage
		}
		return nil
	}
	for _, c := range commands {
		if c.name != args[0] {
			continue
		}
		fs := flag.NewFlagSet("ptdv "+c.name, flag.ContinueOnError)
		e := &env{}
		e.register(fs)
		do := c.flags(fs)
		fs.Usage = func() {
			fmt.Fprintf(fs.Output(), "ptdv %s %s — %s\n\nTham số:\n", c.name, c.args, c.summary)
			fs.PrintDefaults()
		}
		positional, err := parseInterleaved(fs, args[1:])
		if err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil
			}
			return errUsage
		}
		if c.args != "" {
			e.args = positional
		} else if len(positional) > 0 {
			fmt.Fprintf(os.Stderr, "ptdv %s: unexpected arguments: %s\n", c.name, strings.Join(positional, " "))
			return errUsage
		}
		if err := e.init(); err != nil {
			return err
		}
		defer e.close()
		return do(ctx, e)
	}
	fmt.Fprintf(os.Stderr, "ptdv: unknown command %q\n\n", args[0])
	usage(os.Stderr)
	return errUsage
}

// parseInterleaved parses flags that may come before, between or after the positional arguments
// ("ptdv import candidates ds.xlsx --skip-invalid") and returns the positional ones.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

func exitCode(err error) int {
	if errors.Is(err, errUsage) {
		return 2
	}
	return 1
}
