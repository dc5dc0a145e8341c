package analytics

import (
	"context"
	"database/sql"
	"testing"

	"ptdv/internal/auth"
	"ptdv/internal/pipeline"
)

// TestCellCommitteeCountsTheVoters: the cells that may elect a cell committee (cell_committee_gap: 9 or
// more full members on the as-of date) are counted by the pipeline's one rule of who is a full member
// (voterOn, through pipeline.FullMembers on PostgreSQL), cell for cell, on the demo data: the file's SQL
// is that rule written in DuckDB's dialect. The demo holds cells where the rule differs from counting
// the full-grade statuses (an exempted member, a member between the end of the probation and the vote
// that recognized them), or the comparison would not tell the two apart.
func TestCellCommitteeCountsTheVoters(t *testing.T) {
	ctx := auth.WithActor(context.Background(), auth.System("test"))
	d, duck := openDemo(t)
	type cellCount struct {
		id    int64
		n     int
		grade int // full-grade member statuses: what the count was before it followed the rule
	}
	rows, err := d.Owner.DB.QueryContext(ctx, `SELECT u.id,
			(SELECT count(*) FROM member_status_span s WHERE s.unit_id = u.id AND s.grade = 'full'
				AND s.status IN ('full', 'exempted', 'temporary_out') AND s.valid_from <= $1 AND (s.valid_to IS NULL OR s.valid_to > $1))
		FROM org_unit u JOIN org_link l ON l.unit_id = u.id
		WHERE u.kind IN ('cell', 'grassroots_cell') AND l.valid_from <= $1 AND (l.valid_to IS NULL OR l.valid_to > $1) ORDER BY u.id`, demoToday)
	cells := scanRows(t, rows, err, func(rows *sql.Rows, c *cellCount) error { return rows.Scan(&c.id, &c.grade) })
	want := map[int64]int{}
	differ := 0
	for i, c := range cells {
		n, err := pipeline.FullMembers(ctx, d.App, c.id, demoToday)
		if err != nil {
			t.Fatal(err)
		}
		cells[i].n = n
		if n >= 9 {
			want[c.id] = n
		}
		if n != c.grade {
			differ++
		}
	}
	rows, err = duck.QueryContext(ctx, `SELECT cell_id, full_members FROM cell_committee_gap`)
	got := map[int64]int{}
	for _, c := range scanRows(t, rows, err, func(rows *sql.Rows, c *cellCount) error { return rows.Scan(&c.id, &c.n) }) {
		got[c.id] = c.n
	}
	if len(want) == 0 {
		t.Fatalf("no cell of the demo has 9 full members: the comparison would be empty (%d cells)", len(cells))
	}
	if differ == 0 {
		t.Fatalf("no cell's voters differ from its full-grade members on %s: the comparison cannot tell the rule from the statuses", demoToday.Format("2006-01-02"))
	}
	for id, n := range want {
		if got[id] != n {
			t.Errorf("cell %d: %d full members in cell_committee_gap, %d by the rule", id, got[id], n)
		}
	}
	for id, n := range got {
		if _, ok := want[id]; !ok {
			t.Errorf("cell %d in cell_committee_gap with %d full members; the rule counts fewer than 9", id, n)
		}
	}
	t.Logf("%d cells, %d with 9 or more voters, %d whose voters differ from their full-grade members", len(cells), len(want), differ)
}
