package main

import (
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"ptdv/analytics"
	pdb "ptdv/internal/db"
	"ptdv/internal/vn"
)

// analyticsCmd reads the latest published snapshot, read-only: `views` lists its tables and views
// with their descriptions; `sql QUERY` runs one query and prints the result.
func analyticsCmd(fs *flag.FlagSet) func(context.Context, *env) error {
	format := fs.String("format", "table", "định dạng kết quả của sql: table, csv hoặc json")
	return func(ctx context.Context, e *env) error {
		if len(e.args) == 0 || (e.args[0] != "views" && e.args[0] != "sql") || (e.args[0] == "sql" && len(e.args) != 2) {
			fmt.Fprintln(os.Stderr, `Cách dùng: ptdv analytics views  |  ptdv analytics sql "SELECT …" [--format table|csv|json]`)
			return errUsage
		}
		if *format != "table" && *format != "csv" && *format != "json" {
			fmt.Fprintf(os.Stderr, "--format: table, csv hoặc json, không phải %q\n", *format)
			return errUsage
		}
		dir, err := e.dataDir()
		if err != nil {
			return err
		}
		path := filepath.Join(dir, "analytics", analytics.PublishedName)
		if _, err := os.Stat(path); err != nil {
			return fmt.Errorf("chưa có bản chụp phân tích (%s): hãy chạy ptdv nightly trước", path)
		}
		db, err := analytics.Open(path)
		if err != nil {
			return err
		}
		defer db.Close()
		if e.args[0] == "views" {
			list, err := analytics.Views(ctx, db)
			if err != nil {
				return err
			}
			w := tabwriter.NewWriter(os.Stdout, 0, 2, 2, ' ', 0)
			fmt.Fprintln(w, "Tên\tLoại\tCột\tMô tả")
			for _, v := range list {
				kind := "bảng"
				if v.Kind == "view" {
					kind = "view"
				}
				fmt.Fprintf(w, "%s\t%s\t%d\t%s\n", v.Name, kind, v.Columns, v.Comment)
			}
			return w.Flush()
		}
		return runSQL(ctx, db, e.args[1], *format, os.Stdout)
	}
}

// runSQL runs query on a read-only snapshot and writes its rows in the format.
func runSQL(ctx context.Context, db *sql.DB, query, format string, out io.Writer) error {
	rows, err := db.QueryContext(ctx, query)
	if err != nil {
		return fmt.Errorf("truy vấn lỗi: %w", err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	var records [][]any
	for rows.Next() {
		vals, err := pdb.RowValues(rows, len(cols))
		if err != nil {
			return err
		}
		records = append(records, vals)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("truy vấn lỗi: %w", err)
	}
	switch format {
	case "json":
		objs := make([]map[string]any, 0, len(records))
		for _, r := range records {
			o := map[string]any{}
			for i, c := range cols {
				o[c] = jsonValue(r[i])
			}
			objs = append(objs, o)
		}
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(objs)
	case "csv":
		w := csv.NewWriter(out)
		w.Write(cols)
		for _, r := range records {
			rec := make([]string, len(r))
			for i, v := range r {
				rec[i] = plain(v)
			}
			w.Write(rec)
		}
		w.Flush()
		return w.Error()
	}
	w := tabwriter.NewWriter(out, 0, 2, 2, ' ', 0)
	fmt.Fprintln(w, strings.Join(cols, "\t"))
	for _, r := range records {
		rec := make([]string, len(r))
		for i, v := range r {
			rec[i] = human(v)
		}
		fmt.Fprintln(w, strings.Join(rec, "\t"))
	}
	if err := w.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(out, "(%s dòng)\n", vn.Int(int64(len(records))))
	return nil
}

func jsonValue(v any) any {
	switch x := v.(type) {
	case time.Time:
		return x.Format(time.DateOnly)
	case []byte:
		return string(x)
	case interface{ Float64() float64 }: // DuckDB's DECIMAL
		return x.Float64()
	}
	return v
}

// plain is a value for CSV: ISO dates, dot decimals (machine-readable).
func plain(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case time.Time:
		if x.Hour() == 0 && x.Minute() == 0 && x.Second() == 0 {
			return x.Format(time.DateOnly)
		}
		return x.Format(time.RFC3339)
	case interface{ Float64() float64 }: // DuckDB's DECIMAL
		return fmt.Sprint(x.Float64())
	}
	return fmt.Sprint(v)
}

// human is a value for the terminal table: dd/mm/yyyy dates, Vietnamese numbers.
func human(v any) string {
	switch x := v.(type) {
	case nil:
		return "—"
	case time.Time:
		return vn.Date(x)
	case int64:
		return vn.Int(x)
	case int32:
		return vn.Int(int64(x))
	case float64:
		if x == float64(int64(x)) {
			return vn.Int(int64(x))
		}
		return vn.Decimal(x, 3)
	case interface{ Float64() float64 }: // DuckDB's DECIMAL
		return human(x.Float64())
	}
	return fmt.Sprint(v)
}

// stepsVN describes the steps' times in Vietnamese.
func stepsVN(steps map[string]float64, total time.Duration) string {
	keys := make([]string, 0, len(steps))
	for k := range steps {
		if !strings.HasPrefix(k, "breakdown.") {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var b float64
	for k, v := range steps {
		if strings.HasPrefix(k, "breakdown.") {
			b += v
		}
	}
	parts := []string{"tổng " + vn.Decimal(total.Seconds(), 1) + " giây"}
	for _, k := range keys {
		parts = append(parts, k+" "+vn.Decimal(steps[k], 1)+" giây")
	}
	parts = append(parts, "breakdown "+vn.Decimal(b, 1)+" giây")
	return strings.Join(parts, ", ")
}
