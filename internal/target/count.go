package target

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"ptdv/internal/auth"
	"ptdv/internal/member"
)

// edge is a row of org_lineage with the kind of its operation.
type edge struct {
	Pred      int64     `bun:"predecessor_id"`
	Succ      int64     `bun:"successor_id"`
	Effective time.Time `bun:"effective"`
	Kind      string    `bun:"kind"` // merge or split
	OpID      int64     `bun:"op_id"`
}

// lineage holds the merges and splits behind a set of units.
type lineage struct {
	into  map[int64][]edge     // by successor
	moved map[[2]int64][]int64 // (split operation, successor) → the units it took over
}

// maxDepth bounds the walks through lineage (a unit merged into one merged into one …).
const maxDepth = 30

// loadLineage reads every merge and split behind the units, transitively, and for splits the units each
// successor took over.
func loadLineage(ctx context.Context, db bun.IDB, units []int64) (lineage, error) {
	g := lineage{into: map[int64][]edge{}, moved: map[[2]int64][]int64{}}
	var es []edge
	err := db.NewRaw(`
		WITH RECURSIVE back(unit_id, depth) AS (
			SELECT u, 0 FROM unnest(?::bigint[]) AS u
			UNION
			SELECT l.predecessor_id, b.depth + 1 FROM back b JOIN org_lineage l ON l.successor_id = b.unit_id WHERE b.depth < ?
		)
		SELECT l.predecessor_id, l.successor_id, l.effective, o.kind, l.op_id
		FROM org_lineage l JOIN org_operation o ON o.id = l.op_id
		WHERE l.successor_id IN (SELECT unit_id FROM back)
		ORDER BY l.successor_id, l.predecessor_id`, pgdialect.Array(units), maxDepth).Scan(ctx, &es)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return g, fmt.Errorf("target: lineage: %w", err)
	}
	var ops, succs []int64
	for _, e := range es {
		g.into[e.Succ] = append(g.into[e.Succ], e)
		if e.Kind == "split" {
			ops, succs = append(ops, e.OpID), append(succs, e.Succ)
		}
	}
	if len(ops) == 0 {
		return g, nil
	}
	var rows []struct {
		OpID   int64 `bun:"op_id"`
		Succ   int64 `bun:"parent_id"`
		UnitID int64 `bun:"unit_id"`
	}
	err = db.NewRaw(`SELECT l.op_id, l.parent_id, l.unit_id FROM unnest(?::bigint[], ?::bigint[]) AS x(op_id, succ)
		JOIN org_link l ON l.op_id = x.op_id AND l.parent_id = x.succ ORDER BY l.unit_id`,
		pgdialect.Array(ops), pgdialect.Array(succs)).Scan(ctx, &rows)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return g, fmt.Errorf("target: split units: %w", err)
	}
	for _, r := range rows {
		k := [2]int64{r.OpID, r.Succ}
		if !slices.Contains(g.moved[k], r.UnitID) {
			g.moved[k] = append(g.moved[k], r.UnitID)
		}
	}
	return g, nil
}

// preds returns the units a unit continues: its direct predecessors by merge and by split.
func (g lineage) preds(unit int64, kind string) []edge {
	var out []edge
	for _, e := range g.into[unit] {
		if e.Kind == kind {
			out = append(out, e)
		}
	}
	return out
}

// mergeClosure is a unit and every unit merged into it, transitively.
func (g lineage) mergeClosure(unit int64) []int64 {
	out := []int64{unit}
	for i := 0; i < len(out) && i < 1000; i++ {
		for _, e := range g.preds(out[i], "merge") {
			if !slices.Contains(out, e.Pred) {
				out = append(out, e.Pred)
			}
		}
	}
	return out
}

// source is one part of what a unit counts: the units whose link paths contain root, for days before
// until, and (for what a split successor took over) whose paths also contain one of within.
type source struct {
	subject int
	root    int64
	until   *time.Time // exclusive; nil: no end
	within  []int64
}

func minDay(a *time.Time, b time.Time) *time.Time {
	if a != nil && a.Before(b) {
		return a
	}
	return &b
}

// sources lists what unit counts (see the package comment): itself; through a merge, each predecessor
// before the merger, transitively; through a split, the units it took over, before the split and while
// they were in the subtree of the predecessor or of a unit merged into it.
func (g lineage) sources(subject int, unit int64) []source {
	var out []source
	var walk func(u int64, until *time.Time, depth int)
	walk = func(u int64, until *time.Time, depth int) {
		out = append(out, source{subject: subject, root: u, until: until})
		if depth >= maxDepth {
			return
		}
		for _, e := range g.into[u] {
			before := minDay(until, e.Effective)
			switch e.Kind {
			case "merge":
				walk(e.Pred, before, depth+1)
			case "split":
				within := g.mergeClosure(e.Pred)
				for _, k := range g.moved[[2]int64{e.OpID, e.Succ}] {
					out = append(out, source{subject: subject, root: k, until: before, within: within})
				}
			}
		}
	}
	walk(unit, nil, 0)
	return out
}

// window is what a subject counts: admissions decided in [thisFrom, thisTo) and [lastFrom, lastTo).
type window struct{ thisFrom, thisTo, lastFrom, lastTo time.Time }

// counted is the result for one subject.
type counted struct {
	Subject int `bun:"subject"`
	This    int `bun:"this"`
	Last    int `bun:"last"`
}

type sourceArgs struct {
	subjects, withins []string
	roots             []int64
	untils            []string
}

func argsOf(srcs []source) sourceArgs {
	var a sourceArgs
	for _, s := range srcs {
		a.subjects = append(a.subjects, strconv.Itoa(s.subject))
		a.roots = append(a.roots, s.root)
		if s.until == nil {
			a.untils = append(a.untils, "infinity")
		} else {
			a.untils = append(a.untils, s.until.Format(time.DateOnly))
		}
		w := make([]string, len(s.within))
		for i, x := range s.within {
			w[i] = strconv.FormatInt(x, 10)
		}
		a.withins = append(a.withins, "{"+strings.Join(w, ",")+"}")
	}
	return a
}

const srcCTE = `src AS MATERIALIZED (
			SELECT * FROM unnest(?::int[], ?::bigint[], ?::date[], ?::text[]) AS s(subject, root, until, within))`

// countAdmissions counts, per subject, the admissions of its sources decided in its two windows: one range
// scan of admission_ancestor per source, the events counted once per subject.
//
// A count is a figure of the tree as it stood in its window, not a list of records: once the unit asked
// about is in the actor's scope (the callers check it on today's tree), every admission of its subtree of
// the time counts, including those of a cell that has since moved to another owner. So a commune's 2024
// figures do not change when one of its cells leaves in 2026, and no per-row scope test is applied here.
func countAdmissions(ctx context.Context, db bun.IDB, srcs []source, wins []window) ([]counted, error) {
	out := make([]counted, len(wins))
	for i := range out {
		out[i].Subject = i
	}
	if len(srcs) == 0 || len(wins) == 0 {
		return out, nil
	}
	var subj, af, at, bf, bt []string
	for i, w := range wins {
		subj = append(subj, strconv.Itoa(i))
		af, at = append(af, w.thisFrom.Format(time.DateOnly)), append(at, w.thisTo.Format(time.DateOnly))
		bf, bt = append(bf, w.lastFrom.Format(time.DateOnly)), append(bt, w.lastTo.Format(time.DateOnly))
	}
	sa := argsOf(srcs)
	args := []any{pgdialect.Array(sa.subjects), pgdialect.Array(sa.roots), pgdialect.Array(sa.untils), pgdialect.Array(sa.withins),
		pgdialect.Array(subj), pgdialect.Array(af), pgdialect.Array(at), pgdialect.Array(bf), pgdialect.Array(bt)}
	var rows []counted
	err := db.NewRaw(`
		WITH `+srcCTE+`,
		w AS MATERIALIZED (
			SELECT * FROM unnest(?::int[], ?::date[], ?::date[], ?::date[], ?::date[]) AS w(subject, a, b, c, d))
		SELECT w.subject,
			count(DISTINCT x.event_id) FILTER (WHERE x.decided >= w.a AND x.decided < w.b) AS this,
			count(DISTINCT x.event_id) FILTER (WHERE x.decided >= w.c AND x.decided < w.d) AS last
		FROM src s JOIN w ON w.subject = s.subject
		-- One range scan per source (OFFSET 0 keeps the planner from flattening it into a join over the
		-- whole cache).
		CROSS JOIN LATERAL (
			SELECT a.event_id, a.decided FROM admission_ancestor a
			WHERE a.ancestor_id = s.root AND a.decided >= least(w.a, w.c) AND a.decided < least(s.until, greatest(w.b, w.d))
			OFFSET 0) x
		WHERE CASE WHEN cardinality(s.within::bigint[]) = 0 THEN TRUE
			ELSE EXISTS (SELECT 1 FROM admission_ancestor o
			             WHERE o.ancestor_id = ANY(s.within::bigint[]) AND o.decided = x.decided AND o.event_id = x.event_id) END
		GROUP BY w.subject`, args...).Scan(ctx, &rows)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("target: count admissions: %w", err)
	}
	for _, r := range rows {
		out[r.Subject] = r
	}
	return out, nil
}

// countMembers counts, per subject, the members (member.MemberStatuses) of its sources on its day, as the
// tree stood then: member.CountByStatus summed by member.Members, for many units at once. A subject whose
// day is a year-end the rollup holds (migration 0006, member_yearend) is read from it: one probe per
// source valid that day. The others (another day, a source that counts only part of a subtree) are
// counted from the status spans. Like countAdmissions, a figure of the tree of its day: no per-row scope.
func countMembers(ctx context.Context, db bun.IDB, srcs []source, on []time.Time) ([]int, error) {
	out := make([]int, len(on))
	if len(srcs) == 0 || len(on) == 0 {
		return out, nil
	}
	rest := make([]bool, len(on)) // subjects left for the span count
	for i := range rest {
		rest[i] = true
	}
	{
		// The rollup counts whole subtrees: a split successor's part of its predecessor (within) is not one.
		whole := make([]bool, len(on))
		for i := range whole {
			whole[i] = true
		}
		for _, s := range srcs {
			if len(s.within) > 0 {
				whole[s.subject] = false
			}
		}
		var fs []source
		for _, s := range srcs {
			if whole[s.subject] {
				fs = append(fs, s)
			}
		}
		done, err := countMembersRollup(ctx, db, fs, on, whole, out)
		if err != nil {
			return nil, err
		}
		for i := range rest {
			rest[i] = !done[i]
		}
	}
	var ss []source
	for _, s := range srcs {
		if rest[s.subject] {
			ss = append(ss, s)
		}
	}
	if len(ss) == 0 {
		return out, nil
	}
	return out, countMembersSpans(ctx, db, ss, on, rest, out)
}

// countMembersRollup counts the subjects marked in which from member_yearend into out, and reports those
// it counted: the ones whose day is 31 December of a year in the rollup's window. A source nested in
// another of its subject on that day is dropped (the span count counts each unit once).
func countMembersRollup(ctx context.Context, db bun.IDB, srcs []source, on []time.Time, which []bool, out []int) ([]bool, error) {
	done := make([]bool, len(on))
	var subj, days []string
	for i, d := range on {
		if which[i] && d.Month() == time.December && d.Day() == 31 {
			subj, days = append(subj, strconv.Itoa(i)), append(days, d.Format(time.DateOnly))
		}
	}
	if len(subj) == 0 || len(srcs) == 0 {
		return done, nil
	}
	sa := argsOf(srcs)
	var rows []struct {
		Subject int `bun:"subject"`
		N       int `bun:"n"`
	}
	err := db.NewRaw(`
		WITH `+srcCTE+`,
		w AS MATERIALIZED (
			SELECT w.subject, w.on_day, extract(year FROM w.on_day)::int AS year
			FROM unnest(?::int[], ?::date[]) AS w(subject, on_day), member_yearend_window x
			WHERE extract(year FROM w.on_day)::int BETWEEN x.from_year AND x.to_year),
		rv AS MATERIALIZED (
			SELECT x.*, count(*) OVER (PARTITION BY x.subject) AS roots FROM (
				SELECT DISTINCT s.subject, w.year, r.unit_id, r.path
				FROM src s JOIN w ON w.subject = s.subject
				JOIN org_link r ON r.unit_id = s.root AND r.valid_from <= w.on_day AND (r.valid_to IS NULL OR r.valid_to > w.on_day)
				WHERE w.on_day < s.until) x),
		-- The nesting test only for subjects with several roots that day (OR stops at the first): a
		-- correlated scan of rv per root would cost O(roots²).
		top AS (
			SELECT * FROM rv
			WHERE rv.roots = 1 OR NOT EXISTS (SELECT 1 FROM rv o WHERE o.subject = rv.subject AND `+auth.SubtreeSQL("rv.path", "o.path")+` AND o.path <> rv.path))
		SELECT w.subject, coalesce(sum(y.n), 0)::bigint AS n
		FROM w LEFT JOIN top ON top.subject = w.subject
		LEFT JOIN member_yearend y ON y.ancestor_id = top.unit_id AND y.year = top.year
		GROUP BY w.subject`, pgdialect.Array(sa.subjects), pgdialect.Array(sa.roots), pgdialect.Array(sa.untils), pgdialect.Array(sa.withins),
		pgdialect.Array(subj), pgdialect.Array(days)).Scan(ctx, &rows)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("target: count members: %w", err)
	}
	for _, r := range rows {
		out[r.Subject], done[r.Subject] = r.N, true
	}
	return done, nil
}

// countMembersSpans counts the subjects marked in which from the status spans into out: one GiST probe per
// source valid that day, then the spans of each unit.
func countMembersSpans(ctx context.Context, db bun.IDB, srcs []source, on []time.Time, which []bool, out []int) error {
	var subj, days []string
	for i, d := range on {
		if which[i] {
			subj, days = append(subj, strconv.Itoa(i)), append(days, d.Format(time.DateOnly))
		}
	}
	sa := argsOf(srcs)
	args := []any{pgdialect.Array(sa.subjects), pgdialect.Array(sa.roots), pgdialect.Array(sa.untils), pgdialect.Array(sa.withins),
		pgdialect.Array(subj), pgdialect.Array(days), pgdialect.Array(member.MemberStatuses)}
	var rows []struct {
		Subject int `bun:"subject"`
		N       int `bun:"n"`
	}
	err := db.NewRaw(`
		WITH `+srcCTE+`,
		w AS MATERIALIZED (SELECT * FROM unnest(?::int[], ?::date[]) AS w(subject, on_day)),
		rv AS MATERIALIZED (
			SELECT DISTINCT s.subject, s.within, w.on_day, r.path
			FROM src s JOIN w ON w.subject = s.subject
			JOIN org_link r ON r.unit_id = s.root AND r.valid_from <= w.on_day AND (r.valid_to IS NULL OR r.valid_to > w.on_day)
			WHERE w.on_day < s.until),
		uv AS MATERIALIZED (
			SELECT DISTINCT rv.subject, l.unit_id, rv.on_day
			FROM rv JOIN org_link l ON `+auth.SubtreeSQL("l.path", "rv.path")+`
			WHERE l.valid_from <= rv.on_day AND (l.valid_to IS NULL OR l.valid_to > rv.on_day)
			  AND CASE WHEN cardinality(rv.within::bigint[]) = 0 THEN TRUE
			      ELSE string_to_array(l.path::text, '.')::bigint[] && rv.within::bigint[] END)
		SELECT uv.subject, sum(sp.n)::bigint AS n
		FROM uv CROSS JOIN LATERAL (
			SELECT count(*) AS n FROM member_status_span sp
			WHERE sp.unit_id = uv.unit_id AND sp.valid_from <= uv.on_day AND (sp.valid_to IS NULL OR sp.valid_to > uv.on_day)
			  AND sp.status = ANY(?::text[])) sp
		GROUP BY uv.subject`, args...).Scan(ctx, &rows)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("target: count members: %w", err)
	}
	for _, r := range rows {
		out[r.Subject] = r.N
	}
	return nil
}

func earliest(t time.Time, ts ...time.Time) time.Time {
	for _, x := range ts {
		if x.Before(t) {
			t = x
		}
	}
	return t
}

func latest(t time.Time, ts ...time.Time) time.Time {
	for _, x := range ts {
		if x.After(t) {
			t = x
		}
	}
	return t
}
