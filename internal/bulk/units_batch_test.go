package bulk_test

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/uptrace/bun"

	"ptdv/internal/auth"
	"ptdv/internal/bulk"
	"ptdv/internal/fixture"
	"ptdv/internal/org"
	"ptdv/internal/pgtest"
)

// unitDump writes the tree's tables and their audit rows one line a row. With ids, the lines keep the
// ids (the two paths number units and operations alike when every row is good); without, each id is
// replaced by the code of its unit, so that runs that skipped rows (and numbers) still compare.
func unitDump(t *testing.T, db bun.IDB, ids bool) string {
	t.Helper()
	qs := []string{
		`SELECT concat_ws('|', u.id, u.code, u.kind, u.sector, u.valid_from, u.valid_to, u.created_op) FROM org_unit u ORDER BY u.code`,
		`SELECT concat_ws('|', n.unit_id, n.name, n.valid_from, n.valid_to, n.op_id) FROM org_unit_name n ORDER BY 1`,
		`SELECT concat_ws('|', l.unit_id, l.parent_id, l.path, l.valid_from, l.valid_to, l.op_id) FROM org_link l ORDER BY 1`,
		`SELECT concat_ws('|', o.id, o.kind, o.effective, o.document, o.note, o.recorded_by, o.details::text) FROM org_operation o ORDER BY o.id`,
		`SELECT concat_ws('|', a.id, a.actor, a.actor_role, a.action, a.entity, a.entity_id, a.before::text, a.after::text)
			FROM audit_log a WHERE a.action LIKE 'org.%' ORDER BY a.id`,
	}
	if !ids {
		// A path and a parent as codes; an operation by the unit it created.
		qs = []string{
			`SELECT concat_ws('|', u.code, u.kind, u.sector, u.valid_from, u.valid_to, n.name, n.valid_from, n.valid_to, p.code,
				(SELECT string_agg(x.code, '.' ORDER BY lab.i) FROM unnest(string_to_array(l.path::text, '.')) WITH ORDINALITY AS lab(id, i)
					JOIN org_unit x ON x.id = lab.id::bigint),
				l.valid_from, l.valid_to, o.kind, o.effective, o.document, o.note, o.recorded_by, o.details->>'code', o.details->'parentId' IS NULL)
			FROM org_unit u JOIN org_unit_name n ON n.unit_id = u.id JOIN org_link l ON l.unit_id = u.id
			LEFT JOIN org_unit p ON p.id = l.parent_id JOIN org_operation o ON o.id = u.created_op ORDER BY u.code`,
			`SELECT concat_ws('|', a.actor, a.actor_role, a.action, a.entity, u.code, a.after #> '{input,unit}', a.after #> '{input,doc}',
				p.code, a.after->'units' = jsonb_build_array(u.id))
			FROM audit_log a JOIN org_unit u ON u.created_op = a.entity_id::bigint
			LEFT JOIN org_unit p ON p.id = (a.after #>> '{input,parentId}')::bigint
			WHERE a.action = 'org.create' ORDER BY u.code`,
		}
	}
	var lines []string
	for _, q := range qs {
		var rows []string
		if err := db.NewRaw(q).Scan(context.Background(), &rows); err != nil && !strings.Contains(err.Error(), "no rows") {
			t.Fatalf("%v\n%s", err, q)
		}
		lines = append(append(lines, rows...), "--")
	}
	return strings.Join(lines, "\n")
}

// unitTree is tree() with HY.QS renamed on 01/01/2025: a unit created under it must be dated after that.
func unitTree(t *testing.T) *pgtest.DB {
	d := tree(t)
	if _, err := org.Rename(fixture.System(), d.App, mustUnit(t, d.App, "HY.QS"), "Đảng bộ xã Quỳnh Sơn mới",
		org.Doc{Effective: fixture.Day("2025-01-01"), Document: "QĐ đổi tên"}); err != nil {
		t.Fatal(err)
	}
	return d
}

// goodUnits is a file of new units three levels deep, children before their parents, under recorded
// units and under rows of the file, with documents and sectors, and one recorded unit as it stands.
var goodUnits = []map[string]string{
	unitRow("HY.TD.1", "Chi bộ thôn Thụy Lũng", "chi bo truc thuoc", "HY.TD", "01/07/2025"),
	unitRow("HY.TD", "Đảng bộ xã Thụy Dân", "Đảng bộ cơ sở", "HY", "01/07/2025", "Văn bản", "Quyết định số 12-QĐ/TU ngày 30/06/2025"),
	unitRow("HY.TD.2", "Chi bộ  Trường THPT   Thụy Dân", "Chi bộ trực thuộc", "HY.TD", "15/08/2025", "Lĩnh vực", "truong hoc"),
	unitRow("HY.QC.3", "Chi bộ thôn Mới", "cell", "HY.QC", "01/03/2024"),
	unitRow("HY.QS.2", "Chi bộ thôn Sau Đổi Tên", "cell", "HY.QS", "01/01/2025"),
	unitRow("HY.QC", "Đảng bộ xã Quỳnh Châu", "grassroots_committee", "HY", "01/01/1990"),
	unitRow("HY.CS", "Chi bộ cơ sở Công ty A", "Chi bộ cơ sở", "HY", "02/01/2020", "Lĩnh vực", "Doanh nghiệp ngoài nhà nước"),
	unitRow("hy.low", "Chi bộ viết thường", "cell", "HY.TD", "01/07/2025"),
}

// badUnits are rows that org.Create refuses, each for another of its rules, in the middle of good ones.
var badUnits = []map[string]string{
	unitRow("HY.C", "Chi bộ C", "Chi bộ trực thuộc", "HY", "01/07/2025"),                // a cell under the province: kind
	unitRow("HY.TD.3", "Chi bộ Sớm", "Chi bộ trực thuộc", "HY.TD", "01/01/2020"),        // before its parent row's unit
	unitRow("HY.TD.3.X", "Chi bộ con", "Chi bộ trực thuộc", "HY.TD.3", "01/08/2025"),    // under that bad row
	unitRow("HY.QS.3", "Chi bộ trước đổi tên", "cell", "HY.QS", "01/06/2024"),           // before the parent's rename
	unitRow("HY.QC.0", "Chi bộ trước xã", "cell", "HY.QC", "01/01/1985"),                // before the parent existed
	unitRow("hy.qc", "Đảng bộ xã trùng mã", "grassroots_committee", "HY", "01/07/2025"), // a recorded code in lower case
	unitRow("HY.LOW", "Chi bộ trùng mã", "cell", "HY.TD", "01/07/2025"),                 // the code of row "hy.low"
	unitRow("HY TD 9", "Chi bộ mã sai", "cell", "HY.TD", "01/07/2025"),                  // code format
	unitRow("HY.TD.9", strings.Repeat("Tên ", 80), "cell", "HY.TD", "01/07/2025"),       // name too long
	unitRow("HY.TD.8", "Chi bộ văn bản dài", "cell", "HY.TD", "01/07/2025", "Văn bản", strings.Repeat("x", 501)),
	unitRow("HY.TD.7", "Chi bộ năm 1920", "cell", "HY.TD", "01/07/1920"), // date out of range
	unitRow("HB", "Đảng bộ tỉnh khác", "province", "", "01/01/2000"),     // a root: national scope only
	unitRow("HY.QS.4", "Chi bộ xã khác", "cell", "HY.QS", "01/07/2025"),
	unitRow("HY.QS.1", "Chi bộ thôn Mai Xá", "cell", "HY.QC", "01/01/1990"),     // recorded, under another parent (a move)
	unitRow("HY.QC.1", "Chi bộ thôn An Phú mới", "cell", "HY.QC", "01/01/1990"), // recorded, another name (a rename)  // another commune: out of a commune's scope
}

// The batch path (org.CreateMany a level at a time) records exactly what org.Create records row by row
// (units, names, links and paths, operations and audit rows, ids included) and refuses the same rows for
// the same reasons, as the national office and as a commune's board; by default a bad row in the middle
// refuses the file with nothing written.
func TestUnitsBatchMatchesOneByOne(t *testing.T) {
	run := func(actor func(db *bun.DB) context.Context, rows []map[string]string, opt bulk.Options) (bulk.Report, string, string) {
		d := unitTree(t)
		before := unitDump(t, d.Owner, true)
		rep, err := bulk.Import(actor(d.App), d.App, bulk.Units, table(bulk.Units, rows...), opt)
		if err != nil {
			t.Fatal(err)
		}
		after := unitDump(t, d.Owner, true)
		if !rep.Written && after != before {
			t.Errorf("a refused file wrote:\n%s\n----\n%s", before, after)
		}
		return rep, after, unitDump(t, d.Owner, false)
	}
	national := func(*bun.DB) context.Context { return fixture.System() }
	board := func(db *bun.DB) context.Context { return fixture.Actor(t, db, "board", "HY") }
	commune := func(db *bun.DB) context.Context { return fixture.Actor(t, db, "board", "HY.QC") }
	compare := func(what string, got, want string) {
		t.Helper()
		diffLines(t, what+", ", got, want)
	}

	// Every row good: the same rows, ids and all.
	for _, c := range []struct {
		name  string
		actor func(*bun.DB) context.Context
	}{{"national", national}, {"province board", board}} {
		brep, bdump, _ := run(c.actor, goodUnits, bulk.Options{})
		srep, sdump, _ := run(c.actor, goodUnits, bulk.OneByOne(bulk.Options{}))
		if !brep.Written || brep.Created != 7 || brep.Unchanged != 1 || srep.Created != 7 || len(brep.Problems)+len(srep.Problems) > 0 {
			t.Errorf("%s: batch %+v, one by one %+v", c.name, brep, srep)
		}
		compare(c.name, bdump, sdump)
	}

	// Bad rows among the good ones: the same problems; nothing written by default; with SkipInvalid the
	// same good rows written.
	rows := slices.Clone(goodUnits)
	for i, r := range badUnits {
		rows = slices.Insert(rows, min(len(rows), 1+2*i), r)
	}
	for _, c := range []struct {
		name  string
		actor func(*bun.DB) context.Context
		bad   int
	}{{"national", national, 13}, {"commune board", commune, 0}} {
		for _, skip := range []bool{false, true} {
			brep, _, bdump := run(c.actor, rows, bulk.Options{SkipInvalid: skip})
			srep, _, sdump := run(c.actor, rows, bulk.OneByOne(bulk.Options{SkipInvalid: skip}))
			if brep.Written != skip || srep.Written != skip || (c.bad > 0 && brep.Bad() != c.bad) || brep.Bad() < 10 {
				t.Errorf("%s, skip %v: batch written %v bad %d, one by one written %v bad %d: %v", c.name, skip, brep.Written, brep.Bad(),
					srep.Written, srep.Bad(), problemTexts(brep))
			}
			if b, s := problemTexts(brep), problemTexts(srep); !slices.Equal(b, s) {
				t.Errorf("%s, skip %v: problems differ:\n batch      %s\n one by one %s", c.name, skip, strings.Join(b, "\n            "),
					strings.Join(s, "\n            "))
			}
			if brep.Created != srep.Created {
				t.Errorf("%s, skip %v: created %d, one by one %d", c.name, skip, brep.Created, srep.Created)
			}
			compare(c.name, bdump, sdump)
		}
	}
}

// A board may create units only inside its own subtree: the batch's writes pass the database's row
// policies (migration 0023) for rows inside it, and a row under another commune is refused as not found.
func TestUnitsBatchScope(t *testing.T) {
	db := unitTree(t).App
	in := table(bulk.Units,
		unitRow("HY.QC.9", "Chi bộ thôn Mới", "cell", "HY.QC", "01/07/2025"),
		unitRow("HY.QS.9", "Chi bộ thôn Khác", "cell", "HY.QS", "01/07/2025"))
	rep, err := bulk.Import(fixture.Actor(t, db, "board", "HY.QC"), db, bulk.Units, in, bulk.Options{SkipInvalid: true})
	notFound := "Không tìm thấy tổ chức đảng."
	if auth.AppFilterOff() { // the two-key test: the database's policies refuse the row, in their words
		notFound = "Không tìm thấy đối tượng này trong phạm vi của bạn."
	}
	if err != nil || !rep.Written || rep.Created != 1 || problemAt(rep, 3).Column != "Ngày hiệu lực" || problemAt(rep, 3).Message != notFound {
		t.Fatalf("report %+v, %v", rep, err)
	}
	if u, err := org.GetByCode(fixture.System(), db, "HY.QC.9", fixture.Day("2026-01-01")); err != nil || !strings.HasSuffix(u.Path, "."+strconv.FormatInt(u.ID, 10)) {
		t.Errorf("HY.QC.9: %+v, %v", u, err)
	}
}
