package sheet

import (
	"archive/zip"
	"bytes"
	"fmt"
	"image"
	"image/png"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/unicode/norm"

	"ptdv/internal/apperr"
	"ptdv/internal/vn"
)

var header = []string{"STT", "Họ và tên", "Số định danh", "Điện thoại", "Ghi chú", "Công thức"}

// tricky rows: diacritics, formula triggers, empty cells, IDs with a leading zero.
var rows = [][]string{
	{"1", "Nguyễn Văn Ánh", "001234567890", "+84912345678", "=SUM(A1:A9)", "@cmd"},
	{"2", "Trần Thị Ngọc Hường", "079203000123", "-", "", "-1+2"},
	{"3", "", "", "", "Đảng viên dự bị; \"trích dẫn\", dấu phẩy", "'=đã có nháy"},
	{"", "", "", "", "", ""}, // blank: skipped on read, numbering kept
	{"5", "Lê Quang Đạo", "012345678901", "0912 345 678", "dòng 1\ndòng 2", "'"},
	{"6", "Phạm Thị Ư", "123", "", "@", "+"},
}

func wantTable() Table {
	t := Table{Header: header}
	for i, r := range rows {
		if strings.Join(r, "") == "" {
			continue
		}
		t.Rows = append(t.Rows, Row{N: i + 2, Cells: r})
	}
	return t
}

func write(t *testing.T, f Format, main Sheet, extra ...Sheet) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, f, main, extra...); err != nil {
		t.Fatalf("Write %s: %v", f, err)
	}
	return buf.Bytes()
}

func TestRoundTrip(t *testing.T) {
	for _, f := range []Format{XLSX, CSV} {
		t.Run(string(f), func(t *testing.T) {
			data := write(t, f, Sheet{Name: "Danh sách", Header: header, Rows: rows},
				Sheet{Name: "Hướng dẫn", Rows: [][]string{{"Điền mỗi người một dòng."}}})
			path := filepath.Join(t.TempDir(), "export."+string(f))
			if err := os.WriteFile(path, data, 0o600); err != nil {
				t.Fatal(err)
			}
			got, err := ReadFile(path, DefaultLimits)
			if err != nil {
				t.Fatalf("ReadFile: %v", err)
			}
			if diff := cmp.Diff(wantTable(), got); diff != "" {
				t.Fatalf("round trip differs (-want +got):\n%s", diff)
			}
		})
	}
}

func TestWriteXLSXShape(t *testing.T) {
	data := write(t, XLSX, Sheet{Name: "Danh sách", Header: header, Rows: rows},
		Sheet{Name: "Hướng dẫn", Header: []string{"Hướng dẫn"}, Rows: [][]string{{"Điền mỗi người một dòng."}}})
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if diff := cmp.Diff([]string{"Danh sách", "Hướng dẫn"}, f.GetSheetList()); diff != "" {
		t.Fatalf("sheets (-want +got):\n%s", diff)
	}
	panes, err := f.GetPanes("Danh sách")
	if err != nil || !panes.Freeze || panes.YSplit != 1 {
		t.Fatalf("header not frozen: %+v %v", panes, err)
	}
	st, _ := f.GetCellStyle("Danh sách", "A1")
	style, _ := f.GetStyle(st)
	if style.Font == nil || !style.Font.Bold || style.NumFmt != 49 {
		t.Fatalf("header style %+v", style)
	}
	for _, cell := range []string{"C2", "D2", "E2", "F3"} {
		formula, _ := f.GetCellFormula("Danh sách", cell)
		typ, _ := f.GetCellType("Danh sách", cell)
		st, _ := f.GetCellStyle("Danh sách", cell)
		style, _ := f.GetStyle(st)
		if formula != "" || typ != excelize.CellTypeInlineString || style.NumFmt != 49 {
			t.Errorf("%s: formula %q type %v numfmt %d, want a text cell", cell, formula, typ, style.NumFmt)
		}
	}
	if v, _ := f.GetCellValue("Danh sách", "E2"); v != "'=SUM(A1:A9)" {
		t.Errorf("E2 = %q, want neutralised", v)
	}
	if w, _ := f.GetColWidth("Danh sách", "B"); w < 20 || w > maxColWidth {
		t.Errorf("column B width %v", w)
	}
}

func TestWriteCSVBytes(t *testing.T) {
	data := write(t, CSV, Sheet{Header: []string{"a", "b"}, Rows: [][]string{{"=1", "Việt"}, {"x"}}})
	want := "\uFEFFa,b\r\n'=1,Việt\r\nx,\r\n"
	if string(data) != want {
		t.Fatalf("got %q want %q", data, want)
	}
	var buf bytes.Buffer
	if err := Write(&buf, CSV, Sheet{Header: []string{"a"}, Rows: [][]string{{"1", "2"}}}); err == nil {
		t.Fatal("row longer than header: want an error")
	}
}

func TestNeutraliseRestore(t *testing.T) {
	cases := map[string]string{
		"=1+1": "'=1+1", "+84": "'+84", "-": "'-", "@x": "'@x", "\tx": "'\tx", "\rx": "'\rx",
		"'=1": "''=1", "''+": "'''+", "'": "'", "'abc": "'abc", "abc": "abc", "": "", "a=b": "a=b",
	}
	for in, want := range cases {
		if got := Neutralise(in); got != want {
			t.Errorf("Neutralise(%q) = %q, want %q", in, got, want)
		}
		if got := Restore(Neutralise(in)); got != in {
			t.Errorf("Restore(Neutralise(%q)) = %q", in, got)
		}
	}
	if got := Restore("'=1"); got != "=1" {
		t.Errorf("Restore('=1) = %q", got)
	}
}

func TestFormatOf(t *testing.T) {
	for name, want := range map[string]Format{"a.xlsx": XLSX, "B.XLSX": XLSX, "c.Csv": CSV, "dir/x.y.csv": CSV} {
		if got, err := FormatOf(name); err != nil || got != want {
			t.Errorf("FormatOf(%q) = %q, %v", name, got, err)
		}
	}
	for _, name := range []string{"a.xls", "a.pdf", "xlsx", "a.xlsx.exe", ""} {
		if _, err := FormatOf(name); apperr.CodeOf(err) != apperr.InvalidFile {
			t.Errorf("FormatOf(%q): %v, want INVALID_FILE", name, err)
		}
	}
}

func TestNumVI(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 999: "999", 1234: "1.234", 200000: "200.000", 1234567: "1.234.567", -5000: "-5.000"} {
		if got := vn.Int(n); got != want {
			t.Errorf("vn.Int(%d) = %q, want %q", n, got, want)
		}
	}
	if colName(1) != "A" || colName(26) != "Z" || colName(27) != "AA" || colName(16384) != "XFD" {
		t.Error("colName")
	}
}

func TestClassifyNumFmt(t *testing.T) {
	for code, want := range map[string]int{
		"dd/mm/yyyy": fmtDate, "d-mmm-yy": fmtDate, "[$-42A]dd mmmm yyyy": fmtDate, "mmm-yy": fmtDate,
		"yyyy-mm-dd hh:mm": fmtDateTime, "m/d/yy h:mm AM/PM": fmtDateTime, "h:mm": fmtKeep, "[h]:mm:ss": fmtKeep,
		"mm:ss": fmtKeep, "#,##0": fmtGeneral, "0.00%": fmtGeneral, "0.00E+00": fmtGeneral, "General": fmtGeneral,
		"@": fmtGeneral, `#,##0 "đ"`: fmtGeneral, "000000000000": fmtKeep, `[Red]0.00;\-0.00`: fmtGeneral,
		`"Ngày "dd/mm/yyyy`: fmtDate,
	} {
		if got := classifyNumFmt(code); got != want {
			t.Errorf("classifyNumFmt(%q) = %d, want %d", code, got, want)
		}
	}
}

// xlsxBytes saves f and returns its bytes.
func xlsxBytes(t testing.TB, f *excelize.File) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	_ = f.Close()
	return buf.Bytes()
}

func TestReadExcelValues(t *testing.T) {
	f := excelize.NewFile()
	sh := "Sheet1"
	style := func(s *excelize.Style) int {
		id, err := f.NewStyle(s)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	custom := func(code string) int { return style(&excelize.Style{CustomNumFmt: &code}) }
	set := func(cell string, v any, styleID int) {
		if err := f.SetCellValue(sh, cell, v); err != nil {
			t.Fatal(err)
		}
		if styleID != 0 {
			if err := f.SetCellStyle(sh, cell, cell, styleID); err != nil {
				t.Fatal(err)
			}
		}
	}
	for i, h := range []string{"Ngày sinh", "Ngày vào Đảng", "Ngày ISO", "Ngày giờ", "Số định danh", "Số tiền", "Tỷ lệ", "Mã có số 0", "Giờ", "Họ tên"} {
		set(colName(i+1)+"1", h, 0)
	}
	excelDate := 45327.0 // 05/02/2024
	set("A2", excelDate, style(&excelize.Style{NumFmt: 14}))
	set("B2", excelDate, custom("d-mmm-yy"))
	set("C2", excelDate, custom("yyyy-mm-dd"))
	set("D2", excelDate+0.5729166667, custom("dd/mm/yyyy hh:mm"))
	set("E2", 123456789012, 0)
	set("F2", 1234567.5, style(&excelize.Style{NumFmt: 4})) // #,##0.00
	set("G2", 0.25, style(&excelize.Style{NumFmt: 9}))      // 0%
	set("H2", 1234567890, custom("000000000000"))
	set("I2", 0.5729166667, style(&excelize.Style{NumFmt: 20})) // h:mm
	set("J2", "  Nguyễn Văn A  ", 0)
	set("J3", norm.NFD.String("Trần Thị Hường"), 0)
	set("A3", time.Date(1990, 12, 31, 0, 0, 0, 0, time.UTC), 0) // excelize picks a date format
	set("E3", 1e20, 0)                                          // beyond 15 digits excelize v2.10 keeps Excel's exponent form (IDs have 12)
	got, err := Read(bytes.NewReader(xlsxBytes(t, f)), XLSX, DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	want := []Row{
		{N: 2, Cells: []string{"05/02/2024", "05/02/2024", "05/02/2024", "05/02/2024 13:45", "123456789012", "1234567.5", "0.25", "001234567890", "13:45", "Nguyễn Văn A"}},
		{N: 3, Cells: []string{"31/12/1990", "", "", "", "1E+20", "", "", "", "", "Trần Thị Hường"}},
	}
	if diff := cmp.Diff(want, got.Rows); diff != "" {
		t.Fatalf("rows (-want +got):\n%s", diff)
	}
}

func TestReadFormulaCachedValue(t *testing.T) {
	f := excelize.NewFile()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	_ = sw.SetRow("A1", []any{"a", "b", "c"})
	_ = sw.SetRow("A2", []any{
		excelize.Cell{Formula: "1+1", Value: 2},
		excelize.Cell{Formula: `HYPERLINK("http://evil","x")`, Value: "x"},
		excelize.Cell{Formula: `CONCAT("=","1")`, Value: "=1"},
	})
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	got, err := Read(bytes.NewReader(xlsxBytes(t, f)), XLSX, DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"2", "x", "=1"}, got.Rows[0].Cells); diff != "" {
		t.Fatalf("cells (-want +got):\n%s", diff)
	}
}

func TestReadLayout(t *testing.T) {
	// header not on row 1, blank rows, ragged rows, whitespace-only cells, trailing empty header cells
	csvText := "\n ;; \nMã;Tên;;\n1;An\n\n2;Bình;;\n;;\n3;\"Cường\n(nhiều dòng)\";\n4;Dũng\n"
	got, err := Read(strings.NewReader(csvText), CSV, DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	want := Table{Header: []string{"Mã", "Tên"}, Rows: []Row{
		{N: 4, Cells: []string{"1", "An"}},
		{N: 6, Cells: []string{"2", "Bình"}},
		{N: 8, Cells: []string{"3", "Cường\n(nhiều dòng)"}},
		{N: 9, Cells: []string{"4", "Dũng"}},
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("(-want +got):\n%s", diff)
	}

	f := excelize.NewFile()
	_ = f.SetSheetRow("Sheet1", "B3", &[]any{"Mã", "Tên"})
	_ = f.SetSheetRow("Sheet1", "B4", &[]any{"1"})
	_ = f.SetSheetRow("Sheet1", "B6", &[]any{"2", "Bình"})
	_ = f.SetCellValue("Sheet1", "A1", "   ")
	got, err = Read(bytes.NewReader(xlsxBytes(t, f)), XLSX, DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	// column A is empty everywhere but is part of the header row as Excel shows it
	want = Table{Header: []string{"", "Mã", "Tên"}, Rows: []Row{
		{N: 4, Cells: []string{"", "1", ""}},
		{N: 6, Cells: []string{"", "2", "Bình"}},
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("(-want +got):\n%s", diff)
	}
}

func TestDelimiterSniff(t *testing.T) {
	for text, want := range map[string][]string{
		"a,b\n1,2\n":       {"1", "2"},
		"a;b\n1;2\n":       {"1", "2"},
		"a\tb\n1\t2\n":     {"1", "2"},
		"\"x,y\";b\n1;2\n": {"1", "2"},
		"\uFEFFa,b\r\n1,2": {"1", "2"},
	} {
		got, err := Read(strings.NewReader(text), CSV, DefaultLimits)
		if err != nil || len(got.Rows) != 1 || !cmp.Equal(got.Rows[0].Cells, want) || len(got.Header) != 2 {
			t.Errorf("%q: %+v %v", text, got, err)
		}
	}
}

func assertInvalid(t *testing.T, err error, contains string) {
	t.Helper()
	if apperr.CodeOf(err) != apperr.InvalidFile {
		t.Fatalf("err = %v, want INVALID_FILE", err)
	}
	e, _ := apperr.As(err)
	if e.Field != "file" || e.Message == "" || e.MessageEN == "" {
		t.Fatalf("incomplete error %+v", e)
	}
	if contains != "" && !strings.Contains(e.Message, contains) {
		t.Fatalf("message %q does not contain %q", e.Message, contains)
	}
	t.Logf("%s", e.Message)
}

func zipOf(t *testing.T, files map[string][]byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, b := range files {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = w.Write(b)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// patchPart rewrites one part of a workbook (edit gets "" for a part the workbook lacks).
func patchPart(t *testing.T, xlsx []byte, part string, edit func(string) string) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(xlsx), int64(len(xlsx)))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	found := false
	for _, zf := range zr.File {
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		if zf.Name == part {
			b, found = []byte(edit(string(b))), true
		}
		files[zf.Name] = b
	}
	if !found {
		files[part] = []byte(edit(""))
	}
	return zipOf(t, files)
}

// A workbook with every part scanXML looks at still reads (the bounds are far from real files).
func TestScanXMLRealWorkbook(t *testing.T) {
	good := write(t, XLSX, Sheet{Name: "S", Header: header, Rows: rows})
	zr, err := zip.NewReader(bytes.NewReader(good), int64(len(good)))
	if err != nil {
		t.Fatal(err)
	}
	for _, zf := range zr.File {
		if zf.Name != "xl/sharedStrings.xml" && zf.Name != "xl/worksheets/sheet1.xml" {
			continue
		}
		rc, _ := zf.Open()
		sh, err := scanXML(rc, maxTextBytes(DefaultLimits), 0)
		rc.Close()
		if err != nil || sh.depth < 2 || sh.depth > 6 {
			t.Errorf("%s: %+v, %v", zf.Name, sh, err)
		}
		if zf.Name == "xl/sharedStrings.xml" && sh.sharedStrings == 0 {
			t.Errorf("no shared strings counted in %s", zf.Name)
		}
	}
	sh, err := scanXML(strings.NewReader(`<?xml version="1.0"?><!-- <a><b><c> --><sst><si><t><![CDATA[<x><y>]]></t></si><si a="/>"/><x:si/></sst>`), 100, 0)
	if err != nil || sh.sharedStrings != 3 || sh.depth != 3 {
		t.Errorf("scanXML = %+v, %v; want 3 shared strings, depth 3", sh, err)
	}
}

func TestHostileFiles(t *testing.T) {
	good := write(t, XLSX, Sheet{Name: "S", Header: header, Rows: rows})
	var encrypted bytes.Buffer
	{
		f, err := excelize.OpenReader(bytes.NewReader(good))
		if err != nil {
			t.Fatal(err)
		}
		if err := f.Write(&encrypted, excelize.Options{Password: "mật khẩu"}); err != nil {
			t.Fatal(err)
		}
	}
	var pngBuf bytes.Buffer
	_ = png.Encode(&pngBuf, image.NewRGBA(image.Rect(0, 0, 4, 4)))
	pdf := []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
	random := make([]byte, 64<<10)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range random {
		random[i] = byte(rng.Uint32())
	}
	randomZip := append([]byte("PK\x03\x04"), random...)
	blankX := excelize.NewFile()
	_ = blankX.SetCellValue("Sheet1", "A1", " ")
	_ = blankX.SetCellValue("Sheet1", "C5", "")
	blankXLSX := xlsxBytes(t, blankX)
	// a part that inflates to 20 MiB from a few KiB
	bomb := zipOf(t, map[string][]byte{"xl/workbook.xml": []byte("<workbook/>"), "xl/media/big.bin": make([]byte, 20<<20)})
	small := Limits{MaxBytes: 1 << 20}
	// a cell beyond the header columns
	beyond := excelize.NewFile()
	_ = beyond.SetSheetRow("Sheet1", "A1", &[]any{"a", "b"})
	_ = beyond.SetSheetRow("Sheet1", "A2", &[]any{"1", "2"})
	_ = beyond.SetCellValue("Sheet1", "D7", "lạc chỗ")

	cases := []struct {
		name     string
		data     []byte
		f        Format
		lim      Limits
		contains string
	}{
		{"truncated xlsx", good[:len(good)/2], XLSX, DefaultLimits, "không phải là tệp Excel (.xlsx) hợp lệ"},
		{"truncated xlsx tail", good[:len(good)-10], XLSX, DefaultLimits, "hỏng"},
		{"zip that is not xlsx", zipOf(t, map[string][]byte{"hello.txt": []byte("xin chào")}), XLSX, DefaultLimits, "hỏng"},
		{"encrypted xlsx", encrypted.Bytes(), XLSX, DefaultLimits, "mật khẩu"},
		{"pdf as xlsx", pdf, XLSX, DefaultLimits, "PDF"},
		{"pdf as csv", pdf, CSV, DefaultLimits, "PDF"},
		{"png as xlsx", pngBuf.Bytes(), XLSX, DefaultLimits, "hình ảnh"},
		{"png as csv", pngBuf.Bytes(), CSV, DefaultLimits, "hình ảnh"},
		{"random as xlsx", random, XLSX, DefaultLimits, ""},
		{"random zip header as xlsx", randomZip, XLSX, DefaultLimits, "hỏng"},
		{"random as csv", random, CSV, DefaultLimits, ""},
		{"xlsx as csv", good, CSV, DefaultLimits, "Excel"},
		{"csv as xlsx", []byte("a,b\n1,2\n"), XLSX, DefaultLimits, "văn bản"},
		{"empty xlsx", nil, XLSX, DefaultLimits, "rỗng"},
		{"empty csv", nil, CSV, DefaultLimits, "rỗng"},
		{"blank rows csv", []byte("\uFEFF\r\n,,\r\n  ,  \r\n\r\n"), CSV, DefaultLimits, "dòng trống"},
		{"blank rows xlsx", blankXLSX, XLSX, DefaultLimits, "dòng trống"},
		{"csv extra field", []byte("a,b\n1,2\n3,4,5\n"), CSV, DefaultLimits, "Dòng 3"},
		{"csv bare quote", []byte("a,b\n1,x\"y\n"), CSV, DefaultLimits, "ngoặc kép"},
		{"csv unclosed quote", []byte("a,b\n1,\"xy\n2,3\n"), CSV, DefaultLimits, "ngoặc kép"},
		{"csv windows-1258", []byte("H\xe4 t\xean,Ng\xe0y\n"), CSV, DefaultLimits, "UTF-8"},
		{"csv utf-16", []byte("\xff\xfea\x00,\x00b\x00"), CSV, DefaultLimits, "UTF-16"},
		{"csv NUL", []byte("a,b\n1,\x002\n"), CSV, DefaultLimits, "nhị phân"},
		{"over MaxBytes csv", []byte(strings.Repeat("a,b\n", 100)), CSV, Limits{MaxBytes: 100}, "100 byte"},
		{"over MaxBytes xlsx", good, XLSX, Limits{MaxBytes: 1000}, "1.000 byte"},
		{"zip bomb", bomb, XLSX, small, "giải nén"},
		{"xlsx cell beyond header", xlsxBytes(t, beyond), XLSX, DefaultLimits, "Dòng 7 có dữ liệu ở ô D7"},
		{"too many columns", []byte(strings.Repeat("c,", 10) + "c\n"), CSV, Limits{MaxColumns: 10}, "quá 10 cột"},
		// Small uploads that would cost excelize or encoding/csv gigabytes, or hours.
		{"row number in the billions", patchPart(t, good, "xl/worksheets/sheet1.xml", func(x string) string {
			return strings.Replace(x, "</sheetData>", `<row r="9000000000000000000"/></sheetData>`, 1)
		}), XLSX, DefaultLimits, "hỏng"},
		{"20 MB of styles", patchPart(t, good, "xl/styles.xml", func(x string) string {
			return strings.Replace(x, "</styleSheet>", strings.Repeat("<xf/>", 4<<20)+"</styleSheet>", 1)
		}), XLSX, DefaultLimits, "giải nén"},
		{"2.6 million shared strings", patchPart(t, good, "xl/sharedStrings.xml", func(x string) string {
			return "<sst>" + strings.Repeat("<si/>", 2_600_000) + "</sst>"
		}), XLSX, DefaultLimits, "giải nén"},
		{"elements nested 100 deep", patchPart(t, good, "xl/worksheets/sheet1.xml", func(x string) string {
			return strings.Replace(x, "</sheetData>", `<row r="9">`+strings.Repeat("<x>", 100)+strings.Repeat("</x>", 100)+"</row></sheetData>", 1)
		}), XLSX, DefaultLimits, "giải nén"},
		{"a CSV line of 20,000 commas", []byte("a,b\n" + strings.Repeat(",", 20_000) + "\n"), CSV, DefaultLimits, "quá 16.384 cột"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Read(bytes.NewReader(c.data), c.f, c.lim)
			assertInvalid(t, err, c.contains)
		})
	}
}

// TestCorruptXLSXNoPanic flips bytes all over a valid workbook: any result is fine but a panic,
// and a failure must be INVALID_FILE.
func TestCorruptXLSXNoPanic(t *testing.T) {
	good := write(t, XLSX, Sheet{Name: "S", Header: header, Rows: rows})
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range 300 {
		bad := bytes.Clone(good)
		for range 1 + i%8 {
			bad[4+rng.IntN(len(bad)-4)] = byte(rng.Uint32())
		}
		if _, err := Read(bytes.NewReader(bad), XLSX, DefaultLimits); err != nil && apperr.CodeOf(err) != apperr.InvalidFile {
			t.Fatalf("iteration %d: %v", i, err)
		}
	}
	// malformed XML inside a well-formed zip
	zr, _ := zip.NewReader(bytes.NewReader(good), int64(len(good)))
	parts := map[string][]byte{}
	for _, zf := range zr.File {
		rc, _ := zf.Open()
		var b bytes.Buffer
		_, _ = b.ReadFrom(rc)
		rc.Close()
		parts[zf.Name] = b.Bytes()
	}
	for name := range parts {
		mangled := map[string][]byte{}
		for k, v := range parts {
			mangled[k] = v
		}
		mangled[name] = []byte("<x><<<&&;\x00")
		if _, err := Read(bytes.NewReader(zipOf(t, mangled)), XLSX, DefaultLimits); err != nil && apperr.CodeOf(err) != apperr.InvalidFile {
			t.Fatalf("mangled %s: %v", name, err)
		}
	}
}

func TestMaxRows(t *testing.T) {
	lim := Limits{MaxRows: 10}
	mk := func(n int) [][]string {
		var r [][]string
		for i := range n {
			r = append(r, []string{fmt.Sprint(i), "x"})
		}
		return r
	}
	for _, f := range []Format{XLSX, CSV} {
		ok := write(t, f, Sheet{Name: "S", Header: []string{"a", "b"}, Rows: mk(10)})
		if got, err := Read(bytes.NewReader(ok), f, lim); err != nil || len(got.Rows) != 10 {
			t.Fatalf("%s 10 rows: %d %v", f, len(got.Rows), err)
		}
		over := write(t, f, Sheet{Name: "S", Header: []string{"a", "b"}, Rows: mk(11)})
		_, err := Read(bytes.NewReader(over), f, lim)
		assertInvalid(t, err, "Tệp có quá 10 dòng dữ liệu; hãy chia nhỏ tệp.")
	}
	if DefaultLimits.MaxRows != 200_000 {
		t.Fatal("default")
	}
	assertInvalid(t, tooManyRows(DefaultLimits.MaxRows), "Tệp có quá 200.000 dòng dữ liệu; hãy chia nhỏ tệp.")
}

func TestHugeCell(t *testing.T) {
	long := strings.Repeat("ệ", 5001)
	r := [][]string{}
	for i := range 11 {
		r = append(r, []string{fmt.Sprint(i), "", "", ""})
	}
	r[10][3] = long // row 12, column D
	for _, f := range []Format{XLSX, CSV} {
		data := write(t, f, Sheet{Name: "S", Header: []string{"a", "b", "c", "d"}, Rows: r})
		_, err := Read(bytes.NewReader(data), f, DefaultLimits)
		assertInvalid(t, err, "Ô D12 dài quá 5.000 ký tự.")
	}
	// exactly at the limit is fine
	r[10][3] = long[:len(long)-len("ệ")]
	data := write(t, XLSX, Sheet{Name: "S", Header: []string{"a", "b", "c", "d"}, Rows: r})
	if _, err := Read(bytes.NewReader(data), XLSX, DefaultLimits); err != nil {
		t.Fatal(err)
	}
}

// streamRows writes an xlsx with a 3-column header and n data rows (one number each, to keep the
// generation quick) to path with excelize's StreamWriter.
func streamRows(tb testing.TB, path string, n int) {
	tb.Helper()
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		tb.Fatal(err)
	}
	_ = sw.SetRow("A1", []any{"STT", "Họ và tên", "Ghi chú"})
	row := make([]any, 1)
	for i := 1; i <= n; i++ {
		row[0] = i
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := sw.SetRow(cell, row); err != nil {
			tb.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		tb.Fatal(err)
	}
	if err := f.SaveAs(path); err != nil {
		tb.Fatal(err)
	}
}

// TestMillionRows: a 1,048,575-row sheet must be refused at MaxRows without reading the rest; time
// and memory are logged, not asserted.
func TestMillionRows(t *testing.T) {
	if testing.Short() {
		t.Skip("generates a 1M-row workbook")
	}
	path := filepath.Join(t.TempDir(), "million.xlsx")
	start, cpu0 := time.Now(), cpuTime()
	streamRows(t, path, 1_048_575)
	st, _ := os.Stat(path)
	t.Logf("generated %d MB in %v (%v CPU)", st.Size()>>20, time.Since(start).Round(time.Millisecond), (cpuTime() - cpu0).Round(time.Millisecond))

	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	peak := trackPeakHeap()
	start, cpu := time.Now(), cpuTime()
	_, err := ReadFile(path, DefaultLimits)
	elapsed, cpu := time.Since(start), cpuTime()-cpu
	runtime.ReadMemStats(&after)
	assertInvalid(t, err, "200.000 dòng")
	t.Logf("refused after %v (%v CPU); allocated %d MB in total, peak heap %d MB",
		elapsed.Round(time.Millisecond), cpu.Round(time.Millisecond), (after.TotalAlloc-before.TotalAlloc)>>20, peak()>>20)
}

// trackPeakHeap samples HeapInuse until the returned func is called, which returns the peak.
func trackPeakHeap() func() uint64 {
	stop, done := make(chan struct{}), make(chan uint64)
	go func() {
		var peak uint64
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
			select {
			case <-stop:
				done <- peak
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	return func() uint64 { close(stop); return <-done }
}
