package server_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// unitPageFixture: a ward with three cells, two full members and n candidate cases in its first cell,
// a year target and a term.
func unitPageFixture(t *testing.T, n int) (*testServer, string, string) {
	f, ids := seeded(t, 3)
	cell := ids["GL.PK.HT.000"]
	s1, s2 := mkMember(t, f.db.App, "Trần Văn Giới", cell), mkMember(t, f.db.App, "Lê Thị Thiệu", cell)
	cases(t, f.db.App, cell, n, s1, s2)
	board := f.token("board", "GL")
	ward := gid("Unit", ids["GL.PK.HT"])
	for _, m := range []string{
		`mutation($u: ID!) { setTarget(input: {unitId: $u, periodKind: YEAR, year: 2026, kind: COUNT, count: 20}) { target { id } } }`,
		`mutation($u: ID!) { setTarget(input: {unitId: $u, periodKind: YEAR, year: 2025, kind: COUNT, count: 12}) { target { id } } }`,
		`mutation($u: ID!) { createTerm(input: {unitId: $u, name: "Nhiệm kỳ 2025–2030", startsOn: "2025-10-01", endsOn: "2030-09-30"}) { term { id } } }`,
		`mutation($u: ID!) { createVillage(input: {code: "HT.TDP1", name: "Tổ dân phố 1", kind: RESIDENTIAL_GROUP, communeId: $u, document: {effective: "2015-01-01"}}) { village { id } } }`,
		`mutation($u: ID!) { createVillage(input: {code: "HT.TDP2", name: "Tổ dân phố 2", kind: RESIDENTIAL_GROUP, communeId: $u, document: {effective: "2015-01-01"}}) { village { id } } }`,
	} {
		if r := f.query(board, m, map[string]any{"u": ward}); len(r.Errors) > 0 {
			t.Fatal(r.Errors)
		}
	}
	return f, board, ward
}

// The selections each field returns, shared by the unit page and the top-level queries.
const (
	selProgress = `{ admitted targetCount period { kind start end } targetSource }`
	selChild    = `{ unit { code } progress { admitted targetCount } }`
	selCase     = `{ id stage stageLabel person { fullName } }`
	selDue      = `{ kind dueOn overdue rule candidate { id } }`
	selTarget   = `{ id count period { start } }`
)

// A unit page is one query, and returns what the seven top-level queries keyed by unitId return.
func TestUnitPageIsOneQueryWithTheTopLevelData(t *testing.T) {
	t.Parallel()
	f, board, ward := unitPageFixture(t, 7)
	vars := map[string]any{"u": ward}
	page := f.query(board, `query($u: ID!) { unit(id: $u) { code
		progress(periodKind: YEAR) `+selProgress+`
		childrenProgress(periodKind: YEAR, first: 10) { totalCount nodes `+selChild+` }
		candidates(first: 50) { totalCount nodes `+selCase+` }
		dueList(first: 50) { totalCount nodes `+selDue+` }
		memberCounts { status count }
		terms { id name }
		targets(first: 10) { totalCount nodes `+selTarget+` } } }`, vars)
	if len(page.Errors) > 0 {
		t.Fatal(page.Errors)
	}
	u := page.Data["unit"].(map[string]any)
	top := f.query(board, `query($u: ID!) {
		progress(unitId: $u, periodKind: YEAR) `+selProgress+`
		childrenProgress(unitId: $u, periodKind: YEAR, first: 10) { totalCount edges { node `+selChild+` } }
		candidates(filter: {unitId: $u}, first: 50) { totalCount edges { node `+selCase+` } }
		dueList(unitId: $u, first: 50) { totalCount edges { node `+selDue+` } }
		memberCounts(unitId: $u) { status count }
		terms(unitId: $u) { id name }
		targets(unitId: $u, first: 10) { totalCount edges { node `+selTarget+` } } }`, vars)
	if len(top.Errors) > 0 {
		t.Fatal(top.Errors)
	}
	// The top-level connections are read through edges, the unit's through nodes: they must agree.
	for _, k := range []string{"childrenProgress", "candidates", "dueList", "targets"} {
		c := top.Data[k].(map[string]any)
		var nodes []any
		for _, e := range c["edges"].([]any) {
			nodes = append(nodes, e.(map[string]any)["node"])
		}
		top.Data[k] = map[string]any{"totalCount": c["totalCount"], "nodes": nodes}
	}
	for _, k := range []string{"progress", "childrenProgress", "candidates", "dueList", "memberCounts", "terms", "targets"} {
		if !reflect.DeepEqual(u[k], top.Data[k]) {
			a, _ := json.Marshal(u[k])
			b, _ := json.Marshal(top.Data[k])
			t.Errorf("%s: unit page %s, top level %s", k, a, b)
		}
	}
	// And the data is what the testServer holds, not two equal empties.
	count := func(k string) (total, items int) {
		c := u[k].(map[string]any)
		return int(c["totalCount"].(float64)), len(c["nodes"].([]any))
	}
	for k, want := range map[string]int{"childrenProgress": 3, "candidates": 7, "targets": 2} {
		if total, items := count(k); total != want || items != want {
			t.Errorf("%s: totalCount %d, %d nodes, want %d", k, total, items, want)
		}
	}
	if total, items := count("dueList"); total < 7 || total != items {
		t.Errorf("dueList: totalCount %d, %d nodes, want at least 7 and equal", total, items)
	}
	if got := fmt.Sprint(u["memberCounts"]); got != "[map[count:0 status:PROBATIONARY] map[count:2 status:FULL] map[count:0 status:EXEMPTED] map[count:0 status:TEMPORARILY_AWAY]]" {
		t.Errorf("memberCounts = %s", got)
	}
	if ts := u["terms"].([]any); len(ts) != 1 || ts[0].(map[string]any)["name"] != "Nhiệm kỳ 2025–2030" {
		t.Errorf("terms = %v", ts)
	}

	// Bad input: the unit of Unit.candidates is the unit itself; a unitId in its filter is refused.
	r := f.query(board, `query($u: ID!) { unit(id: $u) { candidates(filter: {unitId: $u}, first: 5) { totalCount } } }`, vars)
	if r.code() != "INVALID_INPUT" {
		t.Errorf("filter.unitId in Unit.candidates: %+v", r)
	}
	// Scope: another ward's secretary gets no unit, so none of its fields.
	r = f.query(f.token("secretary", "GL.PK.HP"), `query($u: ID!) { unit(id: $u) { code candidates(first: 5) { totalCount } } }`, vars)
	if len(r.Errors) > 0 || r.Data["unit"] != nil {
		t.Errorf("out of scope: %+v", r)
	}
}

// totalCount is the number of items a client gets by paging to the end, on every page.
func TestTotalCountMatchesPagingThrough(t *testing.T) {
	t.Parallel()
	f, board, ward := unitPageFixture(t, 11)
	// On the unit: "unit(id: $u) { c: field }"; at the top level: "top: c: field" (the unit is $u where used).
	const sel = ` { totalCount nodes { __typename } pageInfo { hasNextPage endCursor } }`
	for _, field := range []string{
		`candidates(first: 3, after: $a)`,
		`candidates(filter: {text: "ksor"}, first: 1, after: $a)`,
		`dueList(first: 4, after: $a)`,
		`childrenProgress(periodKind: YEAR, first: 2, after: $a)`,
		`targets(first: 1, after: $a)`,
		`children(first: 2, after: $a)`,
		`ancestors(first: 1, after: $a)`,
		`villages(first: 1, after: $a)`,
		`operations(first: 1, after: $a)`,
		`top: rootUnits(first: 1, after: $a)`,
		`top: searchUnits(text: "chi bo", first: 3, after: $a)`,
		`top: persons(unitId: $u, first: 4, after: $a)`,
		`top: unit(code: "GL") { c: descendants(first: 3, after: $a)` + sel + ` }`,
	} {
		var after any
		items, pages, total := 0, 0, -1
		for {
			q := `query($u: ID!, $a: String) { unit(id: $u) { c: ` + field + sel + ` } }`
			if top, ok := strings.CutPrefix(field, "top: "); ok {
				q = `query($u: ID!, $a: String) { c: ` + top + sel + ` }`
				if strings.Contains(top, "descendants") {
					q = `query($u: ID!, $a: String) { x: ` + top + ` }`
				}
			}
			vars := map[string]any{"u": ward, "a": after}
			if strings.Count(q, "$u") == 1 { // declared, never used
				q, vars = strings.Replace(q, "$u: ID!, ", "", 1), map[string]any{"a": after}
			}
			r := f.query(board, q, vars)
			if len(r.Errors) > 0 {
				t.Fatalf("%s: %v", field, r.Errors)
			}
			c, _ := r.Data["c"].(map[string]any)
			for _, k := range []string{"unit", "x"} {
				if u, ok := r.Data[k].(map[string]any); ok {
					c = u["c"].(map[string]any)
				}
			}
			n := int(c["totalCount"].(float64))
			if total >= 0 && n != total {
				t.Errorf("%s: totalCount %d on page %d, %d before", field, n, pages, total)
			}
			total = n
			items += len(c["nodes"].([]any))
			pages++
			pi := c["pageInfo"].(map[string]any)
			if pi["hasNextPage"] != true {
				break
			}
			after = pi["endCursor"]
		}
		if items != total || total == 0 || pages < 2 && total > 1 {
			t.Errorf("%s: %d items over %d pages, totalCount %d", field, items, pages, total)
		}
		t.Logf("%s: %d items over %d pages", field, items, pages)
	}
}

// The unit page costs a constant number of SQL queries, whatever its page size.
func TestUnitPageQueryCountIsConstant(t *testing.T) {
	t.Parallel()
	f, board, ward := unitPageFixture(t, 55)
	q := `query($u: ID!, $n: Int!) { unit(id: $u) { code name kindLabel parent { name } childCount
		progress(periodKind: YEAR) { admitted targetCount percentDone }
		childrenProgress(periodKind: YEAR, first: $n) { totalCount nodes { unit { code name } progress { admitted } } }
		candidates(first: $n) { totalCount nodes { id stage person { fullName } cell { name } nextDue { kind dueOn } } }
		dueList(first: $n) { totalCount nodes { kind dueOn candidate { id } } }
		memberCounts { status count }
		terms { name }
		targets(first: 5) { nodes { count } } } }`
	counts := map[int]int{}
	var queries []string
	for _, n := range []int{5, 50} {
		// The fewest queries of five tries, as in TestPageQueryCountIsConstant: a loaded machine may
		// split a dataloader's batch in two, a query per row would show in every try.
		for try := 0; try < 5; try++ {
			f.qc.Reset()
			r := f.query(board, q, map[string]any{"u": ward, "n": n})
			if len(r.Errors) > 0 {
				t.Fatal(r.Errors)
			}
			u := r.Data["unit"].(map[string]any)
			if got := len(u["candidates"].(map[string]any)["nodes"].([]any)); got != n {
				t.Fatalf("%d candidates, want %d", got, n)
			}
			if got := len(u["dueList"].(map[string]any)["nodes"].([]any)); got != n {
				t.Fatalf("%d due items, want %d", got, n)
			}
			if c := f.qc.Count(); try == 0 || c < counts[n] {
				counts[n], queries = c, f.qc.Queries()
			}
		}
		t.Logf("unit page with pages of %d: %d SQL queries", n, counts[n])
	}
	// Concurrent sibling fields may both miss a per-request cache (the measure table, a scope check)
	// and read it twice, and the progress counts take a second connection only when one is free (with
	// its BEGIN, SET LOCAL, COMMIT), so two runs of the same page can differ by a few statements; a
	// query per row would add 45.
	if d := counts[50] - counts[5]; d > 8 || d < -8 {
		t.Errorf("queries for 5: %d, for 50: %d; %q", counts[5], counts[50], queries)
	}
}
