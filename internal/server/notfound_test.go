package server_test

import (
	"encoding/json"
	"strings"
	"testing"

	"ptdv/internal/fixture"
	"ptdv/internal/org"
	"ptdv/internal/pipeline"
)

// Refusals look the same for "does not exist" and "not yours": every lookup by code or id, through the
// GraphQL server, answers an existing object of another commune exactly as it answers one that was never
// recorded (same data, same errors, same extensions, once the value asked for is blanked out), and no
// answer carries an English noun or an internal id.
func TestMissingAndOutOfScopeLookAlike(t *testing.T) {
	t.Parallel()
	f, ids := seeded(t, 1)
	far := ids["GL.PK.HT.000"] // Hội Thương's cell: outside the Hội Phú board's scope
	village, err := org.CreateVillage(fixture.System(), f.db.App, org.NewVillage{Code: "GL.PK.HT.TDP1", Name: "Tổ dân phố 1", Kind: "residential_group",
		CommuneID: ids["GL.PK.HT"]}, org.Doc{Effective: fixture.Day("2015-01-01")})
	if err != nil {
		t.Fatal(err)
	}
	person := mkPerson(t, f.db.App, "Rơ Châm Hơn", far, "1999-02-03")
	c, err := pipeline.Open(fixture.System(), f.db.App, pipeline.OpenInput{PersonID: person, CellID: far, Proposer: "youth_union",
		Doc: pipeline.Doc{Effective: fixture.Day("2025-01-06")}})
	if err != nil {
		t.Fatal(err)
	}
	const missing = 987654321
	tok := f.token("board", "GL.PK.HP")
	type ids4 struct{ unit, person, cand, village string }
	there := ids4{gid("Unit", far), gid("Person", person), gid("Candidate", c.ID), gid("Village", village)}
	nowhere := ids4{gid("Unit", missing), gid("Person", missing), gid("Candidate", missing), gid("Village", missing)}
	own := gid("Unit", ids["GL.PK.HP.1"])
	doc := `document: {effective: "2025-02-03", document: "QĐ 1"}`
	ops := []struct {
		name string
		q    func(v ids4) string
	}{
		{"unit by code", func(v ids4) string {
			code := "GL.PK.HT.000"
			if v.unit == nowhere.unit {
				code = "GL.PK.HT.999"
			}
			return `{ unit(code: "` + code + `") { id } }`
		}},
		{"unit by id", func(v ids4) string { return `{ unit(id: "` + v.unit + `") { id } }` }},
		{"node", func(v ids4) string {
			return `{ a: node(id: "` + v.unit + `") { id } b: node(id: "` + v.person + `") { id } c: node(id: "` + v.cand + `") { id } d: node(id: "` + v.village + `") { id } }`
		}},
		{"person", func(v ids4) string { return `{ person(id: "` + v.person + `") { id } }` }},
		{"candidate", func(v ids4) string { return `{ candidate(id: "` + v.cand + `") { id } }` }},
		{"persons in unit", func(v ids4) string { return `{ persons(unitId: "` + v.unit + `", first: 5) { edges { cursor } } }` }},
		{"candidates in unit", func(v ids4) string {
			return `{ candidates(filter: {unitId: "` + v.unit + `"}, first: 5) { edges { cursor } } }`
		}},
		{"funnel", func(v ids4) string { return `{ funnel(unitId: "` + v.unit + `") { count } }` }},
		{"memberCounts", func(v ids4) string { return `{ memberCounts(unitId: "` + v.unit + `") { count } }` }},
		{"terms", func(v ids4) string { return `{ terms(unitId: "` + v.unit + `") { name } }` }},
		{"exportList", func(v ids4) string { return `{ exportList(unitId: "` + v.unit + `", kind: MEMBERS) { name } }` }},
		{"createPerson in unit", func(v ids4) string {
			return `mutation { createPerson(input: {person: {fullName: "Nguyễn Văn Mới", sex: MALE, birthDate: "1999-02-03",
				nationalId: "064099000999", unitId: "` + v.unit + `"}}) { person { id } } }`
		}},
		{"createPerson with village", func(v ids4) string {
			return `mutation { createPerson(input: {person: {fullName: "Nguyễn Văn Mới", sex: MALE, birthDate: "1999-02-03",
				nationalId: "064099000998", unitId: "` + own + `", villageId: "` + v.village + `"}}) { person { id } } }`
		}},
		{"updatePerson", func(v ids4) string {
			return `mutation { updatePerson(input: {personId: "` + v.person + `", version: 1, fullName: "X"}) { person { id } } }`
		}},
		{"openCandidate person", func(v ids4) string {
			return `mutation { openCandidate(input: {personId: "` + v.person + `", cellId: "` + own + `", proposer: "youth_union",
				document: {effective: "2025-02-03"}}) { candidate { id } } }`
		}},
		{"openCandidate cell", func(v ids4) string {
			return `mutation { openCandidate(input: {personId: "` + v.person + `", cellId: "` + v.unit + `", proposer: "youth_union",
				document: {effective: "2025-02-03"}}) { candidate { id } } }`
		}},
		{"completeCourse", func(v ids4) string {
			return `mutation { completeCourse(input: {candidateId: "` + v.cand + `", version: 1, document: {effective: "2025-02-03"}}) { candidate { id } } }`
		}},
		{"recordMemberEvent", func(v ids4) string {
			return `mutation { recordMemberEvent(input: {personId: "` + v.person + `", kind: ADMITTED, effective: "2025-02-03", document: "QĐ"}) { __typename } }`
		}},
		{"createVillage", func(v ids4) string {
			return `mutation { createVillage(input: {code: "GL.X.TDP9", name: "Tổ 9", kind: RESIDENTIAL_GROUP, communeId: "` + v.unit + `", ` + doc + `}) { village { id } } }`
		}},
		{"assignVillageCell", func(v ids4) string {
			return `mutation { assignVillageCell(input: {villageId: "` + v.village + `", cellId: "` + own + `", ` + doc + `}) { village { id } } }`
		}},
		{"moveUnit", func(v ids4) string {
			return `mutation { moveUnit(input: {unitId: "` + v.unit + `", parentId: "` + gid("Unit", ids["GL.PK.HP"]) + `", ` + doc + `}) { unit { id } } }`
		}},
		{"createTerm", func(v ids4) string {
			return `mutation { createTerm(input: {unitId: "` + v.unit + `", name: "Khóa I", startsOn: "2025-01-01", endsOn: "2030-01-01"}) { term { id } } }`
		}},
	}
	blank := func(r gqlResponse, v ids4) string {
		b, _ := json.Marshal(map[string]any{"data": r.Data, "errors": r.Errors})
		s := string(b)
		for _, x := range []string{v.unit, v.person, v.cand, v.village, "GL.PK.HT.000", "GL.PK.HT.999"} {
			s = strings.ReplaceAll(s, x, "…")
		}
		return s
	}
	for _, op := range ops {
		a, b := f.query(tok, op.q(there), nil), f.query(tok, op.q(nowhere), nil)
		sa, sb := blank(a, there), blank(b, nowhere)
		if sa != sb {
			t.Errorf("%s: out of scope and missing differ:\n  out of scope: %s\n  missing:      %s", op.name, sa, sb)
		}
		for _, e := range a.Errors {
			for _, bad := range []string{"person", "case", "candidate", "village", "unit", "course", "term"} {
				if strings.Contains(strings.ToLower(e.Message), " "+bad) {
					t.Errorf("%s: English noun %q in %q", op.name, bad, e.Message)
				}
			}
		}
	}
}
