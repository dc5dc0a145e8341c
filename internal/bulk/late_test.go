package bulk_test

import (
	"context"
	"slices"
	"testing"

	"ptdv/internal/apperr"
	"ptdv/internal/bulk"
	"ptdv/internal/fixture"
	"ptdv/internal/pipeline"
)

// An office's history goes in whole: a decision signed after its 60 working days and a ceremony held
// late are recorded, flagged with their rule and the working days late, and listed as warnings; both
// the batch path (new persons) and the one-by-one path (a recorded person a stage further) flag them.
// A row that is impossible (recognition inside the 12 months) is still refused, nothing of it written.
func TestImportRecordsLateFactsOfThePast(t *testing.T) {
	d := tree(t)
	mustImport(t, d.App, bulk.Members, table(bulk.Members, members...))
	// The cell resolved on 10/05/2024; 60 working days end in early August. Decided 15/10/2024.
	lateDecision := append(slices.Clone(committee), "Ngày QĐ kết nạp", "15/10/2024", "Số QĐ kết nạp", "90-QĐ/ĐU")
	lateCeremony := append(slices.Clone(decision), "Ngày lễ kết nạp", "20/09/2024")
	rows := []map[string]string{
		candidate("Ngô Thị Hà", "Nữ", "09/09/1995", "034195000016", lateDecision...),
		candidate("Đặng Văn Khánh", "Nam", "11/11/1994", "034094000017", lateCeremony...),
		candidate("Bùi Văn Giang", "Nam", "03/03/1996", "034096000015", committee...),
	}
	rep := mustImport(t, d.App, bulk.Candidates, table(bulk.Candidates, rows...))
	if rep.Created != 3 {
		t.Fatalf("created %d, want 3", rep.Created)
	}
	// The third person, recorded at the committee's resolution, comes again decided late: one by one.
	rep2 := mustImport(t, d.App, bulk.Candidates, table(bulk.Candidates,
		candidate("Bùi Văn Giang", "Nam", "03/03/1996", "034096000015", lateDecision...)))
	if rep2.Updated != 1 {
		t.Fatalf("second import: updated %d, want 1", rep2.Updated)
	}

	type w struct {
		row          int
		column, rule string
	}
	var got []w
	for _, p := range append(rep.Warnings, rep2.Warnings...) {
		got = append(got, w{p.Row, p.Column, p.Rule})
		if p.Message == "" {
			t.Errorf("warning without a message: %+v", p)
		}
	}
	want := []w{{2, "Ngày QĐ kết nạp", pipeline.RuleDecisionDeadline}, {3, "Ngày lễ kết nạp", pipeline.RuleCeremonyDeadline},
		{2, "Ngày QĐ kết nạp", pipeline.RuleDecisionDeadline}}
	if !slices.Equal(got, want) {
		t.Errorf("warnings %+v, want %+v", got, want)
	}
	// The events carry the flags, and the admissions count.
	var flagged, admitted int
	if err := d.Owner.NewRaw(`SELECT (SELECT count(*) FROM case_event WHERE late_rule IS NOT NULL),
		(SELECT count(*) FROM candidate_case WHERE decision_on IS NOT NULL)`).Scan(context.Background(), &flagged, &admitted); err != nil {
		t.Fatal(err)
	}
	if flagged != 3 || admitted != 3 {
		t.Errorf("flagged events %d, decided cases %d; want 3 and 3", flagged, admitted)
	}

	// Impossible in any history: recognition before the 12 months of probation end.
	before := counts(t, d.App)
	early := append(slices.Clone(ceremony), "Ngày NQ công nhận chính thức", "20/12/2024", "Số NQ công nhận chính thức", "1-NQ/CB",
		"Công nhận: số tán thành", "10", "Công nhận: tổng số đảng viên chính thức", "10")
	rep3, err := bulk.Import(fixture.System(), d.App, bulk.Candidates, table(bulk.Candidates, candidate("Phan Thị Linh", "Nữ", "21/01/1993", "034193000018", early...)), bulk.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rep3.Written || len(rep3.Problems) != 1 || rep3.Problems[0].Code != apperr.RuleViolation || rep3.Problems[0].Rule != pipeline.RuleProbation {
		t.Errorf("recognition inside the probation: written=%v problems %+v", rep3.Written, rep3.Problems)
	}
	if after := counts(t, d.App); after != before {
		t.Errorf("a refused row wrote something: %s → %s", before, after)
	}
}
