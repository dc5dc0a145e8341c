// Package org holds the effective-dated party hierarchy: units, their names and parent links over
// time, the operations that change them (create, rename, move, merge, split, dissolve), lineage
// through merges and splits, and villages with the cells that cover them.
//
// Every read and write goes through the actor's scope (package auth); dates are civil dates and
// intervals are [from, to).
package org

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"ptdv/internal/apperr"
	"ptdv/internal/auth"
	"ptdv/internal/byid"
	ptdb "ptdv/internal/db"
	"ptdv/internal/page"
	"ptdv/internal/vn"
)

// Unit is a node of the hierarchy as it stood on AsOf.
type Unit struct {
	ID        int64      `bun:"id"`
	Code      string     `bun:"code"`
	Kind      string     `bun:"kind"`
	Sector    string     `bun:"sector"`
	ValidFrom time.Time  `bun:"valid_from"`
	ValidTo   *time.Time `bun:"valid_to"`
	// Name is the name on AsOf, or the nearest one if the unit did not exist then.
	Name string `bun:"name"`
	// ParentID and Path are those on AsOf; nil and "" when the unit did not exist then or is a root.
	ParentID *int64    `bun:"parent_id"`
	Path     string    `bun:"path"`
	AsOf     time.Time `bun:"-"`
}

// ExistsOn reports whether the unit existed on day d.
func (u Unit) ExistsOn(d time.Time) bool {
	return !d.Before(u.ValidFrom) && (u.ValidTo == nil || d.Before(*u.ValidTo))
}

// Depth is the unit's level on AsOf (1 for a root), 0 if it did not exist then.
func (u Unit) Depth() int {
	if u.Path == "" {
		return 0
	}
	return strings.Count(u.Path, ".") + 1
}

// A unit query runs in two steps: the first picks the ids of the page (filters, scope, order by
// code, limit) touching only org_unit and the candidate ids; the second decorates just those rows
// with the name and link on the as-of date. Decorating thousands of rows of a province's subtree
// before sorting and cutting the page would cost far more.
//
// unitSelect is the second step: the name on the date clamped into the unit's life (so a dissolved
// unit still shows its last name) and the parent link on the date itself. Argument ?0 is the date.
const unitSelect = `
	SELECT u.id, u.code, u.kind, u.sector, u.valid_from, u.valid_to, n.name, l.parent_id, l.path::text AS path
	FROM sel JOIN org_unit u ON u.id = sel.id
	JOIN LATERAL (
		SELECT name FROM org_unit_name n
		WHERE n.unit_id = u.id AND n.valid_from <= LEAST(GREATEST(?0::date, u.valid_from), COALESCE(u.valid_to - 1, 'infinity'::date))
		ORDER BY n.valid_from DESC LIMIT 1) n ON TRUE
	LEFT JOIN org_link l ON l.unit_id = u.id AND l.valid_from <= ?0::date AND (l.valid_to IS NULL OR l.valid_to > ?0::date)
	ORDER BY u.code`

type query struct {
	with  string // materialized candidates, if any
	from  string // the first step's FROM, with alias u for org_unit
	conds strings.Builder
	tail  string
	args  []any
}

func (q *query) String() string {
	return "WITH " + q.with + "sel AS (SELECT u.id FROM " + q.from + " WHERE TRUE" + q.conds.String() + q.tail + ")" + unitSelect
}

// newQuery reads units chosen by conditions on org_unit (alias u) alone.
func newQuery(asOf time.Time) *query {
	return &query{from: "org_unit u", args: []any{vn.Day(asOf)}}
}

// newLinkQuery reads the units whose link on asOf matches cond (on org_link columns, alias c).
func newLinkQuery(asOf time.Time, cond string, args ...any) *query {
	return newCandidateQuery(asOf, "SELECT c.unit_id FROM org_link c WHERE c.valid_from <= ?0::date AND (c.valid_to IS NULL OR c.valid_to > ?0::date) AND "+cond, args...)
}

// newScopedLinkQuery is newLinkQuery for the units in the actor's scope: the scope is tested on the
// link row itself (auth.Scope.LinkFilter), which the query reads anyway, instead of a probe per unit.
func newScopedLinkQuery(ctx context.Context, asOf time.Time, cond string, args ...any) (*query, error) {
	a, err := auth.FromContext(ctx)
	if err != nil {
		return nil, err
	}
	scope, sargs := a.Scope().LinkFilter("c", vn.Day(asOf))
	return newLinkQuery(asOf, cond+" AND "+scope, append(args, sargs...)...), nil
}

// newCandidateQuery reads the units whose ids the candidates query (a SELECT of one column unit_id)
// returns. The candidates are materialized first: otherwise the planner may walk the whole code index
// looking for the first page of, say, a province's children.
func newCandidateQuery(asOf time.Time, candidates string, args ...any) *query {
	q := &query{from: "c JOIN org_unit u ON u.id = c.unit_id", args: []any{vn.Day(asOf)}}
	q.with = "c AS MATERIALIZED (" + q.number(candidates, args) + "), "
	return q
}

// number rewrites the plain ? placeholders of cond to numbered ones after the existing args.
func (q *query) number(cond string, args []any) string {
	var b strings.Builder
	for i, r := range cond {
		if r == '?' && (i+1 == len(cond) || cond[i+1] < '0' || cond[i+1] > '9') { // ?0 is already numbered
			fmt.Fprintf(&b, "?%d", len(q.args))
			q.args = append(q.args, args[0])
			args = args[1:]
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// where appends "AND cond"; cond uses ? placeholders numbered by position after the existing args.
func (q *query) where(cond string, args ...any) *query {
	// bun numbers ?N placeholders; plain ? become ?N so the as-of ?0 can be reused above.
	q.conds.WriteString(" AND ")
	q.conds.WriteString(q.number(cond, args))
	return q
}

func (q *query) scoped(ctx context.Context) (*query, error) {
	a, err := auth.FromContext(ctx)
	if err != nil {
		return nil, err
	}
	cond, args := a.Scope().UnitFilter("u.id")
	return q.where(cond, args...), nil
}

// pageBy orders by unit code, the stable key of every unit list, and fetches one row more than asked.
func (q *query) pageBy(p page.Args) *query {
	if p.After != "" {
		q.where("u.code > ?", p.After)
	}
	q.tail = fmt.Sprintf(" ORDER BY u.code LIMIT %d", p.First+1)
	return q
}

// count counts the units the first step picks, without paging: the total of a list.
func (q *query) count(ctx context.Context, db bun.IDB) (int, error) {
	var n int
	if err := ptdb.Scan(ctx, db, &n, "WITH "+q.with+"sel AS (SELECT u.id FROM "+q.from+" WHERE TRUE"+q.conds.String()+") SELECT count(*) FROM sel",
		q.args...); err != nil {
		return 0, fmt.Errorf("org: count units: %w", err)
	}
	return n, nil
}

func (q *query) list(ctx context.Context, db bun.IDB, asOf time.Time) ([]Unit, error) {
	var us []Unit
	if err := ptdb.Scan(ctx, db, &us, q.String(), q.args...); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("org: list units: %w", err)
	}
	for i := range us {
		us[i].AsOf = vn.Day(asOf)
	}
	return us, nil
}

// unitLookup reads units picked by a condition on org_unit alone (an id, a code) in one step, decorated
// as unitSelect does; the scope is tested on the link of the day it joins anyway (JoinedLinkFilter).
// A lookup's plan is most of its cost: this shape plans in a third of the time of the two-step list.
const unitLookup = `
	SELECT u.id, u.code, u.kind, u.sector, u.valid_from, u.valid_to, n.name, l.parent_id, l.path::text AS path
	FROM org_unit u
	JOIN LATERAL (
		SELECT name FROM org_unit_name n
		WHERE n.unit_id = u.id AND n.valid_from <= LEAST(GREATEST(?0::date, u.valid_from), COALESCE(u.valid_to - 1, 'infinity'::date))
		ORDER BY n.valid_from DESC LIMIT 1) n ON TRUE
	LEFT JOIN org_link l ON l.unit_id = u.id AND l.valid_from <= ?0::date AND (l.valid_to IS NULL OR l.valid_to > ?0::date)
	WHERE `

func lookup(ctx context.Context, db bun.IDB, asOf time.Time, cond string, arg any) ([]Unit, error) {
	a, err := auth.FromContext(ctx)
	if err != nil {
		return nil, err
	}
	day := vn.Day(asOf)
	q := &query{args: []any{day}}
	scope, sargs := a.Scope().JoinedLinkFilter("u.id", "l", day)
	sqlText := unitLookup + q.number(cond, []any{arg}) + " AND " + q.number(scope, sargs) + " ORDER BY u.code"
	var us []Unit
	if err := ptdb.Scan(ctx, db, &us, sqlText, q.args...); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("org: get units: %w", err)
	}
	for i := range us {
		us[i].AsOf = day
	}
	return us, nil
}

// Get returns the units with the given ids that exist and are in scope, keyed by id.
func Get(ctx context.Context, db bun.IDB, ids []int64, asOf time.Time) (map[int64]Unit, error) {
	us, err := lookup(ctx, db, asOf, "u.id = ANY(?::bigint[])", pgdialect.Array(ids))
	return byid.Keyed(us, err, func(u Unit) int64 { return u.ID })
}

// GetOne returns one unit, or NOT_FOUND when it does not exist or is out of scope.
func GetOne(ctx context.Context, db bun.IDB, id int64, asOf time.Time) (Unit, error) {
	m, err := Get(ctx, db, []int64{id}, asOf)
	return byid.One(m, err, "unit", id)
}

// GetByCode returns the unit with a code, or NOT_FOUND.
func GetByCode(ctx context.Context, db bun.IDB, code string, asOf time.Time) (Unit, error) {
	us, err := lookup(ctx, db, asOf, "u.code = ?", strings.ToUpper(strings.TrimSpace(code)))
	if err != nil {
		return Unit{}, err
	}
	if len(us) == 0 {
		return Unit{}, apperr.NotFoundf("unit", code)
	}
	return us[0], nil
}

// Filter narrows a list of units.
type Filter struct {
	Kind string // "" for any kind
}

func (q *query) filter(f Filter) *query {
	if f.Kind != "" {
		q.where("u.kind = ?", f.Kind)
	}
	return q
}

// Roots returns the top of the tree the actor sees on asOf: the provinces for a national scope,
// otherwise the actor's own unit. On another day the tree is the shape of the actor's units as they stood
// then: the units in scope today that existed on asOf and whose parent then was not (a commune formed by
// a merger sees its predecessors as they were in 2024; a cell moved in from another commune is a root of
// its own on the days before the move). A unit outside the scope today is never shown.
func Roots(ctx context.Context, db bun.IDB, asOf time.Time, p page.Args) (page.Page[Unit], error) {
	q, err := rootsQuery(ctx, asOf)
	if err != nil {
		return page.Page[Unit]{}, err
	}
	us, err := q.pageBy(p).list(ctx, db, asOf)
	return page.Trim(us, p), err
}

// CountRoots is the number of units Roots lists over all its pages.
func CountRoots(ctx context.Context, db bun.IDB, asOf time.Time) (int, error) {
	q, err := rootsQuery(ctx, asOf)
	if err != nil {
		return 0, err
	}
	return q.count(ctx, db)
}

func rootsQuery(ctx context.Context, asOf time.Time) (*query, error) {
	a, err := auth.FromContext(ctx)
	if err != nil {
		return nil, err
	}
	var q *query
	sc := a.Scope()
	switch {
	case sc.All:
		q = newLinkQuery(asOf, "c.parent_id IS NULL")
	case vn.Day(asOf).Equal(sc.On):
		q = newLinkQuery(asOf, "c.unit_id = ?", a.UnitID)
	default:
		units, uargs := sc.Units()
		parent, pargs := sc.UnitFilter("c.parent_id")
		q = newCandidateQuery(asOf, `SELECT c.unit_id FROM (`+units+`) v
			JOIN org_link c ON c.unit_id = v.unit_id AND c.valid_from <= ?0::date AND (c.valid_to IS NULL OR c.valid_to > ?0::date)
			WHERE c.parent_id IS NULL OR NOT `+parent, append(uargs, pargs...)...)
	}
	return q, nil
}

// Children returns the units whose parent on asOf is parentID.
func Children(ctx context.Context, db bun.IDB, parentID int64, asOf time.Time, f Filter, p page.Args) (page.Page[Unit], error) {
	q, err := newScopedLinkQuery(ctx, asOf, "c.parent_id = ?", parentID)
	if err != nil {
		return page.Page[Unit]{}, err
	}
	q.filter(f)
	us, err := q.pageBy(p).list(ctx, db, asOf)
	return page.Trim(us, p), err
}

// CountChildren is the number of units Children lists over all its pages.
func CountChildren(ctx context.Context, db bun.IDB, parentID int64, asOf time.Time, f Filter) (int, error) {
	q, err := newScopedLinkQuery(ctx, asOf, "c.parent_id = ?", parentID)
	if err != nil {
		return 0, err
	}
	q.filter(f)
	return q.count(ctx, db)
}

// Descendants returns the whole subtree below a unit on asOf (the unit itself excluded): one ltree
// match on the GiST-indexed materialized path.
func Descendants(ctx context.Context, db bun.IDB, id int64, asOf time.Time, f Filter, p page.Args) (page.Page[Unit], error) {
	q, err := descendantsQuery(ctx, db, id, asOf, f)
	if err != nil || q == nil {
		return page.Page[Unit]{}, err
	}
	us, err := q.pageBy(p).list(ctx, db, asOf)
	return page.Trim(us, p), err
}

// CountDescendantsOf is the number of units Descendants lists over all its pages.
func CountDescendantsOf(ctx context.Context, db bun.IDB, id int64, asOf time.Time, f Filter) (int, error) {
	q, err := descendantsQuery(ctx, db, id, asOf, f)
	if err != nil || q == nil {
		return 0, err
	}
	return q.count(ctx, db)
}

// descendantsQuery is nil when the unit did not exist on asOf.
func descendantsQuery(ctx context.Context, db bun.IDB, id int64, asOf time.Time, f Filter) (*query, error) {
	root, err := GetOne(ctx, db, id, asOf)
	if err != nil || root.Path == "" {
		return nil, err
	}
	q, err := newScopedLinkQuery(ctx, asOf, auth.SubtreeSQL("c.path", "?::ltree")+" AND c.unit_id <> ?", root.Path, id)
	if err != nil {
		return nil, err
	}
	return q.filter(f), nil
}

// CountDescendants counts the subtree below a unit on asOf, by kind.
func CountDescendants(ctx context.Context, db bun.IDB, id int64, asOf time.Time) (map[string]int, error) {
	root, err := GetOne(ctx, db, id, asOf)
	if err != nil {
		return map[string]int{}, err
	}
	return CountDescendantsBelow(ctx, db, root)
}

// CountDescendantsBelow is CountDescendants for a unit the caller has read already (through this
// package, so in scope), on its AsOf: its path that day is known, so the unit is not read again. Every
// unit counted passes the actor's scope as in CountDescendants.
func CountDescendantsBelow(ctx context.Context, db bun.IDB, root Unit) (map[string]int, error) {
	if root.Path == "" {
		return map[string]int{}, nil
	}
	a, err := auth.FromContext(ctx)
	if err != nil {
		return nil, err
	}
	day := vn.Day(root.AsOf)
	var rows []struct {
		Kind string `bun:"kind"`
		N    int    `bun:"n"`
	}
	// The whole subtree is in scope (national, or read on the scope's day inside it) and the day's tree
	// is the latest: org_open_count (migration 0035) holds the counts.
	if sc := a.Scope(); sc.Covers(root.Path) && (sc.All || vn.Day(sc.On).Equal(day)) {
		settled, err := Settled(ctx, db, day)
		if err != nil {
			return nil, err
		}
		if settled {
			err := ptdb.Scan(ctx, db, &rows, `SELECT kind, n FROM org_open_count WHERE ancestor_id = ? AND n <> 0`, root.ID)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return nil, fmt.Errorf("org: count descendants: %w", err)
			}
			m := map[string]int{}
			for _, r := range rows {
				m[r.Kind] = r.N
			}
			return m, nil
		}
	}
	cond, args := a.Scope().LinkFilter("l", day)
	err = ptdb.Scan(ctx, db, &rows, `SELECT u.kind, count(*) AS n FROM org_link l JOIN org_unit u ON u.id = l.unit_id
		WHERE `+auth.SubtreeSQL("l.path", "?::ltree")+` AND l.unit_id <> ? AND l.valid_from <= ?::date AND (l.valid_to IS NULL OR l.valid_to > ?::date) AND `+cond+`
		GROUP BY u.kind`, append([]any{root.Path, root.ID, day, day}, args...)...)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("org: count descendants: %w", err)
	}
	m := map[string]int{}
	for _, r := range rows {
		m[r.Kind] = r.N
	}
	return m, nil
}

// Settled reports whether the tree of day is the latest tree: no link version begins or ends after it.
// The rollups kept on the latest tree (member_open_count, case_open_ancestor, org_open_count: migrations
// 0033–0035) answer for such a day only. (A maximum over org_link_last_day: a comparison with a
// parameter, in a prepared statement's generic plan, read every link.)
func Settled(ctx context.Context, db bun.IDB, day time.Time) (bool, error) {
	var last time.Time
	if err := ptdb.Scan(ctx, db, &last, `SELECT coalesce(max(coalesce(valid_to, valid_from)), '0001-01-01') AS last FROM org_link`); err != nil {
		return false, fmt.Errorf("org: last change of the tree: %w", err)
	}
	return !last.After(vn.Day(day)), nil
}

// Ancestors returns the units above one on asOf, root first.
func Ancestors(ctx context.Context, db bun.IDB, id int64, asOf time.Time) ([]Unit, error) {
	u, err := GetOne(ctx, db, id, asOf)
	if err != nil || u.Path == "" {
		return nil, err
	}
	var ids []int64
	for _, s := range strings.Split(u.Path, ".") {
		var x int64
		fmt.Sscan(s, &x)
		if x != id {
			ids = append(ids, x)
		}
	}
	m, err := Get(ctx, db, ids, asOf)
	if err != nil {
		return nil, err
	}
	out := make([]Unit, 0, len(ids))
	for _, x := range ids {
		if a, ok := m[x]; ok { // ancestors above the actor's scope root stay hidden
			out = append(out, a)
		}
	}
	return out, nil
}

// ChildKey asks for the number of children of a unit on a date (a dataloader key).
type ChildKey struct {
	ID   int64
	AsOf time.Time
}

// ChildCounts counts the in-scope children of many units at once: one query per distinct date.
func ChildCounts(ctx context.Context, db bun.IDB, keys []ChildKey) (map[ChildKey]int, error) {
	a, err := auth.FromContext(ctx)
	if err != nil {
		return nil, err
	}
	byDay := map[time.Time][]int64{}
	for _, k := range keys {
		byDay[vn.Day(k.AsOf)] = append(byDay[vn.Day(k.AsOf)], k.ID)
	}
	out := make(map[ChildKey]int, len(keys))
	for d, ids := range byDay {
		cond, args := a.Scope().LinkFilter("l", d)
		var rows []struct {
			ParentID int64 `bun:"parent_id"`
			N        int   `bun:"n"`
		}
		err := ptdb.Scan(ctx, db, &rows, `SELECT l.parent_id, count(*) AS n FROM org_link l
			WHERE l.parent_id = ANY(?::bigint[]) AND l.valid_from <= ?::date AND (l.valid_to IS NULL OR l.valid_to > ?::date) AND `+cond+`
			GROUP BY l.parent_id`, append([]any{pgdialect.Array(ids), d, d}, args...)...)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("org: child counts: %w", err)
		}
		for _, r := range rows {
			out[ChildKey{r.ParentID, d}] = r.N
		}
	}
	return out, nil
}

// Search finds units by name or code, without regard to accents or case ("tam duong" finds
// "Tam Dương", "pleiku" finds "Thành ủy Pleiku"). It matches names valid on asOf, or any name the
// unit ever had when historic is set. Every word of the text must appear.
func Search(ctx context.Context, db bun.IDB, text string, asOf time.Time, historic bool, f Filter, p page.Args) (page.Page[Unit], error) {
	q, err := searchQuery(ctx, text, asOf, historic, f)
	if err != nil {
		return page.Page[Unit]{}, err
	}
	us, err := q.pageBy(p).list(ctx, db, asOf)
	return page.Trim(us, p), err
}

// CountSearch is the number of units Search lists over all its pages.
func CountSearch(ctx context.Context, db bun.IDB, text string, asOf time.Time, historic bool, f Filter) (int, error) {
	q, err := searchQuery(ctx, text, asOf, historic, f)
	if err != nil {
		return 0, err
	}
	return q.count(ctx, db)
}

func searchQuery(ctx context.Context, text string, asOf time.Time, historic bool, f Filter) (*query, error) {
	words := strings.Fields(text)
	if len(words) == 0 || len(text) > 200 {
		return nil, apperr.Invalid("query", "Nhập từ 1 đến 200 ký tự để tìm kiếm.", "search text must have 1 to 200 characters")
	}
	// The words must appear in order as a phrase, the last one as a prefix ("tam duong" finds
	// "Tam Dương", "hoang h" finds "Hoàng Hoa" but "hoang hoa" does not find "Hoàng Đan"). The
	// trigram index serves regular expressions too. [[:<:]] and [[:>:]] are word boundaries that
	// survive the lower-casing of ptdv_fold.
	quoted := make([]string, len(words))
	for i, w := range words {
		quoted[i] = regexp.QuoteMeta(w)
	}
	pattern := "[[:<:]]" + strings.Join(quoted, "[[:>:]][[:space:][:punct:]]+")
	code := strings.ToUpper(strings.TrimSpace(text))
	var q *query
	if historic {
		q = newCandidateQuery(asOf, `SELECT sn.unit_id FROM org_unit_name sn WHERE ptdv_fold(sn.name) ~ ptdv_fold(?)
			UNION SELECT id FROM org_unit WHERE code = ?`, pattern, code)
	} else {
		q = newCandidateQuery(asOf, `SELECT sn.unit_id FROM org_unit_name sn WHERE ptdv_fold(sn.name) ~ ptdv_fold(?)
				AND sn.valid_from <= ?0::date AND (sn.valid_to IS NULL OR sn.valid_to > ?0::date)
			UNION SELECT id FROM org_unit WHERE code = ? AND valid_from <= ?0::date AND (valid_to IS NULL OR valid_to > ?0::date)`, pattern, code)
	}
	return q.filter(f).scoped(ctx)
}

// LineageLink says that Other continued (successors) or preceded (predecessors) the unit, Steps
// operations away, by a merge or split on Effective.
type LineageLink struct {
	UnitID    int64     `bun:"unit_id"`
	Effective time.Time `bun:"effective"`
	Kind      string    `bun:"kind"`
	Steps     int       `bun:"steps"`
	Document  string    `bun:"document"`
}

// Lineage follows merges and splits from a unit, transitively: towards successors (forward) or
// predecessors. Only units in scope are returned.
func Lineage(ctx context.Context, db bun.IDB, id int64, forward bool) ([]LineageLink, error) {
	if err := auth.CheckUnits(ctx, db, id); err != nil {
		return nil, err
	}
	a, _ := auth.FromContext(ctx)
	from, to := "predecessor_id", "successor_id"
	if !forward {
		from, to = to, from
	}
	cond, args := a.Scope().UnitFilter("w.unit_id")
	var out []LineageLink
	err := ptdb.Scan(ctx, db, &out, `
		WITH RECURSIVE walk(unit_id, op_id, effective, steps) AS (
			SELECT l.`+to+`, l.op_id, l.effective, 1 FROM org_lineage l WHERE l.`+from+` = ?
			UNION
			SELECT l.`+to+`, l.op_id, l.effective, w.steps + 1 FROM org_lineage l JOIN walk w ON l.`+from+` = w.unit_id
			WHERE w.steps < 50
		)
		SELECT * FROM (
			SELECT DISTINCT ON (w.unit_id) w.unit_id, w.effective, o.kind, w.steps, o.document
			FROM walk w JOIN org_operation o ON o.id = w.op_id
			WHERE `+cond+`
			ORDER BY w.unit_id, w.steps) x
		ORDER BY steps, effective, unit_id`, append([]any{id}, args...)...)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("org: lineage: %w", err)
	}
	return out, nil
}
