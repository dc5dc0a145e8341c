package report

import (
	"html/template"
	"io"
	"math"
	"sort"

	"ptdv/analytics/forecast"
	"ptdv/internal/pipeline"
)

// page is what a unit's page shows, formatted.
type page struct {
	Title, Subtitle string
	Unit            *Unit
	Province        *Unit // the report's root (nil on the root's own page)
	Meta            []string
	Targets         []targetView
	NoTarget        string
	RiskTitle       string
	Risk            []riskRow
	RiskMore        string
	RiskOther       []riskRow // on the province's page: the grassroots units that are not communes
	Year            string
	Tables          []tableView
	ByUnit          [][]string // the year's admissions per commune (the province's page)
	ByUnitHead      []string
	Funnel          []stageRow
	FunnelSVG       template.HTML
	Overdue         []overdueRow
	OverdueKinds    []string
	OverdueTotal    overdueRow
	OverdueMore     string
	Backtest        *backtestView
	Children        []link
	IndexHref       string
}

type link struct{ Href, Code, Name string }

type targetView struct {
	Heading     string
	Facts       [][2]string
	Chart       template.HTML
	Explanation string
}

type riskRow struct {
	Href, Code, Name, Period, Target, Admitted, Expected, Interval, P, Shortfall, Explanation string
	Bar                                                                                       template.HTML
}

type tableView struct {
	Title string
	Rows  [][]string
}

type stageRow struct{ Stage, Entered, Exited, Conversion, Median, P90 string }

type overdueRow struct {
	Href, Code, Name, Cases string
	ByKind                  []string
}

type backtestView struct {
	Title string
	Note  string
	Rows  [][]string
}

func stageLabel(s string) string {
	if l, ok := pipeline.StageLabels[s]; ok {
		return l
	}
	return s
}

// targetFacts formats one forecast's figures.
func targetFacts(f forecast.Published) [][2]string {
	facts := [][2]string{{"Kỳ", periodLabel(f.PeriodKind) + " " + date(f.PeriodStart) + " – " + date(f.PeriodEnd)}}
	if f.Target != nil {
		facts = append(facts, [2]string{"Chỉ tiêu", num(float64(*f.Target), 0)})
		facts = append(facts, [2]string{"Đã kết nạp", num(float64(f.Admitted), 0) + " (" + pct(ratio(float64(f.Admitted), float64(*f.Target))) + " chỉ tiêu)"})
	} else {
		facts = append(facts, [2]string{"Chỉ tiêu", "chưa xác định được"}, [2]string{"Đã kết nạp", num(float64(f.Admitted), 0)})
	}
	facts = append(facts, [2]string{"Thời gian đã qua", pct(elapsed(f))})
	facts = append(facts, [2]string{"Dự kiến đến cuối kỳ", num(f.Expected, 1) + " (80 %: " + num(float64(f.Lo80), 0) + "–" + num(float64(f.Hi80), 0) +
		"; 95 %: " + num(float64(f.Lo95), 0) + "–" + num(float64(f.Hi95), 0) + ")"})
	if f.PMeet != nil {
		facts = append(facts, [2]string{"Khả năng đạt chỉ tiêu", pct0(*f.PMeet)})
	}
	if f.Shortfall != nil {
		facts = append(facts, [2]string{"Số còn thiếu dự kiến", num(*f.Shortfall, 1)})
	}
	return facts
}

// elapsed is the share of the period gone by the forecast's day.
func elapsed(f forecast.Published) float64 {
	total := f.PeriodEnd.Sub(f.PeriodStart).Hours() + 24
	gone := f.AsOf.Sub(f.PeriodStart).Hours() + 24
	return math.Min(math.Max(ratio(gone, total), 0), 1)
}

// riskRows lists the children's forecasts of a period kind (year first, else term, else quarter), least
// likely to meet the target first, those without a target last.
func riskRows(d *Data, u *Unit, href func(*Unit) string, keep func(*Unit) bool) (string, []riskRow) {
	for _, kind := range []string{"year", "term", "quarter"} {
		var fs []forecast.Published
		for _, c := range u.Children {
			if !keep(c) {
				continue
			}
			for _, f := range d.Forecasts[c.ID] {
				if f.PeriodKind == kind && !f.PeriodEnd.Before(f.AsOf) {
					fs = append(fs, f)
				}
			}
		}
		if len(fs) == 0 {
			continue
		}
		sort.SliceStable(fs, func(i, j int) bool {
			a, b := fs[i].PMeet, fs[j].PMeet
			switch {
			case a == nil || b == nil:
				return a != nil && b == nil
			case *a != *b:
				return *a < *b
			}
			return d.Units[fs[i].UnitID].Code < d.Units[fs[j].UnitID].Code
		})
		rows := make([]riskRow, 0, len(fs))
		for _, f := range fs {
			c := d.Units[f.UnitID]
			r := riskRow{Href: href(c), Code: c.Code, Name: c.Name, Period: periodLabel(f.PeriodKind) + " " + date(f.PeriodStart) + " – " + date(f.PeriodEnd),
				Target: "—", Admitted: num(float64(f.Admitted), 0), Expected: num(f.Expected, 1),
				Interval: num(float64(f.Lo80), 0) + "–" + num(float64(f.Hi80), 0), P: "—", Shortfall: "—", Explanation: f.Explanation, Bar: probBar(f.PMeet)}
			if f.Target != nil {
				r.Target = num(float64(*f.Target), 0)
			}
			if f.PMeet != nil {
				r.P = pct0(*f.PMeet)
			}
			if f.Shortfall != nil {
				r.Shortfall = num(*f.Shortfall, 1)
			}
			rows = append(rows, r)
		}
		return periodLabel(kind), rows
	}
	return "", nil
}

// tableRows formats an office table: criterion, this period (number, % of the total), the same period
// last year (number, %), this period as a percentage of last year's.
func tableRows(t Table) [][]string {
	var out [][]string
	for _, l := range t.Lines {
		row := []string{l.Label, count(l.N), pct(ratio(l.N, l.Total))}
		if l.HasLast {
			row = append(row, count(l.NLast), pct(ratio(l.NLast, l.TotalLast)), pct(ratio(l.N, l.NLast)))
		} else {
			row = append(row, "—", "—", "—")
		}
		out = append(out, row)
	}
	return out
}

// backtestRows summarises the scored forecasts by months left and overall.
func backtestRows(os []forecast.Outcome) [][]string {
	line := func(label string, s forecast.Score) []string {
		brier := "—"
		if s.BrierN > 0 {
			brier = num(s.Brier, 3) + " (" + num(s.BrierBaseline, 3) + ")"
		}
		return []string{label, num(float64(s.N), 0), num(s.RMSE, 2), num(s.MAE, 2), num(s.RMSERun, 3), num(s.RMSESeas, 3), num(s.RMSELast, 3),
			pct(s.Cover80), pct(s.Cover95), brier}
	}
	var out [][]string
	hs := forecast.ByMonthsLeft(os)
	for _, h := range hs {
		out = append(out, line(num(float64(h.MonthsLeft), 0)+" tháng", h.Score))
	}
	if len(hs) > 1 {
		out = append(out, line("Tất cả", forecast.Summarize(os)))
	}
	return out
}

var pageTmpl = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title><style>` + css + `</style></head><body>
<header><p class="nav">{{if .IndexHref}}<a href="{{.IndexHref}}">Danh sách báo cáo</a>{{end}}{{if .Province}} › <a href="index.html">{{.Province.Name}}</a>{{end}}</p>
<h1>{{.Title}}</h1><p class="sub">{{.Subtitle}}</p>{{range .Meta}}<p class="meta">{{.}}</p>{{end}}</header>

<section id="tien-do"><h2>1. Tiến độ thực hiện chỉ tiêu kết nạp đảng viên</h2>
{{if .Targets}}{{range .Targets}}<div class="target"><h3>{{.Heading}}</h3>
<table class="facts">{{range .Facts}}<tr><th>{{index . 0}}</th><td>{{index . 1}}</td></tr>{{end}}</table>
{{.Chart}}<p class="explain">{{.Explanation}}</p></div>{{end}}
{{else}}<p class="empty">{{.NoTarget}}</p>{{end}}</section>

<section id="nguy-co"><h2>2. Đơn vị trực thuộc có nguy cơ không đạt chỉ tiêu{{if .RiskTitle}} ({{.RiskTitle}}){{end}}</h2>
{{if or .Risk .RiskOther}}<p class="note">Sắp xếp theo khả năng đạt chỉ tiêu, thấp nhất trước; đơn vị chưa có chỉ tiêu xếp cuối.</p>
{{if .Risk}}{{template "risk" .Risk}}{{end}}
{{if .RiskOther}}<h3>Các tổ chức cơ sở khác (cơ quan, đơn vị sự nghiệp, doanh nghiệp, trường học)</h3>{{template "risk" .RiskOther}}{{end}}
{{if .RiskMore}}<p class="note">{{.RiskMore}}</p>{{end}}{{else}}<p class="empty">Không có đơn vị trực thuộc nào có chỉ tiêu đang mở.</p>{{end}}</section>

<section id="co-cau"><h2>3. Cơ cấu đảng viên năm {{.Year}}</h2>
{{range .Tables}}<h3>{{.Title}}</h3><table class="data office"><thead>
<tr><th rowspan="2">Chỉ tiêu</th><th colspan="2">Kỳ này</th><th colspan="2">Cùng kỳ năm trước</th><th rowspan="2">Tỷ lệ % so cùng kỳ</th></tr>
<tr><th>Số lượng</th><th>Tỷ lệ %</th><th>Số lượng</th><th>Tỷ lệ %</th></tr></thead><tbody>
{{range .Rows}}<tr>{{range $i, $c := .}}<td{{if $i}} class="n"{{end}}>{{$c}}</td>{{end}}</tr>{{end}}</tbody></table>
{{else}}<p class="empty">Chưa có số liệu cơ cấu (lượt tổng hợp hằng đêm chưa chạy).</p>{{end}}
{{if .ByUnit}}<h3>Kết nạp năm {{.Year}} theo xã, phường</h3><table class="data office"><thead>
<tr><th rowspan="2">Đơn vị</th><th colspan="3">Tổng số</th><th colspan="{{len .ByUnitHead}}">Trong đó (kỳ này)</th></tr>
<tr><th>Kỳ này</th><th>Cùng kỳ năm trước</th><th>Tỷ lệ %</th>{{range .ByUnitHead}}<th>{{.}}</th>{{end}}</tr></thead><tbody>
{{range .ByUnit}}<tr>{{range $i, $c := .}}<td{{if $i}} class="n"{{end}}>{{$c}}</td>{{end}}</tr>{{end}}</tbody></table>{{end}}</section>

<section id="pheu"><h2>4. Phễu phát triển đảng viên năm {{.Year}} và thời gian ở mỗi bước</h2>
{{if .Funnel}}{{.FunnelSVG}}<table class="data"><thead><tr><th>Bước</th><th>Vào bước</th><th>Ra khỏi bước</th><th>Chuyển bước tiếp</th><th>Trung vị ngày làm việc</th><th>90 % xong trong (ngày)</th></tr></thead><tbody>
{{range .Funnel}}<tr><td>{{.Stage}}</td><td class="n">{{.Entered}}</td><td class="n">{{.Exited}}</td><td class="n">{{.Conversion}}</td><td class="n">{{.Median}}</td><td class="n">{{.P90}}</td></tr>{{end}}
</tbody></table>{{else}}<p class="empty">Chưa có hồ sơ nào trong năm.</p>{{end}}</section>

<section id="qua-han"><h2>5. Hồ sơ quá hạn</h2>
{{if .Overdue}}<table class="data"><thead><tr><th>Đơn vị</th><th>Hồ sơ quá hạn</th>{{range .OverdueKinds}}<th>{{.}}</th>{{end}}</tr></thead><tbody>
{{range .Overdue}}<tr><td>{{if .Href}}<a href="{{.Href}}">{{.Name}}</a>{{else}}{{.Name}}{{end}} <span class="code">{{.Code}}</span></td><td class="n">{{.Cases}}</td>{{range .ByKind}}<td class="n">{{.}}</td>{{end}}</tr>{{end}}
<tr class="sum"><td>{{.OverdueTotal.Name}}</td><td class="n">{{.OverdueTotal.Cases}}</td>{{range .OverdueTotal.ByKind}}<td class="n">{{.}}</td>{{end}}</tr>
</tbody></table>{{if .OverdueMore}}<p class="note">{{.OverdueMore}}</p>{{end}}{{else}}<p class="empty">Không có hồ sơ quá hạn.</p>{{end}}</section>

{{with .Backtest}}<section id="kiem-dinh"><h2>6. {{.Title}}</h2><p class="note">{{.Note}}</p>
{{if .Rows}}<table class="data"><thead><tr><th>Còn lại</th><th>Số dự báo</th><th>RMSE</th><th>MAE</th><th>RMSE ÷ kéo dài tuyến tính</th><th>÷ theo mùa</th><th>÷ năm trước</th><th>Khoảng 80 % chứa</th><th>Khoảng 95 % chứa</th><th>Brier (tỷ lệ chung)</th></tr></thead><tbody>
{{range .Rows}}<tr>{{range $i, $c := .}}<td{{if $i}} class="n"{{end}}>{{$c}}</td>{{end}}</tr>{{end}}</tbody></table>{{end}}</section>{{end}}

{{if .Children}}<section id="don-vi" class="children"><h2>Trang chi tiết xã, phường</h2><ul class="cols">
{{range .Children}}<li><a href="{{.Href}}">{{.Name}}</a> <span class="code">{{.Code}}</span></li>{{end}}</ul></section>{{end}}
<footer><p>Số liệu do ptdv tổng hợp tự động; số lượng theo ngày quyết định kết nạp, tính cả đơn vị tiền thân của đơn vị đã hợp nhất.</p></footer>
</body></html>
`))

var _ = template.Must(pageTmpl.New("risk").Parse(`<table class="data risk"><thead><tr><th>Đơn vị</th><th>Chỉ tiêu</th><th>Đã kết nạp</th><th>Dự kiến</th><th>Khoảng 80 %</th><th>Khả năng đạt</th><th>Thiếu dự kiến</th><th>Giải thích</th></tr></thead><tbody>
{{range .}}<tr><td>{{if .Href}}<a href="{{.Href}}">{{.Name}}</a>{{else}}{{.Name}}{{end}}<br><span class="code">{{.Code}}</span></td><td class="n">{{.Target}}</td><td class="n">{{.Admitted}}</td><td class="n">{{.Expected}}</td><td class="n">{{.Interval}}</td><td class="n p">{{.Bar}} {{.P}}</td><td class="n">{{.Shortfall}}</td><td class="ex">{{.Explanation}}</td></tr>
{{end}}</tbody></table>`))

func renderPage(w io.Writer, p page) error { return pageTmpl.Execute(w, p) }

const css = `
:root{--ink:#1b1b1b;--mute:#5d5d5d;--line:#c9c9c9;--red:#b3261e;--acc:#0b5cad}
*{box-sizing:border-box}
body{font-family:"Times New Roman",Times,"Liberation Serif","DejaVu Serif",serif;color:var(--ink);margin:0 auto;max-width:1000px;padding:16px 24px;font-size:14px;line-height:1.4;background:#fff}
h1{font-size:22px;margin:4px 0;color:var(--red);text-transform:uppercase;text-align:center}
h2{font-size:17px;border-bottom:2px solid var(--red);padding-bottom:2px;margin-top:26px}
h3{font-size:15px;margin:14px 0 6px}
.sub{text-align:center;font-weight:bold;margin:2px 0}
.meta,.note{color:var(--mute);font-size:12px;margin:2px 0}
.meta{text-align:center}
.nav{font-size:12px;margin:0}
a{color:var(--acc);text-decoration:none}
table{border-collapse:collapse;margin:6px 0 10px}
table.data{width:100%}
table.data th,table.data td{border:1px solid var(--line);padding:3px 6px;vertical-align:top}
table.data th{background:#f1ece4;font-weight:bold;text-align:center}
table.facts th{text-align:left;padding:1px 12px 1px 0;font-weight:normal;color:var(--mute)}
table.facts td{font-weight:bold}
td.n{text-align:right;white-space:nowrap}
td.ex{font-size:12px;min-width:240px}
tr.sum td{font-weight:bold;background:#faf7f2}
.code{color:var(--mute);font-size:11px}
.explain{font-style:italic;margin:4px 0 12px}
.empty{color:var(--mute);font-style:italic}
ul.cols{columns:3;padding-left:18px}
svg.chart{display:block;max-width:100%;height:auto;margin:6px 0}
svg .grid{stroke:#e3e3e3;stroke-width:1}
svg .axis{stroke:#777;stroke-width:1}
svg .ax{font-size:11px;fill:#444;font-family:inherit}
svg .lbl{font-size:12px;fill:#222;font-weight:bold;font-family:inherit}
svg .today{stroke:#999;stroke-dasharray:2 3}
svg .fan95{fill:#0b5cad;fill-opacity:.15;stroke:none}
svg .fan80{fill:#0b5cad;fill-opacity:.3;stroke:none}
svg .expected{stroke:#0b5cad;stroke-width:2;stroke-dasharray:6 3}
svg .target{stroke:#b3261e;stroke-width:2}
svg .pace{stroke:#b3261e;stroke-width:1;stroke-dasharray:4 4;opacity:.6}
svg .actual{fill:none;stroke:#1b1b1b;stroke-width:2.5}
svg .actual-dot{fill:#1b1b1b}
svg .funnel-bar{fill:#0b5cad;fill-opacity:.75}
svg.bar{vertical-align:middle}
svg .bar-bg{fill:#eee}
svg .bar-bad{fill:#b3261e}
svg .bar-warn{fill:#d08c00}
svg .bar-ok{fill:#2e7d32}
footer{margin-top:24px;color:var(--mute);font-size:11px;border-top:1px solid var(--line)}
@page{size:A4;margin:14mm 12mm}
@media print{
 body{max-width:none;padding:0;font-size:11pt}
 .nav,.children{display:none}
 h2{break-after:avoid}
 .target,svg.chart,tr{break-inside:avoid}
 thead{display:table-header-group}
 a{color:inherit}
 table.data th{background:#eee !important;-webkit-print-color-adjust:exact;print-color-adjust:exact}
 svg *{-webkit-print-color-adjust:exact;print-color-adjust:exact}
}
`
