package target_test

import (
	"context"
	"testing"

	"ptdv/internal/apperr"
	"ptdv/internal/fixture"
	"ptdv/internal/target"
)

// Decided admissions whose ceremony is not recorded yet are counted as such: in the period by their
// decision date, until their ceremony (then they are admissions) or their closing.
func TestDecidedNotAdmitted(t *testing.T) {
	t.Parallel()
	d, u, ctx := fixture.NewUnits(t, `
		VP       province              Đảng bộ tỉnh Vĩnh Phúc
		VP.HH    grassroots_committee  Đảng bộ xã Hoàng Hoa
		VP.HH.1  cell                  Chi bộ thôn Đồng Bông
		VP.HD    grassroots_committee  Đảng bộ xã Hoàng Đan
		VP.HD.1  cell                  Chi bộ thôn Bảo Chúc`)
	p, c, x, y := u["VP"], u["VP.HH"], u["VP.HH.1"], u["VP.HD.1"]
	for i, cs := range []struct {
		cell             int64
		stage, decided   string
		ceremony, closed any
	}{
		{x, "decision", "2024-03-01", nil, nil},           // waiting
		{x, "probation", "2024-03-01", "2024-03-20", nil}, // admitted on 20/03
		{x, "decision", "2023-12-01", nil, nil},           // decided the year before
		{x, "left", "2024-05-01", nil, "2024-06-01"},      // left before the ceremony
		{y, "decision", "2024-03-01", nil, nil},           // another commune's
	} {
		if _, err := d.Owner.ExecContext(context.Background(), `
			WITH p AS (INSERT INTO person (full_name, sex, birth_date, unit_id) VALUES (?, 'male', '1995-01-01', ?) RETURNING id)
			INSERT INTO candidate_case (person_id, cell_id, proposer, stage, stage_since, listed_on, decision_on, ceremony_on, closed_on)
			SELECT p.id, ?, (SELECT code FROM code_item WHERE list = 'proposer' ORDER BY code LIMIT 1), ?, ?, '2023-01-10', ?, ?, ? FROM p`,
			"Nguyễn Văn "+string(rune('A'+i)), cs.cell, cs.cell, cs.stage, cs.decided, cs.decided, cs.ceremony, cs.closed); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		unit       int64
		from, asOf string
		want       int
	}{
		{c, "2024-01-01", "2024-12-31", 1},
		{c, "2024-01-01", "2024-05-15", 2}, // the leaver still waits
		{c, "2024-01-01", "2024-03-10", 2}, // the admitted one still waits
		{c, "2024-01-01", "2024-02-28", 0},
		{c, "2023-01-01", "2023-12-31", 1},
		{p, "2024-01-01", "2024-12-31", 2}, // both communes
		{x, "2024-01-01", "2024-12-31", 1},
	} {
		if n, err := target.DecidedNotAdmitted(ctx, d.App, tc.unit, fixture.Day(tc.from), fixture.Day(tc.asOf)); err != nil || n != tc.want {
			t.Errorf("unit %d %s–%s: %d, %v; want %d", tc.unit, tc.from, tc.asOf, n, err, tc.want)
		}
	}
	// Out of scope: like a missing unit.
	_, err := target.DecidedNotAdmitted(fixture.Actor(t, d.App, "board", "VP.HD"), d.App, c, fixture.Day("2024-01-01"), fixture.Day("2024-12-31"))
	if apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("another commune's board: %v, want NOT_FOUND", err)
	}
}
