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
	before := counts(t, d)
	early := append(slices.Clone(ceremony), "Ngày NQ công nhận chính thức", "20/12/2024", "Số NQ công nhận chính thức", "1-NQ/CB",
		"Công nhận: số tán thành", "10", "Công nhận: tổng số đảng viên chính thức", "10")
	rep3, err := bulk.Import(fixture.System(), d.App, bulk.Candidates, table(bulk.Candidates, candidate("Phan Thị Linh", "Nữ", "21/01/1993", "034193000018", early...)), bulk.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rep3.Written || len(rep3.Problems) != 1 || rep3.Problems[0].Code != apperr.RuleViolation || rep3.Problems[0].Rule != pipeline.RuleProbation {
		t.Errorf("recognition inside the probation: written=%v problems %+v", rep3.Written, rep3.Problems)
	}
	if after := counts(t, d); after != before {
		t.Errorf("a refused row wrote something: %s → %s", before, after)
	}
}

// The extension of the decision deadline comes from the file (date and document): a decision inside the
// extended deadline is no late fact; the extension may be dated before or after the committee's
// resolution; it is exported in the same columns and a second import of the file changes nothing.
func TestImportDecisionExtension(t *testing.T) {
	d := tree(t)
	mustImport(t, d.App, bulk.Members, table(bulk.Members, members...))
	// The cell resolved on 10/05/2024 (60 working days end in early August, 90 in mid-September); the
	// committee on 20/05/2024. Decided 10/09/2024.
	decided := []string{"Ngày QĐ kết nạp", "10/09/2024", "Số QĐ kết nạp", "91-QĐ/ĐU"}
	after := append(append(slices.Clone(committee), "Ngày gia hạn QĐ kết nạp", "15/07/2024", "Số văn bản gia hạn", "12-CV/ĐU"), decided...)
	before := append(append(slices.Clone(committee), "Ngày gia hạn QĐ kết nạp", "15/05/2024", "Số văn bản gia hạn", "13-CV/ĐU"), decided...)
	none := append(slices.Clone(committee), decided...)
	in := table(bulk.Candidates,
		candidate("Ngô Thị Hà", "Nữ", "09/09/1995", "034195000016", after...),
		candidate("Đặng Văn Khánh", "Nam", "11/11/1994", "034094000017", before...),
		candidate("Bùi Văn Giang", "Nam", "03/03/1996", "034096000015", none...))
	rep := mustImport(t, d.App, bulk.Candidates, in)
	// Only the decision without an extension is late.
	if len(rep.Warnings) != 1 || rep.Warnings[0].Row != 4 || rep.Warnings[0].Rule != pipeline.RuleDecisionDeadline {
		t.Errorf("warnings %+v; want the decision of row 4 only", rep.Warnings)
	}
	var ext []string
	if err := d.Owner.NewRaw(`SELECT to_char(e.effective, 'DD/MM/YYYY') || ' ' || e.document_no || ' ' || c.extensions
		FROM case_event e JOIN candidate_case c ON c.id = e.case_id WHERE e.kind = 'decision_extended' ORDER BY e.effective DESC`).Scan(context.Background(), &ext); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ext, []string{"15/07/2024 12-CV/ĐU 1", "15/05/2024 13-CV/ĐU 1"}) {
		t.Errorf("extensions recorded: %q", ext)
	}
	out := exportHY(t, d.App, bulk.Candidates)
	col := func(h string) int { return slices.Index(out.Header, h) }
	var exported []string
	for _, r := range out.Rows {
		if v := r[col("Ngày gia hạn QĐ kết nạp")]; v != "" {
			exported = append(exported, v+" "+r[col("Số văn bản gia hạn")])
		}
	}
	slices.Sort(exported)
	if !slices.Equal(exported, []string{"15/05/2024 13-CV/ĐU", "15/07/2024 12-CV/ĐU"}) {
		t.Errorf("exported extensions: %q", exported)
	}
	again := mustImport(t, d.App, bulk.Candidates, in)
	if again.Unchanged != 3 || again.Updated != 0 || len(again.Warnings) != 0 {
		t.Errorf("the same file again: %+v", again)
	}
	// An extension dated after the deadline it extends is still a fact of the past: recorded, flagged.
	late := append(append(slices.Clone(committee), "Ngày gia hạn QĐ kết nạp", "16/09/2024", "Số văn bản gia hạn", "14-CV/ĐU"),
		"Ngày QĐ kết nạp", "20/09/2024", "Số QĐ kết nạp", "92-QĐ/ĐU")
	rep = mustImport(t, d.App, bulk.Candidates, table(bulk.Candidates, candidate("Lê Văn An", "Nam", "01/02/2000", "034200000011", late...)))
	if len(rep.Warnings) == 0 || rep.Warnings[0].Column != "Ngày gia hạn QĐ kết nạp" || rep.Warnings[0].Rule != pipeline.RuleDecisionDeadline {
		t.Errorf("a late extension: warnings %+v", rep.Warnings)
	}
}

// The dossier's papers keep their own dates (1-KNĐ, 2-KNĐ, 5-KNĐ, the background check), the dossier's
// date when the row leaves them empty; a paper dated after the dossier is refused on its column; the
// export writes them back.
func TestImportDossierPapers(t *testing.T) {
	d := tree(t)
	mustImport(t, d.App, bulk.Members, table(bulk.Members, members...))
	papers := append(slices.Clone(dossier), "Ngày đơn xin vào Đảng", "01/04/2024", "Ngày thẩm tra lý lịch", "18/04/2024",
		"Ngày giấy giới thiệu 1", "10/04/2024")
	mustImport(t, d.App, bulk.Candidates, table(bulk.Candidates, candidate("Vũ Văn Cường", "Nam", "07/07/1998", "034098000013", papers...)))
	out, err := bulk.Export(fixture.System(), d.App, bulk.Candidates, mustUnit(t, d.App, "HY"), fixture.Day("2026-11-01"))
	if err != nil || len(out.Rows) != 1 {
		t.Fatalf("export: %d rows, %v", len(out.Rows), err)
	}
	var got []string
	for _, h := range []string{"Ngày đơn xin vào Đảng", "Ngày lý lịch", "Ngày nhận xét của đoàn thể, nơi cư trú", "Ngày thẩm tra lý lịch",
		"Ngày giấy giới thiệu 1", "Ngày giấy giới thiệu 2"} {
		got = append(got, out.Rows[0][slices.Index(out.Header, h)])
	}
	if want := []string{"01/04/2024", "20/04/2024", "20/04/2024", "18/04/2024", "10/04/2024", "20/04/2024"}; !slices.Equal(got, want) {
		t.Errorf("exported papers %q, want %q", got, want)
	}
	for col, row := range map[string]map[string]string{
		"Ngày lý lịch":           candidate("Hoàng Thị Dung", "Nữ", "12/12/1997", "034197000014", append(slices.Clone(dossier), "Ngày lý lịch", "25/04/2024")...),
		"Ngày giấy giới thiệu 2": candidate("Bùi Văn Giang", "Nam", "03/03/1996", "034096000015", append(slices.Clone(dossier), "Ngày giấy giới thiệu 2", "21/04/2024")...),
	} {
		rep, err := bulk.Import(fixture.System(), d.App, bulk.Candidates, table(bulk.Candidates, row), bulk.Options{})
		if err != nil || rep.Written || len(rep.Problems) != 1 || rep.Problems[0].Column != col || rep.Problems[0].Code != apperr.InvalidInput {
			t.Errorf("%s after the dossier: written=%v %+v, %v", col, rep.Written, rep.Problems, err)
		}
	}
}

// A candidate who became a full member earlier in the office's history votes on the later candidates of
// the cell, in the same file: the first import counts it (the batch path) as a second import of the same
// rows does (the one-by-one path, from the records).
func TestSameFileCandidateVotesLater(t *testing.T) {
	d := tree(t)
	mustImport(t, d.App, bulk.Members, table(bulk.Members, members[:2]...))
	// Lê Văn An: ceremony 19/06/2024, a full member from 19/06/2025. Đỗ Thị Bình: the cell resolves on
	// 10/09/2025, with three full members entitled to vote.
	an := candidate("Lê Văn An", "Nam", "01/02/2000", "034200000011", full...)
	binh := func(eligible string) map[string]string {
		return with(candidate("Đỗ Thị Bình", "Nữ", "05/06/2001", "034301000012"), "Ngày vào danh sách nguồn", "10/01/2025",
			"Ngày cấp GCN bồi dưỡng nhận thức", "15/03/2025", "Số GCN", "12/GCN", "Ngày hoàn thiện hồ sơ", "20/08/2025",
			"CCCD người giới thiệu 1", "034075000001", "Người giới thiệu 1 cùng công tác từ", "01/01/2020",
			"CCCD người giới thiệu 2", "034180000002", "Người giới thiệu 2 cùng công tác từ", "01/06/2022",
			"Ngày NQ chi bộ", "10/09/2025", "Số NQ chi bộ", "9-NQ/CB", "Chi bộ: số tán thành", eligible, "Chi bộ: tổng số đảng viên chính thức", eligible)
	}
	// Two entitled (the members recorded before the file) is wrong: An is one too.
	rep, err := bulk.Import(fixture.System(), d.App, bulk.Candidates, table(bulk.Candidates, an, binh("2")), bulk.Options{})
	if err != nil || rep.Written || len(rep.Problems) != 1 || rep.Problems[0].Column != "Chi bộ: tổng số đảng viên chính thức" && rep.Problems[0].Column != "Ngày NQ chi bộ" {
		t.Errorf("two entitled: written=%v %+v, %v", rep.Written, rep.Problems, err)
	}
	// Bình's row first, as a file sorted by name has it: the rows are checked in the order of their listing.
	rep = mustImport(t, d.App, bulk.Candidates, table(bulk.Candidates, binh("3"), an))
	if rep.Created != 2 {
		t.Errorf("created %d, want 2", rep.Created)
	}
	var votes string
	if err := d.Owner.NewRaw(`SELECT e.votes_for || '/' || e.votes_eligible FROM case_event e JOIN candidate_case c ON c.id = e.case_id
		JOIN person p ON p.id = c.person_id WHERE p.national_id = '034301000012' AND e.kind = 'cell_resolved'`).Scan(context.Background(), &votes); err != nil || votes != "3/3" {
		t.Errorf("Bình's cell resolution: %q, %v", votes, err)
	}
	if again := mustImport(t, d.App, bulk.Candidates, table(bulk.Candidates, an, binh("3"))); again.Unchanged != 2 {
		t.Errorf("the same file again: %+v", again)
	}
}

// The helper (người giúp đỡ, 11-KNĐ) comes from the file with the day of the assignment, placed among the
// stages by its date; it must be a recorded full member; it is exported and a second import changes
// nothing.
func TestImportHelper(t *testing.T) {
	d := tree(t)
	mustImport(t, d.App, bulk.Members, table(bulk.Members, members...))
	early := append(slices.Clone(ceremony), "CCCD người giúp đỡ", "034075000001", "Ngày phân công người giúp đỡ", "01/02/2024")
	late := append(slices.Clone(ceremony), "CCCD người giúp đỡ", "034180000002", "Ngày phân công người giúp đỡ", "19/06/2024")
	in := table(bulk.Candidates,
		candidate("Ngô Thị Hà", "Nữ", "09/09/1995", "034195000016", early...),
		candidate("Đặng Văn Khánh", "Nam", "11/11/1994", "034094000017", late...))
	mustImport(t, d.App, bulk.Candidates, in)
	var got []string
	if err := d.Owner.NewRaw(`SELECT p.national_id || ' ' || to_char(e.effective, 'DD/MM/YYYY') || ' ' || h.national_id
		FROM case_event e JOIN candidate_case c ON c.id = e.case_id JOIN person p ON p.id = c.person_id JOIN person h ON h.id = c.helper_id
		WHERE e.kind = 'helper_assigned' ORDER BY p.national_id`).Scan(context.Background(), &got); err != nil {
		t.Fatal(err)
	}
	if want := []string{"034094000017 19/06/2024 034180000002", "034195000016 01/02/2024 034075000001"}; !slices.Equal(got, want) {
		t.Errorf("helpers recorded %q, want %q", got, want)
	}
	out := exportHY(t, d.App, bulk.Candidates)
	var exported []string
	for _, r := range out.Rows {
		exported = append(exported, r[slices.Index(out.Header, "CCCD người giúp đỡ")]+" "+r[slices.Index(out.Header, "Ngày phân công người giúp đỡ")])
	}
	slices.Sort(exported)
	if want := []string{"034075000001 01/02/2024", "034180000002 19/06/2024"}; !slices.Equal(exported, want) {
		t.Errorf("exported helpers %q, want %q", exported, want)
	}
	if again := mustImport(t, d.App, bulk.Candidates, in); again.Unchanged != 2 {
		t.Errorf("the same file again: %+v", again)
	}
	// Not recorded, without a date, a probationary member: refused on the helper's columns, nothing written.
	before := counts(t, d)
	bad := table(bulk.Candidates,
		candidate("Bùi Văn Giang", "Nam", "03/03/1996", "034096000015", append(slices.Clone(course), "CCCD người giúp đỡ", "034075999999", "Ngày phân công người giúp đỡ", "01/04/2024")...),
		candidate("Vũ Văn Cường", "Nam", "07/07/1998", "034098000013", append(slices.Clone(course), "CCCD người giúp đỡ", "034075000001")...),
		candidate("Hoàng Thị Dung", "Nữ", "12/12/1997", "034197000014", append(slices.Clone(course), "CCCD người giúp đỡ", "034199000003", "Ngày phân công người giúp đỡ", "01/06/2026")...))
	rep, err := bulk.Import(fixture.System(), d.App, bulk.Candidates, bad, bulk.Options{})
	if err != nil || rep.Written {
		t.Fatalf("bad helpers: written=%v, %v", rep.Written, err)
	}
	type p struct {
		row    int
		column string
		code   apperr.Code
	}
	var ps []p
	for _, x := range rep.Problems {
		ps = append(ps, p{x.Row, x.Column, x.Code})
	}
	want := []p{{2, "CCCD người giúp đỡ", apperr.NotFound}, {3, "Ngày phân công người giúp đỡ", apperr.InvalidInput}, {4, "CCCD người giúp đỡ", apperr.RuleViolation}}
	if !slices.Equal(ps, want) {
		t.Errorf("problems %+v, want %+v", rep.Problems, want)
	}
	if after := counts(t, d); after != before {
		t.Errorf("refused rows wrote something: %s → %s", before, after)
	}
}
