package seed

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"ptdv/internal/auth"
	"ptdv/internal/calendar"
	"ptdv/internal/codes"
	pdb "ptdv/internal/db"
	"ptdv/internal/member"
	"ptdv/internal/org"
	"ptdv/internal/people"
	"ptdv/internal/pgtest"
	"ptdv/internal/pipeline"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// testToday is the day the tests generate for: a fixed day, so that the tests do not depend on the
// calendar, in the past, so that the API calls of the tests (which refuse dates after the real today)
// accept moves dated on it.
var testToday = time.Date(2026, 6, 10, 0, 0, 0, 0, time.UTC)

var demoToday = testToday

func loadDemo(t *testing.T, seed uint64, progress *bytes.Buffer) (*pgtest.DB, Stats) {
	t.Helper()
	d := pgtest.New(t)
	opts := Options{Scale: "small", Seed: seed, Today: testToday}
	if progress != nil {
		opts.Progress = progress
	}
	st, err := Run(context.Background(), d.URL, opts)
	if err != nil {
		t.Fatal(err)
	}
	return d, st
}

func actorCtx() context.Context {
	return auth.WithActor(context.Background(), auth.System("seed-test"))
}

// TestDemo loads the demo scale and checks it for consistency with the rules and caches of the domain
// packages, through SQL and through their APIs.
func TestSmall(t *testing.T) {
	t.Parallel()
	var progress bytes.Buffer
	seed := uint64(1)
	if s := os.Getenv("SEED_TEST_SEED"); s != "" {
		fmt.Sscan(s, &seed)
	}
	d, st := loadDemo(t, seed, &progress)
	ctx := context.Background()
	if st.Members < 2000 || st.Members > 5000 || st.Cases < 500 || st.Units < 100 {
		t.Errorf("unexpected demo size: %+v", st)
	}
	var before, after int
	if err := d.Owner.QueryRowContext(ctx, `SELECT count(*) FILTER (WHERE valid_from <= '2025-06-30' AND coalesce(valid_to, 'infinity') > '2025-06-30'),
		count(*) FILTER (WHERE valid_to IS NULL) FROM org_unit WHERE kind = 'province'`).Scan(&before, &after); err != nil || before != 2 || after != 1 {
		t.Errorf("demo provinces: %d before the reform, %d today (want 2 and 1; %v)", before, after, err)
	}
	if !strings.Contains(progress.String(), "seed: small: ") {
		t.Errorf("no summary in the progress output:\n%s", progress.String())
	}

	t.Run("refuses a database with data", func(t *testing.T) {
		_, err := Run(ctx, d.URL, Options{Scale: "small", Seed: 1, Today: testToday})
		if !errors.Is(err, ErrNotEmpty) {
			t.Fatalf("second load: %v, want ErrNotEmpty", err)
		}
	})

	t.Run("tree", func(t *testing.T) { checkTree(t, d.Owner, testToday) })
	t.Run("members", func(t *testing.T) { checkMembers(t, d.Owner) })
	t.Run("counts", func(t *testing.T) { checkCounts(t, d, st) })
	t.Run("cases", func(t *testing.T) { checkCases(t, d.Owner, testToday) })
	t.Run("national IDs", func(t *testing.T) { checkNationalIDs(t, d) })
	t.Run("demographics", func(t *testing.T) { checkDemographics(t, d.Owner) })
	t.Run("targets", func(t *testing.T) { checkTargets(t, d.Owner) })
	t.Run("caches", func(t *testing.T) { checkCaches(t, d.Owner) })
	t.Run("API writes", func(t *testing.T) { checkAPIWrites(t, d) })
}

// noRows runs a query that lists violations and fails with the first few.
func noRows(t *testing.T, db bun.IDB, what, query string, args ...any) {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), query, args...)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	n := 0
	for rows.Next() {
		vals, err := pdb.RowValues(rows, len(cols))
		if err != nil {
			t.Fatal(err)
		}
		if n < 5 {
			t.Errorf("%s: %v", what, vals)
		}
		n++
	}
	if n > 0 {
		t.Errorf("%s: %d violations", what, n)
	}
}

func checkTree(t *testing.T, db *bun.DB, today time.Time) {
	// Every link version's path is its parent's path on the same dates, plus its own id.
	noRows(t, db, "link without a matching parent version", `
		SELECT c.unit_id, c.valid_from, c.path FROM org_link c
		WHERE c.parent_id IS NULL AND c.path <> c.unit_id::text::ltree
		   OR c.parent_id IS NOT NULL AND NOT EXISTS (
			SELECT 1 FROM org_link p WHERE p.unit_id = c.parent_id AND p.valid_from <= c.valid_from
			  AND (p.valid_to IS NULL OR (c.valid_to IS NOT NULL AND p.valid_to >= c.valid_to))
			  AND c.path = p.path || c.unit_id::text)`)
	// Link and name versions cover the unit's life without gaps.
	for _, tbl := range []string{"org_link", "org_unit_name"} {
		noRows(t, db, tbl+" versions do not tile the unit's life", `
			SELECT u.code FROM org_unit u
			WHERE (SELECT min(valid_from) FROM `+tbl+` x WHERE x.unit_id = u.id) <> u.valid_from
			   OR NOT EXISTS (SELECT 1 FROM `+tbl+` x WHERE x.unit_id = u.id AND x.valid_to IS NOT DISTINCT FROM u.valid_to)
			   OR EXISTS (SELECT 1 FROM `+tbl+` x WHERE x.unit_id = u.id AND x.valid_to IS NOT NULL AND x.valid_to IS DISTINCT FROM u.valid_to
			              AND NOT EXISTS (SELECT 1 FROM `+tbl+` y WHERE y.unit_id = u.id AND y.valid_from = x.valid_to))`)
	}
	// Kinds sit under the kinds org_kind_parent allows, on every version.
	noRows(t, db, "kind under a parent kind the rules refuse", `
		SELECT u.code, p.code FROM org_link l JOIN org_unit u ON u.id = l.unit_id LEFT JOIN org_unit p ON p.id = l.parent_id
		WHERE NOT EXISTS (SELECT 1 FROM org_kind_parent k WHERE k.kind = u.kind AND k.parent_kind IS NOT DISTINCT FROM p.kind)`)
	// Ended units have an end operation, merged ones a lineage row.
	noRows(t, db, "ended unit without its operation", `SELECT code FROM org_unit WHERE (valid_to IS NULL) <> (ended_op IS NULL)`)
	noRows(t, db, "merged unit without lineage", `
		SELECT u.code FROM org_unit u JOIN org_operation o ON o.id = u.ended_op
		WHERE o.kind = 'merge' AND NOT EXISTS (SELECT 1 FROM org_lineage l WHERE l.predecessor_id = u.id)`)
	// The reform: no districts today, provinces merged, communes under the provinces.
	var districts, provincesToday, provincesBefore int
	err := db.QueryRowContext(context.Background(), `SELECT
		(SELECT count(*) FROM org_unit WHERE kind = 'district' AND valid_to IS NULL),
		(SELECT count(*) FROM org_unit WHERE kind = 'province' AND valid_to IS NULL),
		(SELECT count(*) FROM org_unit WHERE kind = 'province' AND valid_from <= '2025-06-30' AND coalesce(valid_to, 'infinity') > '2025-06-30')`).
		Scan(&districts, &provincesToday, &provincesBefore)
	if err != nil {
		t.Fatal(err)
	}
	if !today.Before(time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)) && (districts != 0 || provincesToday >= provincesBefore) {
		t.Errorf("districts today %d (want 0), provinces today %d, before the reform %d (want fewer today)", districts, provincesToday, provincesBefore)
	}
	// Villages: covered by a cell of their commune.
	noRows(t, db, "village covered by a cell outside its commune", `
		SELECT v.code FROM village_cell vc JOIN village v ON v.id = vc.village_id
		JOIN org_link c ON c.unit_id = vc.cell_id AND c.valid_from <= vc.valid_from AND coalesce(c.valid_to, 'infinity') > vc.valid_from
		JOIN org_link m ON m.unit_id = v.commune_id AND m.valid_from <= vc.valid_from AND coalesce(m.valid_to, 'infinity') > vc.valid_from
		WHERE NOT c.path <@ m.path`)
}

func checkMembers(t *testing.T, db *bun.DB) {
	ctx := context.Background()
	var start time.Time
	if err := db.QueryRowContext(ctx, `SELECT min(valid_from) FROM org_unit`).Scan(&start); err != nil {
		t.Fatal(err)
	}
	// The units of the records exist on their dates; a member's unit exists on the member's dates (in the
	// recorded history: a member admitted in 1990 belongs, before the history starts, to the unit of the
	// first record).
	noRows(t, db, "person_unit in a unit that does not exist then", `
		SELECT x.person_id, x.unit_id, x.valid_from FROM person_unit x JOIN org_unit u ON u.id = x.unit_id
		WHERE u.valid_from > x.valid_from OR u.valid_to < coalesce(x.valid_to, 'infinity')`)
	noRows(t, db, "status span in a unit that does not exist then", `
		SELECT s.person_id, s.unit_id, s.status, s.valid_from FROM member_status_span s JOIN org_unit u ON u.id = s.unit_id
		WHERE u.valid_from > greatest(s.valid_from, ?) OR u.valid_to < coalesce(s.valid_to, 'infinity')`, start)
	noRows(t, db, "person.unit_id is not the open person_unit", `
		SELECT p.id FROM person p LEFT JOIN person_unit x ON x.person_id = p.id AND x.valid_to IS NULL
		WHERE x.unit_id IS DISTINCT FROM p.unit_id OR p.version <> (SELECT count(*) FROM person_unit y WHERE y.person_id = p.id)`)
	noRows(t, db, "members in a unit that holds no members", `
		SELECT DISTINCT u.code, u.kind FROM member_status_span s JOIN org_unit u ON u.id = s.unit_id WHERE u.kind NOT IN ('cell', 'grassroots_cell')`)

	// Spans tile the time from the first event without gaps.
	noRows(t, db, "gap between spans", `
		SELECT s.person_id, s.valid_to FROM member_status_span s
		WHERE s.valid_to IS NOT NULL AND NOT EXISTS (SELECT 1 FROM member_status_span n WHERE n.person_id = s.person_id AND n.valid_from = s.valid_to)`)
	var nEvents int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM member_event`).Scan(&nEvents); err != nil {
		t.Fatal(err)
	}
	if nEvents > 5_000_000 {
		t.Logf("%d member events: the replay of every person's events is left to the smaller scales", nEvents)
		return
	}
	// Every person's events follow the state machine, and the spans are the statuses member.StatusOn
	// derives, in the units of the records.
	type ev = member.Event
	var es []ev
	if err := db.NewRaw(`SELECT id, person_id, unit_id, kind, effective, decision_date, to_unit_id, document, note, recorded_by, recorded_at
		FROM member_event ORDER BY person_id, effective, id`).Scan(ctx, &es); err != nil {
		t.Fatal(err)
	}
	var spans []member.Span
	if err := db.NewRaw(`SELECT person_id, unit_id, status, coalesce(grade, '') AS grade, valid_from, valid_to FROM member_status_span ORDER BY person_id, valid_from`).Scan(ctx, &spans); err != nil {
		t.Fatal(err)
	}
	bySpan := map[int64][]member.Span{}
	for _, s := range spans {
		bySpan[s.PersonID] = append(bySpan[s.PersonID], s)
	}
	allowed := map[string][]string{
		"":                {member.KindAdmitted},
		"probationary":    {"recognized", "transferred_out_official", "transferred_out_temporary", "removed", "expelled", "deceased"},
		"full":            {"exempted", "transferred_out_official", "transferred_out_temporary", "removed", "expelled", "deceased"},
		"exempted":        {"exemption_ended", "transferred_out_official", "removed", "expelled", "deceased"},
		"temporary_out":   {"temporary_returned", "recognized", "transferred_out_official", "removed", "expelled", "deceased"},
		"transferred_out": {"transferred_in_official", "recognized", "removed", "deceased"},
		"removed":         {"readmitted"},
		"expelled":        {"readmitted"},
	}
	bad := 0
	for i := 0; i < len(es); {
		j := i
		for j < len(es) && es[j].PersonID == es[i].PersonID {
			j++
		}
		events := es[i:j]
		pid := events[0].PersonID
		i = j
		var status string
		for k, e := range events {
			st := member.StatusOn(events[:k], e.Effective) // the state before the event
			status = st.Status
			if !slices.Contains(allowed[status], e.Kind) || (e.Kind == "recognized" && st.Grade != "probationary") {
				if bad < 5 {
					t.Errorf("person %d: %s on %s in status %q", pid, e.Kind, e.Effective.Format(time.DateOnly), status)
				}
				bad++
			}
			if e.Kind == "recognized" && st.ProbationFrom != nil && e.Effective.Before(st.ProbationFrom.AddDate(0, 12, 0)) {
				t.Errorf("person %d recognized before 12 months of probation", pid)
			}
		}
		for _, s := range bySpan[pid] {
			for _, d := range []time.Time{s.ValidFrom, s.ValidFrom.AddDate(0, 0, 1)} {
				if s.ValidTo != nil && !d.Before(*s.ValidTo) {
					continue
				}
				if got := member.StatusOn(events, d).Status; got != s.Status {
					if bad < 5 {
						t.Errorf("person %d on %s: span says %s, events say %s", pid, d.Format(time.DateOnly), s.Status, got)
					}
					bad++
				}
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d violations of the membership rules", bad)
	}
}

func checkCounts(t *testing.T, d *pgtest.DB, st Stats) {
	ctx := actorCtx()
	var provinces []int64
	if err := d.App.NewRaw(`SELECT id FROM org_unit WHERE kind = 'province' AND valid_to IS NULL`).Scan(ctx, &provinces); err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, id := range provinces {
		counts, err := member.CountByStatus(ctx, d.App, id, testToday)
		if err != nil {
			t.Fatal(err)
		}
		total += member.Members(counts)
	}
	if int64(total) != st.Members {
		t.Errorf("member.CountByStatus counts %d members today, the generator %d", total, st.Members)
	}
	var persons, cases, events, units int64
	err := d.Owner.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM person), (SELECT count(*) FROM candidate_case),
		(SELECT count(*) FROM member_event) + (SELECT count(*) FROM case_event), (SELECT count(*) FROM org_unit)`).Scan(&persons, &cases, &events, &units)
	if err != nil {
		t.Fatal(err)
	}
	if persons != st.Persons || cases != st.Cases || events != st.Events || units != st.Units {
		t.Errorf("tables hold %d persons, %d cases, %d events, %d units; stats say %+v", persons, cases, events, units, st)
	}
	// Identity sequences continue after the loaded ids.
	var next, max int64
	if err := d.Owner.QueryRowContext(ctx, `SELECT nextval(pg_get_serial_sequence('person', 'id')), (SELECT max(id) FROM person)`).Scan(&next, &max); err != nil {
		t.Fatal(err)
	}
	if next <= max {
		t.Errorf("person id sequence at %d, max id %d", next, max)
	}
	// The funnel of the API: open cases at every stage.
	f, err := pipeline.Funnel(ctx, d.App, nil, testToday)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range f {
		if s.N == 0 {
			t.Errorf("no case at stage %s: %v", s.Stage, f)
		}
	}
}

func checkCases(t *testing.T, db *bun.DB, today time.Time) {
	ctx := context.Background()
	// The cached state is the one the events leave.
	noRows(t, db, "stage or version disagrees with the events", `
		SELECT c.id, c.stage, c.version FROM candidate_case c
		WHERE c.version <> (SELECT count(*) FROM case_event e WHERE e.case_id = c.id)
		   OR c.stage <> (SELECT e.stage_after FROM case_event e WHERE e.case_id = c.id ORDER BY e.effective DESC, e.id DESC LIMIT 1)
		   OR c.listed_on <> (SELECT e.effective FROM case_event e WHERE e.case_id = c.id AND e.kind = 'listed')
		   OR c.stage_since <> (SELECT e.effective FROM case_event e WHERE e.case_id = c.id AND e.stage_after = c.stage ORDER BY e.id LIMIT 1)
		   OR c.certificate_on IS DISTINCT FROM (SELECT max(e.effective) FROM case_event e WHERE e.case_id = c.id AND e.kind = 'course_completed')
		   OR c.dossier_on IS DISTINCT FROM (SELECT max(e.effective) FROM case_event e WHERE e.case_id = c.id AND e.kind = 'dossier_completed')
		   OR c.cell_resolution_on IS DISTINCT FROM (SELECT max(e.effective) FROM case_event e WHERE e.case_id = c.id AND e.kind = 'cell_resolved')
		   OR c.committee_resolution_on IS DISTINCT FROM (SELECT max(e.effective) FROM case_event e WHERE e.case_id = c.id AND e.kind = 'committee_resolved')
		   OR c.decision_on IS DISTINCT FROM (SELECT max(e.effective) FROM case_event e WHERE e.case_id = c.id AND e.kind = 'decided')
		   OR c.ceremony_on IS DISTINCT FROM (SELECT max(e.effective) FROM case_event e WHERE e.case_id = c.id AND e.kind = 'ceremony_held')
		   OR c.extensions <> (SELECT count(*) FROM case_event e WHERE e.case_id = c.id AND e.kind = 'decision_extended')
		   OR c.recognition_rounds <> (SELECT count(*) FROM case_event e WHERE e.case_id = c.id AND e.kind = 'recognition_vote')
		   OR (c.closed_on IS NOT NULL) <> (c.stage IN ('full_member', 'left', 'removed'))
		   OR (c.stage = 'full_member') <> (c.recognized_on IS NOT NULL)`)
	noRows(t, db, "events out of date order", `
		SELECT e.case_id FROM case_event e JOIN case_event f ON f.case_id = e.case_id AND f.id > e.id AND f.effective < e.effective`)
	// The rules the moves check.
	noRows(t, db, "cell resolution breaks a rule", `
		SELECT c.id FROM candidate_case c JOIN person p ON p.id = c.person_id
		WHERE c.cell_resolution_on IS NOT NULL AND (
			c.cell_resolution_on < p.birth_date + interval '18 years'
			OR c.cell_resolution_on >= c.certificate_on + interval '60 months'
			OR c.cell_resolution_on > c.dossier_on + interval '12 months'
			OR (p.general_education = 'primary' AND p.education_exception IS NULL))`)
	noRows(t, db, "failed vote moved the case", `
		SELECT e.id FROM case_event e WHERE e.kind IN ('cell_resolved', 'committee_resolved') AND e.votes_for * 3 < e.votes_eligible * 2`)
	noRows(t, db, "admission without its member event", `
		SELECT c.id FROM candidate_case c WHERE c.ceremony_on IS NOT NULL AND NOT EXISTS (
			SELECT 1 FROM member_event m WHERE m.person_id = c.person_id AND m.kind = 'admitted' AND m.effective = c.ceremony_on
			  AND m.decision_date = c.decision_on AND m.document = c.decision_no AND m.unit_id = c.cell_id)`)
	noRows(t, db, "recognition without its member event", `
		SELECT c.id FROM candidate_case c WHERE c.recognized_on IS NOT NULL AND NOT EXISTS (
			SELECT 1 FROM member_event m WHERE m.person_id = c.person_id AND m.kind = 'recognized' AND m.effective = c.recognized_on
			  AND m.effective = c.ceremony_on + interval '12 months')`)
	noRows(t, db, "case in a unit that is not its person's cell when listed", `
		SELECT c.id FROM candidate_case c JOIN person_unit x ON x.person_id = c.person_id AND x.valid_from <= c.listed_on
		WHERE coalesce(x.valid_to, 'infinity') > c.listed_on AND x.unit_id <> c.cell_id`)
	// Sponsors and helpers are full members on the day (member spans), sponsors known for 12 months.
	noRows(t, db, "sponsor who is not a full member on the dossier date", `
		SELECT s.case_id, s.sponsor_id FROM case_sponsor s JOIN candidate_case c ON c.id = s.case_id
		WHERE s.known_since > c.dossier_on - interval '12 months' OR NOT EXISTS (
			SELECT 1 FROM member_status_span m WHERE m.person_id = s.sponsor_id AND m.status = 'full'
			  AND m.valid_from <= c.dossier_on AND coalesce(m.valid_to, 'infinity') > c.dossier_on)`)
	noRows(t, db, "helper who is not a full member when listed", `
		SELECT c.id FROM candidate_case c WHERE c.helper_id IS NOT NULL AND NOT EXISTS (
			SELECT 1 FROM member_status_span m WHERE m.person_id = c.helper_id AND m.status = 'full'
			  AND m.valid_from <= c.listed_on AND coalesce(m.valid_to, 'infinity') > c.listed_on)`)
	noRows(t, db, "dossier with the wrong number of sponsors", `
		SELECT c.id FROM candidate_case c WHERE c.dossier_on IS NOT NULL AND (SELECT count(*) FROM case_sponsor s WHERE s.case_id = c.id)
			<> CASE WHEN (SELECT e.form FROM case_event e WHERE e.case_id = c.id AND e.kind = 'dossier_completed') LIKE '%4-KNĐ%' THEN 1 ELSE 2 END`)

	// case_due is what pipeline computes for the open cases, recomputed here with package calendar.
	cal, err := calendar.Load(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	rules, err := pipeline.LoadRules(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	var cs []pipeline.Case
	if err := db.NewRaw(`SELECT id, stage, stage_since, listed_on, certificate_on, dossier_on, cell_resolution_on, committee_resolution_on,
		decision_on, extensions, ceremony_on, recognized_on, closed_on FROM candidate_case`).Scan(ctx, &cs); err != nil {
		t.Fatal(err)
	}
	// The deadlines the moves enforce: the decision within 60 working days of the cell's resolution (30
	// more with the extension), the ceremony within 30 of the decision, recognition after the 12 months.
	var exts []struct {
		CaseID    int64     `bun:"case_id"`
		Effective time.Time `bun:"effective"`
	}
	if err := db.NewRaw(`SELECT case_id, effective FROM case_event WHERE kind = 'decision_extended'`).Scan(ctx, &exts); err != nil && !errors.Is(err, sql.ErrNoRows) {
		t.Fatal(err)
	}
	extOn := map[int64]time.Time{}
	for _, e := range exts {
		extOn[e.CaseID] = e.Effective
	}
	late := 0
	for _, c := range cs {
		if c.DecisionOn != nil && c.DecisionOn.After(cal.AddWorkingDays(*c.CellResolutionOn,
			rules.V(pipeline.RuleDecisionDeadline)+c.Extensions*rules.V(pipeline.RuleDecisionExtension))) {
			late++
		}
		if on, ok := extOn[c.ID]; ok && (on.After(cal.AddWorkingDays(*c.CellResolutionOn, rules.V(pipeline.RuleDecisionDeadline))) || on.Before(*c.CommitteeResolutionOn)) {
			late++
		}
		if c.CeremonyOn != nil && (c.CeremonyOn.After(cal.AddWorkingDays(*c.DecisionOn, rules.V(pipeline.RuleCeremonyDeadline))) || c.CeremonyOn.Before(*c.DecisionOn)) {
			late++
		}
		if c.RecognizedOn != nil && (!c.RecognizedOn.Equal(addMonthsTime(*c.CeremonyOn, rules.V(pipeline.RuleProbation))) || c.ClosedOn.Before(*c.RecognizedOn)) {
			late++
		}
		if late > 0 {
			t.Fatalf("case %d breaks a deadline: %+v", c.ID, c)
		}
	}
	var dues []pipeline.Due
	if err := db.NewRaw(`SELECT case_id, kind, due_on, rule_id FROM case_due ORDER BY case_id, kind`).Scan(ctx, &dues); err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, d := range dues {
		got[fmt.Sprintf("%d %s %s %s", d.CaseID, d.Kind, d.DueOn.Format(time.DateOnly), d.RuleID)] = true
	}
	want := map[string]bool{}
	months := func(d *time.Time, id string) time.Time {
		return addMonthsTime(*d, rules.V(id))
	}
	for _, c := range cs {
		if c.ClosedOn != nil {
			continue
		}
		add := func(kind, rule string, on time.Time) {
			want[fmt.Sprintf("%d %s %s %s", c.ID, kind, on.Format(time.DateOnly), rule)] = true
		}
		switch c.Stage {
		case "source", "course_done":
			if c.CertificateOn != nil {
				add("certificate_expires", pipeline.RuleCertificate, months(c.CertificateOn, pipeline.RuleCertificate))
				add("source_stalled", pipeline.RuleSourceStall, months(&c.StageSince, pipeline.RuleSourceStall))
			}
		case "dossier":
			add("certificate_expires", pipeline.RuleCertificate, months(c.CertificateOn, pipeline.RuleCertificate))
			add("dossier_stale", pipeline.RuleDossierStale, months(c.DossierOn, pipeline.RuleDossierStale))
		case "cell_resolution", "committee_resolution":
			add("decision_due", pipeline.RuleDecisionDeadline, cal.AddWorkingDays(*c.CellResolutionOn,
				rules.V(pipeline.RuleDecisionDeadline)+c.Extensions*rules.V(pipeline.RuleDecisionExtension)))
		case "decision":
			add("ceremony_due", pipeline.RuleCeremonyDeadline, cal.AddWorkingDays(*c.DecisionOn, rules.V(pipeline.RuleCeremonyDeadline)))
		case "probation":
			end := months(c.CeremonyOn, pipeline.RuleProbation)
			add("probation_ends", pipeline.RuleProbation, end)
			add("recognition_due", pipeline.RuleRecognitionDue, cal.AddWorkingDays(end, rules.V(pipeline.RuleRecognitionDue)))
		}
	}
	for k := range want {
		if !got[k] {
			t.Errorf("missing case_due %s", k)
			break
		}
	}
	for k := range got {
		if !want[k] {
			t.Errorf("unexpected case_due %s", k)
			break
		}
	}
	// Some cases are overdue today, some due soon: the due list has both.
	var overdue, soon int
	for _, d := range dues {
		switch {
		case d.DueOn.Before(today):
			overdue++
		case d.DueOn.Before(today.AddDate(0, 0, 30)):
			soon++
		}
	}
	if overdue == 0 || soon == 0 {
		t.Errorf("due list: %d overdue, %d due within 30 days", overdue, soon)
	}
	// Admissions peak before 3/2, 19/5, 2/9 and the year's end.
	var peak, all int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FILTER (WHERE to_char(decision_on, 'MM-DD') BETWEEN '01-08' AND '02-03'
			OR to_char(decision_on, 'MM-DD') BETWEEN '04-24' AND '05-19' OR to_char(decision_on, 'MM-DD') BETWEEN '08-08' AND '09-02'
			OR to_char(decision_on, 'MM-DD') BETWEEN '11-25' AND '12-31'), count(*)
		FROM candidate_case WHERE decision_on IS NOT NULL`).Scan(&peak, &all); err != nil {
		t.Fatal(err)
	}
	if share := float64(peak) / float64(all); share < 0.55 {
		t.Errorf("%.0f %% of decisions in the weeks before the anniversaries (25 %% of the year)", 100*share)
	}
}

// addMonthsTime is pipeline's month arithmetic (the end of the month kept).
func addMonthsTime(t time.Time, n int) time.Time {
	return addMonths(dayOf(t), n).time()
}

func checkNationalIDs(t *testing.T, d *pgtest.DB) {
	ctx := actorCtx()
	set, err := codes.Load(ctx, d.Owner)
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		ID         int64     `bun:"id"`
		NationalID string    `bun:"national_id"`
		Sex        string    `bun:"sex"`
		Birth      time.Time `bun:"birth_date"`
		Version    int       `bun:"version"`
	}
	var rows []row
	if err := d.Owner.NewRaw(`SELECT id, national_id, sex, birth_date, version FROM person ORDER BY id`).Scan(ctx, &rows); err != nil {
		t.Fatal(err)
	}
	// The rule of people's validation (Thông tư 59/2021/TT-BCA) for every person…
	for _, r := range rows {
		id := r.NationalID
		c := int(id[3] - '0')
		if _, ok := set.Item(codes.IDProvince, id[:3]); !ok || len(id) != 12 || 1900+100*(c/2) != r.Birth.Year()/100*100 ||
			(c%2 == 1) != (r.Sex == "female") || id[4:6] != fmt.Sprintf("%02d", r.Birth.Year()%100) {
			t.Fatalf("person %d: national ID %s does not match sex %s, birth %s", r.ID, id, r.Sex, r.Birth.Format(time.DateOnly))
		}
	}
	// …and people's own validation for a sample: an update that changes nothing revalidates the whole
	// record (name, codes, national ID), as the application role, in a transaction rolled back.
	tx, err := d.App.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	for i := 0; i < len(rows); i += max(1, len(rows)/150) {
		if _, err := people.Update(ctx, tx, rows[i].ID, rows[i].Version, people.PersonPatch{}); err != nil {
			t.Fatalf("people.Update of person %d: %v", rows[i].ID, err)
		}
	}
}

// checkDemographics compares the members of Pleiku (the cells of the city as it stood before the
// reform) with the seed article's figures, and the rural district with them.
func checkDemographics(t *testing.T, db *bun.DB) {
	type mix struct {
		N                                                 int
		Women, Minority, Upper, College, Youth, Religious float64
	}
	get := func(district string) mix {
		var m mix
		err := db.QueryRowContext(context.Background(), `
			WITH d AS (SELECT l.path FROM org_link l JOIN org_unit u ON u.id = l.unit_id
			           WHERE u.code = ? AND l.valid_from <= '2025-06-30' AND coalesce(l.valid_to, 'infinity') > '2025-06-30'),
			cells AS (SELECT l.unit_id FROM org_link l, d WHERE l.path <@ d.path AND l.valid_from <= '2025-06-30' AND coalesce(l.valid_to, 'infinity') > '2025-06-30'),
			m AS (SELECT p.* FROM member_status_span s JOIN cells c ON c.unit_id = s.unit_id JOIN person p ON p.id = s.person_id
			      WHERE s.status IN ('probationary', 'full', 'exempted', 'temporary_out') AND s.valid_from <= ? AND coalesce(s.valid_to, 'infinity') > ?)
			SELECT count(*),
				avg((sex = 'female')::int), avg((ethnicity <> 'kinh')::int), avg((general_education = 'upper_secondary')::int),
				avg((professional_qualification IN ('college', 'university', 'master', 'doctorate'))::int),
				avg((birth_date > ?::date - interval '31 years')::int), avg((religion <> 'none')::int)
			FROM m`, district, testToday, testToday, testToday).
			Scan(&m.N, &m.Women, &m.Minority, &m.Upper, &m.College, &m.Youth, &m.Religious)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	p := get("P064.D01") // Pleiku
	t.Logf("Pleiku: %d members, women %.1f %%, minority %.1f %%, upper secondary %.1f %%, college+ %.1f %%, Youth Union age %.1f %%, religious %.1f %%",
		p.N, 100*p.Women, 100*p.Minority, 100*p.Upper, 100*p.College, 100*p.Youth, 100*p.Religious)
	check := func(what string, got, lo, hi float64) {
		if got < lo || got > hi {
			t.Errorf("Pleiku: %s %.1f %%, want %.1f–%.1f %%", what, 100*got, 100*lo, 100*hi)
		}
	}
	check("women", p.Women, 0.42, 0.55)
	check("ethnic minority", p.Minority, 0.035, 0.08)
	check("upper secondary", p.Upper, 0.78, 0.97)
	check("college or above", p.College, 0.37, 0.75)
	check("of Youth Union age", p.Youth, 0.10, 0.3)
	check("religious", p.Religious, 0.004, 0.035)
	c := get("P064.D02") // Chư Păh, rural
	t.Logf("Chư Păh: %d members, minority %.1f %%, upper secondary %.1f %%", c.N, 100*c.Minority, 100*c.Upper)
	if c.Minority < 3*p.Minority {
		t.Errorf("Chư Păh (rural Highlands): minority %.1f %%: want far more than Pleiku's", 100*c.Minority)
	}
	// Names: Nguyễn among the Kinh, minority names among the Gia Rai.
	var nguyen, kinh, jraiClan, jrai int
	err := db.QueryRowContext(context.Background(), `SELECT
		count(*) FILTER (WHERE ethnicity = 'kinh' AND full_name LIKE 'Nguyễn %'), count(*) FILTER (WHERE ethnicity = 'kinh'),
		count(*) FILTER (WHERE ethnicity = 'gia_rai' AND split_part(full_name, ' ', 1) IN ('Ksor', 'Siu', 'Rơ', 'Rah', 'Kpă', 'Nay', 'Puih', 'Kpuih', 'Hiao')),
		count(*) FILTER (WHERE ethnicity = 'gia_rai') FROM person`).Scan(&nguyen, &kinh, &jraiClan, &jrai)
	if err != nil {
		t.Fatal(err)
	}
	if s := float64(nguyen) / float64(kinh); math.Abs(s-0.38) > 0.05 {
		t.Errorf("Nguyễn: %.1f %% of Kinh names", 100*s)
	}
	if jrai == 0 || jraiClan != jrai {
		t.Errorf("Gia Rai names: %d of %d with a clan name", jraiClan, jrai)
	}
}

func checkTargets(t *testing.T, db *bun.DB) {
	ctx := context.Background()
	var exists bool
	if err := db.QueryRowContext(ctx, `SELECT to_regclass('target') IS NOT NULL`).Scan(&exists); err != nil || !exists {
		t.Skip("no target tables")
	}
	noRows(t, db, "target without its revisions", `
		SELECT t.id FROM target t WHERE t.revision <> (SELECT count(*) FROM target_revision r WHERE r.target_id = t.id)
		   OR NOT EXISTS (SELECT 1 FROM target_revision r WHERE r.target_id = t.id AND r.revision = t.revision
		                  AND r.count_value IS NOT DISTINCT FROM t.count_value AND r.rate_value IS NOT DISTINCT FROM t.rate_value)`)
	noRows(t, db, "handed-down target outside its parent's subtree", `
		SELECT t.id FROM target t JOIN target p ON p.id = t.parent_target_id
		WHERE p.period_start <> t.period_start OR NOT EXISTS (
			SELECT 1 FROM org_link l JOIN org_link m ON l.path <@ m.path
			WHERE l.unit_id = t.unit_id AND m.unit_id = p.unit_id
			  AND l.valid_from <= greatest(t.period_start, (SELECT valid_from FROM org_unit WHERE id = t.unit_id)) AND coalesce(l.valid_to, 'infinity') > greatest(t.period_start, (SELECT valid_from FROM org_unit WHERE id = t.unit_id))
			  AND m.valid_from <= greatest(t.period_start, (SELECT valid_from FROM org_unit WHERE id = t.unit_id)) AND coalesce(m.valid_to, 'infinity') > greatest(t.period_start, (SELECT valid_from FROM org_unit WHERE id = t.unit_id)))`)
	// Some units behind their yearly targets of last year, some ahead.
	var behind, ahead int
	err := db.QueryRowContext(ctx, `
		WITH t AS (SELECT t.id, t.unit_id, t.count_value, t.period_start, t.period_end FROM target t
		           WHERE t.period_kind = 'year' AND t.kind = 'count' AND t.period_end < ?),
		a AS (SELECT t.id, t.count_value, (SELECT count(*) FROM member_event e
			JOIN org_link c ON c.unit_id = e.unit_id AND c.valid_from <= coalesce(e.decision_date, e.effective) AND coalesce(c.valid_to, 'infinity') > coalesce(e.decision_date, e.effective)
			JOIN org_link u ON u.unit_id = t.unit_id AND u.valid_from <= coalesce(e.decision_date, e.effective) AND coalesce(u.valid_to, 'infinity') > coalesce(e.decision_date, e.effective)
			WHERE e.kind = 'admitted' AND coalesce(e.decision_date, e.effective) BETWEEN t.period_start AND t.period_end AND c.path <@ u.path) AS n
			FROM t)
		SELECT count(*) FILTER (WHERE n < count_value), count(*) FILTER (WHERE n > count_value) FROM a`, testToday).Scan(&behind, &ahead)
	if err != nil {
		t.Fatal(err)
	}
	if behind == 0 || ahead == 0 {
		t.Errorf("yearly targets: %d units behind, %d ahead", behind, ahead)
	}
}

// checkAPIWrites records, through the domain APIs and as the application role, moves on top of the
// generated data, in transactions rolled back: they succeed only if the versions, cached states, spans
// and paths are those the APIs expect.
func checkAPIWrites(t *testing.T, d *pgtest.DB) {
	ctx := actorCtx()
	db := d.App
	inTx := func(name string, fn func(tx bun.Tx) error) {
		t.Helper()
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		if err := fn(tx); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	// A member event rebuilds the person's spans from the events and units: the spans before it must
	// be the generated ones (member's derivation is the generator's).
	var people_ []int64
	if err := d.Owner.NewRaw(`SELECT s.person_id FROM member_status_span s WHERE s.valid_to IS NULL AND s.status = 'full'
		AND EXISTS (SELECT 1 FROM person_unit x WHERE x.person_id = s.person_id AND x.valid_to IS NOT NULL)
		ORDER BY s.person_id LIMIT 40`).Scan(ctx, &people_); err != nil {
		t.Fatal(err)
	}
	if len(people_) < 5 {
		t.Fatalf("only %d transferred full members", len(people_))
	}
	spansOf := func(tx bun.IDB, pid int64) []member.Span {
		var ss []member.Span
		if err := tx.NewRaw(`SELECT person_id, unit_id, status, coalesce(grade, '') AS grade, valid_from, valid_to FROM member_status_span
			WHERE person_id = ? ORDER BY valid_from`, pid).Scan(ctx, &ss); err != nil {
			t.Fatal(err)
		}
		return ss
	}
	for _, pid := range people_ {
		inTx("member.Record", func(tx bun.Tx) error {
			before := spansOf(tx, pid)
			if err := member.Record(ctx, tx, member.Event{PersonID: pid, Kind: member.KindExempted, Effective: testToday}); err != nil {
				return err
			}
			after := spansOf(tx, pid)
			if len(after) != len(before)+1 {
				return fmt.Errorf("person %d: %d spans before, %d after", pid, len(before), len(after))
			}
			last := before[len(before)-1]
			last.ValidTo = &testToday
			before[len(before)-1] = last
			for i := range before {
				a, b := before[i], after[i]
				if a.UnitID != b.UnitID || a.Status != b.Status || a.Grade != b.Grade || !a.ValidFrom.Equal(b.ValidFrom) ||
					(a.ValidTo == nil) != (b.ValidTo == nil) || (a.ValidTo != nil && !a.ValidTo.Equal(*b.ValidTo)) {
					return fmt.Errorf("person %d: generated span %+v, member derives %+v", pid, a, b)
				}
			}
			return nil
		})
	}
	// Pipeline moves on open cases, with their cached versions.
	move := func(stage string, fn func(tx bun.Tx, c pipeline.Case) error) {
		var id int64
		err := d.Owner.QueryRowContext(ctx, `SELECT id FROM candidate_case WHERE stage = ? AND closed_on IS NULL ORDER BY id LIMIT 1`, stage).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			t.Errorf("no open case at stage %s", stage)
			return
		}
		inTx("move from "+stage, func(tx bun.Tx) error {
			c, err := pipeline.GetOne(ctx, tx, id)
			if err != nil {
				return err
			}
			return fn(tx, c)
		})
	}
	move("source", func(tx bun.Tx, c pipeline.Case) error {
		_, err := pipeline.CompleteCourse(ctx, tx, c.ID, c.Version, pipeline.Doc{Effective: testToday, Form: "CN-NTVĐ"})
		return err
	})
	move("committee_resolution", func(tx bun.Tx, c pipeline.Case) error {
		_, err := pipeline.Leave(ctx, tx, c.ID, c.Version, pipeline.Doc{Effective: testToday}, "declined")
		return err
	})
	var probation int64
	err := d.Owner.QueryRowContext(ctx, `SELECT id FROM candidate_case WHERE stage = 'probation' AND ceremony_on <= ?::date - interval '12 months' ORDER BY id LIMIT 1`, testToday).Scan(&probation)
	if err == nil {
		inTx("recognition", func(tx bun.Tx) error {
			c, err := pipeline.GetOne(ctx, tx, probation)
			if err != nil {
				return err
			}
			full, err := pipeline.FullMembers(ctx, tx, c.CellID, testToday) // the number entitled: the cell's voters that day
			if err != nil {
				return err
			}
			_, err = pipeline.RecognitionVote(ctx, tx, c.ID, c.Version, pipeline.Doc{Effective: testToday, Number: "99-NQ/CB"}, pipeline.Votes{For: full, Eligible: full})
			return err
		})
	}
	// Tree operations: a commune moves, a cell is renamed.
	var commune, province, cell int64
	if err := d.Owner.QueryRowContext(ctx, `SELECT (SELECT id FROM org_unit WHERE code LIKE 'P064.N%' ORDER BY id LIMIT 1),
		(SELECT id FROM org_unit WHERE code = 'P064'), (SELECT id FROM org_unit WHERE kind = 'cell' AND valid_to IS NULL ORDER BY id LIMIT 1)`).Scan(&commune, &province, &cell); err != nil {
		t.Fatal(err)
	}
	inTx("org.Rename", func(tx bun.Tx) error {
		_, err := org.Rename(ctx, tx, cell, "Chi bộ đổi tên", org.Doc{Effective: testToday, Document: "test"})
		return err
	})
	inTx("org.Split", func(tx bun.Tx) error {
		var kids []int64
		if err := tx.NewRaw(`SELECT unit_id FROM org_link WHERE parent_id = ? AND valid_to IS NULL ORDER BY unit_id`, commune).Scan(ctx, &kids); err != nil {
			return err
		}
		_, err := org.Split(ctx, tx, commune, []org.SplitPart{
			{Unit: org.NewUnit{Code: "TEST.A", Name: "Đảng bộ xã A", Kind: "grassroots_committee", Sector: "territorial"}, Children: kids[:1]},
			{Unit: org.NewUnit{Code: "TEST.B", Name: "Đảng bộ xã B", Kind: "grassroots_committee", Sector: "territorial"}, Children: kids[1:]},
		}, org.Doc{Effective: testToday, Document: "test"})
		return err
	})
}

// TestDeterministic loads the demo twice with one seed and once with another: the same seed gives the
// same rows, another seed other rows.
func TestDeterministic(t *testing.T) {
	t.Parallel()
	sums := func(seed uint64) map[string]string {
		d, _ := loadDemo(t, seed, nil)
		out := map[string]string{}
		for name, q := range map[string]string{
			"org_link":     `SELECT unit_id, parent_id, path, valid_from, valid_to, op_id FROM org_link ORDER BY unit_id, valid_from`,
			"org_unit":     `SELECT id, code, kind, sector, valid_from, valid_to FROM org_unit ORDER BY id`,
			"person":       `SELECT id, full_name, sex, birth_date, national_id, ethnicity, religion, general_education, professional_qualification, occupation, unit_id, version FROM person ORDER BY id`,
			"member_event": `SELECT id, person_id, unit_id, kind, effective, decision_date, to_unit_id, document FROM member_event ORDER BY id`,
			"spans":        `SELECT * FROM member_status_span ORDER BY person_id, valid_from`,
			"case_event":   `SELECT id, case_id, kind, stage_after, effective, document_no, votes_for, votes_eligible, details FROM case_event ORDER BY id`,
		} {
			var sum string
			if err := d.Owner.QueryRowContext(context.Background(), `SELECT md5(string_agg(x::text, E'\n')) FROM (`+q+`) x`).Scan(&sum); err != nil {
				t.Fatal(err)
			}
			out[name] = sum
		}
		return out
	}
	a, b, c := sums(7), sums(7), sums(8)
	for name := range a {
		if a[name] != b[name] {
			t.Errorf("%s: two loads with seed 7 differ", name)
		}
		if a[name] == c[name] {
			t.Errorf("%s: seeds 7 and 8 give the same rows", name)
		}
	}
}

// TestWorkdays checks the generator's working-day table against package calendar.
func TestWorkdays(t *testing.T) {
	t.Parallel()
	d := pgtest.New(t)
	ctx := context.Background()
	conn, err := connect(ctx, d.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	cal, err := loadCalendar(ctx, conn)
	if err != nil {
		t.Fatal(err)
	}
	from, to := mkday(2016, 1, 1), mkday(2027, 6, 30)
	w := newWorkdays(cal, from-400, to+400)
	for dd := from; dd <= to; dd += 3 {
		for _, n := range []int{-50, -13, -1, 1, 5, 30, 60, 90} {
			if got, want := w.add(dd, n), dayOf(cal.AddWorkingDays(dd.time(), n)); got != want {
				t.Fatalf("%s + %d working days: %s, calendar says %s", dd, n, got, want)
			}
		}
		if w.working(dd) != cal.IsWorkingDay(dd.time()) {
			t.Fatalf("%s: working %v", dd, w.working(dd))
		}
	}
	// Dates and months as pipeline counts them.
	for _, c := range []struct {
		d    day
		n    int
		want day
	}{{mkday(2024, 1, 31), 1, mkday(2024, 2, 29)}, {mkday(2023, 3, 31), -1, mkday(2023, 2, 28)}, {mkday(2020, 12, 15), 14, mkday(2022, 2, 15)}} {
		if got := addMonths(c.d, c.n); got != c.want {
			t.Errorf("addMonths(%s, %d) = %s, want %s", c.d, c.n, got, c.want)
		}
	}
	for y := 1920; y <= 2040; y += 7 {
		for m := 1; m <= 12; m++ {
			dd := mkday(y, m, 28)
			if yy, mm, d2 := dd.ymd(); yy != y || mm != m || d2 != 28 || !dd.time().Equal(time.Date(y, time.Month(m), 28, 0, 0, 0, 0, time.UTC)) {
				t.Fatalf("day %d-%d-28: %d-%d-%d", y, m, yy, mm, d2)
			}
		}
	}
}

// checkCaches: the caches the load writes (the year-end rollup, the admissions by ancestor) equal what
// their functions rebuild from the loaded rows afterwards.
func checkCaches(t *testing.T, db *bun.DB) {
	ctx := context.Background()
	for _, c := range []struct{ table, rows, rebuild string }{
		{"member_yearend", `ancestor_id || ':' || year || ':' || n`, `SELECT member_rebuild_yearend()`},
		{"admission_ancestor", `ancestor_id || ':' || decided || ':' || event_id || ':' || unit_id`, `SELECT target_rebuild_admissions()`},
	} {
		digest := func() (string, int) {
			var h string
			var n int
			if err := db.NewRaw(`SELECT coalesce(md5(string_agg(`+c.rows+`, ',' ORDER BY `+c.rows+`)), ''), count(*) FROM `+c.table).
				Scan(ctx, &h, &n); err != nil {
				t.Fatal(err)
			}
			return h, n
		}
		loaded, n := digest()
		if _, err := db.ExecContext(ctx, c.rebuild); err != nil {
			t.Fatal(err)
		}
		if rebuilt, m := digest(); n == 0 || rebuilt != loaded {
			t.Errorf("%s after the load: %d rows (%s); rebuilt: %d rows (%s)", c.table, n, loaded, m, rebuilt)
		}
	}
}
