package server_test

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestBreakdownThroughGraphQL reads what a nightly run published (rows written here by hand into the
// reporting schema; the job itself is tested in package analytics) through GraphQL: before any run,
// scope, bad input, the two maps, suppression of small sensitive counts at cell level for analysts
// and viewers, the funnel and the runs.
func TestBreakdownThroughGraphQL(t *testing.T) {
	t.Parallel()
	f, ids := seeded(t, 0)
	ctx := context.Background()
	admin := f.token("admin", "")
	const q = `query($u: ID!, $p: String!, $d: String!, $m: BreakdownMap) {
		breakdown(unitId: $u, period: $p, dimension: $d, map: $m) {
			period periodKind onDate asOf runId dimension map unit { code }
			rows { measure category count total share countLastYear change suppressed } } }`
	cell, province := gid("Unit", ids["GL.PK.HP.1"]), gid("Unit", ids["GL"])

	r := f.query(admin, q, map[string]any{"u": province, "p": "2025", "d": "sex"})
	if r.code() != "NOT_FOUND" || !strings.Contains(r.Errors[0].Message, "nightly") {
		t.Fatalf("before any run: %+v", r.Errors)
	}

	db := f.db.Owner
	exec := func(sql string, args ...any) {
		t.Helper()
		if _, err := db.ExecContext(ctx, sql, args...); err != nil {
			t.Fatal(err)
		}
	}
	exec(`INSERT INTO reporting.nightly_run (id, status, as_of, finished_at, seconds_per_step) OVERRIDING SYSTEM VALUE
		VALUES (7, 'succeeded', '2026-06-10', now(), '{"copy": 1.5}'), (8, 'failed', '2026-06-11', now(), '{}')`)
	exec(`INSERT INTO reporting.period VALUES (7, 'year', '2025', '2025-01-01', '2025-12-31', '2025-12-31')`)
	for _, row := range []struct {
		m    string
		unit int64
		dim  string
		cat  string
		n    float64
		tot  float64
	}{
		{"as_was", ids["GL.PK.HP.1"], "ethnicity", "kinh", 20, 22}, {"as_was", ids["GL.PK.HP.1"], "ethnicity", "tay", 2, 22},
		{"as_was", ids["GL"], "ethnicity", "kinh", 300, 303}, {"as_was", ids["GL"], "ethnicity", "tay", 3, 303},
		{"as_was", ids["GL"], "sex", "female", 120, 303}, {"today", ids["GL"], "sex", "female", 150, 380},
	} {
		// Last year: the same counts.
		exec(`INSERT INTO reporting.breakdown_pack VALUES (7, ?, ?, 'year', '2025', 'stock', ?, ?, ARRAY[?], ARRAY[?], ARRAY[?::float8], ARRAY[?::float8])`,
			row.m, row.unit, row.tot, row.tot, row.dim, row.cat, row.n, row.n)
	}
	exec(`INSERT INTO reporting.funnel VALUES (7, ?, 'year', '2025', 'source', 1, 10, 6, 0.6, 40, 90)`, ids["GL"])

	began := time.Now()
	r = f.query(admin, q, map[string]any{"u": province, "p": "2025", "d": "sex"})
	t.Logf("breakdown through GraphQL: %v", time.Since(began))
	b, _ := r.Data["breakdown"].(map[string]any)
	rows, _ := b["rows"].([]any)
	if len(r.Errors) > 0 || len(rows) != 1 || b["runId"] != "7" || b["asOf"] != "2026-06-10" || b["periodKind"] != "year" ||
		rows[0].(map[string]any)["count"] != 120.0 {
		t.Fatalf("province sex: %+v %+v", r.Data, r.Errors)
	}
	r = f.query(admin, q, map[string]any{"u": province, "p": "2025", "d": "sex", "m": "TODAY"})
	if b, _ := r.Data["breakdown"].(map[string]any); b == nil || b["rows"].([]any)[0].(map[string]any)["count"] != 150.0 {
		t.Errorf("today's map: %+v %+v", r.Data, r.Errors)
	}

	// Suppression: analysts and viewers see the cell's count of 2 Tày as null with a reason; the board
	// sees it; at province level nobody is suppressed.
	for role, want := range map[string]bool{"analyst": true, "viewer": true, "board": false} {
		r := f.query(f.token(role, "GL"), q, map[string]any{"u": cell, "p": "2025", "d": "ethnicity"})
		rows := r.Data["breakdown"].(map[string]any)["rows"].([]any)
		for _, x := range rows {
			x := x.(map[string]any)
			small := x["category"] == "tay"
			if got := x["suppressed"] != nil; got != (small && want) || (got && x["count"] != nil) {
				t.Errorf("%s, cell, %v: %+v", role, x["category"], x)
			}
		}
		r = f.query(f.token(role, "GL"), q, map[string]any{"u": province, "p": "2025", "d": "ethnicity"})
		for _, x := range r.Data["breakdown"].(map[string]any)["rows"].([]any) {
			if x.(map[string]any)["suppressed"] != nil {
				t.Errorf("%s, province: suppressed %+v", role, x)
			}
		}
	}

	// Scope and bad input.
	for name, c := range map[string]struct {
		tok, unit, period, dim, code string
	}{
		"outside scope":     {f.token("viewer", "GL.PK.HT"), cell, "2025", "sex", "NOT_FOUND"},
		"unknown dimension": {admin, province, "2025", "height", "INVALID_INPUT"},
		"unknown period":    {admin, province, "2025-13", "sex", "INVALID_INPUT"},
		"period not run":    {admin, province, "2019", "sex", "INVALID_INPUT"},
	} {
		r := f.query(c.tok, q, map[string]any{"u": c.unit, "p": c.period, "d": c.dim})
		if r.code() != c.code {
			t.Errorf("%s: %q %+v, want %s", name, r.code(), r.Errors, c.code)
		}
	}

	r = f.query(admin, `query($u: ID!) { funnelBreakdown(unitId: $u, period: "2025") { runId stages { stage entered exited conversion medianWorkingDays } } }`,
		map[string]any{"u": province})
	if st := r.Data["funnelBreakdown"].(map[string]any)["stages"].([]any); len(st) != 1 || st[0].(map[string]any)["entered"] != 10.0 {
		t.Errorf("funnel: %+v %+v", r.Data, r.Errors)
	}
	r = f.query(f.token("viewer", "GL.PK.HT"), `{ nightlyRuns(last: 5) { id status asOf secondsPerStep } }`, nil)
	if runs := r.Data["nightlyRuns"].([]any); len(runs) != 2 || runs[0].(map[string]any)["status"] != "failed" || runs[1].(map[string]any)["secondsPerStep"] != `{"copy":1.5}` {
		t.Errorf("nightlyRuns: %+v %+v", r.Data, r.Errors)
	}
}
