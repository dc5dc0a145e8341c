// Package sheet reads and writes the tabular files that Party offices exchange — Excel workbooks
// (.xlsx) and CSV text — for the bulk import and export of candidate lists, member lists and units.
//
// Why a package of its own: these files come from outside, by upload, and are hostile until proven
// otherwise. Every way a file can be wrong (renamed PDF, truncated zip, password-protected workbook,
// zip bomb, a million rows, a cell of a megabyte, legacy-encoded CSV) must end as one domain error,
// apperr.InvalidFile with a Vietnamese message the user can act on, never as a panic, an
// out-of-memory or a silent misreading. Going the other way, what we export must open correctly in
// Excel (UTF-8 BOM for CSV, every cell typed as text so IDs keep their leading zeros) and must not
// turn into a formula on the desk of whoever opens it (CSV/formula injection, see Neutralise); and
// an export edited and imported back must give the same cells (Restore undoes Neutralise).
//
// Reading normalises what Excel shows into plain text: cells are trimmed and NFC-normalised, dates
// come back as dd/mm/yyyy, numbers without exponent or thousands separators, formulas as their
// cached value (never evaluated). Row numbers are kept as the user sees them in Excel so that
// row-level errors can point at the right line.
package sheet

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"ptdv/internal/apperr"
	"ptdv/internal/vn"
)

// Format is a tabular file format.
type Format string

const (
	XLSX Format = "xlsx"
	CSV  Format = "csv"
)

// FormatOf picks the format from a file name's extension (.xlsx/.csv, case-insensitive) or returns
// InvalidFile.
func FormatOf(name string) (Format, error) {
	switch strings.ToLower(filepath.Ext(strings.TrimSpace(name))) {
	case ".xlsx":
		return XLSX, nil
	case ".csv":
		return CSV, nil
	}
	return "", invalid(
		"Chỉ chấp nhận tệp Excel (.xlsx) hoặc CSV (.csv).",
		fmt.Sprintf("unsupported file type %q: only .xlsx and .csv are accepted", filepath.Ext(name)))
}

// Limits bound what Read accepts. A zero field means the DefaultLimits value.
type Limits struct {
	MaxBytes     int64 // size of the file as uploaded
	MaxRows      int   // data rows (not counting the header and empty rows)
	MaxColumns   int   // columns of the header
	MaxCellChars int   // characters (runes) in one cell
	// MaxTableBytes bounds the memory the rows read take (text and per-cell overhead, see rowCost): a
	// real list of 100,000 rows of the candidates' 44 columns takes some 90 MB, and the reading itself as
	// much again in garbage: with this bound an import stays under 300 MB whatever the file.
	MaxTableBytes int64
}

// DefaultLimits are the limits for a bulk import.
var DefaultLimits = Limits{
	MaxBytes:      100 << 20,
	MaxRows:       200_000,
	MaxColumns:    200,
	MaxCellChars:  5_000,
	MaxTableBytes: 128 << 20,
}

func (l Limits) withDefaults() Limits {
	if l.MaxBytes <= 0 {
		l.MaxBytes = DefaultLimits.MaxBytes
	}
	if l.MaxRows <= 0 {
		l.MaxRows = DefaultLimits.MaxRows
	}
	if l.MaxColumns <= 0 {
		l.MaxColumns = DefaultLimits.MaxColumns
	}
	if l.MaxCellChars <= 0 {
		l.MaxCellChars = DefaultLimits.MaxCellChars
	}
	if l.MaxTableBytes <= 0 {
		l.MaxTableBytes = DefaultLimits.MaxTableBytes
	}
	return l
}

// Row is one non-empty data row. N is the 1-based row number as a user sees it in Excel (the
// header is usually row 1); Cells has exactly len(Table.Header) entries.
type Row struct {
	N     int
	Cells []string
}

// Table is what Read returns: the header (first non-empty row) and the data rows after it.
type Table struct {
	Header []string
	Rows   []Row
}

// Sheet is one worksheet to write. Rows shorter than Header are padded; longer ones are an error.
type Sheet struct {
	Name   string
	Header []string
	Rows   [][]string
}

// isTrigger reports whether b, as a cell's first byte, makes a spreadsheet read the cell as a
// formula (OWASP "CSV injection": = + - @, and tab / carriage return that some programs skip).
func isTrigger(b byte) bool {
	switch b {
	case '=', '+', '-', '@', '\t', '\r':
		return true
	}
	return false
}

// quotedTrigger reports whether s is one or more apostrophes followed by a trigger character.
func quotedTrigger(s string) bool {
	i := 0
	for i < len(s) && s[i] == '\'' {
		i++
	}
	return i > 0 && i < len(s) && isTrigger(s[i])
}

// Neutralise defuses a cell that a spreadsheet would take for a formula: if s begins with
// = + - @ tab or CR it is returned as "'" + s. So that Restore(Neutralise(s)) == s for every s,
// a value that already looks neutralised (apostrophes then a trigger, e.g. "'=1") gets one more
// apostrophe too.
func Neutralise(s string) string {
	if s == "" {
		return s
	}
	if isTrigger(s[0]) || quotedTrigger(s) {
		return "'" + s
	}
	return s
}

// Restore undoes Neutralise: if s begins with "'" followed by a trigger character (possibly after
// more apostrophes) the first apostrophe is dropped.
func Restore(s string) string {
	if quotedTrigger(s) {
		return s[1:]
	}
	return s
}

// invalid returns the InvalidFile error.
func invalid(vi, en string) error {
	return &apperr.Error{Code: apperr.InvalidFile, Field: "file", Message: vi, MessageEN: en}
}

// sizeVI formats a byte count for a message: "100 MB" when it is a whole number of MiB.
func sizeVI(n int64) (vi, en string) {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return vn.Int(n>>20) + " MB", strconv.FormatInt(n>>20, 10) + " MiB"
	}
	return vn.Int(n) + " byte", strconv.FormatInt(n, 10) + " bytes"
}

// colName returns the column letters of the 1-based column index: 1 → A, 28 → AB.
func colName(col int) string {
	var b []byte
	for col > 0 {
		col--
		b = append([]byte{byte('A' + col%26)}, b...)
		col /= 26
	}
	return string(b)
}
