package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"os"
	"path/filepath"
)

type indexRow struct {
	Href, Code, Name, Target, Admitted, Expected, P string
	PDF, XLSX                                       string
	Bar                                             template.HTML
}

type indexRun struct {
	Name, Href, AsOf, Generated, Source string
	Provinces                           []indexRow
}

var indexTmpl = template.Must(template.New("index").Parse(`<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title><style>` + css + `</style></head><body>
<header>{{if .Up}}<p class="nav"><a href="{{.Up}}">Danh sách báo cáo</a></p>{{end}}<h1>{{.Title}}</h1><p class="sub">{{.Sub}}</p></header>
{{range .Runs}}<section><h2>{{if .Href}}<a href="{{.Href}}">Số liệu đến ngày {{.AsOf}}</a>{{else}}Số liệu đến ngày {{.AsOf}}{{end}}</h2>
<p class="meta">Lập ngày {{.Generated}}. {{.Source}}</p>
<table class="data"><thead><tr><th>Đảng bộ</th><th>Chỉ tiêu</th><th>Đã kết nạp</th><th>Dự kiến</th><th>Khả năng đạt</th><th>Tệp</th></tr></thead><tbody>
{{range .Provinces}}<tr><td><a href="{{.Href}}">{{.Name}}</a> <span class="code">{{.Code}}</span></td><td class="n">{{.Target}}</td><td class="n">{{.Admitted}}</td><td class="n">{{.Expected}}</td><td class="n">{{.Bar}} {{.P}}</td>
<td>{{if .XLSX}}<a href="{{.XLSX}}">XLSX</a>{{end}}{{if .PDF}} · <a href="{{.PDF}}">PDF</a>{{end}}</td></tr>
{{end}}</tbody></table></section>
{{else}}<p class="empty">Chưa có báo cáo nào.</p>{{end}}
<footer><p>Báo cáo do ptdv lập sau mỗi lượt tổng hợp hằng đêm.</p></footer></body></html>
`))

func runView(m Manifest, prefix string) indexRun {
	r := indexRun{Name: m.Name, AsOf: date(m.AsOf), Generated: date(m.Generated)}
	if prefix != "" {
		r.Href = prefix + "index.html"
	}
	r.Source = fmt.Sprintf("Lượt tổng hợp số %d; lượt dự báo %s; lập trong %s giây.", m.NightlyRun, m.ForecastRun, num(m.Seconds, 1))
	if m.ForecastRun == "" {
		r.Source = fmt.Sprintf("Lượt tổng hợp số %d; chưa có lượt dự báo; lập trong %s giây.", m.NightlyRun, num(m.Seconds, 1))
	}
	if m.PDFNote != "" {
		r.Source += " " + m.PDFNote
	}
	for _, p := range m.Provinces {
		row := indexRow{Href: prefix + p.Dir + "/index.html", Code: p.Code, Name: p.Name, Target: "—", Admitted: "—", Expected: "—", P: "—"}
		if p.XLSX != "" {
			row.XLSX = prefix + p.Dir + "/" + p.XLSX
		}
		if p.PDF != "" {
			row.PDF = prefix + p.Dir + "/" + p.PDF
		}
		if p.Target != nil {
			row.Target = num(float64(*p.Target), 0)
		}
		if p.Target != nil || p.Expected != 0 || p.Admitted != 0 {
			row.Admitted, row.Expected = num(float64(p.Admitted), 0), num(p.Expected, 1)
		}
		if p.PMeet != nil {
			row.P, row.Bar = pct0(*p.PMeet), probBar(p.PMeet)
		}
		r.Provinces = append(r.Provinces, row)
	}
	return r
}

// writeRunIndex writes a run's manifest.json and index.html (its provinces).
func writeRunIndex(dir string, m Manifest) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "manifest.json"), b, 0o644); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	var h bytes.Buffer
	err = indexTmpl.Execute(&h, map[string]any{"Title": "Báo cáo phát triển đảng viên", "Sub": "Số liệu đến ngày " + date(m.AsOf),
		"Up": "../index.html", "Runs": []indexRun{runView(m, "")}})
	if err != nil {
		return fmt.Errorf("report: index: %w", err)
	}
	return os.WriteFile(filepath.Join(dir, "index.html"), h.Bytes(), 0o644)
}

// WriteIndex rewrites out/index.html: every run's reports under out, newest first, with their provinces.
func WriteIndex(out string) error {
	ms, err := readManifests(out)
	if err != nil {
		return err
	}
	runs := make([]indexRun, len(ms))
	for i, m := range ms {
		runs[i] = runView(m, m.Name+"/")
	}
	var h bytes.Buffer
	err = indexTmpl.Execute(&h, map[string]any{"Title": "Báo cáo phát triển đảng viên", "Sub": fmt.Sprintf("Các lượt báo cáo (%s)", num(float64(len(ms)), 0)), "Runs": runs})
	if err != nil {
		return fmt.Errorf("report: index: %w", err)
	}
	tmp := filepath.Join(out, ".index.html.tmp")
	if err := os.WriteFile(tmp, h.Bytes(), 0o644); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return os.Rename(tmp, filepath.Join(out, "index.html"))
}
