package pipeline_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"ptdv/internal/apperr"
	"ptdv/internal/auth"
	"ptdv/internal/fixture"
	"ptdv/internal/member"
	"ptdv/internal/people"
	"ptdv/internal/pgtest"
	"ptdv/internal/pipeline"
	"ptdv/internal/vn"
)

func as(t *testing.T, w *world, role, unit string) context.Context {
	t.Helper()
	a, err := auth.Resolve(context.Background(), w.db, auth.Claims{Role: role, Unit: unit, RegisteredClaims: jwt.RegisteredClaims{Subject: role + "@" + unit}})
	if err != nil {
		t.Fatal(err)
	}
	return auth.WithActor(context.Background(), a)
}

func wantCode(t *testing.T, what string, err error, code apperr.Code) {
	t.Helper()
	if e, ok := apperr.As(err); !ok || e.Code != code {
		t.Errorf("%s: err = %v, want %s", what, err, code)
	}
}

// Dates after today are refused on every move (a certificate dated 31/12/9999 went through), and dates
// before 1900 too; the case is unchanged.
func TestMovesRefuseFutureAndAncientDates(t *testing.T) {
	t.Parallel()
	w, d, ctx := newWorld(t)
	tomorrow := vn.Today().AddDate(0, 0, 1)
	pid := w.person(t, "Nguyễn Văn Tương Lai", "1998-05-10", w.cellA, nil)
	_, err := pipeline.Open(ctx, d.App, pipeline.OpenInput{PersonID: pid, CellID: w.cellA, Proposer: "cell", Doc: pipeline.Doc{Effective: tomorrow}})
	wantCode(t, "listing tomorrow", err, apperr.InvalidInput)
	c := w.open(t, pid, "2025-01-06")
	for name, doc := range map[string]pipeline.Doc{
		"certificate tomorrow":         {Effective: tomorrow, Number: "CN 1"},
		"certificate 31/12/9999":       {Effective: fixture.Day("9999-12-31"), Number: "CN 1"},
		"certificate in 1899":          {Effective: fixture.Day("1899-12-31"), Number: "CN 1"},
		"certificate in year 1":        {Effective: fixture.Day("0001-01-01"), Number: "CN 1"},
		"document dated in the future": {Effective: fixture.Day("2025-02-10"), Number: "CN 1", Date: &tomorrow},
	} {
		_, err := pipeline.CompleteCourse(ctx, d.App, c.ID, c.Version, doc)
		wantCode(t, name, err, apperr.InvalidInput)
	}
	c = w.ok(pipeline.CompleteCourse(ctx, d.App, c.ID, c.Version, doc("2025-02-10", "CN 1")))
	c = w.ok(pipeline.CompleteDossier(ctx, d.App, c.ID, c.Version, w.dossier("2025-03-03", w.sponsors("2020-01-01"))))
	_, err = pipeline.CellResolution(ctx, d.App, c.ID, c.Version, pipeline.Doc{Effective: tomorrow, Number: "NQ 1"}, pipeline.Votes{For: 2, Eligible: 2})
	wantCode(t, "cell resolution tomorrow", err, apperr.InvalidInput)
	if m, _ := pipeline.Get(ctx, d.App, []int64{c.ID}); m[c.ID].Stage != pipeline.StageDossier || m[c.ID].Version != c.Version {
		t.Errorf("the refused moves changed the case: %+v", m[c.ID])
	}
}

// One month arithmetic: born on 29/02/2008, a candidate is 18 on 28/02/2026 (the age rule counted
// 01/03 before), the day a period of 216 months from 29/02/2008 ends.
func TestBornOnLeapDayComesOfAgeWithTheMonthArithmetic(t *testing.T) {
	t.Parallel()
	w, d, ctx := newWorld(t)
	pid := w.person(t, "Trần Thị Nhuận", "2008-02-29", w.cellA, func(n *people.NewPerson) { n.Sex = "female" })
	c := w.open(t, pid, "2025-06-02")
	c = w.ok(pipeline.CompleteCourse(ctx, d.App, c.ID, c.Version, doc("2025-07-01", "CN 2")))
	c = w.ok(pipeline.CompleteDossier(ctx, d.App, c.ID, c.Version, w.dossier("2025-12-01", w.sponsors("2020-01-01"))))
	_, err := pipeline.CellResolution(ctx, d.App, c.ID, c.Version, doc("2026-02-27", "NQ 1"), pipeline.Votes{For: 2, Eligible: 2})
	wantRule(t, "the day before", err, pipeline.RuleAgeMin)
	w.ok(pipeline.CellResolution(ctx, d.App, c.ID, c.Version, doc("2026-02-28", "NQ 1"), pipeline.Votes{For: 2, Eligible: 2}))
	p, _ := people.GetOne(ctx, d.App, pid)
	if p.AgeOn(fixture.Day("2026-02-28")) != 18 || p.AgeOn(fixture.Day("2026-02-27")) != 17 {
		t.Errorf("Person.AgeOn disagrees: %d on 28/02", p.AgeOn(fixture.Day("2026-02-28")))
	}
	if _, err := people.AgeAt(p, fixture.Day("2008-02-28")); apperr.CodeOf(err) != apperr.InvalidInput {
		t.Errorf("an age before the birth date: %v", err)
	}
}

// The committee's resolution and the admission decision are recorded by the board of a unit that
// decides admissions: a cell's secretary, or a board token of a cell, is refused; the commune's board
// records them.
func TestOnlyADecidingBoardRecordsTheCommitteeAndTheDecision(t *testing.T) {
	t.Parallel()
	w, d, _ := newWorld(t)
	pid := w.person(t, "Lê Văn Quyết", "1995-05-10", w.cellA, nil)
	c := w.toDossierOn(t, pid, "2025-01-06", "2025-02-10", "2025-03-03", "2020-01-01")
	sec := as(t, w, "secretary", "HY.QC.1")
	c = w.ok(pipeline.CellResolution(sec, d.App, c.ID, c.Version, doc("2025-03-20", "NQ 1"), pipeline.Votes{For: 2, Eligible: 2}))
	for name, who := range map[string]context.Context{
		"the cell's secretary":    sec,
		"the commune's secretary": as(t, w, "secretary", "HY.QC"),
		"a board token of a cell": as(t, w, "board", "HY.QC.1"),
	} {
		_, err := pipeline.CommitteeResolution(who, d.App, c.ID, c.Version, doc("2025-04-10", "NQ 2"), pipeline.Votes{For: 7, Eligible: 9})
		wantCode(t, name+" records the committee's resolution", err, apperr.Forbidden)
	}
	board := as(t, w, "board", "HY.QC")
	c = w.ok(pipeline.CommitteeResolution(board, d.App, c.ID, c.Version, doc("2025-04-10", "NQ 2"), pipeline.Votes{For: 7, Eligible: 9}))
	for name, who := range map[string]context.Context{"the cell's secretary": sec, "a board token of a cell": as(t, w, "board", "HY.QC.1")} {
		_, err := pipeline.Decide(who, d.App, c.ID, c.Version, doc("2025-05-15", "QĐ 3"))
		wantCode(t, name+" decides", err, apperr.Forbidden)
		_, err = pipeline.ExtendDecision(who, d.App, c.ID, c.Version, doc("2025-05-15", "CV 4"))
		wantCode(t, name+" extends", err, apperr.Forbidden)
	}
	c = w.ok(pipeline.Decide(board, d.App, c.ID, c.Version, doc("2025-05-15", "QĐ 3")))
	// The ceremony is the cell's again.
	w.ok(pipeline.HoldCeremony(sec, d.App, c.ID, c.Version, doc("2025-06-02", "")))
}

// Re-admission: a former member may be listed again (an expelled one too: "đã là đảng viên" was
// false); before the 36 months are over the listing warns and the decision is refused saying why; after
// them the case goes through to a re-admission; one re-admission too many is refused at the listing.
// The two rules show in the pipeline's rule table.
func TestReadmissionAtListingAndDecision(t *testing.T) {
	t.Parallel()
	w, d, ctx := newWorld(t)
	board := as(t, w, "board", "HY.QC")
	former := func(name string, events ...member.Event) int64 {
		id := w.person(t, name, "1980-04-04", w.cellA, nil)
		base := []member.Event{
			{Kind: member.KindAdmitted, Effective: fixture.Day("2010-06-01"), DecisionDate: fixture.DayPtr("2010-05-20"), Document: "QĐ 1"},
			{Kind: member.KindRecognized, Effective: fixture.Day("2011-06-01"), Document: "NQ 2"},
		}
		for _, e := range append(base, events...) {
			e.PersonID = id
			if err := member.Record(ctx, d.App, e); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
		}
		return id
	}
	toCommittee := func(c pipeline.Case, from string) pipeline.Case {
		t.Helper()
		on := fixture.Day(from)
		c = w.ok(pipeline.CompleteCourse(ctx, d.App, c.ID, c.Version, pipeline.Doc{Effective: on.AddDate(0, 0, 14), Number: "CN"}))
		c = w.ok(pipeline.CompleteDossier(ctx, d.App, c.ID, c.Version, w.dossier(on.AddDate(0, 1, 0).Format(time.DateOnly), w.sponsors("2020-01-01"))))
		c = w.ok(pipeline.CellResolution(ctx, d.App, c.ID, c.Version, pipeline.Doc{Effective: on.AddDate(0, 1, 14), Number: "NQ"}, pipeline.Votes{For: 2, Eligible: 2}))
		return w.ok(pipeline.CommitteeResolution(board, d.App, c.ID, c.Version, pipeline.Doc{Effective: on.AddDate(0, 1, 21), Number: "NQ ĐU"}, pipeline.Votes{For: 7, Eligible: 9}))
	}

	// Expelled on 10/01/2025: listed on 02/06/2025 with a warning; the decision is refused until 10/01/2028.
	early := former("Phạm Văn Sớm", member.Event{Kind: member.KindExpelled, Effective: fixture.Day("2025-01-10"), Document: "QĐ khai trừ"})
	c, err := pipeline.Open(ctx, d.App, pipeline.OpenInput{PersonID: early, CellID: w.cellA, Proposer: "cell", Doc: doc("2025-06-02", "")})
	if err != nil {
		t.Fatalf("an expelled former member cannot be listed: %v", err)
	}
	if len(c.Warnings) != 1 || !strings.Contains(c.Warnings[0], "khai trừ ngày 10/01/2025") || !strings.Contains(c.Warnings[0], "10/01/2028") {
		t.Errorf("listing warnings = %q", c.Warnings)
	}
	c = toCommittee(c, "2025-06-02")
	_, err = pipeline.Decide(board, d.App, c.ID, c.Version, doc("2025-07-30", "QĐ 9"))
	wantRule(t, "decision before the 36 months", err, pipeline.RuleReadmissionMinMonths)
	if e, _ := apperr.As(err); e == nil || !strings.Contains(e.Message, "10/01/2028") || strings.Contains(e.Message, "đã là đảng viên") {
		t.Errorf("the refusal does not say why: %v", err)
	}

	// Expelled on 10/01/2021: listed without a warning, decided and re-admitted at the ceremony.
	late := former("Trần Văn Muộn", member.Event{Kind: member.KindExpelled, Effective: fixture.Day("2021-01-10"), Document: "QĐ khai trừ"})
	c, err = pipeline.Open(ctx, d.App, pipeline.OpenInput{PersonID: late, CellID: w.cellA, Proposer: "cell", Doc: doc("2025-01-06", "")})
	if err != nil || len(c.Warnings) != 0 {
		t.Fatalf("listing after the period: %v %q", err, c.Warnings)
	}
	c = toCommittee(c, "2025-01-06")
	c = w.ok(pipeline.Decide(board, d.App, c.ID, c.Version, doc("2025-03-03", "QĐ 10")))
	w.ok(pipeline.HoldCeremony(ctx, d.App, c.ID, c.Version, doc("2025-03-20", "")))
	if st, _ := member.Status(ctx, d.App, late, fixture.Day("2025-04-01")); st.Status != member.StatusProbationary {
		t.Errorf("after re-admission: %+v", st)
	}

	// Re-admitted once already and removed again: refused at the listing, saying why.
	twice := former("Lê Văn Lần", member.Event{Kind: member.KindRemoved, Effective: fixture.Day("2014-01-01"), Document: "QĐ xóa tên"},
		member.Event{Kind: member.KindReadmitted, Effective: fixture.Day("2018-01-05"), DecisionDate: fixture.DayPtr("2017-12-20"), Document: "QĐ 5"},
		member.Event{Kind: member.KindRemoved, Effective: fixture.Day("2019-03-01"), Document: "QĐ xóa tên 2"})
	_, err = pipeline.Open(ctx, d.App, pipeline.OpenInput{PersonID: twice, CellID: w.cellA, Proposer: "cell", Doc: doc("2025-01-06", "")})
	wantRule(t, "a second re-admission", err, pipeline.RuleReadmissionMaxTimes)

	rules, err := pipeline.LoadRules(ctx, d.App)
	if err != nil || rules.V(pipeline.RuleReadmissionMinMonths) != 36 || rules.V(pipeline.RuleReadmissionMaxTimes) != 1 {
		t.Errorf("the rule table lacks the re-admission rules: %v", err)
	}
}

// The number entitled to vote is the cell's full members on the date: 30 of 40 passed in a cell of 6
// full members; 4 of 6 is right. A probationary member is not counted; the recognition vote likewise.
func TestVotesCountTheCellsFullMembers(t *testing.T) {
	t.Parallel()
	w, d, ctx := newWorld(t)
	for _, n := range []string{"Một", "Hai", "Ba", "Bốn"} {
		w.member(t, "Đảng Viên "+n, "1970-01-01", w.cellA)
	}
	c := w.toDossierBorn(t, "1995-01-01", nil)
	for _, v := range []pipeline.Votes{{For: 30, Eligible: 40}, {For: 4, Eligible: 5}, {For: 2, Eligible: 2}} {
		_, err := pipeline.CellResolution(ctx, d.App, c.ID, c.Version, doc("2025-03-20", "NQ 5"), v)
		if e, ok := apperr.As(err); !ok || e.Code != apperr.InvalidInput || e.Field != "votes.eligible" || !strings.Contains(e.Message, "6 đảng viên chính thức") {
			t.Errorf("%d of %d in a cell of 6: %v", v.For, v.Eligible, err)
		}
	}
	_, err := pipeline.CellResolution(ctx, d.App, c.ID, c.Version, doc("2025-03-20", "NQ 5"), pipeline.Votes{For: 3, Eligible: 6})
	wantRule(t, "3 of 6", err, pipeline.RuleCellVote)
	c = w.ok(pipeline.CellResolution(ctx, d.App, c.ID, c.Version, doc("2025-03-20", "NQ 5"), pipeline.Votes{For: 4, Eligible: 6}))
	c = w.ok(pipeline.CommitteeResolution(ctx, d.App, c.ID, c.Version, doc("2025-04-10", "NQ 6"), pipeline.Votes{For: 7, Eligible: 9}))
	c = w.ok(pipeline.Decide(ctx, d.App, c.ID, c.Version, doc("2025-05-15", "QĐ 7")))
	c = w.ok(pipeline.HoldCeremony(ctx, d.App, c.ID, c.Version, doc("2025-06-02", "")))
	_, err = pipeline.RecognitionVote(ctx, d.App, c.ID, c.Version, doc("2026-06-10", "NQ 8"), pipeline.Votes{For: 7, Eligible: 7})
	if e, ok := apperr.As(err); !ok || e.Field != "votes.eligible" {
		t.Errorf("recognition counting the probationary member: %v", err)
	}
	w.ok(pipeline.RecognitionVote(ctx, d.App, c.ID, c.Version, doc("2026-06-10", "NQ 8"), pipeline.Votes{For: 6, Eligible: 6}))
}

// The API counts a cell's voters (voterOn) in two queries whatever the cell's size: its status spans
// on the date, then their persons' recognitions by vote.
func TestVoterCountTakesTwoQueries(t *testing.T) {
	t.Parallel()
	w, d, ctx := newWorld(t)
	var qc pgtest.QueryCounter
	d.App.AddQueryHook(&qc)
	count := func(want int) int {
		t.Helper()
		qc.Reset()
		n, err := pipeline.FullMembers(ctx, d.App, w.cellA, fixture.Day("2025-03-20"))
		if err != nil || n != want {
			t.Fatalf("full members: %d, %v; want %d", n, err, want)
		}
		rules := 0
		for _, q := range qc.Queries() {
			if strings.Contains(q, "member_status_span") || strings.Contains(q, "candidate_case") {
				rules++
			}
		}
		if rules != 2 {
			t.Errorf("%d queries read the spans and recognitions, want 2: %q", rules, qc.Queries())
		}
		return qc.Count()
	}
	small := count(2)
	for _, n := range []string{"Một", "Hai", "Ba", "Bốn"} {
		w.member(t, "Đảng Viên "+n, "1970-01-01", w.cellA)
	}
	if large := count(6); large != small {
		t.Errorf("%d queries for 6 members, %d for 2", large, small)
	}
}
