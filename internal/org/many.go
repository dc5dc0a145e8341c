package org

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"ptdv/internal/apperr"
	"ptdv/internal/audit"
	"ptdv/internal/auth"
	"ptdv/internal/db"
)

// Creation is one unit of CreateMany: what Create takes.
type Creation struct {
	Unit     NewUnit
	ParentID *int64
	Doc      Doc
}

// CreateMany records new units as Create records each one (its own operation, unit, first name, link
// and audit row "org.create", under the same permission, lock, scope, date and kind rules), but with a
// few set-based statements for all of them instead of ≈ 15 statements a unit: a province's 15,000
// units took minutes one by one. The parents must be recorded already: a tree is created level by
// level. It returns each creation's unit id, or the refusal Create would have returned for it (then
// nothing of it is written); err is a failure of the database, or a permission refused to all.
// The policies of migration 0023 check every row written, as they check Create's.
func CreateMany(ctx context.Context, tx db.BulkTx, cs []Creation) (ids []int64, errs []error, err error) {
	a, err := auth.Permitted(ctx, auth.PermWriteTree)
	if err != nil {
		return nil, nil, err
	}
	ids, errs = make([]int64, len(cs)), make([]error, len(cs))
	if len(cs) == 0 {
		return ids, errs, nil
	}
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(?)`, int64(treeLockKey)); err != nil {
		return nil, nil, err
	}
	rules, err := loadKindRules(ctx, tx)
	if err != nil {
		return nil, nil, err
	}

	// Create's checks in Create's order, the database's part read for all creations at once.
	docs, units := make([]Doc, len(cs)), make([]NewUnit, len(cs))
	var parentIDs []int64
	for i, c := range cs {
		if docs[i], errs[i] = c.Doc.validate(); errs[i] != nil {
			continue
		}
		if units[i], errs[i] = c.Unit.clean(); errs[i] != nil {
			continue
		}
		switch {
		case !rules.kinds[units[i].Kind]:
			errs[i] = errUnknownKind(units[i].Kind)
		case !rules.sectors[units[i].Sector]:
			errs[i] = errUnknownSector(units[i].Sector)
		case c.ParentID == nil && !a.Scope().All:
			errs[i] = apperr.Invalid("parentId", "Cần chọn đơn vị cấp trên.", "parentId is required")
		case c.ParentID != nil:
			parentIDs = append(parentIDs, *c.ParentID)
		}
	}
	inScope, err := unitsInScope(ctx, tx, a, parentIDs)
	if err != nil {
		return nil, nil, err
	}
	// The parent as it stands on each creation's date (its path then), read once per distinct date.
	type onDay struct {
		id  int64
		day time.Time
	}
	byDay := map[time.Time][]int64{}
	for i, c := range cs {
		if errs[i] != nil || c.ParentID == nil {
			continue
		}
		if !inScope[*c.ParentID] {
			errs[i] = apperr.NotFoundf("unit", "")
			continue
		}
		byDay[docs[i].Effective] = append(byDay[docs[i].Effective], *c.ParentID)
	}
	parents := map[onDay]Unit{}
	for day, pids := range byDay {
		m, err := load(ctx, tx, distinctIDs(pids), day)
		if err != nil {
			return nil, nil, err
		}
		for id, u := range m {
			parents[onDay{id, day}] = u
		}
	}
	last, err := lastChanges(ctx, tx, parentIDs)
	if err != nil {
		return nil, nil, err
	}
	var codes []string
	for i := range cs {
		if errs[i] == nil {
			codes = append(codes, units[i].Code)
		}
	}
	used, err := codesUsed(ctx, tx, codes)
	if err != nil {
		return nil, nil, err
	}
	paths := make([]string, len(cs)) // the parent's path; "" for a root
	for i, c := range cs {
		if errs[i] != nil {
			continue
		}
		var parentKind *string
		if c.ParentID != nil {
			p := parents[onDay{*c.ParentID, docs[i].Effective}]
			if errs[i] = existsOn(p, docs[i].Effective, false); errs[i] != nil {
				continue
			}
			if errs[i] = afterLast(p, docs[i].Effective, false, last[p.ID]); errs[i] != nil {
				continue
			}
			parentKind, paths[i] = &p.Kind, p.Path
		}
		if !rules.allowed(units[i].Kind, parentKind) {
			errs[i] = errKindParent(units[i].Kind, parentKind)
			continue
		}
		// The code is unique (Create's insert would fail on the unique index), also among these units.
		if used[units[i].Code] {
			errs[i] = errCodeUsed(fmt.Sprintf("Key (code)=(%s) already exists.", units[i].Code))
			continue
		}
		used[units[i].Code] = true
	}

	var ok []int
	for i := range cs {
		if errs[i] == nil {
			ok = append(ok, i)
		}
	}
	if len(ok) == 0 {
		return ids, errs, nil
	}
	opIDs, err := db.NextIDs(ctx, tx, "org_operation", len(ok))
	if err != nil {
		return nil, nil, err
	}
	unitIDs, err := db.NextIDs(ctx, tx, "org_unit", len(ok))
	if err != nil {
		return nil, nil, err
	}
	n := len(ok)
	var (
		days, documents, notes, details = make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		codeCol, kinds, sectors, names  = make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		parentCol                       = make([]int64, n) // 0: a root
		pathCol                         = make([]string, n)
		entries                         = make([]audit.Entry, n)
	)
	for j, i := range ok {
		c, d, u, op, id := cs[i], docs[i], units[i], opIDs[j], unitIDs[j]
		ids[i] = id
		days[j], documents[j], notes[j] = d.Effective.Format(time.DateOnly), d.Document, d.Note
		details[j] = jsonOf(map[string]any{"code": u.Code, "parentId": c.ParentID})
		codeCol[j], kinds[j], sectors[j], names[j] = u.Code, u.Kind, u.Sector, u.Name
		pathCol[j] = fmt.Sprint(id)
		if c.ParentID != nil {
			parentCol[j], pathCol[j] = *c.ParentID, paths[i]+"."+pathCol[j]
		}
		// The audit row Create writes: the input as given, before it was cleaned.
		entries[j] = audit.Entry{Action: "org.create", Entity: "org_operation", EntityID: fmt.Sprint(op),
			After: map[string]any{"input": map[string]any{"unit": c.Unit, "parentId": c.ParentID, "doc": c.Doc}, "units": []int64{id}}}
	}
	arr := pgdialect.Array
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO org_operation (id, kind, effective, document, note, recorded_by, details) OVERRIDING SYSTEM VALUE
			SELECT id, 'create', effective, document, note, ?, details::jsonb
			FROM unnest(?::bigint[], ?::date[], ?::text[], ?::text[], ?::text[]) AS t(id, effective, document, note, details)`,
			[]any{a.Subject, arr(opIDs), arr(days), arr(documents), arr(notes), arr(details)}},
		{`INSERT INTO org_unit (id, code, kind, sector, valid_from, created_op) OVERRIDING SYSTEM VALUE
			SELECT * FROM unnest(?::bigint[], ?::text[], ?::text[], ?::text[], ?::date[], ?::bigint[])`,
			[]any{arr(unitIDs), arr(codeCol), arr(kinds), arr(sectors), arr(days), arr(opIDs)}},
		{`INSERT INTO org_unit_name (unit_id, name, valid_from, op_id)
			SELECT * FROM unnest(?::bigint[], ?::text[], ?::date[], ?::bigint[])`,
			[]any{arr(unitIDs), arr(names), arr(days), arr(opIDs)}},
		{`INSERT INTO org_link (unit_id, parent_id, path, valid_from, op_id)
			SELECT id, nullif(parent, 0), path::ltree, valid_from, op
			FROM unnest(?::bigint[], ?::bigint[], ?::text[], ?::date[], ?::bigint[]) AS t(id, parent, path, valid_from, op)`,
			[]any{arr(unitIDs), arr(parentCol), arr(pathCol), arr(days), arr(opIDs)}},
	} {
		if _, err := tx.NewRaw(q.sql, q.args...).Exec(ctx); err != nil {
			return nil, nil, translate(err)
		}
	}
	if err := audit.RecordMany(ctx, tx, entries); err != nil {
		return nil, nil, err
	}
	return ids, errs, nil
}

// kindRules are the code lists and org_kind_parent, read once for many units.
type kindRules struct {
	kinds, sectors map[string]bool
	pairs          map[[2]string]bool // kind, parent kind ("" for a root)
}

func (r kindRules) allowed(kind string, parentKind *string) bool {
	pk := ""
	if parentKind != nil {
		pk = *parentKind
	}
	return r.pairs[[2]string{kind, pk}]
}

func loadKindRules(ctx context.Context, tx bun.IDB) (kindRules, error) {
	r := kindRules{kinds: map[string]bool{}, sectors: map[string]bool{}, pairs: map[[2]string]bool{}}
	var rows []struct {
		Table string `bun:"t"`
		A     string `bun:"a"`
		B     string `bun:"b"`
	}
	if err := tx.NewRaw(`SELECT 'kind' AS t, code AS a, '' AS b FROM org_kind
		UNION ALL SELECT 'sector', code, '' FROM org_sector
		UNION ALL SELECT 'pair', kind, coalesce(parent_kind, '') FROM org_kind_parent`).Scan(ctx, &rows); err != nil {
		return r, err
	}
	for _, x := range rows {
		switch x.Table {
		case "kind":
			r.kinds[x.A] = true
		case "sector":
			r.sectors[x.A] = true
		default:
			r.pairs[[2]string{x.A, x.B}] = true
		}
	}
	return r, nil
}

// unitsInScope says which of the units the actor's scope holds: auth.CheckUnits for each one.
func unitsInScope(ctx context.Context, tx bun.IDB, a *auth.Actor, ids []int64) (map[int64]bool, error) {
	in := map[int64]bool{}
	if len(ids) == 0 {
		return in, nil
	}
	cond, args := a.Scope().UnitFilter("u.id")
	var found []int64
	if err := tx.NewRaw(`SELECT u.id FROM org_unit u WHERE u.id = ANY(?::bigint[]) AND `+cond,
		append([]any{pgdialect.Array(distinctIDs(ids))}, args...)...).Scan(ctx, &found); err != nil && !isNoRows(err) {
		return nil, fmt.Errorf("check scope: %w", err)
	}
	for _, id := range found {
		in[id] = true
	}
	return in, nil
}

// lastChanges is alive's last recorded change of each unit, for many units.
func lastChanges(ctx context.Context, tx bun.IDB, ids []int64) (map[int64]time.Time, error) {
	last := map[int64]time.Time{}
	if len(ids) == 0 {
		return last, nil
	}
	var rows []struct {
		ID   int64     `bun:"id"`
		Last time.Time `bun:"last"`
	}
	if err := tx.NewRaw(`SELECT id, max(v) AS last FROM (
			SELECT unit_id AS id, max(valid_from) AS v FROM org_link WHERE unit_id = ANY(?0::bigint[]) GROUP BY 1
			UNION ALL SELECT unit_id, max(valid_from) FROM org_unit_name WHERE unit_id = ANY(?0::bigint[]) GROUP BY 1
			UNION ALL SELECT unit_id, max(valid_to) FROM org_link WHERE unit_id = ANY(?0::bigint[]) GROUP BY 1) x
		WHERE v IS NOT NULL GROUP BY id`, pgdialect.Array(distinctIDs(ids))).Scan(ctx, &rows); err != nil && !isNoRows(err) {
		return nil, err
	}
	for _, r := range rows {
		last[r.ID] = r.Last
	}
	return last, nil
}

// codesUsed lists which of the codes a unit already has.
func codesUsed(ctx context.Context, tx bun.IDB, codes []string) (map[string]bool, error) {
	used := map[string]bool{}
	if len(codes) == 0 {
		return used, nil
	}
	var found []string
	if err := tx.NewRaw(`SELECT code FROM org_unit WHERE code = ANY(?::text[])`, pgdialect.Array(codes)).Scan(ctx, &found); err != nil && !isNoRows(err) {
		return nil, err
	}
	for _, c := range found {
		used[c] = true
	}
	return used, nil
}

func distinctIDs(ids []int64) []int64 {
	seen := map[int64]bool{}
	var out []int64
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }
