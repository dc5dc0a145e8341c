package member_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/uptrace/bun"

	"ptdv/internal/apperr"
	"ptdv/internal/fixture"
	"ptdv/internal/member"
	"ptdv/internal/org"
	"ptdv/internal/page"
	"ptdv/internal/people"
	"ptdv/internal/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

func record(t testing.TB, ctx context.Context, db bun.IDB, e member.Event) {
	t.Helper()
	if err := member.Record(ctx, db, e); err != nil {
		t.Fatalf("record %s %s: %v", e.Kind, e.Effective.Format(time.DateOnly), err)
	}
}

// admit records an admission (decision two weeks before the ceremony) and, when full is set, the
// recognition at the end of the 12 months.
func admit(t testing.TB, ctx context.Context, db bun.IDB, person int64, ceremony string, full bool) {
	t.Helper()
	c := fixture.Day(ceremony)
	record(t, ctx, db, member.Event{PersonID: person, Kind: member.KindAdmitted, Effective: c, DecisionDate: fixture.Ptr(c.AddDate(0, 0, -14)),
		Document: "QĐ kết nạp"})
	if full {
		record(t, ctx, db, member.Event{PersonID: person, Kind: member.KindRecognized, Effective: c.AddDate(1, 0, 0), Document: "QĐ công nhận"})
	}
}

func counts(t testing.TB, ctx context.Context, db bun.IDB, unit int64, on string) map[string]int {
	t.Helper()
	m, err := member.CountByStatus(ctx, db, unit, fixture.Day(on))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func wantCounts(t *testing.T, what string, got map[string]int, want map[string]int) {
	t.Helper()
	if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("%s: counts (-want +got):\n%s", what, diff)
	}
}

func wantRule(t *testing.T, what string, err error, rule string) {
	t.Helper()
	e, ok := apperr.As(err)
	if !ok || e.Code != apperr.RuleViolation || e.Rule != rule {
		t.Errorf("%s: got %v, want RULE_VIOLATION %s", what, err, rule)
	}
}

func TestCountByStatusAcrossMerger(t *testing.T) {
	t.Parallel()
	d, tr, ctx := fixture.NewTree(t)
	ps := fixture.Persons(t, ctx, d.App, tr.X, tr.X, tr.Y, tr.Y, tr.Y) // the fifth: a candidate, never a member
	a, b, c, dd := ps[0], ps[1], ps[2], ps[3]
	admit(t, ctx, d.App, a, "2020-03-01", true)
	admit(t, ctx, d.App, b, "2024-09-01", false)
	admit(t, ctx, d.App, c, "2019-01-10", true)
	admit(t, ctx, d.App, dd, "2018-01-01", true)
	record(t, ctx, d.App, member.Event{PersonID: dd, Kind: member.KindRemoved, Effective: fixture.Day("2024-05-01"), Document: "NQ xóa tên"})

	// The 2025 reform: the two communes merge into Hoàng An directly under the province; the district ends.
	res, err := org.Merge(ctx, d.App, []int64{tr.C1, tr.C2}, org.Successor{
		New:      &org.NewUnit{Code: "VP.HA", Name: "Đảng bộ xã Hoàng An", Kind: "grassroots_committee", Sector: "territorial"},
		ParentID: &tr.P}, org.Doc{Effective: fixture.Day("2025-07-01"), Document: "QĐ sáp nhập"})
	if err != nil {
		t.Fatal(err)
	}
	ha := res.Units[0]
	if _, err := org.Dissolve(ctx, d.App, tr.D, org.Doc{Effective: fixture.Day("2025-07-01")}); err != nil {
		t.Fatal(err)
	}

	wantCounts(t, "province before B", counts(t, ctx, d.App, tr.P, "2024-01-01"), map[string]int{"full": 3})
	wantCounts(t, "district the day before the merger", counts(t, ctx, d.App, tr.D, "2025-06-30"),
		map[string]int{"full": 2, "probationary": 1, "removed": 1})
	wantCounts(t, "commune Hoàng Hoa before", counts(t, ctx, d.App, tr.C1, "2025-06-30"), map[string]int{"full": 1, "probationary": 1})
	wantCounts(t, "merged commune on the day", counts(t, ctx, d.App, ha, "2025-07-01"),
		map[string]int{"full": 2, "probationary": 1, "removed": 1})
	wantCounts(t, "merged commune before it existed", counts(t, ctx, d.App, ha, "2025-06-30"), map[string]int{})
	wantCounts(t, "district after it ended", counts(t, ctx, d.App, tr.D, "2025-07-01"), map[string]int{})
	wantCounts(t, "province across", counts(t, ctx, d.App, tr.P, "2025-07-01"), map[string]int{"full": 2, "probationary": 1, "removed": 1})
	if n := member.Members(counts(t, ctx, d.App, tr.P, "2025-07-01")); n != 3 {
		t.Errorf("members of the province = %d, want 3", n)
	}

	// B is recognized from the end of the 12 months.
	record(t, ctx, d.App, member.Event{PersonID: b, Kind: member.KindRecognized, Effective: fixture.Day("2025-09-01")})
	wantCounts(t, "merged commune after B's recognition", counts(t, ctx, d.App, ha, "2025-09-01"), map[string]int{"full": 3, "removed": 1})
	wantCounts(t, "the day before it", counts(t, ctx, d.App, ha, "2025-08-31"), map[string]int{"full": 2, "probationary": 1, "removed": 1})

	// A transfers officially from Hoàng An's cell X to Liên Bảo's cell Z; the commune board records it.
	board := fixture.Actor(t, d.App, "board", "VP.HA")
	if _, err := people.GetOne(board, d.App, a); err != nil {
		t.Fatalf("the merged commune should see A before the transfer: %v", err)
	}
	record(t, board, d.App, member.Event{PersonID: a, Kind: member.KindTransferredOutOfficial, Effective: fixture.Day("2025-10-01"),
		ToUnitID: &tr.Z, Document: "Giấy giới thiệu chuyển sinh hoạt đảng"})
	if m, _ := people.Get(board, d.App, []int64{a}); len(m) != 0 {
		t.Error("after the transfer the old commune still sees A")
	}
	_, err = member.History(board, d.App, a)
	if apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("history of A for the old commune: %v", err)
	}
	// Its counts for earlier dates still include A, even through its predecessor's subtree.
	wantCounts(t, "old commune before the transfer", counts(t, board, d.App, ha, "2025-09-30"), map[string]int{"full": 3, "removed": 1})
	wantCounts(t, "predecessor seen by the merged commune", counts(t, board, d.App, tr.C1, "2025-06-30"), map[string]int{"full": 1, "probationary": 1})
	wantCounts(t, "old commune in transit", counts(t, board, d.App, ha, "2025-10-05"), map[string]int{"full": 2, "removed": 1, "transferred_out": 1})

	// The receiving ward sees A and records the arrival.
	ward := fixture.Actor(t, d.App, "board", "VP.VY.LL")
	record(t, ward, d.App, member.Event{PersonID: a, Kind: member.KindTransferredInOfficial, Effective: fixture.Day("2025-10-15"), Document: "Tiếp nhận"})
	wantCounts(t, "ward after the arrival", counts(t, ward, d.App, tr.C3, "2025-10-15"), map[string]int{"full": 1})
	wantCounts(t, "ward in transit", counts(t, ward, d.App, tr.C3, "2025-10-05"), map[string]int{})
	wantCounts(t, "old commune after the arrival", counts(t, board, d.App, ha, "2025-10-15"), map[string]int{"full": 2, "removed": 1})
	wantCounts(t, "province after the arrival", counts(t, ctx, d.App, tr.P, "2025-10-15"), map[string]int{"full": 3, "removed": 1})

	hist, err := member.History(ward, d.App, a)
	if err != nil || len(hist) != 4 || hist[2].UnitID != tr.X || hist[3].UnitID != tr.Z {
		t.Errorf("history %+v, %v", hist, err)
	}
	st := member.StatusOn(hist, fixture.Day("2025-10-15"))
	if st.Status != member.StatusFull || st.AdmittedOn == nil || !st.AdmittedOn.Equal(fixture.Day("2020-02-16")) || !st.FullFrom.Equal(fixture.Day("2021-03-01")) {
		t.Errorf("state %+v", st)
	}

	// Lists: members of the merged commune on a date, paged by person id.
	l, err := member.List(board, d.App, ha, fixture.Day("2025-09-30"), "", page.Args{First: 2})
	if err != nil || len(l.Items) != 2 || !l.HasNext || l.Items[0].PersonID != a {
		t.Fatalf("list page 1: %+v, %v", l, err)
	}
	l, err = member.List(board, d.App, ha, fixture.Day("2025-09-30"), "", page.Args{First: 2, After: l.Items[1].PageKey()})
	if err != nil || len(l.Items) != 1 || l.HasNext || l.Items[0].PersonID != c {
		t.Errorf("list page 2: %+v, %v", l, err)
	}
	l, _ = member.List(board, d.App, ha, fixture.Day("2025-09-30"), member.StatusRemoved, page.Args{First: 10})
	if len(l.Items) != 1 || l.Items[0].PersonID != dd {
		t.Errorf("removed list: %+v", l.Items)
	}

	// Scope: a sibling district's ward cannot count the merged commune.
	if _, err := member.CountByStatus(ward, d.App, ha, fixture.Day("2025-09-30")); apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("out-of-scope count: %v", err)
	}
}

func TestRecognitionRule(t *testing.T) {
	t.Parallel()
	d, tr, _ := fixture.NewTree(t)
	ctx := fixture.Actor(t, d.App, "secretary", "VP.TD.HH.DB")
	p := fixture.Person(t, ctx, d.App, "Nguyễn Văn An", tr.X)

	err := member.Record(ctx, d.App, member.Event{PersonID: p, Kind: member.KindRecognized, Effective: fixture.Day("2024-01-10")})
	wantRule(t, "recognition without admission", err, member.RuleSequence)
	err = member.Record(ctx, d.App, member.Event{PersonID: p, Kind: member.KindAdmitted, Effective: fixture.Day("2023-01-10")})
	if e, ok := apperr.As(err); !ok || e.Field != "decision_date" {
		t.Errorf("admission without a decision date: %v", err)
	}
	admit(t, ctx, d.App, p, "2023-01-10", false)
	err = member.Record(ctx, d.App, member.Event{PersonID: p, Kind: member.KindRecognized, Effective: fixture.Day("2024-01-09")})
	wantRule(t, "recognition a day early", err, member.RuleProbationMonths)
	err = member.Record(ctx, d.App, member.Event{PersonID: p, Kind: member.KindAdmitted, Effective: fixture.Day("2023-06-01"), DecisionDate: fixture.Ptr(fixture.Day("2023-05-01"))})
	wantRule(t, "second admission", err, member.RuleSequence)
	err = member.Record(ctx, d.App, member.Event{PersonID: p, UnitID: tr.Y, Kind: member.KindRecognized, Effective: fixture.Day("2024-01-10")})
	if e, ok := apperr.As(err); !ok || e.Field != "unit_id" {
		t.Errorf("an event in another unit: %v", err)
	}
	record(t, ctx, d.App, member.Event{PersonID: p, UnitID: tr.X, Kind: member.KindRecognized, Effective: fixture.Day("2024-01-10")})
	if n := fixture.Count(t, d.Owner, `SELECT count(*) FROM member_event`); n != 2 {
		t.Errorf("%d events, want 2 (refusals write nothing)", n)
	}

	// Recognition decided late still dates from the end of the probation, even after a later event.
	r := fixture.Person(t, ctx, d.App, "Lê Văn Cường", tr.X)
	admit(t, ctx, d.App, r, "2022-01-10", false)
	record(t, ctx, d.App, member.Event{PersonID: r, Kind: member.KindTransferredOutTemporary, Effective: fixture.Day("2023-09-01")})
	record(t, ctx, d.App, member.Event{PersonID: r, Kind: member.KindRecognized, Effective: fixture.Day("2023-01-10"), DecisionDate: fixture.Ptr(fixture.Day("2023-10-01"))})
	spans, err := member.Spans(ctx, d.App, r)
	if err != nil || len(spans) != 3 || spans[1].Status != "full" || !spans[1].ValidFrom.Equal(fixture.Day("2023-01-10")) ||
		spans[2].Status != "temporary_out" || spans[2].Grade != "full" {
		t.Errorf("spans after a late recognition: %+v, %v", spans, err)
	}

	// The value is data: an administrator lengthens the probation and the same recognition is refused.
	if _, err := d.Owner.ExecContext(context.Background(), `UPDATE rule SET value = 18 WHERE id = 'probation.months'`); err != nil {
		t.Fatal(err)
	}
	q := fixture.Person(t, ctx, d.App, "Trần Văn Bình", tr.X)
	admit(t, ctx, d.App, q, "2023-01-10", false)
	err = member.Record(ctx, d.App, member.Event{PersonID: q, Kind: member.KindRecognized, Effective: fixture.Day("2024-01-10")})
	wantRule(t, "recognition under an 18-month rule", err, member.RuleProbationMonths)
	record(t, ctx, d.App, member.Event{PersonID: q, Kind: member.KindRecognized, Effective: fixture.Day("2024-07-10")})
}

func TestReadmission(t *testing.T) {
	t.Parallel()
	d, tr, ctx := fixture.NewTree(t)
	p := fixture.Person(t, ctx, d.App, "Nguyễn Văn An", tr.X)
	admit(t, ctx, d.App, p, "2015-01-01", true)
	record(t, ctx, d.App, member.Event{PersonID: p, Kind: member.KindRemoved, Effective: fixture.Day("2019-01-01")})

	err := member.Record(ctx, d.App, member.Event{PersonID: p, Kind: member.KindReadmitted, Effective: fixture.Day("2021-12-31"), DecisionDate: fixture.Ptr(fixture.Day("2021-12-01"))})
	wantRule(t, "readmission before 36 months", err, member.RuleReadmissionMinMonths)
	err = member.Record(ctx, d.App, member.Event{PersonID: p, Kind: member.KindAdmitted, Effective: fixture.Day("2022-01-01"), DecisionDate: fixture.Ptr(fixture.Day("2021-12-01"))})
	wantRule(t, "a removed member is admitted, not readmitted", err, member.RuleSequence)
	record(t, ctx, d.App, member.Event{PersonID: p, Kind: member.KindReadmitted, Effective: fixture.Day("2022-01-01"), DecisionDate: fixture.Ptr(fixture.Day("2021-12-01"))})

	hist, _ := member.History(ctx, d.App, p)
	if st := member.StatusOn(hist, fixture.Day("2022-06-01")); st.Status != member.StatusProbationary || st.Readmissions != 1 {
		t.Errorf("after readmission: %+v", st)
	}
	// Probation again: 12 months from the new ceremony.
	err = member.Record(ctx, d.App, member.Event{PersonID: p, Kind: member.KindRecognized, Effective: fixture.Day("2022-12-31")})
	wantRule(t, "recognition after readmission", err, member.RuleProbationMonths)
	record(t, ctx, d.App, member.Event{PersonID: p, Kind: member.KindRecognized, Effective: fixture.Day("2023-01-01")})
	record(t, ctx, d.App, member.Event{PersonID: p, Kind: member.KindRemoved, Effective: fixture.Day("2023-02-01")})
	err = member.Record(ctx, d.App, member.Event{PersonID: p, Kind: member.KindReadmitted, Effective: fixture.Day("2026-02-01"), DecisionDate: fixture.Ptr(fixture.Day("2026-01-15"))})
	wantRule(t, "second readmission", err, member.RuleReadmissionMaxTimes)

	// Nothing follows death.
	q := fixture.Person(t, ctx, d.App, "Trần Văn Bình", tr.X)
	admit(t, ctx, d.App, q, "2015-01-01", true)
	record(t, ctx, d.App, member.Event{PersonID: q, Kind: member.KindDeceased, Effective: fixture.Day("2020-01-01")})
	err = member.Record(ctx, d.App, member.Event{PersonID: q, Kind: member.KindExempted, Effective: fixture.Day("2021-01-01")})
	wantRule(t, "after death", err, member.RuleSequence)
	// Backdating into the history is checked against what follows: an exemption before the death is
	// fine, a readmission before it is not.
	record(t, ctx, d.App, member.Event{PersonID: q, Kind: member.KindExempted, Effective: fixture.Day("2018-01-01")})
	err = member.Record(ctx, d.App, member.Event{PersonID: q, Kind: member.KindRemoved, Effective: fixture.Day("2019-01-01")})
	wantRule(t, "a removal that the later death cannot follow", err, member.RuleSequence)
	spans, _ := member.Spans(ctx, d.App, q)
	if len(spans) != 4 || spans[2].Status != "exempted" || spans[3].Status != "deceased" || spans[3].ValidTo != nil {
		t.Errorf("spans %+v", spans)
	}
}

func TestPermissionsAndAppendOnly(t *testing.T) {
	t.Parallel()
	d, tr, _ := fixture.NewTree(t)
	p := fixture.Person(t, fixture.System(), d.App, "Nguyễn Văn An", tr.X)
	viewer := fixture.Actor(t, d.App, "viewer", "VP")
	err := member.Record(viewer, d.App, member.Event{PersonID: p, Kind: member.KindAdmitted, Effective: fixture.Day("2020-01-01"), DecisionDate: fixture.Ptr(fixture.Day("2020-01-01"))})
	if apperr.CodeOf(err) != apperr.Forbidden {
		t.Errorf("viewer records: %v", err)
	}
	if _, err := member.CountByStatus(viewer, d.App, tr.P, fixture.Day("2020-01-01")); err != nil {
		t.Errorf("viewer counts: %v", err)
	}
	sibling := fixture.Actor(t, d.App, "board", "VP.TD.HD")
	err = member.Record(sibling, d.App, member.Event{PersonID: p, Kind: member.KindAdmitted, Effective: fixture.Day("2020-01-01"), DecisionDate: fixture.Ptr(fixture.Day("2020-01-01"))})
	if apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("sibling records: %v", err)
	}
	admit(t, fixture.System(), d.App, p, "2020-01-01", true)
	for _, q := range []string{`UPDATE member_event SET note = 'x'`, `DELETE FROM member_event`, `UPDATE rule SET value = 1`} {
		if _, err := d.App.ExecContext(context.Background(), q); err == nil {
			t.Errorf("%s as the application role succeeded", q)
		}
	}
	if n := fixture.Count(t, d.Owner, `SELECT count(*) FROM audit_log WHERE action = 'member.record'`); n != 2 {
		t.Errorf("%d audit rows, want 2", n)
	}
}

// A cell that moved into an actor's subtree later: the actor counts it as of dates before the move too
// (auth: a unit that is or ever was in the subtree is visible), though its path then lay elsewhere.
func TestCountUnitThatMovedIn(t *testing.T) {
	t.Parallel()
	d, tr, ctx := fixture.NewTree(t)
	a := fixture.Person(t, ctx, d.App, "Nguyễn Văn An", tr.Y)
	admit(t, ctx, d.App, a, "2020-03-01", true)
	if _, err := org.Move(ctx, d.App, tr.Y, tr.C3, org.Doc{Effective: fixture.Day("2025-01-01"), Document: "QĐ điều chuyển"}); err != nil {
		t.Fatal(err)
	}
	ward := fixture.Actor(t, d.App, "board", "VP.VY.LL")
	wantCounts(t, "moved cell before the move", counts(t, ward, d.App, tr.Y, "2024-06-01"), map[string]int{"full": 1})
	wantCounts(t, "ward before the move", counts(t, ward, d.App, tr.C3, "2024-06-01"), map[string]int{})
	wantCounts(t, "ward after the move", counts(t, ward, d.App, tr.C3, "2025-01-01"), map[string]int{"full": 1})
	if _, err := member.CountByStatus(ward, d.App, tr.C2, fixture.Day("2024-06-01")); apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("the cell's old commune is out of the ward's scope: %v", err)
	}
	old := fixture.Actor(t, d.App, "board", "VP.TD.HD")
	wantCounts(t, "old commune before the move", counts(t, old, d.App, tr.C2, "2024-06-01"), map[string]int{"full": 1})
}
