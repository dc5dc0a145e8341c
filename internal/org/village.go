package org

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"ptdv/internal/apperr"
	"ptdv/internal/audit"
	"ptdv/internal/auth"
	"ptdv/internal/page"
	"ptdv/internal/vn"
)

// Village is a village or residential group (thôn, làng, bản, ấp, tổ dân phố) of a commune, with the
// cell that covers it on AsOf (nil: a village without a cell, a tracked failure).
type Village struct {
	ID        int64      `bun:"id"`
	Code      string     `bun:"code"`
	Name      string     `bun:"name"`
	Kind      string     `bun:"kind"`
	CommuneID int64      `bun:"commune_id"`
	ValidFrom time.Time  `bun:"valid_from"`
	ValidTo   *time.Time `bun:"valid_to"`
	CellID    *int64     `bun:"cell_id"`
}

// VillageKinds are the kinds of residential area.
var VillageKinds = []string{"village", "residential_group"}

// RuleVillageCell: a village is covered by a cell of its own commune.
const RuleVillageCell = "org.village_cell"

// RuleVillageCommune: a village belongs to a commune or ward (a territorial unit of a kind with
// org_kind.holds_villages), never to a cell or a district.
const RuleVillageCommune = "org.village_commune"

func holdsVillages(ctx context.Context, tx bun.IDB, u Unit) error {
	var holds bool
	if err := tx.NewRaw(`SELECT holds_villages FROM org_kind WHERE code = ?`, u.Kind).Scan(ctx, &holds); err != nil {
		return err
	}
	if !holds || u.Sector != "territorial" {
		return apperr.Rule(RuleVillageCommune,
			fmt.Sprintf("%s không phải đảng bộ xã, phường: thôn, tổ dân phố thuộc xã, phường, không thuộc chi bộ hay cấp trên.", u.Name),
			fmt.Sprintf("unit %s (%s, %s) is not a commune: villages belong to communes", u.Code, u.Kind, u.Sector))
	}
	return nil
}

// Villages lists the villages that a unit answers for on asOf: those of a commune committee, or those
// covered by a cell. Villages are visible when their commune is in scope.
func Villages(ctx context.Context, db bun.IDB, unitID int64, asOf time.Time, p page.Args) (page.Page[Village], error) {
	a, err := auth.FromContext(ctx)
	if err != nil {
		return page.Page[Village]{}, err
	}
	cond, args := a.Scope().UnitFilter("v.commune_id")
	d := vn.Day(asOf)
	var vs []Village
	err = db.NewRaw(`SELECT v.id, v.code, v.name, v.kind, v.commune_id, v.valid_from, v.valid_to, vc.cell_id
		FROM village v
		LEFT JOIN village_cell vc ON vc.village_id = v.id AND vc.valid_from <= ?0 AND (vc.valid_to IS NULL OR vc.valid_to > ?0)
		WHERE (v.commune_id = ?1 OR vc.cell_id = ?1) AND v.valid_from <= ?0 AND (v.valid_to IS NULL OR v.valid_to > ?0)
		  AND v.code > ?2 AND `+renumber(cond, 3)+`
		ORDER BY v.code LIMIT ?`+fmt.Sprint(3+len(args)),
		append(append([]any{d, unitID, p.After}, args...), p.First+1)...).Scan(ctx, &vs)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return page.Page[Village]{}, fmt.Errorf("org: villages: %w", err)
	}
	return page.Trim(vs, p), nil
}

// renumber rewrites the plain ? placeholders of a condition to ?from, ?from+1, … so it can follow
// numbered arguments.
func renumber(cond string, from int) string {
	var b strings.Builder
	for _, r := range cond {
		if r == '?' {
			fmt.Fprintf(&b, "?%d", from)
			from++
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// NewVillage describes a village to record.
type NewVillage struct {
	Code      string
	Name      string
	Kind      string
	CommuneID int64
	CellID    *int64 // the covering cell, if any
}

// CreateVillage records a village of a commune, optionally with its covering cell.
func CreateVillage(ctx context.Context, db bun.IDB, v NewVillage, doc Doc) (int64, error) {
	_, err := auth.Permitted(ctx, auth.PermWriteTree)
	if err != nil {
		return 0, err
	}
	d, err := doc.validate()
	if err != nil {
		return 0, err
	}
	v.Code = strings.ToUpper(strings.TrimSpace(v.Code))
	if !codeRE.MatchString(v.Code) {
		return 0, apperr.Invalid("code", "Mã thôn, tổ dân phố không hợp lệ.", "invalid village code")
	}
	if v.Name, err = cleanName("name", v.Name); err != nil {
		return 0, err
	}
	if v.Kind != "village" && v.Kind != "residential_group" {
		return 0, apperr.Invalid("kind", "Loại địa bàn phải là thôn/làng/bản/ấp hoặc tổ dân phố.", "kind must be village or residential_group")
	}
	var id int64
	err = db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if err := auth.CheckUnits(ctx, tx, v.CommuneID); err != nil {
			return err
		}
		m, err := load(ctx, tx, []int64{v.CommuneID}, d.Effective)
		if err != nil {
			return err
		}
		if err := alive(ctx, tx, m[v.CommuneID], d.Effective, false); err != nil {
			return err
		}
		if err := holdsVillages(ctx, tx, m[v.CommuneID]); err != nil {
			return err
		}
		if err := tx.NewRaw(`INSERT INTO village (code, name, kind, commune_id, valid_from) VALUES (?, ?, ?, ?, ?) RETURNING id`,
			v.Code, v.Name, v.Kind, v.CommuneID, d.Effective).Scan(ctx, &id); err != nil {
			return err
		}
		if v.CellID != nil {
			if err := setCell(ctx, tx, id, v.CommuneID, *v.CellID, d.Effective); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, "org.create_village", "village", fmt.Sprint(id), nil, map[string]any{"village": v, "doc": d})
	})
	return id, translate(err)
}

// AssignVillageCell changes the cell that covers a village from the effective date on (nil: none).
func AssignVillageCell(ctx context.Context, db bun.IDB, villageID int64, cellID *int64, doc Doc) error {
	_, err := auth.Permitted(ctx, auth.PermWriteTree)
	if err != nil {
		return err
	}
	d, err := doc.validate()
	if err != nil {
		return err
	}
	err = db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var v Village
		err := tx.NewRaw(`SELECT id, commune_id, valid_from FROM village WHERE id = ? FOR UPDATE`, villageID).Scan(ctx, &v)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.NotFoundf("village", fmt.Sprint(villageID))
		}
		if err != nil {
			return err
		}
		if err := auth.CheckUnits(ctx, tx, v.CommuneID); err != nil {
			return apperr.NotFoundf("village", fmt.Sprint(villageID))
		}
		var last *time.Time
		if err := tx.NewRaw(`SELECT max(valid_from) FROM village_cell WHERE village_id = ?`, villageID).Scan(ctx, &last); err != nil {
			return err
		}
		if d.Effective.Before(v.ValidFrom) || (last != nil && !d.Effective.After(*last)) {
			return apperr.Rule(RuleHistoryOrder, "Ngày hiệu lực phải sau lần thay đổi gần nhất của thôn, tổ dân phố.", "the change must be dated after the village's last change")
		}
		if _, err := tx.NewRaw(`UPDATE village_cell SET valid_to = ? WHERE village_id = ? AND valid_to IS NULL`, d.Effective, villageID).Exec(ctx); err != nil {
			return err
		}
		if cellID != nil {
			if err := setCell(ctx, tx, villageID, v.CommuneID, *cellID, d.Effective); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, "org.assign_village_cell", "village", fmt.Sprint(villageID), nil, map[string]any{"cellId": cellID, "doc": d})
	})
	return translate(err)
}

func setCell(ctx context.Context, tx bun.IDB, villageID, communeID, cellID int64, d time.Time) error {
	if err := auth.CheckUnits(ctx, tx, cellID); err != nil {
		return err
	}
	m, err := load(ctx, tx, []int64{cellID, communeID}, d)
	if err != nil {
		return err
	}
	c, commune := m[cellID], m[communeID]
	if !c.ExistsOn(d) || c.Path == "" || !auth.Within(c.Path, commune.Path) {
		return apperr.Rule(RuleVillageCell,
			fmt.Sprintf("Chi bộ %s không thuộc %s vào ngày %s.", c.Name, commune.Name, vn.Date(d)),
			fmt.Sprintf("cell %s is not inside commune %s on %s", c.Code, commune.Code, d.Format(time.DateOnly)))
	}
	a, _ := auth.FromContext(ctx)
	_, err = tx.NewRaw(`INSERT INTO village_cell (village_id, cell_id, valid_from, recorded_by) VALUES (?, ?, ?, ?)`,
		villageID, cellID, d, a.Subject).Exec(ctx)
	return err
}

// CountVillages is the number of villages Villages lists over all its pages: the same unit, date and scope.
func CountVillages(ctx context.Context, db bun.IDB, unitID int64, asOf time.Time) (int, error) {
	a, err := auth.FromContext(ctx)
	if err != nil {
		return 0, err
	}
	cond, args := a.Scope().UnitFilter("v.commune_id")
	d := vn.Day(asOf)
	var n int
	err = db.NewRaw(`SELECT count(*) FROM village v
		LEFT JOIN village_cell vc ON vc.village_id = v.id AND vc.valid_from <= ?0 AND (vc.valid_to IS NULL OR vc.valid_to > ?0)
		WHERE (v.commune_id = ?1 OR vc.cell_id = ?1) AND v.valid_from <= ?0 AND (v.valid_to IS NULL OR v.valid_to > ?0)
		  AND `+renumber(cond, 2), append([]any{d, unitID}, args...)...).Scan(ctx, &n)
	if err != nil {
		return 0, fmt.Errorf("org: count villages: %w", err)
	}
	return n, nil
}
