// Package calendar counts working days (ngày làm việc). Deadlines of the admission process are
// written in working days ("within 30 working days of the decision"): Monday to Friday, except public
// holidays (Bộ luật Lao động 2019, Điều 112) and the days off the government announces each year
// (nghỉ bù, hoán đổi), plus the Saturdays it declares working days (làm bù) in exchange.
//
// Those exceptions are data, in table calendar_day, seeded for 2010–2035 (migration 0002: 2020–2030,
// with the announcements of 2020–2026; migration 0019: the years around them) and edited by an
// administrator through SetDay and DeleteDay. Rows the seed could only predict carry the source
// SourceProposed, "dự kiến (verify)", and past years computed from the law of their time carry
// SourceComputed, so that an administrator knows to check them against the government's announcement
// for that year.
//
// A Calendar is an immutable snapshot of the table: Load reads it (a few hundred rows), and a caller
// may keep it for as long as it accepts not seeing later edits. A year without any row is not covered:
// there the calendar assumes plain Monday–Friday weeks, and Covers / CheckCovered let callers warn
// that the holidays of that year still need to be entered.
//
// Dates are civil dates: only the year, month and day of a time.Time (in its own location) count,
// and the dates returned are at midnight UTC.
package calendar

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"ptdv/internal/apperr"
)

// The kinds of exception.
const (
	Holiday = "holiday"  // a public holiday on a weekday (Bộ luật Lao động 2019, Điều 112)
	DayOff  = "day_off"  // a weekday off in compensation for a holiday on a weekend, or swapped (nghỉ bù, hoán đổi)
	WorkDay = "work_day" // a Saturday or Sunday declared a working day (làm bù)
)

// Kinds lists the kinds of exception, in a stable order.
func Kinds() []string { return []string{Holiday, DayOff, WorkDay} }

// SourceProposed marks rows computed from the law and the lunar calendar but not yet checked against
// the government's announcement for the year.
const SourceProposed = "dự kiến (verify)"

// RuleCoverage is the rule named when a computation needs a year whose holidays are not entered.
const RuleCoverage = "calendar.coverage"

// Day is one exception to the Monday–Friday week.
type Day struct {
	Day        time.Time `json:"day"`
	Kind       string    `json:"kind"`
	NameVI     string    `json:"nameVi"`
	Source     string    `json:"source"`
	RecordedBy string    `json:"recordedBy,omitempty"` // "" for rows of the seed
	RecordedAt time.Time `json:"recordedAt"`
}

// Calendar is a snapshot of the exceptions. Its methods are safe for concurrent use.
//
// Working days are counted with a cumulative function: work(d) is the number of working days up to
// and including d, counted from a fixed origin; between two dates it is a difference (O(log n)), and
// AddWorkingDays is a binary search on it, so n may be large.
type Calendar struct {
	nums  []int64 // day numbers (days since 1970-01-01) of the exceptions, ascending
	days  []Day   // the exceptions, parallel to nums
	delta []int64 // delta[i]: working days the first i exceptions add (work_day) or remove (holiday, day_off)
	years map[int]bool
}

// New builds a calendar from exceptions (of any order; for a repeated date the last one wins).
// An exception that changes nothing (a holiday on a Sunday, a work_day on a Monday) is kept for
// Lookup but does not count.
func New(days []Day) *Calendar {
	byNum := make(map[int64]Day, len(days))
	for _, d := range days {
		d.Day = Date(d.Day)
		byNum[dayNum(d.Day)] = d
	}
	c := &Calendar{years: map[int]bool{}}
	for n := range byNum {
		c.nums = append(c.nums, n)
	}
	slices.Sort(c.nums)
	c.days = make([]Day, len(c.nums))
	c.delta = make([]int64, len(c.nums)+1)
	for i, n := range c.nums {
		d := byNum[n]
		c.days[i] = d
		c.years[d.Day.Year()] = true
		c.delta[i+1] = c.delta[i] + effect(n, d.Kind)
	}
	return c
}

// effect is how an exception changes the count of working days on its date.
func effect(n int64, kind string) int64 {
	weekend := isWeekend(n)
	switch {
	case kind == WorkDay && weekend:
		return 1
	case (kind == Holiday || kind == DayOff) && !weekend:
		return -1
	}
	return 0
}

// Load reads every exception. It needs no actor: the holiday calendar is public information, and the
// deadline computations of other packages call it inside their own, already authorized, operations.
func Load(ctx context.Context, db bun.IDB) (*Calendar, error) {
	days, err := query(ctx, db, "", nil)
	if err != nil {
		return nil, err
	}
	return New(days), nil
}

func query(ctx context.Context, db bun.IDB, where string, args []any) ([]Day, error) {
	var rows []struct {
		Day        time.Time `bun:"day"`
		Kind       string    `bun:"kind"`
		NameVI     string    `bun:"name_vi"`
		Source     string    `bun:"source"`
		RecordedBy string    `bun:"recorded_by"`
		RecordedAt time.Time `bun:"recorded_at"`
	}
	q := `SELECT day, kind, name_vi, source, coalesce(recorded_by, '') AS recorded_by, recorded_at FROM calendar_day`
	if where != "" {
		q += " WHERE " + where
	}
	if err := db.NewRaw(q+" ORDER BY day", args...).Scan(ctx, &rows); err != nil {
		return nil, fmt.Errorf("calendar: read calendar_day: %w", err)
	}
	days := make([]Day, len(rows))
	for i, r := range rows {
		days[i] = Day{Day: Date(r.Day), Kind: r.Kind, NameVI: r.NameVI, Source: r.Source, RecordedBy: r.RecordedBy, RecordedAt: r.RecordedAt}
	}
	return days, nil
}

// Date returns the civil date of t (its year, month and day in its own location) at midnight UTC.
func Date(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// dayNum is the number of days from 1970-01-01 to the civil date of t.
func dayNum(t time.Time) int64 {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400
}

func fromNum(n int64) time.Time { return time.Unix(n*86400, 0).UTC() }

// weekday of a day number: 1970-01-01 was a Thursday.
func weekday(n int64) time.Weekday { return time.Weekday(((n+4)%7 + 7) % 7) }

func isWeekend(n int64) bool {
	w := weekday(n)
	return w == time.Saturday || w == time.Sunday
}

// plain counts the Mondays to Fridays up to and including day n, from a fixed origin (the Monday
// 1969-12-29); it is negative before the origin, which only differences see.
func plain(n int64) int64 {
	x := n + 3 // 0 on the Monday 1969-12-29
	weeks := x / 7
	if x%7 < 0 {
		weeks--
	}
	r := x - 7*weeks // 0 = Monday .. 6 = Sunday
	return 5*weeks + min(r+1, 5)
}

// work counts the working days up to and including day n, from the same origin as plain.
func (c *Calendar) work(n int64) int64 {
	i := sort.Search(len(c.nums), func(i int) bool { return c.nums[i] > n })
	return plain(n) + c.delta[i]
}

func (c *Calendar) find(n int64) (int, bool) {
	return slices.BinarySearch(c.nums, n)
}

// IsWorkingDay reports whether d is a working day: Monday to Friday unless a holiday or a day off,
// Saturday and Sunday only when declared a work_day.
func (c *Calendar) IsWorkingDay(d time.Time) bool {
	n := dayNum(d)
	if i, ok := c.find(n); ok {
		switch c.days[i].Kind {
		case WorkDay:
			return true
		case Holiday, DayOff:
			return false
		}
	}
	return !isWeekend(n)
}

// Lookup returns the exception recorded for d, if any.
func (c *Calendar) Lookup(d time.Time) (Day, bool) {
	if i, ok := c.find(dayNum(d)); ok {
		return c.days[i], true
	}
	return Day{}, false
}

// AddWorkingDays returns the n-th working day after from: the deadline of "within n working days of
// from" (from itself never counts, working day or not). n = 0 returns from. A negative n counts
// backwards: the |n|-th working day before from.
//
// Outside the covered years the weeks are taken as plain Monday–Friday weeks; use CheckCovered on
// (from, result) to warn about it.
func (c *Calendar) AddWorkingDays(from time.Time, n int) time.Time {
	f := dayNum(from)
	switch {
	case n == 0:
		return fromNum(f)
	case n > 0:
		// The first day d > f with work(d) >= work(f) + n; work only steps on working days, so it is one.
		target := c.work(f) + int64(n)
		hi := f + int64(n) + int64(n)/2 + 14
		for c.work(hi) < target {
			hi += 2*(target-c.work(hi)) + 14
		}
		return fromNum(c.search(f+1, hi, target))
	default:
		// The day d < f with exactly |n| working days in [d, f): work(d) = work(f-1) + n + 1.
		target := c.work(f-1) + int64(n) + 1
		lo := f + int64(n) + int64(n)/2 - 14
		for c.work(lo) >= target {
			lo -= 2*(c.work(lo)-target) + 14
		}
		return fromNum(c.search(lo+1, f-1, target))
	}
}

// search returns the smallest day in [lo, hi] with work(day) >= target; work(hi) >= target.
func (c *Calendar) search(lo, hi, target int64) int64 {
	for lo < hi {
		mid := lo + (hi-lo)/2
		if c.work(mid) >= target {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo
}

// WorkingDaysBetween returns the number of working days in (a, b]: after a, up to and including b.
// It is negative when b is before a (then it is minus the count in (b, a]). For a working day b after
// a, AddWorkingDays(a, WorkingDaysBetween(a, b)) == b.
func (c *Calendar) WorkingDaysBetween(a, b time.Time) int {
	return int(c.work(dayNum(b)) - c.work(dayNum(a)))
}

// Covers reports whether the holidays of d's year are entered (the year has at least one row).
func (c *Calendar) Covers(d time.Time) bool { return c.years[d.Year()] }

// Years returns the covered years, ascending.
func (c *Calendar) Years() []int {
	ys := slices.AppendSeq(make([]int, 0, len(c.years)), maps.Keys(c.years))
	slices.Sort(ys)
	return ys
}

// MissingYears returns the years from a to b (in either order) that the calendar does not cover.
func (c *Calendar) MissingYears(a, b time.Time) []int {
	ya, yb := a.Year(), b.Year()
	if ya > yb {
		ya, yb = yb, ya
	}
	var missing []int
	for y := ya; y <= yb; y++ {
		if !c.years[y] {
			missing = append(missing, y)
		}
	}
	return missing
}

// CheckCovered returns nil when every year from a to b is covered, and otherwise a RULE_VIOLATION
// (rule RuleCoverage) that names the missing years: a deadline computed across them assumed plain
// Monday–Friday weeks and may be early. Callers typically show it as a warning next to the deadline.
func (c *Calendar) CheckCovered(a, b time.Time) error {
	missing := c.MissingYears(a, b)
	if len(missing) == 0 {
		return nil
	}
	ys := make([]string, len(missing))
	for i, y := range missing {
		ys[i] = fmt.Sprint(y)
	}
	list := strings.Join(ys, ", ")
	return apperr.Rule(RuleCoverage,
		fmt.Sprintf("Lịch nghỉ năm %s chưa được nhập; hạn tính theo ngày làm việc chưa trừ các ngày nghỉ lễ, Tết của năm đó.", list),
		fmt.Sprintf("the holiday calendar has no data for %s; working days there were counted as plain Monday-Friday weeks", list))
}

// MustDay parses a yyyy-mm-dd literal written in code (tests, fixed data); a malformed one is a bug in
// that code, so it panics. Input from users goes through the parsers that return errors.
func MustDay(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}
