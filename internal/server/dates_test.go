package server_test

import "testing"

// Dates before 1900 (year 0 included) are INVALID_INPUT wherever a date comes in (progress and
// childrenProgress answered INTERNAL for asOf "0001-01-01"), and a person's age before their birth date
// is an error, not a negative number.
func TestDatesOutOfRangeAreInvalidInput(t *testing.T) {
	t.Parallel()
	f, ids := seeded(t, 1)
	p := mkPerson(t, f.db.App, "Rơ Châm Hơn", ids["GL.PK.HT.000"], "1999-02-03")
	tok := f.token("board", "GL")
	u := gid("Unit", ids["GL"])
	for _, c := range []struct{ name, q string }{
		{"progress year 1", `query($u: ID!) { progress(unitId: $u, periodKind: YEAR, asOf: "0001-01-01") { admitted } }`},
		{"childrenProgress year 1", `query($u: ID!) { childrenProgress(unitId: $u, periodKind: YEAR, asOf: "0001-01-01", first: 5) { edges { cursor } } }`},
		{"progress 1899", `query($u: ID!) { progress(unitId: $u, periodKind: YEAR, asOf: "1899-12-31") { admitted } }`},
		{"unit 2200", `query($u: ID!) { unit(id: $u, asOf: "2200-01-01") { code } }`},
		{"age before birth", `query($u: ID!, $p: ID!) { unit(id: $u) { code } person(id: $p) { age(asOf: "1999-02-02") } }`},
	} {
		r := f.query(tok, c.q, map[string]any{"u": u, "p": gid("Person", p)})
		if r.code() != "INVALID_INPUT" {
			t.Errorf("%s: %d %+v", c.name, r.status, r.Errors)
		}
		for _, e := range r.Errors {
			if e.Extensions["code"] == "INTERNAL" {
				t.Errorf("%s: INTERNAL %+v", c.name, e)
			}
		}
	}
	r := f.query(tok, `query($p: ID!) { person(id: $p) { a: age(asOf: "1999-02-03") b: age(asOf: "2025-02-02") } }`, map[string]any{"p": gid("Person", p)})
	if pr, _ := r.Data["person"].(map[string]any); pr == nil || pr["a"] != 0.0 || pr["b"] != 25.0 {
		t.Errorf("ages: %+v %+v", r.Data, r.Errors)
	}
}
