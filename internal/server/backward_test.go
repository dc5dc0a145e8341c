package server_test

import (
	"fmt"
	"slices"
	"testing"

	"ptdv/internal/fixture"
	"ptdv/internal/org"
)

// A unit's operations are newest first; last/before reads them from the oldest, page by page, in the
// same order, with hasPreviousPage while older ones remain.
func TestOperationsBackward(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	ids := seed(t, f.db.App, 1)
	cell := ids["GL.PK.HT.000"]
	for i := 1; i <= 4; i++ { // the creation and four renames: five operations
		if _, err := org.Rename(fixture.System(), f.db.App, cell, fmt.Sprintf("Chi bộ số %d", i),
			org.Doc{Effective: fixture.Day(fmt.Sprintf("2020-0%d-01", i)), Document: fmt.Sprintf("QĐ %d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	tok := f.token("board", "GL.PK.HT")
	read := func(args string, vars map[string]any) (docs []string, pi map[string]any) {
		t.Helper()
		vars["u"] = gid("Unit", cell)
		r := f.query(tok, `query($u: ID!, $b: String) { unit(id: $u) { operations(`+args+`) {
			nodes { document } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } } }`, vars)
		if len(r.Errors) > 0 {
			t.Fatalf("%s: %v", args, r.Errors)
		}
		c := r.Data["unit"].(map[string]any)["operations"].(map[string]any)
		for _, n := range c["nodes"].([]any) {
			docs = append(docs, n.(map[string]any)["document"].(string))
		}
		return docs, c["pageInfo"].(map[string]any)
	}
	all, _ := read(`first: 10, after: $b`, map[string]any{"b": nil})
	if len(all) != 5 || all[0] != "QĐ 4" {
		t.Fatalf("forward = %v", all)
	}
	last2, pi := read(`last: 2, before: $b`, map[string]any{"b": nil})
	if !slices.Equal(last2, all[3:]) || pi["hasPreviousPage"] != true || pi["hasNextPage"] != false {
		t.Errorf("last 2 = %v %v, want %v", last2, pi, all[3:])
	}
	prev, pi := read(`last: 2, before: $b`, map[string]any{"b": pi["startCursor"]})
	if !slices.Equal(prev, all[1:3]) || pi["hasPreviousPage"] != true {
		t.Errorf("the 2 before = %v %v, want %v", prev, pi, all[1:3])
	}
	first, pi := read(`last: 2, before: $b`, map[string]any{"b": pi["startCursor"]})
	if !slices.Equal(first, all[:1]) || pi["hasPreviousPage"] != false {
		t.Errorf("the newest = %v %v, want %v", first, pi, all[:1])
	}
	for args, field := range map[string]string{
		`first: 2, last: 2`:        "last",
		`last: 101`:                "last",
		`last: 2, before: "nope!"`: "before",
		`before: "azo"`:            "last", // before without last outside dev mode
	} {
		r := f.query(tok, `query($u: ID!) { unit(id: $u) { operations(`+args+`) { totalCount } } }`, map[string]any{"u": gid("Unit", cell)})
		if r.code() != "INVALID_INPUT" || r.Errors[0].Extensions["field"] != field {
			t.Errorf("%s: %+v", args, r.Errors)
		}
	}
}
