// Package auth is the one place that decides who sees what. Every request carries an Actor (from a
// bearer token); an actor's scope is the subtree of one unit, and every data function applies it
// through the helpers here (FilterUnits, CheckUnits), so no resolver can forget it. An id outside
// the scope behaves exactly like an id that does not exist.
package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"slices"
	"testing"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"ptdv/internal/apperr"
	"ptdv/internal/db"
)

// appFilterOff switches the application's scope filter off (UnitFilter is TRUE) for the two-key
// test: in a test binary with PTDV_TEST_NO_APP_FILTER=1, the scope tests must pass on row-level security alone.
var appFilterOff = testing.Testing() && os.Getenv("PTDV_TEST_NO_APP_FILTER") == "1"

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
)

// permissions is the role table. Later issues add rows, not code paths.
var permissions = map[Role][]Permission{
	RoleAdmin:     {PermReadTree, PermWriteTree},
	RoleBoard:     {PermReadTree, PermWriteTree},
	RoleSecretary: {PermReadTree},
	RoleAnalyst:   {PermReadTree},
	RoleViewer:    {PermReadTree},
}

// Roles lists the known roles, in a stable order.
func Roles() []Role { return []Role{RoleAdmin, RoleBoard, RoleSecretary, RoleAnalyst, RoleViewer} }

// ParseRole validates a role name.
func ParseRole(s string) (Role, error) {
	r := Role(s)
	if _, ok := permissions[r]; !ok {
		return "", apperr.Invalid("role", fmt.Sprintf("Vai trò %q không tồn tại.", s), fmt.Sprintf("unknown role %q", s))
	}
	return r, nil
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

// Scope is the set of units an actor may see: every unit that is, or ever was, inside the subtree of
// the actor's unit, or of a unit merged into it (so a merged commune sees its predecessors' history).
// Roots holds the materialized paths of those subtree roots over time.
type Scope struct {
	All   bool
	Roots []string
}

// Scope returns the actor's scope.
func (a *Actor) Scope() Scope { return a.scope }

// Can reports whether the actor's role has the permission.
func (a *Actor) Can(p Permission) bool { return slices.Contains(permissions[a.Role], p) }

// Require returns FORBIDDEN unless the actor's role has the permission.
func (a *Actor) Require(p Permission) error {
	if a.Can(p) {
		return nil
	}
	return apperr.New(apperr.Forbidden,
		"Vai trò của bạn không được thực hiện thao tác này.",
		fmt.Sprintf("role %s lacks permission %s", a.Role, p))
}

type ctxKey struct{}

// WithActor returns a context that carries the actor, and its scope for the database's row-level
// security (package db sets it in every transaction run with this context).
func WithActor(ctx context.Context, a *Actor) context.Context {
	if a != nil {
		ctx = db.WithScope(ctx, a.scope.All, a.UnitID)
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

// System is the actor of jobs the binary runs itself (demo loading, nightly): national scope.
func System(subject string) *Actor {
	return &Actor{Subject: subject, Role: RoleAdmin, scope: Scope{All: true}}
}

// Resolve builds the actor for verified claims: it finds the unit and computes the scope roots.
// A national scope (no unit) is only for admins.
func Resolve(ctx context.Context, db bun.IDB, c Claims) (*Actor, error) {
	role, err := ParseRole(c.Role)
	if err != nil {
		return nil, apperr.New(apperr.Unauthenticated, "Mã đăng nhập không hợp lệ.", "token has an unknown role")
	}
	a := &Actor{Subject: c.Subject, Role: role, UnitCode: c.Unit}
	if c.Unit == "" {
		if role != RoleAdmin {
			return nil, apperr.New(apperr.Unauthenticated, "Mã đăng nhập không gắn với tổ chức đảng nào.",
				"only admin tokens may have national scope")
		}
		a.scope = Scope{All: true}
		return a, nil
	}
	// One query: the unit and every path it, or a unit merged into it, ever had. A split
	// predecessor is not included: it would show one successor the other successors' units.
	var row struct {
		ID    int64    `bun:"id"`
		Roots []string `bun:"roots,array"`
	}
	err = db.NewRaw(`
		WITH RECURSIVE lin(id) AS (
			SELECT id FROM org_unit WHERE code = ?
			UNION
			SELECT l.predecessor_id FROM org_lineage l JOIN lin ON l.successor_id = lin.id
			WHERE NOT EXISTS (SELECT 1 FROM org_lineage o
			                  WHERE o.predecessor_id = l.predecessor_id AND o.successor_id <> l.successor_id)
		)
		SELECT u.id, (SELECT coalesce(array_agg(DISTINCT path::text), '{}') FROM org_link WHERE unit_id IN (SELECT id FROM lin)) AS roots
		FROM org_unit u WHERE u.code = ?`, c.Unit, c.Unit).Scan(ctx, &row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.New(apperr.Unauthenticated, "Tổ chức đảng của mã đăng nhập không tồn tại.",
			fmt.Sprintf("token unit %q does not exist", c.Unit))
	}
	if err != nil {
		return nil, fmt.Errorf("resolve actor unit: %w", err)
	}
	a.UnitID, a.scope.Roots = row.ID, row.Roots
	return a, nil
}

// UnitFilter returns an SQL condition, with its arguments, that holds when the unit id in column col
// is inside the scope. It is the single definition of visibility that every query uses.
func (s Scope) UnitFilter(col string) (string, []any) {
	if s.All || appFilterOff {
		return "TRUE", nil
	}
	return "EXISTS (SELECT 1 FROM org_link sl WHERE sl.unit_id = " + col + " AND sl.path <@ ?::ltree[])",
		[]any{pgdialect.Array(s.Roots)}
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
