package server_test

import (
	"slices"
	"testing"
)

// Fixed sets are enums: the values come back as enum values, the domain's codes are not accepted as
// strings any more, and the code lists are named by an enum too.
func TestEnumsOfFixedSets(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	ids := seed(t, f.db.App, 1)
	board := f.token("board", "GL.PK.HT")
	r := f.query(board, `{ viewer { role } codeList(list: SEX) { code } }`, nil)
	if len(r.Errors) > 0 {
		t.Fatal(r.Errors)
	}
	if role := r.Data["viewer"].(map[string]any)["role"]; role != "BOARD" {
		t.Errorf("role = %v", role)
	}
	var codes []string
	for _, c := range r.Data["codeList"].([]any) {
		codes = append(codes, c.(map[string]any)["code"].(string))
	}
	if !slices.Equal(codes, []string{"male", "female"}) {
		t.Errorf("sex codes = %v", codes)
	}
	// The old string forms are refused before anything runs, with a code.
	for _, q := range []string{
		`{ candidates(filter: {sex: "female"}, first: 1) { totalCount } }`,
		`{ codeList(list: "sex") { code } }`,
		`mutation($p: ID!) { recordMemberEvent(input: {personId: $p, kind: "deceased", effective: "2025-03-15", document: "x"}) { person { id } } }`,
	} {
		r := f.query(board, q, map[string]any{"p": gid("Person", 1)})
		if r.code() != "INVALID_INPUT" || r.Errors[0].Extensions["reason"] != "GRAPHQL_VALIDATION_FAILED" || len(r.Data) > 0 {
			t.Errorf("%s: %+v", q, r)
		}
	}
	// An enum value the domain code of which is a member event kind round-trips: a death recorded as
	// DECEASED comes back as DECEASED in the person's events.
	m := mkMember(t, f.db.App, "Võ Văn Mất", ids["GL.PK.HT.000"])
	r = f.query(board, `mutation($p: ID!) { recordMemberEvent(input: {personId: $p, kind: DECEASED, effective: "2025-03-15", document: "GCT 4"}) { person { id } } }`,
		map[string]any{"p": gid("Person", m)})
	if len(r.Errors) > 0 {
		t.Fatal(r.Errors)
	}
	r = f.query(f.token("admin", ""), `query($p: ID!) { person(id: $p) { memberEvents { kind } } }`, map[string]any{"p": gid("Person", m)})
	if len(r.Errors) > 0 {
		t.Fatal(r.Errors)
	}
	var kinds []string
	for _, e := range r.Data["person"].(map[string]any)["memberEvents"].([]any) {
		kinds = append(kinds, e.(map[string]any)["kind"].(string))
	}
	if !slices.Contains(kinds, "DECEASED") {
		t.Errorf("member event kinds = %v", kinds)
	}
}
