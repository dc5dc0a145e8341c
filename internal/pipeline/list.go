package pipeline

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"ptdv/internal/apperr"
	"ptdv/internal/audit"
	"ptdv/internal/auth"
	"ptdv/internal/codes"
	ptdb "ptdv/internal/db"
	"ptdv/internal/org"
	"ptdv/internal/page"
	"ptdv/internal/vn"
)

// Filter narrows the candidate list.
type Filter struct {
	PersonID      *int64   // the cases of one person
	UnitID        *int64   // the subtree of this unit (today's tree)
	Stages        []string // any of these stages; empty: the open ones
	OverdueOn     *time.Time
	HelperID      *int64 // cases this member follows
	ResponsibleID *int64 // cases in cells this committee member answers for (today)
	Text          string // the person's name, without accents
	Sex           string
	Ethnicity     string
	Minority      *bool
	YouthUnion    *bool
	Proposer      string
}

type builder struct {
	conds []string
	args  []any
	// small: the subtree's cells are listed (cellsOf), so a list starts from them, not from an index in
	// the list's order.
	small bool
	// open: the cases are read from case_open_ancestor, open by construction.
	open bool
}

func (b *builder) add(cond string, args ...any) {
	b.conds = append(b.conds, cond)
	b.args = append(b.args, args...)
}

// smallSubtree is the most units a subtree may have for its lists to start from its cells: then the
// cases are read through candidate_case_cell (a commune's in a few ms) instead of walking the whole
// table in id or date order and probing each row's cell, which at national size takes seconds when the
// subtree's cases are sparse (a commune holds 1/1,500 of the open cases). A province is above it: a
// page of its cases is found early in that walk when cases of all provinces interleave in id order.
const smallSubtree = 5000

// subtreeCond narrows the builder to the cases of unitID's subtree on day on. The open cases (open) of a
// day whose tree is the latest (no link version begins or ends after it) are read from
// case_open_ancestor (migration 0034): a subtree's open cases in id order from one index range, whatever
// its size (a province's newest 50 in ms instead of half a second through its 26,605 units).
func subtreeCond(ctx context.Context, db bun.IDB, b *builder, col string, unitID int64, on time.Time, open bool) error {
	if open {
		settled, err := org.Settled(ctx, db, on)
		if err != nil {
			return err
		}
		if settled {
			b.add("c.id IN (SELECT a.case_id FROM case_open_ancestor a WHERE a.ancestor_id = ?)", unitID)
			b.open = true
			return nil
		}
	}
	var ids []int64
	err := ptdb.Scan(ctx, db, &ids, `SELECT x.unit_id FROM org_link r JOIN org_link x ON `+auth.SubtreeSQL("x.path", "r.path")+`
		WHERE r.unit_id = ? AND r.valid_from <= ? AND (r.valid_to IS NULL OR r.valid_to > ?)
		  AND x.valid_from <= ? AND (x.valid_to IS NULL OR x.valid_to > ?) LIMIT ?`, unitID, on, on, on, on, smallSubtree+1)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("pipeline: subtree: %w", err)
	}
	if len(ids) <= smallSubtree {
		b.add(col+" = ANY(?::bigint[])", pgdialect.Array(ids))
		b.small = true
		return nil
	}
	b.add(`EXISTS (SELECT 1 FROM org_link r JOIN org_link x ON `+auth.SubtreeSQL("x.path", "r.path")+`
		WHERE r.unit_id = ? AND r.valid_from <= ? AND (r.valid_to IS NULL OR r.valid_to > ?)
		  AND x.unit_id = `+col+` AND x.valid_from <= ? AND (x.valid_to IS NULL OR x.valid_to > ?))`, unitID, on, on, on, on)
	return nil
}

func (f Filter) build(ctx context.Context, db bun.IDB, today time.Time) (*builder, error) {
	cond, args, err := scope(ctx)
	if err != nil {
		return nil, err
	}
	b := &builder{}
	b.add(cond, args...)
	if a, err := auth.FromContext(ctx); err != nil {
		return nil, err
	} else if err := filterSight(a, f); err != nil {
		return nil, err
	}
	if f.UnitID != nil {
		if err := subtreeCond(ctx, db, b, "c.cell_id", *f.UnitID, today, len(f.Stages) == 0); err != nil {
			return nil, err
		}
	}
	switch {
	case len(f.Stages) == 0 && b.open:
		// Not "closed_on IS NULL" again: the planner would then hash every open case of the country
		// (the partial index candidate_case_open_person) against the subtree's instead of walking the
		// subtree's newest first (350 ms against 1 ms for a province).
	case len(f.Stages) == 0 && b.small:
		// Not the open-case index's predicate: ANDing that index's 400k entries with the cells' few
		// costs more than filtering the cells' cases (88 ms against 5 ms for a commune).
		b.add("(c.closed_on + 0) IS NULL")
	case len(f.Stages) == 0:
		b.add("c.closed_on IS NULL")
	default:
		for _, s := range f.Stages {
			if stageIndex(s) < 0 {
				return nil, apperr.Invalid("stage", fmt.Sprintf("Bước %q không tồn tại.", s), "unknown stage")
			}
		}
		b.add("c.stage = ANY(?::text[])", pgdialect.Array(f.Stages))
	}
	if f.OverdueOn != nil {
		b.add("EXISTS (SELECT 1 FROM case_due d WHERE d.case_id = c.id AND d.due_on < ?)", *f.OverdueOn)
	}
	if f.PersonID != nil {
		b.add("c.person_id = ?", *f.PersonID)
	}
	if f.HelperID != nil {
		b.add("c.helper_id = ?", *f.HelperID)
	}
	if f.ResponsibleID != nil {
		b.add(`EXISTS (SELECT 1 FROM unit_responsible ur JOIN org_link rl ON rl.unit_id = ur.unit_id
			JOIN org_link cl ON `+auth.SubtreeSQL("cl.path", "rl.path")+` AND cl.unit_id = c.cell_id
			WHERE ur.person_id = ? AND ur.valid_from <= ? AND (ur.valid_to IS NULL OR ur.valid_to > ?)
			  AND rl.valid_from <= ? AND (rl.valid_to IS NULL OR rl.valid_to > ?)
			  AND cl.valid_from <= ? AND (cl.valid_to IS NULL OR cl.valid_to > ?))`,
			*f.ResponsibleID, today, today, today, today, today, today)
	}
	if f.Proposer != "" {
		b.add("c.proposer = ?", f.Proposer)
	}
	if f.Text != "" || f.Sex != "" || f.Ethnicity != "" || f.Minority != nil || f.YouthUnion != nil {
		var pc []string
		var pa []any
		if w := strings.Fields(f.Text); len(w) > 0 {
			q := make([]string, len(w))
			for i, x := range w {
				q[i] = regexp.QuoteMeta(x)
			}
			pc = append(pc, "ptdv_fold(p.full_name) ~ ptdv_fold(?)")
			pa = append(pa, "[[:<:]]"+strings.Join(q, "[[:>:]][[:space:]]+"))
		}
		if f.Sex != "" {
			pc, pa = append(pc, "p.sex = ?"), append(pa, f.Sex)
		}
		if f.Ethnicity != "" {
			pc, pa = append(pc, "p.ethnicity = ?"), append(pa, f.Ethnicity)
		}
		if f.Minority != nil {
			pc = append(pc, "coalesce((SELECT (attrs->>'minority')::bool FROM code_item WHERE list = 'ethnicity' AND code = p.ethnicity), false) = ?")
			pa = append(pa, *f.Minority)
		}
		if f.YouthUnion != nil {
			pc, pa = append(pc, "p.youth_union_member = ?"), append(pa, *f.YouthUnion)
		}
		b.add("EXISTS (SELECT 1 FROM person p WHERE p.id = c.person_id AND "+strings.Join(pc, " AND ")+")", pa...)
	}
	return b, nil
}

// List returns candidate cases matching the filter, newest case first; the cursor is the case id.
func List(ctx context.Context, db bun.IDB, f Filter, today time.Time, p page.Args) (page.Page[Case], error) {
	b, err := f.build(ctx, db, today)
	if err != nil {
		return page.Page[Case]{}, err
	}
	if p.After != "" {
		id, err := strconv.ParseInt(p.After, 10, 64)
		if err != nil {
			return page.Page[Case]{}, apperr.Invalid("after", "Con trỏ phân trang không hợp lệ.", "invalid cursor")
		}
		b.add("c.id < ?", id)
	}
	var cs []Case
	order := "c.id DESC"
	if b.small {
		order = "c.id + 0 DESC" // from the cells' cases, not backwards through the whole table
	}
	err = ptdb.Scan(ctx, db, &cs, `SELECT `+caseCols+` FROM candidate_case c WHERE `+strings.Join(b.conds, " AND ")+
		fmt.Sprintf(" ORDER BY %s LIMIT %d", order, p.First+1), b.args...)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return page.Page[Case]{}, fmt.Errorf("pipeline: list: %w", err)
	}
	return page.Trim(cs, p), nil
}

// DueItem is one line of the due list.
type DueItem struct {
	Due
	Overdue bool `bun:"-"`
}

// DueList lists what is due or overdue in a subtree up to a date (from `from`, or everything overdue
// when from is nil), by date; the cursor is "date|case|kind".
func DueList(ctx context.Context, db bun.IDB, unitID *int64, from *time.Time, to, today time.Time, p page.Args) (page.Page[DueItem], error) {
	b, err := Filter{UnitID: unitID}.build(ctx, db, today)
	if err != nil {
		return page.Page[DueItem]{}, err
	}
	b.add("d.due_on <= ?", to)
	if from != nil {
		b.add("d.due_on >= ?", *from)
	}
	if p.After != "" {
		parts := strings.Split(p.After, "|")
		t, err1 := time.Parse(time.DateOnly, parts[0])
		var id int64
		var err2 error
		if len(parts) == 3 {
			id, err2 = strconv.ParseInt(parts[1], 10, 64)
		}
		if len(parts) != 3 || err1 != nil || err2 != nil {
			return page.Page[DueItem]{}, apperr.Invalid("after", "Con trỏ phân trang không hợp lệ.", "invalid cursor")
		}
		b.add("(d.due_on, d.case_id, d.kind) > (?, ?, ?)", t, id, parts[2])
	}
	var ds []DueItem
	order := "d.due_on, d.case_id, d.kind"
	if b.small {
		order = "d.due_on + 0, d.case_id, d.kind" // from the cells' cases, not through every due date
	}
	err = ptdb.Scan(ctx, db, &ds, `SELECT d.case_id, d.kind, d.due_on, d.rule_id FROM case_due d JOIN candidate_case c ON c.id = d.case_id
		WHERE `+strings.Join(b.conds, " AND ")+fmt.Sprintf(" ORDER BY %s LIMIT %d", order, p.First+1), b.args...)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return page.Page[DueItem]{}, fmt.Errorf("pipeline: due list: %w", err)
	}
	for i := range ds {
		ds[i].Overdue = ds[i].DueOn.Before(today)
	}
	return page.Trim(ds, p), nil
}

// DueCursor is the cursor key of a due item.
func DueCursor(d Due) string {
	return d.DueOn.Format(time.DateOnly) + "|" + strconv.FormatInt(d.CaseID, 10) + "|" + d.Kind
}

// StageCount is the number of cases at a stage.
type StageCount struct {
	Stage string `bun:"stage"`
	N     int    `bun:"n"`
}

// Funnel counts the cases of a subtree per stage (every stage listed, zeros included).
func Funnel(ctx context.Context, db bun.IDB, unitID *int64, today time.Time) ([]StageCount, error) {
	b, err := Filter{UnitID: unitID, Stages: Stages}.build(ctx, db, today)
	if err != nil {
		return nil, err
	}
	var rows []StageCount
	err = ptdb.Scan(ctx, db, &rows, `SELECT c.stage, count(*) AS n FROM candidate_case c WHERE `+strings.Join(b.conds, " AND ")+` GROUP BY c.stage`, b.args...)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("pipeline: funnel: %w", err)
	}
	n := map[string]int{}
	for _, r := range rows {
		n[r.Stage] = r.N
	}
	out := make([]StageCount, len(Stages))
	for i, s := range Stages {
		out[i] = StageCount{Stage: s, N: n[s]}
	}
	return out, nil
}

// Review records the quarterly quality review of a person on the source list.
func Review(ctx context.Context, db bun.IDB, caseID int64, quarter, rating, note string) error {
	if _, err := requireWriter(ctx); err != nil {
		return err
	}
	if !regexp.MustCompile(`^[0-9]{4}Q[1-4]$`).MatchString(quarter) {
		return apperr.Invalid("quarter", "Quý phải có dạng 2026Q3.", "quarter must look like 2026Q3")
	}
	return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		set, err := codes.Load(ctx, tx)
		if err != nil {
			return err
		}
		if !set.Valid(codes.ReviewRating, rating) {
			var labels []string
			for _, it := range set.List(codes.ReviewRating) {
				labels = append(labels, strings.ToLower(it.LabelVI))
			}
			return apperr.Invalid("rating", "Xếp loại phải là: "+strings.Join(labels, ", ")+".", "unknown rating")
		}
		c, err := GetOne(ctx, tx, caseID)
		if err != nil {
			return err
		}
		if !c.Open() || stageIndex(c.Stage) > stageIndex(StageDossier) {
			return apperr.Rule(RuleStageOrder, "Chỉ rà soát người đang trong danh sách nguồn.", "only sources are reviewed")
		}
		a, _ := auth.FromContext(ctx)
		_, err = tx.NewRaw(`INSERT INTO source_review (case_id, quarter, rating, note, recorded_by) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (case_id, quarter) DO NOTHING`, caseID, quarter, rating, strings.TrimSpace(note), a.Subject).Exec(ctx)
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, "case.reviewed", "candidate_case", fmt.Sprint(caseID), nil,
			map[string]any{"quarter": quarter, "rating": rating, "note": note})
	})
}

// SourceReview is one quarterly review of a source.
type SourceReview struct {
	CaseID     int64     `bun:"case_id"`
	Quarter    string    `bun:"quarter"`
	Rating     string    `bun:"rating"`
	Note       string    `bun:"note"`
	RecordedBy string    `bun:"recorded_by"`
	RecordedAt time.Time `bun:"recorded_at"`
}

// Reviews lists a case's quarterly reviews, newest first.
func Reviews(ctx context.Context, db bun.IDB, caseID int64) ([]SourceReview, error) {
	if _, err := GetOne(ctx, db, caseID); err != nil {
		return nil, err
	}
	var rs []SourceReview
	err := ptdb.Scan(ctx, db, &rs, `SELECT case_id, quarter, rating, note, recorded_by, recorded_at FROM source_review WHERE case_id = ? ORDER BY quarter DESC`, caseID)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	return rs, nil
}

// AssignResponsible records the committee member responsible for a unit from a date on.
func AssignResponsible(ctx context.Context, db bun.IDB, unitID, personID int64, from time.Time) error {
	a, err := auth.Permitted(ctx, auth.PermAssignResponsible)
	if err != nil {
		return err
	}
	from = vn.Day(from)
	return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if err := auth.CheckUnits(ctx, tx, unitID); err != nil {
			return err
		}
		if err := requireFullMember(dbWorld{ctx: ctx, tx: tx}, personID, from, "personId", RuleResponsibleFullMember); err != nil {
			return err
		}
		var last *time.Time
		if err := tx.NewRaw(`SELECT max(valid_from) FROM unit_responsible WHERE unit_id = ?`, unitID).Scan(ctx, &last); err != nil {
			return err
		}
		if last != nil && !from.After(*last) {
			return apperr.Rule(RuleDateOrder, "Ngày phân công phải sau lần phân công gần nhất.", "the assignment must be dated after the last one")
		}
		if _, err := tx.NewRaw(`UPDATE unit_responsible SET valid_to = ? WHERE unit_id = ? AND valid_to IS NULL`, from, unitID).Exec(ctx); err != nil {
			return err
		}
		if _, err := tx.NewRaw(`INSERT INTO unit_responsible (unit_id, person_id, valid_from, recorded_by) VALUES (?, ?, ?, ?)`,
			unitID, personID, from, a.Subject).Exec(ctx); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "unit.responsible", "org_unit", fmt.Sprint(unitID), nil, map[string]any{"personId": personID, "from": from})
	})
}

// filterSight refuses a filter on a person's field the actor's role may not see (auth's field table):
// an analyst lists candidates, but not by name or ethnicity.
func filterSight(a *auth.Actor, f Filter) error {
	var used []auth.PersonField
	if strings.TrimSpace(f.Text) != "" {
		used = append(used, auth.FieldFullName)
	}
	if f.Sex != "" {
		used = append(used, auth.FieldSex)
	}
	if f.Ethnicity != "" || f.Minority != nil {
		used = append(used, auth.FieldEthnicity)
	}
	if f.YouthUnion != nil {
		used = append(used, auth.FieldYouthUnionMember)
	}
	return a.RequireFilter(used...)
}

// Count is the number of cases List returns over all its pages: the same filter and scope, counted.
func Count(ctx context.Context, db bun.IDB, f Filter, today time.Time) (int, error) {
	b, err := f.build(ctx, db, today)
	if err != nil {
		return 0, err
	}
	var n int
	if err := db.NewRaw(`SELECT count(*) FROM candidate_case c WHERE `+strings.Join(b.conds, " AND "), b.args...).
		Scan(ctx, &n); err != nil {
		return 0, fmt.Errorf("pipeline: count: %w", err)
	}
	return n, nil
}

// CountDue is the number of items DueList returns over all its pages: the same unit, dates and scope.
func CountDue(ctx context.Context, db bun.IDB, unitID *int64, from *time.Time, to, today time.Time) (int, error) {
	b, err := Filter{UnitID: unitID}.build(ctx, db, today)
	if err != nil {
		return 0, err
	}
	b.add("d.due_on <= ?", to)
	if from != nil {
		b.add("d.due_on >= ?", *from)
	}
	var n int
	if err := ptdb.Scan(ctx, db, &n, `SELECT count(*) FROM case_due d JOIN candidate_case c ON c.id = d.case_id WHERE `+
		strings.Join(b.conds, " AND "), b.args...); err != nil {
		return 0, fmt.Errorf("pipeline: count due: %w", err)
	}
	return n, nil
}

// DueWindowDays is how far ahead the due list looks when the caller gives no end date.
const DueWindowDays = 30

// DueUntil is the last day of the due list: the one asked for, or DueWindowDays from today.
func DueUntil(to *time.Time, today time.Time) time.Time {
	if to != nil {
		return *to
	}
	return today.AddDate(0, 0, DueWindowDays)
}
