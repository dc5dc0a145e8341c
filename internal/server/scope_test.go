package server_test

import (
	"testing"

	"ptdv/internal/fixture"
	"ptdv/internal/member"
	"ptdv/internal/org"
	"ptdv/internal/pipeline"
	"ptdv/internal/vn"
)

// Through the API: after a cell moves from one ward to another (effective yesterday), the old ward's
// board gets null or NOT_FOUND for everything of the cell, the new one reads and writes it; the old
// ward's 2024 progress is unchanged; a token of a dissolved cell is refused with 401 UNAUTHENTICATED.
func TestScopeFollowsTodaysTreeThroughGraphQL(t *testing.T) {
	t.Parallel()
	f, ids := seeded(t, 1)
	cell, hp, ht := ids["GL.PK.HP.1"], ids["GL.PK.HP"], ids["GL.PK.HT"]
	db := f.db.App
	p := mkPerson(t, db, "Rơ Mah Hlim", cell, "1999-09-09")
	m := mkPerson(t, db, "Ksor Nguyên", cell, "1990-01-01")
	if err := member.Record(fixture.System(), db, member.Event{PersonID: m, Kind: member.KindAdmitted, Effective: fixture.Day("2024-03-15"),
		DecisionDate: ptrT(fixture.Day("2024-03-01")), Document: "QĐ 3"}); err != nil {
		t.Fatal(err)
	}
	c, err := pipeline.Open(fixture.System(), db, pipeline.OpenInput{PersonID: p, CellID: cell, Proposer: "youth_union", Doc: pipeline.Doc{Effective: fixture.Day("2026-01-05")}})
	if err != nil {
		t.Fatal(err)
	}
	old, neu := f.token("board", "GL.PK.HP"), f.token("board", "GL.PK.HT")
	progress := `query($u: ID!) { progress(unitId: $u, periodKind: YEAR, asOf: "2024-12-31") { admitted } }`
	admitted := func(tok string, u int64) any {
		t.Helper()
		r := f.query(tok, progress, map[string]any{"u": gid("Unit", u)})
		if len(r.Errors) > 0 {
			t.Fatalf("progress: %+v", r.Errors)
		}
		return r.Data["progress"].(map[string]any)["admitted"]
	}
	if n := admitted(old, hp); n != float64(1) {
		t.Fatalf("the old ward's 2024 before the move: %v", n)
	}
	yesterday := vn.Today().AddDate(0, 0, -1)
	if _, err := org.Move(fixture.System(), db, cell, ht, org.Doc{Effective: yesterday, Document: "QĐ 5"}); err != nil {
		t.Fatal(err)
	}

	for what, q := range map[string]struct {
		query string
		vars  map[string]any
	}{
		"person":    {`query($p: ID!) { person(id: $p) { nationalId } }`, map[string]any{"p": gid("Person", p)}},
		"candidate": {`query($c: ID!) { candidate(id: $c) { stage } }`, map[string]any{"c": gid("Candidate", c.ID)}},
		"unit":      {`query($u: ID!) { node(id: $u) { id } }`, map[string]any{"u": gid("Unit", cell)}},
	} {
		r := f.query(old, q.query, q.vars)
		for _, v := range r.Data {
			if v != nil {
				t.Errorf("the old ward reads the %s: %v", what, r.Data)
			}
		}
	}
	for what, q := range map[string]struct {
		query string
		vars  map[string]any
	}{
		"update person": {`mutation($p: ID!) { updatePerson(input: {personId: $p, version: 1, workplace: "Nông trường"}) { person { id } } }`,
			map[string]any{"p": gid("Person", p)}},
		"create person in the cell": {`mutation($u: ID!) { createPerson(input: {person: {fullName: "Siu H'Ngơn", sex: FEMALE, birthDate: "2001-01-01", nationalId: "064301999999", unitId: $u, generalEducation: "upper_secondary", ethnicity: "gia_rai"}}) { person { id } } }`,
			map[string]any{"u": gid("Unit", cell)}},
		"move case": {`mutation($c: ID!) { completeCourse(input: {candidateId: $c, version: 1, document: {effective: "2026-02-10", number: "CN 1"}}) { candidate { stage } } }`,
			map[string]any{"c": gid("Candidate", c.ID)}},
		"close case": {`mutation($c: ID!) { leavePipeline(input: {candidateId: $c, version: 1, document: {effective: "2026-02-10"}, reason: "declined"}) { candidate { stage } } }`,
			map[string]any{"c": gid("Candidate", c.ID)}},
		"member events": {`mutation($p: ID!) { recordMemberEvent(input: {personId: $p, kind: DECEASED, effective: "2025-03-15", document: "GCT 4"}) { person { id } } }`,
			map[string]any{"p": gid("Person", m)}},
	} {
		if r := f.query(old, q.query, q.vars); r.code() != "NOT_FOUND" {
			t.Errorf("the old ward's %s: %+v", what, r)
		}
	}
	if n := admitted(old, hp); n != float64(1) {
		t.Errorf("the old ward's 2024 after the move: %v", n)
	}
	if n := admitted(neu, ht); n != float64(0) {
		t.Errorf("the new ward's 2024 after the move: %v", n)
	}

	r := f.query(neu, `query($p: ID!) { person(id: $p) { nationalId } }`, map[string]any{"p": gid("Person", p)})
	if pd, _ := r.Data["person"].(map[string]any); pd == nil || len(pd["nationalId"].(string)) != 12 {
		t.Errorf("the new ward reads the person: %+v", r)
	}
	r = f.query(neu, `mutation($c: ID!) { completeCourse(input: {candidateId: $c, version: 1, document: {effective: "2026-02-10", number: "CN 1"}}) { candidate { stage version } } }`,
		map[string]any{"c": gid("Candidate", c.ID)})
	if len(r.Errors) > 0 {
		t.Errorf("the new ward moves the case: %+v", r.Errors)
	}
	r = f.query(neu, `mutation($c: ID!) { leavePipeline(input: {candidateId: $c, version: 2, document: {effective: "2026-02-11"}, reason: "declined"}) { candidate { stage closeReason { list code } history { kind reason { code label } } } } }`,
		map[string]any{"c": gid("Candidate", c.ID)})
	if len(r.Errors) > 0 {
		t.Fatalf("the new ward closes the case: %+v", r.Errors)
	}
	// The reason is the code list's item, not a bare string.
	closed := r.Data["leavePipeline"].(map[string]any)["candidate"].(map[string]any)
	if cr := closed["closeReason"].(map[string]any); cr["list"] != "leave_reason" || cr["code"] != "declined" {
		t.Errorf("close reason = %v", cr)
	}
	hist := closed["history"].([]any)
	if last := hist[len(hist)-1].(map[string]any); last["kind"] != "LEFT" || last["reason"].(map[string]any)["label"] != "Không còn nguyện vọng vào Đảng" {
		t.Errorf("last move = %v", last)
	}

	// A dissolved cell's token no longer works.
	if _, err := org.Dissolve(fixture.System(), db, ids["GL.PK.HT.000"], org.Doc{Effective: yesterday, Document: "QĐ 6"}); err != nil {
		t.Fatal(err)
	}
	r = f.query(f.token("secretary", "GL.PK.HT.000"), `{ rootUnits(first: 5) { nodes { code } } }`, nil)
	if r.status != 401 || r.code() != "UNAUTHENTICATED" {
		t.Errorf("a dissolved cell's token: %d %+v", r.status, r)
	}
}
