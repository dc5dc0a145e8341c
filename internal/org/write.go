package org

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
	"golang.org/x/text/unicode/norm"

	"ptdv/internal/apperr"
	"ptdv/internal/audit"
	"ptdv/internal/auth"
	"ptdv/internal/byid"
	"ptdv/internal/vn"
)

// Rule ids named in refusals; the kind rules themselves live in table org_kind_parent.
const (
	RuleKindParent       = "org.kind_parent"      // a kind may only sit under the kinds org_kind_parent allows
	RuleNoCycle          = "org.no_cycle"         // a unit cannot move under itself or its own descendant
	RuleMergeDescend     = "org.merge_descendant" // a unit cannot merge into its own descendant
	RuleAlive            = "org.unit_alive"       // an operation must fall inside the life of every unit it touches
	RuleHistoryOrder     = "org.history_order"    // operations are appended in date order per unit
	RuleDissolveEmpty    = "org.dissolve_empty"   // a unit with children cannot be dissolved
	RuleSplitAllChildren = "org.split_children"   // a split assigns every child to one successor
)

// Doc is what backs an operation: its effective date and the document that decided it.
type Doc struct {
	Effective time.Time
	Document  string // e.g. "Quyết định 1234-QĐ/TU ngày 30/06/2025"
	Note      string
}

// NewUnit describes a unit to create.
type NewUnit struct {
	Code   string
	Name   string
	Kind   string
	Sector string
}

// Result is what an operation produced: its id and the units it created or changed.
type Result struct {
	OperationID int64
	Units       []int64
}

// treeLockKey serializes tree operations: they are rare administrative acts, and one at a time keeps
// the path rewriting of a move or merge simple and correct.
const treeLockKey = 0x7074_6476_0001 // "ptdv" 1

var codeRE = regexp.MustCompile(`^[A-Z0-9][A-Z0-9._-]{0,63}$`)

// run executes a tree operation: permission, one transaction, the global tree lock, the audit row.
func run(ctx context.Context, db bun.IDB, action string, audited any, fn func(ctx context.Context, tx bun.Tx) (Result, error)) (Result, error) {
	_, err := auth.Permitted(ctx, auth.PermWriteTree)
	if err != nil {
		return Result{}, err
	}
	var res Result
	err = db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(?)`, int64(treeLockKey)); err != nil {
			return err
		}
		var err error
		if res, err = fn(ctx, tx); err != nil {
			return err
		}
		return audit.Record(ctx, tx, action, "org_operation", fmt.Sprint(res.OperationID), nil,
			map[string]any{"input": audited, "units": res.Units})
	})
	if err != nil {
		return Result{}, translate(err)
	}
	return res, nil
}

// translate turns constraint violations that input can cause into coded errors.
func translate(err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505":
			return errCodeUsed(pe.Detail)
		case "23P01":
			return apperr.Rule(RuleHistoryOrder, "Thao tác chồng lên lịch sử đã ghi của đơn vị.", "operation overlaps recorded history")
		}
	}
	return err
}

func errCodeUsed(detail string) error {
	return apperr.New(apperr.Conflict, "Mã đã được dùng cho một đơn vị khác.", "code already in use: "+detail)
}

func (d Doc) validate() (Doc, error) {
	if d.Effective.IsZero() {
		return d, apperr.Invalid("effective", "Cần ngày hiệu lực.", "effective date is required")
	}
	d.Effective = vn.Day(d.Effective)
	if d.Effective.Year() < 1930 || d.Effective.Year() > 2100 {
		return d, apperr.Invalid("effective", "Ngày hiệu lực không hợp lệ.", "effective date out of range")
	}
	d.Document = strings.TrimSpace(d.Document)
	d.Note = strings.TrimSpace(d.Note)
	if len(d.Document) > 500 || len(d.Note) > 2000 {
		return d, apperr.Invalid("document", "Số hiệu văn bản hoặc ghi chú quá dài.", "document or note too long")
	}
	return d, nil
}

func cleanName(field, s string) (string, error) {
	s = strings.Join(strings.Fields(norm.NFC.String(s)), " ")
	if n := utf8.RuneCountInString(s); n == 0 || n > 300 {
		return "", apperr.Invalid(field, "Tên phải có từ 1 đến 300 ký tự.", "name must have 1 to 300 characters")
	}
	return s, nil
}

func (n NewUnit) validate(ctx context.Context, db bun.IDB) (NewUnit, error) {
	n, err := n.clean()
	if err != nil {
		return n, err
	}
	var ok bool
	if err := db.NewRaw(`SELECT EXISTS (SELECT 1 FROM org_kind WHERE code = ?)`, n.Kind).Scan(ctx, &ok); err != nil {
		return n, err
	}
	if !ok {
		return n, errUnknownKind(n.Kind)
	}
	if err := db.NewRaw(`SELECT EXISTS (SELECT 1 FROM org_sector WHERE code = ?)`, n.Sector).Scan(ctx, &ok); err != nil {
		return n, err
	}
	if !ok {
		return n, errUnknownSector(n.Sector)
	}
	return n, nil
}

// clean checks and normalises the code and the name, what validate checks without the database.
func (n NewUnit) clean() (NewUnit, error) {
	n.Code = strings.ToUpper(strings.TrimSpace(n.Code))
	if !codeRE.MatchString(n.Code) {
		return n, apperr.Invalid("code", "Mã đơn vị chỉ gồm chữ in hoa không dấu, số, '.', '_', '-' (tối đa 64 ký tự).",
			"code must match "+codeRE.String())
	}
	var err error
	n.Name, err = cleanName("name", n.Name)
	return n, err
}

func errUnknownKind(kind string) error {
	return apperr.Invalid("kind", fmt.Sprintf("Loại tổ chức đảng %q không tồn tại.", kind), fmt.Sprintf("unknown unit kind %q", kind))
}

func errUnknownSector(sector string) error {
	return apperr.Invalid("sector", fmt.Sprintf("Lĩnh vực %q không tồn tại.", sector), fmt.Sprintf("unknown sector %q", sector))
}

// load reads units inside a write, after the scope check, so it is not scoped again.
func load(ctx context.Context, tx bun.IDB, ids []int64, on time.Time) (map[int64]Unit, error) {
	us, err := newQuery(on).where("u.id = ANY(?::bigint[])", pgdialect.Array(ids)).list(ctx, tx, on)
	if err != nil {
		return nil, err
	}
	m := byid.Map(us, func(u Unit) int64 { return u.ID })
	for _, id := range ids {
		if _, ok := m[id]; !ok {
			return nil, apperr.NotFoundf("unit", fmt.Sprint(id))
		}
	}
	return m, nil
}

// aliveInScope reads a unit in the actor's scope (NOT_FOUND otherwise) that an operation ending it or
// one of its versions may touch on day d (alive, strict).
func aliveInScope(ctx context.Context, tx bun.IDB, id int64, d time.Time) (Unit, error) {
	if err := auth.CheckUnits(ctx, tx, id); err != nil {
		return Unit{}, err
	}
	m, err := load(ctx, tx, []int64{id}, d)
	if err != nil {
		return Unit{}, err
	}
	return m[id], alive(ctx, tx, m[id], d, true)
}

// alive refuses an operation on day d unless the unit exists then and d falls after its last
// recorded change (history is appended in date order). strict also refuses d on the unit's first
// day, for operations that end a unit or a version.
func alive(ctx context.Context, tx bun.IDB, u Unit, d time.Time, strict bool) error {
	if err := existsOn(u, d, strict); err != nil {
		return err
	}
	var last time.Time
	err := tx.NewRaw(`SELECT max(v) FROM (
			SELECT max(valid_from) AS v FROM org_link WHERE unit_id = ?0
			UNION ALL SELECT max(valid_from) FROM org_unit_name WHERE unit_id = ?0
			UNION ALL SELECT max(valid_to) FROM org_link WHERE unit_id = ?0) x`, u.ID).Scan(ctx, &last)
	if err != nil {
		return err
	}
	return afterLast(u, d, strict, last)
}

// existsOn is alive's first half: the unit exists on d (strict: and d is not its first day).
func existsOn(u Unit, d time.Time, strict bool) error {
	if !u.ExistsOn(d) || u.Path == "" || (strict && !d.After(u.ValidFrom)) {
		return apperr.Rule(RuleAlive,
			fmt.Sprintf("Đơn vị %s (%s) không tồn tại vào ngày %s.", u.Name, u.Code, vn.Date(d)),
			fmt.Sprintf("unit %s does not exist on %s", u.Code, d.Format(time.DateOnly)))
	}
	return nil
}

// afterLast is alive's second half: d falls on or after (strict: after) the unit's last recorded change.
func afterLast(u Unit, d time.Time, strict bool, last time.Time) error {
	if d.Before(last) || (strict && d.Equal(last)) {
		return apperr.Rule(RuleHistoryOrder,
			fmt.Sprintf("Đơn vị %s đã có thay đổi ghi ngày %s; thao tác mới phải có ngày hiệu lực sau ngày đó.", u.Code, vn.Date(last)),
			fmt.Sprintf("unit %s has a change recorded on %s; new operations must be dated after it", u.Code, last.Format(time.DateOnly)))
	}
	return nil
}

func kindAllowed(ctx context.Context, tx bun.IDB, kind string, parentKind *string) error {
	var ok bool
	err := tx.NewRaw(`SELECT EXISTS (SELECT 1 FROM org_kind_parent WHERE kind = ? AND parent_kind IS NOT DISTINCT FROM ?)`,
		kind, parentKind).Scan(ctx, &ok)
	if err != nil || ok {
		return err
	}
	return errKindParent(kind, parentKind)
}

func errKindParent(kind string, parentKind *string) error {
	pk := "(gốc)"
	if parentKind != nil {
		pk = *parentKind
	}
	return apperr.Rule(RuleKindParent,
		fmt.Sprintf("Loại %s không được đặt trực thuộc loại %s.", kind, pk),
		fmt.Sprintf("kind %s may not sit under %s", kind, pk))
}

func insertOp(ctx context.Context, tx bun.IDB, kind string, d Doc, details any) (int64, error) {
	a, _ := auth.FromContext(ctx)
	var id int64
	err := tx.NewRaw(`INSERT INTO org_operation (kind, effective, document, note, recorded_by, details)
		VALUES (?, ?, ?, ?, ?, ?::jsonb) RETURNING id`, kind, d.Effective, d.Document, d.Note, a.Subject, jsonOf(details)).Scan(ctx, &id)
	return id, err
}

// createUnit inserts a unit, its first name and its first link (a root when parent is nil).
func createUnit(ctx context.Context, tx bun.IDB, n NewUnit, parent *Unit, d time.Time, op int64) (int64, error) {
	var pk *string
	if parent != nil {
		pk = &parent.Kind
	}
	if err := kindAllowed(ctx, tx, n.Kind, pk); err != nil {
		return 0, err
	}
	var id int64
	err := tx.NewRaw(`INSERT INTO org_unit (code, kind, sector, valid_from, created_op) VALUES (?, ?, ?, ?, ?) RETURNING id`,
		n.Code, n.Kind, n.Sector, d, op).Scan(ctx, &id)
	if err != nil {
		return 0, err
	}
	if _, err := tx.NewRaw(`INSERT INTO org_unit_name (unit_id, name, valid_from, op_id) VALUES (?, ?, ?, ?)`,
		id, n.Name, d, op).Exec(ctx); err != nil {
		return 0, err
	}
	var parentID *int64
	path := fmt.Sprint(id)
	if parent != nil {
		parentID, path = &parent.ID, parent.Path+"."+path
	}
	_, err = tx.NewRaw(`INSERT INTO org_link (unit_id, parent_id, path, valid_from, op_id) VALUES (?, ?, ?::ltree, ?, ?)`,
		id, parentID, path, d, op).Exec(ctx)
	return id, err
}

// moveUnit re-parents u and its whole subtree on day d: every open link version below u is closed on
// d and reopened with the new path prefix (versions opened on d itself are corrected in place).
func moveUnit(ctx context.Context, tx bun.IDB, u, p Unit, d time.Time, op int64) error {
	if auth.Within(p.Path, u.Path) {
		return apperr.Rule(RuleNoCycle,
			fmt.Sprintf("Không thể chuyển %s vào trực thuộc chính nó hoặc đơn vị cấp dưới của nó (%s).", u.Code, p.Code),
			fmt.Sprintf("moving %s under %s would create a cycle", u.Code, p.Code))
	}
	if err := kindAllowed(ctx, tx, u.Kind, &p.Kind); err != nil {
		return err
	}
	// Nothing below u may have history after d: the rewrite assumes every open version is the last.
	var later bool
	if err := tx.NewRaw(`SELECT EXISTS (SELECT 1 FROM org_link WHERE `+auth.SubtreeSQL("path", "?::ltree")+` AND (valid_from > ? OR valid_to > ?))`,
		u.Path, d, d).Scan(ctx, &later); err != nil {
		return err
	}
	if later {
		return apperr.Rule(RuleHistoryOrder,
			fmt.Sprintf("Cấp dưới của %s đã có thay đổi ghi sau ngày %s.", u.Code, vn.Date(d)),
			fmt.Sprintf("the subtree of %s has changes recorded after %s", u.Code, d.Format(time.DateOnly)))
	}
	newPath := p.Path + "." + fmt.Sprint(u.ID)
	const rebase = `CASE WHEN nlevel(path) > nlevel(?0::ltree) THEN ?1::ltree || subpath(path, nlevel(?0::ltree)) ELSE ?1::ltree END`
	const parent = `CASE WHEN unit_id = ?2 THEN ?3::bigint ELSE parent_id END`
	if _, err := tx.NewRaw(`UPDATE org_link SET path = `+rebase+`, parent_id = `+parent+`
		WHERE `+auth.SubtreeSQL("path", "?0::ltree")+` AND valid_to IS NULL AND valid_from = ?4`, u.Path, newPath, u.ID, p.ID, d).Exec(ctx); err != nil {
		return err
	}
	_, err := tx.NewRaw(`WITH closed AS (
			UPDATE org_link SET valid_to = ?4 WHERE `+auth.SubtreeSQL("path", "?0::ltree")+` AND valid_to IS NULL AND valid_from < ?4
			RETURNING unit_id, parent_id, path)
		INSERT INTO org_link (unit_id, parent_id, path, valid_from, op_id)
		SELECT unit_id, `+parent+`, `+rebase+`, ?4, ?5 FROM closed`, u.Path, newPath, u.ID, p.ID, d, op).Exec(ctx)
	return err
}

// endUnit closes a unit's open name and link on day d and records its end.
func endUnit(ctx context.Context, tx bun.IDB, u Unit, d time.Time, op int64) error {
	var children int
	if err := tx.NewRaw(`SELECT count(*) FROM org_link WHERE parent_id = ? AND valid_to IS NULL`, u.ID).Scan(ctx, &children); err != nil {
		return err
	}
	if children > 0 {
		return apperr.Rule(RuleDissolveEmpty,
			fmt.Sprintf("%s còn %d đơn vị trực thuộc; cần chuyển hoặc giải thể các đơn vị đó trước.", u.Name, children),
			fmt.Sprintf("%s still has %d child units; move or dissolve them first", u.Code, children))
	}
	for _, t := range []string{"org_link", "org_unit_name"} {
		if _, err := tx.NewRaw(`UPDATE `+t+` SET valid_to = ? WHERE unit_id = ? AND valid_to IS NULL`, d, u.ID).Exec(ctx); err != nil {
			return err
		}
	}
	_, err := tx.NewRaw(`UPDATE org_unit SET valid_to = ?, ended_op = ? WHERE id = ?`, d, op, u.ID).Exec(ctx)
	return err
}

// Create records a new unit under parentID (nil for a province, national scope only).
func Create(ctx context.Context, db bun.IDB, n NewUnit, parentID *int64, doc Doc) (Result, error) {
	return run(ctx, db, "org.create", map[string]any{"unit": n, "parentId": parentID, "doc": doc}, func(ctx context.Context, tx bun.Tx) (Result, error) {
		d, err := doc.validate()
		if err != nil {
			return Result{}, err
		}
		if n, err = n.validate(ctx, tx); err != nil {
			return Result{}, err
		}
		var parent *Unit
		if parentID == nil {
			a, _ := auth.FromContext(ctx)
			if !a.Scope().All {
				return Result{}, apperr.Invalid("parentId", "Cần chọn đơn vị cấp trên.", "parentId is required")
			}
		} else {
			if err := auth.CheckUnits(ctx, tx, *parentID); err != nil {
				return Result{}, err
			}
			m, err := load(ctx, tx, []int64{*parentID}, d.Effective)
			if err != nil {
				return Result{}, err
			}
			p := m[*parentID]
			if err := alive(ctx, tx, p, d.Effective, false); err != nil {
				return Result{}, err
			}
			parent = &p
		}
		op, err := insertOp(ctx, tx, "create", d, map[string]any{"code": n.Code, "parentId": parentID})
		if err != nil {
			return Result{}, err
		}
		id, err := createUnit(ctx, tx, n, parent, d.Effective, op)
		return Result{OperationID: op, Units: []int64{id}}, err
	})
}

// Rename gives a unit a new name from the effective date on; the old name stays in history.
func Rename(ctx context.Context, db bun.IDB, id int64, name string, doc Doc) (Result, error) {
	return run(ctx, db, "org.rename", map[string]any{"id": id, "name": name, "doc": doc}, func(ctx context.Context, tx bun.Tx) (Result, error) {
		d, err := doc.validate()
		if err != nil {
			return Result{}, err
		}
		if name, err = cleanName("name", name); err != nil {
			return Result{}, err
		}
		u, err := aliveInScope(ctx, tx, id, d.Effective)
		if err != nil {
			return Result{}, err
		}
		if u.Name == name {
			return Result{}, apperr.Invalid("name", "Tên mới trùng tên hiện tại.", "the new name equals the current one")
		}
		op, err := insertOp(ctx, tx, "rename", d, map[string]any{"id": id, "from": u.Name, "to": name})
		if err != nil {
			return Result{}, err
		}
		if _, err := tx.NewRaw(`UPDATE org_unit_name SET valid_to = ? WHERE unit_id = ? AND valid_to IS NULL`, d.Effective, id).Exec(ctx); err != nil {
			return Result{}, err
		}
		_, err = tx.NewRaw(`INSERT INTO org_unit_name (unit_id, name, valid_from, op_id) VALUES (?, ?, ?, ?)`, id, name, d.Effective, op).Exec(ctx)
		return Result{OperationID: op, Units: []int64{id}}, err
	})
}

// Move re-parents a unit, with its whole subtree, from the effective date on.
func Move(ctx context.Context, db bun.IDB, id, parentID int64, doc Doc) (Result, error) {
	return run(ctx, db, "org.move", map[string]any{"id": id, "parentId": parentID, "doc": doc}, func(ctx context.Context, tx bun.Tx) (Result, error) {
		d, err := doc.validate()
		if err != nil {
			return Result{}, err
		}
		if err := auth.CheckUnits(ctx, tx, id, parentID); err != nil {
			return Result{}, err
		}
		m, err := load(ctx, tx, []int64{id, parentID}, d.Effective)
		if err != nil {
			return Result{}, err
		}
		u, p := m[id], m[parentID]
		for _, x := range []Unit{u, p} {
			if err := alive(ctx, tx, x, d.Effective, false); err != nil {
				return Result{}, err
			}
		}
		if u.ParentID != nil && *u.ParentID == parentID {
			return Result{}, apperr.Invalid("parentId", "Đơn vị đã trực thuộc đơn vị này.", "the unit is already under this parent")
		}
		op, err := insertOp(ctx, tx, "move", d, map[string]any{"id": id, "from": u.ParentID, "to": parentID})
		if err != nil {
			return Result{}, err
		}
		return Result{OperationID: op, Units: []int64{id}}, moveUnit(ctx, tx, u, p, d.Effective, op)
	})
}

// Dissolve ends a unit that has no children left.
func Dissolve(ctx context.Context, db bun.IDB, id int64, doc Doc) (Result, error) {
	return run(ctx, db, "org.dissolve", map[string]any{"id": id, "doc": doc}, func(ctx context.Context, tx bun.Tx) (Result, error) {
		d, err := doc.validate()
		if err != nil {
			return Result{}, err
		}
		u, err := aliveInScope(ctx, tx, id, d.Effective)
		if err != nil {
			return Result{}, err
		}
		op, err := insertOp(ctx, tx, "dissolve", d, map[string]any{"id": id})
		if err != nil {
			return Result{}, err
		}
		return Result{OperationID: op, Units: []int64{id}}, endUnit(ctx, tx, u, d.Effective, op)
	})
}

// Successor names the unit that continues merged units: an existing one, or a new one created under
// Parent by the merge itself.
type Successor struct {
	ExistingID *int64
	New        *NewUnit
	ParentID   *int64 // for New
}

// Merge joins several units into one successor on the effective date: their children move to the
// successor, they end, and lineage records which unit continued which.
func Merge(ctx context.Context, db bun.IDB, preds []int64, succ Successor, doc Doc) (Result, error) {
	return run(ctx, db, "org.merge", map[string]any{"predecessors": preds, "successor": succ, "doc": doc}, func(ctx context.Context, tx bun.Tx) (Result, error) {
		d, err := doc.validate()
		if err != nil {
			return Result{}, err
		}
		if (succ.ExistingID == nil) == (succ.New == nil) {
			return Result{}, apperr.Invalid("successor", "Chọn một đơn vị kế thừa có sẵn hoặc mô tả đơn vị mới, không cả hai.", "give exactly one of an existing or a new successor")
		}
		min := 2
		if succ.ExistingID != nil {
			min = 1
		}
		seen := map[int64]bool{}
		for _, p := range preds {
			if seen[p] || (succ.ExistingID != nil && p == *succ.ExistingID) {
				return Result{}, apperr.Invalid("predecessorIds", "Danh sách đơn vị sáp nhập bị trùng hoặc chứa đơn vị kế thừa.", "predecessors repeat or include the successor")
			}
			seen[p] = true
		}
		if len(preds) < min {
			return Result{}, apperr.Invalid("predecessorIds", fmt.Sprintf("Cần ít nhất %d đơn vị sáp nhập.", min), fmt.Sprintf("at least %d predecessors are needed", min))
		}
		// The anchor is the existing successor, or the parent of a new one; a new root (a province
		// formed by merging provinces) has none and needs a national scope, as Create does.
		anchor := succ.ExistingID
		if succ.New != nil {
			if *succ.New, err = succ.New.validate(ctx, tx); err != nil {
				return Result{}, err
			}
			anchor = succ.ParentID
			if a, _ := auth.FromContext(ctx); anchor == nil && !a.Scope().All {
				return Result{}, apperr.Invalid("successor.parentId", "Cần chọn đơn vị cấp trên của đơn vị mới.", "the new successor needs a parent")
			}
		}
		ids := preds
		if anchor != nil {
			ids = append([]int64{*anchor}, preds...)
		}
		if err := auth.CheckUnits(ctx, tx, ids...); err != nil {
			return Result{}, err
		}
		m, err := load(ctx, tx, ids, d.Effective)
		if err != nil {
			return Result{}, err
		}
		var a *Unit
		if anchor != nil {
			u := m[*anchor]
			if err := alive(ctx, tx, u, d.Effective, false); err != nil {
				return Result{}, err
			}
			a = &u
		}
		for _, p := range preds {
			pu := m[p]
			if err := alive(ctx, tx, pu, d.Effective, true); err != nil {
				return Result{}, err
			}
			if a != nil && auth.Within(a.Path, pu.Path) {
				return Result{}, apperr.Rule(RuleMergeDescend,
					fmt.Sprintf("Không thể sáp nhập %s vào đơn vị cấp dưới của chính nó (%s).", pu.Code, a.Code),
					fmt.Sprintf("cannot merge %s into its own descendant %s", pu.Code, a.Code))
			}
		}
		op, err := insertOp(ctx, tx, "merge", d, map[string]any{"predecessors": preds, "successor": succ})
		if err != nil {
			return Result{}, err
		}
		var s Unit
		if succ.New == nil {
			s = *a
		} else {
			id, err := createUnit(ctx, tx, *succ.New, a, d.Effective, op)
			if err != nil {
				return Result{}, err
			}
			if m, err = load(ctx, tx, []int64{id}, d.Effective); err != nil {
				return Result{}, err
			}
			s = m[id]
		}
		for _, p := range preds {
			if err := absorb(ctx, tx, p, s, d.Effective, op); err != nil {
				return Result{}, err
			}
		}
		return Result{OperationID: op, Units: append([]int64{s.ID}, preds...)}, nil
	})
}

// absorb moves the children of pred under succ, ends pred and records the lineage link.
func absorb(ctx context.Context, tx bun.IDB, pred int64, succ Unit, d time.Time, op int64) error {
	var kids []int64
	if err := tx.NewRaw(`SELECT unit_id FROM org_link WHERE parent_id = ? AND valid_to IS NULL ORDER BY unit_id`, pred).Scan(ctx, &kids); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	if err := moveChildren(ctx, tx, kids, succ, d, op); err != nil {
		return err
	}
	m, err := load(ctx, tx, []int64{pred}, d)
	if err != nil {
		return err
	}
	if err := endUnit(ctx, tx, m[pred], d, op); err != nil {
		return err
	}
	_, err = tx.NewRaw(`INSERT INTO org_lineage (op_id, predecessor_id, successor_id, effective) VALUES (?, ?, ?, ?)`,
		op, pred, succ.ID, d).Exec(ctx)
	return err
}

func moveChildren(ctx context.Context, tx bun.IDB, kids []int64, to Unit, d time.Time, op int64) error {
	if len(kids) == 0 {
		return nil
	}
	m, err := load(ctx, tx, kids, d)
	if err != nil {
		return err
	}
	for _, k := range kids {
		if err := moveUnit(ctx, tx, m[k], to, d, op); err != nil {
			return err
		}
	}
	return nil
}

// SplitPart is one successor of a split and the children it takes over.
type SplitPart struct {
	Unit     NewUnit
	ParentID *int64 // nil: the split unit's parent
	Children []int64
}

// Split ends a unit and creates its successors, sharing out its children; every child must go to
// exactly one successor.
func Split(ctx context.Context, db bun.IDB, id int64, parts []SplitPart, doc Doc) (Result, error) {
	return run(ctx, db, "org.split", map[string]any{"id": id, "parts": parts, "doc": doc}, func(ctx context.Context, tx bun.Tx) (Result, error) {
		d, err := doc.validate()
		if err != nil {
			return Result{}, err
		}
		if len(parts) < 2 {
			return Result{}, apperr.Invalid("parts", "Chia tách cần ít nhất 2 đơn vị mới.", "a split needs at least 2 successors")
		}
		ids := []int64{id}
		for i := range parts {
			if parts[i].Unit, err = parts[i].Unit.validate(ctx, tx); err != nil {
				return Result{}, err
			}
			if parts[i].ParentID != nil {
				ids = append(ids, *parts[i].ParentID)
			}
		}
		if err := auth.CheckUnits(ctx, tx, ids...); err != nil {
			return Result{}, err
		}
		m, err := load(ctx, tx, ids, d.Effective)
		if err != nil {
			return Result{}, err
		}
		u := m[id]
		if err := alive(ctx, tx, u, d.Effective, true); err != nil {
			return Result{}, err
		}
		var kids []int64
		if err := tx.NewRaw(`SELECT unit_id FROM org_link WHERE parent_id = ? AND valid_to IS NULL`, id).Scan(ctx, &kids); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return Result{}, err
		}
		want := map[int64]bool{}
		for _, k := range kids {
			want[k] = true
		}
		for _, p := range parts {
			for _, c := range p.Children {
				if !want[c] {
					return Result{}, apperr.Rule(RuleSplitAllChildren, "Mỗi đơn vị trực thuộc phải được giao cho đúng một đơn vị mới.",
						fmt.Sprintf("unit %d is not a remaining child of %s, or is assigned twice", c, u.Code))
				}
				delete(want, c)
			}
		}
		if len(want) > 0 {
			return Result{}, apperr.Rule(RuleSplitAllChildren,
				fmt.Sprintf("Còn %d đơn vị trực thuộc %s chưa được giao cho đơn vị mới nào.", len(want), u.Name),
				fmt.Sprintf("%d children of %s are not assigned to a successor", len(want), u.Code))
		}
		op, err := insertOp(ctx, tx, "split", d, map[string]any{"id": id})
		if err != nil {
			return Result{}, err
		}
		res := Result{OperationID: op, Units: []int64{id}}
		for _, p := range parts {
			parent := Unit{}
			if p.ParentID != nil {
				parent = m[*p.ParentID]
				if err := alive(ctx, tx, parent, d.Effective, false); err != nil {
					return Result{}, err
				}
				if parent.ID == id || auth.Within(parent.Path, u.Path) {
					return Result{}, apperr.Rule(RuleNoCycle, "Đơn vị mới không thể trực thuộc đơn vị bị chia tách.", "a successor cannot sit under the split unit")
				}
			} else if u.ParentID != nil {
				pm, err := load(ctx, tx, []int64{*u.ParentID}, d.Effective)
				if err != nil {
					return Result{}, err
				}
				parent = pm[*u.ParentID]
			}
			var pp *Unit
			if parent.ID != 0 {
				pp = &parent
			}
			sid, err := createUnit(ctx, tx, p.Unit, pp, d.Effective, op)
			if err != nil {
				return Result{}, err
			}
			sm, err := load(ctx, tx, []int64{sid}, d.Effective)
			if err != nil {
				return Result{}, err
			}
			if err := moveChildren(ctx, tx, p.Children, sm[sid], d.Effective, op); err != nil {
				return Result{}, err
			}
			if _, err := tx.NewRaw(`INSERT INTO org_lineage (op_id, predecessor_id, successor_id, effective) VALUES (?, ?, ?, ?)`,
				op, id, sid, d.Effective).Exec(ctx); err != nil {
				return Result{}, err
			}
			res.Units = append(res.Units, sid)
		}
		return res, endUnit(ctx, tx, u, d.Effective, op)
	})
}
