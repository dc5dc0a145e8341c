package bulk

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"ptdv/internal/apperr"
	"ptdv/internal/codes"
	"ptdv/internal/org"
	"ptdv/internal/page"
	"ptdv/internal/sheet"
	"ptdv/internal/vn"
)

// unitLabels matches the kind and sector cells: a code or its Vietnamese label, folded.
type unitLabels struct {
	kinds, sectors       map[string]string // folded label or code → code
	kindName, sectorName map[string]string // code → label, for export
}

func loadUnitLabels(ctx context.Context, db bun.IDB) (unitLabels, error) {
	kinds, sectors, err := org.Labels(ctx, db)
	if err != nil {
		return unitLabels{}, err
	}
	l := unitLabels{kinds: map[string]string{}, sectors: map[string]string{}, kindName: kinds, sectorName: sectors}
	// A label matches also without its explanation in brackets: "Địa phương" for "Địa phương (tỉnh, …)".
	add := func(m map[string]string, code, label string) {
		short, _, _ := strings.Cut(label, "(")
		for _, k := range []string{code, label, short} {
			m[codes.Fold(k)] = code
		}
	}
	for code, label := range kinds {
		add(l.kinds, code, label)
	}
	for code, label := range sectors {
		add(l.sectors, code, label)
	}
	return l, nil
}

// prefetchUnits reads the ids of the units the rows name (their own codes and their parents').
func (im *importer) prefetchUnits(ctx context.Context, recs []*record) error {
	var names []string
	for _, r := range recs {
		names = append(names, r.text("code"), r.text("parent"))
	}
	return im.prefetchCodes(ctx, names)
}

// parseUnit checks a unit row's cells before anything is written.
func (im *importer) parseUnit(r *record) {
	for _, k := range []string{"code", "unit_name", "kind", "sector", "founded"} {
		r.required(k)
	}
	r.date("founded")
	for key, m := range map[string]map[string]string{"kind": im.labels.kinds, "sector": im.labels.sectors} {
		if s := r.text(key); s != "" {
			if _, ok := m[codes.Fold(s)]; !ok {
				r.invalid(key, fmt.Sprintf("\"%s\" không có trong danh mục.", s))
			}
		}
	}
	if r.text("parent") != "" && r.text("parent") == r.text("code") {
		r.invalid("parent", "Đơn vị không thể trực thuộc chính nó.")
	}
}

// unitOrder puts every row after the row of its parent (a file sorted by name is fine); the file's order
// is kept otherwise. Rows in a cycle, and their descendants, go last, where their parent is missing when
// they are applied. Each row's depth is computed once: linear in the rows; it is returned with the
// order, rows of one depth being a level of the tree that can be created at once.
func unitOrder(recs []*record) ([]*record, map[*record]int) {
	row := map[string]*record{}
	for _, r := range recs {
		if _, dup := row[r.text("code")]; !dup {
			row[r.text("code")] = r
		}
	}
	const visiting = -1
	cycle := len(recs) + 1
	depth := map[*record]int{}
	var depthOf func(r *record) int
	depthOf = func(r *record) int {
		if d, ok := depth[r]; ok {
			if d == visiting {
				return cycle
			}
			return d
		}
		depth[r] = visiting
		d := 0
		if p, ok := row[r.text("parent")]; ok && p != r {
			d = depthOf(p) + 1
		}
		depth[r] = d
		return d
	}
	out := slices.Clone(recs)
	for _, r := range out {
		depthOf(r)
	}
	slices.SortStableFunc(out, func(a, b *record) int { return depth[a] - depth[b] })
	return out, depth
}

// applyUnits records the good unit rows, in unitOrder. New units go through org.CreateMany a level of
// the tree at a time (the parents of a level are recorded by then: before the import, or by a level
// above), with Create's rules and audit but a few statements a level instead of ≈ 15 a unit; the
// levels all write or not with the file. Rows of recorded units are compared a level at a time
// (sameUnits). With oneByOne every row goes through org.Create or sameUnit, for the tests that compare
// the two paths.
func (im *importer) applyUnits(ctx context.Context, rows []*record, depth map[*record]int, rep *Report) error {
	if im.oneByOne {
		for _, r := range rows {
			if err := im.applyRow(ctx, r, "code", rep); err != nil {
				return err
			}
		}
		return nil
	}
	for start := 0; start < len(rows); {
		end := start + 1
		for end < len(rows) && depth[rows[end]] == depth[rows[start]] {
			end++
		}
		if err := im.createLevel(ctx, rows[start:end], rep); err != nil {
			return err
		}
		start = end
	}
	return nil
}

// createLevel records one level of unit rows (none is the parent of another): the new units with
// org.CreateMany, the rows of recorded units compared with sameUnits.
func (im *importer) createLevel(ctx context.Context, rows []*record, rep *Report) error {
	var news, same []*record
	var cs []org.Creation
	for _, r := range rows {
		code := r.text("code")
		parentID, ok := im.unitParent(r)
		if !ok {
			im.failed[code] = r.n
			continue
		}
		if _, recorded := im.cells[code]; recorded {
			same = append(same, r)
			continue
		}
		news = append(news, r)
		cs = append(cs, org.Creation{Unit: im.newUnit(r), ParentID: parentID, Doc: unitDoc(r)})
	}
	if err := im.sameUnits(ctx, same, rep); err != nil {
		return err
	}
	if len(cs) == 0 {
		return nil
	}
	writeCount.Add(1)
	// In a savepoint: if the database's row policies refuse a row that the checks let through (the second
	// lock, migration 0023), the level goes again one row at a time, so that the refusal is that row's
	// problem ("not found", as for any unit outside the scope) and not the file's.
	if _, err := im.tx.ExecContext(ctx, "SAVEPOINT units_level"); err != nil {
		return err
	}
	ids, errs, err := org.CreateMany(ctx, im.bulk, cs)
	if apperr.CodeOf(err) == apperr.NotFound {
		if _, err := im.tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT units_level"); err != nil {
			return err
		}
		for _, r := range news {
			if err := im.applyRow(ctx, r, "code", rep); err != nil {
				return err
			}
		}
		return nil
	}
	if err != nil {
		return err
	}
	if _, err := im.tx.ExecContext(ctx, "RELEASE SAVEPOINT units_level"); err != nil {
		return err
	}
	for i, r := range news {
		if errs[i] != nil {
			if err := r.failErr(createColumn(errs[i]), errs[i]); err != nil {
				return err
			}
			im.failed[r.text("code")] = r.n
			continue
		}
		im.cells[r.text("code")] = ids[i]
		rep.Created++
	}
	return nil
}

// unitParent finds the id of the row's parent (nil for none), or records why it cannot.
func (im *importer) unitParent(r *record) (*int64, bool) {
	parentCode := r.text("parent")
	if parentCode == "" {
		return nil, true
	}
	id, ok := im.cells[parentCode]
	if !ok {
		msg := fmt.Sprintf("Không tìm thấy đơn vị cấp trên mã \"%s\".", parentCode)
		if n, bad := im.failed[parentCode]; bad {
			msg = fmt.Sprintf("Đơn vị cấp trên mã \"%s\" (dòng %d) không nhập được.", parentCode, n)
		}
		r.fail("parent", apperr.NotFound, "", msg)
		return nil, false
	}
	return &id, true
}

func (im *importer) newUnit(r *record) org.NewUnit {
	return org.NewUnit{Code: r.text("code"), Name: r.text("unit_name"), Kind: im.labels.kinds[codes.Fold(r.text("kind"))],
		Sector: im.labels.sectors[codes.Fold(r.text("sector"))]}
}

func unitDoc(r *record) org.Doc {
	return org.Doc{Effective: *r.date("founded"), Document: r.text("founded_doc"), Note: "Nhập từ tệp."}
}

// createColumn is the column of a refusal of org.Create without a field of its own: the date (the
// parent did not exist then), or the kind.
func createColumn(err error) string {
	if e, ok := apperr.As(err); ok && e.Rule == org.RuleKindParent {
		return "kind"
	}
	return "founded"
}

// applyUnit records a new unit with org.Create, or finds it recorded as the row has it today.
func (im *importer) applyUnit(ctx context.Context, r *record) (int, error) {
	code := r.text("code")
	n := im.newUnit(r)
	parentID, ok := im.unitParent(r)
	if !ok {
		return 0, nil
	}
	if id, ok := im.cells[code]; ok {
		return unchanged, im.sameUnit(ctx, r, id, n.Kind, r.text("parent"))
	}
	res, err := org.Create(ctx, im.tx, n, parentID, unitDoc(r))
	if err != nil {
		return 0, r.failErr(createColumn(err), err)
	}
	cacheIn(im, im.cells, code, res.Units[0])
	return created, nil
}

// sameUnit accepts a row that names a recorded unit only when it has it as the unit stands today: a
// rename or a move is an operation with its own document (the API's), not a silent edit of a cell.
func (im *importer) sameUnit(ctx context.Context, r *record, id int64, kind, parentCode string) error {
	today := vn.Day(time.Now())
	u, err := org.GetOne(ctx, im.tx, id, today)
	if err != nil {
		if apperr.CodeOf(err) == apperr.NotFound {
			r.fail("code", apperr.Conflict, "", "Mã này đã được dùng cho một đơn vị ngoài phạm vi của bạn.")
			return nil
		}
		return err
	}
	have := ""
	if u.ParentID != nil {
		p, err := org.GetOne(ctx, im.tx, *u.ParentID, today)
		if err != nil && apperr.CodeOf(err) != apperr.NotFound {
			return err
		}
		have = p.Code
	}
	im.sameAs(r, u, have, kind, parentCode, today)
	return nil
}

// sameUnits is sameUnit for many rows of recorded units, with two reads for all of them (a second
// import of a province's 15,000 units took 36 s one by one).
func (im *importer) sameUnits(ctx context.Context, rows []*record, rep *Report) error {
	if len(rows) == 0 {
		return nil
	}
	today := vn.Day(time.Now())
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = im.cells[r.text("code")]
	}
	units, err := org.Get(ctx, im.tx, ids, today) // in the scope only, as GetOne
	if err != nil {
		return err
	}
	var parentIDs []int64
	for _, u := range units {
		if u.ParentID != nil {
			parentIDs = append(parentIDs, *u.ParentID)
		}
	}
	parents, err := org.Get(ctx, im.tx, parentIDs, today)
	if err != nil {
		return err
	}
	for i, r := range rows {
		u, ok := units[ids[i]]
		if !ok {
			r.fail("code", apperr.Conflict, "", "Mã này đã được dùng cho một đơn vị ngoài phạm vi của bạn.")
		} else {
			have := ""
			if u.ParentID != nil {
				have = parents[*u.ParentID].Code
			}
			im.sameAs(r, u, have, im.newUnit(r).Kind, r.text("parent"), today)
		}
		if len(r.probs) > 0 {
			im.failed[r.text("code")] = r.n
		} else {
			rep.Unchanged++
		}
	}
	return nil
}

// sameAs records a conflict when the row describes the recorded unit u (under the unit coded have)
// otherwise than it stands today.
func (im *importer) sameAs(r *record, u org.Unit, have, kind, parentCode string, today time.Time) {
	switch {
	case !u.ExistsOn(today):
		r.fail("code", apperr.Conflict, "", fmt.Sprintf("Đơn vị mã %s đã kết thúc hoạt động.", u.Code))
	case u.Name != r.text("unit_name"):
		r.fail("unit_name", apperr.Conflict, "", fmt.Sprintf("Đơn vị mã %s đang có tên \"%s\"; đổi tên bằng thao tác đổi tên có văn bản.", u.Code, u.Name))
	case u.Kind != kind:
		r.fail("kind", apperr.Conflict, "", fmt.Sprintf("Đơn vị mã %s là \"%s\".", u.Code, im.labels.kindName[u.Kind]))
	case have != parentCode:
		r.fail("parent", apperr.Conflict, "", fmt.Sprintf("Đơn vị mã %s đang trực thuộc đơn vị mã \"%s\"; chuyển đơn vị bằng thao tác điều chuyển.", u.Code, have))
	}
}

// exportUnits lists the unit and its subtree as they stand on the day, parents first, in the import
// layout. org.Descendants applies the caller's scope.
func exportUnits(ctx context.Context, db bun.IDB, root org.Unit, on time.Time) (sheet.Sheet, error) {
	sub, err := org.Descendants(ctx, db, root.ID, on, org.Filter{}, page.Args{First: 10_000_000})
	if err != nil {
		return sheet.Sheet{}, err
	}
	units := append([]org.Unit{root}, sub.Items...)
	slices.SortStableFunc(units, func(a, b org.Unit) int { return a.Depth() - b.Depth() })
	byID := map[int64]org.Unit{}
	ids := make([]int64, len(units))
	for i, u := range units {
		byID[u.ID], ids[i] = u, u.ID
	}
	if root.ParentID != nil {
		if p, err := org.GetOne(ctx, db, *root.ParentID, on); err == nil {
			byID[p.ID] = p
		}
	}
	// The row's date is when the unit came to stand as it does on the day: the later of its current
	// link's and name's versions (its founding, unless moved or renamed since), with that operation's
	// document. Imported into another database the row recreates it on that day.
	var since []struct {
		ID       int64     `bun:"id"`
		Since    time.Time `bun:"since"`
		Document string    `bun:"document"`
	}
	if err := db.NewRaw(`SELECT l.unit_id AS id, greatest(l.valid_from, n.valid_from) AS since,
			o.document
		FROM org_link l JOIN org_unit_name n ON n.unit_id = l.unit_id AND n.valid_from <= ?0 AND (n.valid_to IS NULL OR n.valid_to > ?0)
		JOIN org_operation o ON o.id = CASE WHEN n.valid_from > l.valid_from THEN n.op_id ELSE l.op_id END
		WHERE l.unit_id = ANY(?1::bigint[]) AND l.valid_from <= ?0 AND (l.valid_to IS NULL OR l.valid_to > ?0)`,
		on, pgdialect.Array(ids)).Scan(ctx, &since); err != nil && !isNoRows(err) {
		return sheet.Sheet{}, err
	}
	type start struct {
		on  time.Time
		doc string
	}
	starts := map[int64]start{}
	for _, s := range since {
		starts[s.ID] = start{s.Since, s.Document}
	}
	labels, err := loadUnitLabels(ctx, db)
	if err != nil {
		return sheet.Sheet{}, err
	}
	cols := Layout(Units)
	out := sheet.Sheet{Name: sheetName(Units), Header: Headers(Units)}
	for i, u := range units {
		c := map[string]string{colNo: fmt.Sprint(i + 1), "code": u.Code, "unit_name": u.Name, "kind": labels.kindName[u.Kind],
			"sector": labels.sectorName[u.Sector], "founded": vn.Date(starts[u.ID].on), "founded_doc": starts[u.ID].doc}
		if u.ParentID != nil {
			if p, ok := byID[*u.ParentID]; ok {
				c["parent"], c["parent_name"] = p.Code, p.Name
			}
		}
		line := make([]string, len(cols))
		for j, col := range cols {
			line[j] = c[col.Key]
		}
		out.Rows = append(out.Rows, line)
	}
	return out, nil
}
