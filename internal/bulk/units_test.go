package bulk_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/uptrace/bun"

	"ptdv/internal/apperr"
	"ptdv/internal/bulk"
	"ptdv/internal/fixture"
	"ptdv/internal/org"
	"ptdv/internal/pgtest"
	"ptdv/internal/sheet"
)

func unitRow(code, name, kind, parent, on string, kv ...string) map[string]string {
	return with(map[string]string{"Mã đơn vị": code, "Tên đơn vị": name, "Loại tổ chức": kind, "Lĩnh vực": "Địa phương",
		"Mã đơn vị cấp trên": parent, "Ngày hiệu lực": on}, kv...)
}

func unitCount(t *testing.T, db bun.IDB) string {
	t.Helper()
	var s string
	if err := db.NewRaw(`SELECT concat_ws(' ', (SELECT count(*) FROM org_unit), (SELECT count(*) FROM org_link),
		(SELECT count(*) FROM org_operation), (SELECT count(*) FROM audit_log WHERE action = 'org.create'))`).Scan(context.Background(), &s); err != nil {
		t.Fatal(err)
	}
	return s
}

// A unit list comes in through org.Create, children before their parents in the file or not, labels
// written loosely; a unit already recorded as the row has it is unchanged, and a second import changes
// nothing.
func TestImportUnits(t *testing.T) {
	d := tree(t)
	in := table(bulk.Units,
		unitRow("HY.TD.1", "Chi bộ thôn Thụy Lũng", "chi bo truc thuoc", "HY.TD", "01/07/2025"),
		unitRow("HY.TD", "Đảng bộ xã Thụy Dân", "Đảng bộ cơ sở", "HY", "01/07/2025", "Văn bản", "Quyết định số 12-QĐ/TU ngày 30/06/2025"),
		unitRow("HY.TD.2", "Chi bộ Trường THPT Thụy Dân", "Chi bộ trực thuộc", "HY.TD", "15/08/2025", "Lĩnh vực", "truong hoc"),
		unitRow("HY.QC", "Đảng bộ xã Quỳnh Châu", "grassroots_committee", "HY", "01/01/1990"),
	)
	rep := mustImport(t, d.App, bulk.Units, viaFile(t, sheet.XLSX, in))
	if rep.Created != 3 || rep.Unchanged != 1 {
		t.Fatalf("report %+v, want 3 created and 1 unchanged", rep)
	}
	td, err := org.GetByCode(fixture.System(), d.App, "HY.TD.2", fixture.Day("2026-11-01"))
	if err != nil {
		t.Fatal(err)
	}
	parent, err := org.GetOne(fixture.System(), d.App, *td.ParentID, fixture.Day("2026-11-01"))
	if err != nil || parent.Code != "HY.TD" || td.Sector != "school" || td.Kind != "cell" || !td.ValidFrom.Equal(fixture.Day("2025-08-15")) {
		t.Errorf("HY.TD.2 = %+v under %s (%v)", td, parent.Code, err)
	}
	var doc string
	if err := d.Owner.NewRaw(`SELECT o.document FROM org_unit u JOIN org_operation o ON o.id = u.created_op WHERE u.code = 'HY.TD'`).
		Scan(context.Background(), &doc); err != nil || doc != "Quyết định số 12-QĐ/TU ngày 30/06/2025" {
		t.Errorf("document = %q, %v", doc, err)
	}
	before := unitCount(t, d.Owner)
	if rep := mustImport(t, d.App, bulk.Units, in); rep.Unchanged != 4 {
		t.Errorf("second import: %+v, want 4 unchanged", rep)
	}
	if after := unitCount(t, d.Owner); after != before {
		t.Errorf("the second import changed %s → %s", before, after)
	}
}

// A subtree's export, a unit moved since its founding among them, imports into an empty database and
// exports back the same, cell for cell, through xlsx and csv.
func TestUnitsRoundTrip(t *testing.T) {
	d := tree(t)
	if _, err := org.Move(fixture.System(), d.App, mustUnit(t, d.App, "HY.QS.1"), mustUnit(t, d.App, "HY.QC"),
		org.Doc{Effective: fixture.Day("2025-07-01"), Document: "Quyết định số 5-QĐ/TU"}); err != nil {
		t.Fatal(err)
	}
	out := exportHY(t, d.App, bulk.Units)
	if len(out.Rows) != 6 || out.Rows[0][1] != "HY" {
		t.Fatalf("export: %v", out.Rows)
	}
	moved := unitCell(out, "HY.QS.1")
	if moved["Ngày hiệu lực"] != "01/07/2025" || moved["Văn bản"] != "Quyết định số 5-QĐ/TU" || moved["Mã đơn vị cấp trên"] != "HY.QC" ||
		moved["Tên đơn vị cấp trên"] != "Đảng bộ xã Quỳnh Châu" {
		t.Errorf("moved cell exported as %v", moved)
	}
	for _, f := range []sheet.Format{sheet.XLSX, sheet.CSV} {
		d2 := pgtest.New(t)
		rep := mustImport(t, d2.App, bulk.Units, viaFile(t, f, sheetTable(out)))
		if rep.Created != 6 {
			t.Errorf("%s: %+v", f, rep)
		}
		again, err := bulk.Export(fixture.System(), d2.App, bulk.Units, mustUnit(t, d2.App, "HY"), fixture.Day("2026-11-01"))
		if err != nil {
			t.Fatal(err)
		}
		if len(again.Rows) != len(out.Rows) {
			t.Fatalf("%s: %d rows back, want %d", f, len(again.Rows), len(out.Rows))
		}
		for _, r := range out.Rows {
			want, got := unitCell(out, r[1]), unitCell(again, r[1])
			for h, v := range want {
				if h != "STT" && got[h] != v {
					t.Errorf("%s: %s, column %q: %q after the round trip, %q before", f, r[1], h, got[h], v)
				}
			}
		}
	}
}

func unitCell(s sheet.Sheet, code string) map[string]string {
	n := slices.Index(s.Header, "Mã đơn vị")
	for _, r := range s.Rows {
		if r[n] == code {
			out := map[string]string{}
			for i, h := range s.Header {
				out[h] = r[i]
			}
			return out
		}
	}
	return nil
}

// Every bad unit row is reported with its column and reason, and nothing is written; with SkipInvalid
// the good rows go in and a child of a bad row says so.
func TestBadUnitRows(t *testing.T) {
	d := tree(t)
	before := unitCount(t, d.Owner)
	in := table(bulk.Units,
		unitRow("HY.NEW", "Đảng bộ xã Mới", "Đảng bộ cơ sở", "HY", "01/07/2025"),
		unitRow("HY.X", "Đảng bộ xã X", "loại lạ", "HY", "01/07/2025"),                      // unknown kind
		unitRow("HY.X.1", "Chi bộ thôn 1", "Chi bộ trực thuộc", "HY.X", "01/08/2025"),       // under a bad row
		unitRow("HY.Y", "Chi bộ Y", "Chi bộ trực thuộc", "HY.KHONGCO", "01/07/2025"),        // unknown parent
		unitRow("HY.NEW.1", "Chi bộ thôn Sớm", "Chi bộ trực thuộc", "HY.NEW", "01/01/2020"), // before its parent
		unitRow("HY.NEW", "Đảng bộ xã Mới", "Đảng bộ cơ sở", "HY", "01/07/2025"),            // the key repeats
		unitRow("HY.QC", "Đảng bộ xã Quỳnh Châu mới", "Đảng bộ cơ sở", "HY", "01/01/1990"),  // a rename in disguise
		unitRow("HY.A", "Chi bộ A", "Chi bộ trực thuộc", "HY.B", "01/07/2025"),              // a cycle
		unitRow("HY.B", "Chi bộ B", "Chi bộ trực thuộc", "HY.A", "01/07/2025"),
		unitRow("HY.Z", "Chi bộ Z", "Chi bộ trực thuộc", "HY.QC", "31/02/2025"),
		unitRow("HY.C", "Chi bộ C", "Chi bộ trực thuộc", "HY", "01/07/2025"), // a cell directly under the province // no such day
	)
	rep, err := bulk.Import(fixture.System(), d.App, bulk.Units, in, bulk.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Written || rep.Bad() != 10 {
		t.Fatalf("report: written=%v bad=%d %v", rep.Written, rep.Bad(), rep.Problems)
	}
	if after := unitCount(t, d.Owner); after != before {
		t.Errorf("a refused file changed %s → %s", before, after)
	}
	want := map[int]string{
		3:  "Loại tổ chức INVALID_INPUT",
		4:  "Mã đơn vị cấp trên NOT_FOUND",
		5:  "Mã đơn vị cấp trên NOT_FOUND",
		6:  "Ngày hiệu lực RULE_VIOLATION",
		7:  "Mã đơn vị INVALID_INPUT",
		8:  "Tên đơn vị CONFLICT",
		9:  "Mã đơn vị cấp trên NOT_FOUND",
		10: "Mã đơn vị cấp trên NOT_FOUND",
		11: "Ngày hiệu lực INVALID_INPUT",
		12: "Loại tổ chức RULE_VIOLATION",
	}
	got := map[int]string{}
	for _, p := range rep.Problems {
		got[p.Row] = p.Column + " " + string(p.Code)
	}
	for row, w := range want {
		if got[row] != w {
			t.Errorf("row %d: %q, want %q (%v)", row, got[row], w, rep.Problems)
		}
	}
	if p := problemAt(rep, 4); !strings.Contains(p.Message, "dòng 3") {
		t.Errorf("the child of a bad row: %q", p.Message)
	}

	rep, err = bulk.Import(fixture.System(), d.App, bulk.Units, in, bulk.Options{SkipInvalid: true})
	if err != nil || !rep.Written || rep.Created != 1 || len(rep.Rejected.Rows) != 10 {
		t.Fatalf("skip invalid: %+v, %v", rep, err)
	}
	if _, err := org.GetByCode(fixture.System(), d.App, "HY.NEW", fixture.Day("2026-11-01")); err != nil {
		t.Errorf("the good row: %v", err)
	}
}

func problemAt(rep bulk.Report, row int) bulk.Problem {
	for _, p := range rep.Problems {
		if p.Row == row {
			return p
		}
	}
	return bulk.Problem{}
}

// Only a role that may change the tree imports units, and only under its own subtree.
func TestImportUnitsScope(t *testing.T) {
	d := tree(t)
	in := table(bulk.Units, unitRow("HY.QC.9", "Chi bộ thôn Mới", "Chi bộ trực thuộc", "HY.QC", "01/07/2025"))
	if _, err := bulk.Import(fixture.Actor(t, d.App, "viewer", "HY"), d.App, bulk.Units, in, bulk.Options{}); apperr.CodeOf(err) != apperr.Forbidden {
		t.Errorf("viewer: err = %v, want FORBIDDEN", err)
	}
	rep, err := bulk.Import(fixture.Actor(t, d.App, "board", "HY.QS"), d.App, bulk.Units, in, bulk.Options{})
	if err != nil || rep.Written || problemAt(rep, 2).Code != apperr.NotFound {
		t.Errorf("board of another commune: %+v, %v", rep, err)
	}
	if rep := mustImportAs(t, fixture.Actor(t, d.App, "board", "HY.QC"), d.App, in); rep.Created != 1 {
		t.Errorf("own commune: %+v", rep)
	}
}

func mustImportAs(t *testing.T, ctx context.Context, db *bun.DB, tb sheet.Table) bulk.Report {
	t.Helper()
	rep, err := bulk.Import(ctx, db, bulk.Units, tb, bulk.Options{})
	if err != nil || !rep.Written {
		t.Fatalf("import: %+v, %v", rep, err)
	}
	return rep
}

// A national ID written with and without the leading zero a spreadsheet drops is one person: the second
// row is a repeat, reported against the first.
func TestRepeatedNationalIDNormalised(t *testing.T) {
	d := tree(t)
	in := table(bulk.Members, members[0], with(members[0], "Số CCCD", strings.TrimPrefix(members[0]["Số CCCD"], "0")))
	rep, err := bulk.Import(fixture.System(), d.App, bulk.Members, in, bulk.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if p := problemAt(rep, 3); rep.Written || p.Column != "Số CCCD" || !strings.Contains(p.Message, "dòng 2") {
		t.Errorf("report %+v, problem %+v", rep, p)
	}
}
