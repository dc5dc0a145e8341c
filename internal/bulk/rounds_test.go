package bulk_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"ptdv/internal/apperr"
	"ptdv/internal/bulk"
	"ptdv/internal/fixture"
	"ptdv/internal/pgtest"
	"ptdv/internal/pipeline"
	"ptdv/internal/sheet"
)

// The recognition in two rounds: a first round that did not pass (the probation goes on, a round is
// counted) and a second that did, each replayed through the recognition's own move; the export writes
// the first and the last round and imports back unchanged; the file as it stood at the ceremony, then
// the whole file, records the same. A first round that failed followed by the removal is a fact too.
// Bad values in the second round's columns refuse the file with a Vietnamese message, a code (and the
// rule, when a rule refuses) on their column, and nothing of it written. (A last round that did not pass
// is not a bad value: TestImportFailedRoundAwaitingTheNext.)
func TestImportRecognitionRounds(t *testing.T) {
	round1 := func(forVotes string) []string {
		return append(slices.Clone(ceremony), round(1, "25/06/2025", "12-NQ/CB", forVotes, "2")...)
	}
	round2 := func(on, no, forVotes, entitled string) []string { return round(2, on, no, forVotes, entitled) }
	round3 := func(on, no, forVotes, entitled string) []string { return round(3, on, no, forVotes, entitled) }
	// Two rounds that did not pass (1 of 2 on 25/06/2025 and on 15/07/2025): the third is the row's next.
	failedTwice := append(round1("1"), round2("15/07/2025", "15-NQ/CB", "1", "2")...)
	// Linh: 1 of 2 on 25/06/2025 (under two thirds), then 2 of 2 on 15/07/2025. Khánh: 1 of 2, then removed.
	linh := candidate("Phan Thị Linh", "Nữ", "21/01/1993", "034193000018", append(round1("1"), round2("15/07/2025", "15-NQ/CB", "2", "2")...)...)
	khanh := candidate("Đặng Văn Khánh", "Nam", "11/11/1994", "034094000017", append(round1("1"),
		"Ngày ra khỏi danh sách", "10/07/2025", "Lý do ra khỏi danh sách", "chuyen noi cu tru, hoc tap, cong tac", "Số văn bản ra khỏi danh sách", "20-NQ/ĐU")...)
	file := table(bulk.Candidates, linh, khanh)

	d := tree(t)
	mustImport(t, d.App, bulk.Members, table(bulk.Members, members[:2]...))
	if rep := mustImport(t, d.App, bulk.Candidates, file); rep.Created != 2 {
		t.Fatalf("created %d, want 2", rep.Created)
	}
	var cases []string
	if err := d.Owner.NewRaw(`SELECT concat_ws(' ', p.national_id, c.stage, c.recognition_rounds, c.recognized_on, c.closed_on)
		FROM candidate_case c JOIN person p ON p.id = c.person_id ORDER BY 1`).Scan(context.Background(), &cases); err != nil {
		t.Fatal(err)
	}
	if want := []string{"034094000017 removed 1 2025-07-10", "034193000018 full_member 2 2025-06-19 2025-07-15"}; !slices.Equal(cases, want) {
		t.Errorf("cases %q, want %q", cases, want)
	}
	var rounds []string
	if err := d.Owner.NewRaw(`SELECT concat_ws(' ', e.effective, e.document_no, e.votes_for || '/' || e.votes_eligible, e.details->>'passed')
		FROM case_event e JOIN candidate_case c ON c.id = e.case_id JOIN person p ON p.id = c.person_id
		WHERE p.national_id = '034193000018' AND e.kind = 'recognition_vote' ORDER BY e.effective`).Scan(context.Background(), &rounds); err != nil {
		t.Fatal(err)
	}
	if want := []string{"2025-06-25 12-NQ/CB 1/2 false", "2025-07-15 15-NQ/CB 2/2 true"}; !slices.Equal(rounds, want) {
		t.Errorf("recognition votes %q, want %q", rounds, want)
	}

	// The export writes the first round and the last; it imports back unchanged, and into another
	// database records the same.
	out := exportHY(t, d.App, bulk.Candidates)
	var got []string
	for _, h := range []string{"Ngày NQ công nhận chính thức", "Số NQ công nhận chính thức", "Công nhận: số tán thành", "Công nhận: tổng số đảng viên chính thức",
		"Ngày xét công nhận lần 2", "Số NQ công nhận lần 2", "Công nhận lần 2: số tán thành", "Công nhận lần 2: tổng số đảng viên chính thức"} {
		got = append(got, cell(out, "034193000018", h))
	}
	if want := []string{"25/06/2025", "12-NQ/CB", "1", "2", "15/07/2025", "15-NQ/CB", "2", "2"}; !slices.Equal(got, want) {
		t.Errorf("exported rounds %q, want %q", got, want)
	}
	if v := cell(out, "034094000017", "Ngày xét công nhận lần 2"); v != "" {
		t.Errorf("one round exported a second: %q", v)
	}
	importedBack(t, d, out, 2)
	// One by one: the file as it stood at the ceremony, then the whole file.
	d3 := tree(t)
	mustImport(t, d3.App, bulk.Members, table(bulk.Members, members[:2]...))
	mustImport(t, d3.App, bulk.Candidates, table(bulk.Candidates,
		candidate("Phan Thị Linh", "Nữ", "21/01/1993", "034193000018", ceremony...),
		candidate("Đặng Văn Khánh", "Nam", "11/11/1994", "034094000017", ceremony...)))
	if again := mustImport(t, d3.App, bulk.Candidates, file); again.Updated != 2 {
		t.Errorf("the whole file after the ceremony: %+v", again)
	}
	if want, got := dump(t, d), dump(t, d3); got != want {
		t.Errorf("one by one differs from the batch:\n%s", firstDiff(want, got))
	}

	// Bad values in the second and third rounds' columns, each in a file with a good row: nothing is
	// written. maxRounds, when set, is the rule vote.recognition.max_rounds as an administrator set it.
	good := candidate("Ngô Thị Hà", "Nữ", "09/09/1995", "034195000016", decision...)
	for _, c := range []struct {
		name         string
		row          []string
		column, rule string
		code         apperr.Code
		maxRounds    int
	}{
		{"a day that does not exist", append(round1("1"), round2("31/02/2025", "15-NQ/CB", "2", "2")...),
			"Ngày xét công nhận lần 2", "", apperr.InvalidInput, 0},
		{"votes not a number", append(round1("1"), round2("15/07/2025", "15-NQ/CB", "hai", "2")...),
			"Công nhận lần 2: số tán thành", "", apperr.InvalidInput, 0},
		{"a second round without a first", append(slices.Clone(ceremony), round2("15/07/2025", "15-NQ/CB", "2", "2")...),
			"Ngày xét công nhận lần 2", "", apperr.InvalidInput, 0},
		{"votes of a second round without its day", append(round1("1"), round2("", "15-NQ/CB", "2", "2")...),
			"Ngày xét công nhận lần 2", "", apperr.InvalidInput, 0},
		{"the second round before the first", append(round1("1"), round2("20/06/2025", "15-NQ/CB", "2", "2")...),
			"Ngày xét công nhận lần 2", pipeline.RuleDateOrder, apperr.RuleViolation, 0},
		{"a second round after a first that passed", append(round1("2"), round2("15/07/2025", "15-NQ/CB", "2", "2")...),
			"Ngày xét công nhận lần 2", pipeline.RuleStageOrder, apperr.RuleViolation, 0},
		{"a number entitled that is not the cell's full members", append(round1("1"), round2("15/07/2025", "15-NQ/CB", "3", "3")...),
			"Ngày xét công nhận lần 2", "", apperr.InvalidInput, 0},
		{"a second round without its resolution's number", append(round1("1"), round2("15/07/2025", "", "2", "2")...),
			"Ngày xét công nhận lần 2", "", apperr.InvalidInput, 0},
		{"a third round's day that does not exist", append(slices.Clone(failedTwice), round3("31/02/2025", "18-NQ/CB", "2", "2")...),
			"Ngày xét công nhận lần 3", "", apperr.InvalidInput, 0},
		{"third-round votes not a number", append(slices.Clone(failedTwice), round3("05/08/2025", "18-NQ/CB", "hai", "2")...),
			"Công nhận lần 3: số tán thành", "", apperr.InvalidInput, 0},
		{"a third round's number entitled not a number", append(slices.Clone(failedTwice), round3("05/08/2025", "18-NQ/CB", "2", "-2")...),
			"Công nhận lần 3: tổng số đảng viên chính thức", "", apperr.InvalidInput, 0},
		{"a third round without a second", append(round1("1"), round3("05/08/2025", "18-NQ/CB", "2", "2")...),
			"Ngày xét công nhận lần 3", "", apperr.InvalidInput, 0},
		{"votes of a third round without its day", append(slices.Clone(failedTwice), round3("", "18-NQ/CB", "2", "2")...),
			"Ngày xét công nhận lần 3", "", apperr.InvalidInput, 0},
		{"the third round before the second", append(slices.Clone(failedTwice), round3("10/07/2025", "18-NQ/CB", "2", "2")...),
			"Ngày xét công nhận lần 3", pipeline.RuleDateOrder, apperr.RuleViolation, 0},
		{"the third round on the day of the second", append(slices.Clone(failedTwice), round3("15/07/2025", "18-NQ/CB", "2", "2")...),
			"Ngày xét công nhận lần 3", pipeline.RuleDateOrder, apperr.RuleViolation, 0},
		{"a third round after a second that passed", append(round1("1"), append(round2("15/07/2025", "15-NQ/CB", "2", "2"),
			round3("05/08/2025", "18-NQ/CB", "2", "2")...)...),
			"Ngày xét công nhận lần 3", pipeline.RuleStageOrder, apperr.RuleViolation, 0},
		{"a third round's number entitled that is not the cell's full members", append(slices.Clone(failedTwice), round3("05/08/2025", "18-NQ/CB", "3", "3")...),
			"Ngày xét công nhận lần 3", "", apperr.InvalidInput, 0},
		{"a third round without its resolution's number", append(slices.Clone(failedTwice), round3("05/08/2025", "", "2", "2")...),
			"Ngày xét công nhận lần 3", "", apperr.InvalidInput, 0},
		{"a third round when the rule allows two", append(slices.Clone(failedTwice), round3("05/08/2025", "18-NQ/CB", "2", "2")...),
			"Ngày xét công nhận lần 3", pipeline.RuleRecognitionRounds, apperr.RuleViolation, 2},
	} {
		e := tree(t)
		mustImport(t, e.App, bulk.Members, table(bulk.Members, members[:2]...))
		if c.maxRounds > 0 {
			setMaxRounds(t, e, c.maxRounds)
		}
		before := counts(t, e)
		rep, err := bulk.Import(fixture.System(), e.App, bulk.Candidates,
			table(bulk.Candidates, good, candidate("Phan Thị Linh", "Nữ", "21/01/1993", "034193000018", c.row...)), bulk.Options{})
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if rep.Written || len(rep.Problems) != 1 {
			t.Errorf("%s: written=%v problems %+v", c.name, rep.Written, rep.Problems)
			continue
		}
		p := rep.Problems[0]
		if p.Row != 3 || p.Column != c.column || p.Code != c.code || p.Rule != c.rule || p.Message == "" || !strings.ContainsAny(p.Message, "àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ") {
			t.Errorf("%s: problem %+v; want row 3, column %q, code %s, rule %q, a Vietnamese message", c.name, p, c.column, c.code, c.rule)
		}
		if after := counts(t, e); after != before {
			t.Errorf("%s: a refused file wrote something: %s → %s", c.name, before, after)
		}
	}
}

// A recognition round that did not pass, with neither a next round nor the removal after it, is the state
// the API leaves a case in between two rounds (the probation goes on, a round counted): the import takes
// it and records it as the API does. The file, through the batch path and one by one, records what the
// API's own calls record (the file as it stood at the ceremony, then pipeline.RecognitionVote with the
// document the import gives the round), row for row; nothing is refused. The same file again changes
// nothing, the export imports back unchanged, and the next round, when the file later carries it, is
// recorded on the same case, as the whole history imported at once records it.
func TestImportFailedRoundAwaitingTheNext(t *testing.T) {
	failed := append(slices.Clone(ceremony), "Ngày NQ công nhận chính thức", "25/06/2025", "Số NQ công nhận chính thức", "12-NQ/CB",
		"Công nhận: số tán thành", "1", "Công nhận: tổng số đảng viên chính thức", "2")
	linh := candidate("Phan Thị Linh", "Nữ", "21/01/1993", "034193000018", failed...)
	ctx := fixture.System()

	// Through the API's calls: the case at its ceremony, then the round that did not pass (1 of 2).
	api := tree(t)
	mustImport(t, api.App, bulk.Members, table(bulk.Members, members[:2]...))
	mustImport(t, api.App, bulk.Candidates, table(bulk.Candidates, candidate("Phan Thị Linh", "Nữ", "21/01/1993", "034193000018", ceremony...)))
	var caseID int64
	if err := api.Owner.NewRaw(`SELECT c.id FROM candidate_case c JOIN person p ON p.id = c.person_id WHERE p.national_id = '034193000018'`).
		Scan(context.Background(), &caseID); err != nil {
		t.Fatal(err)
	}
	c, err := pipeline.GetOne(ctx, api.App, caseID)
	if err != nil {
		t.Fatal(err)
	}
	// The document as the import gives a round: its number and date, and the import's note.
	on := fixture.Day("2025-06-25")
	c, err = pipeline.RecognitionVote(pipeline.AsHistory(ctx), api.App, c.ID, c.Version,
		pipeline.Doc{Effective: on, Number: "12-NQ/CB", Date: &on, Note: "Nhập từ tệp."}, pipeline.Votes{For: 1, Eligible: 2})
	if err != nil {
		t.Fatal(err)
	}
	if c.Stage != pipeline.StageProbation || c.RecognitionRounds != 1 || !c.Open() {
		t.Fatalf("the API's case after a failed round: %+v", c)
	}
	want := dump(t, api)

	for _, path := range []struct {
		name string
		opt  bulk.Options
	}{{"batch", bulk.Options{}}, {"one by one", bulk.OneByOne(bulk.Options{})}} {
		d := tree(t)
		mustImport(t, d.App, bulk.Members, table(bulk.Members, members[:2]...))
		rep, err := bulk.Import(ctx, d.App, bulk.Candidates, table(bulk.Candidates, linh), path.opt)
		if err != nil || !rep.Written || rep.Created != 1 || len(rep.Problems) != 0 {
			t.Errorf("%s: written=%v created=%d problems %+v, %v", path.name, rep.Written, rep.Created, rep.Problems, err)
			continue
		}
		if got := dump(t, d); got != want {
			t.Errorf("%s: the import differs from the API's calls:\n%s", path.name, firstDiff(want, got))
		}
	}

	d := tree(t)
	mustImport(t, d.App, bulk.Members, table(bulk.Members, members[:2]...))
	mustImport(t, d.App, bulk.Candidates, table(bulk.Candidates, linh))
	if again := mustImport(t, d.App, bulk.Candidates, table(bulk.Candidates, linh)); again.Unchanged != 1 {
		t.Errorf("the same file again: %+v", again)
	}
	out := exportHY(t, d.App, bulk.Candidates)
	if got := cell(out, "034193000018", "Công nhận: số tán thành") + " " + cell(out, "034193000018", "Ngày xét công nhận lần 2"); got != "1 " {
		t.Errorf("exported round: votes for and a second round %q, want %q", got, "1 ")
	}
	if again := mustImport(t, d.App, bulk.Candidates, sheetTable(out)); again.Unchanged != 1 {
		t.Errorf("the export imported back: %+v", again)
	}
	// The next round comes in a later file: 2 of 2 on 15/07/2025.
	next := with(linh, "Ngày xét công nhận lần 2", "15/07/2025", "Số NQ công nhận lần 2", "15-NQ/CB",
		"Công nhận lần 2: số tán thành", "2", "Công nhận lần 2: tổng số đảng viên chính thức", "2")
	if again := mustImport(t, d.App, bulk.Candidates, table(bulk.Candidates, next)); again.Updated != 1 {
		t.Errorf("the next round: %+v", again)
	}
	whole := tree(t)
	mustImport(t, whole.App, bulk.Members, table(bulk.Members, members[:2]...))
	mustImport(t, whole.App, bulk.Candidates, table(bulk.Candidates, next))
	if want, got := dump(t, whole), dump(t, d); got != want {
		t.Errorf("the round then the next differ from both at once:\n%s", firstDiff(want, got))
	}
}

// round is the cells of the recognition's n-th round in a candidate row: its day, its resolution's
// number, the votes for and the number entitled.
func round(n int, on, no, forVotes, entitled string) []string {
	if n == 1 {
		return []string{"Ngày NQ công nhận chính thức", on, "Số NQ công nhận chính thức", no,
			"Công nhận: số tán thành", forVotes, "Công nhận: tổng số đảng viên chính thức", entitled}
	}
	return []string{fmt.Sprintf("Ngày xét công nhận lần %d", n), on, fmt.Sprintf("Số NQ công nhận lần %d", n), no,
		fmt.Sprintf("Công nhận lần %d: số tán thành", n), forVotes, fmt.Sprintf("Công nhận lần %d: tổng số đảng viên chính thức", n), entitled}
}

// importedBack imports an export of d's candidates back into d, where its rows (unchanged of them) change
// nothing, and into another database holding the two members before the file, which must record what d
// holds, row for row; it returns that database.
func importedBack(t *testing.T, d *pgtest.DB, out sheet.Sheet, unchanged int) *pgtest.DB {
	t.Helper()
	if again := mustImport(t, d.App, bulk.Candidates, sheetTable(out)); again.Unchanged != unchanged {
		t.Errorf("the export imported back: %+v; want %d rows unchanged", again, unchanged)
	}
	other := tree(t)
	mustImport(t, other.App, bulk.Members, table(bulk.Members, members[:2]...))
	mustImport(t, other.App, bulk.Candidates, sheetTable(out))
	if want, got := dump(t, d), dump(t, other); got != want {
		t.Errorf("the export into another database differs:\n%s", firstDiff(want, got))
	}
	return other
}

// setMaxRounds sets the rule vote.recognition.max_rounds as an administrator does: as the schema's owner.
func setMaxRounds(t *testing.T, d *pgtest.DB, n int) {
	t.Helper()
	if _, err := d.Owner.NewRaw(`UPDATE rule SET value = ? WHERE id = ?`, n, pipeline.RuleRecognitionRounds).Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// Every round the case voted is exported, each in its own columns: a case recognized at the third round
// (1 of 2 on 25/06/2025 and on 15/07/2025, then 2 of 2 on 05/08/2025) comes out with its three rounds
// (the middle one included, which an export of the first and the last round lost), imports back
// unchanged, and into another database records the same rows, which export to the same file. The
// export reads how many rounds a case may have from the rule table: raised above the rounds the layout
// carries, it refuses with the rule's id and says why, rather than write a file that loses rounds.
func TestExportCarriesEveryRound(t *testing.T) {
	three := candidate("Phan Thị Linh", "Nữ", "21/01/1993", "034193000018", slices.Concat(ceremony,
		round(1, "25/06/2025", "12-NQ/CB", "1", "2"), round(2, "15/07/2025", "15-NQ/CB", "1", "2"), round(3, "05/08/2025", "18-NQ/CB", "2", "2"))...)
	d := tree(t)
	mustImport(t, d.App, bulk.Members, table(bulk.Members, members[:2]...))
	rep := mustImport(t, d.App, bulk.Candidates, table(bulk.Candidates, three))
	// The third round, more than 30 working days after the end of the probation (19/06/2025), is a late
	// fact: flagged on its own round's column.
	if len(rep.Warnings) != 1 || rep.Warnings[0].Column != "Ngày xét công nhận lần 3" || rep.Warnings[0].Rule != pipeline.RuleRecognitionDue {
		t.Errorf("warnings %+v; want the third round late (%s) on its column", rep.Warnings, pipeline.RuleRecognitionDue)
	}
	var rounds []string
	if err := d.Owner.NewRaw(`SELECT concat_ws(' ', e.effective, e.document_no, e.votes_for || '/' || e.votes_eligible, e.details->>'passed')
		FROM case_event e WHERE e.kind = 'recognition_vote' ORDER BY e.effective`).Scan(context.Background(), &rounds); err != nil {
		t.Fatal(err)
	}
	if want := []string{"2025-06-25 12-NQ/CB 1/2 false", "2025-07-15 15-NQ/CB 1/2 false", "2025-08-05 18-NQ/CB 2/2 true"}; !slices.Equal(rounds, want) {
		t.Fatalf("recognition votes %q, want %q", rounds, want)
	}

	out := exportHY(t, d.App, bulk.Candidates)
	var got []string
	for n := 1; n <= 3; n++ {
		r := round(n, "", "", "", "")
		for i := 0; i < len(r); i += 2 {
			got = append(got, cell(out, "034193000018", r[i]))
		}
	}
	if want := []string{"25/06/2025", "12-NQ/CB", "1", "2", "15/07/2025", "15-NQ/CB", "1", "2", "05/08/2025", "18-NQ/CB", "2", "2"}; !slices.Equal(got, want) {
		t.Errorf("exported rounds %q, want %q", got, want)
	}
	other := importedBack(t, d, out, 1)
	sameSheet(t, out, exportHY(t, other.App, bulk.Candidates))

	// The rule raised above the layout's three rounds: the export refuses, naming the rule.
	setMaxRounds(t, d, 4)
	_, err := bulk.Export(fixture.System(), d.App, bulk.Candidates, mustUnit(t, d.App, "HY"), fixture.Day("2026-11-01"))
	if e, ok := apperr.As(err); !ok || e.Code != apperr.RuleViolation || e.Rule != pipeline.RuleRecognitionRounds ||
		!strings.Contains(e.Message, "tối đa 4 lần") || !strings.Contains(e.Message, "cho 3 lần") {
		t.Errorf("export with 4 rounds allowed: %v; want RULE_VIOLATION %s saying 4 and 3", err, pipeline.RuleRecognitionRounds)
	}
	// The member list has no rounds: it exports whatever the rule.
	if _, err := bulk.Export(fixture.System(), d.App, bulk.Members, mustUnit(t, d.App, "HY"), fixture.Day("2026-11-01")); err != nil {
		t.Errorf("members with 4 rounds allowed: %v", err)
	}
	setMaxRounds(t, d, 3)
	if _, err := bulk.Export(fixture.System(), d.App, bulk.Candidates, mustUnit(t, d.App, "HY"), fixture.Day("2026-11-01")); err != nil {
		t.Errorf("export with the rule back at 3: %v", err)
	}
}
