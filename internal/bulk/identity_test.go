package bulk_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/uptrace/bun"

	"ptdv/internal/apperr"
	"ptdv/internal/bulk"
	"ptdv/internal/fixture"
	"ptdv/internal/sheet"
)

func importAs(t *testing.T, ctx context.Context, db *bun.DB, k bulk.Kind, tb sheet.Table) bulk.Report {
	t.Helper()
	rep, err := bulk.Import(ctx, db, k, tb, bulk.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// problemAt is the problems of a row, as "column CODE message".
func problemsAt(rep bulk.Report, row int) []string {
	var out []string
	for _, p := range rep.Problems {
		if p.Row == row {
			out = append(out, fmt.Sprintf("%s %s %s", p.Column, p.Code, p.Message))
		}
	}
	return out
}

func scalar(t *testing.T, db bun.IDB, q string, args ...any) string {
	t.Helper()
	var s string
	if err := db.NewRaw(q, args...).Scan(context.Background(), &s); err != nil {
		t.Fatalf("%v\n%s", err, q)
	}
	return s
}

// A row whose national ID is recorded for a different person is refused on the column that differs,
// with both values, and never merged: not counted unchanged, no certificate on the other person's case,
// no admission. Accents, case and spacing in the name are not differences.
func TestImportNeverMergesTwoPeople(t *testing.T) {
	d := tree(t)
	mustImport(t, d.App, bulk.Members, table(bulk.Members, members...))
	// Đỗ Thị Bình is at the course stage.
	mustImport(t, d.App, bulk.Candidates, table(bulk.Candidates, candidates()...))
	before, writes := counts(t, d), bulk.Writes()

	// A member row "Hoàng Văn Giả" with Đỗ Thị Bình's ID: today it recorded her as admitted.
	giả := with(person("Hoàng Văn Giả", "Nữ", "05/06/2001", "034301000012", "HY.QC.1"),
		"Ngày QĐ kết nạp", "02/05/2025", "Ngày vào Đảng", "19/05/2025")
	rep := importAs(t, fixture.System(), d.App, bulk.Members, table(bulk.Members, giả))
	if rep.Written || rep.Unchanged != 0 || rep.Updated != 0 {
		t.Fatalf("a members row of another person was taken: %+v", rep)
	}
	got := problemsAt(rep, 2)
	if len(got) != 1 || !strings.HasPrefix(got[0], "Họ và tên CONFLICT ") || !strings.Contains(got[0], `"Đỗ Thị Bình"`) ||
		!strings.Contains(got[0], `"Hoàng Văn Giả"`) || rep.Problems[0].Rule != bulk.RuleSamePerson {
		t.Errorf("problems %q (%+v)", got, rep.Problems)
	}

	// A candidate row with Trần Văn Hùng's ID (a member) and another name and birth date: today "không đổi"
	// or a certificate on his record.
	other := candidate("Lê Văn Khác", "Nam", "01/01/1990", "034075000001", course...)
	rep = importAs(t, fixture.System(), d.App, bulk.Candidates, table(bulk.Candidates, other))
	got = problemsAt(rep, 2)
	slices.Sort(got)
	if rep.Written || rep.Unchanged != 0 || len(got) != 2 || !strings.HasPrefix(got[0], "Họ và tên CONFLICT") ||
		!strings.HasPrefix(got[1], "Ngày sinh CONFLICT") || !strings.Contains(got[1], "(02/03/1975)") || !strings.Contains(got[1], "01/01/1990") {
		t.Errorf("candidate row of another person: %+v %q", rep, got)
	}
	// Another sex.
	rep = importAs(t, fixture.System(), d.App, bulk.Members, table(bulk.Members, with(members[0], "Giới tính", "Nữ")))
	if got := problemsAt(rep, 2); rep.Written || len(got) != 1 || !strings.HasPrefix(got[0], "Giới tính CONFLICT") || !strings.Contains(got[0], "(Nam)") {
		t.Errorf("another sex: %q", got)
	}
	if after := counts(t, d); after != before || bulk.Writes() != writes {
		t.Fatalf("refused rows wrote: %s → %s, %d writes", before, after, bulk.Writes()-writes)
	}

	// The same name without accents, in capitals, with extra spaces: the same person, unchanged.
	same := with(members[0], "Họ và tên", "TRAN  VAN HUNG")
	rep = importAs(t, fixture.System(), d.App, bulk.Members, table(bulk.Members, same))
	if !rep.Written || rep.Unchanged != 1 || len(rep.Problems) != 0 {
		t.Errorf("accents and case: %+v", rep)
	}
	if after := counts(t, d); after != before {
		t.Errorf("%s → %s", before, after)
	}
}

// A corrected birth date is an update the office confirms in the column "Xác nhận sửa ngày sinh": then
// the recorded date is corrected (audited), never silently.
func TestImportConfirmedBirthDate(t *testing.T) {
	d := tree(t)
	mustImport(t, d.App, bulk.Members, table(bulk.Members, members...))
	fixed := with(members[0], "Ngày sinh", "12/03/1975")
	rep := importAs(t, fixture.System(), d.App, bulk.Members, table(bulk.Members, fixed))
	if got := problemsAt(rep, 2); rep.Written || len(got) != 1 || !strings.HasPrefix(got[0], "Ngày sinh CONFLICT") ||
		!strings.Contains(got[0], "Xác nhận sửa ngày sinh") {
		t.Fatalf("unconfirmed birth date: %q", got)
	}
	rep = importAs(t, fixture.System(), d.App, bulk.Members, table(bulk.Members, with(fixed, "Xác nhận sửa ngày sinh", "Có")))
	if !rep.Written || rep.Updated != 1 || len(rep.Problems) != 0 {
		t.Fatalf("confirmed: %+v", rep)
	}
	if b := scalar(t, d.Owner, `SELECT birth_date::text FROM person WHERE national_id = '034075000001'`); b != "1975-03-12" {
		t.Errorf("birth date %s", b)
	}
	if n := scalar(t, d.Owner, `SELECT count(*)::text FROM audit_log WHERE action = 'person.update'`); n != "1" {
		t.Errorf("audit rows of the update: %s", n)
	}
	// Confirming a date already recorded changes nothing.
	rep = importAs(t, fixture.System(), d.App, bulk.Members, table(bulk.Members, with(fixed, "Xác nhận sửa ngày sinh", "Có")))
	if !rep.Written || rep.Unchanged != 1 {
		t.Errorf("again: %+v", rep)
	}
}

// A member row for a person with a candidate case reconciles with it: the case must be at the decision
// (or past it) with the row's dates; at the decision the case advances through its ceremony. Otherwise
// the row is refused and no admission is recorded.
func TestMemberRowReconcilesWithCase(t *testing.T) {
	d := tree(t)
	mustImport(t, d.App, bulk.Members, table(bulk.Members, members...))
	mustImport(t, d.App, bulk.Candidates, table(bulk.Candidates, candidates()...))
	asMember := func(name, sex, birth, nid string, kv ...string) map[string]string {
		return with(person(name, sex, birth, nid, "HY.QC.1"), kv...)
	}
	before := counts(t, d)
	for _, tc := range []struct {
		name   string
		row    map[string]string
		column string
	}{
		// At the course stage: no decision to admit her.
		{"course", asMember("Đỗ Thị Bình", "Nữ", "05/06/2001", "034301000012", "Ngày QĐ kết nạp", "02/05/2025", "Ngày vào Đảng", "19/05/2025"), "Ngày QĐ kết nạp"},
		// At the decision (03/06/2024), with another decision date.
		{"decision date", asMember("Ngô Thị Hà", "Nữ", "09/09/1995", "034195000016", "Ngày QĐ kết nạp", "04/06/2024", "Ngày vào Đảng", "19/06/2024"), "Ngày QĐ kết nạp"},
		// In probation since 19/06/2024, with another ceremony.
		{"ceremony date", asMember("Đặng Văn Khánh", "Nam", "11/11/1994", "034094000017", "Ngày QĐ kết nạp", "03/06/2024", "Ngày vào Đảng", "20/06/2024"), "Ngày vào Đảng"},
		// In probation: a recognition the case has not voted.
		{"recognition", asMember("Đặng Văn Khánh", "Nam", "11/11/1994", "034094000017", "Ngày QĐ kết nạp", "03/06/2024", "Ngày vào Đảng", "19/06/2024",
			"Ngày chính thức", "19/06/2025"), "Ngày chính thức"},
	} {
		rep := importAs(t, fixture.System(), d.App, bulk.Members, table(bulk.Members, tc.row))
		got := problemsAt(rep, 2)
		if rep.Written || len(got) != 1 || !strings.HasPrefix(got[0], tc.column+" CONFLICT") {
			t.Errorf("%s: %+v %q", tc.name, rep, got)
		}
	}
	if after := counts(t, d); after != before {
		t.Fatalf("refused member rows wrote: %s → %s", before, after)
	}
	// At the decision, with its date: the case advances to probation, through the pipeline's ceremony.
	rep := importAs(t, fixture.System(), d.App, bulk.Members, table(bulk.Members,
		asMember("NGO THI HA", "Nữ", "09/09/1995", "034195000016", "Ngày QĐ kết nạp", "03/06/2024", "Ngày vào Đảng", "19/06/2024"),
		// In probation with the case's dates: unchanged.
		asMember("Đặng Văn Khánh", "Nam", "11/11/1994", "034094000017", "Ngày QĐ kết nạp", "03/06/2024", "Ngày vào Đảng", "19/06/2024")))
	if !rep.Written || rep.Updated != 1 || rep.Unchanged != 1 {
		t.Fatalf("reconciled: %+v", rep)
	}
	got := scalar(t, d.Owner, `SELECT c.stage || ' ' || c.ceremony_on || ' ' || (SELECT string_agg(e.kind || ':' || e.effective, ',') FROM member_event e WHERE e.person_id = p.id)
		FROM candidate_case c JOIN person p ON p.id = c.person_id WHERE p.national_id = '034195000016'`)
	if got != "probation 2024-06-19 admitted:2024-06-19" {
		t.Errorf("case after the member row: %s", got)
	}
}

// The problem list is no oracle: an ID held outside the caller's scope gets createPerson's words (no
// name, id or unit), the same for every unit holding it; a sponsor outside the scope reads like one not
// recorded; the full ID or name of an out-of-scope person never appears.
func TestImportIsNoOracle(t *testing.T) {
	d := tree(t)
	mustImport(t, d.App, bulk.Members, table(bulk.Members, members...))
	other := fixture.Actor(t, d.App, "board", "HY.QS")
	// In HY.QC (outside HY.QS's scope): Trần Văn Hùng. Not recorded anywhere: 034200009999.
	rows := []map[string]string{
		with(candidate("Trần Văn Hùng", "Nam", "02/03/1975", "034075000001"), "Mã chi bộ", "HY.QS.1"),
		with(candidate("Ai Đó", "Nam", "02/03/1975", "034075000099"), "Mã chi bộ", "HY.QS.1"),
		with(candidate("Người Mới", "Nam", "01/02/2000", "034200009999", "Ngày cấp GCN bồi dưỡng nhận thức", "15/03/2024",
			"Ngày hoàn thiện hồ sơ", "20/04/2024", "CCCD người giới thiệu 1", "034180000002", "Người giới thiệu 1 cùng công tác từ", "01/01/2020",
			"CCCD người giới thiệu 2", "034180999999", "Người giới thiệu 2 cùng công tác từ", "01/01/2020"), "Mã chi bộ", "HY.QS.1"),
	}
	rep := importAs(t, other, d.App, bulk.Candidates, table(bulk.Candidates, rows...))
	if rep.Written {
		t.Fatal("written")
	}
	if got := problemsAt(rep, 2); len(got) != 1 || got[0] != "Số CCCD CONFLICT Số định danh cá nhân này đã được ghi ở nơi khác, ngoài phạm vi quản lý của bạn." {
		t.Errorf("ID held elsewhere: %q", got)
	}
	if got := problemsAt(rep, 3); len(got) != 0 {
		t.Errorf("a new ID: %q", got)
	}
	got := problemsAt(rep, 4)
	if len(got) != 2 || strings.TrimPrefix(got[0], "CCCD người giới thiệu 1") != strings.TrimPrefix(got[1], "CCCD người giới thiệu 2") {
		t.Errorf("sponsors out of scope and not recorded differ: %q", got)
	}
	for _, p := range rep.Problems {
		for _, secret := range []string{"Trần Văn Hùng", "Phạm Thị Lan", "034075000001", "034180000002", "HY.QC", "Quỳnh Châu"} {
			if strings.Contains(p.Message, secret) {
				t.Errorf("problem %v tells %q", p, secret)
			}
		}
	}
	// The same words whichever unit holds the ID, and with the board of the unit that holds none.
	qc := fixture.Actor(t, d.App, "board", "HY.QC")
	mustImport(t, d.App, bulk.Candidates, table(bulk.Candidates, candidate("Hà Văn Mới", "Nam", "01/02/2000", "034200000077")))
	rep = importAs(t, other, d.App, bulk.Candidates, table(bulk.Candidates, with(candidate("Hà Văn Mới", "Nam", "01/02/2000", "034200000077"), "Mã chi bộ", "HY.QS.1")))
	if got := problemsAt(rep, 2); len(got) != 1 || got[0] != "Số CCCD CONFLICT Số định danh cá nhân này đã được ghi ở nơi khác, ngoài phạm vi quản lý của bạn." {
		t.Errorf("another holder: %q", got)
	}
	_ = qc
}

// Errors name the column at fault and say why.
func TestImportErrorsNameTheColumn(t *testing.T) {
	d := tree(t)
	rows := []map[string]string{
		with(candidate("Nơi Dài", "Nam", "01/02/2000", "034200000041"), "Nơi làm việc", strings.Repeat("x", 301)),
		candidate("Sinh Sau", "Nam", "01/02/2099", "034299000042"),
		candidate("Vào Trước", "Nam", "01/02/2000", "034200000043", "Ngày vào danh sách nguồn", "10/01/1999"),
		candidate("Ngày Tới", "Nam", "01/02/2000", "034200000044", "Ngày cấp GCN bồi dưỡng nhận thức", "15/03/2099"),
		candidate("Năm Cũ", "Nam", "01/02/1899", "034200000045"),
	}
	rep := importAs(t, fixture.System(), d.App, bulk.Candidates, table(bulk.Candidates, rows...))
	want := map[int]string{
		2: "Nơi làm việc INVALID_INPUT Nơi làm việc dài 301 ký tự, quá 300 ký tự.",
		3: "Ngày sinh INVALID_INPUT Ngày sinh 01/02/2099 sau ngày hôm nay",
		4: "Ngày vào danh sách nguồn INVALID_INPUT Ngày 10/01/1999 trước ngày sinh (01/02/2000).",
		5: "Ngày cấp GCN bồi dưỡng nhận thức INVALID_INPUT Ngày 15/03/2099 sau ngày hôm nay",
		6: "Ngày sinh INVALID_INPUT Ngày \"01/02/1899\" trước năm 1900.",
	}
	for row, w := range want {
		if got := problemsAt(rep, row); len(got) != 1 || !strings.HasPrefix(got[0], w) {
			t.Errorf("row %d: %q, want %q", row, got, w)
		}
	}
}

// The checks that need no database run over the whole file before anything is written: one bad last row
// of a long file refuses it with no write at all (not written and rolled back).
func TestBadLastRowWritesNothing(t *testing.T) {
	d := tree(t)
	mustImport(t, d.App, bulk.Members, table(bulk.Members, members...))
	in := benchCandidates(3000, 0)
	last := &in.Rows[len(in.Rows)-1]
	last.Cells = slices.Clone(last.Cells)
	last.Cells[slices.Index(in.Header, "Ngày sinh")] = "31/02/2000"
	before, writes := counts(t, d), bulk.Writes()
	rep := importAs(t, fixture.System(), d.App, bulk.Candidates, in)
	if rep.Written || rep.Bad() != 1 || rep.Problems[0].Row != last.N || counts(t, d) != before {
		t.Fatalf("%+v", rep.Problems)
	}
	if w := bulk.Writes() - writes; w != 0 {
		t.Errorf("a refused file ran %d writes", w)
	}
}

// A file exported with masked IDs, a title above the header: refused as a whole, saying why.
func TestImportFileMessages(t *testing.T) {
	d := tree(t)
	masked := table(bulk.Members, with(members[0], "Số CCCD", "*********001"))
	_, err := bulk.Import(fixture.System(), d.App, bulk.Members, masked, bulk.Options{})
	if e, ok := apperr.As(err); !ok || e.Code != apperr.InvalidFile || !strings.Contains(e.Message, "Tệp này được xuất với số CCCD đã che") {
		t.Errorf("masked export: %v", err)
	}
	titled := sheet.Table{Header: []string{"DANH SÁCH ĐẢNG VIÊN", "", "Mẫu 1"}}
	h := table(bulk.Members, members[0])
	titled.Rows = []sheet.Row{{N: 2, Cells: []string{"Đảng bộ xã Quỳnh Châu"}}, {N: 3, Cells: h.Header}, {N: 4, Cells: h.Rows[0].Cells}}
	_, err = bulk.Import(fixture.System(), d.App, bulk.Members, titled, bulk.Options{})
	if e, ok := apperr.As(err); !ok || e.Code != apperr.InvalidInput || !strings.Contains(e.Message, "Dòng tiêu đề (tên các cột) phải là dòng đầu tiên của tệp: tên các cột ở dòng 3.") {
		t.Errorf("title rows: %v", err)
	}
	if got := counts(t, d); got != "0 0 0 0 0" {
		t.Errorf("counts %s", got)
	}
}

// A role that sees a person's identity masked (the secretary of the commune, for a person of one of its
// cells) is told which column differs, not the recorded value.
func TestSamePersonMaskedForRole(t *testing.T) {
	d := tree(t)
	mustImport(t, d.App, bulk.Members, table(bulk.Members, members...))
	sec := fixture.Actor(t, d.App, "secretary", "HY.QC")
	other := with(members[0], "Họ và tên", "Hoàng Văn Giả", "Ngày sinh", "01/01/1976")
	rep := importAs(t, sec, d.App, bulk.Members, table(bulk.Members, other))
	got := problemsAt(rep, 2)
	slices.Sort(got)
	if rep.Written || len(got) != 2 || !strings.HasPrefix(got[0], "Họ và tên CONFLICT") || !strings.HasPrefix(got[1], "Ngày sinh CONFLICT") {
		t.Fatalf("%q", got)
	}
	for _, p := range got {
		if strings.Contains(p, "Trần Văn Hùng") || strings.Contains(p, "02/03/1975") {
			t.Errorf("a masked role is told the recorded value: %s", p)
		}
	}
}
