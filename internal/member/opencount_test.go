package member_test

import (
	"context"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"ptdv/internal/fixture"
	"ptdv/internal/member"
	"ptdv/internal/org"
	"ptdv/internal/pgtest"
	"ptdv/internal/vn"
)

// checkOpenCount compares the trigger-maintained rollup of open spans (migration 0033) with a rebuild
// from scratch, then every unit's counts on the given days, as member.CountByStatus returns them for a
// national actor and a province board, with the spans on the day in the subtree of the day counted
// here independently.
func checkOpenCount(t *testing.T, d *pgtest.DB, tr fixture.Tree, what string, days ...time.Time) {
	t.Helper()
	ctx := context.Background()
	const rollup = `SELECT ancestor_id || ' ' || status || ' ' || n FROM member_open_count WHERE n <> 0 ORDER BY 1`
	var got, rebuilt []string
	if err := d.Owner.NewRaw(rollup).Scan(ctx, &got); err != nil {
		t.Fatal(err)
	}
	if n := fixture.Count(t, d.Owner, `SELECT count(*) FROM member_open_count WHERE n < 0`); n != 0 {
		t.Errorf("%s: %d negative counts", what, n)
	}
	if _, err := d.Owner.ExecContext(ctx, `SELECT member_rebuild_open()`); err != nil {
		t.Fatal(err)
	}
	if err := d.Owner.NewRaw(rollup).Scan(ctx, &rebuilt); err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, "\n") != strings.Join(rebuilt, "\n") || len(got) == 0 {
		t.Errorf("%s: member_open_count\n%v\ndiffers from a rebuild\n%v", what, got, rebuilt)
	}
	board := fixture.Actor(t, d.App, "board", "VP")
	for _, day := range days {
		for _, u := range []int64{tr.P, tr.D, tr.C1, tr.C2, tr.X, tr.Y, tr.E, tr.C3, tr.Z} {
			var rows []struct {
				Status string `bun:"status"`
				N      int    `bun:"n"`
			}
			err := d.Owner.NewRaw(`SELECT s.status, count(*) AS n FROM org_link r
				JOIN org_link l ON l.path <@ r.path AND l.valid_from <= ?0 AND (l.valid_to IS NULL OR l.valid_to > ?0)
				JOIN member_status_span s ON s.unit_id = l.unit_id AND s.valid_from <= ?0 AND (s.valid_to IS NULL OR s.valid_to > ?0)
				WHERE r.unit_id = ?1 AND r.valid_from <= ?0 AND (r.valid_to IS NULL OR r.valid_to > ?0) GROUP BY s.status`, day, u).Scan(ctx, &rows)
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]int{}
			for _, r := range rows {
				want[r.Status] = r.N
			}
			for who, c := range map[string]context.Context{"national": fixture.System(), "board": board} {
				m, err := member.CountByStatus(c, d.App, u, day)
				if err != nil {
					t.Fatalf("%s: %s counts unit %d on %s: %v", what, who, u, day.Format(time.DateOnly), err)
				}
				if !maps.Equal(m, want) {
					t.Errorf("%s: %s counts unit %d on %s: %v, the spans say %v", what, who, u, day.Format(time.DateOnly), m, want)
				}
			}
		}
	}
}

// rollupAnswers reports whether member_counts_on answers a day from the rollup (and not "count the spans").
func rollupAnswers(t *testing.T, d *pgtest.DB, unit int64, day time.Time) bool {
	t.Helper()
	var fallback int
	err := d.Owner.RunInTx(context.Background(), nil, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.ExecContext(ctx, `SELECT set_config('ptdv.scope', 'all', true)`); err != nil {
			return err
		}
		return tx.NewRaw(`SELECT count(*) FROM member_counts_on(?, ?::date) WHERE status IS NULL`, unit, day).Scan(ctx, &fallback)
	})
	if err != nil {
		t.Fatal(err)
	}
	return fallback == 0
}

// The rollup of open spans follows admissions and recognitions, a transfer, a death, spans that begin
// and end inside the last week (the counts of those days take them as corrections) and a cell moved
// a few days ago (days before the move are counted from the spans, days after from the rollup).
func TestOpenCountFollowsWrites(t *testing.T) {
	t.Parallel()
	d, tr, ctx := fixture.NewTree(t)
	today := vn.Today()
	ago := func(n int) time.Time { return today.AddDate(0, 0, -n) }
	ps := fixture.Persons(t, ctx, d.App, tr.X, tr.X, tr.Y, tr.Z, tr.Y)
	a, b, c, e, f := ps[0], ps[1], ps[2], ps[3], ps[4]
	admit(t, ctx, d.App, a, "2019-03-01", true)
	admit(t, ctx, d.App, c, "2020-05-10", true)
	admit(t, ctx, d.App, e, "2018-07-05", true)
	days := []time.Time{ago(25), ago(9), ago(6), ago(5), ago(3), ago(1), today}
	checkOpenCount(t, d, tr, "admissions", days...)

	// Inside the week member.CountByStatus takes from the rollup: B (cell X) admitted 5 days ago, C moves
	// from Y to Z (out on -4, in on -2), E (Z) dies yesterday, F (Y) is admitted today.
	record(t, ctx, d.App, member.Event{PersonID: b, Kind: member.KindAdmitted, Effective: ago(5), DecisionDate: fixture.Ptr(ago(15)), Document: "QĐ kết nạp"})
	record(t, ctx, d.App, member.Event{PersonID: c, Kind: member.KindTransferredOutOfficial, Effective: ago(4), ToUnitID: &tr.Z})
	record(t, ctx, d.App, member.Event{PersonID: c, Kind: member.KindTransferredInOfficial, Effective: ago(2)})
	record(t, ctx, d.App, member.Event{PersonID: e, Kind: member.KindDeceased, Effective: ago(1)})
	record(t, ctx, d.App, member.Event{PersonID: f, Kind: member.KindAdmitted, Effective: today, DecisionDate: fixture.Ptr(ago(14)), Document: "QĐ kết nạp"})
	checkOpenCount(t, d, tr, "spans inside the month", days...)
	for _, day := range days {
		if !rollupAnswers(t, d, tr.P, day) {
			t.Errorf("the rollup does not answer %s with an unchanged tree", day.Format(time.DateOnly))
		}
	}

	// Cell Y moves under the ward C3 three days ago: before that day the tree differs from the latest.
	if _, err := org.Move(ctx, d.App, tr.Y, tr.C3, org.Doc{Effective: ago(3), Document: "QĐ điều chỉnh"}); err != nil {
		t.Fatal(err)
	}
	checkOpenCount(t, d, tr, "a cell moved", days...)
	if rollupAnswers(t, d, tr.P, ago(5)) || !rollupAnswers(t, d, tr.P, ago(1)) {
		t.Error("the rollup answers a day before the move, or not a day after it")
	}
	// The ward: C (full, Z), E (deceased, Z), F (probationary, Y moved in).
	wantCounts(t, "ward today", counts(t, ctx, d.App, tr.C3, today.Format(time.DateOnly)), map[string]int{"full": 1, "probationary": 1, "deceased": 1})

	// Only the triggers write the rollup; the application role reads it only through member_counts_on,
	// which answers nothing for a unit outside the caller's scope.
	if _, err := d.App.ExecContext(context.Background(), `SELECT count(*) FROM member_open_count`); err == nil {
		t.Error("ptdv_app could read member_open_count")
	}
	if _, err := d.App.ExecContext(context.Background(), `SELECT member_rebuild_open()`); err == nil {
		t.Error("ptdv_app could rebuild the rollup")
	}
	ward := fixture.Actor(t, d.App, "board", "VP.TD.HD")
	var n []string
	err := d.App.RunInTx(context.Background(), nil, func(cx context.Context, tx bun.Tx) error {
		if _, err := tx.ExecContext(cx, `SELECT set_config('ptdv.scope', (SELECT path::text FROM org_link WHERE unit_id = ? AND valid_to IS NULL), true)`, tr.C2); err != nil {
			return err
		}
		return tx.NewRaw(`SELECT coalesce(status, 'NULL') || ' ' || coalesce(n, 0) FROM member_counts_on(?, ?::date)`, tr.C3, today).Scan(cx, &n)
	})
	if err != nil || len(n) != 0 {
		t.Errorf("member_counts_on of another commune's ward: %v, %v", n, err)
	}
	if _, err := member.CountByStatus(ward, d.App, tr.C3, today); err == nil {
		t.Error("a commune's board counted another ward's members")
	}
}
