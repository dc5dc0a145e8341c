package bulk_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"ptdv/internal/apperr"
	"ptdv/internal/bulk"
	"ptdv/internal/fixture"
	"ptdv/internal/member"
	"ptdv/internal/pipeline"
)

// voted is a candidate of cell HY.QC.1 listed on a day, through the course and the dossier (sponsored by
// the two members recorded before the file), to the cell's resolution on a day with all the entitled
// voting for.
func voted(name, sex, nid, listed, dossier, cellRes, entitled string) map[string]string {
	return with(candidate(name, sex, "05/06/2001", nid), "Ngày vào danh sách nguồn", listed,
		"Ngày cấp GCN bồi dưỡng nhận thức", "15/03/2025", "Số GCN", nid[8:]+"/GCN", "Ngày hoàn thiện hồ sơ", dossier,
		"CCCD người giới thiệu 1", "034075000001", "Người giới thiệu 1 cùng công tác từ", "01/01/2020",
		"CCCD người giới thiệu 2", "034180000002", "Người giới thiệu 2 cùng công tác từ", "01/06/2022",
		"Ngày NQ chi bộ", cellRes, "Số NQ chi bộ", nid[8:]+"-NQ/CB", "Chi bộ: số tán thành", entitled, "Chi bộ: tổng số đảng viên chính thức", entitled)
}

// A case listed before another but voted on after the other's recognition counts the other among the
// cell's voters: the number entitled is computed from every recognition the file records (and the
// records), not from the rows checked before it. A member recognized by a vote votes from the day after
// that vote (though a full member from the end of the probation): a resolution on the day of the vote
// does not count them, in the import and in the API's count alike. With bad rows skipped, a refused
// row's recognition is not counted: the rows that counted it are refused, those that did not go in.
func TestImportCountsLaterRecognitionsAmongVoters(t *testing.T) {
	// Phan Thị Linh (listed 10/01/2024): ceremony 19/06/2024, a full member from 19/06/2025, recognized by
	// the cell's vote on 25/06/2025. Đỗ Thị Bình, listed before her (05/01/2024), is resolved on
	// 10/09/2025: three full members. Vũ Văn Cường and Hoàng Thị Dung, listed before and after her, are
	// resolved on 25/06/2025, the day of her vote: two.
	linh := candidate("Phan Thị Linh", "Nữ", "21/01/1993", "034193000018", full...)
	linhAtCeremony := candidate("Phan Thị Linh", "Nữ", "21/01/1993", "034193000018", ceremony...)
	binh := voted("Đỗ Thị Bình", "Nữ", "034301000012", "05/01/2024", "20/08/2025", "10/09/2025", "3")
	cuong := voted("Vũ Văn Cường", "Nam", "034201000013", "06/01/2024", "20/05/2025", "25/06/2025", "2")
	dung := voted("Hoàng Thị Dung", "Nữ", "034301000014", "12/01/2024", "20/05/2025", "25/06/2025", "2")
	file := table(bulk.Candidates, binh, cuong, linh, dung)

	once := tree(t)
	mustImport(t, once.App, bulk.Members, table(bulk.Members, members[:2]...))
	rep, err := bulk.Import(fixture.System(), once.App, bulk.Candidates, file, bulk.Options{})
	if err != nil || !rep.Written || rep.Created != 4 {
		t.Fatalf("the office's file: written=%v created=%d problems %v, %v", rep.Written, rep.Created, rep.Problems, err)
	}
	// The API counts so too: two voters on the day of her vote and before, three from the next day.
	ctx := fixture.System()
	cell := mustUnit(t, once.App, "HY.QC.1")
	for day, want := range map[string]int{"2025-06-20": 2, "2025-06-25": 2, "2025-06-26": 3} {
		n, err := pipeline.FullMembers(ctx, once.App, cell, fixture.Day(day))
		if err != nil || n != want {
			t.Errorf("full members voting on %s: %d, %v; want %d", day, n, err, want)
		}
	}
	// Her vote is recorded before Bình's resolution whichever path records it: the file as it stood at
	// her ceremony, then the whole file (she goes one by one, the others in the batch) gives the same.
	cut := tree(t)
	mustImport(t, cut.App, bulk.Members, table(bulk.Members, members[:2]...))
	mustImport(t, cut.App, bulk.Candidates, table(bulk.Candidates, linhAtCeremony))
	if again := mustImport(t, cut.App, bulk.Candidates, file); again.Created != 3 || again.Updated != 1 {
		t.Errorf("the whole file after the cut: %+v", again)
	}
	if want, got := dump(t, once), dump(t, cut); got != want {
		t.Errorf("the cut then the whole file differ from the whole file once:\n%s", firstDiff(want, got))
	}
	if again := mustImport(t, once.App, bulk.Candidates, file); again.Unchanged != 4 {
		t.Errorf("the same file again: %+v", again)
	}

	// Three entitled on the day of her vote is refused: she votes from the next day.
	d := tree(t)
	mustImport(t, d.App, bulk.Members, table(bulk.Members, members[:2]...))
	early := with(dung, "Chi bộ: số tán thành", "3", "Chi bộ: tổng số đảng viên chính thức", "3")
	rep, err = bulk.Import(fixture.System(), d.App, bulk.Candidates, table(bulk.Candidates, linh, early), bulk.Options{})
	if err != nil || rep.Written || len(rep.Problems) != 1 || rep.Problems[0].Row != 3 || rep.Problems[0].Code != apperr.InvalidInput {
		t.Errorf("three entitled on the day of the vote: written=%v %+v, %v", rep.Written, rep.Problems, err)
	}

	// Skipping bad rows: her row is refused (the decision dated before the committee's resolution), so
	// her recognition does not count. Bình with three entitled was right only with her; Bình's namesake
	// with two is right without her.
	bad := with(linh, "Ngày QĐ kết nạp", "15/05/2024")
	binh2 := voted("Đỗ Thị Bình", "Nữ", "034301000022", "05/01/2024", "20/08/2025", "10/09/2025", "2")
	s := tree(t)
	mustImport(t, s.App, bulk.Members, table(bulk.Members, members[:2]...))
	rep, err = bulk.Import(fixture.System(), s.App, bulk.Candidates, table(bulk.Candidates, binh, bad, binh2), bulk.Options{SkipInvalid: true})
	if err != nil || !rep.Written || rep.Created != 1 {
		t.Fatalf("skipping bad rows: written=%v created=%d problems %+v, %v", rep.Written, rep.Created, rep.Problems, err)
	}
	var rows []int
	for _, p := range rep.Problems {
		rows = append(rows, p.Row)
	}
	if !slices.Equal(rows, []int{2, 3}) {
		t.Errorf("refused rows %v (%+v); want Bình with three entitled (2) and Linh (3)", rows, rep.Problems)
	}
	var recorded []string
	if err := s.Owner.NewRaw(`SELECT p.national_id FROM candidate_case c JOIN person p ON p.id = c.person_id ORDER BY 1`).
		Scan(context.Background(), &recorded); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(recorded, []string{"034301000022"}) {
		t.Errorf("recorded cases %v; want Bình with two entitled only", recorded)
	}
}

// A sponsor (người giới thiệu) and a helper (người giúp đỡ) are full members by the voters' rule: a member
// recognized by the cell's vote counts from the day after the vote, not from the end of the probation
// before it. Phan Thị Linh, at the end of her probation on 19/06/2025, is recognized by the vote of
// 25/06/2025: as a sponsor or a helper she is refused on 25/06/2025 and accepted on 26/06/2025, through
// the API's calls and through an import, on both of its paths (her history recorded before the file: the
// batch path; in the same file: the row that names her goes one by one after hers). A full member
// attending elsewhere for a while (sinh hoạt tạm thời) still counts, as among the voters.
func TestSponsorAndHelperCountFromTheDayAfterTheVote(t *testing.T) {
	ctx := fixture.System()
	linh := candidate("Phan Thị Linh", "Nữ", "21/01/1993", "034193000018", full...)
	// Phúc's dossier on a day, Linh his first sponsor; Quân's helper Linh from a day.
	phuc := func(dossier string) map[string]string {
		return candidate("Lý Văn Phúc", "Nam", "04/04/2000", "034200000031", "Ngày vào danh sách nguồn", "10/01/2025",
			"Ngày cấp GCN bồi dưỡng nhận thức", "15/03/2025", "Số GCN", "12/GCN", "Ngày hoàn thiện hồ sơ", dossier,
			"CCCD người giới thiệu 1", "034193000018", "Người giới thiệu 1 cùng công tác từ", "01/01/2020",
			"CCCD người giới thiệu 2", "034075000001", "Người giới thiệu 2 cùng công tác từ", "01/01/2020")
	}
	quan := func(since string) map[string]string {
		return candidate("Mai Văn Quân", "Nam", "02/02/2002", "034202000041", "Ngày vào danh sách nguồn", "10/01/2025",
			"CCCD người giúp đỡ", "034193000018", "Ngày phân công người giúp đỡ", since)
	}
	const voteDay, dayAfter = "25/06/2025", "26/06/2025"

	// The API: Linh recorded (members and her history), then a case at the course, sponsored or helped.
	api := tree(t)
	mustImport(t, api.App, bulk.Members, table(bulk.Members, members[:2]...))
	mustImport(t, api.App, bulk.Candidates, table(bulk.Candidates, linh,
		candidate("Lý Văn Phúc", "Nam", "04/04/2000", "034200000031", "Ngày vào danh sách nguồn", "10/01/2025",
			"Ngày cấp GCN bồi dưỡng nhận thức", "15/03/2025", "Số GCN", "12/GCN")))
	ids := map[string]int64{}
	var rows []struct {
		NID    string `bun:"national_id"`
		Person int64  `bun:"person_id"`
		Case   int64  `bun:"case_id"`
	}
	if err := api.Owner.NewRaw(`SELECT p.national_id, p.id AS person_id, coalesce(c.id, 0) AS case_id
		FROM person p LEFT JOIN candidate_case c ON c.person_id = p.id`).Scan(context.Background(), &rows); err != nil {
		t.Fatal(err)
	}
	caseOf := map[string]int64{}
	for _, r := range rows {
		ids[r.NID], caseOf[r.NID] = r.Person, r.Case
	}
	sponsors := []pipeline.SponsorInput{{PersonID: ids["034193000018"], KnownSince: fixture.Day("2020-01-01")},
		{PersonID: ids["034075000001"], KnownSince: fixture.Day("2020-01-01")}}
	dossier := func(on string) pipeline.DossierInput {
		d := fixture.Day(on)
		return pipeline.DossierInput{Doc: pipeline.Doc{Effective: d}, ApplicationOn: d, BiographyOn: d, CommentsOn: d, BackgroundCheckOn: d, Sponsors: sponsors}
	}
	// Trần Văn Hùng, the second sponsor, attends elsewhere for a while from 02/01/2025: a full member still,
	// who sponsors as he still votes in his cell.
	if err := member.Record(ctx, api.App, member.Event{PersonID: ids["034075000001"], Kind: member.KindTransferredOutTemporary,
		Effective: fixture.Day("2025-01-02")}); err != nil {
		t.Fatal(err)
	}
	c, err := pipeline.GetOne(ctx, api.App, caseOf["034200000031"])
	if err != nil {
		t.Fatal(err)
	}
	for _, on := range []string{"2025-06-20", "2025-06-25"} { // after the end of the probation, up to the vote
		_, err := pipeline.CompleteDossier(ctx, api.App, c.ID, c.Version, dossier(on))
		wantRuleOf(t, "API: the sponsor on "+on, err, pipeline.RuleSponsorFullMember)
		_, err = pipeline.AssignHelper(ctx, api.App, c.ID, c.Version, ids["034193000018"], pipeline.Doc{Effective: fixture.Day(on)})
		wantRuleOf(t, "API: the helper on "+on, err, pipeline.RuleHelperFullMember)
	}
	if c, err = pipeline.AssignHelper(ctx, api.App, c.ID, c.Version, ids["034193000018"], pipeline.Doc{Effective: fixture.Day("2025-06-26")}); err != nil {
		t.Errorf("API: the helper the day after the vote: %v", err)
	}
	if _, err := pipeline.CompleteDossier(ctx, api.App, c.ID, c.Version, dossier("2025-06-26")); err != nil {
		t.Errorf("API: the sponsor the day after the vote: %v", err)
	}
	if n, err := pipeline.FullMembers(ctx, api.App, mustUnit(t, api.App, "HY.QC.1"), fixture.Day("2025-06-26")); err != nil || n != 3 {
		t.Errorf("voters on 26/06/2025, one attending elsewhere: %d, %v; want 3", n, err)
	}

	// The import: her history before the file (the batch path, and one by one), or in the same file.
	for _, path := range []struct {
		name   string
		before bool
		opt    bulk.Options
	}{{"batch", true, bulk.Options{}}, {"one by one", true, bulk.OneByOne(bulk.Options{})}, {"the same file", false, bulk.Options{}}} {
		for _, c := range []struct {
			row    func(string) map[string]string
			column string
			rule   string
		}{{phuc, "Ngày hoàn thiện hồ sơ", pipeline.RuleSponsorFullMember}, {quan, "CCCD người giúp đỡ", pipeline.RuleHelperFullMember}} {
			for _, on := range []string{voteDay, dayAfter} {
				d := tree(t)
				mustImport(t, d.App, bulk.Members, table(bulk.Members, members[:2]...))
				rows := []map[string]string{c.row(on)}
				if path.before {
					mustImport(t, d.App, bulk.Candidates, table(bulk.Candidates, linh))
				} else {
					rows = append([]map[string]string{linh}, rows...)
				}
				rep, err := bulk.Import(ctx, d.App, bulk.Candidates, table(bulk.Candidates, rows...), path.opt)
				what := fmt.Sprintf("%s: %s on %s", path.name, c.rule, on)
				if err != nil {
					t.Errorf("%s: %v", what, err)
					continue
				}
				if on == dayAfter {
					if !rep.Written || len(rep.Problems) != 0 {
						t.Errorf("%s: written=%v problems %+v; want it accepted", what, rep.Written, rep.Problems)
					}
					continue
				}
				if rep.Written || len(rep.Problems) != 1 || rep.Problems[0].Rule != c.rule || rep.Problems[0].Code != apperr.RuleViolation ||
					rep.Problems[0].Column != c.column {
					t.Errorf("%s: written=%v problems %+v; want it refused on %q with %s", what, rep.Written, rep.Problems, c.column, c.rule)
				}
			}
		}
	}
}

// wantRuleOf fails the test unless err is a RULE_VIOLATION of rule with a message.
func wantRuleOf(t *testing.T, what string, err error, rule string) {
	t.Helper()
	if e, ok := apperr.As(err); !ok || e.Code != apperr.RuleViolation || e.Rule != rule || e.Message == "" {
		t.Errorf("%s: %v; want RULE_VIOLATION %s", what, err, rule)
	}
}
