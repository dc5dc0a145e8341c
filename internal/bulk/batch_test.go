package bulk_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"ptdv/internal/bulk"
	"ptdv/internal/fixture"
	"ptdv/internal/pgtest"
)

// dump writes what an import recorded, without ids or timestamps, one line per row in a stable order:
// two databases that recorded the same things give the same dump. It reads as the owner of the schema
// (d.Owner): the application's role sees no person or case outside a scope set in its transaction
// (row-level security), so a dump through it was empty and two imports compared equal whatever they
// recorded. A dump without a person fails the test for the same reason: a comparison of empty dumps
// proves nothing.
func dump(t *testing.T, d *pgtest.DB) string {
	t.Helper()
	db := d.Owner
	var persons int
	if err := db.NewRaw(`SELECT count(*) FROM person`).Scan(context.Background(), &persons); err != nil {
		t.Fatal(err)
	}
	if persons == 0 {
		t.Fatal("dump: no person recorded: the comparison would be vacuous")
	}
	var lines []string
	for _, q := range []string{
		`SELECT concat_ws('|', p.national_id, p.full_name, p.sex, p.birth_date, p.ethnicity, p.religion, p.general_education,
			p.youth_union_member, p.workplace, u.code, p.version) FROM person p JOIN org_unit u ON u.id = p.unit_id ORDER BY 1`,
		`SELECT concat_ws('|', p.national_id, u.code, pu.valid_from, pu.valid_to) FROM person_unit pu
			JOIN person p ON p.id = pu.person_id JOIN org_unit u ON u.id = pu.unit_id ORDER BY 1`,
		`SELECT concat_ws('|', p.national_id, c.proposer, c.stage, c.stage_since, c.listed_on, c.certificate_on, c.dossier_on,
			c.cell_resolution_on, c.committee_resolution_on, c.decision_on, c.decision_no, c.extensions, c.ceremony_on,
			c.recognized_on, c.closed_on, c.close_reason, c.recognition_rounds, c.version)
			FROM candidate_case c JOIN person p ON p.id = c.person_id ORDER BY 1`,
		`SELECT concat_ws('|', p.national_id, e.kind, e.stage_after, e.effective, e.form, e.document_no, e.document_date,
			e.votes_for, e.votes_eligible, e.reason, e.note, e.details::text, e.recorded_by, e.late_rule, e.late_days)
			FROM case_event e JOIN candidate_case c ON c.id = e.case_id JOIN person p ON p.id = c.person_id ORDER BY p.national_id, e.id`,
		`SELECT concat_ws('|', p.national_id, s.national_id, cs.known_since, cs.letter_on) FROM case_sponsor cs
			JOIN candidate_case c ON c.id = cs.case_id JOIN person p ON p.id = c.person_id JOIN person s ON s.id = cs.sponsor_id ORDER BY 1`,
		`SELECT concat_ws('|', p.national_id, d.kind, d.due_on, d.rule_id) FROM case_due d
			JOIN candidate_case c ON c.id = d.case_id JOIN person p ON p.id = c.person_id ORDER BY 1`,
		`SELECT concat_ws('|', p.national_id, u.code, e.kind, e.effective, e.decision_date, e.document, e.note, e.recorded_by)
			FROM member_event e JOIN person p ON p.id = e.person_id JOIN org_unit u ON u.id = e.unit_id ORDER BY p.national_id, e.effective, e.id`,
		`SELECT concat_ws('|', p.national_id, u.code, s.status, s.grade, s.valid_from, s.valid_to)
			FROM member_status_span s JOIN person p ON p.id = s.person_id JOIN org_unit u ON u.id = s.unit_id ORDER BY 1`,
		`SELECT concat_ws('|', y.year, u.code, y.n) FROM member_yearend y JOIN org_unit u ON u.id = y.ancestor_id WHERE y.n > 0 ORDER BY 1`,
	} {
		var rows []string
		if err := db.NewRaw(q).Scan(context.Background(), &rows); err != nil && !strings.Contains(err.Error(), "no rows") {
			t.Fatalf("%v\n%s", err, q)
		}
		lines = append(lines, rows...)
		lines = append(lines, "--")
	}
	return strings.Join(lines, "\n")
}

// sponsoredByRow is a candidate whose first sponsor is recorded by another row of the same file (Phan Thị
// Linh, a full member from 19/06/2025): the row waits for the batch and goes through the API's functions.
var sponsoredByRow = candidate("Lý Văn Phúc", "Nam", "04/04/2000", "034200000031",
	"Ngày cấp GCN bồi dưỡng nhận thức", "15/03/2025", "Số GCN", "12/GCN",
	"Ngày hoàn thiện hồ sơ", "01/09/2025", "CCCD người giới thiệu 1", "034193000018", "Người giới thiệu 1 cùng công tác từ", "01/01/2020",
	"CCCD người giới thiệu 2", "034075000001", "Người giới thiệu 2 cùng công tác từ", "01/01/2020")

// The batch path records exactly what the API's functions record one by one, for a member list and then
// a candidate list: the same persons, unit history, cases, events, sponsors, dues, member events, spans
// and year-end counts, and refuses the same rows for the same reasons.
func TestBatchMatchesOneByOne(t *testing.T) {
	rows := append(candidates(), sponsoredByRow,
		candidate("Chưa Đủ Tuổi", "Nam", "01/01/2007", "034207000025", cellRes...),
		candidate("Sai Thứ Tự", "Nam", "01/01/1999", "034099000024", append(slices.Clone(committee), "Ngày QĐ kết nạp", "15/05/2024",
			"Số QĐ kết nạp", "1-QĐ")...))
	// A member recognized before the end of the probation is refused (member.Check as member.Record).
	memberRows := append(slices.Clone(members), with(person("Lê Thị Sớm", "Nữ", "01/01/1990", "034190000004", "HY.QC.2"),
		"Ngày QĐ kết nạp", "02/01/2020", "Ngày vào Đảng", "10/01/2020", "Ngày chính thức", "01/06/2020"))
	run := func(opt bulk.Options) (string, bulk.Report, bulk.Report) {
		return importMembersThenCandidates(t, tree(t), opt, memberRows, rows)
	}
	batch, bmrep, brep := run(bulk.Options{})
	single, smrep, srep := run(bulk.OneByOne(bulk.Options{}))
	if bmrep.Created != 3 || smrep.Created != 3 || bmrep.Bad() != 1 || smrep.Bad() != 1 ||
		!slices.Equal(problemTexts(bmrep), problemTexts(smrep)) {
		t.Errorf("members: created %d/%d, problems %v / %v", bmrep.Created, smrep.Created, problemTexts(bmrep), problemTexts(smrep))
	}
	diffLines(t, "", batch, single)
	if brep.Created != 10 || srep.Created != 10 || brep.Bad() != 2 || srep.Bad() != 2 {
		t.Errorf("created %d/%d, bad %d/%d; want 10 and 2 both ways", brep.Created, srep.Created, brep.Bad(), srep.Bad())
	}
	if !slices.Equal(problemTexts(brep), problemTexts(srep)) {
		t.Errorf("problems differ:\n batch      %v\n one by one %v", problemTexts(brep), problemTexts(srep))
	}
}

// importMembersThenCandidates imports a member list, then a candidate list, skipping bad rows, and returns
// the database's dump with both reports.
func importMembersThenCandidates(t *testing.T, d *pgtest.DB, opt bulk.Options, memberRows, candidateRows []map[string]string) (string, bulk.Report, bulk.Report) {
	t.Helper()
	opt.SkipInvalid = true
	mrep, err := bulk.Import(fixture.System(), d.App, bulk.Members, table(bulk.Members, memberRows...), opt)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := bulk.Import(fixture.System(), d.App, bulk.Candidates, table(bulk.Candidates, candidateRows...), opt)
	if err != nil {
		t.Fatal(err)
	}
	return dump(t, d), mrep, rep
}

// diffLines reports each line where the batch's dump differs from the one-by-one dump, after prefix.
func diffLines(t *testing.T, prefix, batch, single string) {
	t.Helper()
	if batch == single {
		return
	}
	bl, sl := strings.Split(batch, "\n"), strings.Split(single, "\n")
	for i := range max(len(bl), len(sl)) {
		b, s := "", ""
		if i < len(bl) {
			b = bl[i]
		}
		if i < len(sl) {
			s = sl[i]
		}
		if b != s {
			t.Errorf("%sline %d:\n batch      %s\n one by one %s", prefix, i, b, s)
		}
	}
}

func problemTexts(rep bulk.Report) []string {
	var out []string
	for _, p := range rep.Problems {
		out = append(out, p.String())
	}
	return out
}

// Rows are checked and written in chunks; a bad row in a middle chunk is refused alone with
// --skip-invalid, and by default nothing of any chunk is written. Each case recorded by the batch has one
// audit row, which keeps the file's row with national IDs masked.
func TestBatchChunks(t *testing.T) {
	defer bulk.SetChunk(3)()
	rows := candidates()
	bad := candidate("Chưa Đủ Tuổi", "Nam", "01/01/2007", "034207000025", cellRes...)
	rows = slices.Insert(rows, 4, bad)
	d := tree(t)
	mustImport(t, d.App, bulk.Members, table(bulk.Members, members...))
	before := counts(t, d)
	rep, err := bulk.Import(fixture.System(), d.App, bulk.Candidates, table(bulk.Candidates, rows...), bulk.Options{})
	if err != nil || rep.Written || rep.Bad() != 1 || rep.Problems[0].Row != 6 {
		t.Fatalf("default: written %v, bad %d, problems %v, %v", rep.Written, rep.Bad(), rep.Problems, err)
	}
	if after := counts(t, d); after != before {
		t.Fatalf("a refused import wrote rows: %s -> %s", before, after)
	}
	rep, err = bulk.Import(fixture.System(), d.App, bulk.Candidates, table(bulk.Candidates, rows...), bulk.Options{SkipInvalid: true})
	if err != nil || !rep.Written || rep.Created != 9 || rep.Bad() != 1 {
		t.Fatalf("skip invalid: written %v, created %d, bad %d, %v", rep.Written, rep.Created, rep.Bad(), err)
	}
	var audits int
	var leaked bool
	err = d.Owner.NewRaw(`SELECT count(*), bool_or(after::text LIKE '%034200000011%') FROM audit_log WHERE action = 'case.imported'`).
		Scan(context.Background(), &audits, &leaked)
	if err != nil || audits != 9 || leaked {
		t.Errorf("case.imported audit rows = %d (want 9), a full national ID in them: %v, %v", audits, leaked, err)
	}
}

// A file sent again, with a stage added on one row, a date changed on another and a new person, records
// the same as the API's functions one by one: the rows that add nothing are counted unchanged without a
// write, and the others are recorded or refused as before.
func TestReimportMatchesOneByOne(t *testing.T) {
	again := candidates()
	again[0] = with(again[0], course...)                                        // source → course done
	again[1] = with(again[1], "Ngày cấp GCN bồi dưỡng nhận thức", "16/03/2024") // was 15/03/2024
	again = append(again, candidate("Mai Văn Quang", "Nam", "02/02/2002", "034202000041"))
	memberRows := slices.Clone(members)
	memberRows[1] = with(memberRows[1], "Ngày vào Đảng", "02/06/2010") // was 01/06/2010
	run := func(opt bulk.Options) (string, bulk.Report, bulk.Report) {
		d := tree(t)
		mustImport(t, d.App, bulk.Members, table(bulk.Members, members...))
		mustImport(t, d.App, bulk.Candidates, table(bulk.Candidates, candidates()...))
		return importMembersThenCandidates(t, d, opt, memberRows, again)
	}
	batch, bmrep, brep := run(bulk.Options{})
	single, smrep, srep := run(bulk.OneByOne(bulk.Options{}))
	for _, c := range []struct {
		what      string
		got, want bulk.Report
		counts    [4]int // created, updated, unchanged, bad
	}{{"members", bmrep, smrep, [4]int{0, 0, 2, 1}}, {"candidates", brep, srep, [4]int{1, 1, 7, 1}}} {
		for _, r := range []bulk.Report{c.got, c.want} {
			if got := [4]int{r.Created, r.Updated, r.Unchanged, r.Bad()}; got != c.counts {
				t.Errorf("%s: created, updated, unchanged, bad = %v, want %v", c.what, got, c.counts)
			}
		}
		if !slices.Equal(problemTexts(c.got), problemTexts(c.want)) {
			t.Errorf("%s: problems differ:\n batch      %v\n one by one %v", c.what, problemTexts(c.got), problemTexts(c.want))
		}
	}
	if batch != single {
		t.Errorf("the re-import recorded different things:\n%s\n----\n%s", batch, single)
	}
}
