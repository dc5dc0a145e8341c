package report

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/uptrace/bun"

	"ptdv/analytics/forecast"
	"ptdv/internal/pipeline"
)

// ProvinceReport is one province's report as written.
type ProvinceReport struct {
	Code, Name string
	Dir        string   // relative to the run's directory
	Pages      int      // HTML pages (the province's and one per child unit)
	XLSX, PDF  string   // relative file names; PDF "" when not printed
	Target     *int     `json:",omitempty"` // the province's year target (else term), for the index
	Admitted   int      `json:",omitempty"`
	Expected   float64  `json:",omitempty"`
	PMeet      *float64 `json:",omitempty"`
}

// Manifest describes a run's reports (manifest.json in the run's directory; the index reads it).
type Manifest struct {
	Name        string
	AsOf        time.Time
	Generated   time.Time
	NightlyRun  int64
	ForecastRun string
	Provinces   []ProvinceReport
	Seconds     float64
	PDFNote     string `json:",omitempty"` // why no PDF was printed
}

// Summary is what Generate did.
type Summary struct {
	Dir      string // the run's directory
	Manifest Manifest
	Took     time.Duration
	Steps    map[string]time.Duration // reading per kind, and writing: html, xlsx, pdf
}

// Generate writes the reports of the newest published runs (at or before opt.AsOf) under
// opt.Out/<as-of>_r<run>/: per province a directory with index.html (the province), one page per child
// unit, <code>.xlsx and, where Chromium is installed, <code>.pdf; the run's index.html and
// manifest.json; then rewrites opt.Out/index.html, the list of every run's reports. The run's directory
// is written beside and renamed into place, so a reader never sees half of it. db is read as the owner
// (the whole country; the reports are files, not an API).
func Generate(ctx context.Context, db bun.IDB, opt Options) (Summary, error) {
	start := time.Now()
	now := time.Now
	if opt.Now != nil {
		now = opt.Now
	}
	nightly, nightlyAsOf, fcRun, fcAsOf, err := runs(ctx, db, opt.AsOf)
	if err != nil {
		return Summary{}, err
	}
	asOf := fcAsOf
	if nightlyAsOf.After(asOf) {
		asOf = nightlyAsOf
	}
	if opt.Out == "" {
		return Summary{}, fmt.Errorf("report: no output directory")
	}
	ps, err := provinces(ctx, db, asOf, opt.Unit)
	if err != nil {
		return Summary{}, err
	}
	pdf := newPrinter(opt)
	defer pdf.close()

	name := asOf.Format(time.DateOnly)
	if nightly != 0 {
		name += fmt.Sprintf("_r%d", nightly)
	}
	if opt.Unit != "" {
		name += "_" + ps[0].Code
	}
	if err := os.MkdirAll(opt.Out, 0o755); err != nil {
		return Summary{}, fmt.Errorf("report: %w", err)
	}
	tmp, err := os.MkdirTemp(opt.Out, ".tmp-"+name+"-")
	if err != nil {
		return Summary{}, fmt.Errorf("report: %w", err)
	}
	defer os.RemoveAll(tmp)
	steps := map[string]time.Duration{}
	t0 := time.Now()
	if !opt.ReadOnly {
		analyze(ctx, db)
	}
	steps["analyze"] = time.Since(t0)
	t0 = time.Now()
	sh, err := loadShared(ctx, db, asOf)
	if err != nil {
		return Summary{}, err
	}
	steps["shared"] = time.Since(t0)
	m := Manifest{Name: name, AsOf: asOf, Generated: now(), NightlyRun: nightly, ForecastRun: fcRun, PDFNote: pdf.note}
	for _, p := range ps {
		d := &Data{AsOf: asOf, Generated: m.Generated, NightlyRun: nightly, NightlyAsOf: nightlyAsOf, ForecastRun: fcRun, Year: fmt.Sprint(asOf.Year()), Steps: steps, shared: sh}
		if err := load(ctx, db, p, d); err != nil {
			return Summary{}, err
		}
		pr, err := writeProvince(tmp, d, pdf)
		if err != nil {
			return Summary{}, err
		}
		m.Provinces = append(m.Provinces, pr)
		if err := ctx.Err(); err != nil {
			return Summary{}, err
		}
	}
	m.Seconds = time.Since(start).Seconds()
	if err := writeRunIndex(tmp, m); err != nil {
		return Summary{}, err
	}
	dir := filepath.Join(opt.Out, name)
	if err := os.RemoveAll(dir); err != nil {
		return Summary{}, fmt.Errorf("report: %w", err)
	}
	if err := os.Rename(tmp, dir); err != nil {
		return Summary{}, fmt.Errorf("report: %w", err)
	}
	keep := opt.Keep
	if keep <= 0 {
		keep = 14
	}
	if ms, err := readManifests(opt.Out); err == nil {
		for i := keep; i < len(ms); i++ {
			os.RemoveAll(filepath.Join(opt.Out, ms[i].Name))
		}
	}
	if err := WriteIndex(opt.Out); err != nil {
		return Summary{}, err
	}
	return Summary{Dir: dir, Manifest: m, Took: time.Since(start), Steps: steps}, nil
}

// writeProvince writes one province's pages, workbook and PDF into runDir/<code>/.
func writeProvince(runDir string, d *Data, pdf *printer) (ProvinceReport, error) {
	root := d.Root
	pr := ProvinceReport{Code: root.Code, Name: root.Name, Dir: root.Code}
	dir := filepath.Join(runDir, root.Code)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return pr, fmt.Errorf("report: %w", err)
	}
	write := func(file string, p page) error {
		var b bytes.Buffer
		if err := renderPage(&b, p); err != nil {
			return fmt.Errorf("report: render %s: %w", file, err)
		}
		pr.Pages++
		return os.WriteFile(filepath.Join(dir, file), b.Bytes(), 0o644)
	}
	t := time.Now()
	if err := write("index.html", buildPage(d, root, true)); err != nil {
		return pr, err
	}
	for _, c := range root.Children {
		if !c.HasPage() {
			continue
		}
		if err := write(c.Code+".html", buildPage(d, c, false)); err != nil {
			return pr, err
		}
	}
	t = d.step("html", t)
	pr.XLSX = root.Code + ".xlsx"
	if err := writeXLSX(filepath.Join(dir, pr.XLSX), d); err != nil {
		return pr, err
	}
	t = d.step("xlsx", t)
	if pdf.bin != "" {
		out := root.Code + ".pdf"
		if err := pdf.print(filepath.Join(dir, "index.html"), filepath.Join(dir, out)); err != nil {
			if pdf.must {
				return pr, err
			}
		} else {
			pr.PDF = out
		}
	}
	d.step("pdf", t)
	for _, f := range headline(d, root) {
		pr.Target, pr.Admitted, pr.Expected, pr.PMeet = f.Target, f.Admitted, f.Expected, f.PMeet
		break
	}
	return pr, nil
}

// headline is a unit's forecast the index shows: its year target's, else its term's, else any.
func headline(d *Data, u *Unit) []forecast.Published {
	fs := d.Forecasts[u.ID]
	for _, k := range []string{"year", "term", "quarter"} {
		for _, f := range fs {
			if f.PeriodKind == k {
				return []forecast.Published{f}
			}
		}
	}
	return nil
}

// maxRows is the longest list a page shows (the at-risk units, the overdue ones); the workbook has all.
const maxRows = 40

// buildPage formats a unit's page.
func buildPage(d *Data, u *Unit, isRoot bool) page {
	p := page{Title: "Báo cáo phát triển đảng viên", Subtitle: u.Name, Unit: u, Year: d.Year, IndexHref: "../index.html"}
	if !isRoot {
		p.Province = d.Root
		p.IndexHref = "../index.html"
	}
	p.Meta = []string{"Số liệu đến hết ngày " + date(d.AsOf) + "; lập ngày " + date(d.Generated) + "."}
	src := ""
	if d.NightlyRun != 0 {
		src = fmt.Sprintf("Lượt tổng hợp hằng đêm số %d (ngày %s)", d.NightlyRun, date(d.NightlyAsOf))
	} else {
		src = "Chưa có lượt tổng hợp hằng đêm"
	}
	if d.ForecastRun != "" {
		src += "; lượt dự báo " + d.ForecastRun
	} else {
		src += "; chưa có lượt dự báo"
	}
	p.Meta = append(p.Meta, src+".")

	for _, f := range d.Forecasts[u.ID] {
		if f.PeriodEnd.Before(f.AsOf) {
			continue
		}
		h := "Chỉ tiêu " + periodLabel(f.PeriodKind)
		if f.PeriodKind == "year" {
			h += " " + fmt.Sprint(f.PeriodStart.Year())
		} else {
			h += " " + date(f.PeriodStart) + " – " + date(f.PeriodEnd)
		}
		p.Targets = append(p.Targets, targetView{Heading: h, Facts: targetFacts(f), Chart: burnUp(f, burnPoints(d.Admissions[u.ID], f)), Explanation: f.Explanation})
	}
	if len(p.Targets) == 0 {
		p.NoTarget = "Đơn vị chưa có chỉ tiêu kết nạp đang mở"
		if n, ok := d.Admissions[u.ID][d.Year]; ok {
			p.NoTarget += "; năm " + d.Year + " đã kết nạp " + count(n) + " đảng viên"
		}
		p.NoTarget += "."
	}
	href := func(c *Unit) string {
		if isRoot && c.HasPage() {
			return c.Code + ".html"
		}
		return ""
	}
	if isRoot {
		// The communes and wards, all of them; then the province's other grassroots units, the least
		// likely first.
		var t1, t2 string
		t1, p.Risk = riskRows(d, u, href, (*Unit).HasPage)
		t2, p.RiskOther = riskRows(d, u, href, func(c *Unit) bool { return !c.HasPage() })
		p.RiskTitle = t1
		if t1 == "" {
			p.RiskTitle = t2
		}
		if len(p.RiskOther) > maxRows {
			p.RiskMore = fmt.Sprintf("Còn %s đơn vị khác có khả năng đạt cao hơn: xem đủ trong tệp XLSX (trang Tiến độ).", num(float64(len(p.RiskOther)-maxRows), 0))
			p.RiskOther = p.RiskOther[:maxRows]
		}
	} else {
		p.RiskTitle, p.Risk = riskRows(d, u, href, func(*Unit) bool { return true })
		if len(p.Risk) > maxRows {
			p.RiskMore = fmt.Sprintf("Còn %s đơn vị khác có khả năng đạt cao hơn: xem đủ trong tệp XLSX (trang Tiến độ).", num(float64(len(p.Risk)-maxRows), 0))
			p.Risk = p.Risk[:maxRows]
		}
	}
	for _, t := range d.Tables[u.ID] {
		p.Tables = append(p.Tables, tableView{Title: t.Title, Rows: tableRows(t)})
	}
	for _, s := range d.Funnel[u.ID] {
		r := stageRow{Stage: stageLabel(s.Stage), Entered: num(float64(s.Entered), 0), Exited: num(float64(s.Exited), 0), Conversion: "—", Median: "—", P90: "—"}
		if s.Conversion != nil {
			r.Conversion = pct(*s.Conversion)
		}
		if s.MedianWorkingDays != nil {
			r.Median = num(*s.MedianWorkingDays, 0)
		}
		if s.P90WorkingDays != nil {
			r.P90 = num(*s.P90WorkingDays, 0)
		}
		p.Funnel = append(p.Funnel, r)
	}
	p.FunnelSVG = funnelChart(d.Funnel[u.ID], stageLabel)

	// Overdue: the children with any, most first; the unit's total last.
	kinds := []string{}
	for _, k := range dueKinds {
		if o := d.Overdue[u.ID]; o != nil && o.ByKind[k] > 0 {
			kinds = append(kinds, k)
		}
	}
	for _, k := range kinds {
		p.OverdueKinds = append(p.OverdueKinds, pipeline.DueLabels[k])
	}
	row := func(c *Unit, o *Overdue, name string) overdueRow {
		r := overdueRow{Code: c.Code, Name: name, Cases: num(float64(o.Cases), 0)}
		for _, k := range kinds {
			r.ByKind = append(r.ByKind, num(float64(o.ByKind[k]), 0))
		}
		return r
	}
	if o := d.Overdue[u.ID]; o != nil && o.Cases > 0 {
		var cs []*Unit
		for _, c := range u.Children {
			if oc := d.Overdue[c.ID]; oc != nil && oc.Cases > 0 {
				cs = append(cs, c)
			}
		}
		sort.SliceStable(cs, func(i, j int) bool { return d.Overdue[cs[i].ID].Cases > d.Overdue[cs[j].ID].Cases })
		if len(cs) > maxRows {
			p.OverdueMore = fmt.Sprintf("Còn %s đơn vị khác có ít hồ sơ quá hạn hơn: xem đủ trong tệp XLSX (trang Quá hạn).", num(float64(len(cs)-maxRows), 0))
			cs = cs[:maxRows]
		}
		for _, c := range cs {
			r := row(c, d.Overdue[c.ID], c.Name)
			r.Href = href(c)
			p.Overdue = append(p.Overdue, r)
		}
		p.OverdueTotal = row(u, o, "Cộng "+u.Name)
		if len(p.Overdue) == 0 {
			p.Overdue = []overdueRow{p.OverdueTotal}
			p.OverdueTotal = overdueRow{}
		}
	}

	if isRoot {
		bt := &backtestView{Title: "Độ chính xác của dự báo (kiểm định ngược)"}
		if len(d.Backtest) == 0 {
			bt.Note = "Chưa có kết quả kiểm định ngược: cần lịch sử trọn một năm trước năm chốt số liệu (lượt hằng đêm tính lại mỗi tuần)."
		} else {
			y := d.Backtest[0].Origin.Time().Year()
			units := map[int64]bool{}
			for _, o := range d.Backtest {
				units[o.Unit] = true
			}
			bt.Title += fmt.Sprintf(" năm %d", y)
			bt.Note = fmt.Sprintf("Dự báo số kết nạp cả năm %d của %s đảng ủy xã, phường (đơn vị như tại ngày dự báo), lập tại các ngày 31/03, 30/06, 30/09/%d chỉ với số liệu đã biết khi đó, so với số thực tế. "+
				"Tỷ số dưới 1 là dự báo tốt hơn phương pháp so sánh: kéo dài tuyến tính số đã kết nạp, kéo dài theo mùa, số của năm trước. Khoảng 80 %% nên chứa khoảng 80 %% số thực tế. Brier: sai số của khả năng đạt chỉ tiêu (càng nhỏ càng tốt; trong ngoặc: luôn dự báo bằng tỷ lệ đạt chung). Lượt kiểm định %s.",
				y, num(float64(len(units)), 0), y, d.BacktestRun)
			bt.Rows = backtestRows(d.Backtest)
		}
		p.Backtest = bt
		for _, c := range criteria[1:] {
			p.ByUnitHead = append(p.ByUnitHead, c.label)
		}
		for _, c := range u.Children {
			ts := d.Tables[c.ID]
			if !c.HasPage() || len(ts) == 0 {
				continue
			}
			ls := ts[0].Lines // admissions
			row := []string{c.Name, count(ls[0].N), "—", "—"}
			if ls[0].HasLast {
				row[2], row[3] = count(ls[0].NLast), pct(ratio(ls[0].N, ls[0].NLast))
			}
			for _, l := range ls[1:] {
				row = append(row, count(l.N))
			}
			p.ByUnit = append(p.ByUnit, row)
		}
		for _, c := range u.Children {
			if !c.HasPage() {
				continue
			}
			p.Children = append(p.Children, link{Href: c.Code + ".html", Code: c.Code, Name: c.Name})
		}
	}
	return p
}

// readManifests lists the runs under out, newest first.
func readManifests(out string) ([]Manifest, error) {
	ents, err := os.ReadDir(out)
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	var ms []Manifest
	for _, e := range ents {
		if !e.IsDir() || e.Name()[0] == '.' {
			continue
		}
		b, err := os.ReadFile(filepath.Join(out, e.Name(), "manifest.json"))
		if err != nil {
			continue // not a run's directory
		}
		var m Manifest
		if json.Unmarshal(b, &m) == nil {
			m.Name = e.Name()
			ms = append(ms, m)
		}
	}
	sort.SliceStable(ms, func(i, j int) bool {
		if !ms[i].AsOf.Equal(ms[j].AsOf) {
			return ms[i].AsOf.After(ms[j].AsOf)
		}
		return ms[i].Generated.After(ms[j].Generated)
	})
	return ms, nil
}

// analyze refreshes the planner's statistics of the published tables when a tenth of their rows changed
// since the last analyze: the nightly job has just copied them, and without statistics PostgreSQL reads
// the whole run's index instead of the units asked for (75 ms instead of 1 on the small seed). Errors are
// ignored: a reader that does not own the tables reads with what statistics there are.
func analyze(ctx context.Context, db bun.IDB) {
	var tables []string
	err := db.NewRaw(`SELECT quote_ident(schemaname) || '.' || quote_ident(relname) FROM pg_stat_user_tables
		WHERE schemaname = 'reporting' AND relname IN ('breakdown', 'funnel', 'forecast', 'backtest_outcome')
		AND n_mod_since_analyze > 0.1 * greatest(n_live_tup, 1000)`).Scan(ctx, &tables)
	if err != nil {
		return
	}
	for _, t := range tables {
		db.ExecContext(ctx, "ANALYZE "+t)
	}
}
