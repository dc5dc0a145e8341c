package pipeline_test

import (
	"context"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/uptrace/bun"

	"ptdv/internal/apperr"
	"ptdv/internal/auth"
	"ptdv/internal/fixture"
	"ptdv/internal/member"
	"ptdv/internal/people"
	"ptdv/internal/pgtest"
	"ptdv/internal/pipeline"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

func doc(on, no string) pipeline.Doc { return pipeline.Doc{Effective: fixture.Day(on), Number: no} }

// world is a province with two communes, each with a cell, and two full members in cell A.
type world struct {
	db                 bun.IDB
	cellA, cellB       int64
	communeA           int64
	sponsor1, sponsor2 int64
	seq                int
	t                  *testing.T
}

func newWorld(t *testing.T) (*world, *pgtest.DB, context.Context) {
	d, u, ctx := fixture.NewUnits(t, `
		HY       province              Đảng bộ tỉnh Hưng Yên
		HY.QC    grassroots_committee  Đảng bộ xã Quỳnh Châu
		HY.QS    grassroots_committee  Đảng bộ xã Quỳnh Sơn
		HY.QC.1  cell                  Chi bộ thôn An Phú
		HY.QS.1  cell                  Chi bộ thôn Đông Hải`)
	w := &world{db: d.App, t: t, communeA: u["HY.QC"], cellA: u["HY.QC.1"], cellB: u["HY.QS.1"]}
	w.sponsor1 = w.member(t, "Trần Văn Hùng", "1975-03-02", w.cellA)
	w.sponsor2 = w.member(t, "Phạm Thị Lan", "1980-11-20", w.cellA)
	return w, d, ctx
}

// nationalID builds a valid 12-digit id for a person (province 034 = Thái Bình).
func (w *world) nationalID(birth time.Time, female bool) string {
	w.seq++
	c := (birth.Year()/100 - 19) * 2
	if female {
		c++
	}
	return fmt.Sprintf("034%d%02d%06d", c, birth.Year()%100, w.seq)
}

func (w *world) person(t *testing.T, name, birth string, cell int64, edit func(*people.NewPerson)) int64 {
	t.Helper()
	n := people.NewPerson{FullName: name, Sex: "male", BirthDate: fixture.Day(birth), Ethnicity: "kinh", GeneralEducation: "upper_secondary",
		UnitID: cell, Since: fixture.Day("2015-01-01")}
	if edit != nil {
		edit(&n)
	}
	n.NationalID = w.nationalID(n.BirthDate, n.Sex == "female")
	p, err := people.Create(fixture.System(), w.db, n)
	if err != nil {
		t.Fatalf("create person %s: %v", name, err)
	}
	return p.ID
}

func (w *world) member(t *testing.T, name, birth string, cell int64) int64 {
	t.Helper()
	id := w.person(t, name, birth, cell, nil)
	for _, e := range []member.Event{
		{PersonID: id, Kind: member.KindAdmitted, Effective: fixture.Day("2015-06-01"), DecisionDate: fixture.DayPtr("2015-05-20"), Document: "QĐ 1"},
		{PersonID: id, Kind: member.KindRecognized, Effective: fixture.Day("2016-06-01"), Document: "QĐ 2"},
	} {
		if err := member.Record(fixture.System(), w.db, e); err != nil {
			t.Fatal(err)
		}
	}
	return id
}

func (w *world) open(t *testing.T, personID int64, on string) pipeline.Case {
	t.Helper()
	c, err := pipeline.Open(fixture.System(), w.db, pipeline.OpenInput{PersonID: personID, CellID: w.cellA, Proposer: "youth_union", Doc: doc(on, "")})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (w *world) sponsors(known string) []pipeline.SponsorInput {
	return []pipeline.SponsorInput{{PersonID: w.sponsor1, KnownSince: fixture.Day(known)}, {PersonID: w.sponsor2, KnownSince: fixture.Day(known)}}
}

func (w *world) dossier(on string, sponsors []pipeline.SponsorInput) pipeline.DossierInput {
	return pipeline.DossierInput{Doc: doc(on, ""), ApplicationOn: fixture.Day(on).AddDate(0, 0, -20), BiographyOn: fixture.Day(on).AddDate(0, 0, -15),
		Sponsors: sponsors, CommentsOn: fixture.Day(on).AddDate(0, 0, -5), BackgroundCheckOn: fixture.Day(on).AddDate(0, 0, -2)}
}

func (w *world) ok(c pipeline.Case, err error) pipeline.Case {
	w.t.Helper()
	if err != nil {
		w.t.Fatal(err)
	}
	return c
}

func wantRule(t *testing.T, what string, err error, rule string) {
	t.Helper()
	e, ok := apperr.As(err)
	if !ok || e.Code != apperr.RuleViolation || e.Rule != rule || e.Message == "" {
		t.Errorf("%s: err = %v, want RULE_VIOLATION %s", what, err, rule)
	}
}

func TestCaseFromSourceToFullMember(t *testing.T) {
	t.Parallel()
	w, d, ctx := newWorld(t)
	pid := w.person(t, "Nguyễn Thị Mai", "1998-05-10", w.cellA, func(n *people.NewPerson) { n.Sex = "female"; n.YouthUnionMember = true })
	c := w.open(t, pid, "2025-01-06")
	c = w.ok(pipeline.CompleteCourse(ctx, d.App, c.ID, c.Version, pipeline.Doc{Effective: fixture.Day("2025-02-10"), Form: "CN-NTVĐ", Number: "CN 125/2025"}))
	c = w.ok(pipeline.CompleteDossier(ctx, d.App, c.ID, c.Version, w.dossier("2025-03-03", w.sponsors("2022-09-01"))))
	c = w.ok(pipeline.CellResolution(ctx, d.App, c.ID, c.Version, doc("2025-03-20", "NQ 05-NQ/CB"), pipeline.Votes{For: 2, Eligible: 2}))
	c = w.ok(pipeline.CommitteeResolution(ctx, d.App, c.ID, c.Version, doc("2025-04-10", "NQ 31-NQ/ĐU"), pipeline.Votes{For: 7, Eligible: 9}))
	c = w.ok(pipeline.Decide(ctx, d.App, c.ID, c.Version, doc("2025-05-15", "QĐ 112-QĐ/HU")))
	dues, _ := pipeline.Dues(ctx, d.App, []int64{c.ID})
	if got := dues[c.ID]; len(got) != 1 || got[0].Kind != "ceremony_due" {
		t.Errorf("dues after decision = %+v", got)
	}
	c = w.ok(pipeline.HoldCeremony(ctx, d.App, c.ID, c.Version, doc("2025-06-02", "")))
	if st, err := member.Status(ctx, d.App, pid, fixture.Day("2025-07-01")); err != nil || st.Status != member.StatusProbationary {
		t.Errorf("status during probation = %+v %v", st, err)
	}
	dues, _ = pipeline.Dues(ctx, d.App, []int64{c.ID})
	if got := dues[c.ID]; len(got) != 2 || got[0].Kind != "probation_ends" || !got[0].DueOn.Equal(fixture.Day("2026-06-02")) || got[1].Kind != "recognition_due" {
		t.Errorf("dues during probation = %+v", got)
	}
	// Recognition decided late (after the 30 working days): full membership still dates from the
	// end of the 12 months.
	c = w.ok(pipeline.RecognitionVote(ctx, d.App, c.ID, c.Version, doc("2026-08-20", "NQ 09-NQ/CB"), pipeline.Votes{For: 2, Eligible: 2}))
	if c.Stage != pipeline.StageFullMember || c.RecognizedOn == nil || !c.RecognizedOn.Equal(fixture.Day("2026-06-02")) || c.Open() {
		t.Errorf("after recognition: %+v", c)
	}
	if st, _ := member.Status(ctx, d.App, pid, fixture.Day("2026-06-02")); st.Status != member.StatusFull {
		t.Errorf("status after probation = %+v", st)
	}
	if st, _ := member.Status(ctx, d.App, pid, fixture.Day("2026-06-01")); st.Status != member.StatusProbationary {
		t.Errorf("status on the last day of probation = %+v", st)
	}
	h, err := pipeline.History(ctx, d.App, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	kinds := ""
	for _, e := range h {
		kinds += e.Kind + " "
	}
	if kinds != "listed course_completed dossier_completed cell_resolved committee_resolved decided ceremony_held recognition_vote " {
		t.Errorf("history = %s", kinds)
	}
	if h[3].VotesFor == nil || *h[3].VotesFor != 2 || h[3].DocumentNo != "NQ 05-NQ/CB" || h[3].Form != "6-KNĐ" {
		t.Errorf("cell resolution event = %+v", h[3])
	}
	if dues, _ := pipeline.Dues(ctx, d.App, []int64{c.ID}); len(dues[c.ID]) != 0 {
		t.Errorf("a closed case has dues: %+v", dues)
	}
	var audits int
	_ = d.Owner.NewRaw(`SELECT count(*) FROM audit_log WHERE entity = 'candidate_case' AND entity_id = ?`, fmt.Sprint(c.ID)).Scan(context.Background(), &audits)
	if audits != 8 {
		t.Errorf("audit rows = %d, want 8", audits)
	}
	if _, err := pipeline.Leave(ctx, d.App, c.ID, c.Version, doc("2026-09-01", ""), "declined"); err == nil {
		t.Error("a closed case moved")
	}
}

// advance takes a fresh case to the dossier stage with standard dates.
func (w *world) toDossier(t *testing.T, pid int64) pipeline.Case {
	return w.toDossierOn(t, pid, "2025-01-06", "2025-02-10", "2025-03-03", "2022-09-01")
}

// toDossierOn opens a case for pid on listed, completes its course on course (certificate CN 1) and its
// dossier on dossier, with two sponsors who have known the candidate since known.
func (w *world) toDossierOn(t *testing.T, pid int64, listed, course, dossier, known string) pipeline.Case {
	t.Helper()
	ctx := fixture.System()
	c := w.open(t, pid, listed)
	c = w.ok(pipeline.CompleteCourse(ctx, w.db, c.ID, c.Version, doc(course, "CN 1")))
	return w.ok(pipeline.CompleteDossier(ctx, w.db, c.ID, c.Version, w.dossier(dossier, w.sponsors(known))))
}

func TestRulesRefuseWithTheirIDs(t *testing.T) {
	t.Parallel()
	w, d, ctx := newWorld(t)
	votes := pipeline.Votes{For: 2, Eligible: 2}

	// Age: under 18 on the day the cell considers the case (counted in months).
	young := w.toDossierBorn(t, "2007-03-21", nil)
	_, err := pipeline.CellResolution(ctx, d.App, young.ID, young.Version, doc("2025-03-20", "NQ 1"), votes)
	wantRule(t, "under 18", err, pipeline.RuleAgeMin)
	// One day later the candidate is 18: accepted.
	if _, err := pipeline.CellResolution(ctx, d.App, young.ID, young.Version, doc("2025-03-21", "NQ 1"), votes); err != nil {
		t.Errorf("exactly 18: %v", err)
	}
	// Over 60 without, then with, a provincial exception.
	old := w.toDossierBorn(t, "1963-01-15", nil)
	_, err = pipeline.CellResolution(ctx, d.App, old.ID, old.Version, doc("2025-03-20", "NQ 2"), votes)
	wantRule(t, "over 60", err, pipeline.RuleAgeMax)
	oldOK := w.toDossierBorn(t, "1963-01-15", func(n *people.NewPerson) { n.AgeException = "CV 123-CV/TU ngày 01/02/2025" })
	if _, err := pipeline.CellResolution(ctx, d.App, oldOK.ID, oldOK.Version, doc("2025-03-20", "NQ 3"), votes); err != nil {
		t.Errorf("over 60 with exception: %v", err)
	}
	// Education below lower secondary.
	edu := w.toDossierBorn(t, "1990-01-01", func(n *people.NewPerson) { n.GeneralEducation = "primary" })
	_, err = pipeline.CellResolution(ctx, d.App, edu.ID, edu.Version, doc("2025-03-20", "NQ 4"), votes)
	wantRule(t, "education", err, pipeline.RuleEducation)
	// Votes below 2/3 (1 of the cell's 2 full members; the number entitled is the records').
	c := w.toDossierBorn(t, "1990-01-01", nil)
	_, err = pipeline.CellResolution(ctx, d.App, c.ID, c.Version, doc("2025-03-20", "NQ 5"), pipeline.Votes{For: 1, Eligible: 2})
	wantRule(t, "cell vote", err, pipeline.RuleCellVote)
	c = w.ok(pipeline.CellResolution(ctx, d.App, c.ID, c.Version, doc("2025-03-20", "NQ 5"), pipeline.Votes{For: 2, Eligible: 2}))
	_, err = pipeline.CommitteeResolution(ctx, d.App, c.ID, c.Version, doc("2025-04-01", "NQ 6"), pipeline.Votes{For: 5, Eligible: 9})
	wantRule(t, "committee vote", err, pipeline.RuleCommitteeVote)
	// Moves out of order.
	_, err = pipeline.HoldCeremony(ctx, d.App, c.ID, c.Version, doc("2025-04-01", ""))
	wantRule(t, "ceremony before decision", err, pipeline.RuleStageOrder)
	c = w.ok(pipeline.CommitteeResolution(ctx, d.App, c.ID, c.Version, doc("2025-04-01", "NQ 6"), pipeline.Votes{For: 6, Eligible: 9}))
	_, err = pipeline.Decide(ctx, d.App, c.ID, c.Version, doc("2025-03-25", "QĐ 7"))
	wantRule(t, "decision dated before the committee", err, pipeline.RuleDateOrder)
	// Decision deadline: 60 working days from the cell's resolution (20/03/2025), once extendable by 30.
	_, err = pipeline.Decide(ctx, d.App, c.ID, c.Version, doc("2025-07-01", "QĐ 7"))
	wantRule(t, "decision too late", err, pipeline.RuleDecisionDeadline)
	c = w.ok(pipeline.ExtendDecision(ctx, d.App, c.ID, c.Version, doc("2025-06-01", "CV gia hạn")))
	_, err = pipeline.ExtendDecision(ctx, d.App, c.ID, c.Version, doc("2025-06-02", "CV gia hạn 2"))
	wantRule(t, "second extension", err, pipeline.RuleExtensionsMax)
	c = w.ok(pipeline.Decide(ctx, d.App, c.ID, c.Version, doc("2025-07-01", "QĐ 7")))
	// Ceremony deadline: 30 working days from the decision.
	_, err = pipeline.HoldCeremony(ctx, d.App, c.ID, c.Version, doc("2025-09-15", ""))
	wantRule(t, "ceremony too late", err, pipeline.RuleCeremonyDeadline)
	c = w.ok(pipeline.HoldCeremony(ctx, d.App, c.ID, c.Version, doc("2025-07-20", "")))
	// Probation: 12 months.
	_, err = pipeline.RecognitionVote(ctx, d.App, c.ID, c.Version, doc("2026-07-01", "NQ 8"), votes)
	wantRule(t, "recognition before 12 months", err, pipeline.RuleProbation)
	// Recognition: up to three votes, then escalate.
	for i := 0; i < 3; i++ {
		c = w.ok(pipeline.RecognitionVote(ctx, d.App, c.ID, c.Version, doc("2026-08-01", fmt.Sprint("NQ r", i)), pipeline.Votes{For: 1, Eligible: 2}))
		if c.Stage != pipeline.StageProbation {
			t.Fatalf("a failed vote moved the case to %s", c.Stage)
		}
	}
	_, err = pipeline.RecognitionVote(ctx, d.App, c.ID, c.Version, doc("2026-08-01", "NQ r4"), votes)
	wantRule(t, "fourth recognition vote", err, pipeline.RuleRecognitionRounds)
	// Removal after probation records the member event.
	c = w.ok(pipeline.Remove(ctx, d.App, c.ID, c.Version, doc("2026-08-10", "QĐ xóa tên"), "probation_failed"))
	if st, _ := member.Status(ctx, d.App, c.PersonID, fixture.Day("2026-08-10")); st.Status != member.StatusRemoved {
		t.Errorf("after removal: %+v", st)
	}
}

func (w *world) toDossierBorn(t *testing.T, birth string, edit func(*people.NewPerson)) pipeline.Case {
	t.Helper()
	names := []string{"An", "Bình", "Cường", "Dũng", "Giang", "Hải", "Khánh", "Long", "Minh", "Nam", "Phúc", "Quân"}
	w.seq++
	return w.toDossier(t, w.person(t, "Lê Văn "+names[w.seq%len(names)], birth, w.cellA, edit))
}

func TestDossierRules(t *testing.T) {
	t.Parallel()
	w, d, ctx := newWorld(t)
	pid := w.person(t, "Vũ Đức Anh", "1995-01-01", w.cellA, nil)
	c := w.open(t, pid, "2019-01-06")
	c = w.ok(pipeline.CompleteCourse(ctx, d.App, c.ID, c.Version, doc("2019-01-10", "CN 9")))
	// The certificate is valid 60 months: it expired on 10/01/2024.
	_, err := pipeline.CompleteDossier(ctx, d.App, c.ID, c.Version, w.dossier("2025-03-03", w.sponsors("2022-09-01")))
	wantRule(t, "expired certificate", err, pipeline.RuleCertificate)
	if e, _ := apperr.As(err); e == nil || e.Message != "Chứng chỉ bồi dưỡng nhận thức về Đảng đã hết hạn ngày 10/01/2024." {
		t.Errorf("message = %v", err)
	}
	c = w.ok(pipeline.CompleteCourse(ctx, d.App, c.ID, c.Version, doc("2024-03-01", "CN 10")))
	// One sponsor without the Youth Union route.
	_, err = pipeline.CompleteDossier(ctx, d.App, c.ID, c.Version, w.dossier("2024-04-01", w.sponsors("2022-09-01")[:1]))
	wantRule(t, "one sponsor", err, pipeline.RuleSponsorCount)
	// Sponsors who have known the candidate for only six months.
	_, err = pipeline.CompleteDossier(ctx, d.App, c.ID, c.Version, w.dossier("2024-04-01", w.sponsors("2023-10-01")))
	wantRule(t, "sponsor known 6 months", err, pipeline.RuleSponsorKnown)
	// A sponsor who is not a full member.
	probationary := w.person(t, "Đỗ Văn Mới", "1990-02-02", w.cellA, nil)
	if err := member.Record(ctx, d.App, member.Event{PersonID: probationary, Kind: member.KindAdmitted, Effective: fixture.Day("2024-01-05"), DecisionDate: fixture.DayPtr("2023-12-20"), Document: "QĐ 3"}); err != nil {
		t.Fatal(err)
	}
	_, err = pipeline.CompleteDossier(ctx, d.App, c.ID, c.Version, w.dossier("2024-04-01",
		[]pipeline.SponsorInput{{PersonID: w.sponsor1, KnownSince: fixture.Day("2020-01-01")}, {PersonID: probationary, KnownSince: fixture.Day("2020-01-01")}}))
	wantRule(t, "probationary sponsor", err, pipeline.RuleSponsorFullMember)
	// The Youth Union route needs a Youth Union member of Youth Union age.
	yu := pipeline.Doc{Effective: fixture.Day("2024-03-20"), Number: "NQ 2-NQ/ĐTN"}
	in := w.dossier("2024-04-01", w.sponsors("2022-09-01")[:1])
	in.YouthUnionResolution = &yu
	_, err = pipeline.CompleteDossier(ctx, d.App, c.ID, c.Version, in)
	wantRule(t, "youth union route for a non-member", err, pipeline.RuleSponsorYouth)
	// A sponsor's letter (3-KNĐ) dated after the dossier it belongs to.
	late := w.sponsors("2022-09-01")
	late[1].LetterOn = fixture.Day("2024-04-02")
	_, err = pipeline.CompleteDossier(ctx, d.App, c.ID, c.Version, w.dossier("2024-04-01", late))
	if e, ok := apperr.As(err); !ok || e.Code != apperr.InvalidInput || e.Field != "letterOn" {
		t.Errorf("a letter after the dossier: %v", err)
	}
	c = w.ok(pipeline.CompleteDossier(ctx, d.App, c.ID, c.Version, w.dossier("2024-04-01", w.sponsors("2022-09-01"))))
	// The dossier goes stale after 12 months without the cell's resolution.
	_, err = pipeline.CellResolution(ctx, d.App, c.ID, c.Version, doc("2025-04-02", "NQ 1"), pipeline.Votes{For: 2, Eligible: 2})
	wantRule(t, "stale dossier", err, pipeline.RuleDossierStale)

	// A Youth Union member of Youth Union age: the Youth Union's resolution plus one sponsor.
	ypid := w.person(t, "Hoàng Thu Trang", "2003-07-07", w.cellA, func(n *people.NewPerson) { n.Sex = "female"; n.YouthUnionMember = true })
	yc := w.open(t, ypid, "2025-01-06")
	yc = w.ok(pipeline.CompleteCourse(ctx, d.App, yc.ID, yc.Version, doc("2025-02-10", "CN 11")))
	in = w.dossier("2025-03-03", w.sponsors("2022-09-01")[:1])
	in.YouthUnionResolution = &pipeline.Doc{Effective: fixture.Day("2025-02-25"), Number: "NQ 3-NQ/ĐTN"}
	if _, err := pipeline.CompleteDossier(ctx, d.App, yc.ID, yc.Version, in); err != nil {
		t.Errorf("youth union route: %v", err)
	}
}

func TestConcurrentMovesOneWins(t *testing.T) {
	t.Parallel()
	w, d, _ := newWorld(t)
	pid := w.person(t, "Bùi Quang Huy", "1996-04-04", w.cellA, nil)
	c := w.open(t, pid, "2025-01-06")
	var ok, conflict atomic.Int32
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := 0; i < 2; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			<-start
			_, err := pipeline.CompleteCourse(fixture.System(), d.App, c.ID, c.Version, doc("2025-02-10", fmt.Sprint("CN ", i)))
			switch {
			case err == nil:
				ok.Add(1)
			case apperr.CodeOf(err) == apperr.Conflict:
				conflict.Add(1)
			default:
				t.Errorf("unexpected: %v", err)
			}
		}(i)
	}
	close(start)
	wg.Wait()
	if ok.Load() != 1 || conflict.Load() != 1 {
		t.Errorf("ok %d conflict %d, want 1 and 1", ok.Load(), conflict.Load())
	}
	h, _ := pipeline.History(fixture.System(), d.App, c.ID)
	got, _ := pipeline.GetOne(fixture.System(), d.App, c.ID)
	if len(h) != 2 || got.Version != 2 {
		t.Errorf("after the race: %d events, version %d", len(h), got.Version)
	}
}

// A deadline in working days that crosses Tết Bính Ngọ (14–22/02/2026).
func TestCeremonyDeadlineCrossesTet(t *testing.T) {
	t.Parallel()
	w, d, ctx := newWorld(t)
	pid := w.person(t, "Đinh Văn Tết", "1994-04-04", w.cellA, nil)
	c := w.toDossierOn(t, pid, "2025-09-01", "2025-09-15", "2025-10-01", "2022-09-01")
	c = w.ok(pipeline.CellResolution(ctx, d.App, c.ID, c.Version, doc("2025-11-20", "NQ 1"), pipeline.Votes{For: 2, Eligible: 2}))
	c = w.ok(pipeline.CommitteeResolution(ctx, d.App, c.ID, c.Version, doc("2025-12-10", "NQ 2"), pipeline.Votes{For: 9, Eligible: 9}))
	c = w.ok(pipeline.Decide(ctx, d.App, c.ID, c.Version, doc("2026-01-20", "QĐ 3")))
	dues, _ := pipeline.Dues(ctx, d.App, []int64{c.ID})
	// 30 working days from 20/01/2026 skip the nine days of Tết: 10/03/2026, not 03/03/2026.
	if got := dues[c.ID]; len(got) != 1 || !got[0].DueOn.Equal(fixture.Day("2026-03-10")) {
		t.Fatalf("ceremony due = %+v, want 2026-03-10", got)
	}
	_, err := pipeline.HoldCeremony(ctx, d.App, c.ID, c.Version, doc("2026-03-11", ""))
	wantRule(t, "ceremony a day late", err, pipeline.RuleCeremonyDeadline)
	if _, err := pipeline.HoldCeremony(ctx, d.App, c.ID, c.Version, doc("2026-03-10", "")); err != nil {
		t.Errorf("ceremony on the last day: %v", err)
	}
}

func TestScopeOfCasesAndDueList(t *testing.T) {
	t.Parallel()
	w, d, ctx := newWorld(t)
	pid := w.person(t, "Ngô Văn Bình", "1996-04-04", w.cellA, nil)
	c := w.toDossier(t, pid)
	other := w.person(t, "Lý Thị Hoa", "1997-04-04", w.cellB, func(n *people.NewPerson) { n.Sex = "female" })
	oc, err := pipeline.Open(ctx, d.App, pipeline.OpenInput{PersonID: other, CellID: w.cellB, Proposer: "cell", Doc: doc("2025-01-06", "")})
	if err != nil {
		t.Fatal(err)
	}
	_, _ = pipeline.CompleteCourse(ctx, d.App, oc.ID, oc.Version, doc("2025-02-01", "CN 2"))

	a, err := auth.Resolve(context.Background(), d.App, auth.Claims{Role: "secretary", Unit: "HY.QC.1", RegisteredClaims: jwt.RegisteredClaims{Subject: "bt"}})
	if err != nil {
		t.Fatal(err)
	}
	sc := auth.WithActor(context.Background(), a)
	if _, err := pipeline.GetOne(sc, d.App, oc.ID); apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("sibling case: %v", err)
	}
	if _, err := pipeline.CompleteCourse(sc, d.App, oc.ID, 2, doc("2025-03-01", "CN")); apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("move on a sibling case: %v", err)
	}
	if _, err := pipeline.Open(sc, d.App, pipeline.OpenInput{PersonID: other, CellID: w.cellA, Proposer: "cell", Doc: doc("2025-01-06", "")}); apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("opening a case for a person of another commune: %v", err)
	}
	list, err := pipeline.List(sc, d.App, pipeline.Filter{}, fixture.Day("2025-06-01"), pageAll)
	if err != nil || len(list.Items) != 1 || list.Items[0].ID != c.ID {
		t.Errorf("list from cell A: %+v %v", list.Items, err)
	}
	all, _ := pipeline.List(ctx, d.App, pipeline.Filter{}, fixture.Day("2025-06-01"), pageAll)
	if len(all.Items) != 2 {
		t.Errorf("national list: %d", len(all.Items))
	}
	due, err := pipeline.DueList(sc, d.App, nil, nil, fixture.Day("2026-12-31"), fixture.Day("2025-06-01"), pageAll)
	if err != nil || len(due.Items) != 1 || due.Items[0].CaseID != c.ID || due.Items[0].Kind != "dossier_stale" {
		t.Errorf("due list from cell A: %+v %v", due.Items, err)
	}
	// Overdue filter: on 2026-02-15 the source certified on 01/02/2025 has stalled for a year; on
	// 2026-04-01 the dossier of 03/03/2025 is stale too.
	od, _ := pipeline.List(ctx, d.App, pipeline.Filter{OverdueOn: fixture.DayPtr("2026-02-15")}, fixture.Day("2026-02-15"), pageAll)
	if len(od.Items) != 1 || od.Items[0].ID != oc.ID {
		t.Errorf("overdue on 2026-02-15: %+v", od.Items)
	}
	od, _ = pipeline.List(ctx, d.App, pipeline.Filter{OverdueOn: fixture.DayPtr("2026-04-01")}, fixture.Day("2026-04-01"), pageAll)
	if len(od.Items) != 2 {
		t.Errorf("overdue: %+v", od.Items)
	}
	f, _ := pipeline.Funnel(sc, d.App, nil, fixture.Day("2025-06-01"))
	for _, s := range f {
		if (s.Stage == pipeline.StageDossier) != (s.N == 1) {
			t.Errorf("funnel from cell A: %+v", f)
		}
	}
	// Analysts read; they do not move cases.
	an, _ := auth.Resolve(context.Background(), d.App, auth.Claims{Role: "analyst", Unit: "HY", RegisteredClaims: jwt.RegisteredClaims{Subject: "an"}})
	if _, err := pipeline.Leave(auth.WithActor(context.Background(), an), d.App, c.ID, c.Version, doc("2025-06-01", ""), "declined"); apperr.CodeOf(err) != apperr.Forbidden {
		t.Errorf("analyst move: %v", err)
	}
}

func TestCourseClassRecordsCertificates(t *testing.T) {
	t.Parallel()
	w, d, ctx := newWorld(t)
	p1 := w.person(t, "Tạ Văn Một", "1995-01-01", w.cellA, nil)
	p2 := w.person(t, "Tạ Văn Hai", "1995-01-02", w.cellA, nil)
	c1, c2 := w.open(t, p1, "2025-01-06"), w.open(t, p2, "2025-01-06")
	class, err := pipeline.CreateCourse(ctx, d.App, pipeline.Course{Kind: "awareness", Name: "Lớp BDNT khóa 1/2025", UnitID: w.communeA,
		StartsOn: fixture.Day("2025-03-03"), EndsOn: fixture.Day("2025-03-07"), Roster: []int64{p1, p2}})
	if err != nil {
		t.Fatal(err)
	}
	updated, err := pipeline.CompleteCourseClass(ctx, d.App, class.ID, fixture.Day("2025-03-10"), []int64{p2})
	if err != nil || len(updated) != 1 || updated[0] != c1.ID {
		t.Fatalf("updated %v, %v", updated, err)
	}
	// A class where nobody failed: everyone on the roster passes.
	p3 := w.person(t, "Tạ Văn Ba", "1995-01-03", w.cellA, nil)
	c3 := w.open(t, p3, "2025-01-06")
	class2, err := pipeline.CreateCourse(ctx, d.App, pipeline.Course{Kind: "awareness", Name: "Lớp BDNT khóa 2/2025", UnitID: w.communeA,
		StartsOn: fixture.Day("2025-04-07"), EndsOn: fixture.Day("2025-04-11"), Roster: []int64{p3}})
	if err != nil {
		t.Fatal(err)
	}
	if updated, err := pipeline.CompleteCourseClass(ctx, d.App, class2.ID, fixture.Day("2025-04-14"), nil); err != nil || len(updated) != 1 || updated[0] != c3.ID {
		t.Errorf("class without failures: updated %v, %v", updated, err)
	}
	m, _ := pipeline.Get(ctx, d.App, []int64{c1.ID, c2.ID})
	if m[c1.ID].Stage != pipeline.StageCourseDone || m[c1.ID].CertificateOn == nil || m[c2.ID].Stage != pipeline.StageSource {
		t.Errorf("after the class: %+v / %+v", m[c1.ID], m[c2.ID])
	}
}

var pageAll = pageArgs(100)
