package member_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/uptrace/bun/dialect/pgdialect"

	"ptdv/internal/fixture"
	"ptdv/internal/member"
	"ptdv/internal/org"
	"ptdv/internal/pgtest"
)

// checkYearend compares the trigger-maintained year-end rollup (migration 0006) with the members counted
// from the spans, for every unit and every year-end of its window, and with a rebuild from scratch.
func checkYearend(t *testing.T, d *pgtest.DB, what string) {
	t.Helper()
	ctx := context.Background()
	var got, want, rebuilt []string
	const rollup = `SELECT ancestor_id || ' ' || year || ' ' || n FROM member_yearend WHERE n <> 0 ORDER BY ancestor_id, year`
	if err := d.Owner.NewRaw(rollup).Scan(ctx, &got); err != nil {
		t.Fatal(err)
	}
	// As member.CountByStatus counts: the spans on the day in the subtree as it stood that day.
	err := d.Owner.NewRaw(`
		WITH y AS (SELECT year, make_date(year, 12, 31) AS day FROM member_yearend_window, generate_series(from_year, to_year) AS year),
		r AS (SELECT r.unit_id, y.year, y.day, r.path FROM org_link r JOIN y ON r.valid_from <= y.day AND (r.valid_to IS NULL OR r.valid_to > y.day))
		SELECT r.unit_id || ' ' || r.year || ' ' || count(*) FROM r
		JOIN org_link l ON l.path <@ r.path AND l.valid_from <= r.day AND (l.valid_to IS NULL OR l.valid_to > r.day)
		JOIN member_status_span s ON s.unit_id = l.unit_id AND s.valid_from <= r.day AND (s.valid_to IS NULL OR s.valid_to > r.day)
		WHERE s.status = ANY(?::text[])
		GROUP BY r.unit_id, r.year ORDER BY r.unit_id, r.year`, pgdialect.Array(member.MemberStatuses)).Scan(ctx, &want)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") || len(want) == 0 {
		t.Errorf("%s: member_yearend (unit year n)\n%v\ndiffers from the spans\n%v", what, got, want)
	}
	if n := fixture.Count(t, d.Owner, `SELECT count(*) FROM member_yearend WHERE n < 0`); n != 0 {
		t.Errorf("%s: %d negative counts", what, n)
	}
	if _, err := d.Owner.ExecContext(ctx, `SELECT member_rebuild_yearend()`); err != nil {
		t.Fatal(err)
	}
	if err := d.Owner.NewRaw(rollup).Scan(ctx, &rebuilt); err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, "\n") != strings.Join(rebuilt, "\n") {
		t.Errorf("%s: member_yearend\n%v\ndiffers from a rebuild\n%v", what, got, rebuilt)
	}
}

// The year-end rollup follows admissions, recognitions, a transfer, a removal and a readmission, a merger
// with its district's end, and a cell moved after a year-end it changes (recorded later, dated before).
func TestYearendRollup(t *testing.T) {
	t.Parallel()
	d, tr, ctx := fixture.NewTree(t)
	ps := fixture.Persons(t, ctx, d.App, tr.X, tr.X, tr.Y, tr.Z)
	a, b, c, e := ps[0], ps[1], ps[2], ps[3]
	admit(t, ctx, d.App, a, "2016-03-01", true)
	admit(t, ctx, d.App, b, "2018-09-01", true)
	admit(t, ctx, d.App, c, "2017-01-10", true)
	admit(t, ctx, d.App, e, "2015-07-05", true)
	checkYearend(t, d, "admissions")

	// A leaves X for Z (in transit over a year-end), B is removed and readmitted after 36 months.
	record(t, ctx, d.App, member.Event{PersonID: a, Kind: member.KindTransferredOutOfficial, Effective: fixture.Day("2019-12-20"), ToUnitID: &tr.Z})
	record(t, ctx, d.App, member.Event{PersonID: a, Kind: member.KindTransferredInOfficial, Effective: fixture.Day("2020-01-06")})
	record(t, ctx, d.App, member.Event{PersonID: b, Kind: member.KindRemoved, Effective: fixture.Day("2020-06-01")})
	record(t, ctx, d.App, member.Event{PersonID: b, Kind: member.KindReadmitted, Effective: fixture.Day("2023-07-01"), DecisionDate: fixture.Ptr(fixture.Day("2023-06-15"))})
	record(t, ctx, d.App, member.Event{PersonID: e, Kind: member.KindExempted, Effective: fixture.Day("2021-02-01")})
	record(t, ctx, d.App, member.Event{PersonID: c, Kind: member.KindDeceased, Effective: fixture.Day("2024-12-31")})
	checkYearend(t, d, "transfer, removal, readmission, death")
	var n []int
	if err := d.Owner.NewRaw(`SELECT n FROM member_yearend WHERE ancestor_id = ? AND year IN (2019, 2020, 2022, 2023) ORDER BY year`, tr.P).
		Scan(context.Background(), &n); err != nil || len(n) != 4 || n[0] != 3 || n[1] != 3 || n[2] != 3 || n[3] != 4 {
		// 2019: A in transit (not a member of a unit), B, C, E; 2020: A, C, E; 2023: B back.
		t.Errorf("province on 31/12 of 2019, 2020, 2022, 2023: %v, %v", n, err)
	}

	// The 2025 reform: C1 and C2 merge under the province, the district ends.
	res, err := org.Merge(ctx, d.App, []int64{tr.C1, tr.C2}, org.Successor{
		New:      &org.NewUnit{Code: "VP.HA", Name: "Đảng bộ xã Hoàng An", Kind: "grassroots_committee", Sector: "territorial"},
		ParentID: &tr.P}, org.Doc{Effective: fixture.Day("2025-07-01"), Document: "QĐ sáp nhập"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := org.Dissolve(ctx, d.App, tr.D, org.Doc{Effective: fixture.Day("2025-07-01")}); err != nil {
		t.Fatal(err)
	}
	checkYearend(t, d, "merger")
	// Cell Z moves under the new commune from 01/08/2025: 31/12/2025 counts it there.
	if _, err := org.Move(ctx, d.App, tr.Z, res.Units[0], org.Doc{Effective: fixture.Day("2025-08-01"), Document: "QĐ điều chỉnh"}); err != nil {
		t.Fatal(err)
	}
	checkYearend(t, d, "a cell moved")
	if k := fixture.Count(t, d.Owner, `SELECT n FROM member_yearend WHERE ancestor_id = `+strconv.FormatInt(res.Units[0], 10)+` AND year = 2025`); k != 3 {
		t.Errorf("new commune on 31/12/2025: %d members, want B, A and E", k)
	}

	// The application reads the rollup; only the triggers write it.
	if _, err := d.App.ExecContext(context.Background(), `SELECT count(*) FROM member_yearend, member_yearend_window`); err != nil {
		t.Errorf("ptdv_app reading the rollup: %v", err)
	}
	if _, err := d.App.ExecContext(context.Background(), `DELETE FROM member_yearend`); err == nil {
		t.Error("ptdv_app could delete from member_yearend")
	}
	if _, err := d.App.ExecContext(context.Background(), `SELECT member_rebuild_yearend()`); err == nil {
		t.Error("ptdv_app could rebuild the rollup")
	}

	// A narrower window is rebuilt at once.
	if _, err := d.Owner.ExecContext(context.Background(), `UPDATE member_yearend_window SET from_year = 2021`); err != nil {
		t.Fatal(err)
	}
	if k := fixture.Count(t, d.Owner, `SELECT count(*) FROM member_yearend WHERE year < 2021`); k != 0 {
		t.Errorf("%d rows before the window", k)
	}
	checkYearend(t, d, "window from 2021")

	// A new year since the rollup was last filled (to_year behind, its later years missing): extended.
	if _, err := d.Owner.ExecContext(context.Background(), `UPDATE member_yearend_window SET to_year = 2022;
		DELETE FROM member_yearend WHERE year > 2022`); err != nil {
		t.Fatal(err)
	}
	if err := member.ExtendYearEnd(context.Background(), d.Owner); err != nil {
		t.Fatal(err)
	}
	if k := fixture.Count(t, d.Owner, `SELECT to_year - extract(year FROM current_date)::int FROM member_yearend_window`); k != 1 {
		t.Errorf("to_year is %d years ahead, want 1", k)
	}
	checkYearend(t, d, "extended from 2022")
}

// The SQL side of the rollup counts the statuses of MemberStatuses.
func TestYearendMemberStatuses(t *testing.T) {
	t.Parallel()
	d := pgtest.New(t)
	for _, s := range []string{member.StatusProbationary, member.StatusFull, member.StatusExempted, member.StatusTemporaryOut,
		member.StatusTransferredOut, member.StatusRemoved, member.StatusExpelled, member.StatusDeceased} {
		var is bool
		if err := d.Owner.NewRaw(`SELECT member_yearend_is_member(?)`, s).Scan(context.Background(), &is); err != nil {
			t.Fatal(err)
		}
		if is != member.IsMember(s) {
			t.Errorf("member_yearend_is_member(%q) = %v, member.IsMember = %v", s, is, member.IsMember(s))
		}
	}
}
