package sheet

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"

	"ptdv/internal/apperr"
)

// minimal parts of a workbook with one sheet, for hand-built (hostile) workbooks.
var wbParts = map[string]string{
	"[Content_Types].xml": `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>`,
	"_rels/.rels": `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
	"xl/workbook.xml": `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>`,
	"xl/_rels/workbook.xml.rels": `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>`,
}

const sheetHead = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`
const sheetTail = `</sheetData></worksheet>`

// part is one part of a hand-built workbook: a head, n repeats of fill (streamed, never held whole),
// and a tail.
type part struct {
	head, fill, tail string
	n                int
}

// buildXLSX zips the minimal parts and the given ones (which override them) with Deflate.
func buildXLSX(t testing.TB, parts map[string]part) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	all := map[string]part{}
	for name, s := range wbParts {
		all[name] = part{head: s}
	}
	for name, p := range parts {
		all[name] = p
	}
	for name, p := range all {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, p.head)
		if p.n > 0 {
			chunk := strings.Repeat(p.fill, max(1, (1<<16)/max(1, len(p.fill))))
			per := len(chunk) / len(p.fill)
			for left := p.n; left > 0; left -= per {
				io.WriteString(w, chunk[:min(left, per)*len(p.fill)])
			}
		}
		io.WriteString(w, p.tail)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// sheetXML is a worksheet part with the given rows' XML.
func sheetXML(rows string) part { return part{head: sheetHead + rows + sheetTail} }

// readMeasured reads data and reports the bytes allocated and the peak heap in use while reading.
func readMeasured(t testing.TB, data []byte, f Format) (Table, error, uint64, uint64) {
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	peak := trackPeakHeap()
	tb, err := Read(bytes.NewReader(data), f, DefaultLimits)
	p := peak()
	runtime.ReadMemStats(&after)
	return tb, err, after.TotalAlloc - before.TotalAlloc, p
}

const header2 = `<row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c><c r="B1" t="inlineStr"><is><t>b</t></is></c></row>`

// A small workbook holding one huge, highly compressible cell (inline, or a shared string, or
// white space between elements) is refused while it is streamed, with a coded error, without the cell
// ever being held in memory: the bytes allocated stay far below the cell's size.
func TestHugeCellBoundedMemory(t *testing.T) {
	const huge = 200 << 20
	cases := map[string]map[string]part{
		"inline string": {"xl/worksheets/sheet1.xml": {
			head: sheetHead + header2 + `<row r="2"><c r="A2" t="inlineStr"><is><t>`, fill: "a", n: huge,
			tail: `</t></is></c></row>` + sheetTail}},
		"shared string": {
			"xl/worksheets/sheet1.xml": sheetXML(header2 + `<row r="2"><c r="A2" t="s"><v>0</v></c></row>`),
			"xl/sharedStrings.xml": {head: `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>`,
				fill: "a", n: huge, tail: `</t></si></sst>`}},
		"rich text runs": {
			"xl/worksheets/sheet1.xml": sheetXML(header2 + `<row r="2"><c r="A2" t="s"><v>0</v></c></row>`),
			"xl/sharedStrings.xml": {head: `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si>`,
				fill: `<r><t>aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa</t></r>`, n: huge / 64, tail: `</si></sst>`}},
		"white space": {"xl/worksheets/sheet1.xml": {
			head: sheetHead + header2, fill: " ", n: huge, tail: sheetTail}},
		"attribute": {"xl/worksheets/sheet1.xml": {
			head: sheetHead + header2 + `<row r="2"><c r="A2" x="`, fill: "a", n: huge, tail: `"/></row>` + sheetTail}},
		"formula": {"xl/worksheets/sheet1.xml": {
			head: sheetHead + header2 + `<row r="2"><c r="A2"><f>`, fill: "1+", n: huge / 2, tail: `1</f><v>1</v></c></row>` + sheetTail}},
	}
	for name, parts := range cases {
		t.Run(name, func(t *testing.T) {
			data := buildXLSX(t, parts)
			_, err, alloc, peak := readMeasured(t, data, XLSX)
			t.Logf("%d KB file: allocated %d MB, peak heap %d MB: %v", len(data)>>10, alloc>>20, peak>>20, err)
			assertInvalid(t, err, "")
			if alloc > 64<<20 || peak > 64<<20 {
				t.Errorf("reading a %d KB workbook allocated %d MB (peak heap %d MB); want under 64 MB", len(data)>>10, alloc>>20, peak>>20)
			}
		})
	}
}

// Many cells, each within the cell limit, that together would hold more text than a sheet may: the
// sheet's budget refuses the file before the table outgrows it.
func TestSheetBudget(t *testing.T) {
	cell := strings.Repeat("x", 4000)
	var row strings.Builder
	row.WriteString(`<row>`)
	for i := 0; i < 40; i++ {
		fmt.Fprintf(&row, `<c t="inlineStr"><is><t>%s</t></is></c>`, cell)
	}
	row.WriteString(`</row>`)
	hdr := `<row>`
	for i := 0; i < 40; i++ {
		hdr += fmt.Sprintf(`<c t="inlineStr"><is><t>h%d</t></is></c>`, i)
	}
	hdr += `</row>`
	data := buildXLSX(t, map[string]part{"xl/worksheets/sheet1.xml": {head: sheetHead + hdr, fill: row.String(), n: 5000, tail: sheetTail}})
	_, err, alloc, peak := readMeasured(t, data, XLSX)
	t.Logf("%d KB file: allocated %d MB, peak heap %d MB: %v", len(data)>>10, alloc>>20, peak>>20, err)
	assertInvalid(t, err, "chia nhỏ tệp")
	if peak > 250<<20 {
		t.Errorf("peak heap %d MB", peak>>20)
	}
}

// A CSV field of 90 MB is refused before encoding/csv gathers it.
func TestHugeCSVField(t *testing.T) {
	data := []byte("a,b\n\"" + strings.Repeat("x", 90<<20) + "\",1\n")
	_, err, alloc, _ := readMeasured(t, data, CSV)
	assertInvalid(t, err, "dài quá")
	if alloc > 200<<20 {
		t.Errorf("allocated %d MB for a %d MB file", alloc>>20, len(data)>>20)
	}
}

// Many tiny shared strings (a part that excelize decodes whole) stay within the memory bound.
func TestManySharedStrings(t *testing.T) {
	data := buildXLSX(t, map[string]part{
		"xl/worksheets/sheet1.xml": sheetXML(header2 + `<row r="2"><c r="A2" t="s"><v>0</v></c></row>`),
		"xl/sharedStrings.xml": {head: `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`,
			fill: `<si><t>a</t></si>`, n: 990_000, tail: `</sst>`}},
	)
	tb, err, alloc, peak := readMeasured(t, data, XLSX)
	t.Logf("%d KB file: allocated %d MB, peak heap %d MB: %v", len(data)>>10, alloc>>20, peak>>20, err)
	if err != nil && apperr.CodeOf(err) != apperr.InvalidFile {
		t.Fatal(err)
	}
	if err == nil && (len(tb.Rows) != 1 || tb.Rows[0].Cells[0] != "a") {
		t.Fatalf("rows %v", tb.Rows)
	}
	if peak > 250<<20 {
		t.Errorf("peak heap %d MB", peak>>20)
	}
}

// An entity XML does not predefine makes excelize stop reading the sheet silently, dropping the
// cells after it; a DTD may declare such entities. Either refuses the file.
func TestUnknownEntityRefused(t *testing.T) {
	row := func(n int, v string) string {
		return fmt.Sprintf(`<row r="%d"><c r="A%d" t="inlineStr"><is><t>%s</t></is></c><c r="B%d" t="inlineStr"><is><t>x</t></is></c></row>`, n, n, v, n)
	}
	for name, xml := range map[string]string{
		"entity in a cell":      sheetHead + header2 + row(2, "An &nbsp; Bình") + row(3, "Cường") + sheetTail,
		"entity in a attribute": sheetHead + header2 + `<row r="2" x="&foo;">` + row(2, "An")[len(`<row r="2">`):] + row(3, "Cường") + sheetTail,
		"doctype":               `<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY e "x">]>` + sheetHead[len(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`)+1:] + header2 + row(2, "&e;") + sheetTail,
	} {
		t.Run(name, func(t *testing.T) {
			data := buildXLSX(t, map[string]part{"xl/worksheets/sheet1.xml": {head: xml}})
			_, err := Read(bytes.NewReader(data), XLSX, DefaultLimits)
			assertInvalid(t, err, "các ô phía sau bị bỏ qua")
		})
	}
	// The predefined entities and character references read as their characters.
	data := buildXLSX(t, map[string]part{"xl/worksheets/sheet1.xml": {head: sheetHead + header2 + row(2, "A &amp; B &#7879; &#x1EC7; &lt;&gt;&quot;&apos;") + sheetTail}})
	tb, err := Read(bytes.NewReader(data), XLSX, DefaultLimits)
	if err != nil || len(tb.Rows) != 1 || tb.Rows[0].Cells[0] != `A & B ệ ệ <>"'` {
		t.Fatalf("%v %v", err, tb.Rows)
	}
}

// A title above the header: the message says the header must be the first row, and where it is.
func TestTitleRowAboveHeader(t *testing.T) {
	s := Sheet{Name: "S", Header: []string{"DANH SÁCH QUẦN CHÚNG ƯU TÚ NĂM 2026", "", ""},
		Rows: [][]string{{"", "", ""}, {"STT", "Họ và tên", "Số CCCD"}, {"1", "An", "034200000011"}}}
	for _, f := range []Format{XLSX, CSV} {
		data := write(t, f, s)
		_, err := Read(bytes.NewReader(data), f, DefaultLimits)
		assertInvalid(t, err, "Dòng tiêu đề (tên các cột) phải là dòng đầu tiên của tệp: dòng 1 có vẻ là tên bảng, còn tên các cột có lẽ ở dòng 3.")
	}
}

// A small workbook of a million empty rows (none counts towards MaxRows) is refused while it is
// scanned, not read row by row for half a minute.
func TestManyEmptyRows(t *testing.T) {
	data := buildXLSX(t, map[string]part{"xl/worksheets/sheet1.xml": {head: sheetHead + header2, fill: `<row><c r="XFD1"/></row>`, n: 1_000_000, tail: sheetTail}})
	_, err, alloc, _ := readMeasured(t, data, XLSX)
	t.Logf("%d KB file: allocated %d MB: %v", len(data)>>10, alloc>>20, err)
	assertInvalid(t, err, "Tệp có quá 200.000 dòng dữ liệu")
	if alloc > 16<<20 {
		t.Errorf("allocated %d MB", alloc>>20)
	}
}
