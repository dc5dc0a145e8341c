package seed

import (
	"strconv"
	"strings"
)

// The two caches of migrations 0005 and 0006 are written by the generator with the other tables, as
// target_rebuild_admissions() and member_rebuild_yearend() would derive them from the loaded rows: after
// the load those two statements took 4 1/2 minutes of a national seed's index phase (of the 2 cores'
// 13), and the generator has the events, spans and link versions at hand. The tests compare both
// tables with a rebuild by the functions.

// admission writes the admission_ancestor rows of member event id: for an admission, one per label of
// the path of the event's unit on the admission date (the decision date, else the ceremony), or of its
// first link after that date when the unit was created later.
func (w *writers) admission(g *gen, id int64, e *mevent) {
	if w.adm == nil || e.kind != "admitted" && e.kind != "readmitted" {
		return
	}
	decided := e.decision
	if decided == noDay {
		decided = e.eff
	}
	u := g.b.t.units[e.unit-1]
	l := u.linkAt(decided)
	for i := 0; l == nil && i < len(u.links); i++ {
		if u.links[i].from > decided {
			l = &u.links[i]
		}
	}
	if l == nil {
		return
	}
	for lab := range strings.SplitSeq(l.path, ".") {
		anc, _ := strconv.ParseInt(lab, 10, 64)
		b := w.adm
		b.begin(4)
		b.i64(anc)
		b.date(decided)
		b.i64(id)
		b.i64(e.unit)
		b.end()
	}
}

// yearend counts, for every unit and every year-end of the window member_yearend_window holds, the
// member spans of the unit that contain 31 December: member_yearend_fill's first step.
type yearend struct {
	y0, y1 int
	n      []int32 // n[(unit id-1)*years + year-y0]
}

func newYearend(y0, y1, units int) *yearend {
	return &yearend{y0: y0, y1: y1, n: make([]int32, units*max(0, y1-y0+1))}
}

func (ye *yearend) years() int { return ye.y1 - ye.y0 + 1 }

func (ye *yearend) add(s span) {
	if !isMember(s.Status) {
		return
	}
	a, b := max(ye.y0, s.From.year()), ye.y1
	if s.To != noDay {
		b = min(b, s.To.year()-1)
	}
	base := int(s.Unit-1) * ye.years()
	for y := a; y <= b; y++ {
		ye.n[base+y-ye.y0]++
	}
}

func (ye *yearend) merge(o *yearend) {
	for i, n := range o.n {
		ye.n[i] += n
	}
}

// yearendRows writes member_yearend: each unit's count of a year-end added to every label of the unit's
// path on that day, in the order of the primary key (ancestor, year).
func (w *writers) yearendRows(t *tree, ye *yearend) {
	ny := ye.years()
	sum := make([]int32, len(ye.n))
	for i, u := range t.units {
		for y := ye.y0; y <= ye.y1; y++ {
			n := ye.n[i*ny+y-ye.y0]
			if n == 0 {
				continue
			}
			l := u.linkAt(mkday(y, 12, 31))
			if l == nil {
				continue
			}
			for lab := range strings.SplitSeq(l.path, ".") {
				anc, _ := strconv.Atoi(lab)
				sum[(anc-1)*ny+y-ye.y0] += n
			}
		}
	}
	for i := range t.units {
		for y := ye.y0; y <= ye.y1; y++ {
			if n := sum[i*ny+y-ye.y0]; n != 0 {
				b := w.ye
				b.begin(3)
				b.i64(int64(i + 1))
				b.i32(int32(y))
				b.i32(n)
				b.end()
			}
		}
	}
}
