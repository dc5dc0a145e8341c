package seed

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"ptdv/internal/calendar"
)

// ruleSet holds the rule values the generated histories respect and the derived columns use: read from
// the rule table, never written in code (rules are data).
type ruleSet struct {
	v map[string]int
}

func (r ruleSet) get(id string) int {
	x, ok := r.v[id]
	if !ok {
		panic("seed: rule " + id + " missing")
	}
	return x
}

func loadRules(ctx context.Context, conn *pgx.Conn) (ruleSet, error) {
	rs := ruleSet{v: map[string]int{}}
	rows, err := conn.Query(ctx, `SELECT id, value FROM rule`)
	if err != nil {
		return rs, fmt.Errorf("seed: read rules: %w", err)
	}
	for rows.Next() {
		var id string
		var v int
		if err := rows.Scan(&id, &v); err != nil {
			return rs, err
		}
		rs.v[id] = v
	}
	if err := rows.Err(); err != nil {
		return rs, err
	}
	for _, id := range []string{"age.min_months", "age.max_months", "education.min_level", "certificate.valid_months",
		"dossier.stale_months", "sponsor.count", "sponsor.known_months", "sponsor.youth_union_count", "youth_union.max_age_years",
		"vote.cell.numerator", "vote.cell.denominator", "vote.committee.numerator", "vote.committee.denominator",
		"vote.recognition.numerator", "vote.recognition.denominator", "vote.recognition.max_rounds", "decision.deadline_wd", "decision.extension_wd",
		"ceremony.deadline_wd", "probation.months", "recognition.deadline_wd", "source.stall_months"} {
		if _, ok := rs.v[id]; !ok {
			return rs, fmt.Errorf("seed: rule %s is missing from the rule table", id)
		}
	}
	return rs, nil
}

// passes reports whether votesFor of eligible reach the fraction of a vote rule (rule.Set.Passes).
func (r ruleSet) passes(vote string, votesFor, eligible int) bool {
	return votesFor*r.get(vote+".denominator") >= r.get(vote+".numerator")*eligible
}

// minPassing is the least number of votes that passes.
func (r ruleSet) minPassing(vote string, eligible int) int {
	n := r.get(vote+".numerator")*eligible/r.get(vote+".denominator") - 1
	for !r.passes(vote, max(n, 0), eligible) {
		n++
	}
	return max(n, 0)
}

// workdays counts working days as package calendar does, from a table of cumulative counts over the
// generated period: adding working days is then a lookup.
type workdays struct {
	first day
	cum   []int32 // cum[i]: working days in [first, first+i]
	cal   *calendar.Calendar
}

func loadCalendar(ctx context.Context, conn *pgx.Conn) (*calendar.Calendar, error) {
	rows, err := conn.Query(ctx, `SELECT day, kind FROM calendar_day`)
	if err != nil {
		return nil, fmt.Errorf("seed: read calendar: %w", err)
	}
	var days []calendar.Day
	for rows.Next() {
		var d time.Time
		var k string
		if err := rows.Scan(&d, &k); err != nil {
			return nil, err
		}
		days = append(days, calendar.Day{Day: d, Kind: k})
	}
	return calendar.New(days), rows.Err()
}

func newWorkdays(cal *calendar.Calendar, from, to day) *workdays {
	w := &workdays{first: from, cum: make([]int32, int(to-from)+1), cal: cal}
	var n int32
	for i := range w.cum {
		if cal.IsWorkingDay((from + day(i)).time()) {
			n++
		}
		w.cum[i] = n
	}
	return w
}

func (w *workdays) count(d day) int32 { return w.cum[int(d-w.first)] }

func (w *workdays) in(d day) bool { return d >= w.first && int(d-w.first) < len(w.cum) }

// add returns the n-th working day after from (n > 0) or before it (n < 0), as calendar.AddWorkingDays.
func (w *workdays) add(from day, n int) day {
	if !w.in(from-day(2*abs(n)+30)) || !w.in(from+day(2*abs(n)+30)) {
		return dayOf(w.cal.AddWorkingDays(from.time(), n))
	}
	switch {
	case n == 0:
		return from
	case n > 0:
		// The first day after from whose count reaches count(from) + n.
		target := w.count(from) + int32(n)
		d := from + 1
		for w.count(d) < target {
			d++
		}
		return d
	default:
		// The first day whose count reaches count(from-1) + n + 1: |n| working days in [d, from).
		target := w.count(from-1) + int32(n) + 1
		d := from - 1
		for w.count(d-1) >= target {
			d--
		}
		return d
	}
}

func (w *workdays) working(d day) bool {
	if !w.in(d) || !w.in(d-1) {
		return w.cal.IsWorkingDay(d.time())
	}
	return w.count(d) > w.count(d-1)
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// prevWorking returns d, or the working day before it.
func (w *workdays) prevWorking(d day) day {
	for !w.working(d) {
		d--
	}
	return d
}
