package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"

	"ptdv/analytics"
)

// TestRunSQL runs read-only SQL on a snapshot-like file in the three formats, and refuses a write.
func TestRunSQL(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "f.duckdb")
	w, err := sql.Open("duckdb", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Exec(`CREATE TABLE t AS SELECT * FROM (VALUES (1234567, DATE '2025-06-30', 'Tỉnh Một', 0.42), (2, NULL, 'Hai', 1.5)) v(n, d, name, share)`); err != nil {
		t.Fatal(err)
	}
	w.Close()
	db, err := analytics.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	q := `SELECT n, d, name, share FROM t ORDER BY n DESC`
	var b bytes.Buffer
	if err := runSQL(ctx, db, q, "table", &b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"1.234.567", "30/06/2025", "Tỉnh Một", "0,42", "(2 dòng)"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("table output lacks %q:\n%s", want, b.String())
		}
	}
	b.Reset()
	if err := runSQL(ctx, db, q, "csv", &b); err != nil {
		t.Fatal(err)
	}
	if want := "n,d,name,share\n1234567,2025-06-30,Tỉnh Một,0.42\n2,,Hai,1.5\n"; b.String() != want {
		t.Errorf("csv = %q, want %q", b.String(), want)
	}
	b.Reset()
	if err := runSQL(ctx, db, q, "json", &b); err != nil {
		t.Fatal(err)
	}
	var rows []map[string]any
	if err := json.Unmarshal(b.Bytes(), &rows); err != nil || len(rows) != 2 || rows[0]["d"] != "2025-06-30" || rows[1]["d"] != nil {
		t.Errorf("json = %s (%v)", b.String(), err)
	}
	if err := runSQL(ctx, db, `DROP TABLE t`, "table", &b); err == nil {
		t.Error("a write succeeded on the read-only snapshot")
	}
}
