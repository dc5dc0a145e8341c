package forecast

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"ptdv/internal/auth"
)

// LoadOptions bound what Load reads.
type LoadOptions struct {
	// From: admissions decided and cases last moved before this day are not read (the model looks at
	// most six years back). Zero: seven years before AsOf.
	From time.Time
	// AsOf is the day the history is read for; zero: today. Nothing dated after it is read.
	AsOf time.Time
}

// Load reads the history the model learns from: the tree with its versions and merges, every case's
// stage changes (case_event), the admissions (member_event), the admissions targets and the year-end
// member counts, all within the caller's scope (internal/auth: the nightly job and the backtest run as
// auth.System, national scope). Only the event tables are read for the pipeline: candidate_case gives a
// case's cell, never its cached state, so that a history cut at a day is what was known on that day.
func Load(ctx context.Context, db bun.IDB, opt LoadOptions) (*History, error) {
	a, err := auth.FromContext(ctx)
	if err != nil {
		return nil, err
	}
	return load(ctx, db, a.Scope(), opt)
}

// Querier runs a query: bun.IDB over PostgreSQL, or database/sql over the nightly's DuckDB file, whose
// tables of the same names hold the same columns (the queries below run unchanged on both).
type Querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// LoadSnapshot reads the same history from the nightly job's DuckDB file (analytics.Open) instead of
// PostgreSQL: the job has just copied it there, consistent to one transaction, and reading it back is
// seconds where the same reads from PostgreSQL are minutes at national size. The file has no row-level
// scope, so only a national actor (the nightly job's auth.System) may load from it.
func LoadSnapshot(ctx context.Context, duck Querier, opt LoadOptions) (*History, error) {
	a, err := auth.FromContext(ctx)
	if err != nil {
		return nil, err
	}
	sc := a.Scope()
	if !sc.All {
		return nil, fmt.Errorf("forecast: loading from the snapshot needs a national scope")
	}
	return load(ctx, duck, sc, opt)
}

func load(ctx context.Context, db Querier, sc auth.Scope, opt LoadOptions) (*History, error) {
	var err error
	asOf := time.Now()
	if !opt.AsOf.IsZero() {
		asOf = opt.AsOf
	}
	h := &History{AsOf: DayOf(asOf), YearEnd: map[YearKey]int{}}
	from := opt.From
	if from.IsZero() {
		from = h.AsOf.Time().AddDate(-7, 0, 0)
	}
	h.From = DayOf(from)
	fromD, asOfD := h.From.Time(), h.AsOf.Time()
	scope := func(col string) (string, []any) { return sc.UnitFilter(col) }

	q := func(query string, args []any, scan func(*sql.Rows) error) error {
		rows, err := db.QueryContext(ctx, query, args...)
		if err != nil {
			return fmt.Errorf("forecast load: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			if err := scan(rows); err != nil {
				return fmt.Errorf("forecast load: %w", err)
			}
		}
		return rows.Err()
	}
	day := func(t sql.NullTime) Day {
		if !t.Valid {
			return NoDay
		}
		return DayOf(t.Time)
	}

	// Units, with their name on their last valid day.
	cond, args := scope("u.id")
	err = q(`SELECT u.id, u.code, u.kind, u.sector, u.valid_from, u.valid_to,
	            coalesce((SELECT n.name FROM org_unit_name n WHERE n.unit_id = u.id AND n.valid_from <= ? ORDER BY n.valid_from DESC LIMIT 1), '')
	         FROM org_unit u WHERE u.valid_from <= ? AND `+cond+` ORDER BY u.id`,
		append([]any{asOfD, asOfD}, args...), func(r *sql.Rows) error {
			var u Unit
			var f, t sql.NullTime
			if err := r.Scan(&u.ID, &u.Code, &u.Kind, &u.Sector, &f, &t, &u.Name); err != nil {
				return err
			}
			u.From, u.To = day(f), day(t)
			if u.To != NoDay && u.To > h.AsOf {
				u.To = NoDay
			}
			h.Units = append(h.Units, u)
			return nil
		})
	if err != nil {
		return nil, err
	}
	cond, args = scope("l.unit_id")
	err = q(`SELECT l.unit_id, coalesce(l.parent_id, 0), l.path::text, l.valid_from, l.valid_to FROM org_link l
	         WHERE l.valid_from <= ? AND `+cond+` ORDER BY l.unit_id, l.valid_from`,
		append([]any{asOfD}, args...), func(r *sql.Rows) error {
			var l Link
			var path string
			var f, t sql.NullTime
			if err := r.Scan(&l.Unit, &l.Parent, &path, &f, &t); err != nil {
				return err
			}
			l.From, l.To = day(f), day(t)
			if l.To != NoDay && l.To > h.AsOf {
				l.To = NoDay
			}
			for _, s := range strings.Split(path, ".") {
				id, err := strconv.ParseInt(s, 10, 64)
				if err != nil {
					return fmt.Errorf("path %q: %w", path, err)
				}
				l.Path = append(l.Path, id)
			}
			h.Links = append(h.Links, l)
			return nil
		})
	if err != nil {
		return nil, err
	}
	// Merges: a predecessor with exactly one successor (a split's successors take their cells along).
	cond, args = scope("g.successor_id")
	err = q(`SELECT g.predecessor_id, g.successor_id, g.effective FROM org_lineage g
	         WHERE g.effective <= ? AND `+cond+`
	           AND NOT EXISTS (SELECT 1 FROM org_lineage o WHERE o.predecessor_id = g.predecessor_id AND o.successor_id <> g.successor_id)`,
		append([]any{asOfD}, args...), func(r *sql.Rows) error {
			var g Merge
			var on sql.NullTime
			if err := r.Scan(&g.Pred, &g.Succ, &on); err != nil {
				return err
			}
			g.On = day(on)
			h.Merges = append(h.Merges, g)
			return nil
		})
	if err != nil {
		return nil, err
	}
	// Cases: their stage changes, from the events only.
	cond, args = scope("c.cell_id")
	var cur *Case
	var curID int64 = -1
	err = q(`SELECT e.case_id, c.cell_id, e.stage_after, e.effective FROM case_event e JOIN candidate_case c ON c.id = e.case_id
	         WHERE e.effective <= ? AND `+cond+`
	           AND NOT EXISTS (SELECT 1 FROM case_event x WHERE x.case_id = e.case_id AND x.stage_after IN ('left', 'removed', 'full_member')
	                           AND x.effective < ?)
	         ORDER BY e.case_id, e.effective, e.id`,
		append(append([]any{asOfD}, args...), fromD), func(r *sql.Rows) error {
			var id, cell int64
			var st string
			var on sql.NullTime
			if err := r.Scan(&id, &cell, &st, &on); err != nil {
				return err
			}
			s, ok := ParseStage(st)
			if !ok {
				return fmt.Errorf("case %d: unknown stage %q", id, st)
			}
			if id != curID {
				h.Cases = append(h.Cases, Case{Cell: cell})
				cur, curID = &h.Cases[len(h.Cases)-1], id
			}
			if n := len(cur.Moves); n > 0 && cur.Moves[n-1].Stage == s {
				return nil // an event within the stage (an extension, a failed vote)
			}
			cur.Moves = append(cur.Moves, Move{Stage: s, On: day(on)})
			return nil
		})
	if err != nil {
		return nil, err
	}
	// Admissions: counted by the decision date, known from the ceremony.
	cond, args = scope("e.unit_id")
	err = q(`SELECT e.unit_id, coalesce(e.decision_date, e.effective), e.effective FROM member_event e
	         WHERE e.kind IN ('admitted', 'readmitted') AND e.effective <= ? AND coalesce(e.decision_date, e.effective) >= ? AND `+cond,
		append([]any{asOfD, fromD}, args...), func(r *sql.Rows) error {
			var ad Admission
			var d, k sql.NullTime
			if err := r.Scan(&ad.Unit, &d, &k); err != nil {
				return err
			}
			ad.Decided, ad.Known = day(d), day(k)
			h.Admissions = append(h.Admissions, ad)
			return nil
		})
	if err != nil {
		return nil, err
	}
	cond, args = scope("t.unit_id")
	err = q(`SELECT t.id, t.unit_id, t.period_kind, t.period_start, t.period_end, t.kind, coalesce(t.count_value, 0), coalesce(t.rate_value, 0)::float8
	         FROM target t WHERE t.measure = 'admissions' AND t.period_end >= ? AND `+cond+` ORDER BY t.id`,
		append([]any{fromD}, args...), func(r *sql.Rows) error {
			var t Target
			var s, e sql.NullTime
			if err := r.Scan(&t.ID, &t.Unit, &t.PeriodKind, &s, &e, &t.Kind, &t.Count, &t.Rate); err != nil {
				return err
			}
			t.Start, t.End = day(s), day(e)
			h.Targets = append(h.Targets, t)
			return nil
		})
	if err != nil {
		return nil, err
	}
	cond, args = scope("m.ancestor_id")
	err = q(`SELECT m.ancestor_id, m.year, m.n FROM member_yearend m WHERE m.year BETWEEN ? AND ? AND `+cond,
		append([]any{fromD.Year() - 1, asOfD.Year() - 1}, args...), func(r *sql.Rows) error {
			var k YearKey
			var n int
			if err := r.Scan(&k.Unit, &k.Year, &n); err != nil {
				return err
			}
			h.YearEnd[k] = n
			return nil
		})
	if err != nil {
		return nil, err
	}
	h.Sort()
	h.FillLabels()
	return h, nil
}

// FillLabels sets each admission's labels that are not set: the path of its unit on the decision date,
// else (a unit created after the decision) its first path.
func (h *History) FillLabels() {
	byUnit := map[int64][]Link{}
	for _, l := range h.Links {
		byUnit[l.Unit] = append(byUnit[l.Unit], l)
	}
	for i := range h.Admissions {
		a := &h.Admissions[i]
		if a.Labels != nil {
			continue
		}
		ls := byUnit[a.Unit]
		if len(ls) == 0 {
			a.Labels = []int64{a.Unit}
			continue
		}
		a.Labels = ls[0].Path
		for _, l := range ls {
			if l.From <= a.Decided && (l.To == NoDay || l.To > a.Decided) {
				a.Labels = l.Path
				break
			}
		}
	}
}
