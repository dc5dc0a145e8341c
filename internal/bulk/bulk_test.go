package bulk_test

import (
	"bytes"
	"context"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/uptrace/bun"

	"ptdv/internal/apperr"
	"ptdv/internal/auth"
	"ptdv/internal/bulk"
	"ptdv/internal/fixture"
	"ptdv/internal/org"
	"ptdv/internal/pgtest"
	"ptdv/internal/sheet"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// tree is a province with a commune and two cells.
func tree(t testing.TB) *pgtest.DB {
	d := pgtest.New(t)
	mk := func(code, name, kind string, parent *int64) int64 {
		res, err := org.Create(fixture.System(), d.App, org.NewUnit{Code: code, Name: name, Kind: kind, Sector: "territorial"}, parent,
			org.Doc{Effective: fixture.Day("1990-01-01")})
		if err != nil {
			t.Fatal(err)
		}
		return res.Units[0]
	}
	p := mk("HY", "Đảng bộ tỉnh Hưng Yên", "province", nil)
	c := mk("HY.QC", "Đảng bộ xã Quỳnh Châu", "grassroots_committee", &p)
	mk("HY.QC.1", "Chi bộ thôn An Phú", "cell", &c)
	mk("HY.QC.2", "Chi bộ thôn Đông Hải", "cell", &c)
	s := mk("HY.QS", "Đảng bộ xã Quỳnh Sơn", "grassroots_committee", &p)
	mk("HY.QS.1", "Chi bộ thôn Mai Xá", "cell", &s)
	return d
}

// table builds what sheet.Read returns for a kind's layout from rows given as header → value.
func table(k bulk.Kind, rows ...map[string]string) sheet.Table {
	h := bulk.Headers(k)
	t := sheet.Table{Header: h}
	for i, r := range rows {
		cells := make([]string, len(h))
		for j, name := range h {
			cells[j] = r[name]
		}
		t.Rows = append(t.Rows, sheet.Row{N: i + 2, Cells: cells})
	}
	return t
}

// viaFile writes a table to a file of the format and reads it back, as an office's file would be.
func viaFile(t *testing.T, f sheet.Format, tb sheet.Table) sheet.Table {
	t.Helper()
	s := sheet.Sheet{Name: "DS", Header: tb.Header}
	for _, r := range tb.Rows {
		s.Rows = append(s.Rows, r.Cells)
	}
	var buf bytes.Buffer
	if err := sheet.Write(&buf, f, s); err != nil {
		t.Fatal(err)
	}
	out, err := sheet.Read(&buf, f, sheet.DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func person(name, sex, birth, nid, cell string) map[string]string {
	return map[string]string{"Họ và tên": name, "Giới tính": sex, "Ngày sinh": birth, "Số CCCD": nid, "Dân tộc": "Kinh",
		"Tôn giáo": "Không", "Giáo dục phổ thông": "12/12", "Đoàn viên": "Không", "Mã chi bộ": cell}
}

func with(m map[string]string, kv ...string) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		out[k] = v
	}
	for i := 0; i < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

var members = []map[string]string{
	with(person("Trần Văn Hùng", "Nam", "02/03/1975", "034075000001", "HY.QC.1"),
		"Ngày QĐ kết nạp", "20/05/2005", "Số QĐ kết nạp", "12-QĐ/HU", "Ngày vào Đảng", "01/06/2005",
		"Ngày chính thức", "01/06/2006", "Số NQ công nhận chính thức", "30-NQ/ĐU"),
	with(person("Phạm Thị Lan", "nu", "20/11/1980", "034180000002", "HY.QC.1"),
		"Ngày QĐ kết nạp", "20/05/2010", "Ngày vào Đảng", "01/06/2010", "Ngày chính thức", "01/06/2011"),
	with(person("Nguyễn Thị Hoa", "Nữ", "15/08/1999", "034199000003", "HY.QC.2"), "Dân tộc", "Tày",
		"Ngày QĐ kết nạp", "02/05/2026", "Số QĐ kết nạp", "101-QĐ/ĐU", "Ngày vào Đảng", "19/05/2026"),
}

func candidate(name, sex, birth, nid string, kv ...string) map[string]string {
	base := with(person(name, sex, birth, nid, "HY.QC.1"), "Nơi giới thiệu nguồn", "Đoàn Thanh niên", "Ngày vào danh sách nguồn", "10/01/2024")
	return with(base, kv...)
}

// The stages a candidate row may carry, each adding to the one before.
var (
	course    = []string{"Ngày cấp GCN bồi dưỡng nhận thức", "15/03/2024", "Số GCN", "245/GCN-TTCT"}
	dossier   = append(slices.Clone(course), "Ngày hoàn thiện hồ sơ", "20/04/2024", "CCCD người giới thiệu 1", "034075000001", "Người giới thiệu 1 cùng công tác từ", "01/01/2020", "CCCD người giới thiệu 2", "034180000002", "Người giới thiệu 2 cùng công tác từ", "01/06/2022")
	cellRes   = append(slices.Clone(dossier), "Ngày NQ chi bộ", "10/05/2024", "Số NQ chi bộ", "05-NQ/CB", "Chi bộ: số tán thành", "2", "Chi bộ: tổng số đảng viên chính thức", "2")
	committee = append(slices.Clone(cellRes), "Ngày NQ đảng ủy", "20/05/2024", "Số NQ đảng ủy", "41-NQ/ĐU", "Đảng ủy: số tán thành", "11", "Đảng ủy: tổng số cấp ủy viên", "13")
	decision  = append(slices.Clone(committee), "Ngày QĐ kết nạp", "03/06/2024", "Số QĐ kết nạp", "77-QĐ/ĐU")
	ceremony  = append(slices.Clone(decision), "Ngày lễ kết nạp", "19/06/2024")
	full      = append(slices.Clone(ceremony), "Ngày NQ công nhận chính thức", "25/06/2025", "Số NQ công nhận chính thức", "12-NQ/CB", "Công nhận: số tán thành", "2", "Công nhận: tổng số đảng viên chính thức", "2")
)

func candidates() []map[string]string {
	return []map[string]string{
		candidate("Lê Văn An", "Nam", "01/02/2000", "034200000011"),
		candidate("Đỗ Thị Bình", "Nữ", "05/06/2001", "034301000012", course...),
		candidate("Vũ Văn Cường", "Nam", "07/07/1998", "034098000013", dossier...),
		candidate("Hoàng Thị Dung", "Nữ", "12/12/1997", "034197000014", cellRes...),
		candidate("Bùi Văn Giang", "Nam", "03/03/1996", "034096000015", committee...),
		candidate("Ngô Thị Hà", "Nữ", "09/09/1995", "034195000016", decision...),
		candidate("Đặng Văn Khánh", "Nam", "11/11/1994", "034094000017", ceremony...),
		candidate("Phan Thị Linh", "Nữ", "21/01/1993", "034193000018", full...),
		candidate("Trịnh Văn Minh", "Nam", "30/04/2002", "034202000019", append(slices.Clone(course),
			"Ngày ra khỏi danh sách", "01/10/2024", "Lý do ra khỏi danh sách", "chuyen noi cu tru, hoc tap, cong tac")...),
	}
}

// counts is the number of persons, cases, case events, member events and sponsors recorded, read as the
// owner of the schema: through the application's role, row-level security hides every row outside a
// scope set in its transaction, and "nothing written" would hold whatever the import wrote.
func counts(t *testing.T, d *pgtest.DB) string {
	t.Helper()
	var s string
	err := d.Owner.NewRaw(`SELECT concat_ws(' ', (SELECT count(*) FROM person), (SELECT count(*) FROM candidate_case),
		(SELECT count(*) FROM case_event), (SELECT count(*) FROM member_event), (SELECT count(*) FROM case_sponsor))`).Scan(context.Background(), &s)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func mustImport(t *testing.T, db *bun.DB, k bulk.Kind, tb sheet.Table) bulk.Report {
	t.Helper()
	rep, err := bulk.Import(fixture.System(), db, k, tb, bulk.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Written || len(rep.Problems) > 0 {
		t.Fatalf("import %s: written=%v problems %v", k, rep.Written, rep.Problems)
	}
	return rep
}

// The office's history comes in as the API's own events. An export imported into another database
// and exported again gives the same file, cell for cell; importing a file a second time changes nothing.
func TestImportExportRoundTrip(t *testing.T) {
	for _, f := range []sheet.Format{sheet.XLSX, sheet.CSV} {
		t.Run(string(f), func(t *testing.T) {
			d := tree(t)
			rep := mustImport(t, d.App, bulk.Members, viaFile(t, f, table(bulk.Members, members...)))
			if rep.Created != 3 {
				t.Fatalf("members created = %d, want 3", rep.Created)
			}
			in := table(bulk.Candidates, candidates()...)
			rep = mustImport(t, d.App, bulk.Candidates, viaFile(t, f, in))
			if rep.Created != 9 {
				t.Fatalf("candidates created = %d, want 9", rep.Created)
			}
			// The stages were recorded as moves, with the member events the ceremony and the vote imply.
			var stages []string
			if err := d.Owner.NewRaw(`SELECT c.stage FROM candidate_case c JOIN person p ON p.id = c.person_id ORDER BY p.national_id`).
				Scan(context.Background(), &stages); err != nil {
				t.Fatal(err)
			}
			want := []string{"probation", "committee_resolution", "dossier", "full_member", "decision", "cell_resolution", "source", "left", "course_done"}
			if strings.Join(stages, ",") != strings.Join(want, ",") {
				t.Errorf("stages by national id = %v, want %v", stages, want)
			}
			var kinds string
			if err := d.Owner.NewRaw(`SELECT string_agg(e.kind || ':' || e.effective, ',' ORDER BY e.effective) FROM member_event e
				JOIN person p ON p.id = e.person_id WHERE p.national_id = '034193000018'`).Scan(context.Background(), &kinds); err != nil {
				t.Fatal(err)
			}
			if kinds != "admitted:2024-06-19,recognized:2025-06-19" {
				t.Errorf("member events of the full member = %q", kinds)
			}

			// A second import of the same files, and an import of the exports, change nothing.
			before := counts(t, d)
			mustImport(t, d.App, bulk.Candidates, viaFile(t, f, in))
			mustImport(t, d.App, bulk.Members, viaFile(t, f, table(bulk.Members, members...)))
			exp := map[bulk.Kind]sheet.Sheet{}
			for _, k := range []bulk.Kind{bulk.Candidates, bulk.Members} {
				out, err := bulk.Export(fixture.System(), d.App, k, mustUnit(t, d.App, "HY"), fixture.Day("2026-11-01"))
				if err != nil {
					t.Fatal(err)
				}
				exp[k] = out
				back := viaFile(t, f, sheetTable(out))
				rep := mustImport(t, d.App, k, back)
				if rep.Unchanged != len(back.Rows) || rep.Created+rep.Updated != 0 {
					t.Errorf("%s: re-import of the export = %+v, want all unchanged", k, rep)
				}
			}
			if after := counts(t, d); after != before {
				t.Errorf("importing again changed the counts %s → %s", before, after)
			}
			// The exports hold the cells as the code lists write them: "nu" → "Nữ", "12/12" → its label.
			cand := exp[bulk.Candidates]
			if got := cell(cand, "034199000003", "Giới tính"); got != "" {
				t.Errorf("a member is not a candidate: %q", got)
			}
			if got := cell(exp[bulk.Members], "034180000002", "Giới tính"); got != "Nữ" {
				t.Errorf("sex exported as %q", got)
			}
			if got := cell(cand, "034193000018", "Ngày NQ công nhận chính thức"); got != "25/06/2025" {
				t.Errorf("recognition vote exported as %q", got)
			}
			if n := len(exp[bulk.Members].Rows); n != 5 {
				t.Errorf("members exported = %d, want the 3 imported and the 2 admitted through the pipeline", n)
			}

			// Into a database with the same tree and the sponsors: the candidates' export comes back cell
			// for cell. (Members are round-tripped on their own: the two admitted through the pipeline
			// belong to the candidates' file there.)
			d2 := tree(t)
			mustImport(t, d2.App, bulk.Members, table(bulk.Members, members...))
			mustImport(t, d2.App, bulk.Candidates, viaFile(t, f, sheetTable(cand)))
			again, err := bulk.Export(fixture.System(), d2.App, bulk.Candidates, mustUnit(t, d2.App, "HY"), fixture.Day("2026-11-01"))
			if err != nil {
				t.Fatal(err)
			}
			sameSheet(t, cand, again)
			d3 := tree(t)
			mustImport(t, d3.App, bulk.Members, viaFile(t, f, sheetTable(exp[bulk.Members])))
			again, err = bulk.Export(fixture.System(), d3.App, bulk.Members, mustUnit(t, d3.App, "HY"), fixture.Day("2026-11-01"))
			if err != nil {
				t.Fatal(err)
			}
			sameSheet(t, exp[bulk.Members], again)
		})
	}
}

func cell(s sheet.Sheet, nid, column string) string {
	n, c := slices.Index(s.Header, "Số CCCD"), slices.Index(s.Header, column)
	for _, r := range s.Rows {
		if r[n] == nid {
			return r[c]
		}
	}
	return ""
}

// sameSheet compares two exports by national ID (row order follows database ids).
func sameSheet(t *testing.T, a, b sheet.Sheet) {
	t.Helper()
	if strings.Join(a.Header, "|") != strings.Join(b.Header, "|") || len(a.Rows) != len(b.Rows) {
		t.Fatalf("exports differ: %d vs %d rows", len(a.Rows), len(b.Rows))
	}
	n := slices.Index(a.Header, "Số CCCD")
	for _, r := range a.Rows {
		for j, h := range a.Header {
			if h == "STT" {
				continue
			}
			if got := cell(b, r[n], h); got != r[j] {
				t.Errorf("%s, column %q: %q after the round trip, %q before", r[n], h, got, r[j])
			}
		}
	}
}

func sheetTable(s sheet.Sheet) sheet.Table {
	t := sheet.Table{Header: s.Header}
	for i, r := range s.Rows {
		t.Rows = append(t.Rows, sheet.Row{N: i + 2, Cells: r})
	}
	return t
}

// Every bad row is reported with its row, column and reason, and nothing is written; with SkipInvalid
// the good rows are written and the bad ones come back in the reject sheet.
func TestBadRowsWriteNothing(t *testing.T) {
	d := tree(t)
	mustImport(t, d.App, bulk.Members, table(bulk.Members, members...))
	good := candidate("Lê Văn An", "Nam", "01/02/2000", "034200000011", dossier...)
	bad := []struct {
		row    map[string]string
		column string
		code   apperr.Code
		rule   string
	}{
		{candidate("Sai Ngày", "Nam", "31/02/2000", "034200000021"), "Ngày sinh", apperr.InvalidInput, ""},
		{candidate("Sai Dân Tộc", "Nam", "01/01/2000", "034200000022", "Dân tộc", "Klingon"), "Dân tộc", apperr.InvalidInput, ""},
		{candidate("Trùng CCCD", "Nam", "01/01/2000", "034200000011"), "Số CCCD", apperr.InvalidInput, ""},
		{with(candidate("Sai Chi Bộ", "Nam", "01/01/2000", "034200000023"), "Mã chi bộ", "XX.9"), "Mã chi bộ", apperr.NotFound, ""},
		// The decision is dated before the committee's resolution: the pipeline's date order refuses it.
		{candidate("Sai Thứ Tự", "Nam", "01/01/1999", "034099000024", append(slices.Clone(committee), "Ngày QĐ kết nạp", "15/05/2024",
			"Số QĐ kết nạp", "1-QĐ")...), "Ngày QĐ kết nạp", apperr.RuleViolation, "pipeline.date_order"},
		// Too young on the day of the cell's resolution.
		{candidate("Chưa Đủ Tuổi", "Nam", "01/01/2007", "034207000025", cellRes...), "Ngày NQ chi bộ", apperr.RuleViolation, "age.min_months"},
		// A sponsor who is not in the system.
		{candidate("Người Giới Thiệu", "Nam", "01/01/2000", "034200000026",
			"Ngày cấp GCN bồi dưỡng nhận thức", "15/03/2024", "Ngày hoàn thiện hồ sơ", "20/04/2024",
			"CCCD người giới thiệu 1", "034075999999", "Người giới thiệu 1 cùng công tác từ", "01/01/2020",
			"CCCD người giới thiệu 2", "034180000002", "Người giới thiệu 2 cùng công tác từ", "01/01/2020"), "CCCD người giới thiệu 1", apperr.NotFound, ""},
		{candidate("Thiếu Phiếu", "Nam", "01/01/1999", "034099000027", append(slices.Clone(dossier), "Ngày NQ chi bộ", "10/05/2024", "Số NQ chi bộ", "5-NQ")...),
			"Ngày NQ chi bộ", apperr.InvalidInput, ""},
	}
	rows := []map[string]string{good}
	for _, b := range bad {
		rows = append(rows, b.row)
	}
	in := table(bulk.Candidates, rows...)
	before := counts(t, d)
	rep, err := bulk.Import(fixture.System(), d.App, bulk.Candidates, in, bulk.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Written || counts(t, d) != before {
		t.Fatalf("a file with bad rows wrote something: written=%v %s → %s", rep.Written, before, counts(t, d))
	}
	for i, b := range bad {
		row := i + 3 // header row 1, the good row 2
		var found bool
		for _, p := range rep.Problems {
			if p.Row == row {
				found = true
				if p.Column != b.column || p.Code != b.code || p.Rule != b.rule || p.Message == "" {
					t.Errorf("row %d: problem %+v, want column %q code %s rule %q", row, p, b.column, b.code, b.rule)
				}
				// The command prints the rule's id with the reason.
				if s := p.String(); (b.rule != "") != strings.Contains(s, "[quy định "+b.rule+"]") {
					t.Errorf("row %d: printed %q, want the rule %q named", row, s, b.rule)
				}
			}
		}
		if !found {
			t.Errorf("row %d (%s): no problem reported; problems %v", row, b.row["Họ và tên"], rep.Problems)
		}
	}
	for _, p := range rep.Problems {
		if p.Row == 2 {
			t.Errorf("the good row got a problem: %v", p)
		}
	}

	rep, err = bulk.Import(fixture.System(), d.App, bulk.Candidates, in, bulk.Options{SkipInvalid: true})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Written || rep.Created != 1 || rep.Bad() != len(bad) {
		t.Fatalf("skip invalid: %+v", rep)
	}
	last := len(rep.Rejected.Header) - 1
	if rep.Rejected.Header[last] != "Lỗi" || !strings.Contains(rep.Rejected.Rows[0][last], "Ngày sinh") {
		t.Errorf("reject sheet: header %v, first row %v", rep.Rejected.Header, rep.Rejected.Rows[0])
	}
	// Beside the reasons, the ids of the rules that refused each row (none for a malformed cell).
	if rep.Rejected.Header[last-1] != "Quy định" {
		t.Errorf("reject sheet: header %v, want a column \"Quy định\" before \"Lỗi\"", rep.Rejected.Header)
	}
	for i, b := range bad {
		if got := rep.Rejected.Rows[i][last-1]; got != b.rule {
			t.Errorf("reject row %d: rules %q, want %q", i+1, got, b.rule)
		}
	}
	// The reject file imports as it is (its "Lỗi" column is ignored) and is refused for the same reasons.
	again, err := bulk.Import(fixture.System(), d.App, bulk.Candidates, sheetTable(rep.Rejected), bulk.Options{})
	// (The repeated national ID is no longer repeated: its first row was good and is not in the file. It
	// is now recorded for Lê Văn An, whom the row, "Trùng CCCD" born on another day, is not: it is refused
	// on its name and birth date, never merged into her record.)
	if err != nil || again.Written || again.Bad() != len(bad) || len(again.Rejected.Header) != len(rep.Rejected.Header) {
		t.Errorf("reject file re-import: %+v, %v", again, err)
	}
}

// A file in another layout, or with unknown or missing columns, is refused before any row is read.
func TestWrongLayout(t *testing.T) {
	d := tree(t)
	for name, tc := range map[string]struct {
		k  bulk.Kind
		tb sheet.Table
	}{
		"members file as candidates": {bulk.Candidates, table(bulk.Members, members...)},
		"unknown column":             {bulk.Members, sheet.Table{Header: append(bulk.Headers(bulk.Members), "Mật khẩu"), Rows: []sheet.Row{{N: 2, Cells: []string{"1"}}}}},
		"repeated column":            {bulk.Members, sheet.Table{Header: append(bulk.Headers(bulk.Members), "HO VA TEN"), Rows: []sheet.Row{{N: 2, Cells: []string{"1"}}}}},
		"no rows":                    {bulk.Members, sheet.Table{Header: bulk.Headers(bulk.Members)}},
	} {
		_, err := bulk.Import(fixture.System(), d.App, tc.k, tc.tb, bulk.Options{})
		if c := apperr.CodeOf(err); c != apperr.InvalidInput && c != apperr.InvalidFile {
			t.Errorf("%s: err = %v", name, err)
		}
	}
	if got := counts(t, d); got != "0 0 0 0 0" {
		t.Errorf("counts = %s", got)
	}
}

// A viewer may not import; a board outside the cells' subtree sees them as missing, and its export of
// another commune is NOT_FOUND.
func TestImportScope(t *testing.T) {
	d := tree(t)
	in := table(bulk.Members, members...)
	if _, err := bulk.Import(fixture.Actor(t, d.App, "viewer", "HY"), d.App, bulk.Members, in, bulk.Options{}); apperr.CodeOf(err) != apperr.Forbidden {
		t.Errorf("viewer: err = %v, want FORBIDDEN", err)
	}
	other := fixture.Actor(t, d.App, "board", "HY.QS")
	rep, err := bulk.Import(other, d.App, bulk.Members, in, bulk.Options{})
	switch {
	case auth.AppFilterOff():
		// Row-level security alone (the two-key test): the cells look recorded, and the batch's first write
		// is refused by the policies, which ends the import as NOT_FOUND with nothing written.
		if apperr.CodeOf(err) != apperr.NotFound {
			t.Errorf("board of another commune, row-level security alone: %v, want NOT_FOUND", err)
		}
	case err != nil:
		t.Fatal(err)
	default:
		if rep.Written || rep.Bad() != 3 {
			t.Fatalf("board of another commune: %+v", rep)
		}
		for _, p := range rep.Problems {
			if p.Column != "Mã chi bộ" || p.Code != apperr.NotFound {
				t.Errorf("problem %+v, want NOT_FOUND on the cell", p)
			}
		}
	}
	if got := counts(t, d); got != "0 0 0 0 0" {
		t.Errorf("counts = %s", got)
	}
	mustImport(t, d.App, bulk.Members, in)
	// The same file again: the persons are recorded now, outside the other board's subtree; its rows are
	// refused, not counted as unchanged.
	rep, err = bulk.Import(other, d.App, bulk.Members, in, bulk.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Written || rep.Bad() != 3 || rep.Unchanged != 0 {
		t.Fatalf("board of another commune, persons recorded: %+v", rep)
	}
	for _, p := range rep.Problems {
		if p.Column != "Số CCCD" || p.Code != apperr.Conflict {
			t.Errorf("problem %+v, want CONFLICT on the national ID", p)
		}
	}
	qc, err := org.GetByCode(fixture.System(), d.App, "HY.QC", fixture.Day("2026-11-01"))
	if err != nil {
		t.Fatal(err)
	}
	if out, err := bulk.Export(other, d.App, bulk.Members, qc.ID, fixture.Day("2026-11-01")); auth.AppFilterOff() {
		// Row-level security alone: the unit is read through the tree (the application's to scope), and
		// none of its persons.
		if len(out.Rows) != 0 {
			t.Errorf("export of another commune, row-level security alone: %d rows, %v", len(out.Rows), err)
		}
	} else if apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("export of another commune: err = %v, want NOT_FOUND", err)
	}
	// A secretary of the other commune's cell sees its own (empty) list only.
	out, err := bulk.Export(other, d.App, bulk.Members, mustUnit(t, d.App, "HY.QS"), fixture.Day("2026-11-01"))
	if err != nil || len(out.Rows) != 0 {
		t.Errorf("own export: %d rows, %v", len(out.Rows), err)
	}
}

// exportHY is the export of kind for the province HY on 01/11/2026 by the national office.
func exportHY(t *testing.T, db bun.IDB, kind bulk.Kind) sheet.Sheet {
	t.Helper()
	out, err := bulk.Export(fixture.System(), db, kind, mustUnit(t, db, "HY"), fixture.Day("2026-11-01"))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func mustUnit(t *testing.T, db bun.IDB, code string) int64 {
	t.Helper()
	u, err := org.GetByCode(fixture.System(), db, code, fixture.Day("2026-11-01"))
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}
