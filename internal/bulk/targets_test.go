package bulk_test

import (
	"context"
	"testing"

	"ptdv/internal/apperr"
	"ptdv/internal/bulk"
	"ptdv/internal/fixture"
	"ptdv/internal/page"
	"ptdv/internal/target"
)

func targetRow(code, measure, kind, start, end, count, rate, doc string) map[string]string {
	return map[string]string{"Mã đơn vị": code, "Chỉ tiêu": measure, "Kỳ": kind, "Từ ngày": start, "Đến ngày": end,
		"Số lượng": count, "Tỷ lệ (%)": rate, "Văn bản": doc}
}

// Terms and targets come from a file: the term is recorded with its target, a year's count target and a
// rate target beside it; importing the same file again changes nothing; a new number is a revision;
// the export gives back the file. Bad rows are refused with their column, and nothing is written.
func TestImportTargets(t *testing.T) {
	d := tree(t)
	rows := []map[string]string{
		with(targetRow("HY.QC", "Kết nạp đảng viên mới", "Nhiệm kỳ", "10/07/2020", "30/06/2025", "750", "", "NQ Đại hội XXVII"), "Tên nhiệm kỳ", "Nhiệm kỳ 2020–2025"),
		targetRow("HY.QC", "ket nap dang vien moi", "Năm", "01/01/2021", "31/12/2021", "160", "", "KH 12-KH/ĐU"),
		targetRow("HY", "admissions", "nam", "01/01/2022", "31/12/2022", "", "4,5", "CT 13-CT/TU"),
		targetRow("HY.QS", "Kết nạp đảng viên mới", "Quý", "01/04/2022", "30/06/2022", "3", "", ""),
	}
	rep := mustImport(t, d.App, bulk.Targets, table(bulk.Targets, rows...))
	if rep.Created != 4 {
		t.Fatalf("created %d, want 4", rep.Created)
	}
	ctx := fixture.System()
	qc := mustUnit(t, d.App, "HY.QC")
	terms, err := target.Terms(ctx, d.App, qc)
	if err != nil || len(terms) != 1 || terms[0].Name != "Nhiệm kỳ 2020–2025" || terms[0].CongressDocument != "NQ Đại hội XXVII" {
		t.Fatalf("terms %+v, %v", terms, err)
	}
	rate := func(code string) float64 {
		ts, err := target.UnitTargets(ctx, d.App, mustUnit(t, d.App, code), target.Filter{}, pageArgs(10))
		if err != nil || len(ts.Items) != 1 || ts.Items[0].Values.Rate == nil {
			t.Fatalf("targets of %s: %+v, %v", code, ts.Items, err)
		}
		return *ts.Items[0].Values.Rate
	}
	if r := rate("HY"); r != 4.5 {
		t.Errorf("rate %v, want 4.5", r)
	}
	// Again: nothing changes. With a new number: one revision.
	if rep := mustImport(t, d.App, bulk.Targets, table(bulk.Targets, rows...)); rep.Unchanged != 4 {
		t.Errorf("second import: %+v", rep)
	}
	rows[1] = targetRow("HY.QC", "Kết nạp đảng viên mới", "Năm", "01/01/2021", "31/12/2021", "170", "", "KH 12-KH/ĐU")
	if rep := mustImport(t, d.App, bulk.Targets, table(bulk.Targets, rows...)); rep.Updated != 1 || rep.Unchanged != 3 {
		t.Errorf("revised import: %+v", rep)
	}
	// The export is the file, in the import layout: imported again, it changes nothing.
	out, err := bulk.Export(ctx, d.App, bulk.Targets, mustUnit(t, d.App, "HY"), fixture.Day("2026-11-01"))
	if err != nil || len(out.Rows) != 4 {
		t.Fatalf("export: %d rows, %v", len(out.Rows), err)
	}
	if rep := mustImport(t, d.App, bulk.Targets, sheetTable(out)); rep.Unchanged != 4 {
		t.Errorf("export imported again: %+v", rep)
	}

	// Bad rows: each names its column; one bad row writes nothing.
	var before int
	count := func() int {
		var n int
		if err := d.App.NewRaw(`SELECT (SELECT count(*) FROM target) + (SELECT count(*) FROM target_revision) + (SELECT count(*) FROM term)`).Scan(context.Background(), &n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before = count()
	bad := []struct {
		row    map[string]string
		column string
		code   apperr.Code
	}{
		{targetRow("HY.QS", "Kết nạp đảng viên mới", "Năm", "01/02/2023", "31/12/2023", "5", "", ""), "Đến ngày", apperr.InvalidInput},
		{targetRow("HY.QS", "Không có", "Năm", "01/01/2023", "31/12/2023", "5", "", ""), "Chỉ tiêu", apperr.InvalidInput},
		{targetRow("HY.QS", "Kết nạp đảng viên mới", "Tháng", "01/01/2023", "31/01/2023", "5", "", ""), "Kỳ", apperr.InvalidInput},
		{targetRow("HY.QS", "Kết nạp đảng viên mới", "Năm", "01/01/2023", "31/12/2023", "5", "4", ""), "Tỷ lệ (%)", apperr.InvalidInput},
		{targetRow("XX.NONE", "Kết nạp đảng viên mới", "Năm", "01/01/2023", "31/12/2023", "5", "", ""), "Mã đơn vị", apperr.NotFound},
	}
	var in []map[string]string
	for _, b := range bad {
		in = append(in, b.row)
	}
	in = append(in, targetRow("HY.QS", "Kết nạp đảng viên mới", "Năm", "01/01/2024", "31/12/2024", "5", "", ""))
	rep, err = bulk.Import(ctx, d.App, bulk.Targets, table(bulk.Targets, in...), bulk.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Written || len(rep.Problems) != len(bad) {
		t.Fatalf("written=%v, problems %v", rep.Written, rep.Problems)
	}
	for i, b := range bad {
		if p := rep.Problems[i]; p.Row != i+2 || p.Column != b.column || p.Code != b.code {
			t.Errorf("row %d: %+v, want column %q code %s", i+2, p, b.column, b.code)
		}
	}
	if after := count(); after != before {
		t.Errorf("a refused file wrote %d rows", after-before)
	}
	// Out of scope: a commune's board cannot set its neighbour's targets; the refusal is "not found".
	rep, err = bulk.Import(fixture.Actor(t, d.App, "board", "HY.QC"), d.App, bulk.Targets,
		table(bulk.Targets, targetRow("HY.QS", "Kết nạp đảng viên mới", "Năm", "01/01/2025", "31/12/2025", "5", "", "")), bulk.Options{})
	if err != nil || rep.Written || len(rep.Problems) != 1 || rep.Problems[0].Code != apperr.NotFound {
		t.Errorf("out of scope: %+v, %v", rep, err)
	}
}

func pageArgs(n int) page.Args { return page.Args{First: n} }
