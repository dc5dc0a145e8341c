package seed

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Terms and admission targets (migration 0005, when it is there), as package target writes them:
// the terms of the provinces, districts and grassroots organizations (2020–2025, and 2025–2030 since the
// congresses of 2025), term targets, yearly targets of the provinces (counts, or rates of the members at
// the end of the year before for some), handed down to the districts and, for the last two years, to
// the grassroots organizations. The values follow the admissions actually generated, some above and
// some below, so that some units run behind their targets and some ahead.

// admCounts counts admissions (by decision date) per unit of the subtree on the date, year and quarter.
type admCounts map[uint64]int32

func admKey(unit int64, y, q int) uint64 { return uint64(unit)<<16 | uint64(y-1900)<<3 | uint64(q) }

func (a admCounts) add(ad admission) {
	l := ad.cell.linkAt(ad.decision)
	if l == nil {
		return
	}
	y, m, _ := ad.decision.ymd()
	q := (m - 1) / 3
	path := l.path
	for path != "" {
		i := strings.IndexByte(path, '.')
		seg := path
		if i >= 0 {
			seg, path = path[:i], path[i+1:]
		} else {
			path = ""
		}
		id, _ := strconv.ParseInt(seg, 10, 64)
		if id != ad.cell.id {
			a[admKey(id, y, q)]++
		}
	}
}

// between counts a unit's admissions from quarter (y1, q1) to (y2, q2) inclusive.
func (a admCounts) between(unit int64, y1, q1, y2, q2 int) int {
	n := 0
	for y := y1; y <= y2; y++ {
		for q := 0; q < 4; q++ {
			if (y == y1 && q < q1) || (y == y2 && q > q2) {
				continue
			}
			n += int(a[admKey(unit, y, q)])
		}
	}
	return n
}

type termRow struct {
	id         int64
	unit       *unit
	name       string
	starts     day
	ends       day
	congress   string
	generation int // 2020 or 2025
}

type targetRow struct {
	id         int64
	unit       int64
	periodKind string
	start, end day
	term       int64
	count      int // -1: a rate
	rate       int // thousandths of a percent
	parent     int64
	note       string
	revisions  []targetRev
}

type targetRev struct {
	count  int
	rate   int
	parent int64
	note   string
	reason string
}

// targets builds the rows.
func (b *builder) targets(adm admCounts, r rng) ([]termRow, []targetRow) {
	today, start := b.today, b.start
	var terms []termRow
	var targets []targetRow
	level := func(u *unit) string {
		switch u.kind {
		case "province", "district":
			return u.kind
		}
		return "grassroots"
	}
	addTerm := func(u *unit, gen int, s, e day) {
		if e <= s || s < u.from || (u.to != noDay && e >= u.to) || s > today {
			return
		}
		t := termRow{id: int64(len(terms) + 1), unit: u, name: fmt.Sprintf("Nhiệm kỳ %d–%d", gen, gen+5), starts: s, ends: e, generation: gen}
		t.congress = fmt.Sprintf("Nghị quyết Đại hội %s nhiệm kỳ %d–%d", strings.TrimPrefix(u.names[0].name, "Đảng bộ "), gen, gen+5)
		if level(u) == "province" {
			congressNo := "XVII"
			if gen == 2025 {
				congressNo = "XVIII"
			}
			t.congress = fmt.Sprintf("Nghị quyết Đại hội đại biểu %s lần thứ %s, nhiệm kỳ %d–%d", u.names[0].name, congressNo, gen, gen+5)
		}
		terms = append(terms, t)
	}
	congress := func(u *unit, gen int) day {
		switch level(u) {
		case "province":
			return mkday(gen, 10, 1) + day(r.IntN(25))
		case "district":
			return mkday(gen, 7, 1) + day(r.IntN(40))
		}
		if u.from >= reformDay {
			return mkday(gen, 8, 1) + day(r.IntN(45))
		}
		return mkday(gen, 4, 1) + day(r.IntN(60))
	}
	for _, u := range b.t.units {
		if u.kind == "cell" {
			continue
		}
		c20 := congress(u, 2020)
		c25 := congress(u, 2025)
		if start <= c20 {
			end := c25 - 1
			if u.to != noDay {
				end = u.to - 1
			}
			addTerm(u, 2020, c20, end)
		}
		if u.to == noDay && today >= c25 {
			addTerm(u, 2025, c25, addMonths(c25, 60)-1)
		}
	}
	// Term targets: what the unit achieved (or is on course for), give or take.
	for i := range terms {
		t := &terms[i]
		y1, m1, _ := t.starts.ymd()
		y2, m2, _ := minDay(t.ends, today).ymd()
		actual := adm.between(t.unit.id, y1, (m1-1)/3, y2, (m2-1)/3)
		if t.ends > today {
			done := float64(today-t.starts) / float64(t.ends-t.starts)
			actual = int(float64(actual) / max(done, 0.15))
		}
		if actual == 0 && level(t.unit) == "grassroots" {
			continue
		}
		v := int(math.Round(float64(actual) * math.Exp(0.18*r.NormFloat64())))
		note := "Chỉ tiêu kết nạp đảng viên mới của " + strings.ToLower(t.name[:1]) + t.name[1:] + "."
		targets = append(targets, targetRow{id: int64(len(targets) + 1), unit: t.unit.id, periodKind: "term", start: t.starts, end: t.ends,
			term: t.id, count: v, note: note, revisions: []targetRev{{count: v, note: note}}})
	}
	// Yearly targets.
	yearTarget := map[uint64]int{} // unit, year → the index of its target
	firstYear := max(start.year()+1, 2021)
	alive := func(u *unit, y int) bool {
		s, e := mkday(y, 1, 1), mkday(y, 12, 31)
		return u.from <= s && (u.to == noDay || u.to > s) && e >= u.from
	}
	parentOf := func(unit int64, y int) *targetRow {
		i, ok := yearTarget[uint64(unit)<<12|uint64(y-2000)]
		if !ok || targets[i].count < 0 {
			return nil // a rate target is not handed down
		}
		return &targets[i]
	}
	add := func(u *unit, y int, parent *targetRow, spread float64) {
		actual := adm.between(u.id, y, 0, y, 3)
		if y == today.year() {
			last := adm.between(u.id, y-1, 0, y-1, 3)
			actual = int(float64(last) * 1.04)
		}
		tr := targetRow{id: int64(len(targets) + 1), unit: u.id, periodKind: "year", start: mkday(y, 1, 1), end: mkday(y, 12, 31), count: -1}
		switch {
		case parent == nil && level(u) == "province" && r.chance(0.3):
			// Bình Định's way: a rate of the members at the end of the year before.
			tr.rate = 3000 + 250*r.IntN(7)
			tr.note = "Kết nạp đảng viên mới đạt trên " + strconv.FormatFloat(float64(tr.rate)/1000, 'f', -1, 64) + " % tổng số đảng viên."
		default:
			tr.count = max(0, int(math.Round(float64(actual)*math.Exp(spread*r.NormFloat64()))))
			if actual == 0 {
				tr.count = r.IntN(3)
			}
			tr.note = fmt.Sprintf("Chỉ tiêu kết nạp đảng viên mới năm %d.", y)
		}
		reason := ""
		if parent != nil {
			tr.parent = parent.id
			reason = "Giao từ chỉ tiêu " + strconv.FormatInt(parent.id, 10)
			tr.note = ""
		}
		tr.revisions = []targetRev{{count: tr.count, rate: tr.rate, parent: tr.parent, note: tr.note, reason: reason}}
		if parent == nil && tr.count > 0 && r.chance(0.12) {
			// Revised during the year.
			tr.count = int(math.Round(float64(tr.count) * (0.9 + 0.25*r.Float64())))
			tr.revisions = append(tr.revisions, targetRev{count: tr.count, note: tr.note, reason: "Điều chỉnh chỉ tiêu theo kết quả sơ kết 6 tháng."})
		}
		targets = append(targets, tr)
		yearTarget[uint64(u.id)<<12|uint64(y-2000)] = len(targets) - 1
	}
	for y := firstYear; y <= today.year(); y++ {
		for _, u := range b.t.units {
			if u.kind == "province" && alive(u, y) {
				add(u, y, nil, 0.15)
			}
		}
		for _, u := range b.t.units {
			if u.kind != "district" || !alive(u, y) {
				continue
			}
			var parent *targetRow
			if l := u.linkAt(mkday(y, 1, 1)); l != nil {
				parent = parentOf(l.parent, y)
			}
			add(u, y, parent, 0.2)
		}
	}
	// The grassroots organizations, for the last two years.
	for y := max(firstYear, today.year()-1); y <= today.year(); y++ {
		for _, u := range b.t.units {
			if (u.kind != "grassroots_committee" && u.kind != "grassroots_cell") || !alive(u, y) {
				continue
			}
			on := maxDay(mkday(y, 1, 1), u.from)
			l := u.linkAt(on)
			if l == nil {
				continue
			}
			add(u, y, parentOf(l.parent, y), 0.4)
		}
	}
	return terms, targets
}

func (w *writers) targetRows(terms []termRow, targets []targetRow) {
	for _, t := range terms {
		b := w.term
		b.begin(7)
		b.i64(t.id)
		b.i64(t.unit.id)
		b.text(t.name)
		b.date(t.starts)
		b.date(t.ends)
		b.text(t.congress)
		b.text(recorder)
		b.end()
	}
	for _, t := range targets {
		kind := "count"
		if t.count < 0 {
			kind = "rate"
		}
		b := w.target
		b.begin(15)
		b.i64(t.id)
		b.i64(t.unit)
		b.text("admissions")
		b.text(t.periodKind)
		b.date(t.start)
		b.date(t.end)
		b.id(t.term)
		b.text(kind)
		targetValues(b, kind, t.count, t.rate)
		b.id(t.parent)
		b.text(t.note)
		b.i32(int32(len(t.revisions)))
		b.text(recorder)
		b.end()
		for i, rv := range t.revisions {
			b := w.trev
			b.begin(10)
			b.i64(t.id)
			b.i32(int32(i + 1))
			b.text(kind)
			targetValues(b, kind, rv.count, rv.rate)
			b.id(rv.parent)
			b.text(rv.note)
			b.text(rv.reason)
			b.text(recorder)
			b.end()
		}
	}
}

// targetValues writes the value columns of a target or a revision of it (count_value, rate_value,
// rate_base): a count, or a rate (in thousandths) of the members at the end of the year before.
func targetValues(b *tableBuf, kind string, count, rate int) {
	if kind == "count" {
		b.i32(int32(count))
		b.null()
		b.null()
		return
	}
	b.null()
	b.numeric(rate)
	b.text("members_end_of_previous_year")
}
