// Package auth is the one place that decides who sees what. Every request carries an Actor (from a
// bearer token); an actor's scope is the subtree of one unit as the tree stands on the request's day,
// and every data function applies it through the helpers here (UnitFilter, Units, CheckUnits), so no
// resolver can forget it. An id outside the scope behaves exactly like an id that does not exist.
package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"ptdv/internal/apperr"
	"ptdv/internal/db"
	ptdb "ptdv/internal/db" // where a parameter is named db
	"ptdv/internal/vn"
)

// appFilterOff switches the application's scope filter off (UnitFilter is TRUE) for the two-key
// test: in a test binary with PTDV_TEST_NO_APP_FILTER=1, the scope tests must pass on row-level security alone.
var appFilterOff = testing.Testing() && os.Getenv("PTDV_TEST_NO_APP_FILTER") == "1"

// AppFilterOff reports whether the two-key test switched the application's filter off: a test then
// skips the checks whose only lock is the application's by design (reads of the tree, terms and
// targets, which hold no personal data and have no read policies; see README, "Who sees what").
func AppFilterOff() bool { return appFilterOff }

// Role is what an actor does; it decides permissions, not scope.
type Role string

const (
	RoleAdmin     Role = "admin"     // system administrator; may hold national scope
	RoleBoard     Role = "board"     // organization board (Ban Tổ chức) of a committee
	RoleSecretary Role = "secretary" // cell secretary (bí thư chi bộ)
	RoleAnalyst   Role = "analyst"   // reads breakdowns and reports
	RoleViewer    Role = "viewer"    // reads only
)

// Permission is one thing a role may do.
type Permission string

const (
	PermReadTree  Permission = "tree:read"
	PermWriteTree Permission = "tree:write"
	// PermCommitteeResolution records a committee's resolution on an admission (8-KNĐ) and
	// PermDecideAdmission the admission decision (9-KNĐ) and its deadline's extension: the board of a
	// unit entitled to decide (org_kind.decides_admission), never a cell's secretary.
	PermCommitteeResolution Permission = "case:committee_resolution"
	PermDecideAdmission     Permission = "case:decide_admission"
	// PermWriteCase opens and moves candidate cases, records courses and batches.
	PermWriteCase Permission = "case:write"
	// PermAssignResponsible assigns the committee member responsible for a unit.
	PermAssignResponsible Permission = "unit:assign_responsible"
	PermReadPerson        Permission = "person:read"
	PermWritePerson       Permission = "person:write"
	PermReadMember        Permission = "member:read"
	PermWriteMember       Permission = "member:write"
	PermReadTarget        Permission = "target:read"
	PermWriteTarget       Permission = "target:write"
	// PermEditCalendar edits the national holiday calendar.
	PermEditCalendar Permission = "calendar:write"
	// PermNationalScope may hold a token with no unit (the whole country).
	PermNationalScope Permission = "scope:national"
	// PermSmallUnitDetail reads sensitive breakdowns (ethnicity, religion) of a cell unsuppressed.
	PermSmallUnitDetail Permission = "breakdown:small_unit_detail"
)

// Rule is one row of the permission table: the roles that hold a permission, and what a refused
// caller reads.
type Rule struct {
	Permission Permission
	Roles      []Role
	Refusal    string // Vietnamese, shown with FORBIDDEN
}

var (
	everyone = []Role{RoleAdmin, RoleBoard, RoleSecretary, RoleAnalyst, RoleViewer}
	managers = []Role{RoleAdmin, RoleBoard}
	writers  = []Role{RoleAdmin, RoleBoard, RoleSecretary}
)

// table is the permission table: every role check of the system is a row here, asked through Can or
// Require. Later issues add rows, not code paths (a test fails on role comparisons outside this package).
var table = []Rule{
	{PermReadTree, everyone, "Vai trò của bạn không được xem cây tổ chức."},
	{PermWriteTree, managers, "Vai trò của bạn không được thực hiện thao tác này."},
	{PermCommitteeResolution, managers, "Vai trò của bạn không được ghi nghị quyết của đảng ủy về kết nạp."},
	{PermDecideAdmission, managers, "Vai trò của bạn không được ghi quyết định kết nạp."},
	{PermWriteCase, writers, "Vai trò của bạn không được ghi hồ sơ phát triển đảng viên."},
	{PermAssignResponsible, managers, "Chỉ ban tổ chức phân công cấp ủy viên phụ trách."},
	{PermReadPerson, everyone, "Vai trò của bạn không được xem hồ sơ quần chúng, đảng viên."},
	{PermWritePerson, writers, "Vai trò của bạn không được sửa hồ sơ quần chúng, đảng viên."},
	{PermReadMember, everyone, "Vai trò của bạn không được xem hồ sơ đảng viên."},
	{PermWriteMember, writers, "Vai trò của bạn không được thực hiện thao tác này với hồ sơ đảng viên."},
	{PermReadTarget, everyone, "Vai trò của bạn không được xem chỉ tiêu."},
	{PermWriteTarget, managers, "Vai trò của bạn không được đặt hoặc sửa chỉ tiêu."},
	{PermEditCalendar, []Role{RoleAdmin}, "Chỉ quản trị viên được sửa lịch nghỉ lễ, Tết."},
	{PermNationalScope, []Role{RoleAdmin}, "Chỉ quản trị viên được có phạm vi toàn quốc."},
	{PermSmallUnitDetail, writers, "Vai trò của bạn không được xem chi tiết nhạy cảm của chi bộ."},
}

// Table returns the permission table, in its order (the README's "Who may do what" prints it).
func Table() []Rule { return slices.Clone(table) }

func ruleOf(p Permission) (Rule, bool) {
	for _, r := range table {
		if r.Permission == p {
			return r, true
		}
	}
	return Rule{}, false
}

// Roles lists the known roles, in a stable order.
func Roles() []Role { return slices.Clone(everyone) }

// ParseRole validates a role name.
func ParseRole(s string) (Role, error) {
	r := Role(s)
	if !slices.Contains(everyone, r) {
		return "", apperr.Invalid("role", fmt.Sprintf("Vai trò %q không tồn tại.", s), fmt.Sprintf("unknown role %q", s))
	}
	return r, nil
}

// Holds reports whether a role has a permission (for callers without an actor, such as the CLI minting a token).
func (r Role) Holds(p Permission) bool {
	row, ok := ruleOf(p)
	return ok && slices.Contains(row.Roles, r)
}

// Actor is the caller of a request.
type Actor struct {
	Subject   string
	Role      Role
	UnitCode  string // "" for national scope (admin only)
	UnitID    int64
	RequestID string
	scope     Scope
}

// Scope is the set of units an actor may see: the subtree of the actor's unit as the tree stands on
// day On (the request's day in Vietnam), and the units that no longer exist on On whose records fall to
// that subtree (Heirs, see Resolve). Records follow their unit's place in today's tree, for past dates
// too: a cell moved from commune B to commune A is A's, with its whole history, from the day of the
// move, and B no longer sees it. Counts for past periods are not records: they are computed on the tree
// as it stood then, once the unit asked about is in scope (see package target).
type Scope struct {
	All bool
	// On is the day the tree is read.
	On time.Time
	// Roots holds the materialized path of the actor's unit on On (one element).
	Roots []string
	// Heirs are the units that ended on or before On (merged, split or dissolved) whose records fall to
	// this subtree: a merged or split unit's to the holders of its successors, a unit dissolved without
	// successor to the holder of its last parent, transitively.
	Heirs []int64
}

// Scope returns the actor's scope.
func (a *Actor) Scope() Scope { return a.scope }

// Can reports whether the actor's role has the permission.
func (a *Actor) Can(p Permission) bool { return a != nil && a.Role.Holds(p) }

// Require returns FORBIDDEN, with the permission's refusal text, unless the actor's role has the permission.
func (a *Actor) Require(p Permission) error {
	if a.Can(p) {
		return nil
	}
	msg := "Vai trò của bạn không được thực hiện thao tác này."
	if row, ok := ruleOf(p); ok {
		msg = row.Refusal
	}
	role := Role("")
	if a != nil {
		role = a.Role
	}
	return apperr.New(apperr.Forbidden, msg, fmt.Sprintf("role %s lacks permission %s", role, p))
}

type ctxKey struct{}

// WithActor returns a context that carries the actor, and its scope for the database's row-level
// security (package db sets it in every transaction run with this context).
func WithActor(ctx context.Context, a *Actor) context.Context {
	if a != nil {
		if !a.scope.All && len(a.scope.Roots) == 1 {
			// The path Resolve read for this request: each statement sets it as it is, without looking the
			// unit up again.
			ctx = db.WithScopePath(ctx, a.UnitID, a.scope.Roots[0], a.scope.On)
		} else {
			ctx = db.WithScope(ctx, a.scope.All, a.UnitID, a.scope.On)
		}
	}
	return context.WithValue(ctx, ctxKey{}, a)
}

// FromContext returns the request's actor, or UNAUTHENTICATED: data functions fail closed.
func FromContext(ctx context.Context) (*Actor, error) {
	if a, ok := ctx.Value(ctxKey{}).(*Actor); ok && a != nil {
		return a, nil
	}
	return nil, apperr.New(apperr.Unauthenticated, "Cần đăng nhập.", "no authenticated actor")
}

// Permitted returns the request's actor once its role holds the permission: UNAUTHENTICATED without an
// actor, FORBIDDEN without the permission. Every write and read that checks a permission starts here.
func Permitted(ctx context.Context, p Permission) (*Actor, error) {
	a, err := FromContext(ctx)
	if err != nil {
		return nil, err
	}
	if err := a.Require(p); err != nil {
		return nil, err
	}
	return a, nil
}

// System is the actor of jobs the binary runs itself (demo loading, nightly): national scope.
func System(subject string) *Actor {
	return &Actor{Subject: subject, Role: RoleAdmin, scope: Scope{All: true, On: vn.Today()}}
}

// Resolve builds the actor for verified claims on today's date in Vietnam: see ResolveOn.
func Resolve(ctx context.Context, db bun.IDB, c Claims) (*Actor, error) {
	return ResolveOn(ctx, db, c, vn.Today())
}

// ResolveOn builds the actor for verified claims as the tree stands on day: it finds the unit, its
// path that day and the units whose records fall to it. A token whose unit does not exist that day (not
// yet created, or merged, split or dissolved: its successor's board holds its records now) is refused
// with UNAUTHENTICATED. A national scope (no unit) is only for admins.
func ResolveOn(ctx context.Context, db bun.IDB, c Claims, day time.Time) (*Actor, error) {
	role, err := ParseRole(c.Role)
	if err != nil {
		return nil, apperr.New(apperr.Unauthenticated, "Mã đăng nhập không hợp lệ.", "token has an unknown role")
	}
	day = vn.Day(day)
	a := &Actor{Subject: c.Subject, Role: role, UnitCode: c.Unit}
	if c.Unit == "" {
		if !role.Holds(PermNationalScope) {
			return nil, apperr.New(apperr.Unauthenticated, "Mã đăng nhập không gắn với tổ chức đảng nào.",
				"only admin tokens may have national scope")
		}
		a.scope = Scope{All: true, On: day}
		return a, nil
	}
	// One query per request: the unit, its path that day, and the key of the tree's state (the database
	// and its last tree operation: every change to the tree records one) under which the heirs are cached.
	var row struct {
		ID      int64     `bun:"id"`
		From    time.Time `bun:"valid_from"`
		Path    *string   `bun:"path"`
		DB      string    `bun:"db"`
		Version int64     `bun:"version"`
	}
	err = ptdb.Scan(ctx, db, &row, `SELECT u.id, u.valid_from, l.path::text AS path,
			current_database() || '@' || pg_postmaster_start_time()::text AS db,
			(SELECT coalesce(max(id), 0) FROM org_operation) AS version
		FROM org_unit u
		LEFT JOIN org_link l ON l.unit_id = u.id AND l.valid_from <= ?1::date AND (l.valid_to IS NULL OR l.valid_to > ?1::date)
		WHERE u.code = ?0`, c.Unit, day)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.New(apperr.Unauthenticated, "Tổ chức đảng của mã đăng nhập không tồn tại.",
			fmt.Sprintf("token unit %q does not exist", c.Unit))
	}
	if err != nil {
		return nil, fmt.Errorf("resolve actor unit: %w", err)
	}
	if row.Path == nil && row.From.After(day) {
		return nil, apperr.New(apperr.Unauthenticated, fmt.Sprintf("Tổ chức đảng của mã đăng nhập chỉ hoạt động từ ngày %s.", vn.Date(row.From)),
			fmt.Sprintf("token unit %q exists only from %s", c.Unit, row.From.Format(time.DateOnly)))
	}
	if row.Path == nil {
		return nil, apperr.New(apperr.Unauthenticated, "Tổ chức đảng của mã đăng nhập không còn hoạt động (đã sáp nhập, chia tách hoặc giải thể); hãy dùng mã đăng nhập của tổ chức kế thừa.",
			fmt.Sprintf("token unit %q does not exist on %s", c.Unit, day.Format(time.DateOnly)))
	}
	all, err := endedOn(ctx, db, treeKey{row.DB, row.Version, day})
	if err != nil {
		return nil, err
	}
	root := *row.Path
	var heirs []int64
	for _, e := range all {
		if slices.ContainsFunc(e.holders, func(p string) bool { return Within(p, root) }) {
			heirs = append(heirs, e.id)
		}
	}
	slices.Sort(heirs)
	a.UnitID, a.scope = row.ID, Scope{On: day, Roots: []string{root}, Heirs: heirs}
	return a, nil
}

// treeKey names a state of the tree on a day: the database (its name and its server's start time) and
// the id of its last tree operation.
type treeKey struct {
	db      string
	version int64
	day     time.Time
}

// ended is a unit that no longer exists on a day, with the paths that day of the units holding its
// records.
type ended struct {
	id      int64
	holders []string
}

// endedCache memoizes endedOn: the walk visits every ended unit of the country (tens of milliseconds at
// national size), while the tree changes a few times a day. An entry is replaced when its database's
// tree changes or the day turns.
var endedCache = struct {
	sync.Mutex
	m map[treeKey][]ended
}{m: map[treeKey][]ended{}}

// endedOn returns every unit that ended on or before the key's day (merged, split or dissolved) with the
// units that hold its records that day: a merged or split unit's successors, a unit dissolved without
// successor its last parent; and when those ended too, theirs, transitively. An ended unit with no
// holder (a dissolved province) is left out: only a national scope sees it.
func endedOn(ctx context.Context, db bun.IDB, k treeKey) ([]ended, error) {
	endedCache.Lock()
	e, ok := endedCache.m[k]
	endedCache.Unlock()
	if ok {
		return e, nil
	}
	var rows []struct {
		ID    int64    `bun:"id"`
		Paths []string `bun:"paths,array"`
	}
	err := db.NewRaw(`
		WITH RECURSIVE walk(id, cur) AS (
			SELECT e.id, e.id FROM org_unit e WHERE e.valid_to <= ?0::date
			UNION
			SELECT w.id, x.next FROM walk w JOIN org_unit c ON c.id = w.cur AND c.valid_to <= ?0::date
			CROSS JOIN LATERAL (
				SELECT g.successor_id AS next FROM org_lineage g WHERE g.predecessor_id = w.cur
				UNION ALL
				SELECT l.parent_id FROM org_link l
				WHERE l.unit_id = w.cur AND l.valid_to = c.valid_to AND l.parent_id IS NOT NULL
				  AND NOT EXISTS (SELECT 1 FROM org_lineage g WHERE g.predecessor_id = w.cur)) x)
		SELECT w.id, array_agg(DISTINCT l.path::text) AS paths
		-- One probe per step of the walk (OFFSET 0 keeps the planner from hashing the whole link table).
		FROM walk w CROSS JOIN LATERAL (
			SELECT path FROM org_link l WHERE l.unit_id = w.cur AND l.valid_from <= ?0::date AND (l.valid_to IS NULL OR l.valid_to > ?0::date) OFFSET 0) l
		GROUP BY w.id`, k.day).Scan(ctx, &rows)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("resolve actor: ended units: %w", err)
	}
	e = make([]ended, len(rows))
	for i, r := range rows {
		e[i] = ended{r.ID, r.Paths}
	}
	endedCache.Lock()
	defer endedCache.Unlock()
	for old := range endedCache.m {
		if old.db == k.db || len(endedCache.m) > 64 {
			delete(endedCache.m, old)
		}
	}
	endedCache.m[k] = e
	return e, nil
}

// Within reports whether a unit whose materialized path is path lies in the subtree rooted at root
// (root itself included). It is the one subtree test in Go; SubtreeSQL is its twin in SQL.
func Within(path, root string) bool {
	return root != "" && (path == root || strings.HasPrefix(path, root+"."))
}

// SubtreeSQL returns the SQL condition that holds when the ltree in column col lies in the subtree
// rooted at root, an SQL expression (a column, or "?::ltree" with the root's path as argument): the
// twin of Within, served by the GiST index on org_link.path.
func SubtreeSQL(col, root string) string { return col + " <@ " + root }

// Covers reports whether a unit whose path on the scope's day is path lies in the scope's subtree (a
// national scope covers every unit). The heirs, units that no longer exist, are matched by id in UnitFilter.
func (s Scope) Covers(path string) bool {
	return s.All || slices.ContainsFunc(s.Roots, func(root string) bool { return Within(path, root) })
}

// UnitFilter returns an SQL condition, with its arguments, that holds when the unit id in column col
// is inside the scope: the unit's link on the scope's day lies in the actor's subtree, or the unit is
// one of the heirs (every unit has link rows, an ended one its old ones). It is the single definition of
// visibility that every query uses. One EXISTS over org_link keeps the planner's choices of the old
// filter: a per-row probe is one index-only lookup by unit (index org_link_scope_on, migration 0011),
// and a selective scope is a semi-join from the few visible units.
func (s Scope) UnitFilter(col string) (string, []any) {
	if s.All || appFilterOff {
		return "TRUE", nil
	}
	cond := "sl.valid_from <= ?::date AND (sl.valid_to IS NULL OR sl.valid_to > ?::date) AND " + SubtreeSQL("sl.path", "?::ltree[]")
	args := []any{s.On, s.On, pgdialect.Array(s.Roots)}
	if len(s.Heirs) > 0 {
		cond = "(" + cond + " OR sl.unit_id = ANY(?::bigint[]))"
		args = append(args, pgdialect.Array(s.Heirs))
	}
	return "EXISTS (SELECT 1 FROM org_link sl WHERE sl.unit_id = " + col + " AND " + cond + ")", args
}

// LinkFilter is UnitFilter for a row of org_link (alias link) that the query already restricts to the
// link valid on day: when day is the scope's own day, that row is the very link UnitFilter's EXISTS
// would find (a unit has one link valid on a day: the exclusion constraint of org_link), so the
// condition is read on the row itself, without a probe per row. On any other day it is UnitFilter on
// the row's unit.
func (s Scope) LinkFilter(link string, day time.Time) (string, []any) {
	return s.JoinedLinkFilter(link+".unit_id", link, day)
}

// JoinedLinkFilter is UnitFilter for the unit in column unitCol when the query LEFT JOINs its link valid
// on day as alias link (NULL when the unit has none that day): on the scope's day that row is the link
// UnitFilter's EXISTS would probe, so the condition is read on it; a unit without a link that day is
// in scope as one of the heirs only, as in UnitFilter. On any other day it is UnitFilter on unitCol.
func (s Scope) JoinedLinkFilter(unitCol, link string, day time.Time) (string, []any) {
	if s.All || appFilterOff {
		return "TRUE", nil
	}
	if !vn.Day(s.On).Equal(vn.Day(day)) {
		return s.UnitFilter(unitCol)
	}
	cond := SubtreeSQL(link+".path", "?::ltree[]")
	args := []any{pgdialect.Array(s.Roots)}
	if len(s.Heirs) > 0 {
		cond = "(" + cond + " OR " + unitCol + " = ANY(?::bigint[]))"
		args = append(args, pgdialect.Array(s.Heirs))
	}
	return cond, args
}

// Units returns an SQL query of one column, unit_id, listing the units in the scope (every unit for a
// national scope), with its arguments: for reads that start from the visible set rather than filter rows.
func (s Scope) Units() (string, []any) {
	if s.All {
		return "SELECT id AS unit_id FROM org_unit", nil
	}
	return `SELECT sl.unit_id FROM org_link sl
		WHERE ` + SubtreeSQL("sl.path", "?::ltree[]") + ` AND sl.valid_from <= ?::date AND (sl.valid_to IS NULL OR sl.valid_to > ?::date)
		UNION ALL SELECT unnest(?::bigint[])`, []any{pgdialect.Array(s.Roots), s.On, s.On, pgdialect.Array(s.Heirs)}
}

// CheckUnits returns NOT_FOUND (never FORBIDDEN: outside ids must look like missing ids) unless every
// id exists and is in the actor's scope. Writes call it on every unit they touch.
func CheckUnits(ctx context.Context, db bun.IDB, ids ...int64) error {
	a, err := FromContext(ctx)
	if err != nil {
		return err
	}
	ids = slices.Compact(slices.Sorted(slices.Values(ids)))
	cond, args := a.scope.UnitFilter("u.id")
	var n int
	err = db.NewRaw(`SELECT count(*) FROM org_unit u WHERE u.id = ANY(?::bigint[]) AND `+cond,
		append([]any{pgdialect.Array(ids)}, args...)...).Scan(ctx, &n)
	if err != nil {
		return fmt.Errorf("check scope: %w", err)
	}
	if n != len(ids) {
		return apperr.NotFoundf("unit", "")
	}
	return nil
}
