package forecast

import (
	"ptdv/internal/vn"
	"slices"
	"sort"
	"time"
)

// Day is a civil date as days since 1970-01-01 (UTC): compact and cheap to compare in the hot loops.
type Day int32

// NoDay marks an open end or a missing date.
const NoDay Day = 1<<31 - 1

// DayOf converts a date (its year, month and day; the time of day is ignored).
func DayOf(t time.Time) Day {
	return Day(vn.Day(t).Unix() / 86400)
}

// Date builds a Day from its parts.
func Date(y int, m time.Month, d int) Day { return DayOf(time.Date(y, m, d, 0, 0, 0, 0, time.UTC)) }

// Time returns the day as a UTC midnight.
func (d Day) Time() time.Time { return time.Unix(int64(d)*86400, 0).UTC() }

// YM returns the year and month of the day.
func (d Day) YM() (int, time.Month) { t := d.Time(); return t.Year(), t.Month() }

// MonthEnd is the last day of d's month.
func MonthEnd(d Day) Day {
	y, m := d.YM()
	return Date(y, m+1, 1) - 1
}

// Stage is a pipeline stage a case can wait in before its admission counts. Stages before the decision
// are waiting for the decision; Decision is waiting for the ceremony (the admission is then counted,
// backdated to the decision).
type Stage int8

const (
	Source Stage = iota
	CourseDone
	Dossier
	CellResolution
	CommitteeResolution
	Decision
	Admitted // ceremony held: probation or full member
	Closed   // left the pipeline or removed
	nStages  = int(Decision) + 1
)

var stageCodes = map[string]Stage{
	"source": Source, "course_done": CourseDone, "dossier": Dossier, "cell_resolution": CellResolution,
	"committee_resolution": CommitteeResolution, "decision": Decision, "probation": Admitted,
	"full_member": Admitted, "left": Closed, "removed": Closed,
}

// ParseStage maps candidate_case's stage codes.
func ParseStage(s string) (Stage, bool) { st, ok := stageCodes[s]; return st, ok }

// stageVI is the stage as an explanation names the people waiting in it.
var stageVI = [...]string{
	Source: "ở bước nguồn", CourseDone: "đã học lớp nhận thức về Đảng", Dossier: "ở bước hồ sơ",
	CellResolution: "đã có nghị quyết chi bộ", CommitteeResolution: "đã có nghị quyết đảng ủy",
	Decision: "đã có quyết định kết nạp, chờ lễ kết nạp",
}

// Move is a case entering a stage on a day.
type Move struct {
	Stage Stage
	On    Day
}

// Case is one candidate case: its cell and its stage entries in date order (case_event, reduced to the
// changes of stage).
type Case struct {
	Cell  int64
	Moves []Move
}

// at returns the case's state on day o: the stage, the day it entered it, and false if the case had not
// been listed yet.
func (c *Case) at(o Day) (Stage, Day, bool) {
	i := sort.Search(len(c.Moves), func(i int) bool { return c.Moves[i].On > o })
	if i == 0 {
		return 0, 0, false
	}
	m := c.Moves[i-1]
	return m.Stage, m.On, true
}

// Admission is a member_event of kind admitted or readmitted: counted by its decision date, known from
// its ceremony (the event's effective date). Labels are the units on the path of the event's unit on the
// decision date, root first.
type Admission struct {
	Unit    int64
	Decided Day
	Known   Day
	Labels  []int64
}

// Unit is an org unit with its validity interval [From, To).
type Unit struct {
	ID       int64
	Code     string
	Name     string
	Kind     string
	Sector   string
	From, To Day
}

// Link is a version of a unit's parent link with its path (unit ids from the root), valid [From, To).
type Link struct {
	Unit     int64
	Parent   int64 // 0: a root
	Path     []int64
	From, To Day
}

// Merge records that Succ continues Pred from On (org_lineage of a merge: a predecessor with one
// successor). Splits are not followed: a split successor's history is that of the cells it took over.
type Merge struct {
	Pred, Succ int64
	On         Day
}

// Target is an admissions target (table target) of a unit and period, both ends inclusive.
type Target struct {
	ID         int64
	Unit       int64
	PeriodKind string // term, year, quarter
	Start, End Day
	Kind       string  // count or rate
	Count      int     // count targets
	Rate       float64 // rate targets: percent of the members on 31/12 of the year before Start
}

// History is everything the model learns from, as recorded on AsOf: the pipeline's events, the
// admissions, the tree with its history, the targets and the year-end member counts.
type History struct {
	AsOf       Day
	From       Day // the first day the history was read from (0: all of it)
	Units      []Unit
	Links      []Link // sorted by unit, then From
	Merges     []Merge
	Cases      []Case // sorted by first move
	Admissions []Admission
	Targets    []Target
	// YearEnd holds the members of each unit's subtree on 31/12 of a year (member_yearend).
	YearEnd map[YearKey]int
	// yearEndBefore: a cut history knows the year-ends before this year only (0: all); Cut shares the
	// map instead of copying it.
	yearEndBefore int
}

// Members is the year-end count of a unit's subtree, if known.
func (h *History) Members(unit int64, year int) (int, bool) {
	if h.yearEndBefore != 0 && year >= h.yearEndBefore {
		return 0, false
	}
	n, ok := h.YearEnd[YearKey{unit, year}]
	return n, ok
}

// YearKey keys YearEnd.
type YearKey struct {
	Unit int64
	Year int
}

// Sort puts the slices in the order Cut relies on.
func (h *History) Sort() {
	slices.SortStableFunc(h.Links, func(a, b Link) int {
		if a.Unit != b.Unit {
			return cmp64(a.Unit, b.Unit)
		}
		return int(a.From - b.From)
	})
	for i := range h.Cases {
		slices.SortStableFunc(h.Cases[i].Moves, func(a, b Move) int { return int(a.On - b.On) })
	}
	slices.SortStableFunc(h.Cases, func(a, b Case) int { return int(firstDay(a) - firstDay(b)) })
	slices.SortStableFunc(h.Admissions, func(a, b Admission) int { return int(a.Known - b.Known) })
	slices.SortStableFunc(h.Merges, func(a, b Merge) int { return int(a.On - b.On) })
}

func cmp64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func firstDay(c Case) Day {
	if len(c.Moves) == 0 {
		return NoDay
	}
	return c.Moves[0].On
}

// knownBy is the rows of an interval table (span: a row's first day and a pointer to its end) as known at
// the end of day o: the rows that began by then, open again where they ended after it.
func knownBy[T any](rows []T, o Day, span func(*T) (from Day, to *Day)) []T {
	var out []T
	for _, r := range rows {
		from, to := span(&r)
		if from > o {
			continue
		}
		if *to != NoDay && *to > o {
			*to = NoDay
		}
		out = append(out, r)
	}
	return out
}

// Cut returns the history as it was known at the end of day o: no move, admission, unit, link, merge or
// year-end count dated after o. A forecast at origin o reads nothing else, which is what makes the
// backtest honest. The result shares memory with h (slices are cut, never written).
func (h *History) Cut(o Day) *History {
	y, _ := o.YM()
	if h.yearEndBefore != 0 {
		y = min(y, h.yearEndBefore)
	}
	c := &History{AsOf: min(o, h.AsOf), From: h.From, Targets: h.Targets, YearEnd: h.YearEnd, yearEndBefore: y}
	c.Units = knownBy(h.Units, o, func(u *Unit) (Day, *Day) { return u.From, &u.To })
	c.Links = knownBy(h.Links, o, func(l *Link) (Day, *Day) { return l.From, &l.To })
	for _, m := range h.Merges {
		if m.On <= o {
			c.Merges = append(c.Merges, m)
		}
	}
	for _, k := range h.Cases {
		if len(k.Moves) == 0 || k.Moves[0].On > o {
			break // sorted by first move
		}
		i := sort.Search(len(k.Moves), func(i int) bool { return k.Moves[i].On > o })
		c.Cases = append(c.Cases, Case{Cell: k.Cell, Moves: k.Moves[:i:i]})
	}
	i := sort.Search(len(h.Admissions), func(i int) bool { return h.Admissions[i].Known > o })
	c.Admissions = h.Admissions[:i:i]
	return c
}
