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
