package sheet

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"ptdv/internal/vn"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// ReadFile reads the file at path; the format comes from its extension.
func ReadFile(path string, lim Limits) (Table, error) {
	f, err := FormatOf(path)
	if err != nil {
		return Table{}, err
	}
	file, err := os.Open(path)
	if err != nil {
		return Table{}, fmt.Errorf("sheet: %w", err)
	}
	defer file.Close()
	return Read(file, f, lim)
}

// Read reads the first worksheet (xlsx) or the CSV text from r; see the package doc. Every problem
// with the file itself is an apperr.InvalidFile error; an error reading r is returned as is
// (wrapped).
func Read(r io.Reader, f Format, lim Limits) (Table, error) {
	lim = lim.withDefaults()
	data, err := io.ReadAll(io.LimitReader(r, lim.MaxBytes+1))
	if err != nil {
		return Table{}, fmt.Errorf("sheet: reading upload: %w", err)
	}
	if int64(len(data)) > lim.MaxBytes {
		vi, en := sizeVI(lim.MaxBytes)
		return Table{}, invalid("Tệp lớn quá "+vi+".", "file is larger than "+en)
	}
	if len(data) == 0 {
		return Table{}, invalid("Tệp rỗng.", "file is empty")
	}
	switch f {
	case XLSX:
		return readXLSX(data, lim)
	case CSV:
		return readCSV(data, lim)
	}
	return Table{}, invalid("Chỉ chấp nhận tệp Excel (.xlsx) hoặc CSV (.csv).",
		fmt.Sprintf("unsupported format %q", f))
}

var (
	magicZip  = []byte("PK\x03\x04")
	magicOLE  = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
	magicPDF  = []byte("%PDF-")
	magicPNG  = []byte("\x89PNG")
	magicJPEG = []byte{0xFF, 0xD8, 0xFF}
	magicGIF  = []byte("GIF8")
	bom       = []byte("\xEF\xBB\xBF")
)

// kindOf names what a file that is not what it claims looks like, for the message.
func kindOf(data []byte) (vi, en string) {
	switch {
	case bytes.HasPrefix(data, magicZip):
		return "tệp Excel (.xlsx) hoặc tệp nén ZIP", "an xlsx/zip file"
	case bytes.HasPrefix(data, magicOLE):
		return "tệp Excel cũ (.xls) hoặc tệp Excel có mật khẩu", "an OLE (xls or encrypted) file"
	case bytes.HasPrefix(data, magicPDF):
		return "tệp PDF", "a PDF"
	case bytes.HasPrefix(data, magicPNG), bytes.HasPrefix(data, magicJPEG), bytes.HasPrefix(data, magicGIF):
		return "tệp hình ảnh", "an image"
	}
	return "", ""
}

// builder turns raw rows into a Table, applying the limits and the cleaning rules shared by both
// formats.
type builder struct {
	lim       Limits
	t         Table
	gotHeader bool
	bytes     int64 // what the rows kept so far take in memory (see rowCost)
	headerRow int   // the row number of the header
	headerN   int   // its non-empty cells
}

// rowCost is what a row of w cells holding text bytes takes in memory: the cells' string headers,
// the Row and its slice, and the text.
func rowCost(w, text int) int64 { return int64(16*w + 48 + text) }

// add takes the raw cells of row n (1-based, as Excel numbers it).
func (b *builder) add(n int, raw []string) error {
	empty := true
	for i, c := range raw {
		if c == "" {
			continue
		}
		if utf8.RuneCountInString(c) > b.lim.MaxCellChars {
			c = strings.TrimSpace(c)
			if utf8.RuneCountInString(c) > b.lim.MaxCellChars {
				cell := fmt.Sprintf("%s%d", colName(i+1), n)
				return invalid(
					fmt.Sprintf("Ô %s dài quá %s ký tự.", cell, vn.Int(int64(b.lim.MaxCellChars))),
					fmt.Sprintf("cell %s is longer than %d characters", cell, b.lim.MaxCellChars))
			}
		}
		if empty && strings.TrimSpace(c) != "" {
			empty = false
		}
	}
	if empty {
		return nil
	}
	if !b.gotHeader {
		last := len(raw)
		for last > 0 && strings.TrimSpace(raw[last-1]) == "" {
			last--
		}
		if last > b.lim.MaxColumns {
			return invalid(
				fmt.Sprintf("Tệp có quá %s cột.", vn.Int(int64(b.lim.MaxColumns))),
				fmt.Sprintf("the header has %d columns, more than %d", last, b.lim.MaxColumns))
		}
		h := make([]string, last)
		for i := range h {
			h[i] = clean(raw[i])
		}
		for _, c := range h {
			if c != "" {
				b.headerN++
			}
		}
		b.t.Header, b.gotHeader, b.headerRow = h, true, n
		return nil
	}
	if len(b.t.Rows) >= b.lim.MaxRows {
		return tooManyRows(b.lim.MaxRows)
	}
	w := len(b.t.Header)
	for i := w; i < len(raw); i++ {
		if strings.TrimSpace(raw[i]) != "" {
			filled := nonEmpty(raw)
			if len(b.t.Rows) < 20 && (b.headerN == 1 && filled >= 3 || b.headerN == 2 && len(b.t.Rows) == 0 && filled >= 4) {
				// A title ("DANH SÁCH …") above the header: the first non-empty row is not the header.
				return invalid(
					fmt.Sprintf("Dòng tiêu đề (tên các cột) phải là dòng đầu tiên của tệp: dòng %s có vẻ là tên bảng, còn tên các cột có lẽ ở dòng %s. Hãy xoá các dòng phía trên dòng tên cột rồi tải lên lại.",
						vn.Int(int64(b.headerRow)), vn.Int(int64(n))),
					fmt.Sprintf("row %d looks like a title above the header (row %d?): the header must be the first row", b.headerRow, n))
			}
			cell := fmt.Sprintf("%s%d", colName(i+1), n)
			return invalid(
				fmt.Sprintf("Dòng %s có dữ liệu ở ô %s, nằm ngoài các cột có tiêu đề (tệp chỉ có %s cột).",
					vn.Int(int64(n)), cell, vn.Int(int64(w))),
				fmt.Sprintf("row %d has data in cell %s, beyond the %d header columns", n, cell, w))
		}
	}
	cells := make([]string, w)
	text := 0
	for i := 0; i < w && i < len(raw); i++ {
		cells[i] = Restore(clean(raw[i]))
		text += len(cells[i])
	}
	// The table is bounded as a whole, not only cell by cell: 200,000 rows of 200 cells of 5,000
	// characters each are within the other limits and would take gigabytes.
	if b.bytes += rowCost(w, text); b.bytes > b.lim.MaxTableBytes {
		vi, en := sizeVI(b.lim.MaxTableBytes)
		return invalid(
			fmt.Sprintf("Tệp có quá nhiều dữ liệu (quá %s khi đọc, tới dòng %s); hãy chia nhỏ tệp.", vi, vn.Int(int64(n))),
			fmt.Sprintf("the rows up to row %d take more than %s in memory", n, en))
	}
	b.t.Rows = append(b.t.Rows, Row{N: n, Cells: cells})
	return nil
}

// nonEmpty counts the cells with more than white space.
func nonEmpty(raw []string) int {
	n := 0
	for _, c := range raw {
		if strings.TrimSpace(c) != "" {
			n++
		}
	}
	return n
}

func (b *builder) done() (Table, error) {
	if !b.gotHeader {
		return Table{}, invalid("Tệp không có dữ liệu (chỉ có dòng trống).", "file has no data: only blank rows")
	}
	return b.t, nil
}

func tooManyRows(max int) error {
	return invalid(
		fmt.Sprintf("Tệp có quá %s dòng dữ liệu; hãy chia nhỏ tệp.", vn.Int(int64(max))),
		fmt.Sprintf("file has more than %d data rows", max))
}

// clean trims a cell and puts it in NFC (Vietnamese typed with combining marks, as some input
// methods and macOS do, must compare equal to the precomposed form).
func clean(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return s
	}
	return norm.NFC.String(s)
}

// ---- CSV ----

func readCSV(data []byte, lim Limits) (Table, error) {
	data = bytes.TrimPrefix(data, bom)
	if vi, en := kindOf(data); vi != "" {
		return Table{}, invalid(
			"Tệp có đuôi .csv nhưng nội dung là "+vi+", không phải văn bản CSV.",
			"file named .csv is "+en+", not CSV text")
	}
	if bytes.HasPrefix(data, []byte{0xFF, 0xFE}) || bytes.HasPrefix(data, []byte{0xFE, 0xFF}) {
		return Table{}, invalid(
			"Tệp CSV được mã hoá UTF-16 (Unicode Text); hãy lưu lại bằng “CSV UTF-8 (Comma delimited) (*.csv)”.",
			"CSV is UTF-16; UTF-8 is required")
	}
	if bytes.IndexByte(data, 0) >= 0 {
		return Table{}, invalid(
			"Tệp không phải là tệp CSV dạng văn bản hợp lệ (có ký tự nhị phân).",
			"file is not CSV text: it contains NUL bytes")
	}
	if !utf8.Valid(data) {
		return Table{}, invalid(
			"Tệp CSV không được mã hoá UTF-8 (tiếng Việt sẽ bị lỗi phông); trong Excel hãy lưu bằng “CSV UTF-8 (Comma delimited) (*.csv)”.",
			"CSV is not valid UTF-8")
	}
	cr := newCSVReader(data)
	// A character takes at most 4 bytes of UTF-8, or 2 as a doubled quote: a field of more bytes than
	// 4 × MaxCellChars, its quotes and a line break has more characters than a cell may.
	switch line, wide, long := csvShape(data, byte(cr.Comma), 4*lim.MaxCellChars+4); {
	case wide:
		return Table{}, invalid(
			fmt.Sprintf("Dòng %s của tệp CSV có quá %s cột.", vn.Int(int64(line)), vn.Int(maxCSVFields)),
			fmt.Sprintf("CSV line %d has more than %d fields", line, maxCSVFields))
	case long:
		return Table{}, invalid(
			fmt.Sprintf("Dòng %s của tệp CSV có một ô dài quá %s ký tự.", vn.Int(int64(line)), vn.Int(int64(lim.MaxCellChars))),
			fmt.Sprintf("CSV line %d has a field longer than %d characters", line, lim.MaxCellChars))
	}
	b := builder{lim: lim}
	// Excel row numbers: encoding/csv skips blank lines and joins quoted line breaks, so the row
	// number is worked out from the line where each record starts.
	prevRow, prevEndLine := 0, 0
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csvParseError
			if errors.As(err, &pe) {
				return Table{}, invalid(
					fmt.Sprintf("Tệp CSV bị lỗi định dạng ở dòng %s: %s", vn.Int(int64(pe.Line)), csvErrVI(pe.Err)),
					fmt.Sprintf("CSV syntax error: %v", err))
			}
			return Table{}, invalid("Tệp CSV bị lỗi định dạng.", fmt.Sprintf("CSV error: %v", err))
		}
		startLine, _ := cr.FieldPos(0)
		n := prevRow + startLine - prevEndLine
		lastLine, _ := cr.FieldPos(len(rec) - 1)
		prevRow, prevEndLine = n, lastLine+strings.Count(rec[len(rec)-1], "\n")
		if err := b.add(n, rec); err != nil {
			return Table{}, err
		}
	}
	return b.done()
}

// sniffDelimiter picks ',', ';' or '\t' by counting them, outside quotes, on the first line that
// has content; ',' wins ties and when there is none.
func sniffDelimiter(data []byte) rune {
	for len(data) > 0 {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		if len(bytes.Trim(line, " \r\t,;\"")) == 0 {
			continue
		}
		var comma, semi, tab int
		inQuote := false
		for _, c := range line {
			switch {
			case c == '"':
				inQuote = !inQuote
			case inQuote:
			case c == ',':
				comma++
			case c == ';':
				semi++
			case c == '\t':
				tab++
			}
		}
		switch {
		case semi > comma && semi >= tab:
			return ';'
		case tab > comma && tab > semi:
			return '\t'
		}
		return ','
	}
	return ','
}

// csvErrVI says a csv.ParseError's cause in Vietnamese.
func csvErrVI(err error) string {
	switch {
	case errors.Is(err, errBareQuote):
		return "có dấu ngoặc kép (\") nằm giữa một ô không được bao trong ngoặc kép."
	case errors.Is(err, errQuote):
		return "dấu ngoặc kép (\") không được đóng đúng cách."
	case errors.Is(err, errFieldCount):
		return "số cột không khớp."
	}
	return "nội dung không đúng định dạng CSV."
}

// ---- helpers shared with xlsx ----

// looksLikeText reports whether the start of data is plausibly text (for a better message when a
// CSV is uploaded as .xlsx).
func looksLikeText(data []byte) bool {
	head := data[:min(len(data), 512)]
	for len(head) > 0 && !utf8.FullRune(head) {
		head = head[:len(head)-1]
	}
	if !utf8.Valid(head) || bytes.IndexByte(head, 0) >= 0 {
		return false
	}
	return len(bytes.TrimSpace(head)) > 0
}

type csvParseError = csv.ParseError

var (
	errBareQuote  = csv.ErrBareQuote
	errQuote      = csv.ErrQuote
	errFieldCount = csv.ErrFieldCount
)

// newCSVReader returns a reader for data with the sniffed delimiter. FieldsPerRecord is -1: ragged
// rows are handled by builder.add (padded, or an error if they carry data beyond the header).
func newCSVReader(data []byte) *csv.Reader {
	cr := csv.NewReader(bytes.NewReader(data))
	cr.Comma = sniffDelimiter(data)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	return cr
}
