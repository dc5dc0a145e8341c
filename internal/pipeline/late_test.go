package pipeline_test

import (
	"context"
	"strconv"
	"testing"

	"ptdv/internal/calendar"
	"ptdv/internal/fixture"
	"ptdv/internal/pipeline"
)

// A fact of the past that missed a deadline is recorded with the rule and the working days late; the
// same move as a new move is refused; what is impossible stays refused in history too.
func TestHistoryRecordsMissedDeadlines(t *testing.T) {
	t.Parallel()
	w, d, ctx := newWorld(t)
	hist := pipeline.AsHistory(ctx)
	cal, err := calendar.Load(context.Background(), d.App)
	if err != nil {
		t.Fatal(err)
	}
	c := w.toDossierBorn(t, "1990-01-01", nil)
	c = w.ok(pipeline.CellResolution(ctx, d.App, c.ID, c.Version, doc("2025-03-20", "NQ 1"), pipeline.Votes{For: 2, Eligible: 2}))
	c = w.ok(pipeline.CommitteeResolution(ctx, d.App, c.ID, c.Version, doc("2025-04-01", "NQ 2"), pipeline.Votes{For: 6, Eligible: 9}))

	// 60 working days from 20/03/2025; the decision came on 01/07/2025.
	due := cal.AddWorkingDays(fixture.Day("2025-03-20"), 60)
	wantLate := cal.WorkingDaysBetween(due, fixture.Day("2025-07-01"))
	if wantLate <= 0 {
		t.Fatalf("the test's decision is not late: due %s", due)
	}
	_, err = pipeline.Decide(ctx, d.App, c.ID, c.Version, doc("2025-07-01", "QĐ 3"))
	wantRule(t, "a new late decision", err, pipeline.RuleDecisionDeadline)
	c = w.ok(pipeline.Decide(hist, d.App, c.ID, c.Version, doc("2025-07-01", "QĐ 3")))
	if c.Stage != pipeline.StageDecision {
		t.Fatalf("stage after a late decision in history: %s", c.Stage)
	}
	// The ceremony 30 working days after the decision at the latest; this one came in September.
	ceremonyDue := cal.AddWorkingDays(fixture.Day("2025-07-01"), 30)
	_, err = pipeline.HoldCeremony(ctx, d.App, c.ID, c.Version, doc("2025-09-15", ""))
	wantRule(t, "a new late ceremony", err, pipeline.RuleCeremonyDeadline)
	c = w.ok(pipeline.HoldCeremony(hist, d.App, c.ID, c.Version, doc("2025-09-15", "")))

	// Impossible in history too: recognition before the 12 months end.
	_, err = pipeline.RecognitionVote(hist, d.App, c.ID, c.Version, doc("2026-09-01", "NQ 4"), pipeline.Votes{For: 2, Eligible: 2})
	wantRule(t, "recognition inside the probation, in history", err, pipeline.RuleProbation)
	// Recognition 30 working days after the probation's end at the latest (15/09/2026).
	recognitionDue := cal.AddWorkingDays(fixture.Day("2026-09-15"), 30)
	c = w.ok(pipeline.RecognitionVote(hist, d.App, c.ID, c.Version, doc("2026-11-30", "NQ 4"), pipeline.Votes{For: 2, Eligible: 2}))
	if c.Stage != pipeline.StageFullMember || !c.RecognizedOn.Equal(fixture.Day("2026-09-15")) {
		t.Fatalf("after a late recognition: stage %s, full member from %v", c.Stage, c.RecognizedOn)
	}

	evs, err := pipeline.History(ctx, d.App, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, e := range evs {
		if e.LateRule != nil {
			got[e.Kind] = *e.LateRule + " " + itoa(*e.LateDays)
		}
	}
	want := map[string]string{
		"decided":          pipeline.RuleDecisionDeadline + " " + itoa(wantLate),
		"ceremony_held":    pipeline.RuleCeremonyDeadline + " " + itoa(cal.WorkingDaysBetween(ceremonyDue, fixture.Day("2025-09-15"))),
		"recognition_vote": pipeline.RuleRecognitionDue + " " + itoa(cal.WorkingDaysBetween(recognitionDue, fixture.Day("2026-11-30"))),
	}
	if len(got) != len(want) {
		t.Errorf("flagged events %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: late %q, want %q", k, got[k], v)
		}
	}
}

// A dossier considered after 12 months: refused as a new move, flagged as history.
func TestHistoryStaleDossier(t *testing.T) {
	t.Parallel()
	w, d, ctx := newWorld(t)
	pid := w.person(t, "Nguyễn Thị Hoa", "1992-05-05", w.cellA, nil)
	c := w.toDossierOn(t, pid, "2022-01-05", "2022-02-10", "2022-06-01", "2020-01-01")
	_, err := pipeline.CellResolution(ctx, d.App, c.ID, c.Version, doc("2023-08-01", "NQ 1"), pipeline.Votes{For: 2, Eligible: 2})
	wantRule(t, "a new vote on a stale dossier", err, pipeline.RuleDossierStale)
	c = w.ok(pipeline.CellResolution(pipeline.AsHistory(ctx), d.App, c.ID, c.Version, doc("2023-08-01", "NQ 1"), pipeline.Votes{For: 2, Eligible: 2}))
	evs, err := pipeline.History(ctx, d.App, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	last := evs[len(evs)-1]
	if last.Kind != "cell_resolved" || last.LateRule == nil || *last.LateRule != pipeline.RuleDossierStale || *last.LateDays < 40 {
		t.Errorf("last event %+v", last)
	}
}

// The rule table says which rules are deadlines; the others refuse.
func TestRuleEnforcement(t *testing.T) {
	t.Parallel()
	_, d, _ := newWorld(t)
	rules, err := pipeline.LoadRules(context.Background(), d.App)
	if err != nil {
		t.Fatal(err)
	}
	deadlines := map[string]bool{pipeline.RuleDecisionDeadline: true, pipeline.RuleCeremonyDeadline: true,
		pipeline.RuleRecognitionDue: true, pipeline.RuleDossierStale: true}
	for _, r := range rules.List() {
		want := pipeline.EnforceRefuse
		if deadlines[r.ID] {
			want = pipeline.EnforceDeadline
		}
		if r.Enforcement != want {
			t.Errorf("%s: enforcement %q, want %q", r.ID, r.Enforcement, want)
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
