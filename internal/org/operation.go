package org

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"ptdv/internal/auth"
	"ptdv/internal/byid"
	"ptdv/internal/page"
	"ptdv/internal/vn"
)

// Operation is a recorded change to the tree.
type Operation struct {
	ID         int64     `bun:"id"`
	Kind       string    `bun:"kind"`
	Effective  time.Time `bun:"effective"`
	Document   string    `bun:"document"`
	Note       string    `bun:"note"`
	RecordedBy string    `bun:"recorded_by"`
	RecordedAt time.Time `bun:"recorded_at"`
}

// touched lists the operations that wrote a version of the unit ($1): its links (including those
// rewritten when an ancestor moved), names, end, and lineage.
const touched = `
	SELECT op_id FROM org_link WHERE unit_id = ?0
	UNION SELECT op_id FROM org_unit_name WHERE unit_id = ?0
	UNION SELECT ended_op FROM org_unit WHERE id = ?0 AND ended_op IS NOT NULL
	UNION SELECT op_id FROM org_lineage WHERE predecessor_id = ?0 OR successor_id = ?0`

// Operations lists the operations that touched a unit, newest first (a backward page: the oldest, in
// the same order); the cursor is the operation id.
func Operations(ctx context.Context, db bun.IDB, unitID int64, p page.Args) (page.Page[Operation], error) {
	if err := auth.CheckUnits(ctx, db, unitID); err != nil {
		return page.Page[Operation]{}, err
	}
	var ops []Operation
	if p.Backward { // from the oldest: ids above the cursor, nearest first
		after := int64(0)
		if p.Before != "" {
			after, _ = strconv.ParseInt(p.Before, 10, 64)
		}
		err := db.NewRaw(`SELECT id, kind, effective, document, note, recorded_by, recorded_at FROM org_operation
			WHERE id IN (`+touched+`) AND id > ?1 ORDER BY id LIMIT ?2`, unitID, after, p.Last+1).Scan(ctx, &ops)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return page.Page[Operation]{}, fmt.Errorf("org: operations: %w", err)
		}
		return page.TrimBack(ops, p), nil
	}
	before := int64(1<<63 - 1)
	if p.After != "" {
		before, _ = strconv.ParseInt(p.After, 10, 64)
	}
	err := db.NewRaw(`SELECT id, kind, effective, document, note, recorded_by, recorded_at FROM org_operation
		WHERE id IN (`+touched+`) AND id < ?1 ORDER BY id DESC LIMIT ?2`, unitID, before, p.First+1).Scan(ctx, &ops)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return page.Page[Operation]{}, fmt.Errorf("org: operations: %w", err)
	}
	return page.Trim(ops, p), nil
}

// GetOperations returns operations by id that touched at least one unit in the actor's scope.
func GetOperations(ctx context.Context, db bun.IDB, ids []int64) (map[int64]Operation, error) {
	a, err := auth.FromContext(ctx)
	if err != nil {
		return nil, err
	}
	cond, args := a.Scope().UnitFilter("x.unit_id")
	var ops []Operation
	err = db.NewRaw(`SELECT o.id, o.kind, o.effective, o.document, o.note, o.recorded_by, o.recorded_at FROM org_operation o
		WHERE o.id = ANY(?::bigint[]) AND EXISTS (
			SELECT 1 FROM (SELECT unit_id, op_id FROM org_link UNION ALL SELECT unit_id, op_id FROM org_unit_name) x
			WHERE x.op_id = o.id AND `+cond+`)`, append([]any{pgdialect.Array(ids)}, args...)...).Scan(ctx, &ops)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("org: get operations: %w", err)
	}
	return byid.Map(ops, func(o Operation) int64 { return o.ID }), nil
}

// GetVillages returns villages by id whose commune is in the actor's scope, as of a date.
func GetVillages(ctx context.Context, db bun.IDB, ids []int64, asOf time.Time) (map[int64]Village, error) {
	a, err := auth.FromContext(ctx)
	if err != nil {
		return nil, err
	}
	cond, args := a.Scope().UnitFilter("v.commune_id")
	var vs []Village
	err = db.NewRaw(`SELECT v.id, v.code, v.name, v.kind, v.commune_id, v.valid_from, v.valid_to, vc.cell_id
		FROM village v
		LEFT JOIN village_cell vc ON vc.village_id = v.id AND vc.valid_from <= ?0 AND (vc.valid_to IS NULL OR vc.valid_to > ?0)
		WHERE v.id = ANY(?1::bigint[]) AND `+renumber(cond, 2), append([]any{vn.Day(asOf), pgdialect.Array(ids)}, args...)...).Scan(ctx, &vs)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("org: get villages: %w", err)
	}
	return byid.Map(vs, func(v Village) int64 { return v.ID }), nil
}

// KindRule is a kind of unit with the kinds it may sit under (nil entry: may be a root).
type KindRule struct {
	Kind        string   `bun:"code"`
	Label       string   `bun:"label_vi"`
	ParentKinds []string `bun:"parents,array"`
}

// KindRules reads the hierarchy rules (table org_kind_parent).
func KindRules(ctx context.Context, db bun.IDB) ([]KindRule, error) {
	var rs []KindRule
	err := db.NewRaw(`SELECT k.code, k.label_vi,
			coalesce(array_agg(p.parent_kind ORDER BY p.parent_kind) FILTER (WHERE p.parent_kind IS NOT NULL), '{}') AS parents
		FROM org_kind k LEFT JOIN org_kind_parent p ON p.kind = k.code GROUP BY k.code, k.label_vi, k.rank ORDER BY k.rank, k.code`).Scan(ctx, &rs)
	return rs, err
}

// Labels returns the Vietnamese labels of unit kinds and sectors, keyed by code.
func Labels(ctx context.Context, db bun.IDB) (kinds, sectors map[string]string, err error) {
	var rows []struct {
		T    string `bun:"t"`
		Code string `bun:"code"`
		L    string `bun:"label_vi"`
	}
	if err = db.NewRaw(`SELECT 'k' AS t, code, label_vi FROM org_kind UNION ALL SELECT 's', code, label_vi FROM org_sector`).Scan(ctx, &rows); err != nil {
		return nil, nil, err
	}
	kinds, sectors = map[string]string{}, map[string]string{}
	for _, r := range rows {
		if r.T == "k" {
			kinds[r.Code] = r.L
		} else {
			sectors[r.Code] = r.L
		}
	}
	return kinds, sectors, nil
}

// CountOperations is the number of operations Operations lists over all its pages.
func CountOperations(ctx context.Context, db bun.IDB, unitID int64) (int, error) {
	if err := auth.CheckUnits(ctx, db, unitID); err != nil {
		return 0, err
	}
	var n int
	if err := db.NewRaw(`SELECT count(*) FROM org_operation WHERE id IN (`+touched+`)`, unitID).Scan(ctx, &n); err != nil {
		return 0, fmt.Errorf("org: count operations: %w", err)
	}
	return n, nil
}
