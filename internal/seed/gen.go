package seed

import (
	"math"
	"slices"
	"strconv"
	"strings"
)

// gen holds what every cell's generation reads.
type gen struct {
	seed         uint64
	start, today day
	wd           *workdays
	rules        ruleSet
	b            *builder
	rBase        float64 // admissions per member and year (national average)
	target       map[*unit]float64
	minority     map[*unit]float64 // minority share of a district's members
	// The window of member_yearend_window (the years member_yearend holds), and after run the year-end
	// counts of all cells (nil without member_yearend).
	yeFrom, yeTo int
	yearends     *yearend
}

// yearFactor varies the admissions from year to year (a dip in 2020, a rise before the 2025 congresses).
func yearFactor(y int) float64 {
	switch y {
	case 2016:
		return 0.97
	case 2017:
		return 1.0
	case 2018:
		return 1.03
	case 2019:
		return 1.0
	case 2020:
		return 0.92
	case 2021:
		return 0.96
	case 2022:
		return 1.03
	case 2023:
		return 1.06
	case 2024:
		return 1.08
	case 2025:
		return 1.02
	}
	return 1.0
}

type person struct {
	name                              string
	female                            bool
	birth                             day
	eth, rel, gedu, prof, theory, occ string
	youth                             bool
	village                           int64
	workplace                         string
	ageExc, eduExc                    string
	migrant                           bool
	birthProv                         *province
	units                             []punit
	events                            []mevent
	moves                             int
	fullFrom, fullTo                  day // a full member of this cell from fullFrom until fullTo (noDay: never / still)
	retired                           bool
	candidate                         bool // came through this cell's pipeline
	nid                               string
}

type posRec struct {
	person   int
	position string
	from     day
	note     string
}

type respRec struct {
	person int // local index in the source cell's output
	src    *cellOut
	from   day
}

// admission is one admission decision, for the targets.
type admission struct {
	cell     *unit
	decision day
}

type cellOut struct {
	cell       *unit
	persons    []*person
	cases      []*kase
	positions  []posRec
	resp       *respRec
	admissions []admission
	nEvents    int
	nCaseEv    int

	// designated: the member of this cell responsible for the cells of its parent (see responsible).
	designated int
	respFrom   day

	// Bases, set in generation order (see Run).
	personBase, eventBase, caseBase, caseEvBase int64
	provFirst                                   int64 // the first person id of the cell's province
}

type cellGen struct {
	g     *gen
	u     *unit
	p     *profile
	r     rng
	out   *cellOut
	speed float64
	first day // the cell's first day in the history
	docs  map[string]int
}

func (g *gen) generate(u *unit) *cellOut {
	c := &cellGen{g: g, u: u, p: profiles[u.profile], r: newRNG(g.seed, 2, uint64(u.id)), docs: map[string]int{}}
	c.out = &cellOut{cell: u, designated: -1}
	c.first = maxDay(g.start, u.from)
	c.speed = math.Exp(0.25*c.r.NormFloat64()) * c.p.speed
	c.stock()
	c.pipeline()
	c.finish()
	return c.out
}

// --- people --------------------------------------------------------------------------------------

func (c *cellGen) ageBand() int {
	bands := c.p.stockAge
	var sum float64
	for _, b := range bands {
		sum += b.w
	}
	x := c.r.Float64() * sum
	for _, b := range bands {
		if x < b.w {
			return c.r.between(b.lo, b.hi-1)
		}
		x -= b.w
	}
	return bands[len(bands)-1].lo
}

// birthAt returns a birth date for someone age years old on d.
func (c *cellGen) birthAt(d day, age int) day {
	y, m, dd := d.ymd()
	return mkday(y-age, m, min(dd, 28)) - day(c.r.IntN(365))
}

func (g *gen) minorityOf(u *unit) float64 {
	if m, ok := g.minority[u.district]; ok && u.district != nil {
		return m
	}
	return u.prov.Minority * 0.6
}

var highlandGroups = map[string]bool{"gia_rai": true, "e_de": true, "ba_na": true, "xo_dang": true, "mnong": true, "co_ho": true,
	"gie_trieng": true, "ma": true, "chu_ru": true, "xtieng": true, "ra_glai": true, "hre": true, "co_tu": true, "brau": true, "ro_mam": true}

func (c *cellGen) newPerson(female bool, birth day, candidate bool) *person {
	pr := c.u.prov
	p := &person{female: female, birth: birth, candidate: candidate, fullFrom: noDay, fullTo: noDay, birthProv: pr}
	p.eth = "kinh"
	if c.r.chance(min(0.97, c.g.minorityOf(c.u)*c.p.minority)) && len(pr.Groups) > 0 {
		p.eth = drawShare(c.r, pr.Groups)
	}
	// Religion.
	relP, rels := pr.Religious*0.85, pr.Religions
	switch {
	case p.eth == "khmer":
		relP, rels = 0.3, []share{s("buddhism", 1)}
	case p.eth == "cham":
		relP, rels = 0.4, []share{s("cham_brahmanism", 6), s("islam", 4)}
	case p.eth == "hoa":
		relP, rels = 0.12, []share{s("buddhism", 1)}
	case highlandGroups[p.eth]:
		relP, rels = 0.1, []share{s("protestantism", 6), s("catholicism", 4)}
	case p.eth == "hmong":
		relP, rels = 0.05, []share{s("protestantism", 1)}
	}
	p.rel = "none"
	if c.r.chance(relP) {
		p.rel = drawShare(c.r, rels)
	}
	if c.r.chance(0.04) && pr.Code != "001" && pr.Code != "079" || (pr.City && c.r.chance(0.1)) {
		p.migrant = true
		p.birthProv = provinces[c.r.IntN(len(provinces))]
	}
	by := birth.year()
	p.name = nameOf(c.r, p.eth, female, by, pr.Region)
	// Schooling.
	upper, college := c.p.upper, c.p.college
	if c.u.profile == "village" {
		switch {
		case c.u.urban:
			upper, college = 0.87, 0.4
		case mountainous(pr.Region):
			upper, college = 0.5, 0.1
		}
	}
	if p.eth != "kinh" && mountainous(pr.Region) && !c.u.urban {
		upper *= 0.8
		college *= 0.7
	}
	switch {
	case by < 1955:
		upper, college = upper*0.7, college*0.6
	case by >= 1985:
		upper, college = min(0.99, upper+0.12), min(0.95, college*1.25)
	}
	p.gedu = "upper_secondary"
	if !c.r.chance(upper) {
		p.gedu = "lower_secondary"
		if c.r.chance(0.12) {
			p.gedu = "primary"
		}
	}
	p.prof = "none"
	switch {
	case p.gedu == "upper_secondary" && c.r.chance(college/max(upper, 0.01)):
		switch x := c.r.Float64(); {
		case c.u.profile == "university" && x < 0.35:
			p.prof = "doctorate"
		case c.u.profile == "university" && x < 0.8, x < 0.07:
			p.prof = "master"
		case x < 0.25:
			p.prof = "college"
		default:
			p.prof = "university"
		}
	case c.r.chance(0.45):
		p.prof = pick(c.r, []string{"elementary", "intermediate", "intermediate"})
	}
	p.theory = "none"
	if !candidate {
		p.theory = []string{"none", "elementary", "intermediate", "advanced"}[drawIndex(c.r, c.p.theory)]
	} else if c.p.working && c.r.chance(0.15) {
		p.theory = "elementary"
	}
	if c.u.village != nil {
		p.village = c.u.village.id
	}
	if c.u.profile != "village" {
		p.workplace = workplaceOf(c.u)
	}
	return p
}

func workplaceOf(u *unit) string {
	n := u.name()
	n = strings.TrimPrefix(strings.TrimPrefix(n, "Chi bộ "), "Đảng bộ ")
	if u.kind == "cell" && u.parent != nil && u.profile != "village" && !strings.Contains(u.code, ".X") && !strings.Contains(u.code, ".N") {
		n += ", " + strings.TrimPrefix(u.parent.name(), "Đảng bộ ")
	}
	return n
}

func drawShare(r rng, ss []share) string {
	var sum float64
	for _, x := range ss {
		sum += x.Weight
	}
	v := r.Float64() * sum
	for _, x := range ss {
		if v < x.Weight {
			return x.Code
		}
		v -= x.Weight
	}
	return ss[len(ss)-1].Code
}

func drawIndex(r rng, ws []float64) int {
	var sum float64
	for _, w := range ws {
		sum += w
	}
	v := r.Float64() * sum
	for i, w := range ws {
		if v < w {
			return i
		}
		v -= w
	}
	return len(ws) - 1
}

// occupationNow is a person's occupation today.
func (c *cellGen) occupationNow(p *person, candidate bool) string {
	age := (c.g.today - p.birth) / 365
	switch {
	case p.retired || (c.u.profile == "village" && age >= 62 && c.r.chance(0.85)):
		return occRetired
	case candidate && c.u.profile == "school" && age <= 19:
		return "upper_secondary_student"
	case candidate && (c.u.profile == "university" || c.u.profile == "school") && age <= 23:
		return "university_student"
	case candidate:
		return c.p.candOcc.draw(c.r)
	}
	return c.p.occ.draw(c.r)
}

func (c *cellGen) doc(series string, d day) int {
	k := series + "/" + strconv.Itoa(d.year())
	n, ok := c.docs[k]
	if !ok {
		_, m, _ := d.ymd()
		n = (m-1)*2 + c.r.IntN(4)
	}
	n += 1 + c.r.IntN(2)
	c.docs[k] = n
	return n
}

// issuer is the suffix of the competent committee's decisions on a date.
func (c *cellGen) issuer(d day) string {
	if d >= reformDay || c.u.district == nil {
		return "ĐU"
	}
	switch {
	case strings.Contains(c.u.district.name(), " quận "):
		return "QU"
	case strings.Contains(c.u.district.name(), " thành phố "):
		return "TU"
	case strings.Contains(c.u.district.name(), " thị xã "):
		return "TU"
	}
	return "HU"
}

// --- stock: the members of the history's start --------------------------------------------------

// retirementDate: at 60 (men) and 55 (women) until 2020, then 3 and 4 months later each year up to 62
// and 60 (Bộ luật Lao động 2019, Điều 169), the age in force in the year it is reached.
func retirementDate(birth day, female bool) day {
	base, step, top := 60*12, 3, 62*12
	if female {
		base, step, top = 55*12, 4, 60*12
	}
	for y := birth.year() + base/12; ; y++ {
		months := base
		if y >= 2021 {
			months = min(top, base+step*(y-2020))
		}
		if r := addMonths(birth, months); r.year() <= y {
			return r
		}
	}
}

func (c *cellGen) stock() {
	g := c.g
	target := g.target[c.u]
	years := float64(g.today-c.first) / 365.25
	expectAdm := g.rBase * target * c.p.rate * years * 0.92
	exit := 0.2
	if c.p.working {
		exit = 0.3
	}
	// 0.86: calibrated so that the members today come out at the scale's figure (5.6 million).
	n := int(math.Round(0.86 * max(target-expectAdm, target*0.15) / (1 - exit*years/10)))
	if c.u.profile == "village" {
		n = int(math.Round(float64(n) * 0.93)) // retirees arrive from the agencies
	}
	found, founded := g.b.founded[c.u]
	at := c.first
	for range max(n, 1) {
		female := c.r.chance(c.p.women)
		age := c.ageBand()
		birth := c.birthAt(at, age)
		p := c.newPerson(female, birth, false)
		if c.p.working && retirementDate(birth, female) <= at {
			birth = c.birthAt(at, 45)
			p.birth = birth
		}
		// Admitted years before.
		admAge := c.r.between(20, max(20, min(38, age-1)))
		cer := addMonths(birth, admAge*12+c.r.IntN(12))
		if cer >= at-30 {
			cer = at - day(30+c.r.IntN(300))
		}
		if monthsBetween(birth, cer) < 18*12 {
			cer = addMonths(birth, 18*12) + day(c.r.IntN(200))
		}
		cer = notLeapDay(cer, cer+1)
		dec := cer - day(7+c.r.IntN(30))
		unit := c.u.id
		if founded {
			unit = found.source.id
		}
		p.units = []punit{{Unit: unit, From: c.g.start, To: noDay}}
		iss := "HU"
		p.events = append(p.events,
			mevent{unit: unit, kind: "admitted", eff: cer, decision: dec, doc: strconv.Itoa(40+c.r.IntN(900)) + "-QĐ/" + iss},
			mevent{unit: unit, kind: "recognized", eff: addMonths(cer, 12), decision: noDay, doc: strconv.Itoa(40+c.r.IntN(900)) + "-QĐ/" + iss})
		if founded {
			c.transfer(p, found.source, c.u, found.on, "Chuyển sinh hoạt đảng về chi bộ mới thành lập.", false)
		}
		p.fullFrom = maxDay(at, addMonths(cer, 12))
		c.out.persons = append(c.out.persons, p)
		c.lifecycle(p, p.fullFrom+1, c.u)
		p.occ = c.occupationNow(p, false)
	}
}

// transfer records an official transfer: the records move on day d (people.MoveUnit through
// member.Record), the receiving cell records the arrival some days later (or not yet).
func (c *cellGen) transfer(p *person, from, to *unit, d day, note string, later bool) {
	doc := "Giấy giới thiệu sinh hoạt đảng số " + strconv.Itoa(c.doc("GT", d))
	p.events = append(p.events, mevent{unit: from.id, kind: "transferred_out_official", eff: d, decision: noDay, to: to.id, doc: doc, note: note})
	last := &p.units[len(p.units)-1]
	if last.From == d {
		last.Unit = to.id
	} else {
		last.To = d
		p.units = append(p.units, punit{Unit: to.id, From: d, To: noDay})
	}
	p.moves++
	in := d
	if later {
		in = d + day(3+c.r.IntN(40))
	}
	if in <= c.g.today {
		p.events = append(p.events, mevent{unit: to.id, kind: "transferred_in_official", eff: in, decision: noDay, doc: doc})
	}
	if to.village != nil {
		p.village = to.village.id
	}
	p.workplace = ""
	if to.profile != "village" {
		p.workplace = workplaceOf(to)
	}
}

func mortality(age float64) float64 {
	return min(0.3, 0.00035*math.Exp(0.088*(age-25)))
}

// lifecycle simulates a full member of this cell from day from to today: death, exemption in old
// age, removal, temporary and official transfers, retirement to the residential cell.
func (c *cellGen) lifecycle(p *person, from day, cur *unit) {
	g := c.g
	exempted := false
	working := c.p.working
	retire := noDay
	if working && c.p.retires {
		retire = retirementDate(p.birth, p.female)
	}
	here := func() bool { return cur == c.u }
	end := func(d day) {
		if p.fullTo == noDay && p.fullFrom != noDay && here() {
			p.fullTo = d
		}
	}
	for t := from; t <= g.today; {
		wend := minDay(g.today+1, t+365)
		frac := float64(wend-t) / 365.25
		age := float64(t-p.birth) / 365.25
		type cand struct {
			kind string
			at   day
		}
		var best *cand
		try := func(kind string, rate float64) {
			if rate <= 0 || !c.r.chance(1-math.Exp(-rate*frac)) {
				return
			}
			at := t + day(c.r.IntN(int(wend-t)))
			if best == nil || at < best.at {
				best = &cand{kind, at}
			}
		}
		try("deceased", mortality(age))
		try("removed", 0.0006)
		try("expelled", 0.00015)
		if !exempted && age >= 65 {
			r := 0.02
			if age >= 72 {
				r = 0.06
			}
			try("exempted", r)
		}
		if !exempted && age < 58 {
			try("transferred_out_temporary", 0.004)
		}
		if !exempted && working && !p.retired {
			try("job", 0.012)
		} else if !exempted && age < 75 {
			try("move", 0.004)
		}
		if retire != noDay && !p.retired && retire >= t && retire < wend && (best == nil || retire < best.at) {
			best = &cand{"retire", retire}
		}
		if best == nil {
			t = wend
			continue
		}
		d := best.at
		switch best.kind {
		case "deceased", "removed", "expelled":
			end(d)
			note := ""
			doc := ""
			if best.kind == "deceased" {
				note = "Từ trần."
			} else {
				doc = strconv.Itoa(c.doc("QĐXT", d)) + "-QĐ/" + c.issuer(d)
			}
			p.events = append(p.events, mevent{unit: cur.id, kind: best.kind, eff: d, decision: noDay, doc: doc, note: note})
			return
		case "exempted":
			end(d)
			exempted = true
			p.events = append(p.events, mevent{unit: cur.id, kind: "exempted", eff: d, decision: noDay,
				doc: strconv.Itoa(c.doc("QĐMSH", d)) + "-QĐ/" + c.issuer(d), note: "Miễn công tác và sinh hoạt đảng vì tuổi cao, sức yếu."})
			t = d + 1
		case "transferred_out_temporary":
			end(d)
			back := d + day(c.r.between(90, 540))
			p.events = append(p.events, mevent{unit: cur.id, kind: "transferred_out_temporary", eff: d, decision: noDay,
				doc: "Giấy giới thiệu sinh hoạt đảng tạm thời số " + strconv.Itoa(c.doc("GTT", d)), note: "Đi học tập, công tác có thời hạn."})
			if back > g.today {
				return
			}
			p.events = append(p.events, mevent{unit: cur.id, kind: "temporary_returned", eff: back, decision: noDay})
			t = back + 1
		case "job", "move", "retire":
			var dest *unit
			switch best.kind {
			case "retire":
				dest = c.pickVillageCell(cur, d)
				p.retired = true
			case "move":
				dest = c.pickVillageCell(cur, d)
			default:
				dest = c.pickCell(cur, d)
			}
			if dest == nil || dest == cur {
				if best.kind == "retire" {
					p.retired = true
				}
				t = d + 1
				continue
			}
			end(d)
			note := "Chuyển sinh hoạt đảng chính thức do thay đổi nơi công tác."
			if best.kind != "job" {
				note = "Chuyển sinh hoạt đảng về nơi cư trú."
			}
			c.transfer(p, cur, dest, d, note, true)
			cur = dest
			last := p.events[len(p.events)-1]
			if last.kind != "transferred_in_official" {
				return // not yet received
			}
			t = last.eff + 1
		}
	}
}

func (c *cellGen) pickVillageCell(cur *unit, d day) *unit {
	b := c.g.b
	var list []*unit
	if cur.district != nil {
		list = b.districtVillageCells[cur.district]
	}
	if len(list) == 0 {
		list = b.provinceCells[cur.prov]
	}
	for range 8 {
		x := list[c.r.IntN(len(list))]
		if x.from <= d && x != cur && x.profile == "village" {
			return x
		}
	}
	return nil
}

func (c *cellGen) pickCell(cur *unit, d day) *unit {
	list := c.g.b.provinceCells[cur.prov]
	for range 8 {
		x := list[c.r.IntN(len(list))]
		if x.from <= d && x != cur && x.profile != "village" {
			return x
		}
	}
	return nil
}

// fullOn lists the members of this cell who are full members on d and whose recognition was recorded
// by then (the API's requireFullMember), excluding the persons in skip.
func (c *cellGen) fullOn(d day, skip ...int) []int {
	var out []int
	for i, p := range c.out.persons {
		if p.fullFrom != noDay && p.fullFrom <= d && (p.fullTo == noDay || d < p.fullTo) && !slices.Contains(skip, i) {
			out = append(out, i)
		}
	}
	return out
}

// --- the pipeline --------------------------------------------------------------------------------

// decisionDate draws an admission decision date in year y: admissions peak before 3/2 (the Party's
// anniversary), 19/5, 2/9 and the year's end.
func (c *cellGen) decisionDate(y int) day {
	var d day
	switch x := c.r.Float64(); {
	case x < 0.17:
		d = mkday(y, 2, 3) - day(1+c.r.IntN(24))
	case x < 0.36:
		d = mkday(y, 5, 19) - day(1+c.r.IntN(24))
	case x < 0.52:
		d = mkday(y, 9, 2) - day(1+c.r.IntN(24))
	case x < 0.72:
		d = mkday(y, 12, 31) - day(c.r.IntN(35))
	default:
		d = mkday(y, 1, 1) + day(c.r.IntN(365))
	}
	return c.g.wd.prevWorking(d)
}

func (c *cellGen) dur(median, sigma float64, lo, hi int) int {
	return min(max(c.r.lognormal(median*c.speed, sigma), lo), hi)
}

type casePlan struct {
	k                                       *kase
	listed, cert, dossier, cellRes, commRes day
	extDate, decision, ceremony             day
	votes                                   []day // recognition votes, the last one decides
	removal                                 day   // removal date (with a failed vote before, or for a violation)
	removalReason                           string
	leave                                   day
	leaveReason                             string
	person                                  *person
	youth                                   bool
	key                                     day
}

func (c *cellGen) pipeline() {
	g := c.g
	target := g.target[c.u]
	gc := c.r.gamma(0.7) / 0.7
	mu := g.rBase * target * c.p.rate * gc
	var plans []*casePlan
	for y := c.first.year(); y <= g.today.year()+1; y++ {
		for range c.r.poisson(mu * yearFactor(y)) {
			if pl := c.admissionPlan(y); pl != nil {
				plans = append(plans, pl)
			}
		}
		for range c.r.poisson(mu * yearFactor(y) * 0.17) {
			if pl := c.leaverPlan(y); pl != nil {
				plans = append(plans, pl)
			}
		}
	}
	for _, pl := range plans {
		pl.key = pl.listed
		if pl.dossier != noDay && pl.dossier <= g.today {
			pl.key = pl.dossier
		}
	}
	slices.SortStableFunc(plans, func(a, b *casePlan) int { return int(a.key - b.key) })
	for _, pl := range plans {
		c.runCase(pl)
	}
}

// candidate draws the person of a case listed on day l.
func (c *cellGen) candidate(l day) (*person, bool) {
	female := c.r.chance(c.p.womenNew)
	lo, hi := c.p.candAge[0], c.p.candAge[1]
	student := c.r.chance(c.p.students)
	switch {
	case student && c.u.profile == "school":
		lo, hi = 17, 18
	case student:
		lo, hi = 19, 22
	case c.r.chance(0.12):
		hi += 12 // some older candidates
	}
	u := c.r.Float64()
	age := lo + int(float64(hi-lo+1)*u*u) // most candidates are young
	birth := c.birthAt(l, age)
	p := c.newPerson(female, birth, true)
	return p, student
}

func (c *cellGen) admissionPlan(y int) *casePlan {
	g := c.g
	x := c.decisionDate(y)
	if x < c.first+45 || x > g.today+540 {
		return nil
	}
	pl := &casePlan{decision: x, extDate: noDay, removal: noDay, leave: noDay}
	m := x - day(c.dur(14, 0.6, 0, 45))
	r := m - day(c.dur(18, 0.6, 1, 60))
	due := g.wd.add(r, g.rules.get("decision.deadline_wd"))
	if x > due {
		if x <= g.wd.add(r, g.rules.get("decision.deadline_wd")+g.rules.get("decision.extension_wd")) && m <= due && c.r.chance(0.5) {
			pl.extDate = maxDay(m, due-day(c.r.IntN(5)))
		} else {
			r = g.wd.add(x, -c.r.between(10, 50))
			m = r + day(c.r.IntN(int(x-r)+1))
		}
	}
	d := r - day(c.dur(35, 0.7, 3, 300))
	cert := d - day(c.dur(60, 0.8, 5, 600))
	l := cert - day(c.dur(110, 0.8, 5, 900))
	if l < c.first {
		// A source already known when the records begin: the stages are squeezed into the time left.
		nl := c.first + day(c.r.IntN(max(1, min(40, int(x-c.first)/4))))
		scale := func(t day) day {
			if t == noDay {
				return noDay
			}
			return nl + day(int64(t-l)*int64(x-nl)/int64(x-l))
		}
		cert, d, r, m = scale(cert), scale(d), scale(r), scale(m)
		l = nl
		pl.extDate = noDay
		if due := g.wd.add(r, g.rules.get("decision.deadline_wd")); x > due {
			if m <= due {
				pl.extDate = maxDay(m, due-day(c.r.IntN(3)))
			} else {
				r = maxDay(d, g.wd.add(x, -c.r.between(10, 50)))
				m = r + day(c.r.IntN(int(x-r)+1))
			}
		}
	}
	if l > g.today {
		return nil
	}
	pl.listed, pl.cert, pl.dossier, pl.cellRes, pl.commRes = l, cert, d, r, m
	// The ceremony: on the anniversary if one falls within the deadline, else within a few weeks.
	limit := g.wd.add(x, g.rules.get("ceremony.deadline_wd"))
	k := g.wd.add(x, c.r.between(2, 26))
	for _, occ := range []day{mkday(x.year(), 2, 3), mkday(x.year(), 5, 19), mkday(x.year(), 9, 2), mkday(x.year()+1, 2, 3)} {
		if occ >= x && occ <= limit && c.r.chance(0.6) {
			k = occ
			break
		}
	}
	pl.ceremony = notLeapDay(k, limit)
	k = pl.ceremony
	end := addMonths(k, g.rules.get("probation.months"))
	v := g.wd.add(end, c.r.between(1, 22))
	if c.r.chance(0.04) {
		v = g.wd.add(end, c.r.between(31, 70)) // considered late
	}
	if x <= g.today && x > g.today-200 && c.r.chance(0.03) {
		// The ceremony was not held in time: the case waits at the decision, overdue (the API refuses a
		// ceremony after the deadline).
		pl.ceremony = noDay
		pl.person, pl.youth = c.candidate(l)
		if monthsBetween(pl.person.birth, r) < g.rules.get("age.min_months") {
			pl.person.birth = addMonths(r, -g.rules.get("age.min_months")) - day(1+c.r.IntN(300))
		}
		return pl
	}
	switch o := c.r.Float64(); {
	case o < 0.0125: // removed after a failed vote
		pl.votes = []day{v}
		pl.removal, pl.removalReason = v+day(c.r.between(5, 25)), "probation_failed"
	case o < 0.025: // removed during the probation for a violation
		pl.removal, pl.removalReason = k+day(c.r.between(60, int(end-k)-5)), "violation"
	case o < 0.03 && g.rules.get("vote.recognition.max_rounds") >= 2: // recognized at a second vote, when the rule allows one
		pl.votes = []day{v, v + day(c.r.between(20, 60))}
	default:
		pl.votes = []day{v}
	}
	pl.person, pl.youth = c.candidate(l)
	// Old enough on the day the cell considers the case.
	if monthsBetween(pl.person.birth, r) < g.rules.get("age.min_months") {
		pl.person.birth = addMonths(r, -g.rules.get("age.min_months")) - day(1+c.r.IntN(300))
	}
	return pl
}

// notLeapDay moves a ceremony off 29 February (to the day after, within limit, else the day before):
// package pipeline dates the recognition 12 months later by its own month arithmetic (28 February),
// which package member, adding the 12 months with time.AddDate (1 March), would refuse.
func notLeapDay(d, limit day) day {
	if _, m, dd := d.ymd(); m != 2 || dd != 29 {
		return d
	}
	if d+1 <= limit {
		return d + 1
	}
	return d - 1
}

func (c *cellGen) leaverPlan(y int) *casePlan {
	g := c.g
	from := maxDay(c.first, mkday(y, 1, 1))
	to := minDay(g.today, mkday(y, 12, 31))
	if to < from {
		return nil
	}
	pl := &casePlan{listed: from + day(c.r.IntN(int(to-from)+1)), cert: noDay, dossier: noDay, cellRes: noDay, commRes: noDay,
		extDate: noDay, decision: noDay, ceremony: noDay, removal: noDay}
	stages := []string{"source", "course_done", "dossier", "cell_resolution", "committee_resolution"}
	reach := drawIndex(c.r, []float64{0.35, 0.33, 0.17, 0.08, 0.07})
	// Each stage reached follows the one before after a drawn wait (median, spread, bounds in days).
	last := pl.listed
	for _, st := range []struct {
		on            *day
		median, sigma float64
		lo, hi        int
	}{{&pl.cert, 60, 0.8, 5, 600}, {&pl.dossier, 60, 0.8, 5, 400}, {&pl.cellRes, 35, 0.7, 3, 300}, {&pl.commRes, 18, 0.6, 1, 50}}[:reach] {
		*st.on = last + day(c.dur(st.median, st.sigma, st.lo, st.hi))
		last = *st.on
	}
	// A quarter of them stall for a long time first ("có nguồn nhưng không kết nạp được").
	wait := c.dur(150, 0.8, 10, 1500)
	if c.r.chance(0.25) {
		wait = c.r.lognormal(650, 0.5)
	}
	pl.leave = last + day(wait)
	switch stages[reach] {
	case "source", "course_done":
		pl.leaveReason = drawShare(c.r, []share{s("moved_away", 35), s("declined", 35), s("not_qualified", 15), s("violation", 5), s("other", 10)})
	case "dossier":
		pl.leaveReason = drawShare(c.r, []share{s("not_qualified", 30), s("moved_away", 30), s("declined", 25), s("violation", 10), s("other", 5)})
	default:
		pl.leaveReason = drawShare(c.r, []share{s("not_approved", 70), s("not_qualified", 20), s("violation", 10)})
	}
	pl.person, pl.youth = c.candidate(pl.listed)
	if pl.cellRes != noDay && monthsBetween(pl.person.birth, pl.cellRes) < g.rules.get("age.min_months") {
		pl.person.birth = addMonths(pl.cellRes, -g.rules.get("age.min_months")) - day(1+c.r.IntN(300))
	}
	return pl
}

const (
	noteListed   = "Đưa vào danh sách quần chúng ưu tú (nguồn phát triển đảng viên)."
	noteCourse   = "Hoàn thành lớp bồi dưỡng nhận thức về Đảng."
	noteDossier  = "Hoàn thiện hồ sơ đề nghị kết nạp đảng viên."
	noteCeremony = "Lễ kết nạp đảng viên tổ chức tại chi bộ."
)

// runCase records a case from its casePlan, cut at today: the person, the events, the cached state.
func (c *cellGen) runCase(pl *casePlan) {
	g := c.g
	today := g.today
	p := pl.person
	pi := len(c.out.persons)
	k := &kase{person: pi, proposer: c.p.proposers.draw(c.r), stage: "source", stageSince: pl.listed, listed: pl.listed,
		cert: noDay, dossier: noDay, cellRes: noDay, commRes: noDay, decision: noDay, ceremony: noDay, recognized: noDay,
		closed: noDay, helper: -1, application: noDay}
	if pl.youth || (monthsBetween(p.birth, pl.listed) < 26*12 && c.r.chance(0.3)) {
		k.proposer = "youth_union"
	}
	p.units = []punit{{Unit: c.u.id, From: pl.listed, To: noDay}}
	if h := c.fullOn(pl.listed); len(h) > 0 {
		k.helper = h[c.r.IntN(len(h))]
	}
	k.events = append(k.events, cevent{kind: "listed", stageAfter: "source", eff: pl.listed, docDate: noDay, votesFor: -1,
		note: noteListed, details: `{"proposer":` + strconv.Quote(k.proposer) + `}`})
	cut := func(d day) bool { return d == noDay || d > today }
	leave := func(d day) {
		k.closed, k.reason = d, pl.leaveReason
		k.stage, k.stageSince = "left", d
		k.events = append(k.events, cevent{kind: "left", stageAfter: "left", eff: d, docDate: noDay, votesFor: -1, reason: pl.leaveReason,
			note: leaveNotes[pl.leaveReason]})
	}
	defer func() {
		c.out.persons = append(c.out.persons, p)
		c.out.cases = append(c.out.cases, k)
		if k.open() && slices.Index([]string{"source", "course_done", "dossier"}, k.stage) >= 0 {
			c.reviews(k)
		}
		k.dues = g.dues(k)
		youthNow := monthsBetween(p.birth, today) < 31*12 && c.r.chance(0.85)
		p.youth = p.youth || youthNow
		p.occ = c.occupationNow(p, true)
		if p.fullFrom != noDay {
			p.occ = c.occupationNow(p, false)
			if p.theory == "none" {
				p.theory = "elementary"
			}
		}
	}()
	steps := []day{pl.cert, pl.dossier, pl.cellRes, pl.commRes}
	if pl.leave != noDay {
		// A leaver: the stages reached before the leave date.
		for i := range steps {
			if steps[i] != noDay && steps[i] >= pl.leave {
				steps[i] = noDay
			}
		}
	}
	// Course.
	if cut(steps[0]) {
		if pl.leave != noDay && pl.leave <= today {
			leave(pl.leave)
		}
		return
	}
	k.cert, k.stage, k.stageSince = steps[0], "course_done", steps[0]
	k.events = append(k.events, cevent{kind: "course_completed", stageAfter: "course_done", eff: steps[0], form: "CN-NTVĐ",
		docNo: "Giấy chứng nhận số " + strconv.Itoa(c.doc("GCN", steps[0])) + "/GCN", docDate: steps[0], votesFor: -1, note: noteCourse})
	// Dossier: sponsors who are full members of the cell on the day.
	if cut(steps[1]) {
		if pl.leave != noDay && pl.leave <= today {
			leave(pl.leave)
		}
		return
	}
	d := steps[1]
	youthRoute := monthsBetween(p.birth, d) < 12*(g.rules.get("youth_union.max_age_years")+1) && (pl.youth || c.r.chance(0.55))
	need := g.rules.get("sponsor.count")
	if youthRoute {
		need = g.rules.get("sponsor.youth_union_count")
	}
	full := c.fullOn(d, pi)
	if len(full) < need && !youthRoute && len(full) >= g.rules.get("sponsor.youth_union_count") &&
		monthsBetween(p.birth, d) < 12*(g.rules.get("youth_union.max_age_years")+1) {
		youthRoute, need = true, g.rules.get("sponsor.youth_union_count")
	}
	if len(full) < need {
		// Nobody to sponsor the candidate: the case stalls and leaves.
		pl.leaveReason = "not_qualified"
		if at := d + day(c.r.between(60, 400)); at <= today {
			leave(at)
		}
		return
	}
	c.r.Shuffle(len(full), func(i, j int) { full[i], full[j] = full[j], full[i] })
	for _, s := range full[:need] {
		known := addMonths(d, -c.r.between(g.rules.get("sponsor.known_months")+1, 72))
		k.sponsors = append(k.sponsors, sponsorRec{person: s, known: known, letter: d - day(c.r.between(7, 20))})
	}
	slices.SortFunc(k.sponsors, func(a, b sponsorRec) int { return a.person - b.person })
	k.application = maxDay(k.cert, d-day(c.r.between(30, 50)))
	k.biography = minDay(d, k.application+day(c.r.between(3, 10)))
	k.comments = d - day(c.r.between(5, 12))
	k.background = d - day(c.r.between(1, 4))
	form := "1-KNĐ, 2-KNĐ, 3-KNĐ, 5-KNĐ"
	if youthRoute {
		p.youth = true
		yd := d - day(c.r.between(5, 15))
		k.youth = &youthDoc{eff: yd, number: strconv.Itoa(c.doc("NQĐTN", yd)) + "-NQ/ĐTN", note: "Nghị quyết giới thiệu đoàn viên ưu tú vào Đảng."}
		form += ", 4-KNĐ"
	}
	k.dossier, k.stage, k.stageSince = d, "dossier", d
	k.events = append(k.events, cevent{kind: "dossier_completed", stageAfter: "dossier", eff: d, form: form, docDate: noDay, votesFor: -1,
		note: noteDossier, dossier: true})
	// Cell resolution: age, schooling (or its exception), certificate, votes.
	if cut(steps[2]) {
		if pl.leave != noDay && pl.leave <= today {
			leave(pl.leave)
		}
		return
	}
	r := steps[2]
	if p.gedu == "primary" {
		if mountainous(c.u.prov.Region) && p.eth != "kinh" {
			p.eduExc = "Công văn số " + strconv.Itoa(c.doc("CVTU", r)) + "-CV/TU ngày " + (r - 20).vn() + " đồng ý kết nạp quần chúng chưa tốt nghiệp THCS ở vùng đồng bào dân tộc thiểu số"
		} else {
			p.gedu = "lower_secondary"
		}
	}
	if monthsBetween(p.birth, r) > g.rules.get("age.max_months") {
		p.ageExc = "Công văn số " + strconv.Itoa(c.doc("CVTU", r)) + "-CV/TU ngày " + (r - 30).vn() + " đồng ý xem xét kết nạp quần chúng trên 60 tuổi"
	}
	elig := max(len(c.fullOn(r, pi)), 1)
	k.cellRes, k.stage, k.stageSince = r, "cell_resolution", r
	k.events = append(k.events, cevent{kind: "cell_resolved", stageAfter: "cell_resolution", eff: r, form: "6-KNĐ",
		docNo: fmtNo(c.doc("NQCB", r), 2) + "-NQ/CB", docDate: r, votesFor: c.votesFor("vote.cell", elig), votesElig: elig})
	// Committee resolution.
	if cut(steps[3]) {
		if pl.leave != noDay && pl.leave <= today {
			leave(pl.leave)
		}
		return
	}
	m := steps[3]
	size := c.committeeSize(m)
	k.commRes, k.stage, k.stageSince = m, "committee_resolution", m
	k.events = append(k.events, cevent{kind: "committee_resolved", stageAfter: "committee_resolution", eff: m, form: "8-KNĐ",
		docNo: strconv.Itoa(c.doc("NQĐU", m)) + "-NQ/ĐU", docDate: m, votesFor: c.votesFor("vote.committee", size), votesElig: size})
	if pl.leave != noDay {
		if pl.leave <= today {
			leave(pl.leave)
		}
		return
	}
	if pl.extDate != noDay && pl.extDate <= today {
		k.ext = 1
		k.events = append(k.events, cevent{kind: "decision_extended", stageAfter: k.stage, eff: pl.extDate,
			docNo: strconv.Itoa(c.doc("CV", pl.extDate)) + "-CV/" + c.issuer(pl.extDate), docDate: pl.extDate, votesFor: -1,
			note: "Gia hạn thời gian xem xét quyết định kết nạp do chờ kết quả thẩm tra bổ sung."})
	}
	// Decision.
	x := pl.decision
	if cut(x) {
		return
	}
	k.decision, k.stage, k.stageSince = x, "decision", x
	k.decisionNo = strconv.Itoa(c.doc("QĐKN", x)) + "-QĐ/" + c.issuer(x)
	k.events = append(k.events, cevent{kind: "decided", stageAfter: "decision", eff: x, form: "9-KNĐ", docNo: k.decisionNo, docDate: x, votesFor: -1})
	// Ceremony: a probationary member.
	kd := pl.ceremony
	if cut(kd) {
		return
	}
	c.out.admissions = append(c.out.admissions, admission{cell: c.u, decision: x})
	k.ceremony, k.stage, k.stageSince = kd, "probation", kd
	k.events = append(k.events, cevent{kind: "ceremony_held", stageAfter: "probation", eff: kd, docDate: noDay, votesFor: -1, note: noteCeremony})
	p.events = append(p.events, mevent{unit: c.u.id, kind: "admitted", eff: kd, decision: x, doc: k.decisionNo})
	end := addMonths(kd, g.rules.get("probation.months"))
	// Removal during the probation.
	if pl.removal != noDay && len(pl.votes) == 0 {
		if pl.removal <= today {
			c.remove(p, k, pl.removal, pl.removalReason)
		}
		return
	}
	for i, v := range pl.votes {
		if v > today {
			return
		}
		elig := max(len(c.fullOn(v, pi)), 1)
		no := fmtNo(c.doc("NQCB", v), 2) + "-NQ/CB"
		k.rounds++
		failed := i < len(pl.votes)-1 || pl.removal != noDay
		if failed {
			k.events = append(k.events, cevent{kind: "recognition_vote", stageAfter: "probation", eff: v, form: "10-KNĐ, 11-KNĐ", docNo: no,
				docDate: v, votesFor: elig / 2, votesElig: elig, details: `{"passed":false}`,
				note: "Biểu quyết công nhận đảng viên chính thức không đạt hai phần ba."})
			if elig == 1 {
				k.events[len(k.events)-1].votesFor = 0
			}
			continue
		}
		k.recognized, k.closed, k.stage, k.stageSince = end, v, "full_member", v
		k.events = append(k.events, cevent{kind: "recognition_vote", stageAfter: "full_member", eff: v, form: "10-KNĐ, 11-KNĐ", docNo: no,
			docDate: v, votesFor: c.votesFor("vote.recognition", elig), votesElig: elig,
			details: `{"fullMemberFrom":"` + end.String() + `T00:00:00Z","passed":true}`, note: "Đề nghị công nhận đảng viên chính thức."})
		p.events = append(p.events, mevent{unit: c.u.id, kind: "recognized", eff: end, decision: noDay, doc: no})
		// A member recognized by the cell's vote votes from the day after it (pipeline's voters.go), though a
		// full member from the end of the probation: fullOn counts voters and sponsors so.
		p.fullFrom = v + 1
		c.lifecycle(p, v+1, c.u)
	}
	if pl.removal != noDay && pl.removal <= today {
		c.remove(p, k, pl.removal, pl.removalReason)
	}
}

func (c *cellGen) remove(p *person, k *kase, d day, reason string) {
	no := strconv.Itoa(c.doc("QĐXT", d)) + "-QĐ/" + c.issuer(d)
	k.closed, k.reason, k.stage, k.stageSince = d, reason, "removed", d
	k.events = append(k.events, cevent{kind: "removed", stageAfter: "removed", eff: d, docNo: no, docDate: d, votesFor: -1, reason: reason,
		note: "Xóa tên trong danh sách đảng viên dự bị."})
	p.events = append(p.events, mevent{unit: c.u.id, kind: "removed", eff: d, decision: noDay, doc: no})
}

var leaveNotes = map[string]string{
	"moved_away":    "Chuyển nơi cư trú, học tập, công tác.",
	"declined":      "Không còn nguyện vọng vào Đảng.",
	"not_approved":  "Cấp ủy không tán thành đề nghị kết nạp.",
	"not_qualified": "Chưa đủ tiêu chuẩn, điều kiện.",
	"violation":     "Vi phạm tư cách, đạo đức.",
	"other":         "Lý do khác.",
}

func fmtNo(n, width int) string {
	s := strconv.Itoa(n)
	for len(s) < width {
		s = "0" + s
	}
	return s
}

// votesFor draws a passing vote: all, or all but one or two.
func (c *cellGen) votesFor(vote string, eligible int) int {
	f := eligible - c.r.IntN(3)
	return max(f, c.g.rules.minPassing(vote, eligible))
}

// committeeSize is the number of committee members voting on a date: larger committees since the
// communes merged.
func (c *cellGen) committeeSize(d day) int {
	if d >= reformDay {
		return 19 + int(c.u.id%13)
	}
	return 9 + int(c.u.id%7)
}

// reviews records the quarterly reviews of an open source case: the last three quarters.
func (c *cellGen) reviews(k *kase) {
	for back := 3; back >= 1; back-- {
		end := quarterEnd(c.g.today, back)
		if k.listed > end {
			continue
		}
		rating, note := "good", "Gương mẫu, tích cực tham gia các phong trào ở địa phương và đơn vị."
		switch x := c.r.IntN(20); {
		case k.cert != noDay && k.stage != "dossier" && k.stageSince <= end-365:
			rating, note = "needs_work", "Có giấy chứng nhận bồi dưỡng nhưng hơn 12 tháng chưa hoàn thiện hồ sơ; chi bộ phân công đảng viên giúp đỡ."
		case x < 7:
		case x < 16:
			rating, note = "fair", "Chấp hành tốt chủ trương, chính sách; cần tích cực hơn trong sinh hoạt đoàn thể."
		default:
			rating, note = "needs_work", "Cần tiếp tục bồi dưỡng, giao nhiệm vụ để thử thách."
		}
		k.reviews = append(k.reviews, reviewRec{quarter: quarterOf(end), rating: rating, note: note})
	}
}

// finish records the positions held in a village and the member designated for the cells' responsibility.
func (c *cellGen) finish() {
	g := c.g
	today := g.today
	out := c.out
	for _, p := range out.persons {
		slices.SortStableFunc(p.events, func(a, b mevent) int { return int(a.eff - b.eff) })
		out.nEvents += len(p.events)
	}
	for _, k := range out.cases {
		out.nCaseEv += len(k.events)
	}
	// Who is here today: members and open candidates of this cell.
	var members, cands []int
	for i, p := range out.persons {
		u, _ := unitAt(p.units, today)
		if u != c.u.id {
			continue
		}
		st := statusOn(p.events, today)
		switch {
		case st == "full" || st == "probationary":
			members = append(members, i)
		case st == "" && monthsBetween(p.birth, today) >= 20*12:
			cands = append(cands, i)
		}
	}
	if c.u.profile == "village" {
		head := "village_head"
		if c.u.village != nil && c.u.village.kind == "residential_group" {
			head = "residential_group_head"
		}
		posts := []struct {
			position string
			member   float64
			female   int // -1 any, 1 women
			note     string
		}{
			{head, 0.88, -1, ""},
			{"fatherland_front_leader", 0.85, -1, "Trưởng ban công tác Mặt trận"},
			{"women_union_leader", 0.5, 1, "Chi hội trưởng Chi hội Phụ nữ"},
			{"farmers_union_leader", 0.55, -1, "Chi hội trưởng Chi hội Nông dân"},
			{"veterans_association_leader", 0.95, -1, "Chi hội trưởng Chi hội Cựu chiến binh"},
			{"youth_union_leader", 0.35, -1, "Bí thư chi đoàn"},
		}
		used := map[int]bool{}
		for _, po := range posts {
			if c.u.urban && po.position == "farmers_union_leader" {
				continue
			}
			pool := cands
			if c.r.chance(po.member) || len(cands) == 0 {
				pool = members
			}
			var who = -1
			for _, i := range c.r.Perm(len(pool)) {
				p := out.persons[pool[i]]
				if used[pool[i]] || (po.female == 1 && !p.female) ||
					(po.position == "youth_union_leader" && monthsBetween(p.birth, today) >= 31*12) {
					continue
				}
				who = pool[i]
				break
			}
			if who < 0 {
				continue
			}
			used[who] = true
			p := out.persons[who]
			from := today - day(c.r.between(30, 5*365))
			from = maxDay(from, addMonths(p.birth, 20*12))
			if len(p.units) > 0 {
				from = maxDay(from, p.units[0].From)
			}
			if from > today {
				continue
			}
			out.positions = append(out.positions, posRec{person: who, position: po.position, from: from, note: po.note})
		}
	}
	if c.u.profile == "police" && strings.Contains(c.u.code, ".X") {
		for _, i := range members {
			p := out.persons[i]
			out.positions = append(out.positions, posRec{person: i, position: "commune_police", from: maxDay(p.units[0].From, today-day(c.r.between(60, 2000))),
				note: "Công an xã, phường"})
		}
	}
	// The member of this cell who may be responsible for the cells of its parent, on the day of the
	// assignment: a full member then, who still is today.
	out.respFrom = c.respDay()
	for _, i := range c.fullOn(out.respFrom) {
		if out.designated < 0 {
			out.designated = i
		}
		if out.persons[i].fullTo == noDay {
			out.designated = i // still a full member of the cell today
			break
		}
	}
}

// respDay is when the committee members were assigned to the cells: after the communes formed on
// 01/07/2025 for the cells of new communes, else early in the history (or after the cell was founded).
func (c *cellGen) respDay() day {
	u := c.u
	if u.parent != nil && u.parent.from >= reformDay && u.from < reformDay+14 {
		return reformDay + 14
	}
	return maxDay(c.g.start+45, u.from+30)
}

func itoa(n int) string { return strconv.Itoa(n) }
