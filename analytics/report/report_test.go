package report

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"ptdv/analytics"
	"ptdv/analytics/forecast"
	"ptdv/internal/apperr"
	"ptdv/internal/auth"
	"ptdv/internal/pgtest"
	"ptdv/internal/seed"
	"ptdv/internal/vn"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

var today = time.Date(2026, 6, 10, 0, 0, 0, 0, time.UTC)

// published seeds the small data set (two provinces, merged in 2025), runs the nightly job, the
// forecasts and the report's backtest, as the nightly command does.
func published(t testing.TB, d *pgtest.DB) {
	ctx := context.Background()
	if _, err := seed.Run(ctx, d.URL, seed.Options{Scale: "small", Seed: 1, Today: today}); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if _, err := analytics.Nightly(ctx, d.URL, dir, analytics.NightlyOptions{Options: analytics.Options{
		Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})), AsOf: today, MemoryLimit: "1GB", Threads: 1}}); err != nil {
		t.Fatal(err)
	}
	sys := auth.WithActor(ctx, auth.System("report-test"))
	h, err := forecast.Load(sys, d.Owner, forecast.LoadOptions{AsOf: today})
	if err != nil {
		t.Fatal(err)
	}
	if err := forecast.Publish(sys, d.Owner, "run-1", forecast.Fit(h, h.AsOf, forecast.Options{}).ForecastAll()); err != nil {
		t.Fatal(err)
	}
	bt, err := forecast.ReportBacktest(h)
	if err != nil || len(bt) == 0 {
		t.Fatalf("backtest: %d outcomes, %v", len(bt), err)
	}
	if err := forecast.PublishBacktest(sys, d.Owner, "run-1", "commune", bt); err != nil {
		t.Fatal(err)
	}
}

// cell is the text of the td after a th or td with the given text on the page.
func after(t *testing.T, page, label string) string {
	t.Helper()
	re := regexp.MustCompile(`<t[hd]>` + regexp.QuoteMeta(label) + `</t[hd]>\s*<td[^>]*>([^<]*)</td>`)
	m := re.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no %q on the page", label)
	}
	return m[1]
}

// TestReport generates the reports on the seeded database and checks the key figures on the pages
// against the database, the workbook, the index, and that nothing reads NaN.
func TestReport(t *testing.T) {
	d := pgtest.New(t)
	published(t, d)
	ctx := context.Background()
	out := t.TempDir()
	if o := os.Getenv("PTDV_REPORT_OUT"); o != "" { // to look at the pages
		out = o
	}
	sum, err := Generate(ctx, d.Owner, Options{Out: out, PDF: "off", Now: func() time.Time { return today }})
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Manifest.Provinces) == 0 {
		t.Fatal("no province reported")
	}
	t.Logf("%d provinces in %s", len(sum.Manifest.Provinces), sum.Took)

	// The province with a year target.
	var pid int64
	var code string
	var admitted, target int
	var pmeet float64
	var expl string
	err = d.Owner.QueryRowContext(ctx, `SELECT f.unit_id, u.code, f.admitted, f.target, f.p_meet, f.explanation FROM reporting.forecast f JOIN org_unit u ON u.id = f.unit_id
		WHERE u.kind = 'province' AND f.period_kind = 'year' AND f.target IS NOT NULL ORDER BY u.code LIMIT 1`).Scan(&pid, &code, &admitted, &target, &pmeet, &expl)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(sum.Dir, code, "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	page := string(b)
	yearAt := strings.Index(page, "<h3>Chỉ tiêu Năm 2026</h3>")
	if yearAt < 0 {
		t.Fatal("no year target on the province's page")
	}
	yearPart := page[yearAt:]
	if got := after(t, yearPart, "Chỉ tiêu"); got != vn.Int(int64(target)) {
		t.Errorf("target on the page %q, database %d", got, target)
	}
	if got := after(t, yearPart, "Đã kết nạp"); !strings.HasPrefix(got, vn.Int(int64(admitted))+" (") {
		t.Errorf("admitted on the page %q, database %d", got, admitted)
	}
	if got, want := after(t, yearPart, "Khả năng đạt chỉ tiêu"), pct0(pmeet); got != want {
		t.Errorf("P(meet) on the page %q, database %s", got, want)
	}
	if !strings.Contains(page, expl) {
		t.Errorf("the explanation %q is not on the page", expl)
	}
	// The office table: women among this year's admissions, this period and last year's.
	var n, ly float64
	if err := d.Owner.QueryRowContext(ctx, `SELECT n, coalesce(n_last_year, 0) FROM reporting.breakdown WHERE run_id = (SELECT max(id) FROM reporting.nightly_run WHERE status = 'succeeded')
		AND map = 'today' AND unit_id = ? AND period = '2026' AND measure = 'stock' AND dimension = 'sex' AND category = 'female'`, pid).Scan(&n, &ly); err != nil {
		t.Fatal(err)
	}
	stock := page[strings.Index(page, "<h3>Đảng viên (tại ngày cuối kỳ)</h3>"):]
	if got := after(t, stock, "Nữ"); got != count(n) {
		t.Errorf("women members on the page %q, database %v", got, n)
	}
	// Overdue cases: the province's total equals the live due list's.
	var overdue int
	if err := d.Owner.QueryRowContext(ctx, `SELECT count(DISTINCT c.id) FROM case_due d JOIN candidate_case c ON c.id = d.case_id
		JOIN org_link l ON l.unit_id = c.cell_id AND l.valid_from <= ?0 AND (l.valid_to IS NULL OR l.valid_to > ?0)
		WHERE c.closed_on IS NULL AND d.due_on < ?0 AND l.path ~ ('*.' || ?1 || '.*')::lquery`, today, pid).Scan(&overdue); err != nil {
		t.Fatal(err)
	}
	if overdue == 0 {
		t.Fatal("the seed has no overdue case in the province")
	}
	if got := after(t, page, "Cộng "+d2name(t, d, pid)); got != vn.Int(int64(overdue)) {
		t.Errorf("overdue on the page %q, database %d", got, overdue)
	}
	// At risk: sorted by the probability printed.
	// At risk: each list sorted by the probability printed (the communes and wards, then the others).
	riskPart := page[strings.Index(page, `id="nguy-co"`):strings.Index(page, `id="co-cau"`)]
	for i, part := range strings.Split(riskPart, "<h3>") {
		checkSorted(t, part, i)
	}
	risk := regexp.MustCompile(`<td class="n p">(?:<svg.*?</svg>)? ?(\d+) %</td>`).FindAllStringSubmatch(riskPart, -1)
	if len(risk) < 2 {
		t.Fatalf("%d units at risk on the page", len(risk))
	}
	// The backtest's figures.
	if !strings.Contains(page, "kiểm định ngược) năm 2025") || !strings.Contains(page, "9 tháng") {
		t.Error("no backtest of 2025 on the province's page")
	}
	// Charts, no script, nothing from outside, no NaN on any page.
	pages, _ := filepath.Glob(filepath.Join(sum.Dir, "*", "*.html"))
	if len(pages) < 3 {
		t.Fatalf("%d pages", len(pages))
	}
	for _, p := range pages {
		b, _ := os.ReadFile(p)
		s := string(b)
		for _, bad := range []string{"NaN", "Inf", "<script", "http://", "https://", "src=", "@import", "url("} {
			if strings.Contains(strings.ReplaceAll(s, `xmlns="http://www.w3.org/2000/svg"`, ""), bad) {
				t.Errorf("%s contains %q", filepath.Base(p), bad)
			}
		}
	}
	if c := strings.Count(page, `<svg class="chart burnup"`); c == 0 {
		t.Error("no burn-up chart on the province's page")
	}

	// The workbook has the same target and admissions.
	x, err := excelize.OpenFile(filepath.Join(sum.Dir, code, code+".xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := x.GetRows("Tiến độ")
	x.Close()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range rows {
		if len(r) > 7 && r[0] == code && r[2] == "Năm" {
			found = r[5] == fmt.Sprint(target) && r[6] == fmt.Sprint(admitted) && r[3] == "01/01/2026"
			if !found {
				t.Errorf("workbook row %q, want target %d admitted %d from 01/01/2026", r, target, admitted)
			}
		}
	}
	if !found {
		t.Error("no year row of the province in the workbook")
	}
	// The offices' summary sheet: the province's admissions this year.
	var adm float64
	if err := d.Owner.QueryRowContext(ctx, `SELECT n FROM reporting.breakdown WHERE run_id = (SELECT max(id) FROM reporting.nightly_run WHERE status = 'succeeded')
		AND map = 'today' AND unit_id = ? AND period = '2026' AND measure = 'admissions' AND dimension = 'total'`, pid).Scan(&adm); err != nil {
		t.Fatal(err)
	}
	x, err = excelize.OpenFile(filepath.Join(sum.Dir, code, code+".xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	rows, err = x.GetRows("Kết nạp theo đơn vị")
	x.Close()
	if err != nil {
		t.Fatal(err)
	}
	found = false
	for _, r := range rows {
		if len(r) > 2 && r[0] == code {
			found = true
			if r[2] != fmt.Sprint(adm) {
				t.Errorf("admissions in the summary sheet %q, database %v", r[2], adm)
			}
		}
	}
	if !found {
		t.Error("no province row in the summary sheet")
	}
	if got := after(t, page[strings.Index(page, "<h3>Kết nạp đảng viên</h3>"):], "Tổng số"); got != count(adm) {
		t.Errorf("admissions on the page %q, database %v", got, adm)
	}
	// The index lists the run and the province.
	idx, err := os.ReadFile(filepath.Join(out, "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(idx), sum.Manifest.Name+"/"+code+"/index.html") || !strings.Contains(string(idx), "10/06/2026") {
		t.Error("the index does not list the run's province")
	}
	// One province only, a second run beside the first: the index lists both.
	if _, err := Generate(ctx, d.Owner, Options{Out: out, PDF: "off", Unit: code}); err != nil {
		t.Fatal(err)
	}
	ms, err := readManifests(out)
	if err != nil || len(ms) != 2 {
		t.Fatalf("%d runs in the index, %v", len(ms), err)
	}
	// Keep 1: the older run's reports are removed, the index lists the newest.
	if _, err := Generate(ctx, d.Owner, Options{Out: out, PDF: "off", Unit: code, Keep: 1, Now: func() time.Time { return today.Add(time.Hour) }}); err != nil {
		t.Fatal(err)
	}
	if ms, err = readManifests(out); err != nil || len(ms) != 1 {
		t.Fatalf("%d runs kept, %v", len(ms), err)
	}
	if _, err := Generate(ctx, d.Owner, Options{Out: out, PDF: "off"}); err != nil {
		t.Fatal(err)
	}
	// The backtest published by the nightly is fresh for this year, not for the next.
	if ok, err := forecast.BacktestFresh(ctx, d.Owner, "commune", today, time.Hour); err != nil || !ok {
		t.Errorf("the backtest just published is not fresh: %v %v", ok, err)
	}
	if ok, err := forecast.BacktestFresh(ctx, d.Owner, "commune", today.AddDate(1, 0, 0), time.Hour); err != nil || ok {
		t.Errorf("last year's backtest is fresh next year: %v %v", ok, err)
	}
	// A commune's report on its own: its page, its cells in the tables.
	var commune, communeName string
	if err := d.Owner.QueryRowContext(ctx, `SELECT u.code, n.name FROM reporting.forecast f JOIN org_unit u ON u.id = f.unit_id
		JOIN org_unit_name n ON n.unit_id = u.id AND n.valid_to IS NULL
		WHERE u.kind = 'grassroots_committee' AND u.sector = 'territorial' ORDER BY u.code LIMIT 1`).Scan(&commune, &communeName); err != nil {
		t.Fatal(err)
	}
	cs, err := Generate(ctx, d.Owner, Options{Out: t.TempDir(), PDF: "off", Unit: commune})
	if err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(cs.Dir, commune, "index.html")); err != nil || !strings.Contains(string(b), communeName) {
		t.Errorf("the commune's own report: %v", err)
	}
	if _, err := Generate(ctx, d.Owner, Options{Out: out, PDF: "off", Unit: "NO-SUCH"}); apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("an unknown unit's report: %v, want NOT_FOUND", err)
	}
	if _, err := Generate(ctx, d.Owner, Options{Out: out, PDF: "off", AsOf: today.AddDate(-1, 0, 0)}); apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("a report before any run: %v, want NOT_FOUND", err)
	}
	if ents, _ := os.ReadDir(out); len(ents) != 3 { // two runs and the index, nothing half-written
		t.Errorf("%d entries in the reports' directory after the refused ones", len(ents))
	}

	t.Run("chromium", func(t *testing.T) { chromiumCheck(t, filepath.Join(sum.Dir, code, "index.html")) })
}

func d2name(t *testing.T, d *pgtest.DB, id int64) string {
	var name string
	if err := d.Owner.QueryRow(`SELECT name FROM org_unit_name WHERE unit_id = ? ORDER BY valid_from DESC LIMIT 1`, id).Scan(&name); err != nil {
		t.Fatal(err)
	}
	return name
}

// chromiumCheck opens the page in headless Chromium: the rendered DOM has the SVG charts, the
// screenshot is not blank, and the PDF prints.
func chromiumCheck(t *testing.T, page string) {
	bin := Chromium("")
	if bin == "" {
		t.Skip("Chromium is not installed (apt-get install chromium): the report's rendering in a browser is not checked")
	}
	profile := t.TempDir()
	run := func(args ...string) []byte {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, bin, append(ChromiumArgs(profile), args...)...)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("chromium %v: %v\n%s", args, err, lastLines(stderr.Bytes()))
		}
		return stdout.Bytes()
	}
	dom := string(run("--dump-dom", "file://"+page))
	if n := strings.Count(dom, `<svg class="chart burnup"`); n == 0 {
		t.Errorf("the rendered DOM has no burn-up chart (%d bytes)", len(dom))
	}
	if !strings.Contains(dom, "<polygon class=\"fan80\"") || !strings.Contains(dom, "<polyline class=\"actual\"") {
		t.Error("the burn-up chart has no fan or no admissions line in the rendered DOM")
	}
	shot := filepath.Join(t.TempDir(), "page.png")
	run("--hide-scrollbars", "--window-size=1000,1400", "--screenshot="+shot, "file://"+page)
	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	white, dark, blue := 0, 0, 0
	bd := img.Bounds()
	for y := bd.Min.Y; y < bd.Max.Y; y += 2 {
		for x := bd.Min.X; x < bd.Max.X; x += 2 {
			r, g, b, _ := img.At(x, y).RGBA()
			r, g, b = r>>8, g>>8, b>>8
			switch {
			case r > 245 && g > 245 && b > 245:
				white++
			case r < 80 && g < 80 && b < 80:
				dark++
			}
			if b > r+40 && b > 150 { // the fan's blue
				blue++
			}
		}
	}
	total := white + dark + (bd.Dx()/2)*(bd.Dy()/2) - white - dark
	t.Logf("screenshot %dx%d: %d white, %d dark, %d blue of %d sampled pixels", bd.Dx(), bd.Dy(), white, dark, blue, total)
	if dark < 500 || white == total {
		t.Error("the screenshot is blank")
	}
	if blue < 200 {
		t.Error("the screenshot shows no forecast fan: the chart did not render")
	}
	// Both ways of printing: the browser kept open for a run (DevTools pipe), and one Chromium a page.
	p := &printer{bin: bin}
	pdf := filepath.Join(t.TempDir(), "page.pdf")
	if err := p.printCLI(page, pdf); err != nil {
		t.Fatal(err)
	}
	checkPDF(t, pdf)
	for i := range 2 {
		pdf := filepath.Join(t.TempDir(), fmt.Sprintf("pipe%d.pdf", i))
		if err := p.viaPipe(page, pdf); err != nil {
			t.Fatal(err)
		}
		checkPDF(t, pdf)
	}
	p.close()
}

func checkPDF(t *testing.T, pdf string) {
	b, _ := os.ReadFile(pdf)
	if !bytes.HasPrefix(b, []byte("%PDF-")) {
		t.Fatal("the PDF is not a PDF")
	}
	// Every page is A4 (595 × 842 points), as the print CSS asks.
	boxes := regexp.MustCompile(`MediaBox \[0 0 ([0-9.]+) ([0-9.]+)\]`).FindAllSubmatch(b, -1)
	if len(boxes) == 0 {
		t.Error("no page in the PDF")
	}
	for _, m := range boxes {
		var w, h float64
		fmt.Sscan(string(m[1]), &w)
		fmt.Sscan(string(m[2]), &h)
		if w < 594 || w > 596 || h < 841 || h > 843 {
			t.Errorf("a PDF page of %s × %s points, not A4", m[1], m[2])
		}
	}
	t.Logf("PDF: %d A4 pages, %d bytes", len(boxes), len(b))
}

// checkSorted checks that the probabilities in one at-risk table never decrease.
func checkSorted(t *testing.T, table string, n int) {
	risk := regexp.MustCompile(`<td class="n p">(?:<svg.*?</svg>)? ?(\d+) %</td>`).FindAllStringSubmatch(table, -1)
	for i := 1; i < len(risk); i++ {
		var a, b int
		fmt.Sscan(risk[i-1][1], &a)
		fmt.Sscan(risk[i][1], &b)
		if a > b {
			t.Errorf("at-risk list %d not sorted: %d %% before %d %%", n, a, b)
		}
	}
}
