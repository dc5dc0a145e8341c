package bulk_test

import (
	"context"
	"strings"
	"testing"

	"ptdv/internal/apperr"
	"ptdv/internal/bulk"
	"ptdv/internal/fixture"
)

// Every run is audited (actor, the file's hash, rows, outcome; no cell of the file), refused or not, and
// a role's rows per file and per day (import_limit, data) bound how many IDs one account can try.
func TestImportLimitsAndAudit(t *testing.T) {
	d := tree(t)
	mustImport(t, d.App, bulk.Members, table(bulk.Members, members...))
	if _, err := d.Owner.ExecContext(context.Background(), `UPDATE import_limit SET rows_per_file = 3, rows_per_day = 5 WHERE role = 'secretary'`); err != nil {
		t.Fatal(err)
	}
	sec := fixture.Actor(t, d.App, "secretary", "HY.QC.1")
	rows := candidates()
	// Four rows: over the file limit, refused before anything is read.
	_, err := bulk.Import(sec, d.App, bulk.Candidates, table(bulk.Candidates, rows[:4]...), bulk.Options{})
	if e, ok := apperr.As(err); !ok || e.Code != apperr.RuleViolation || e.Rule != bulk.RuleRowsPerFile || !strings.Contains(e.Message, "quá 3 dòng") {
		t.Fatalf("file limit: %v", err)
	}
	// Three rows, one of them bad: refused, and counted.
	bad := append(candidates()[:2], candidate("Sai Ngày", "Nam", "31/02/2000", "034200000021"))
	rep, err := bulk.Import(sec, d.App, bulk.Candidates, table(bulk.Candidates, bad...), bulk.Options{})
	if err != nil || rep.Written {
		t.Fatalf("%+v %v", rep, err)
	}
	// Two more rows: written (5 today).
	if rep, err := bulk.Import(sec, d.App, bulk.Candidates, table(bulk.Candidates, rows[:2]...), bulk.Options{}); err != nil || !rep.Written {
		t.Fatalf("%+v %v", rep, err)
	}
	// One more: over the day's limit.
	_, err = bulk.Import(sec, d.App, bulk.Candidates, table(bulk.Candidates, rows[2]), bulk.Options{})
	if e, ok := apperr.As(err); !ok || e.Rule != bulk.RuleRowsPerDay || !strings.Contains(e.Message, "đã nhập 5 dòng") {
		t.Fatalf("day limit: %v", err)
	}
	// Another account is not limited by this one's day.
	other := fixture.Actor(t, d.App, "secretary", "HY.QC.2")
	if _, err := bulk.Import(other, d.App, bulk.Candidates, table(bulk.Candidates, rows[2]), bulk.Options{}); apperr.CodeOf(err) == apperr.RuleViolation {
		t.Fatalf("another account: %v", err)
	}

	var runs []string
	if err := d.Owner.NewRaw(`SELECT concat_ws(' ', actor_role, entity_id <> '', after->>'kind', after->>'rows', after->>'outcome', after->>'created', after->>'rejected')
		FROM audit_log WHERE action = 'import.run' AND actor = 'secretary@HY.QC.1' ORDER BY id`).Scan(context.Background(), &runs); err != nil {
		t.Fatal(err)
	}
	want := []string{"secretary t candidates 4 limit 0 0", "secretary t candidates 3 refused 0 1",
		"secretary t candidates 2 written 2 0", "secretary t candidates 1 limit 0 0"}
	if strings.Join(runs, "|") != strings.Join(want, "|") {
		t.Errorf("audit rows\n%q\nwant\n%q", runs, want)
	}
	var leaked int
	if err := d.Owner.NewRaw(`SELECT count(*) FROM audit_log WHERE action = 'import.run' AND (after::text LIKE '%0342%' OR after::text LIKE '%Lê Văn%')`).
		Scan(context.Background(), &leaked); err != nil || leaked != 0 {
		t.Errorf("an audit row of a run holds a cell of the file: %d %v", leaked, err)
	}
}
