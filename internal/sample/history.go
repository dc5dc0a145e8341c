package sample

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"ptdv/internal/audit"
	"ptdv/internal/calendar"
	"ptdv/internal/codes"
	"ptdv/internal/db"
	"ptdv/internal/member"
	"ptdv/internal/org"
	"ptdv/internal/page"
	"ptdv/internal/people"
	"ptdv/internal/target"
	"ptdv/internal/vn"
)

// The admission history of the seed articles: the members the districts admitted in the years the
// articles speak of, so that progress (and the reports built on it) show the figures the offices
// published:
//   - Quỳnh Phụ: 419 admissions of the 750 of its 2020–2025 term by 26/02/2024;
//   - Tam Dương: 89 admissions in 2020, and 163 in 2021 against its target of 160 for the year;
//   - Tiên Phước: 28 of its 60 for 2021 after seven months (31/07/2021), 52 by the year end;
//   - Pleiku: 412 of the 800 of its 2015–2020 term after two years (31/07/2017), 783 by its end;
//   - Bình Định: admissions in 2022 above its 4 % target (Chỉ thị 13-CT/TU) of the members at the end
//     of 2021; 3,5 to 3,9 % in 2019–2021, the decline the directive deplores.
//
// Every admission is a person recorded in a cell of the district as it stood on the decision date (a cell
// that still exists today, so the person's records are somewhere a secretary sees them), with the
// admission (decision date, ceremony 1–4 weeks later) and, once 12 months have passed, the recognition as
// a full member. Decision dates fall on working days, more of them in the weeks before 3/2, 19/5, 2/9 and
// the year end, when cells hold their ceremonies. The figures count what the pipeline part of the demo
// already recorded in the same windows (its dates move with the load day), so they are exact whatever day
// the demo is loaded for.
//
// Several thousand persons and events are written through the batch writers of packages people and
// member (people.Prepare and member.Check apply the same rules as Create and Record; WriteNew writes them
// with COPY), with one audit row per person: one-by-one writes would add about half a minute to the load.

// histWindow is a run of admissions: those decided from the end of the previous window of its unit (or
// its period's start) through Through add up to Total in the unit's subtree, admissions recorded by the
// pipeline part included.
type histWindow struct {
	Through time.Time
	Total   int
}

// histUnit is a district (or a province, through its districts) and its admissions.
type histUnit struct {
	Code     string   // the unit whose progress is counted
	Parts    []string // the districts whose cells receive the admissions (default: Code)
	Province string   // national ID digits 1–3 of births registered there
	Kind     target.PeriodKind
	Start    time.Time // the first day of the first window
	Windows  []histWindow
}

var histUnits = []histUnit{
	{Code: "TB.H-QUYNHPHU", Province: "034", Kind: target.PeriodTerm, Start: day(2020, 7, 10),
		Windows: []histWindow{{day(2024, 2, 26), 419}, {day(2025, 6, 30), 587}}},
	{Code: "VP.H-TAMDUONG", Province: "026", Kind: target.PeriodYear, Start: day(2020, 1, 1),
		Windows: []histWindow{{day(2020, 12, 31), 89}}},
	{Code: "VP.H-TAMDUONG", Province: "026", Kind: target.PeriodYear, Start: day(2021, 1, 1),
		Windows: []histWindow{{day(2021, 12, 31), 163}}},
	{Code: "QNA.H-TIENPHUOC", Province: "049", Kind: target.PeriodYear, Start: day(2021, 1, 1),
		Windows: []histWindow{{day(2021, 7, 31), 28}, {day(2021, 12, 31), 52}}},
	{Code: "GL.TP-PLEIKU", Province: "064", Kind: target.PeriodTerm, Start: day(2015, 8, 1),
		Windows: []histWindow{{day(2017, 7, 31), 412}, {day(2020, 7, 31), 783}}},
	{Code: "BD", Parts: []string{"BD.TP-QUYNHON", "BD.H-TAYSON"}, Province: "052", Kind: target.PeriodYear, Start: day(2019, 1, 1),
		Windows: []histWindow{{day(2019, 12, 31), 22}}},
	{Code: "BD", Parts: []string{"BD.TP-QUYNHON", "BD.H-TAYSON"}, Province: "052", Kind: target.PeriodYear, Start: day(2020, 1, 1),
		Windows: []histWindow{{day(2020, 12, 31), 21}}},
	{Code: "BD", Parts: []string{"BD.TP-QUYNHON", "BD.H-TAYSON"}, Province: "052", Kind: target.PeriodYear, Start: day(2021, 1, 1),
		Windows: []histWindow{{day(2021, 12, 31), 20}}},
}

// Bình Định: the members admitted before the demo history (recorded from 2015 in the cells of its two
// districts), and its 2022 admissions in percent of the members at the end of 2021.
const (
	bdBaseMembers   = 560
	bdRate2022      = 4.5
	bdTargetRate    = 4.0
	historyMarkUnit = "GL.TP-PLEIKU" // its 2015–2020 term says the history is loaded
)

// hcell is a cell that can receive admissions of a window.
type hcell struct {
	org.Unit
	issuer   string // HU, TU: the district committee decides admissions before the reform
	district string // the district's code (its decisions are numbered in one series a year)
	weight   int
}

type history struct {
	ctx     context.Context
	tx      db.BulkTx
	today   time.Time
	rng     *rand.Rand
	cal     *calendar.Calendar
	set     *codes.Set
	rules   map[string]member.Rule
	units   people.UnitFacts
	ids     map[string]bool
	names   map[string]bool
	counter map[string]int
	persons []people.Prepared
	hs      []member.NewHistory
	audits  []audit.Entry
}

// historyLoaded reports whether the history is there (it is loaded in one transaction with its terms).
func historyLoaded(ctx context.Context, idb bun.IDB) (bool, error) {
	var ok bool
	err := idb.NewRaw(`SELECT EXISTS (SELECT 1 FROM term t JOIN org_unit u ON u.id = t.unit_id WHERE t.recorded_by = ? AND u.code = ?)`,
		Subject, historyMarkUnit).Scan(ctx, &ok)
	if err != nil {
		return false, fmt.Errorf("demo: %w", err)
	}
	return ok, nil
}

// loadHistory records the terms and targets the articles name and the admissions behind the figures.
// It runs after the pipeline (whose admissions it counts) and after loadTargets (Quỳnh Phụ's term).
func loadHistory(ctx context.Context, tx db.BulkTx, today time.Time) error {
	h := &history{ctx: ctx, tx: tx, today: today, rng: rand.New(rand.NewPCG(2020, 2024)),
		units: people.UnitFacts{}, ids: map[string]bool{}, names: map[string]bool{}, counter: map[string]int{}}
	itx := tx.Tx // the domain APIs take the transaction; the batch writers the BulkTx around it
	var err error
	if h.cal, err = calendar.Load(ctx, itx); err != nil {
		return fmt.Errorf("demo: calendar: %w", err)
	}
	if h.set, err = codes.Load(ctx, itx); err != nil {
		return fmt.Errorf("demo: codes: %w", err)
	}
	if h.rules, err = member.Rules(ctx, itx); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	var nids []string
	if err := itx.NewRaw(`SELECT national_id FROM person WHERE national_id IS NOT NULL`).Scan(ctx, &nids); err != nil && len(nids) > 0 {
		return fmt.Errorf("demo: national IDs: %w", err)
	}
	for _, n := range nids {
		h.ids[n] = true
	}
	if err := h.targets(); err != nil {
		return err
	}
	// What each window needs, from what is recorded before anything of the history is: a window's
	// count is its unit's admissions through its last day less those through the previous window's.
	type run struct {
		u        histUnit
		from, to time.Time
		n        int
	}
	var runs []run
	for _, u := range histUnits {
		unit, err := org.GetByCode(ctx, itx, u.Code, u.Start)
		if err != nil {
			return fmt.Errorf("demo: history of %s: %w", u.Code, err)
		}
		from, want, have := u.Start, 0, 0
		for _, w := range u.Windows {
			p, err := target.ProgressForUnit(ctx, itx, unit.ID, target.MeasureAdmissions, u.Kind, w.Through)
			if err != nil {
				return fmt.Errorf("demo: progress of %s on %s: %w", u.Code, w.Through.Format(time.DateOnly), err)
			}
			n := (w.Total - want) - (p.Admitted - have)
			if n < 0 {
				return fmt.Errorf("demo: %s has %d admissions through %s already, more than the %d of the history", u.Code, p.Admitted, w.Through.Format(time.DateOnly), w.Total)
			}
			runs = append(runs, run{u, from, w.Through, n})
			from, want, have = w.Through.AddDate(0, 0, 1), w.Total, p.Admitted
		}
	}
	if err := h.baseMembers(); err != nil {
		return err
	}
	for _, r := range runs {
		if err := h.admit(r.u, r.from, r.to, r.n); err != nil {
			return err
		}
	}
	if err := h.write(); err != nil {
		return err
	}
	// Bình Định's 2022: above the rate of its target, of the members at the end of 2021 as now recorded.
	bd, err := org.GetByCode(ctx, itx, "BD", day(2022, 1, 1))
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	p, err := target.ProgressForUnit(ctx, itx, bd.ID, target.MeasureAdmissions, target.PeriodYear, day(2022, 12, 31))
	if err != nil {
		return fmt.Errorf("demo: progress of BD in 2022: %w", err)
	}
	if p.Denominator == nil {
		return fmt.Errorf("demo: the 2022 target of BD has no denominator")
	}
	n := int(math.Ceil(float64(*p.Denominator)*bdRate2022/100)) - p.Admitted
	if err := h.admit(histUnit{Code: "BD", Parts: []string{"BD.TP-QUYNHON", "BD.H-TAYSON"}, Province: "052"},
		day(2022, 1, 1), day(2022, 12, 31), max(n, 0)); err != nil {
		return err
	}
	return h.write()
}

// targets records the terms and targets of the articles.
func (h *history) targets() error {
	ctx, tx := h.ctx, h.tx.Tx
	unit := func(code string, on time.Time) (int64, error) {
		u, err := org.GetByCode(ctx, tx, code, on)
		if err != nil {
			return 0, fmt.Errorf("demo: %s: %w", code, err)
		}
		return u.ID, nil
	}
	count := func(id int64, period target.Period, n int, note string) error {
		_, err := target.CreateTarget(ctx, tx, target.NewTarget{UnitID: id, Measure: target.MeasureAdmissions, Period: period,
			Values: target.Values{Kind: target.KindCount, Count: ptrInt(n), Note: note}})
		if err != nil {
			return fmt.Errorf("demo: target %d of unit %d: %w", n, id, err)
		}
		return nil
	}
	pk, err := unit("GL.TP-PLEIKU", day(2016, 1, 1))
	if err != nil {
		return err
	}
	term, err := target.CreateTerm(ctx, tx, target.NewTerm{UnitID: pk, Name: "Nhiệm kỳ 2015–2020", StartsOn: day(2015, 8, 1),
		EndsOn: day(2020, 7, 31), CongressDocument: "Nghị quyết Đại hội Đảng bộ thành phố Pleiku nhiệm kỳ 2015–2020"})
	if err != nil {
		return fmt.Errorf("demo: Pleiku term: %w", err)
	}
	if err := count(pk, term.Period(), 800, "Kết nạp 800 đảng viên mới trong nhiệm kỳ"); err != nil {
		return err
	}
	td, err := unit("VP.H-TAMDUONG", day(2021, 1, 1))
	if err != nil {
		return err
	}
	if err := count(td, target.Year(2021), 160, "Kết nạp mới từ 160 đảng viên trở lên trong năm 2021"); err != nil {
		return err
	}
	tp, err := unit("QNA.H-TIENPHUOC", day(2021, 1, 1))
	if err != nil {
		return err
	}
	if err := count(tp, target.Year(2021), 60, "Chỉ tiêu kết nạp 60 đảng viên năm 2021"); err != nil {
		return err
	}
	bd, err := unit("BD", day(2022, 1, 1))
	if err != nil {
		return err
	}
	_, err = target.CreateTarget(ctx, tx, target.NewTarget{UnitID: bd, Measure: target.MeasureAdmissions, Period: target.Year(2022),
		Values: target.Values{Kind: target.KindRate, Rate: ptrFloat(bdTargetRate), RateBase: target.RateBaseMembersEndOfPreviousYear,
			Note: "Kết nạp đảng viên mới hằng năm đạt trên 4% so với tổng số đảng viên (Chỉ thị 13-CT/TU ngày 22/11/2021)"}})
	if err != nil {
		return fmt.Errorf("demo: Bình Định target: %w", err)
	}
	return nil
}

func ptrFloat(f float64) *float64 { return &f }

// cells returns the cells of the parts' subtrees on both from and to that still exist today, weighted:
// village and residential-group cells admit most.
func (h *history) cells(u histUnit, from, to time.Time) ([]hcell, error) {
	parts := u.Parts
	if len(parts) == 0 {
		parts = []string{u.Code}
	}
	var out []hcell
	for _, code := range parts {
		d, err := org.GetByCode(h.ctx, h.tx.Tx, code, from)
		if err != nil {
			return nil, fmt.Errorf("demo: %s: %w", code, err)
		}
		issuer := "HU"
		for _, s := range districts() {
			if s.code() == code {
				issuer = s.Issuer
			}
		}
		at := func(on time.Time) ([]org.Unit, error) {
			p, err := org.Descendants(h.ctx, h.tx.Tx, d.ID, on, org.Filter{}, page.Args{First: 10000})
			if err != nil {
				return nil, fmt.Errorf("demo: cells of %s on %s: %w", code, on.Format(time.DateOnly), err)
			}
			return p.Items, nil
		}
		first, err := at(from)
		if err != nil {
			return nil, err
		}
		last, err := at(to)
		if err != nil {
			return nil, err
		}
		for _, c := range first {
			if c.Kind != "cell" && c.Kind != "grassroots_cell" || c.ValidTo != nil ||
				!slices.ContainsFunc(last, func(x org.Unit) bool { return x.ID == c.ID }) {
				continue
			}
			w := 2
			switch c.Sector {
			case "territorial":
				w = 5
			case "armed_forces", "other":
				w = 1
			}
			out = append(out, hcell{Unit: c, issuer: issuer, district: code, weight: w})
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("demo: no cell of %s from %s to %s", u.Code, from.Format(time.DateOnly), to.Format(time.DateOnly))
	}
	ids := make([]int64, len(out))
	for i, c := range out {
		ids[i] = c.ID
	}
	units, err := people.LoadUnits(h.ctx, h.tx.Tx, ids)
	if err != nil {
		return nil, err
	}
	for id, u := range units {
		h.units[id] = u
	}
	return out, nil
}

// seasonal is the relative chance of an admission decision on a day: higher in the four weeks before
// 3/2 (the Party's founding), 19/5, 2/9 and the year end.
func seasonal(d time.Time) float64 {
	w := 1.0
	for _, a := range []time.Time{
		time.Date(d.Year(), 2, 3, 0, 0, 0, 0, time.UTC), time.Date(d.Year(), 5, 19, 0, 0, 0, 0, time.UTC),
		time.Date(d.Year(), 9, 2, 0, 0, 0, 0, time.UTC), time.Date(d.Year(), 12, 31, 0, 0, 0, 0, time.UTC),
	} {
		if k := a.Sub(d).Hours() / 24; k >= 0 && k < 28 {
			w += 2.5 * (1 - k/28)
		}
	}
	return w
}

// decisionDays draws n decision dates on working days from..to, by seasonal weight, in date order.
func (h *history) decisionDays(from, to time.Time, n int) []time.Time {
	var days []time.Time
	var cum []float64
	total := 0.0
	for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
		if !h.cal.IsWorkingDay(d) {
			continue
		}
		total += seasonal(d)
		days, cum = append(days, d), append(cum, total)
	}
	out := make([]time.Time, n)
	for i := range out {
		x := h.rng.Float64() * total
		j, _ := slices.BinarySearch(cum, x)
		out[i] = days[min(j, len(days)-1)]
	}
	slices.SortFunc(out, func(a, b time.Time) int { return a.Compare(b) })
	return out
}

// admit plans n admissions decided from..to in the unit's cells.
func (h *history) admit(u histUnit, from, to time.Time, n int) error {
	if n == 0 {
		return nil
	}
	cells, err := h.cells(u, from, to)
	if err != nil {
		return err
	}
	var cum []int
	total := 0
	for _, c := range cells {
		total += c.weight
		cum = append(cum, total)
	}
	for _, d := range h.decisionDays(from, to, n) {
		k, _ := slices.BinarySearch(cum, h.rng.IntN(total)+1)
		if err := h.member(u, cells[k], d); err != nil {
			return err
		}
	}
	return nil
}

// profileFor is the population profile of a cell's new members.
func profileFor(u histUnit, c hcell) profile {
	switch {
	case u.Code == "GL.TP-PLEIKU" && strings.Contains(c.Code, "PLEIKU.") && strings.HasPrefix(c.Name, "Chi bộ làng"):
		return profileOf("jrai")
	case u.Code == "GL.TP-PLEIKU":
		return profileOf("ward")
	case u.Code == "TB.H-QUYNHPHU":
		return profileOf("village")
	case u.Code == "VP.H-TAMDUONG":
		return profileOf("town")
	}
	p := profileOf("village")
	p.Region = "central"
	p.Religion = weighted("none*15", "buddhism*4", "catholicism")
	return p
}

// occupationIn is the occupation of a new member of a non-village cell.
func occupationIn(sector string) string {
	switch sector {
	case "school", "public_service":
		return "public_employee"
	case "state_agency":
		return "civil_servant"
	case "state_enterprise":
		return "state_enterprise_worker"
	case "non_state_enterprise":
		return "non_state_enterprise_worker"
	case "armed_forces":
		return "armed_forces"
	}
	return ""
}

// newPerson draws a person of a cell, aged from..to years on day d.
func (h *history) newPerson(u histUnit, c hcell, d time.Time, young bool) people.NewPerson {
	pr := profileFor(u, c)
	sex := "male"
	if h.rng.IntN(100) < pr.Female {
		sex = "female"
	}
	ages := pr.OlderAges
	if young {
		ages = [2]int{19, 30}
	}
	age := ages[0] + h.rng.IntN(ages[1]-ages[0]+1)
	birth := d.AddDate(-age, 0, -h.rng.IntN(360))
	n := people.NewPerson{Sex: sex, BirthDate: birth, Ethnicity: pick(h.rng, pr.Ethnicity), UnitID: c.ID}
	n.Religion, n.GeneralEducation = pick(h.rng, pr.Religion), pick(h.rng, pr.Education)
	if minority(n.Ethnicity) && pr.MinorityReligion != nil {
		n.Religion = pick(h.rng, pr.MinorityReligion)
	}
	if minority(n.Ethnicity) && pr.MinorityEducation != nil {
		n.GeneralEducation = pick(h.rng, pr.MinorityEducation)
	}
	n.FullName = uniqueName(h.rng, h.names, n.Ethnicity, sex, birth.Year(), pr.Region)
	c2 := (birth.Year()/100 - 19) * 2
	if sex == "female" {
		c2++
	}
	for {
		id := fmt.Sprintf("%s%d%02d%06d", u.Province, c2, birth.Year()%100, h.rng.IntN(1000000))
		if !h.ids[id] {
			h.ids[id], n.NationalID = true, id
			break
		}
	}
	n.Occupation = occupationIn(c.Sector)
	n.ProfessionalQualification = pick(h.rng, pr.Qualification)
	if n.Occupation == "" {
		n.Occupation = pick(h.rng, pr.Occupation)
		if young && pr.YoungOccupation != nil {
			n.Occupation = pick(h.rng, pr.YoungOccupation)
		}
	} else {
		n.Workplace = strings.TrimPrefix(c.Name, "Chi bộ ")
	}
	switch n.Occupation {
	case "civil_servant", "public_employee", "commune_staff":
		n.GeneralEducation = "upper_secondary"
		n.ProfessionalQualification = pick(h.rng, []string{"college", "university", "university"})
	case "university_student":
		n.GeneralEducation, n.ProfessionalQualification = "upper_secondary", "none"
	}
	if n.GeneralEducation == "lower_secondary" && n.ProfessionalQualification != "none" && n.ProfessionalQualification != "elementary" {
		n.ProfessionalQualification = "elementary"
	}
	n.PoliticalTheory = pick(h.rng, []string{"none", "elementary", "elementary"})
	n.YouthUnionMember = young && h.rng.IntN(100) < 85
	return n
}

func (h *history) next(series string, d time.Time) int {
	k := series + "|" + strconv.Itoa(d.Year())
	if _, ok := h.counter[k]; !ok {
		h.counter[k] = d.YearDay()/10 + h.rng.IntN(5)
	}
	h.counter[k] += 1 + h.rng.IntN(2)
	return h.counter[k]
}

func (h *history) decisionDoc(c hcell, d time.Time) string {
	return fmt.Sprintf("Quyết định số %d-QĐ/%s ngày %s", h.next(c.issuer+"/"+c.district, d), c.issuer, vn.Date(d))
}

// member plans one admission decided on day d in cell c: the person, in the cell since before the
// decision, the admission and, once the 12 months have passed, the recognition.
func (h *history) member(u histUnit, c hcell, d time.Time) error {
	np := h.newPerson(u, c, d, h.rng.IntN(100) < 65)
	since := d.AddDate(0, 0, -(120 + h.rng.IntN(420)))
	if since.Before(c.ValidFrom) {
		since = c.ValidFrom
	}
	np.Since = since
	ceremony := h.cal.AddWorkingDays(d, 5+h.rng.IntN(16))
	events := []member.Event{{Kind: member.KindAdmitted, Effective: ceremony, DecisionDate: &d, Document: h.decisionDoc(c, d)}}
	rec := h.cal.AddWorkingDays(calendar.AddMonths(ceremony, 12), h.rng.IntN(15))
	last := vn.Today() // no event may be dated in the future, whatever day the demo is loaded for
	if h.today.Before(last) {
		last = h.today
	}
	if !rec.After(last) {
		events = append(events, member.Event{Kind: member.KindRecognized, Effective: rec, Document: h.decisionDoc(c, rec),
			Note: "Công nhận đảng viên chính thức."})
	}
	return h.add(np, events)
}

// baseMembers plans Bình Định's members admitted before the demo history, recorded from 01/01/2015.
func (h *history) baseMembers() error {
	u := histUnit{Code: "BD", Parts: []string{"BD.TP-QUYNHON", "BD.H-TAYSON"}, Province: "052"}
	cells, err := h.cells(u, start, day(2022, 12, 31))
	if err != nil {
		return err
	}
	for i := range bdBaseMembers {
		c := cells[i%len(cells)]
		adm := day(1976, 1, 1).AddDate(0, 0, h.rng.IntN(38*365))
		d := h.cal.AddWorkingDays(adm, 1)
		np := h.newPerson(u, c, d, h.rng.IntN(100) < 60)
		np.YouthUnionMember = false
		np.PoliticalTheory = pick(h.rng, []string{"elementary", "elementary", "intermediate", "intermediate", "advanced"})
		if h.today.Year()-np.BirthDate.Year() >= 60 {
			np.Occupation, np.Workplace = "retired", ""
		}
		np.Since = start
		ceremony := h.cal.AddWorkingDays(d, 5+h.rng.IntN(16))
		rec := h.cal.AddWorkingDays(calendar.AddMonths(ceremony, 12), h.rng.IntN(15))
		if err := h.add(np, []member.Event{
			{Kind: member.KindAdmitted, Effective: ceremony, DecisionDate: &d, Document: h.decisionDoc(c, d)},
			{Kind: member.KindRecognized, Effective: rec, Document: h.decisionDoc(c, rec), Note: "Công nhận đảng viên chính thức."},
		}); err != nil {
			return err
		}
	}
	return nil
}

// add checks a planned person and their events by the rules of people.Create and member.Record.
func (h *history) add(np people.NewPerson, events []member.Event) error {
	p, err := people.Prepare(h.set, h.units, np)
	if err != nil {
		return fmt.Errorf("demo: history: person %s in unit %d since %s: %w", np.FullName, np.UnitID, np.Since.Format(time.DateOnly), err)
	}
	hist := member.NewHistory{UnitID: np.UnitID, Since: p.Since}
	for _, e := range events {
		ok, err := member.Check(p.Person, hist.Events, e, h.rules, h.set)
		if err != nil {
			return fmt.Errorf("demo: history: %s of %s on %s: %w", e.Kind, np.FullName, e.Effective.Format(time.DateOnly), err)
		}
		hist.Events = append(hist.Events, ok)
	}
	h.persons, h.hs = append(h.persons, p), append(h.hs, hist)
	return nil
}

// write records the planned persons and events with COPY, one audit row per person.
func (h *history) write() error {
	if len(h.persons) == 0 {
		return nil
	}
	ids, err := db.NextIDs(h.ctx, h.tx, "person", len(h.persons))
	if err != nil {
		return err
	}
	entries := make([]audit.Entry, len(h.persons))
	for i := range h.persons {
		h.persons[i].Person.ID, h.hs[i].PersonID = ids[i], ids[i]
		after, err := json.Marshal(map[string]any{"personId": ids[i], "unitId": h.hs[i].UnitID, "since": h.hs[i].Since.Format(time.DateOnly),
			"events": len(h.hs[i].Events), "source": "demo: lịch sử kết nạp theo các bài báo"})
		if err != nil {
			return err
		}
		entries[i] = audit.Entry{Action: "member.history_loaded", Entity: "person", EntityID: strconv.FormatInt(ids[i], 10), After: json.RawMessage(after)}
	}
	if err := people.WriteNew(h.ctx, h.tx, h.persons); err != nil {
		return fmt.Errorf("demo: history: %w", err)
	}
	if err := member.WriteNew(h.ctx, h.tx, h.hs); err != nil {
		return fmt.Errorf("demo: history: %w", err)
	}
	if err := audit.RecordMany(h.ctx, h.tx, entries); err != nil {
		return fmt.Errorf("demo: history: %w", err)
	}
	h.persons, h.hs = nil, nil
	return nil
}
