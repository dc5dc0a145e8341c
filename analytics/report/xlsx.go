package report

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"ptdv/analytics/forecast"
	"ptdv/internal/pipeline"
)

// xsheet writes rows into one sheet of a workbook: numbers as numbers (the reader's Excel shows them in
// its locale's format, 1.234,5 in Vietnamese), dates as dates shown dd/mm/yyyy.
type xsheet struct {
	f     *excelize.File
	name  string
	row   int
	err   error
	style map[string]int
}

func (s *xsheet) set(col int, v any) {
	if s.err != nil {
		return
	}
	cell, _ := excelize.CoordinatesToCellName(col, s.row)
	switch x := v.(type) {
	case nil:
	case float64:
		if !finite(x) {
			return
		}
		s.err = s.f.SetCellFloat(s.name, cell, x, -1, 64)
		if s.err == nil && x != math.Trunc(x) {
			s.err = s.f.SetCellStyle(s.name, cell, cell, s.style["dec"])
		}
	case pctCell:
		if !finite(float64(x)) {
			return
		}
		s.err = s.f.SetCellFloat(s.name, cell, float64(x), -1, 64)
		if s.err == nil {
			s.err = s.f.SetCellStyle(s.name, cell, cell, s.style["pct"])
		}
	case dateCell:
		s.err = s.f.SetCellValue(s.name, cell, x.t)
		if s.err == nil {
			s.err = s.f.SetCellStyle(s.name, cell, cell, s.style["date"])
		}
	default:
		s.err = s.f.SetCellValue(s.name, cell, v)
	}
}

func (s *xsheet) line(vs ...any) {
	s.row++
	for i, v := range vs {
		s.set(i+1, v)
	}
}

func (s *xsheet) head(vs ...string) {
	s.row++
	for i, v := range vs {
		s.set(i+1, v)
	}
	if s.err == nil && len(vs) > 0 {
		a, _ := excelize.CoordinatesToCellName(1, s.row)
		b, _ := excelize.CoordinatesToCellName(len(vs), s.row)
		s.err = s.f.SetCellStyle(s.name, a, b, s.style["head"])
	}
}

func (s *xsheet) merge(c1, c2 int) {
	if s.err != nil {
		return
	}
	a, _ := excelize.CoordinatesToCellName(c1, s.row)
	b, _ := excelize.CoordinatesToCellName(c2, s.row)
	s.err = s.f.MergeCell(s.name, a, b)
}

type pctCell float64

type dateCell struct{ t time.Time }

func fpct(x float64) pctCell { return pctCell(x) }

// writeXLSX writes a province's tables as a workbook in the offices' layout.
func writeXLSX(path string, d *Data) error {
	f := excelize.NewFile()
	defer f.Close()
	style := map[string]int{}
	for k, st := range map[string]*excelize.Style{
		"head":  {Font: &excelize.Font{Bold: true}, Alignment: &excelize.Alignment{Horizontal: "center", WrapText: true, Vertical: "center"}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"F1ECE4"}}},
		"title": {Font: &excelize.Font{Bold: true, Size: 13}},
		"dec":   {NumFmt: 4},  // #,##0.00
		"pct":   {NumFmt: 10}, // 0.00%
		"date":  {CustomNumFmt: ptr("dd/mm/yyyy")},
	} {
		id, err := f.NewStyle(st)
		if err != nil {
			return fmt.Errorf("report: xlsx style: %w", err)
		}
		style[k] = id
	}
	sheets := []string{"Tiến độ", "Cơ cấu", "Phễu", "Quá hạn", "Kiểm định", "Kết nạp theo đơn vị", "Đảng viên theo đơn vị"}
	for i, n := range sheets {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", n); err != nil {
				return err
			}
		} else if _, err := f.NewSheet(n); err != nil {
			return err
		}
	}
	root := d.Root
	title := func(s *xsheet, t string) {
		s.line(t)
		if s.err == nil {
			s.err = s.f.SetCellStyle(s.name, "A1", "A1", style["title"])
		}
		s.line(root.Name + " — số liệu đến hết ngày " + date(d.AsOf))
		s.row++
	}
	all := append([]*Unit{root}, root.Children...)

	// Target progress and forecasts: the province, then its children least likely to meet theirs first.
	s := &xsheet{f: f, name: sheets[0], style: style}
	title(s, "TIẾN ĐỘ THỰC HIỆN CHỈ TIÊU KẾT NẠP ĐẢNG VIÊN VÀ DỰ BÁO")
	s.head("Mã", "Đơn vị", "Kỳ", "Từ ngày", "Đến ngày", "Chỉ tiêu", "Đã kết nạp", "Tỷ lệ % chỉ tiêu", "Dự kiến đến cuối kỳ",
		"Khoảng 80 % từ", "đến", "Khoảng 95 % từ", "đến", "Khả năng đạt", "Thiếu dự kiến", "Giải thích")
	var fs []forecast.Published
	for _, u := range all {
		for _, fc := range d.Forecasts[u.ID] {
			if !fc.PeriodEnd.Before(fc.AsOf) {
				fs = append(fs, fc)
			}
		}
	}
	sort.SliceStable(fs, func(i, j int) bool {
		if (fs[i].UnitID == root.ID) != (fs[j].UnitID == root.ID) {
			return fs[i].UnitID == root.ID
		}
		a, b := fs[i].PMeet, fs[j].PMeet
		if a == nil || b == nil {
			return a != nil && b == nil
		}
		return *a < *b
	})
	for _, fc := range fs {
		u := d.Units[fc.UnitID]
		var target, share, pm, sf any
		if fc.Target != nil {
			target, share = float64(*fc.Target), fpct(ratio(float64(fc.Admitted), float64(*fc.Target)))
		}
		if fc.PMeet != nil {
			pm = fpct(*fc.PMeet)
		}
		if fc.Shortfall != nil {
			sf = math.Round(*fc.Shortfall*10) / 10
		}
		s.line(u.Code, u.Name, periodLabel(fc.PeriodKind), dateCell{fc.PeriodStart}, dateCell{fc.PeriodEnd}, target, float64(fc.Admitted), share,
			math.Round(fc.Expected*10)/10, float64(fc.Lo80), float64(fc.Hi80), float64(fc.Lo95), float64(fc.Hi95), pm, sf, fc.Explanation)
	}
	widths(f, sheets[0], map[string]float64{"A": 12, "B": 34, "C": 10, "D": 12, "E": 12, "P": 90})

	// The office tables of the province and of each child unit.
	s2 := &xsheet{f: f, name: sheets[1], style: style}
	title(s2, "CƠ CẤU ĐẢNG VIÊN NĂM "+d.Year)
	for _, u := range all {
		for _, t := range d.Tables[u.ID] {
			s2.line(u.Name + " — " + t.Title)
			s2.head("Chỉ tiêu", "Kỳ này", "", "Cùng kỳ năm trước", "", "Tỷ lệ % so cùng kỳ")
			s2.merge(2, 3)
			s2.merge(4, 5)
			s2.head("", "Số lượng", "Tỷ lệ %", "Số lượng", "Tỷ lệ %", "")
			for _, l := range t.Lines {
				if l.HasLast {
					s2.line(l.Label, l.N, fpct(ratio(l.N, l.Total)), l.NLast, fpct(ratio(l.NLast, l.TotalLast)), fpct(ratio(l.N, l.NLast)))
				} else {
					s2.line(l.Label, l.N, fpct(ratio(l.N, l.Total)))
				}
			}
			s2.row++
		}
	}
	widths(f, sheets[1], map[string]float64{"A": 40, "B": 12, "C": 12, "D": 12, "E": 12, "F": 14})

	s3 := &xsheet{f: f, name: sheets[2], style: style}
	title(s3, "PHỄU PHÁT TRIỂN ĐẢNG VIÊN NĂM "+d.Year)
	for _, u := range all {
		if len(d.Funnel[u.ID]) == 0 {
			continue
		}
		s3.line(u.Name)
		s3.head("Bước", "Vào bước", "Ra khỏi bước", "Tỷ lệ chuyển bước tiếp", "Trung vị ngày làm việc", "90 % xong trong (ngày làm việc)")
		for _, st := range d.Funnel[u.ID] {
			var conv, med, p90 any
			if st.Conversion != nil {
				conv = fpct(*st.Conversion)
			}
			if st.MedianWorkingDays != nil {
				med = *st.MedianWorkingDays
			}
			if st.P90WorkingDays != nil {
				p90 = *st.P90WorkingDays
			}
			s3.line(stageLabel(st.Stage), float64(st.Entered), float64(st.Exited), conv, med, p90)
		}
		s3.row++
	}
	widths(f, sheets[2], map[string]float64{"A": 40, "B": 12, "C": 12, "D": 14, "E": 14, "F": 16})

	s4 := &xsheet{f: f, name: sheets[3], style: style}
	title(s4, "HỒ SƠ QUÁ HẠN")
	head := []string{"Mã", "Đơn vị", "Hồ sơ quá hạn"}
	for _, k := range dueKinds {
		head = append(head, pipeline.DueLabels[k])
	}
	s4.head(head...)
	for _, u := range append(root.Children, root) {
		o := d.Overdue[u.ID]
		if o == nil || o.Cases == 0 {
			continue
		}
		vs := []any{u.Code, u.Name, float64(o.Cases)}
		if u == root {
			vs[1] = "Cộng " + u.Name
		}
		for _, k := range dueKinds {
			vs = append(vs, float64(o.ByKind[k]))
		}
		s4.line(vs...)
	}
	widths(f, sheets[3], map[string]float64{"A": 12, "B": 36, "C": 12})

	s5 := &xsheet{f: f, name: sheets[4], style: style}
	title(s5, "ĐỘ CHÍNH XÁC CỦA DỰ BÁO (KIỂM ĐỊNH NGƯỢC, CẤP XÃ, PHƯỜNG)")
	s5.head("Còn lại (tháng)", "Số dự báo", "RMSE", "MAE", "RMSE ÷ kéo dài tuyến tính", "RMSE ÷ theo mùa", "RMSE ÷ năm trước", "Khoảng 80 % chứa", "Khoảng 95 % chứa", "Brier", "Brier (tỷ lệ chung)")
	by := map[int][]forecast.Outcome{}
	for _, o := range d.Backtest {
		by[o.MonthsLeft] = append(by[o.MonthsLeft], o)
	}
	keys := make([]int, 0, len(by))
	for k := range by {
		keys = append(keys, k)
	}
	sort.Sort(sort.Reverse(sort.IntSlice(keys)))
	row := func(label any, sc forecast.Score) {
		s5.line(label, float64(sc.N), sc.RMSE, sc.MAE, sc.RMSERun, sc.RMSESeas, sc.RMSELast, fpct(sc.Cover80), fpct(sc.Cover95), nilIf(sc.Brier, sc.BrierN == 0), nilIf(sc.BrierBaseline, sc.BrierN == 0))
	}
	for _, k := range keys {
		row(float64(k), forecast.Summarize(by[k]))
	}
	if len(keys) > 1 {
		row("Tất cả", forecast.Summarize(d.Backtest))
	}
	widths(f, sheets[4], map[string]float64{"A": 16, "E": 16, "F": 14, "G": 14})

	// The offices' summary sheets: one row per unit (the province first), for each criterion this period,
	// the same period last year and this period as a percentage of last year's.
	var byUnit []*xsheet
	for mi, m := range measures {
		x := &xsheet{f: f, name: sheets[5+mi], style: style}
		title(x, strings.ToUpper(m.title)+" NĂM "+d.Year+" THEO ĐƠN VỊ")
		h1 := []string{"Mã", "Đơn vị"}
		h2 := []string{"", ""}
		for _, c := range criteria {
			h1 = append(h1, c.label, "", "")
			h2 = append(h2, "Kỳ này", "Cùng kỳ năm trước", "Tỷ lệ %")
		}
		x.head(h1...)
		for ci := range criteria {
			x.merge(3+3*ci, 5+3*ci)
		}
		x.head(h2...)
		for _, u := range all {
			ts := d.Tables[u.ID]
			if len(ts) <= mi {
				continue
			}
			vs := []any{u.Code, u.Name}
			for _, l := range ts[mi].Lines {
				if l.HasLast {
					vs = append(vs, l.N, l.NLast, fpct(ratio(l.N, l.NLast)))
				} else {
					vs = append(vs, l.N, nil, nil)
				}
			}
			x.line(vs...)
		}
		widths(f, x.name, map[string]float64{"A": 12, "B": 34})
		byUnit = append(byUnit, x)
	}

	for _, x := range append([]*xsheet{s, s2, s3, s4, s5}, byUnit...) {
		if x.err != nil {
			return fmt.Errorf("report: xlsx %s: %w", x.name, x.err)
		}
	}
	if err := f.SaveAs(path); err != nil {
		return fmt.Errorf("report: xlsx: %w", err)
	}
	return nil
}

func nilIf(x float64, cond bool) any {
	if cond {
		return nil
	}
	return x
}

func widths(f *excelize.File, sheet string, w map[string]float64) {
	for col, v := range w {
		f.SetColWidth(sheet, col, col, v)
	}
}

func ptr[T any](v T) *T { return &v }
