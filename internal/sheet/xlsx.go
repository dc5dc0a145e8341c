package sheet

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/xuri/excelize/v2"

	"ptdv/internal/vn"
)

// xlsxDateFormat is how a date cell comes back from Read.
const xlsxDateFormat = "dd/mm/yyyy"

// maxZipEntries bounds the parts of a workbook (a real one has tens; thousands means an attack).
const maxZipEntries = 10_000

func notXLSX(data []byte) error {
	vi, en := kindOf(data)
	switch {
	case bytes.HasPrefix(data, magicOLE):
		return invalid(
			"Tệp Excel được đặt mật khẩu hoặc ở định dạng cũ (.xls); hãy bỏ mật khẩu và lưu lại dưới dạng .xlsx.",
			"file is an encrypted workbook or a legacy .xls (OLE container), not .xlsx")
	case vi != "":
		return invalid(
			"Tệp có đuôi .xlsx nhưng nội dung là "+vi+", không phải tệp Excel.",
			"file named .xlsx is "+en)
	case looksLikeText(data):
		return invalid(
			"Tệp có đuôi .xlsx nhưng nội dung là văn bản (có thể là CSV); hãy đổi đuôi thành .csv hoặc lưu lại bằng Excel dưới dạng .xlsx.",
			"file named .xlsx is text, not a workbook")
	}
	return corrupt("not a zip file")
}

func corrupt(detail string) error {
	return invalid("Tệp không phải là tệp Excel (.xlsx) hợp lệ hoặc đã bị hỏng.",
		"file is not a valid .xlsx workbook or is corrupted: "+detail)
}

func zipBomb(detail string) error {
	return invalid("Tệp Excel có nội dung giải nén quá lớn hoặc bất thường; hãy lưu lại tệp bằng Excel rồi tải lên lại.",
		"xlsx rejected as a possible zip bomb: "+detail)
}

// unzipLimits are the excelize limits derived from MaxBytes: the whole unpacked workbook may be
// ten times the upload; parts bigger than xml go to temporary files instead of memory.
func unzipLimits(lim Limits) (total, xml int64) {
	total = lim.MaxBytes * 10
	xml = min(int64(16<<20), total)
	return total, xml
}

// checkZip looks at the zip before excelize unpacks it. excelize keeps every part in memory except
// worksheets and shared strings bigger than the XML limit (those it spools to disk), so what would
// stay in memory must fit in MaxBytes, and the declared total must fit the unzip limit (archive/zip
// refuses a part that inflates past its declared size). The XML parts are streamed through scanXML
// first: the parts excelize decodes whole into structs (styles, workbook, relationships) are bounded
// in size, since decoding multiplies them twenty-fold and more; worksheets are bounded in nesting; the
// shared strings in count.
func checkZip(data []byte, lim Limits) error {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return corrupt(err.Error())
	}
	if len(zr.File) > maxZipEntries {
		return zipBomb(fmt.Sprintf("%d zip entries", len(zr.File)))
	}
	total, xmlLimit := unzipLimits(lim)
	var sum, inMem, other uint64
	hasWorkbook := false
	for _, zf := range zr.File {
		size := zf.UncompressedSize64
		sum += size
		if size > uint64(total) || sum > uint64(total) {
			return zipBomb(fmt.Sprintf("unpacked size over %d bytes", total))
		}
		name := strings.ToLower(strings.ReplaceAll(zf.Name, "\\", "/"))
		if name == "xl/workbook.xml" {
			hasWorkbook = true
		}
		sheetData := strings.HasPrefix(name, "xl/worksheets/sheet") || name == "xl/sharedstrings.xml"
		if !sheetData || size <= uint64(xmlLimit) {
			inMem += size
			if inMem > uint64(lim.MaxBytes) {
				return zipBomb(fmt.Sprintf("in-memory parts over %d bytes", lim.MaxBytes))
			}
		}
		isXML := strings.HasSuffix(name, ".xml") || strings.HasSuffix(name, ".rels")
		if isXML && !sheetData {
			other += size
			if size > maxOtherPartBytes || other > maxOtherPartsSum {
				return zipBomb(fmt.Sprintf("part %s: %d bytes of workbook XML", zf.Name, size))
			}
		}
		if isXML {
			if err := scanPart(zf, lim); err != nil {
				return err
			}
		}
	}
	if !hasWorkbook {
		return corrupt("no xl/workbook.xml")
	}
	return nil
}

// maxTextBytes is the longest run of XML text scanXML lets through for a cell limit: a character
// takes at most 10 bytes of XML ("&#x10FFFF;"), so more bytes than that are more characters than
// MaxCellChars, whatever they say.
func maxTextBytes(lim Limits) int { return 10 * lim.MaxCellChars }

func scanPart(zf *zip.File, lim Limits) error {
	rc, err := zf.Open()
	if err != nil {
		return corrupt(fmt.Sprintf("%s: %v", zf.Name, err))
	}
	defer rc.Close()
	// A sheet may hold empty rows (formatted, or left between blocks), but not many more than data rows.
	if _, err := scanXML(rc, maxTextBytes(lim), 2*lim.MaxRows+1000); err != nil {
		var se *scanError
		switch {
		case !errors.As(err, &se):
			return corrupt(fmt.Sprintf("%s: %v", zf.Name, err))
		case se.kind == scanLong:
			return invalid(
				fmt.Sprintf("Tệp Excel có một ô (hoặc một đoạn nội dung) dài quá %s ký tự; hãy kiểm tra lại tệp.", vn.Int(int64(lim.MaxCellChars))),
				fmt.Sprintf("%s: %v", zf.Name, err))
		case se.kind == scanRows:
			return tooManyRows(lim.MaxRows)
		case se.kind == scanEntity:
			return invalid(
				"Tệp Excel có nội dung XML không chuẩn (tham chiếu thực thể hoặc khai báo DTD) khiến các ô phía sau bị bỏ qua khi đọc; hãy mở tệp bằng Excel, lưu lại rồi tải lên.",
				fmt.Sprintf("%s: %v", zf.Name, err))
		}
		return zipBomb(fmt.Sprintf("%s: %v", zf.Name, err))
	}
	return nil
}

func readXLSX(data []byte, lim Limits) (t Table, err error) {
	if !bytes.HasPrefix(data, magicZip) {
		return Table{}, notXLSX(data)
	}
	if err := checkZip(data, lim); err != nil {
		return Table{}, err
	}
	defer func() {
		if p := recover(); p != nil {
			t, err = Table{}, corrupt(fmt.Sprint("panic: ", p))
		}
	}()
	total, xmlLimit := unzipLimits(lim)
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{
		UnzipSizeLimit:    total,
		UnzipXMLSizeLimit: xmlLimit,
		ShortDatePattern:  xlsxDateFormat,
	})
	if f != nil {
		defer f.Close() // removes the temporary files
	}
	if err != nil {
		if errors.Is(err, excelize.ErrWorkbookFileFormat) || errors.Is(err, excelize.ErrWorkbookPassword) {
			return Table{}, notXLSX(data)
		}
		if strings.Contains(err.Error(), "unzip size") {
			return Table{}, zipBomb(err.Error())
		}
		return Table{}, corrupt(err.Error())
	}
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return Table{}, invalid("Tệp Excel không có trang tính (sheet) nào.", "workbook has no worksheet")
	}
	normaliseNumFmts(f)
	rows, err := f.Rows(sheets[0])
	if err != nil {
		return Table{}, corrupt(err.Error())
	}
	defer rows.Close()
	b := builder{lim: lim}
	n := 0
	for rows.Next() {
		// excelize yields an empty row for every row number it skips: a row numbered in the billions
		// would spin here for hours. A sheet has at most TotalRows rows.
		if n++; n > excelize.TotalRows {
			return Table{}, corrupt(fmt.Sprintf("row number over %d", excelize.TotalRows))
		}
		cells, err := rows.Columns()
		if err != nil {
			return Table{}, corrupt(fmt.Sprintf("row %d: %v", n, err))
		}
		if err := b.add(n, cells); err != nil {
			return Table{}, err
		}
	}
	if err := rows.Error(); err != nil {
		if errors.Is(err, excelize.ErrMaxRows) {
			return Table{}, tooManyRows(lim.MaxRows)
		}
		return Table{}, corrupt(err.Error())
	}
	return b.done()
}

// numFmt kinds.
const (
	fmtGeneral = iota
	fmtKeep    // leave as the workbook says (time of day, zero-padded numbers)
	fmtDate
	fmtDateTime
)

// normaliseNumFmts rewrites the workbook's cell formats (in memory only) so that excelize's
// formatted values are what an import wants: any date format → dd/mm/yyyy (builtin 14 with
// ShortDatePattern), date and time → dd/mm/yyyy hh:mm (builtin 22), numbers → General (no
// thousands separators, currency, percent or exponent). Time-of-day formats and codes that only
// pad with zeros (e.g. "000000000000", used to show an ID's leading zeros) are kept.
func normaliseNumFmts(f *excelize.File) {
	s := f.Styles
	if s == nil || s.CellXfs == nil {
		return
	}
	custom := map[int]string{}
	if s.NumFmts != nil {
		for _, nf := range s.NumFmts.NumFmt {
			if nf == nil {
				continue
			}
			code := nf.FormatCode
			if nf.FormatCode16 != "" {
				code = nf.FormatCode16
			}
			custom[nf.NumFmtID] = code
		}
	}
	for i := range s.CellXfs.Xf {
		xf := &s.CellXfs.Xf[i]
		id := 0
		if xf.NumFmtID != nil {
			id = *xf.NumFmtID
		}
		var kind int
		if code, ok := custom[id]; ok {
			kind = classifyNumFmt(code)
		} else {
			kind = classifyBuiltin(id)
		}
		var to int
		switch kind {
		case fmtKeep:
			continue
		case fmtDate:
			to = 14
		case fmtDateTime:
			to = 22
		default:
			to = 0
		}
		xf.NumFmtID = &to
	}
}

func classifyBuiltin(id int) int {
	switch {
	case id == 14, id == 15, id == 16, id == 17, 27 <= id && id <= 31, id == 36, 50 <= id && id <= 58:
		return fmtDate
	case id == 22:
		return fmtDateTime
	case 18 <= id && id <= 21, 32 <= id && id <= 35, 45 <= id && id <= 47:
		return fmtKeep
	}
	return fmtGeneral
}

// classifyNumFmt classifies a custom number format code by its first section.
func classifyNumFmt(code string) int {
	var date, month, timeOfDay, zeros, other bool
	rs := []rune(code)
	for i := 0; i < len(rs); i++ {
		c := rs[i]
		switch c {
		case ';':
			i = len(rs) // first section only
			continue
		case '"':
			for i++; i < len(rs) && rs[i] != '"'; i++ {
			}
			other = true
			continue
		case '\\', '_', '*':
			i++
			other = true
			continue
		case '[':
			j := i + 1
			for j < len(rs) && rs[j] != ']' {
				j++
			}
			inner := strings.ToLower(string(rs[i+1 : min(j, len(rs))]))
			if inner != "" && strings.Trim(inner, "hms") == "" {
				timeOfDay = true // elapsed time [h]:mm
			}
			i = j
			continue
		}
		switch c {
		case 'y', 'Y', 'd', 'D', 'e', 'E', 'b', 'B', 'g', 'G':
			if c == 'g' || c == 'G' {
				if strings.HasPrefix(strings.ToLower(string(rs[i:])), "general") {
					i += len("general") - 1
					other = true
					continue
				}
			}
			if c == 'e' || c == 'E' {
				// scientific "0.00E+00" vs Japanese era year "e"
				if i+1 < len(rs) && (rs[i+1] == '+' || rs[i+1] == '-') {
					other = true
					continue
				}
			}
			date = true
		case 'm', 'M':
			month = true
		case 'h', 'H', 's', 'S':
			timeOfDay = true
		case 'a', 'A':
			if strings.HasPrefix(strings.ToLower(string(rs[i:])), "am/pm") ||
				strings.HasPrefix(strings.ToLower(string(rs[i:])), "a/p") {
				timeOfDay = true
				continue
			}
			other = true
		case '0':
			zeros = true
		default:
			other = true
		}
	}
	switch {
	case month && !timeOfDay:
		date = true
	}
	switch {
	case date && timeOfDay:
		return fmtDateTime
	case date:
		return fmtDate
	case timeOfDay:
		return fmtKeep
	case zeros && !other:
		return fmtKeep
	}
	return fmtGeneral
}
