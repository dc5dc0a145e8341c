package sample_test

import (
	"context"
	"maps"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"ptdv/internal/auth"
	"ptdv/internal/org"
	"ptdv/internal/page"
	"ptdv/internal/people"
	"ptdv/internal/pgtest"
	"ptdv/internal/pipeline"
	"ptdv/internal/sample"
	"ptdv/internal/target"
	"ptdv/internal/vn"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

var all = page.Args{First: 100000}

// env reads the tree as a national-scope actor.
type env struct {
	t   *testing.T
	ctx context.Context
	db  bun.IDB
}

func (e env) unit(code string, asOf time.Time) org.Unit {
	e.t.Helper()
	u, err := org.GetByCode(e.ctx, e.db, code, asOf)
	if err != nil {
		e.t.Fatalf("GetByCode(%s, %s): %v", code, asOf.Format(time.DateOnly), err)
	}
	return u
}

func (e env) children(id int64, asOf time.Time) []org.Unit {
	e.t.Helper()
	p, err := org.Children(e.ctx, e.db, id, asOf, org.Filter{}, all)
	if err != nil {
		e.t.Fatalf("Children(%d): %v", id, err)
	}
	return p.Items
}

func (e env) descendants(id int64, asOf time.Time, kind string) []org.Unit {
	e.t.Helper()
	p, err := org.Descendants(e.ctx, e.db, id, asOf, org.Filter{Kind: kind}, all)
	if err != nil {
		e.t.Fatalf("Descendants(%d): %v", id, err)
	}
	return p.Items
}

func (e env) count(id int64, asOf time.Time) map[string]int {
	e.t.Helper()
	m, err := org.CountDescendants(e.ctx, e.db, id, asOf)
	if err != nil {
		e.t.Fatalf("CountDescendants(%d): %v", id, err)
	}
	return m
}

func (e env) search(text string, asOf time.Time) []org.Unit {
	e.t.Helper()
	p, err := org.Search(e.ctx, e.db, text, asOf, false, org.Filter{}, all)
	if err != nil {
		e.t.Fatalf("Search(%q): %v", text, err)
	}
	return p.Items
}

func byKind(us []org.Unit) map[string]int {
	m := map[string]int{}
	for _, u := range us {
		m[u.Kind]++
	}
	return m
}

func ids(us []org.Unit) []int64 {
	out := make([]int64, len(us))
	for i, u := range us {
		out[i] = u.ID
	}
	slices.Sort(out)
	return out
}

func TestLoad(t *testing.T) {
	t.Parallel()
	d := pgtest.New(t)
	ctx := context.Background()

	s, err := sample.Load(ctx, d.App)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("loaded in %s: %d units (%v today), %d operations, %d villages; admin %s, commune %s, cell %s",
		s.Duration.Round(time.Millisecond), s.Units, s.ByKind, s.Operations, s.Villages, s.AdminUnitCode, s.SampleCommuneCode, s.SampleCellCode)
	t.Logf("admission history loaded in %s", s.History.Round(time.Millisecond))
	t.Logf("pipeline: %d persons, %d members, %d cases %v, %d overdue", s.Persons, s.Members, s.Cases, s.CasesByStage, s.Overdue)
	if s.Units < 1500 || s.Units > 2500 {
		t.Errorf("Units = %d, want 1,500–2,500", s.Units)
	}
	if s.ByKind["district"] != 0 || s.ByKind["province"] != 4 {
		t.Errorf("ByKind today = %v, want 4 provinces and no district", s.ByKind)
	}

	e := env{t, auth.WithActor(ctx, auth.System("test")), d.App}
	y2021 := day(2021, 1, 1)

	t.Run("targets", func(t *testing.T) {
		qp := e.unit("TB.H-QUYNHPHU", day(2024, 1, 1))
		p, err := target.ProgressForUnit(e.ctx, d.App, qp.ID, target.MeasureAdmissions, target.PeriodTerm, day(2024, 2, 26))
		if err != nil {
			t.Fatal(err)
		}
		if p.TargetCount == nil || *p.TargetCount != 750 || p.PercentElapsed <= 0 {
			t.Errorf("Quỳnh Phụ progress = %+v", p)
		}
		pt := e.unit("PT", time.Now())
		ts, err := target.UnitTargets(e.ctx, d.App, pt.ID, target.Filter{}, page.Args{First: 10})
		if err != nil || len(ts.Items) != 2 {
			t.Fatalf("Phú Thọ targets = %+v, %v", ts.Items, err)
		}
		for _, tg := range ts.Items {
			if tg.Period.Kind != target.PeriodYear {
				continue
			}
			a, err := target.GetAllocation(e.ctx, d.App, tg.ID)
			if err != nil || len(a.Children) == 0 || a.Balanced || a.Warning == "" {
				t.Errorf("allocation of the year target = %+v, %v", a, err)
			}
		}
	})

	t.Run("articles", func(t *testing.T) {
		checkArticles(t, e, s)
	})

	t.Run("tam duong 2021", func(t *testing.T) {
		e := env{t, e.ctx, e.db}
		td := e.unit("VP.H-TAMDUONG", y2021)
		if td.Name != "Đảng bộ huyện Tam Dương" || td.Kind != "district" {
			t.Errorf("Tam Dương = %+v", td)
		}
		kids := e.children(td.ID, y2021)
		communes := 0
		for _, k := range kids {
			if k.Kind == "grassroots_committee" && k.Sector == "territorial" {
				communes++
			}
		}
		if got := byKind(kids); len(kids) != 48 || got["grassroots_committee"] != 17 || got["grassroots_cell"] != 31 || communes != 13 {
			t.Errorf("children of Tam Dương on 2021-01-01: %d %v with %d communes, want 48 = 13 communes + 4 agency committees + 31 grassroots cells", len(kids), got, communes)
		}
		if got := e.count(td.ID, y2021); got["cell"] != 218 {
			t.Errorf("subtree of Tam Dương on 2021-01-01 = %v, want 218 cells", got)
		}
		if got := len(e.descendants(td.ID, y2021, "cell")); got != 218 {
			t.Errorf("Descendants(cell) = %d, want 218", got)
		}
	})

	t.Run("pleiku 2021", func(t *testing.T) {
		e := env{t, e.ctx, e.db}
		pk := e.unit("GL.TP-PLEIKU", y2021)
		kids := e.children(pk.ID, y2021)
		communes := 0
		for _, k := range kids {
			if k.Kind == "grassroots_committee" && k.Sector == "territorial" {
				communes++
			}
		}
		if len(kids) != 68 || communes != 23 {
			t.Errorf("Pleiku on 2021-01-01: %d grassroots organizations (%d communes/wards), want 68 (23)", len(kids), communes)
		}
		cells := e.count(pk.ID, y2021)["cell"]
		t.Logf("Pleiku on 2021-01-01: %d grassroots organizations, %d cells", len(kids), cells)
		if cells < 300 || cells > 500 {
			t.Errorf("Pleiku has %d cells, want a few hundred", cells)
		}
	})

	t.Run("search", func(t *testing.T) {
		e := env{t, e.ctx, e.db}
		for _, c := range []struct{ text, code string }{
			{"tam duong", "VP.H-TAMDUONG"},
			{"pleiku", "GL.TP-PLEIKU"},
			{"Thành ủy Pleiku", ""}, // the name is "Đảng bộ thành phố Pleiku": not every word matches
		} {
			found := e.search(c.text, y2021)
			if c.code == "" {
				continue
			}
			if !slices.ContainsFunc(found, func(u org.Unit) bool { return u.Code == c.code }) {
				t.Errorf("Search(%q) on 2021-01-01 did not find %s (%d results)", c.text, c.code, len(found))
			}
		}
	})

	t.Run("history", func(t *testing.T) {
		e := env{t, e.ctx, e.db}
		// A move: the town police cell joined the town committee on 2020-07-01.
		cell := e.unit("VP.H-TAMDUONG.CA.CAHOPHOA", day(2020, 6, 30))
		before, after := cell.ParentID, e.unit(cell.Code, day(2020, 7, 1)).ParentID
		if before == nil || after == nil || *before != e.unit("VP.H-TAMDUONG.CA", y2021).ID || *after != e.unit("VP.H-TAMDUONG.HOPHOA", y2021).ID {
			t.Errorf("town police cell parent: %v then %v", before, after)
		}
		// A rename.
		if n := e.unit("VP.H-TAMDUONG.CQDDT", day(2020, 8, 31)).Name; n != "Đảng bộ Khối Đảng – Đoàn thể huyện Tam Dương" {
			t.Errorf("old name = %q", n)
		}
		if n := e.unit("VP.H-TAMDUONG.CQDDT", day(2020, 9, 1)).Name; n != "Đảng bộ Cơ quan Đảng – Đoàn thể huyện Tam Dương" {
			t.Errorf("new name = %q", n)
		}
		// A merger of two communes in 2020: Châu Sơn continues Quỳnh Châu and Quỳnh Sơn with their cells.
		cs := e.unit("TB.H-QUYNHPHU.CHAUSON", day(2020, 4, 1))
		if !cs.ExistsOn(day(2020, 4, 1)) || cs.ExistsOn(day(2020, 3, 31)) {
			t.Errorf("Châu Sơn = %+v", cs)
		}
		qc := e.unit("TB.H-QUYNHPHU.QUYNHCHAU", day(2020, 3, 31))
		if qc.ValidTo == nil || !qc.ValidTo.Equal(day(2020, 4, 1)) {
			t.Errorf("Quỳnh Châu ends %v", qc.ValidTo)
		}
		moved := e.count(qc.ID, day(2020, 3, 31))["cell"] + e.count(e.unit("TB.H-QUYNHPHU.QUYNHSON", day(2020, 3, 31)).ID, day(2020, 3, 31))["cell"]
		if got := e.count(cs.ID, day(2020, 4, 1))["cell"]; got != moved || got == 0 {
			t.Errorf("Châu Sơn has %d cells, its predecessors had %d", got, moved)
		}
		lin, err := org.Lineage(e.ctx, e.db, qc.ID, true)
		if err != nil || len(lin) == 0 || lin[0].UnitID != cs.ID {
			t.Errorf("lineage of Quỳnh Châu = %+v, %v", lin, err)
		}
	})

	t.Run("reform 2025", func(t *testing.T) {
		e := env{t, e.ctx, e.db}
		before, after := day(2025, 6, 30), day(2025, 7, 2)
		roots, err := org.Roots(e.ctx, e.db, after, all)
		if err != nil {
			t.Fatal(err)
		}
		var codes []string
		for _, r := range roots.Items {
			codes = append(codes, r.Code)
			if n := e.count(r.ID, after)["district"]; n != 0 {
				t.Errorf("%s has %d districts on %s", r.Code, n, after.Format(time.DateOnly))
			}
			for _, k := range e.children(r.ID, after) {
				if k.Kind != "grassroots_committee" && k.Kind != "grassroots_cell" {
					t.Errorf("%s under %s on 2025-07-02: kind %s", k.Code, r.Code, k.Kind)
				}
			}
		}
		if !slices.Equal(codes, []string{"DN", "GL25", "HY", "PT"}) {
			t.Errorf("provinces on 2025-07-02 = %v", codes)
		}
		if td := e.unit("VP.H-TAMDUONG", after); td.ExistsOn(after) {
			t.Errorf("Tam Dương still exists on 2025-07-02")
		}
		pt := e.unit("PT", after)
		if pt.Name != "Đảng bộ tỉnh Phú Thọ" {
			t.Errorf("Phú Thọ is named %q", pt.Name)
		}
		if vp := e.unit("VP", after); vp.ExistsOn(after) {
			t.Errorf("Vĩnh Phúc still exists")
		}
		// The new Gia Lai holds what Bình Định and the old Gia Lai held.
		gl := e.unit("GL25", after)
		if gl.Name != "Đảng bộ tỉnh Gia Lai" || gl.ParentID != nil {
			t.Errorf("new Gia Lai = %+v", gl)
		}
		inNew := map[int64]bool{gl.ID: true}
		for _, u := range e.descendants(gl.ID, after, "") {
			inNew[u.ID] = true
		}
		for _, kind := range []string{"cell", "grassroots_cell"} {
			var old []org.Unit
			for _, p := range []string{"BD", "GL"} {
				old = append(old, e.descendants(e.unit(p, before).ID, before, kind)...)
			}
			if got, want := ids(e.descendants(gl.ID, after, kind)), ids(old); !slices.Equal(got, want) || len(got) == 0 {
				t.Errorf("new Gia Lai has %d units of kind %s, Bình Định and Gia Lai had %d", len(got), kind, len(want))
			}
		}
		// Every committee of the old provinces is in the new one, or continued by a unit that is.
		for _, p := range []string{"BD", "GL"} {
			for _, u := range e.descendants(e.unit(p, before).ID, before, "grassroots_committee") {
				if inNew[u.ID] {
					continue
				}
				lin, err := org.Lineage(e.ctx, e.db, u.ID, true)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.ContainsFunc(lin, func(l org.LineageLink) bool { return inNew[l.UnitID] }) {
					t.Errorf("%s (%s) is neither in the new Gia Lai nor continued there", u.Code, u.Name)
				}
			}
			lin, err := org.Lineage(e.ctx, e.db, e.unit(p, before).ID, true)
			if err != nil || len(lin) != 1 || lin[0].UnitID != gl.ID {
				t.Errorf("lineage of %s = %+v, %v", p, lin, err)
			}
		}
		// Pleiku's wards became new wards of the new province, with their cells.
		pk := e.unit("GL25.PLEIKU", after)
		if pk.ParentID == nil || *pk.ParentID != gl.ID || pk.Name != "Đảng bộ phường Pleiku" {
			t.Errorf("ward Pleiku = %+v", pk)
		}
		// Tam Dương's cells are all in Phú Thọ.
		tdCells := e.descendants(e.unit("VP.H-TAMDUONG", before).ID, before, "cell")
		inPT := map[int64]bool{}
		for _, u := range e.descendants(pt.ID, after, "cell") {
			inPT[u.ID] = true
		}
		for _, c := range tdCells {
			if !inPT[c.ID] {
				t.Errorf("cell %s of Tam Dương is not in Phú Thọ on 2025-07-02", c.Code)
			}
		}
	})

	t.Run("villages", func(t *testing.T) {
		e := env{t, e.ctx, e.db}
		hh := e.unit("VP.H-TAMDUONG.HOANGHOA", y2021)
		p, err := org.Villages(e.ctx, e.db, hh.ID, y2021, all)
		if err != nil {
			t.Fatal(err)
		}
		var uncovered []string
		for _, v := range p.Items {
			if v.CellID == nil {
				uncovered = append(uncovered, v.Name)
			}
		}
		if len(p.Items) != 11 || !slices.Equal(uncovered, []string{"Thôn Gò Vầu"}) {
			t.Errorf("villages of Hoàng Hoa: %d, uncovered %v", len(p.Items), uncovered)
		}
		if s.Villages < 40 {
			t.Errorf("Villages = %d", s.Villages)
		}
		cell := e.unit(s.SampleCellCode, time.Now())
		vs, err := org.Villages(e.ctx, e.db, cell.ID, time.Now(), all)
		if err != nil || len(vs.Items) != 1 {
			t.Errorf("villages of the sample cell: %+v, %v", vs.Items, err)
		}
		if a := e.unit(s.SampleCommuneCode, time.Now()); cell.ParentID == nil || *cell.ParentID != a.ID || *a.ParentID != e.unit(s.AdminUnitCode, time.Now()).ID {
			t.Errorf("sample codes %s, %s, %s do not nest today", s.AdminUnitCode, s.SampleCommuneCode, s.SampleCellCode)
		}
	})

	t.Run("pipeline", func(t *testing.T) {
		checkPipeline(t, e.ctx, d.App, s, vn.Today())
	})

	t.Run("idempotent", func(t *testing.T) {
		again, err := sample.Load(ctx, d.App)
		if err != nil {
			t.Fatal(err)
		}
		if again.Duration != 0 || again.Units != s.Units || again.Operations != s.Operations || again.Villages != s.Villages ||
			len(again.ByKind) != len(s.ByKind) || again.Persons != s.Persons || again.Members != s.Members ||
			again.Cases != s.Cases || again.Overdue != s.Overdue || len(again.CasesByStage) != len(s.CasesByStage) {
			t.Errorf("second Load = %+v, first %+v", again, s)
		}
		for k, n := range s.ByKind {
			if again.ByKind[k] != n {
				t.Errorf("second Load ByKind[%s] = %d, want %d", k, again.ByKind[k], n)
			}
		}
		for k, n := range s.CasesByStage {
			if again.CasesByStage[k] != n {
				t.Errorf("second Load CasesByStage[%s] = %d, want %d", k, again.CasesByStage[k], n)
			}
		}
	})
}

// The pipeline's dates are relative to the day the demo is loaded for: loaded for an earlier day, on a
// fresh database, it shows the same living pipeline as of that day. A day after the real date is
// refused: no move may be dated in the future.
// It does not run in parallel with TestLoad: two loads at once would double the load time TestLoad
// measures.
func TestLoadAtEarlierDay(t *testing.T) {
	d := pgtest.New(t)
	ctx := context.Background()
	earlier := vn.Today().AddDate(0, 0, -45)
	for _, bad := range []time.Time{day(2025, 12, 31), vn.Today().AddDate(0, 0, 1), vn.Today().AddDate(1, 0, 0)} {
		if _, err := sample.LoadAt(ctx, d.App, bad); err == nil {
			t.Errorf("LoadAt(%s) was accepted", bad.Format(time.DateOnly))
		}
	}
	s, err := sample.LoadAt(ctx, d.App, earlier)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("loaded for %s in %s: %d persons, %d members, %d cases %v, %d overdue", earlier.Format(time.DateOnly),
		s.Duration.Round(time.Millisecond), s.Persons, s.Members, s.Cases, s.CasesByStage, s.Overdue)
	sys := auth.WithActor(ctx, auth.System("test"))
	checkPipeline(t, sys, d.App, s, earlier)
	// The newest sources were listed on the earlier day: the dates moved with today, none is later.
	all, err := pipeline.List(sys, d.App, pipeline.Filter{Stages: []string{pipeline.StageSource}}, earlier, page.Args{First: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if slices.ContainsFunc(all.Items, func(c pipeline.Case) bool { return c.ListedOn.After(earlier) }) ||
		!slices.ContainsFunc(all.Items, func(c pipeline.Case) bool { return c.ListedOn.After(earlier.AddDate(0, 0, -30)) }) {
		t.Errorf("sources not listed up to %s", earlier.Format(time.DateOnly))
	}
	again, err := sample.LoadAt(ctx, d.App, earlier)
	if err != nil || again.Duration != 0 || again.Cases != s.Cases || again.Overdue != s.Overdue {
		t.Errorf("second LoadAt = %+v, %v", again, err)
	}
}

// checkPipeline checks the demo pipeline as of today: every stage, overdue and due-soon items of every
// kind the scenarios aim at, helpers, responsible committee members, positions and the mix of persons.
func checkPipeline(t *testing.T, ctx context.Context, db bun.IDB, s sample.Summary, today time.Time) {
	t.Helper()
	many := page.Args{First: 1000}
	funnel, err := pipeline.Funnel(ctx, db, nil, today)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range funnel {
		if f.N == 0 || s.CasesByStage[f.Stage] != f.N {
			t.Errorf("stage %s: funnel %d, summary %d; want at least one, equal", f.Stage, f.N, s.CasesByStage[f.Stage])
		}
	}
	if s.Cases < 60 || s.Cases > 100 {
		t.Errorf("Cases = %d, want 60–100", s.Cases)
	}
	if s.Members < 30 {
		t.Errorf("Members = %d", s.Members)
	}
	// Overdue: the due list's overdue rows, and the cases with something overdue.
	due, err := pipeline.DueList(ctx, db, nil, nil, today, today, many)
	if err != nil {
		t.Fatal(err)
	}
	overdue := map[string]int{}
	n := 0
	for _, it := range due.Items {
		if it.Overdue {
			overdue[it.Kind]++
			n++
		}
	}
	if n < 4 || n != s.Overdue {
		t.Errorf("overdue items: %d (%v), summary %d; want at least 4, equal", n, overdue, s.Overdue)
	}
	for _, k := range []string{"dossier_stale", "decision_due", "ceremony_due", "recognition_due", "source_stalled"} {
		if overdue[k] == 0 {
			t.Errorf("nothing overdue of kind %s (%v)", k, overdue)
		}
	}
	od, err := pipeline.List(ctx, db, pipeline.Filter{OverdueOn: &today}, today, many)
	if err != nil || len(od.Items) < 4 {
		t.Errorf("cases overdue on %s: %d, %v", today.Format(time.DateOnly), len(od.Items), err)
	}
	from, to := today, today.AddDate(0, 0, 30)
	soon, err := pipeline.DueList(ctx, db, nil, &from, to, today, many)
	soonKinds := map[string]int{}
	for _, it := range soon.Items {
		soonKinds[it.Kind]++
	}
	if err != nil || len(soon.Items) < 5 {
		t.Errorf("due within 30 days: %v, %v", soonKinds, err)
	}
	t.Logf("overdue on %s: %v; due within 30 days: %v", today.Format(time.DateOnly), overdue, soonKinds)
	// Every candidate and probationary member has a helper; every cell a responsible committee member.
	open, err := pipeline.List(ctx, db, pipeline.Filter{}, today, many)
	if err != nil {
		t.Fatal(err)
	}
	cells := map[int64]bool{}
	var ids []int64
	for _, c := range open.Items {
		if c.HelperID == nil {
			t.Errorf("case %d (%s) has no helper", c.ID, c.Stage)
		}
		cells[c.CellID] = true
		ids = append(ids, c.PersonID)
	}
	if len(cells) != 6 {
		t.Errorf("open cases in %d cells, want 6", len(cells))
	}
	var unanswered int
	if err := db.NewRaw(`SELECT count(*) FROM unnest(?::bigint[]) AS c(id) WHERE NOT EXISTS
			(SELECT 1 FROM unit_responsible r WHERE r.unit_id = c.id AND r.valid_from <= ? AND r.valid_to IS NULL)`,
		pgdialect.Array(slices.Collect(maps.Keys(cells))), today).Scan(ctx, &unanswered); err != nil || unanswered != 0 {
		t.Errorf("%d cells without a responsible committee member (%v)", unanswered, err)
	}
	for _, pos := range []string{"village_head", "women_union_leader", "commune_police"} {
		p, err := people.Search(ctx, db, people.Filter{Position: pos}, many)
		if err != nil || len(p.Items) == 0 {
			t.Errorf("nobody holds %s (%v)", pos, err)
		}
	}
	// The candidates: more than 42 % women, Gia Rai and Ba Na candidates, many Youth Union members.
	ps, err := people.Get(ctx, db, ids)
	if err != nil {
		t.Fatal(err)
	}
	women, youth, eth := 0, 0, map[string]int{}
	for _, p := range ps {
		if p.Sex == "female" {
			women++
		}
		if p.YouthUnionMember {
			youth++
		}
		eth[p.Ethnicity]++
	}
	if women*100 <= 42*len(ps) || youth*100 < 30*len(ps) || eth["gia_rai"] == 0 || eth["ba_na"] == 0 {
		t.Errorf("open candidates: %d, %d women, %d Youth Union members, ethnicities %v", len(ps), women, youth, eth)
	}
}

// checkArticles checks the figures of the seed articles through the target package's progress: each
// is what the article reports, on the day it reports it.
func checkArticles(t *testing.T, e env, s sample.Summary) {
	progress := func(code string, kind target.PeriodKind, on time.Time) target.Progress {
		t.Helper()
		u := e.unit(code, on)
		p, err := target.ProgressForUnit(e.ctx, e.db, u.ID, target.MeasureAdmissions, kind, on)
		if err != nil {
			t.Fatalf("ProgressForUnit(%s, %s, %s): %v", code, kind, on.Format(time.DateOnly), err)
		}
		return p
	}
	count := func(p target.Progress) int {
		if p.TargetCount == nil {
			return -1
		}
		return *p.TargetCount
	}
	// Quỳnh Phụ: 419 of the 750 of the 2020–2025 term by 26/02/2024.
	qp := progress("TB.H-QUYNHPHU", target.PeriodTerm, day(2024, 2, 26))
	if qp.Admitted != 419 || count(qp) != 750 || !qp.Period.Start.Equal(day(2020, 7, 10)) {
		t.Errorf("Quỳnh Phụ on 26/02/2024: %d of %d for the term from %s, want 419 of 750 from 2020-07-10",
			qp.Admitted, count(qp), qp.Period.Start.Format(time.DateOnly))
	}
	// Tam Dương: 89 in 2020; at least 160 in 2021, its target for the year, met.
	if td := progress("VP.H-TAMDUONG", target.PeriodYear, day(2020, 12, 31)); td.Admitted != 89 {
		t.Errorf("Tam Dương 2020: %d admissions, want 89", td.Admitted)
	}
	td := progress("VP.H-TAMDUONG", target.PeriodYear, day(2021, 12, 31))
	if td.Admitted < 160 || count(td) != 160 || td.PercentDone == nil || *td.PercentDone < 100 || td.SamePeriodLastYear != 89 {
		t.Errorf("Tam Dương 2021: %d of %d (%v %%), last year %d; want at least 160 of 160, last year 89",
			td.Admitted, count(td), td.PercentDone, td.SamePeriodLastYear)
	}
	// Tiên Phước: 28 of its 60 for 2021 after seven months, short of the target at the year end.
	tp := progress("QNA.H-TIENPHUOC", target.PeriodYear, day(2021, 7, 31))
	if tp.Admitted != 28 || count(tp) != 60 {
		t.Errorf("Tiên Phước on 31/07/2021: %d of %d, want 28 of 60", tp.Admitted, count(tp))
	}
	if end := progress("QNA.H-TIENPHUOC", target.PeriodYear, day(2021, 12, 31)); end.Admitted <= 28 || end.Admitted >= 60 {
		t.Errorf("Tiên Phước 2021: %d, want between 28 and 60", end.Admitted)
	}
	// Pleiku: more than 400 of the 800 of the 2015–2020 term after two years; more than 130 in the
	// first eleven months of 2017 (the article of 06/12/2017).
	pk := progress("GL.TP-PLEIKU", target.PeriodTerm, day(2017, 7, 31))
	if pk.Admitted < 400 || pk.Admitted >= 800 || count(pk) != 800 || pk.DaysElapsed != 731 {
		t.Errorf("Pleiku after two years: %d of %d (%d days), want 400+ of 800 after 731 days", pk.Admitted, count(pk), pk.DaysElapsed)
	}
	if y := progress("GL.TP-PLEIKU", target.PeriodYear, day(2017, 11, 30)); y.Admitted <= 130 {
		t.Errorf("Pleiku January–November 2017: %d, want more than 130", y.Admitted)
	}
	// Bình Định: above 4 % of the members at the end of 2021, read through the target itself.
	bd := e.unit("BD", day(2022, 1, 1))
	ts, err := target.UnitTargets(e.ctx, e.db, bd.ID, target.Filter{}, page.Args{First: 10})
	if err != nil || len(ts.Items) != 1 {
		t.Fatalf("targets of Bình Định: %+v, %v", ts.Items, err)
	}
	p, err := target.TargetProgress(e.ctx, e.db, ts.Items[0].ID, day(2022, 12, 31))
	if err != nil {
		t.Fatal(err)
	}
	if p.Rate == nil || *p.Rate != 4 || p.Denominator == nil || *p.Denominator < 500 || p.DenominatorOn == nil ||
		!p.DenominatorOn.Equal(day(2021, 12, 31)) || count(p) == -1 || p.Admitted < count(p) || p.Admitted*100 <= 4**p.Denominator {
		t.Errorf("Bình Định 2022: %d admitted, rate %v of %v members on %v → target %d; want above 4 %%", p.Admitted, p.Rate, p.Denominator, p.DenominatorOn, count(p))
	} else {
		t.Logf("Bình Định 2022: %d admitted of %d members at the end of 2021 (%.1f %%), target %d",
			p.Admitted, *p.Denominator, float64(p.Admitted)*100/float64(*p.Denominator), count(p))
	}
	// The same cells held the persons: the history is members, counted as the demo's.
	if s.Members < 2000 {
		t.Errorf("Members = %d, want the history's members too", s.Members)
	}
}

// The load writes the admission history with COPY on a connection of its own: given anything but the
// database handle, it refuses before writing anything.
func TestLoadNeedsTheDatabaseHandle(t *testing.T) {
	t.Parallel()
	d := pgtest.New(t)
	ctx := context.Background()
	tx, err := d.App.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := sample.LoadAt(ctx, tx, vn.Today()); err == nil {
		t.Fatal("LoadAt in a caller's transaction was accepted")
	}
	var n int
	if err := tx.NewRaw(`SELECT count(*) FROM org_unit`).Scan(ctx, &n); err != nil || n != 0 {
		t.Errorf("%d units written (%v)", n, err)
	}
}
