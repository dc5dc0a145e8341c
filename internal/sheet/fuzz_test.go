package sheet

import (
	"bytes"
	"testing"

	"ptdv/internal/apperr"
)

// fuzzLimits keep a fuzzed input cheap to read (the fuzzer's inputs are small anyway).
var fuzzLimits = Limits{MaxBytes: 1 << 20, MaxRows: 1000, MaxColumns: 50, MaxCellChars: 500, MaxTableBytes: 8 << 20}

// checkRead reads data and holds Read to its contract: a table whose rows have the header's width,
// or an INVALID_FILE error — never a panic or another error.
func checkRead(t *testing.T, data []byte, f Format) {
	tb, err := Read(bytes.NewReader(data), f, fuzzLimits)
	if err != nil {
		if apperr.CodeOf(err) != apperr.InvalidFile {
			t.Fatalf("error %v is not INVALID_FILE", err)
		}
		return
	}
	if len(tb.Rows) > fuzzLimits.MaxRows || len(tb.Header) > fuzzLimits.MaxColumns {
		t.Fatalf("limits passed: %d rows, %d columns", len(tb.Rows), len(tb.Header))
	}
	last := 0
	for _, r := range tb.Rows {
		if len(r.Cells) != len(tb.Header) || r.N <= last {
			t.Fatalf("row %d: %d cells for a header of %d (previous row %d)", r.N, len(r.Cells), len(tb.Header), last)
		}
		last = r.N
	}
}

func FuzzReadXLSX(f *testing.F) {
	var good bytes.Buffer
	if err := Write(&good, XLSX, Sheet{Name: "S", Header: header, Rows: rows}); err != nil {
		f.Fatal(err)
	}
	f.Add(good.Bytes())
	f.Add(buildXLSX(f, map[string]part{"xl/worksheets/sheet1.xml": sheetXML(header2 +
		`<row r="2"><c r="A2" t="s"><v>0</v></c><c r="B2"><v>45000</v></c></row>`),
		"xl/sharedStrings.xml": {head: `<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>An &amp; Bình</t></si></sst>`}}))
	f.Add([]byte("PK\x03\x04"))
	f.Add([]byte("a,b\n1,2\n"))
	f.Fuzz(func(t *testing.T, data []byte) { checkRead(t, data, XLSX) })
}

func FuzzReadCSV(f *testing.F) {
	for _, s := range []string{
		"STT,Họ và tên,Số CCCD\n1,Nguyễn Văn An,034200000011\n",
		"\xEF\xBB\xBFa;b;c\r\n\"x;y\";\"dòng\nmới\";'=1\r\n",
		"a\tb\n1\t2\t3\n",
		"\"unterminated\n",
		"DANH SÁCH\n\nSTT,Họ và tên\n1,An\n",
		"a,b\n\"\"\"q\"\"\",2\n,,\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) { checkRead(t, data, CSV) })
}
