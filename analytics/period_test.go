package analytics

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"
)

// Provinces elect on different days, so at national size several terms end in the month before a
// term starts. Each term's "same period last year" must be its own province's previous term (the
// one that ends last before it), and the step must not fail on the ambiguity (it did on the
// national fixture: "More than one row returned by a subquery").
func TestPeriodsOfProvincesWithDifferentTermDates(t *testing.T) {
	ctx := context.Background()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range []string{
		`CREATE TABLE member_event (kind VARCHAR, decision_date DATE, effective DATE)`,
		`INSERT INTO member_event VALUES ('admitted', DATE '2016-03-01', DATE '2016-03-15')`,
		`CREATE TABLE member_status_span (valid_from DATE)`,
		`CREATE TABLE org_unit (id BIGINT, kind VARCHAR)`,
		`INSERT INTO org_unit VALUES (1, 'province'), (2, 'province')`,
		`CREATE TABLE term (unit_id BIGINT, starts_on DATE, ends_on DATE)`,
		`INSERT INTO term VALUES (1, DATE '2015-10-01', DATE '2020-09-30'), (1, DATE '2020-10-01', DATE '2025-09-30'),
			(2, DATE '2015-10-20', DATE '2020-10-19'), (2, DATE '2020-10-20', DATE '2025-10-19')`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	b, err := breakdownSQL.ReadFile("01_period.sql")
	if err != nil {
		t.Fatal(err)
	}
	text := stripComments(strings.ReplaceAll(string(b), "{{as_of}}", "DATE '2026-12-04'"))
	// The statements up to and including the UPDATE of ly_period_id.
	for i, stmt := range strings.Split(text, ";\n")[:3] {
		if _, err := db.ExecContext(ctx, stmt); err != nil {
			t.Fatalf("statement %d: %v", i+1, err)
		}
	}
	rows, err := db.QueryContext(ctx, `SELECT p.label, coalesce(q.label, '') FROM period p LEFT JOIN period q ON q.id = p.ly_period_id
		WHERE p.kind = 'term' ORDER BY p.label`)
	got := map[string]string{}
	for _, r := range scanRows(t, rows, err, func(rows *sql.Rows, r *[2]string) error { return rows.Scan(&r[0], &r[1]) }) {
		got[r[0]] = r[1]
	}
	want := map[string]string{
		"2015-10-01/2020-09-30": "",
		"2015-10-20/2020-10-19": "",
		"2020-10-01/2025-09-30": "2015-10-01/2020-09-30",
		"2020-10-20/2025-10-19": "2015-10-20/2020-10-19",
	}
	if len(got) != len(want) {
		t.Fatalf("terms: got %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("term %s: previous %q, want %q", k, got[k], v)
		}
	}
}
