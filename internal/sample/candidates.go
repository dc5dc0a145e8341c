package sample

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"ptdv/internal/calendar"
	"ptdv/internal/member"
	"ptdv/internal/org"
	"ptdv/internal/page"
	"ptdv/internal/people"
	"ptdv/internal/pipeline"
	"ptdv/internal/vn"
)

// The candidate pipeline of the demo: in six cells that exist today (village and residential-group
// cells of communes formed on 01/07/2025, two Pleiku cells with Gia Rai and Ba Na candidates, a school
// and an enterprise), full members admitted years ago, a committee member responsible for each cell,
// and candidates at every stage of the pipeline, some overdue and some due soon. Every date is relative
// to the day the demo is loaded for (LoadAt's today), so the demo always shows a living pipeline.
// Everything goes through the domain APIs (people, member, pipeline), which check the rules.

// pipelineFrom is the earliest today LoadAt accepts: the pipeline is placed in the cells as they stand
// after the reform of 01/07/2025, and its oldest cases go back about three years.
var pipelineFrom = day(2026, 1, 1)

// maxAheadDays is how far after the real date LoadAt's today may be: none, since every pipeline move,
// member event and person change refuses a date in the future, and the demo's newest sources are
// listed on today.
const maxAheadDays = 0

// pcell is a cell of the demo pipeline.
type pcell struct {
	Key  string
	Code string // the cell; with FindLang, the commune committee (today) holding it
	// FindLang is the code prefix of the old commune whose first "làng" cell covering a village is the
	// cell (the villages of the highland communes are drawn by the hierarchy loader).
	FindLang string
	Commune  string // the commune committee over the cell today (organizes the awareness classes)
	// District is the code of the district committee over the cell before the reform, and Issuer the
	// suffix of its documents (HU: Huyện ủy, TU: Thành ủy); since the reform the commune committee
	// (ĐU) decides admissions.
	District, Issuer string
	Agency           string   // the cell of the commune committee member responsible for the cell
	Founders         []string // for a cell founded after 2015: the cells its founding members came from
	People           string   // the population profile (see profile)
	IDProvince       string   // province code of birth registration (national ID digits 1–3)
	VillagesOf       string   // residence villages of the commune with this code ("" = the cell's own)
	Places           []string // workplaces by occupation, "occupation=workplace"
}

var pipelineCells = []pcell{
	{Key: "tamduong", Code: "VP.H-TAMDUONG.HOPHOA.TDP01", Commune: "PT.TAMDUONG", District: "VP.H-TAMDUONG", Issuer: "HU",
		Agency: "VP.H-TAMDUONG.HOPHOA.CQ", People: "town", IDProvince: "026",
		Places: []string{"commune_staff=Ủy ban nhân dân xã Tam Dương", "public_employee=Trường Tiểu học Hợp Hòa",
			"non_state_enterprise_worker=Công ty TNHH Việt Phát, Khu công nghiệp Tam Dương I",
			"university_student=Trường Đại học Sư phạm Hà Nội 2", "state_enterprise_worker=Điện lực Tam Dương"}},
	{Key: "langduyen", Code: "TB.H-QUYNHPHU.QUYNHCHAU.LANGDUYEN", Commune: "HY.QUYNHPHU", District: "TB.H-QUYNHPHU", Issuer: "HU",
		Agency: "TB.H-QUYNHPHU.QUYNHCHAU.CQ", People: "village", IDProvince: "034",
		Places: []string{"commune_staff=Ủy ban nhân dân xã Quỳnh Phụ", "non_state_enterprise_worker=Công ty Cổ phần Giày Thái Bình"}},
	{Key: "gao", Code: "GL25.GAO", FindLang: "GL.TP-PLEIKU.GAO.", Commune: "GL25.GAO", District: "GL.TP-PLEIKU", Issuer: "TU",
		Agency: "GL.TP-PLEIKU.GAO.CQ", People: "jrai", IDProvince: "064",
		Places: []string{"commune_staff=Ủy ban nhân dân xã Gào", "farmer=Hợp tác xã Nông nghiệp Gào"}},
	{Key: "hoithuong", Code: "GL.TP-PLEIKU.HOITHUONG.TDP01", Commune: "GL25.PLEIKU", District: "GL.TP-PLEIKU", Issuer: "TU",
		Agency: "GL.TP-PLEIKU.HOITHUONG.CQ", People: "ward", IDProvince: "064",
		Places: []string{"commune_staff=Ủy ban nhân dân phường Pleiku", "public_employee=Bệnh viện Đa khoa tỉnh Gia Lai",
			"civil_servant=Sở Nông nghiệp và Môi trường tỉnh Gia Lai", "non_state_enterprise_worker=Công ty Cổ phần Bến xe Pleiku",
			"university_student=Phân hiệu Trường Đại học Nông Lâm TP. Hồ Chí Minh tại Gia Lai", "state_enterprise_worker=Điện lực Pleiku"}},
	{Key: "school", Code: "VP.H-TAMDUONG.HOANGHOA.THCS", Commune: "PT.TAMDUONGBAC", District: "VP.H-TAMDUONG", Issuer: "HU",
		Agency: "VP.H-TAMDUONG.HOANGHOA.CQ", People: "school", IDProvince: "026", VillagesOf: "VP.H-TAMDUONG.HOANGHOA",
		Places: []string{"public_employee=Trường THCS Hoàng Hoa"}},
	{Key: "enterprise", Code: "TB.H-QUYNHPHU.QUYNHCOI.MAYQC", Commune: "HY.QUYNHPHU", District: "TB.H-QUYNHPHU", Issuer: "HU",
		Agency: "TB.H-QUYNHPHU.QUYNHCOI.CQ", People: "enterprise", IDProvince: "034",
		Founders: []string{"TB.H-QUYNHPHU.QUYNHCOI.TDP01", "TB.H-QUYNHPHU.QUYNHCOI.TDP02"},
		Places:   []string{"non_state_enterprise_worker=Công ty TNHH May xuất khẩu Quỳnh Côi"}},
}

// scenario is one candidate case: how far it got, when, and how it ends. Ago counts days before today
// of the move into Reach (for a full member the probation ends last year instead).
type scenario struct {
	Reach    string
	Ago      int
	Cell     string // a cell key when the case must be in that cell
	Class    int    // the certificate comes from awareness class 1 or 2 (see classes)
	Failed   bool   // on the class roster but did not pass
	CellGap  int    // days from the cell's resolution to the Reach move (committee resolution, decision)
	Extend   int    // days from the cell's resolution to an extension of the decision deadline
	FailVote bool   // the first recognition vote fails (then passes, or the member is removed)
	Close    string // "", pipeline.StageLeft or pipeline.StageRemoved
	Reason   string
	CloseAgo int
	Note     string
}

const (
	sSource    = pipeline.StageSource
	sCourse    = pipeline.StageCourseDone
	sDossier   = pipeline.StageDossier
	sCell      = pipeline.StageCellResolution
	sCommittee = pipeline.StageCommitteeResolution
	sDecision  = pipeline.StageDecision
	sProbation = pipeline.StageProbation
	sFull      = pipeline.StageFullMember
)

// classes are two awareness classes with their rosters: class 1 of the commune over the Tam Dương
// cell, class 2 of the ward over the Hội Thương cell. ClassAgo is the day the certificates were given.
var classes = []struct {
	Cell string
	Ago  int
}{{"tamduong", 75}, {"hoithuong", 200}}

// scenarios: 83 cases, every stage, with the overdue and due-soon ones commented.
var scenarios = []scenario{
	// Sources without a certificate yet.
	{Reach: sSource, Ago: 20}, {Reach: sSource, Ago: 35}, {Reach: sSource, Ago: 48}, {Reach: sSource, Ago: 70},
	{Reach: sSource, Ago: 95}, {Reach: sSource, Ago: 130}, {Reach: sSource, Ago: 150}, {Reach: sSource, Ago: 175},
	{Reach: sSource, Ago: 210}, {Reach: sSource, Ago: 260}, {Reach: sSource, Ago: 320}, {Reach: sSource, Ago: 430},
	{Reach: sSource, Ago: 510},
	{Reach: sSource, Class: 1, Failed: true, Cell: "tamduong"},
	// Certificate obtained.
	{Reach: sCourse, Class: 1, Cell: "tamduong"}, {Reach: sCourse, Class: 1, Cell: "tamduong"}, {Reach: sCourse, Class: 1, Cell: "tamduong"},
	{Reach: sCourse, Class: 2, Cell: "hoithuong"}, {Reach: sCourse, Class: 2, Cell: "hoithuong"},
	{Reach: sCourse, Ago: 30}, {Reach: sCourse, Ago: 60}, {Reach: sCourse, Ago: 100}, {Reach: sCourse, Ago: 180},
	{Reach: sCourse, Ago: 270},
	{Reach: sCourse, Ago: 390}, {Reach: sCourse, Ago: 470}, {Reach: sCourse, Ago: 540}, // source_stalled overdue
	{Reach: sCourse, Ago: 60*30 + 6}, // the certificate expires within about three weeks; stalled too
	// Dossier complete, waiting for the cell.
	{Reach: sDossier, Ago: 15}, {Reach: sDossier, Ago: 40}, {Reach: sDossier, Ago: 70, Class: 2, Cell: "hoithuong"},
	{Reach: sDossier, Ago: 110}, {Reach: sDossier, Ago: 160}, {Reach: sDossier, Ago: 230}, {Reach: sDossier, Ago: 300},
	{Reach: sDossier, Ago: 350},                              // dossier_stale due within about two weeks
	{Reach: sDossier, Ago: 395}, {Reach: sDossier, Ago: 420}, // dossier_stale overdue
	// The cell has voted.
	{Reach: sCell, Ago: 8}, {Reach: sCell, Ago: 25}, {Reach: sCell, Ago: 45},
	{Reach: sCell, Ago: 72},  // decision_due soon
	{Reach: sCell, Ago: 125}, // decision_due overdue
	// The commune committee has voted.
	{Reach: sCommittee, Ago: 5}, {Reach: sCommittee, Ago: 18},
	{Reach: sCommittee, Ago: 35, CellGap: 27},             // decision_due soon
	{Reach: sCommittee, Ago: 80, CellGap: 25, Extend: 75}, // extended once: due soon
	{Reach: sCommittee, Ago: 150, CellGap: 15},            // decision_due overdue
	// Admission decided, no ceremony yet.
	{Reach: sDecision, Ago: 12}, {Reach: sDecision, Ago: 22}, // ceremony_due soon
	{Reach: sDecision, Ago: 65},                           // ceremony_due overdue
	{Reach: sDecision, Ago: 38, CellGap: 100, Extend: 70}, // decided within the extended deadline
	// Probationary members.
	{Reach: sProbation, Ago: 75}, {Reach: sProbation, Ago: 130}, {Reach: sProbation, Ago: 180},
	{Reach: sProbation, Ago: 200}, {Reach: sProbation, Ago: 250}, {Reach: sProbation, Ago: 300},
	{Reach: sProbation, Ago: 338}, // probation ends within a month
	{Reach: sProbation, Ago: 390}, // probation ended: recognition due soon
	{Reach: sProbation, Ago: 455}, // recognition_due overdue
	// Recognized as full members last year.
	{Reach: sFull}, {Reach: sFull}, {Reach: sFull}, {Reach: sFull}, {Reach: sFull, FailVote: true}, {Reach: sFull},
	{Reach: sFull}, {Reach: sFull}, {Reach: sFull}, {Reach: sFull}, {Reach: sFull}, {Reach: sFull},
	// Left the pipeline.
	{Reach: sSource, Ago: 420, Close: pipeline.StageLeft, Reason: "moved_away", CloseAgo: 200,
		Note: "Chuyển vào tỉnh Bình Dương làm việc; chuyển hồ sơ về nơi cư trú mới."},
	{Reach: sSource, Ago: 640, Close: pipeline.StageLeft, Reason: "deceased", CloseAgo: 330, Note: "Từ trần do tai nạn giao thông."},
	{Reach: sCourse, Ago: 500, Close: pipeline.StageLeft, Reason: "declined", CloseAgo: 150,
		Note: "Hoàn cảnh gia đình khó khăn, xin chưa tiếp tục phấn đấu vào Đảng."},
	{Reach: sCourse, Ago: 300, Close: pipeline.StageLeft, Reason: "violation", CloseAgo: 120,
		Note: "Vi phạm quy định về quản lý, sử dụng đất đai, đã bị xử phạt vi phạm hành chính."},
	{Reach: sCourse, Ago: 250, Close: pipeline.StageLeft, Reason: "moved_away", CloseAgo: 90,
		Note: "Tốt nghiệp, chuyển đi công tác tại tỉnh khác."},
	{Reach: sDossier, Ago: 300, Close: pipeline.StageLeft, Reason: "not_qualified", CloseAgo: 250,
		Note: "Thẩm tra lý lịch: chưa đủ điều kiện về lịch sử chính trị."},
	{Reach: sDossier, Ago: 200, Close: pipeline.StageLeft, Reason: "not_approved", CloseAgo: 165,
		Note: "Chi bộ họp xét: chưa đạt hai phần ba số đảng viên chính thức tán thành."},
	{Reach: sCell, Ago: 210, Close: pipeline.StageLeft, Reason: "not_approved", CloseAgo: 140,
		Note: "Đảng ủy xét: chưa đạt hai phần ba số cấp ủy viên tán thành; trả hồ sơ về chi bộ."},
	// Not recognized after probation (xóa tên).
	{Reach: sProbation, Ago: 520, FailVote: true, Close: pipeline.StageRemoved, Reason: "probation_failed",
		Note: "Hết thời kỳ dự bị, chi bộ biểu quyết không đạt hai phần ba; đề nghị xóa tên."},
	{Reach: sProbation, Ago: 250, Close: pipeline.StageRemoved, Reason: "violation", CloseAgo: 90,
		Note: "Vi phạm những điều đảng viên không được làm trong thời kỳ dự bị; chi bộ đề nghị xóa tên."},
}

// cellRun is a pipeline cell as the loader goes.
type cellRun struct {
	pcell
	id          int64
	start       time.Time // the cell exists from
	villages    []int64
	founders    []int64
	responsible int64
	plans       []*plan
}

// timeline holds the dates of one case's moves; zero when the case does not get there. votes are the
// recognition votes: all but the last fail, and the last too when the member is removed.
type timeline struct {
	since, listed, course, dossier time.Time
	cellRes, commRes, extend       time.Time
	decision, ceremony, closed     time.Time
	votes                          []time.Time
}

// plan is one case: its scenario, dates, cell and person, then its ids as loaded.
type plan struct {
	s        scenario
	t        timeline
	cell     *cellRun
	person   people.NewPerson
	proposer string
	yuRoute  bool
	helper   int64
	helper2  int64
	sponsors []int64
	personID int64
	c        pipeline.Case
}

// pipe loads the pipeline part of the demo.
type pipe struct {
	ctx     context.Context
	db      bun.IDB
	today   time.Time
	rng     *rand.Rand
	cal     *calendar.Calendar
	cells   []*cellRun
	plans   []*plan
	ids     map[string]bool // national IDs used
	names   map[string]bool // full names used
	counter map[string]int  // document numbers by series
}

func (l *loader) candidates(today time.Time) error {
	cal, err := calendar.Load(l.ctx, l.db)
	if err != nil {
		return fmt.Errorf("demo: calendar: %w", err)
	}
	p := &pipe{ctx: l.ctx, db: l.db, today: today, rng: rand.New(rand.NewPCG(2026, 3)), cal: cal,
		ids: map[string]bool{}, names: map[string]bool{}, counter: map[string]int{}}
	for _, step := range []func() error{p.findCells, p.planCases, p.loadFounders, p.openCases, p.runClasses,
		p.moveCases, p.positions, p.responsibilities} {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

func (p *pipe) ago(days int) time.Time { return p.today.AddDate(0, 0, -days) }

func (p *pipe) unit(code string) (org.Unit, error) {
	u, err := org.GetByCode(p.ctx, p.db, code, p.today)
	if err != nil {
		return org.Unit{}, fmt.Errorf("demo: pipeline cell %s: %w", code, err)
	}
	return u, nil
}

// findCells resolves the cells, their villages and their start dates.
func (p *pipe) findCells() error {
	all := page.Args{First: 1000}
	for _, spec := range pipelineCells {
		c := &cellRun{pcell: spec}
		u, err := p.unit(spec.Code)
		if err != nil {
			return err
		}
		if spec.FindLang != "" {
			kids, err := org.Children(p.ctx, p.db, u.ID, p.today, org.Filter{Kind: "cell"}, all)
			if err != nil {
				return fmt.Errorf("demo: cells of %s: %w", spec.Code, err)
			}
			found := false
			for _, k := range kids.Items {
				if !strings.HasPrefix(k.Code, spec.FindLang) || !strings.HasPrefix(k.Name, "Chi bộ làng ") {
					continue
				}
				vs, err := org.Villages(p.ctx, p.db, k.ID, p.today, all)
				if err != nil {
					return fmt.Errorf("demo: villages of %s: %w", k.Code, err)
				}
				if len(vs.Items) > 0 {
					u, found = k, true
					break
				}
			}
			if !found {
				return fmt.Errorf("demo: no làng cell with a village under %s", spec.Code)
			}
			c.Code = u.Code
		}
		if !u.ExistsOn(p.today) || (u.Kind != "cell" && u.Kind != "grassroots_cell") {
			return fmt.Errorf("demo: %s is not a cell today", u.Code)
		}
		c.id, c.start = u.ID, u.ValidFrom
		vunit := u.ID
		if spec.VillagesOf != "" {
			v, err := p.unit(spec.VillagesOf)
			if err != nil {
				return err
			}
			vunit = v.ID
		}
		vs, err := org.Villages(p.ctx, p.db, vunit, p.today, all)
		if err != nil {
			return fmt.Errorf("demo: villages of %s: %w", c.Code, err)
		}
		for _, v := range vs.Items {
			c.villages = append(c.villages, v.ID)
		}
		p.cells = append(p.cells, c)
	}
	return nil
}

func (p *pipe) cellByKey(key string) *cellRun {
	for _, c := range p.cells {
		if c.Key == key {
			return c
		}
	}
	return nil
}

// between draws a number of days in [lo, hi].
func (p *pipe) between(lo, hi int) int { return lo + p.rng.IntN(hi-lo+1) }

// before returns the date n days before d, moved back to a working day when that keeps it after
// floor (meetings, decisions and classes fall on working days).
func (p *pipe) before(d time.Time, n int, floor time.Time) time.Time {
	return p.work(d.AddDate(0, 0, -n), floor)
}

func (p *pipe) work(d, floor time.Time) time.Time {
	w := d
	for !p.cal.IsWorkingDay(w) {
		w = w.AddDate(0, 0, -1)
	}
	if w.After(floor) {
		return w
	}
	return d
}

// classDates returns the start, end and certificate date of an awareness class.
func (p *pipe) classDates(i int) (starts, ends, certified time.Time) {
	certified = p.work(p.ago(classes[i].Ago), time.Time{})
	ends = p.cal.AddWorkingDays(certified, -2)
	starts = p.cal.AddWorkingDays(ends, -4)
	return
}

// timeline draws the dates of a scenario's moves, backwards from the Reach move.
func (p *pipe) timeline(s scenario) timeline {
	var t timeline
	reach := slices.Index(pipeline.Stages, s.Reach)
	at := func(stage string) bool { return reach >= slices.Index(pipeline.Stages, stage) }
	var top time.Time
	if s.Reach == sFull {
		// Probation ended last year between February and October: the ceremony two years ago.
		top = p.work(time.Date(p.today.Year()-2, time.Month(2+p.rng.IntN(9)), 1+p.rng.IntN(28), 0, 0, 0, 0, time.UTC), time.Time{})
	} else if s.Class == 0 || s.Reach != sCourse && s.Reach != sSource {
		top = p.work(p.ago(s.Ago), time.Time{})
	}
	zero := time.Time{}
	if at(sProbation) {
		t.ceremony = top
		t.decision = p.before(t.ceremony, p.between(7, 21), zero)
		top = t.decision
	}
	if at(sDecision) {
		if t.decision.IsZero() {
			t.decision = top
		}
		if s.CellGap > 0 {
			t.cellRes = p.before(t.decision, s.CellGap, zero)
			t.commRes = p.work(t.cellRes.AddDate(0, 0, 20), t.cellRes)
		} else {
			t.commRes = p.before(t.decision, p.between(7, 20), zero)
		}
		top = t.commRes
	}
	if at(sCommittee) {
		if t.commRes.IsZero() {
			t.commRes = top
		}
		if t.cellRes.IsZero() {
			gap := s.CellGap
			if gap == 0 {
				gap = p.between(10, 25)
			}
			t.cellRes = p.before(t.commRes, gap, zero)
		}
		if s.Extend > 0 {
			t.extend = p.work(t.cellRes.AddDate(0, 0, s.Extend), t.commRes)
		}
		top = t.cellRes
	}
	if at(sCell) {
		if t.cellRes.IsZero() {
			t.cellRes = top
		}
		t.dossier = p.before(t.cellRes, p.between(20, 75), zero)
		top = t.dossier
	}
	if at(sDossier) {
		if t.dossier.IsZero() {
			t.dossier = top
		}
		if s.Class > 0 {
			_, _, t.course = p.classDates(s.Class - 1)
		} else {
			t.course = p.before(t.dossier, p.between(45, 240), zero)
		}
		top = t.course
	}
	if at(sCourse) {
		if t.course.IsZero() {
			if s.Class > 0 {
				_, _, t.course = p.classDates(s.Class - 1)
			} else {
				t.course = top
			}
		}
		top = t.course
	}
	if s.Class > 0 {
		starts, _, _ := p.classDates(s.Class - 1)
		top = starts
	}
	if reach > slices.Index(pipeline.Stages, sSource) || s.Class > 0 {
		t.listed = p.before(top, p.between(25, 150), zero)
	} else {
		t.listed = top
	}
	t.since = t.listed.AddDate(0, -p.between(13, 60), -p.rng.IntN(28))
	// Recognition votes and closing.
	if at(sProbation) {
		end := calendar.AddMonths(t.ceremony, 12)
		switch {
		case s.Reach == sFull && s.FailVote:
			first := p.work(end.AddDate(0, 0, p.between(5, 10)), end)
			t.votes = []time.Time{first, p.work(first.AddDate(0, 0, p.between(14, 21)), first)}
		case s.Reach == sFull:
			t.votes = []time.Time{p.work(end.AddDate(0, 0, p.between(5, 20)), end)}
		case s.Close == pipeline.StageRemoved && s.FailVote:
			t.votes = []time.Time{p.work(end.AddDate(0, 0, 7), end)}
			t.closed = p.work(end.AddDate(0, 0, 28), t.votes[0])
		}
	}
	if s.Close != "" && t.closed.IsZero() {
		t.closed = p.work(p.ago(s.CloseAgo), zero)
	}
	return t
}

// fits reports whether a timeline can be placed in a cell that exists from start: listed after it, and
// the candidate's records there at least 12 months before the dossier (the sponsors' rule).
func fits(t *timeline, start time.Time) bool {
	since := t.since
	if since.Before(start) {
		since = start
	}
	if t.listed.Before(start.AddDate(0, 1, 0)) {
		return false
	}
	return t.dossier.IsZero() || calendar.MonthsBetween(since, t.dossier) >= 13
}

// planCases draws every case: its dates, its cell (balanced over the cells it fits) and its person.
func (p *pipe) planCases() error {
	for _, s := range scenarios {
		t := p.timeline(s)
		var cell *cellRun
		if s.Cell != "" {
			cell = p.cellByKey(s.Cell)
			if !fits(&t, cell.start) {
				return fmt.Errorf("demo: a %s case does not fit cell %s (listed %s)", s.Reach, cell.Code, t.listed.Format(time.DateOnly))
			}
		} else {
			for _, c := range p.cells {
				if fits(&t, c.start) && (cell == nil || len(c.plans) < len(cell.plans)) {
					cell = c
				}
			}
			if cell == nil {
				return fmt.Errorf("demo: a %s case (listed %s) fits no cell", s.Reach, t.listed.Format(time.DateOnly))
			}
		}
		if t.since.Before(cell.start) {
			t.since = cell.start
		}
		pl := &plan{s: s, t: t, cell: cell}
		cell.plans = append(cell.plans, pl)
		p.plans = append(p.plans, pl)
	}
	for _, pl := range p.plans {
		p.drawPerson(pl)
	}
	return nil
}

// profile describes the people of a cell: shares of women and young candidates, the code lists drawn
// from (weighted by repetition), and where migrants registered their birth.
type profile struct {
	Female                                    int // percent of women among candidates
	Ethnicity, FounderEthnicity               []string
	Religion, MinorityReligion                []string
	Education, MinorityEducation              []string
	Qualification, FounderQualification       []string
	Occupation, YoungOccupation               []string
	FounderOccupation, FounderPoliticalTheory []string
	Region                                    string   // the seed's region code, for the family names (seed.Name)
	MigrantIDProvinces, MinorityIDProvinces   []string // birth registered elsewhere (Kinh migrants; Tày families)
	MigrantPercent                            int
	YoungAges, OlderAges                      [2]int // age when listed
	YoungPercent                              int
}

func profileOf(kind string) profile {
	base := profile{
		Female: 50, Ethnicity: weighted("kinh"), Religion: weighted("none*9", "buddhism"),
		Education: weighted("upper_secondary*9", "lower_secondary"), Qualification: weighted("none*3", "intermediate*2", "college*2", "university*3"),
		Region: "rrd", YoungAges: [2]int{18, 28}, OlderAges: [2]int{29, 46}, YoungPercent: 62,
		FounderOccupation: weighted("commune_staff", "farmer*2", "freelance", "retired*2"), FounderQualification: weighted("none*2", "intermediate*2", "college", "university*2"),
		FounderPoliticalTheory: weighted("elementary*5", "intermediate*3", "none*2"), FounderEthnicity: weighted("kinh"),
	}
	switch kind {
	case "town":
		base.Female = 55
		base.Ethnicity = weighted("kinh*17", "san_diu*3")
		base.FounderEthnicity = weighted("kinh*5", "san_diu")
		base.Religion = weighted("none*17", "buddhism*3")
		base.Occupation = weighted("freelance*3", "non_state_enterprise_worker*3", "commune_staff", "public_employee*2", "farmer", "state_enterprise_worker")
		base.YoungOccupation = weighted("university_student*3", "non_state_enterprise_worker*3", "freelance*2", "public_employee")
	case "village":
		base.Female = 46
		base.Religion = weighted("none*13", "catholicism*5", "buddhism*2")
		base.Education = weighted("upper_secondary*4", "lower_secondary")
		base.Qualification = weighted("none*6", "elementary*2", "intermediate*2", "college", "university")
		base.Occupation = weighted("farmer*5", "freelance*2", "non_state_enterprise_worker*3", "commune_staff")
		base.YoungOccupation = weighted("non_state_enterprise_worker*4", "farmer*2", "freelance*2")
		base.Region = "rrd"
	case "jrai":
		base.Female = 50
		base.Ethnicity = weighted("gia_rai*6", "kinh")
		base.FounderEthnicity = weighted("gia_rai*3", "kinh")
		base.Religion = weighted("none*3", "buddhism")
		base.MinorityReligion = weighted("none*3", "protestantism*2", "catholicism")
		base.MinorityEducation = weighted("lower_secondary*4", "upper_secondary*5")
		base.Qualification = weighted("none*6", "elementary*2", "intermediate*2", "college", "university")
		base.Occupation = weighted("farmer*7", "commune_staff", "freelance")
		base.YoungOccupation = weighted("farmer*6", "freelance*2", "commune_staff")
		base.FounderOccupation = weighted("farmer*3", "commune_staff", "retired")
		base.FounderQualification = weighted("none*3", "elementary*2", "intermediate*2", "college")
		base.Region = "hl"
		base.MigrantIDProvinces, base.MigrantPercent = []string{"052", "040", "051"}, 60
	case "ward":
		base.Female = 50
		base.Ethnicity = weighted("kinh*12", "gia_rai*3", "ba_na*4", "tay")
		base.FounderEthnicity = weighted("kinh*4", "gia_rai")
		base.Religion = weighted("none*14", "buddhism*3", "catholicism*3")
		base.MinorityReligion = weighted("none*3", "protestantism", "catholicism")
		base.MinorityEducation = weighted("upper_secondary*4", "lower_secondary")
		base.Occupation = weighted("freelance*3", "non_state_enterprise_worker*2", "public_employee*2", "commune_staff", "state_enterprise_worker", "civil_servant")
		base.YoungOccupation = weighted("university_student*3", "non_state_enterprise_worker*2", "freelance*2", "public_employee")
		base.FounderOccupation = weighted("civil_servant", "public_employee", "freelance", "retired*2")
		base.Region = "hl"
		base.MigrantIDProvinces, base.MigrantPercent = []string{"052", "040", "042", "051", "038"}, 35
		base.MinorityIDProvinces = []string{"004", "020"} // Tày families came from Cao Bằng and Lạng Sơn
	case "school":
		base.Female = 70
		base.Ethnicity = weighted("kinh*9", "san_diu")
		base.Qualification = weighted("university*7", "college*2", "master")
		base.Education = weighted("upper_secondary")
		base.Occupation, base.YoungOccupation = []string{"public_employee"}, []string{"public_employee"}
		base.YoungAges, base.OlderAges, base.YoungPercent = [2]int{23, 29}, [2]int{30, 45}, 50
		base.FounderOccupation = weighted("public_employee*4", "retired")
		base.FounderQualification = weighted("university*4", "master")
	case "enterprise":
		base.Female = 75
		base.Religion = weighted("none*14", "catholicism*4", "buddhism*2")
		base.Qualification = weighted("none*5", "elementary*3", "intermediate*2", "college", "university")
		base.Occupation, base.YoungOccupation = []string{"non_state_enterprise_worker"}, []string{"non_state_enterprise_worker"}
		base.YoungAges, base.OlderAges = [2]int{19, 28}, [2]int{29, 42}
		base.FounderOccupation = []string{"non_state_enterprise_worker"}
		base.Region = "rrd"
	}
	return base
}

func minority(ethnicity string) bool { return ethnicity != "kinh" && ethnicity != "" }

func (c *cellRun) place(occupation string) string {
	for _, s := range c.Places {
		if o, w, ok := strings.Cut(s, "="); ok && o == occupation {
			return w
		}
	}
	return ""
}

// nationalID draws an unused 12-digit personal identification number.
func (p *pipe) nationalID(province, sex string, birth time.Time) string {
	c := (birth.Year()/100 - 19) * 2
	if sex == "female" {
		c++
	}
	for {
		id := fmt.Sprintf("%s%d%02d%06d", province, c, birth.Year()%100, p.rng.IntN(1000000))
		if !p.ids[id] {
			p.ids[id] = true
			return id
		}
	}
}

// newPerson draws a person of a cell: sex, birth date (age at the reference date), categories.
func (p *pipe) newPerson(c *cellRun, pr profile, sex string, birth time.Time, young, founder bool) people.NewPerson {
	eth := pick(p.rng, pr.Ethnicity)
	if founder {
		eth = pick(p.rng, pr.FounderEthnicity)
	}
	n := people.NewPerson{Sex: sex, BirthDate: birth, Ethnicity: eth, UnitID: c.id}
	n.FullName = uniqueName(p.rng, p.names, eth, sex, birth.Year(), pr.Region)
	n.Religion = pick(p.rng, pr.Religion)
	n.GeneralEducation = pick(p.rng, pr.Education)
	if minority(eth) && pr.MinorityReligion != nil {
		n.Religion = pick(p.rng, pr.MinorityReligion)
	}
	if minority(eth) && pr.MinorityEducation != nil {
		n.GeneralEducation = pick(p.rng, pr.MinorityEducation)
	}
	province := c.IDProvince
	switch {
	case (eth == "tay" || eth == "nung") && pr.MinorityIDProvinces != nil:
		province = pick(p.rng, pr.MinorityIDProvinces)
	case eth == "kinh" && pr.MigrantIDProvinces != nil && p.rng.IntN(100) < pr.MigrantPercent:
		province = pick(p.rng, pr.MigrantIDProvinces)
	}
	n.NationalID = p.nationalID(province, sex, birth)
	if founder {
		n.Occupation = pick(p.rng, pr.FounderOccupation)
		if p.today.Year()-birth.Year() >= 60 {
			n.Occupation = "retired"
		} else if n.Occupation == "retired" {
			n.Occupation = pick(p.rng, pr.Occupation)
		}
		n.ProfessionalQualification = pick(p.rng, pr.FounderQualification)
		n.PoliticalTheory = pick(p.rng, pr.FounderPoliticalTheory)
		if n.Occupation == "civil_servant" || n.Occupation == "public_employee" {
			n.GeneralEducation = "upper_secondary"
			n.ProfessionalQualification = pick(p.rng, []string{"college", "university", "university"})
		}
	} else {
		n.Occupation = pick(p.rng, pr.Occupation)
		if young {
			n.Occupation = pick(p.rng, pr.YoungOccupation)
		}
		n.ProfessionalQualification = pick(p.rng, pr.Qualification)
		n.PoliticalTheory = "none"
		if n.Occupation == "university_student" {
			n.ProfessionalQualification = "none"
		}
		if n.Occupation == "commune_staff" || n.Occupation == "civil_servant" {
			n.ProfessionalQualification = pick(p.rng, []string{"college", "university", "university"})
			n.PoliticalTheory = "elementary"
		}
	}
	if n.GeneralEducation == "lower_secondary" && n.ProfessionalQualification != "none" && n.ProfessionalQualification != "elementary" {
		n.ProfessionalQualification = "elementary"
	}
	n.Workplace = c.place(n.Occupation)
	if len(c.villages) > 0 {
		v := c.villages[p.rng.IntN(len(c.villages))]
		n.VillageID = &v
	}
	return n
}

// drawPerson draws the candidate of a case, their proposer, helpers and sponsors.
func (p *pipe) drawPerson(pl *plan) {
	c, t := pl.cell, pl.t
	pr := profileOf(c.People)
	sex := "male"
	if p.rng.IntN(100) < pr.Female {
		sex = "female"
	}
	young := p.rng.IntN(100) < pr.YoungPercent
	ages := pr.OlderAges
	if young {
		ages = pr.YoungAges
	}
	age := p.between(ages[0], ages[1])
	birth := t.listed.AddDate(-age, 0, -p.rng.IntN(365))
	// 18 years and a month on the day the cell considers the case.
	if !t.cellRes.IsZero() {
		if latest := t.cellRes.AddDate(-18, -2, 0); birth.After(latest) {
			birth = latest.AddDate(0, 0, -p.rng.IntN(200))
		}
	}
	n := p.newPerson(c, pr, sex, birth, young, false)
	if n.Occupation == "university_student" && calendar.MonthsBetween(birth, p.today) > 23*12 {
		n.Occupation = "non_state_enterprise_worker"
		n.Workplace = c.place(n.Occupation)
	}
	n.Since = t.since
	// Youth Union members: most of those of Youth Union age when listed.
	ageListed := calendar.MonthsBetween(birth, t.listed) / 12
	n.YouthUnionMember = ageListed <= 30 && p.rng.IntN(100) < 90
	pl.person = n
	// The Youth Union route (its resolution and one sponsor) for about half of those still of Youth
	// Union age when the dossier is complete.
	pl.yuRoute = n.YouthUnionMember && !t.dossier.IsZero() && calendar.MonthsBetween(birth, t.dossier) < 12*30 && p.rng.IntN(2) == 0
	switch {
	case n.YouthUnionMember && p.rng.IntN(100) < 55:
		pl.proposer = "youth_union"
	case c.People == "enterprise":
		pl.proposer = pick(p.rng, []string{"enterprise", "trade_union", "trade_union"})
	case c.People == "school":
		pl.proposer = pick(p.rng, []string{"school", "school", "trade_union"})
	case sex == "female" && p.rng.IntN(100) < 45:
		pl.proposer = "women_union"
	case n.Occupation == "farmer" && p.rng.IntN(100) < 50:
		pl.proposer = "farmers_union"
	case sex == "male" && ageListed >= 38 && p.rng.IntN(100) < 40:
		pl.proposer = "veterans_association"
	default:
		pl.proposer = "cell"
	}
	pl.t = t
}

// founderCount draws how many full members each cell has (4 to 6).
func (p *pipe) founderCount() int { return 4 + p.rng.IntN(3) }

// loadFounders records the full members of each cell (admitted years ago) and the commune committee
// member responsible for it.
func (p *pipe) loadFounders() error {
	for ci, c := range p.cells {
		pr := profileOf(c.People)
		n := p.founderCount()
		for i := range n {
			sex := "male"
			if i%5 == 1 || i%5 == 3 && p.rng.IntN(2) == 0 {
				sex = "female"
			}
			if c.People == "school" || c.People == "enterprise" {
				if i%3 != 2 {
					sex = "female"
				}
			}
			age := p.between(36, 66)
			if c.People == "school" || c.People == "enterprise" {
				age = p.between(33, 55)
			}
			birth := p.today.AddDate(-age, 0, -p.rng.IntN(365))
			np := p.newPerson(c, pr, sex, birth, false, true)
			id, err := p.recordMember(c, np, birth, c.Founders)
			if err != nil {
				return err
			}
			c.founders = append(c.founders, id)
		}
		// The commune committee member responsible for the cell: a civil servant of the commune.
		ag, err := p.unit(c.Agency)
		if err != nil {
			return err
		}
		sex := "male"
		if ci%2 == 1 {
			sex = "female"
		}
		birth := p.today.AddDate(-p.between(40, 55), 0, -p.rng.IntN(365))
		np := p.newPerson(c, pr, sex, birth, false, true)
		np.UnitID, np.VillageID = ag.ID, nil
		np.Occupation, np.GeneralEducation, np.ProfessionalQualification = "civil_servant", "upper_secondary", "university"
		np.PoliticalTheory = pick(p.rng, []string{"intermediate", "intermediate", "advanced"})
		np.Workplace = "Đảng ủy " + communeLabel(c.Commune)
		if c.responsible, err = p.recordMember(c, np, birth, nil); err != nil {
			return err
		}
	}
	return nil
}

// communeLabel names the commune committees of the pipeline cells.
func communeLabel(code string) string {
	switch code {
	case "PT.TAMDUONG":
		return "xã Tam Dương"
	case "PT.TAMDUONGBAC":
		return "xã Tam Dương Bắc"
	case "HY.QUYNHPHU":
		return "xã Quỳnh Phụ"
	case "GL25.GAO":
		return "xã Gào"
	case "GL25.PLEIKU":
		return "phường Pleiku"
	}
	return code
}

// recordMember creates a person and records their admission and recognition years ago; from lists the
// cells a member came from when the cell was founded after 2015 (the records move on its founding
// day by an official transfer).
func (p *pipe) recordMember(c *cellRun, np people.NewPerson, birth time.Time, from []string) (int64, error) {
	ageNow := p.today.Year() - birth.Year()
	admAge := p.between(23, max(23, min(38, ageNow-9)))
	ceremony := p.work(birth.AddDate(admAge, 0, p.rng.IntN(300)), time.Time{})
	decision := p.before(ceremony, p.between(10, 25), time.Time{})
	unit := np.UnitID
	np.Since = start
	if len(from) > 0 {
		u, err := p.unit(from[p.rng.IntN(len(from))])
		if err != nil {
			return 0, err
		}
		np.UnitID = u.ID
	}
	per, err := people.Create(p.ctx, p.db, np)
	if err != nil {
		return 0, fmt.Errorf("demo: create member %s in %s: %w", np.FullName, c.Code, err)
	}
	issuer := c.Issuer
	events := []member.Event{
		{PersonID: per.ID, Kind: member.KindAdmitted, Effective: ceremony, DecisionDate: &decision,
			Document: p.decisionDoc(issuer, decision)},
		{PersonID: per.ID, Kind: member.KindRecognized, Effective: calendar.AddMonths(ceremony, 12),
			Document: p.decisionDoc(issuer, calendar.AddMonths(ceremony, 12).AddDate(0, 0, p.between(10, 30)))},
	}
	if len(from) > 0 {
		to := unit
		events = append(events,
			member.Event{PersonID: per.ID, Kind: member.KindTransferredOutOfficial, Effective: c.start, ToUnitID: &to,
				Document: p.decisionDoc(issuer, c.start.AddDate(0, 0, -7)), Note: "Chuyển sinh hoạt đảng về chi bộ doanh nghiệp mới thành lập."},
			member.Event{PersonID: per.ID, Kind: member.KindTransferredInOfficial, Effective: c.start,
				Document: p.decisionDoc(issuer, c.start.AddDate(0, 0, -7)), Note: "Tiếp nhận sinh hoạt đảng khi thành lập chi bộ."})
	}
	for _, e := range events {
		if err := member.Record(p.ctx, p.db, e); err != nil {
			return 0, fmt.Errorf("demo: record %s of %s (%s): %w", e.Kind, np.FullName, e.Effective.Format(time.DateOnly), err)
		}
	}
	return per.ID, nil
}

// Document numbers: a series per issuer, cell and year, rising through the year.
func (p *pipe) next(series string, d time.Time) int {
	k := fmt.Sprintf("%s|%d", series, d.Year())
	if _, ok := p.counter[k]; !ok {
		p.counter[k] = d.YearDay()/12 + p.rng.IntN(5)
	}
	p.counter[k] += 1 + p.rng.IntN(3)
	return p.counter[k]
}

func (p *pipe) decisionDoc(issuer string, d time.Time) string {
	return fmt.Sprintf("Quyết định số %d-QĐ/%s ngày %s", p.next("QĐ/"+issuer, d), issuer, vn.Date(d))
}

// issuer is the suffix of the competent committee's documents on a date: the district committee
// before the reform, the commune committee since.
func (c *cellRun) issuer(d time.Time) string {
	if d.Before(reform) {
		return c.Issuer
	}
	return "ĐU"
}

func (p *pipe) doc(c *cellRun, kind string, d time.Time) pipeline.Doc {
	var no string
	switch kind {
	case "cell": // a resolution of the cell
		no = fmt.Sprintf("%02d-NQ/CB", p.next("NQ/CB/"+c.Key, d))
	case "committee": // a resolution of the commune committee
		no = fmt.Sprintf("%d-NQ/ĐU", p.next("NQ/ĐU/"+c.Commune, d))
	case "decision":
		is := c.issuer(d)
		series := "QĐ/" + is + "/" + c.District
		if is == "ĐU" {
			series = "QĐ/ĐU/" + c.Commune
		}
		no = fmt.Sprintf("%d-QĐ/%s", p.next(series, d), is)
	case "letter":
		no = fmt.Sprintf("%d-CV/%s", p.next("CV/"+c.Commune, d), c.issuer(d))
	case "youth":
		no = fmt.Sprintf("%02d-NQ/ĐTN", p.next("NQ/ĐTN/"+c.Key, d))
	case "certificate":
		no = fmt.Sprintf("Giấy chứng nhận số %d/GCN", p.next("GCN/"+c.Commune, d))
	}
	return pipeline.Doc{Effective: d, Number: no, Date: &d}
}

// openCases creates the candidates and lists them as sources.
func (p *pipe) openCases() error {
	for _, pl := range p.plans {
		c := pl.cell
		pl.helper = c.founders[p.rng.IntN(len(c.founders))]
		pl.helper2 = c.founders[p.rng.IntN(len(c.founders))]
		perm := p.rng.Perm(len(c.founders))
		pl.sponsors = []int64{c.founders[perm[0]], c.founders[perm[1]]}
		per, err := people.Create(p.ctx, p.db, pl.person)
		if err != nil {
			return fmt.Errorf("demo: create candidate %s in %s: %w", pl.person.FullName, c.Code, err)
		}
		pl.personID = per.ID
		h := pl.helper
		pl.c, err = pipeline.Open(p.ctx, p.db, pipeline.OpenInput{PersonID: per.ID, CellID: c.id, Proposer: pl.proposer, HelperID: &h,
			Doc: pipeline.Doc{Effective: pl.t.listed, Note: "Đưa vào danh sách quần chúng ưu tú (nguồn phát triển đảng viên)."}})
		if err != nil {
			return p.fail(pl, "open", err)
		}
	}
	return nil
}

func (p *pipe) fail(pl *plan, move string, err error) error {
	return fmt.Errorf("demo: case of %s (%s, scenario %s/%d): %s: %w", pl.person.FullName, pl.cell.Code, pl.s.Reach, pl.s.Ago, move, err)
}

// runClasses records the two awareness classes with their rosters and completes them.
func (p *pipe) runClasses() error {
	for i, cl := range classes {
		c := p.cellByKey(cl.Cell)
		starts, ends, certified := p.classDates(i)
		organizer := c.Commune
		if starts.Before(reform) {
			organizer = c.District
		}
		u, err := p.unit(organizer)
		if err != nil {
			return err
		}
		// failed starts empty, not nil: CompleteCourseClass marks nobody as passed when given a nil
		// list (NOT (person_id = ANY(NULL)) is NULL).
		roster, failed := []int64{}, []int64{}
		for _, pl := range c.plans {
			if pl.s.Class == i+1 {
				roster = append(roster, pl.personID)
				if pl.s.Failed {
					failed = append(failed, pl.personID)
				}
			}
		}
		q := (int(starts.Month())-1)/3 + 1
		course, err := pipeline.CreateCourse(p.ctx, p.db, pipeline.Course{Kind: "awareness",
			Name:   fmt.Sprintf("Lớp bồi dưỡng nhận thức về Đảng quý %d/%d – %s", q, starts.Year(), u.Name),
			UnitID: u.ID, StartsOn: starts, EndsOn: ends, Roster: roster})
		if err != nil {
			return fmt.Errorf("demo: awareness class of %s: %w", organizer, err)
		}
		updated, err := pipeline.CompleteCourseClass(p.ctx, p.db, course.ID, certified, failed)
		if err != nil {
			return fmt.Errorf("demo: complete awareness class of %s: %w", organizer, err)
		}
		if len(updated) != len(roster)-len(failed) {
			return fmt.Errorf("demo: awareness class of %s certified %d of %d", organizer, len(updated), len(roster)-len(failed))
		}
		// The cases moved: read their new versions.
		for _, pl := range c.plans {
			if pl.s.Class == i+1 {
				if pl.c, err = pipeline.GetOne(p.ctx, p.db, pl.c.ID); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// votesFor draws a passing vote: all or all but one or two, at least two thirds.
func (p *pipe) votesFor(eligible int) pipeline.Votes {
	f := eligible - p.rng.IntN(3)
	for f*3 < eligible*2 {
		f++
	}
	return pipeline.Votes{For: f, Eligible: eligible}
}

// committeeSize is the number of members of the commune committee on a date: merged communes have
// larger committees since the reform.
func (c *cellRun) committeeSize(d time.Time) int {
	if d.Before(reform) {
		return 13 + int(c.id%3)
	}
	return 27 + int(c.id%5)
}

// moveCases moves every case through its dates.
func (p *pipe) moveCases() error {
	for _, pl := range p.plans {
		if err := p.moveCase(pl); err != nil {
			return err
		}
	}
	return nil
}

func (p *pipe) moveCase(pl *plan) error {
	ctx, db, c, t := p.ctx, p.db, pl.cell, pl.t
	step := func(name string, f func(v int) (pipeline.Case, error)) error {
		nc, err := f(pl.c.Version)
		if err != nil {
			return p.fail(pl, name, err)
		}
		pl.c = nc
		return nil
	}
	id := pl.c.ID
	if !t.course.IsZero() && pl.s.Class == 0 {
		d := p.doc(c, "certificate", t.course)
		d.Form, d.Note = "CN-NTVĐ", "Hoàn thành lớp bồi dưỡng nhận thức về Đảng."
		if err := step("course", func(v int) (pipeline.Case, error) { return pipeline.CompleteCourse(ctx, db, id, v, d) }); err != nil {
			return err
		}
	}
	if !t.dossier.IsZero() {
		application := t.dossier.AddDate(0, 0, -p.between(30, 50))
		if !application.After(t.course) {
			application = t.course.AddDate(0, 0, 1)
		}
		in := pipeline.DossierInput{
			Doc:               pipeline.Doc{Effective: t.dossier, Note: "Hoàn thiện hồ sơ đề nghị kết nạp đảng viên."},
			ApplicationOn:     application,
			BiographyOn:       application.AddDate(0, 0, p.between(3, 10)),
			CommentsOn:        t.dossier.AddDate(0, 0, -p.between(5, 12)),
			BackgroundCheckOn: t.dossier.AddDate(0, 0, -p.between(1, 4)),
		}
		if in.BiographyOn.After(t.dossier) {
			in.BiographyOn = t.dossier
		}
		for _, s := range pl.sponsors {
			in.Sponsors = append(in.Sponsors, pipeline.SponsorInput{PersonID: s, KnownSince: pl.person.Since,
				LetterOn: t.dossier.AddDate(0, 0, -p.between(7, 20))})
		}
		if pl.yuRoute {
			yu := p.doc(c, "youth", t.dossier.AddDate(0, 0, -p.between(5, 15)))
			yu.Note = "Nghị quyết giới thiệu đoàn viên ưu tú vào Đảng."
			in.YouthUnionResolution = &yu
			in.Sponsors = in.Sponsors[:1]
		}
		if err := step("dossier", func(v int) (pipeline.Case, error) { return pipeline.CompleteDossier(ctx, db, id, v, in) }); err != nil {
			return err
		}
	}
	if !t.cellRes.IsZero() {
		d := p.doc(c, "cell", t.cellRes)
		n, err := pipeline.FullMembers(ctx, db, c.id, t.cellRes) // entitled: the cell's full members as recorded
		if err != nil {
			return err
		}
		votes := p.votesFor(n)
		if err := step("cell resolution", func(v int) (pipeline.Case, error) { return pipeline.CellResolution(ctx, db, id, v, d, votes) }); err != nil {
			return err
		}
	}
	if !t.commRes.IsZero() {
		d := p.doc(c, "committee", t.commRes)
		votes := p.votesFor(c.committeeSize(t.commRes))
		if err := step("committee resolution", func(v int) (pipeline.Case, error) {
			return pipeline.CommitteeResolution(ctx, db, id, v, d, votes)
		}); err != nil {
			return err
		}
	}
	if !t.extend.IsZero() {
		d := p.doc(c, "letter", t.extend)
		d.Note = "Gia hạn thời gian xem xét quyết định kết nạp do chờ kết quả thẩm tra bổ sung."
		if err := step("extension", func(v int) (pipeline.Case, error) { return pipeline.ExtendDecision(ctx, db, id, v, d) }); err != nil {
			return err
		}
	}
	if !t.decision.IsZero() {
		d := p.doc(c, "decision", t.decision)
		if err := step("decision", func(v int) (pipeline.Case, error) { return pipeline.Decide(ctx, db, id, v, d) }); err != nil {
			return err
		}
	}
	if !t.ceremony.IsZero() {
		d := pipeline.Doc{Effective: t.ceremony, Note: "Lễ kết nạp đảng viên tổ chức tại chi bộ."}
		if err := step("ceremony", func(v int) (pipeline.Case, error) { return pipeline.HoldCeremony(ctx, db, id, v, d) }); err != nil {
			return err
		}
		// The member who follows the probationary member (form 11-KNĐ), assigned at the ceremony.
		h := pl.helper2
		hd := pipeline.Doc{Effective: t.ceremony, Note: "Phân công đảng viên chính thức giúp đỡ đảng viên dự bị."}
		if err := step("helper", func(v int) (pipeline.Case, error) { return pipeline.AssignHelper(ctx, db, id, v, h, hd) }); err != nil {
			return err
		}
	}
	for i, vd := range t.votes {
		d := p.doc(c, "cell", vd)
		n, err := pipeline.FullMembers(ctx, db, c.id, vd)
		if err != nil {
			return err
		}
		votes := p.votesFor(n)
		if i < len(t.votes)-1 || pl.s.Close == pipeline.StageRemoved {
			votes.For = votes.Eligible / 2 // fails: under two thirds
			d.Note = "Biểu quyết công nhận đảng viên chính thức không đạt hai phần ba."
		} else {
			d.Note = "Đề nghị công nhận đảng viên chính thức."
		}
		if err := step("recognition vote", func(v int) (pipeline.Case, error) { return pipeline.RecognitionVote(ctx, db, id, v, d, votes) }); err != nil {
			return err
		}
	}
	if err := p.reviews(pl); err != nil {
		return err
	}
	switch pl.s.Close {
	case pipeline.StageLeft:
		d := pipeline.Doc{Effective: t.closed, Note: pl.s.Note}
		if err := step("leave", func(v int) (pipeline.Case, error) { return pipeline.Leave(ctx, db, id, v, d, pl.s.Reason) }); err != nil {
			return err
		}
	case pipeline.StageRemoved:
		d := p.doc(c, "decision", t.closed)
		d.Note = pl.s.Note
		if err := step("removal", func(v int) (pipeline.Case, error) { return pipeline.Remove(ctx, db, id, v, d, pl.s.Reason) }); err != nil {
			return err
		}
	}
	return nil
}

// quarter names the quarter of a date: 2026Q3.
func quarter(d time.Time) string { return fmt.Sprintf("%dQ%d", d.Year(), (int(d.Month())-1)/3+1) }

// quarterEnd is the last day of the quarter q quarters before the one of d.
func quarterEnd(d time.Time, back int) time.Time {
	first := time.Date(d.Year(), time.Month((int(d.Month())-1)/3*3+1), 1, 0, 0, 0, 0, time.UTC)
	return first.AddDate(0, -3*(back-1), -1)
}

// reviews records the quarterly reviews of a source: the last three quarters for the cases still on
// the source list, and for a case about to leave, the review of its last quarter that takes it off
// the list.
func (p *pipe) reviews(pl *plan) error {
	stage := slices.Index(pipeline.Stages, pl.c.Stage)
	if !pl.c.Open() || stage > slices.Index(pipeline.Stages, sDossier) {
		return nil
	}
	review := func(q, rating, note string) error {
		if err := pipeline.Review(p.ctx, p.db, pl.c.ID, q, rating, note); err != nil {
			return p.fail(pl, "review "+q, err)
		}
		return nil
	}
	if pl.s.Close == pipeline.StageLeft {
		return review(quarter(pl.t.closed), "drop", "Đưa ra khỏi danh sách nguồn: "+pl.s.Note)
	}
	since := pl.c.StageSince
	for back := 3; back >= 1; back-- {
		end := quarterEnd(p.today, back)
		if pl.t.listed.After(end) {
			continue
		}
		rating, note := p.rating(pl, since, end)
		if err := review(quarter(end), rating, note); err != nil {
			return err
		}
	}
	return nil
}

// rating draws the review of a source at the end of a quarter.
func (p *pipe) rating(pl *plan, since, end time.Time) (string, string) {
	switch {
	case pl.c.Stage == sDossier && pl.c.DossierOn != nil && calendar.AddMonths(*pl.c.DossierOn, 12).Before(end.AddDate(0, 1, 0)):
		return "needs_work", "Hồ sơ sắp quá 12 tháng mà chi bộ chưa xét; cần làm lại thư giới thiệu và nhận xét."
	case pl.c.CertificateOn != nil && pl.c.Stage != sDossier && !since.After(end.AddDate(-1, 0, 0)):
		return "needs_work", "Có giấy chứng nhận bồi dưỡng nhưng hơn 12 tháng chưa hoàn thiện hồ sơ; chi bộ phân công đảng viên giúp đỡ."
	}
	switch r := p.rng.IntN(20); {
	case r < 11:
		return "good", "Gương mẫu, tích cực tham gia các phong trào ở địa phương và đơn vị."
	case r < 18:
		return "fair", "Chấp hành tốt chủ trương, chính sách; cần tích cực hơn trong sinh hoạt đoàn thể."
	default:
		return "needs_work", "Cần tiếp tục bồi dưỡng, giao nhiệm vụ để thử thách."
	}
}

// positions records a few positions: village heads, women's union leaders and commune police, some
// held by members, some by candidates.
func (p *pipe) positions() error {
	type want struct {
		cell, position, sex, ethnicity string // ethnicity "": any
		candidate                      bool
		note                           string
	}
	wants := []want{
		{"gao", "village_head", "male", "gia_rai", false, "Trưởng làng"},
		{"gao", "women_union_leader", "female", "gia_rai", true, "Chi hội trưởng Chi hội Phụ nữ làng"},
		{"gao", "commune_police", "male", "", true, "Lực lượng tham gia bảo vệ an ninh, trật tự ở cơ sở"},
		{"langduyen", "village_head", "male", "", true, "Trưởng thôn Lang Duyên"},
		{"langduyen", "women_union_leader", "female", "", false, "Chi hội trưởng Chi hội Phụ nữ thôn"},
		{"tamduong", "residential_group_head", "male", "", false, "Tổ trưởng tổ dân phố số 1"},
		{"tamduong", "women_union_leader", "female", "", true, "Chi hội trưởng Chi hội Phụ nữ tổ dân phố"},
		{"hoithuong", "residential_group_head", "female", "", false, "Tổ trưởng tổ dân phố số 1"},
		{"hoithuong", "commune_police", "male", "", true, "Lực lượng tham gia bảo vệ an ninh, trật tự ở cơ sở"},
	}
	for _, w := range wants {
		c := p.cellByKey(w.cell)
		var who int64
		var since time.Time
		if w.candidate {
			for _, pl := range c.plans {
				if pl.person.Sex == w.sex && (w.ethnicity == "" || pl.person.Ethnicity == w.ethnicity) && pl.c.Open() &&
					pl.c.Stage != sSource && calendar.MonthsBetween(pl.person.BirthDate, p.today) > 12*25 {
					who, since = pl.personID, pl.person.Since
					break
				}
			}
		} else {
			for _, id := range c.founders {
				pp, err := people.GetOne(p.ctx, p.db, id)
				if err != nil {
					return err
				}
				if pp.Sex == w.sex && (w.ethnicity == "" || pp.Ethnicity == w.ethnicity) && pp.Occupation != "retired" {
					who, since = id, start
					break
				}
			}
		}
		if who == 0 {
			continue // no one fits in this draw
		}
		from := p.ago(p.between(200, 1100))
		if from.Before(since) {
			from = since
		}
		if err := people.SetPosition(p.ctx, p.db, who, w.position, from, w.note); err != nil {
			return fmt.Errorf("demo: position %s in %s: %w", w.position, c.Code, err)
		}
	}
	return nil
}

// responsibilities assigns the commune committee member responsible for each cell, from the first
// days of the commune committees formed by the reform.
func (p *pipe) responsibilities() error {
	from := day(2025, 7, 15)
	for _, c := range p.cells {
		if err := pipeline.AssignResponsible(p.ctx, p.db, c.id, c.responsible, from); err != nil {
			return fmt.Errorf("demo: responsible for %s: %w", c.Code, err)
		}
	}
	return nil
}
