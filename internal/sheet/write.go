package sheet

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// Column widths, in Excel character units.
const (
	minColWidth   = 8
	maxColWidth   = 60
	widthSample   = 1000 // rows looked at to size the columns
	numFmtText    = 49   // builtin number format "@"
	maxXLSXCellCh = excelize.TotalCellChars
)

// Write writes main (and, for xlsx, the extra sheets after it, e.g. instructions) to w.
//
// XLSX: one worksheet per Sheet, header row bold and frozen, sensible column widths, every cell
// (and every column, so cells typed in later too) formatted as text "@" and written as a string —
// never a formula — through excelize's StreamWriter, so memory stays bounded for 100k+ rows.
// CSV: only main; UTF-8 with a BOM (so Excel shows Vietnamese correctly), comma-separated, CRLF.
//
// Every data cell (not the header) goes through Neutralise; Read applies Restore, so an export
// read back gives the same cells.
func Write(w io.Writer, f Format, main Sheet, extra ...Sheet) error {
	switch f {
	case XLSX:
		return writeXLSX(w, append([]Sheet{main}, extra...))
	case CSV:
		return writeCSV(w, main)
	}
	return fmt.Errorf("sheet: unsupported format %q", f)
}

// checkRow returns an error if row is longer than a (non-empty) header.
func checkRow(s Sheet, i int, row []string) ([]string, error) {
	if len(s.Header) > 0 && len(row) > len(s.Header) {
		return nil, fmt.Errorf("sheet: %q row %d has %d cells, header has %d", s.Name, i+1, len(row), len(s.Header))
	}
	return row, nil
}

func writeCSV(w io.Writer, s Sheet) error {
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	if err := cw.Write(s.Header); err != nil {
		return err
	}
	var rec []string
	for i, row := range s.Rows {
		row, err := checkRow(s, i, row)
		if err != nil {
			return err
		}
		rec = rec[:0]
		for range max(len(s.Header), len(row)) {
			rec = append(rec, "")
		}
		for j := range rec {
			rec[j] = ""
			if j < len(row) {
				rec[j] = Neutralise(row[j])
			}
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func writeXLSX(w io.Writer, sheets []Sheet) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("sheet: excelize panicked: %v", p)
		}
	}()
	f := excelize.NewFile()
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}()
	header, err := f.NewStyle(&excelize.Style{
		Font:      &excelize.Font{Bold: true},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"D9E1F2"}},
		Alignment: &excelize.Alignment{Vertical: "center", WrapText: true},
		Border:    []excelize.Border{{Type: "bottom", Color: "808080", Style: 1}},
		NumFmt:    numFmtText,
	})
	if err != nil {
		return err
	}
	text, err := f.NewStyle(&excelize.Style{NumFmt: numFmtText})
	if err != nil {
		return err
	}
	for i, s := range sheets {
		if s.Name == "" {
			return errors.New("sheet: sheet name is empty")
		}
		if i == 0 {
			err = f.SetSheetName(f.GetSheetName(0), s.Name)
		} else {
			_, err = f.NewSheet(s.Name)
		}
		if err != nil {
			return fmt.Errorf("sheet: sheet %q: %w", s.Name, err)
		}
		if err := writeXLSXSheet(f, s, header, text); err != nil {
			return err
		}
	}
	f.SetActiveSheet(0)
	return f.Write(w)
}

func writeXLSXSheet(f *excelize.File, s Sheet, headerStyle, textStyle int) error {
	sw, err := f.NewStreamWriter(s.Name)
	if err != nil {
		return fmt.Errorf("sheet: sheet %q: %w", s.Name, err)
	}
	ncol := len(s.Header)
	for _, row := range s.Rows {
		ncol = max(ncol, len(row))
	}
	if ncol > 0 {
		for c, width := range colWidths(s, ncol) {
			if err := sw.SetColWidth(c+1, c+1, width); err != nil {
				return err
			}
		}
		if err := sw.SetColStyle(1, ncol, textStyle); err != nil {
			return err
		}
	}
	if len(s.Header) > 0 {
		if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
			return err
		}
		vals := make([]any, len(s.Header))
		for i, h := range s.Header {
			if utf8.RuneCountInString(h) > maxXLSXCellCh {
				return fmt.Errorf("sheet: %q header %d longer than %d characters", s.Name, i+1, maxXLSXCellCh)
			}
			vals[i] = excelize.Cell{StyleID: headerStyle, Value: h}
		}
		if err := sw.SetRow("A1", vals, excelize.RowOpts{StyleID: headerStyle}); err != nil {
			return err
		}
	}
	first := 1
	if len(s.Header) > 0 {
		first = 2
	}
	vals := make([]any, 0, ncol)
	for i, row := range s.Rows {
		row, err := checkRow(s, i, row)
		if err != nil {
			return err
		}
		vals = vals[:0]
		for j, v := range row {
			v = Neutralise(v)
			if len(v) > maxXLSXCellCh && countUTF16(v) > maxXLSXCellCh {
				return fmt.Errorf("sheet: %q cell %s%d longer than Excel's %d characters", s.Name, colName(j+1), first+i, maxXLSXCellCh)
			}
			if v == "" {
				vals = append(vals, nil)
				continue
			}
			vals = append(vals, excelize.Cell{StyleID: textStyle, Value: v})
		}
		cell, _ := excelize.CoordinatesToCellName(1, first+i)
		if err := sw.SetRow(cell, vals); err != nil {
			return err
		}
	}
	return sw.Flush()
}

// colWidths sizes each column to its longest value among the header and the first rows.
func colWidths(s Sheet, ncol int) []float64 {
	longest := make([]int, ncol)
	for i, h := range s.Header {
		longest[i] = utf8.RuneCountInString(h)
	}
	for _, row := range s.Rows[:min(len(s.Rows), widthSample)] {
		for j, v := range row {
			longest[j] = max(longest[j], utf8.RuneCountInString(v))
		}
	}
	widths := make([]float64, ncol)
	for i, n := range longest {
		widths[i] = min(max(float64(n)*1.1+2, minColWidth), maxColWidth)
	}
	return widths
}

func countUTF16(s string) int {
	n := 0
	for _, r := range s {
		n++
		if r > 0xFFFF {
			n++
		}
	}
	return n
}
