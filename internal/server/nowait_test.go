package server_test

import (
	"testing"

	"ptdv/graph"
)

// The screens' nested fields are announced by their parent lists (or root lookups), so no load waits for
// a batching timer: an idle server answers a nested page without a fixed wait per level. Not parallel:
// the counter is the process's.
func TestScreensLoadWithoutTimedWaits(t *testing.T) {
	f, board, ward := unitPageFixture(t, 12)
	r := f.query(board, `query($u: ID!) { unit(id: $u) { candidates(first: 1) { nodes { id } } } }`, map[string]any{"u": ward})
	if len(r.Errors) > 0 {
		t.Fatal(r.Errors)
	}
	caseID := r.Data["unit"].(map[string]any)["candidates"].(map[string]any)["nodes"].([]any)[0].(map[string]any)["id"]
	for name, q := range map[string]string{
		"unit page": `query($u: ID!) { unit(id: $u) { code name parent { name parent { name } } childCount
			children(first: 50) { totalCount nodes { code name childCount parent { code } } }
			memberCounts { status count } } }`,
		"candidates": `query($u: ID!) { unit(id: $u) { candidates(first: 50) { totalCount nodes { id stage
			person { fullName unit { name } } cell { name parent { name } } helper { fullName }
			sponsors { person { fullName } } nextDue { kind dueOn } } } } }`,
		"due list": `query($u: ID!) { unit(id: $u) { dueList(first: 50) { totalCount nodes { kind dueOn
			candidate { id person { fullName } cell { name } } } } } }`,
		"case page": `query($c: ID!) { candidate(id: $c) { stage person { fullName unit { name } } cell { name }
			history { kind effective } dues { kind dueOn } sponsors { person { fullName } } helper { fullName } } }`,
		"nodes": `query($u: ID!, $c: ID!) { nodes(ids: [$u, $c]) { id ... on Candidate { person { fullName } } ... on Unit { parent { name } } } }`,
	} {
		before := graph.TimedLoads.Load()
		r := f.query(board, q, map[string]any{"u": ward, "c": caseID})
		if len(r.Errors) > 0 {
			t.Fatalf("%s: %v", name, r.Errors)
		}
		if n := graph.TimedLoads.Load() - before; n != 0 {
			t.Errorf("%s: %d loads waited for the batch timer", name, n)
		}
	}
	// A field no list announces still batches through the timer: the counter sees it.
	before := graph.TimedLoads.Load()
	r = f.query(board, `query($u: ID!) { unit(id: $u) { targets(first: 5) { nodes { unit { name } } } } }`, map[string]any{"u": ward})
	if len(r.Errors) > 0 {
		t.Fatal(r.Errors)
	}
	if graph.TimedLoads.Load() == before {
		t.Errorf("the targets' units did not go through the batching loader")
	}
}
