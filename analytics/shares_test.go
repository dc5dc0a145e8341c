package analytics

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"ptdv/internal/pgtest"
)

// rosterSQL puts 10,000 full members in cell X1 (unit 8) of treeSQL with known shares, each from its
// own stride over the roster so that the dimensions are independent: 42 % women, 5.5 % ethnic
// minority (Tày), 78 % upper secondary, 37 % college or above, 10 % aged 30 or under on 30/06/2026,
// 1.7 % religious. Every tenth member was admitted (decision) on 01/03/2026.
const rosterSQL = `
INSERT INTO person (full_name, sex, birth_date, ethnicity, religion, general_education, professional_qualification, unit_id)
OVERRIDING SYSTEM VALUE
SELECT 'Người ' || i,
	CASE WHEN i % 100 < 42 THEN 'female' ELSE 'male' END,
	CASE WHEN (i * 31) % 100 < 10 THEN DATE '1996-07-15' ELSE DATE '1990-01-15' END,
	CASE WHEN (i * 37) % 1000 < 55 THEN 'tay' ELSE 'kinh' END,
	CASE WHEN (i * 7) % 1000 < 17 THEN 'buddhism' ELSE 'none' END,
	CASE WHEN (i * 13) % 100 < 78 THEN 'upper_secondary' ELSE 'lower_secondary' END,
	CASE WHEN (i * 17) % 100 < 37 THEN 'college' ELSE 'intermediate' END,
	8
FROM generate_series(0, 9999) i ORDER BY i;
INSERT INTO member_status_span (person_id, unit_id, status, grade, valid_from)
SELECT id, 8, 'full', 'full', '2020-01-01' FROM person;
INSERT INTO member_event (person_id, unit_id, kind, effective, decision_date, recorded_by)
SELECT id, 8, 'admitted', '2026-03-15', '2026-03-01', 'test' FROM person WHERE full_name ~ '0$';
`

// TestKnownShares builds a roster to known shares and checks that the breakdown gives exactly those
// shares and counts, member for member, at the commune above the cell and at the province (the cell
// itself is counted live by package breakdown, which TestNightly compares with PostgreSQL).
func TestKnownShares(t *testing.T) {
	ctx := context.Background()
	d := pgtest.New(t)
	if _, err := d.Owner.DB.ExecContext(ctx, treeSQL+rosterSQL); err != nil {
		t.Fatal(err)
	}
	r, err := Snapshot(ctx, d.URL, t.TempDir(), testOptions(t, time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)))
	if err != nil {
		t.Fatal(err)
	}
	db, err := Open(r.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, c := range []struct {
		measure, dim, cat string
		n                 float64
		share             float64
	}{
		{"stock", "total", "total", 10000, 1},
		{"stock", "sex", "female", 4200, 0.42},
		{"stock", "ethnic_minority", "yes", 550, 0.055},
		{"stock", "ethnicity", "tay", 550, 0.055},
		{"stock", "upper_secondary", "yes", 7800, 0.78},
		{"stock", "college_plus", "yes", 3700, 0.37},
		{"stock", "youth", "yes", 1000, 0.10},
		{"stock", "age_band", "30_or_under", 1000, 0.10},
		{"stock", "age_band", "31_40", 9000, 0.90},
		{"stock", "religious", "yes", 170, 0.017},
		{"stock", "religion", "buddhism", 170, 0.017},
		{"stock", "grade", "full", 10000, 1},
		{"admissions", "total", "total", 1000, 1},
		{"admissions", "sex", "female", 500, 0.5},
	} {
		for _, unit := range []int64{4, 1} { // the commune above the cell (published: the top two levels), the province
			var n, share float64
			var nly *float64
			err := db.QueryRowContext(ctx, `SELECT n, share, n_last_year FROM breakdown WHERE map = 'as_was' AND unit_id = ?
				AND period_kind = 'year' AND period = '2026' AND measure = ? AND dimension = ? AND category = ?`,
				unit, c.measure, c.dim, c.cat).Scan(&n, &share, &nly)
			if err != nil {
				t.Errorf("unit %d %s %s %s: %v", unit, c.measure, c.dim, c.cat, err)
				continue
			}
			wantLY := c.n
			if c.measure == "admissions" {
				wantLY = 0
			}
			if n != c.n || share != c.share || nly == nil || *nly != wantLY {
				t.Errorf("unit %d %s %s %s: n %v share %v last year %v; want %v, %v, %v", unit, c.measure, c.dim, c.cat, n, share, nly, c.n, c.share, wantLY)
			}
		}
	}

	// The year's structure as the demo prints it: each measure's total line heads its categories (the roster
	// has no probationary member, so the stock has no "dự bị" line).
	var out bytes.Buffer
	if err := PrintYear(ctx, &out, r.Path); err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, l := range strings.Split(out.String(), "\n") {
		if strings.HasPrefix(l, "  ") {
			lines = append(lines, strings.Join(strings.Fields(l), " "))
		}
	}
	want := []string{"Đảng viên 10.000", "nữ 4.200 (42,0 %)", "dân tộc thiểu số 550 (5,5 %)", "từ 30 tuổi trở xuống 1.000 (10,0 %)",
		"tốt nghiệp THPT 7.800 (78,0 %)", "cao đẳng trở lên 3.700 (37,0 %)", "có tôn giáo 170 (1,7 %)",
		"Kết nạp 1.000", "dự bị 1.000 (100,0 %)", "nữ 500 (50,0 %)"}
	if len(lines) < len(want) {
		t.Fatalf("printed year:\n%s", out.String())
	}
	for i, w := range want {
		if !strings.HasPrefix(lines[i], w) {
			t.Errorf("line %d: %q, want it to start with %q; printed:\n%s", i, lines[i], w, out.String())
			break
		}
	}
}
