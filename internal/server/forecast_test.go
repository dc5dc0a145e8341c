package server_test

import (
	"context"
	"testing"
)

// TestForecastThroughGraphQL reads published forecasts (reporting.forecast) through forecast and
// atRisk: children least likely to meet their target first, and nothing outside the caller's scope.
func TestForecastThroughGraphQL(t *testing.T) {
	t.Parallel()
	f, ids := seeded(t, 2)
	board := f.token("board", "GL")
	tids := map[string]string{}
	for _, u := range []string{"GL.PK.HT", "GL.PK.HP"} {
		r := f.query(board, `mutation($u: ID!) { setTarget(input: {unitId: $u, periodKind: YEAR, year: 2026, kind: COUNT, count: 10}) { target { id } } }`,
			map[string]any{"u": gid("Unit", ids[u])})
		if len(r.Errors) > 0 {
			t.Fatal(r.Errors)
		}
		tids[u] = r.Data["setTarget"].(map[string]any)["target"].(map[string]any)["id"].(string)
	}
	ctx := context.Background()
	for u, p := range map[string]float64{"GL.PK.HT": 0.7, "GL.PK.HP": 0.2} {
		if _, err := f.db.Owner.ExecContext(ctx, `INSERT INTO reporting.forecast (run_id, as_of, target_id, unit_id, period_kind, period_start, period_end,
			admitted, pending, pipeline, fresh, expected, lo80, hi80, lo95, hi95, target, p_meet, shortfall, explanation)
			SELECT 'r1', '2026-06-30', t.id, t.unit_id, 'year', '2026-01-01', '2026-12-31', 4, 1, 3.5, 1.5, 10, 8, 12, 6, 14, 10, ?, 1.2, 'Đã kết nạp 4.'
			FROM target t WHERE t.unit_id = ?`, p, ids[u]); err != nil {
			t.Fatal(err)
		}
	}
	r := f.query(board, `query($u: ID!) { atRisk(unitId: $u, periodKind: YEAR) { unit { code } target { id } asOf period { kind start end }
		admitted expected low80 high80 low95 high95 fromPending fromPipeline fromNewSources targetCount probabilityToMeet expectedShortfall explanation runId } }`,
		map[string]any{"u": gid("Unit", ids["GL.PK"])})
	if len(r.Errors) > 0 {
		t.Fatal(r.Errors)
	}
	list := r.Data["atRisk"].([]any)
	if len(list) != 2 {
		t.Fatalf("atRisk = %v", list)
	}
	first := list[0].(map[string]any)
	if first["unit"].(map[string]any)["code"] != "GL.PK.HP" || first["probabilityToMeet"].(float64) != 0.2 || first["low80"].(float64) != 8 ||
		first["target"].(map[string]any)["id"] != tids["GL.PK.HP"] || first["explanation"] != "Đã kết nạp 4." || first["asOf"] != "2026-06-30" ||
		first["period"].(map[string]any)["kind"] != "YEAR" || first["fromNewSources"].(float64) != 1.5 {
		t.Errorf("first at risk = %v", first)
	}
	q := `query($u: ID!, $t: ID!) { forecast(unitId: $u, targetId: $t) { expected targetCount unit { code } } }`
	r = f.query(board, q, map[string]any{"u": gid("Unit", ids["GL.PK.HT"]), "t": tids["GL.PK.HT"]})
	if len(r.Errors) > 0 || r.Data["forecast"].(map[string]any)["unit"].(map[string]any)["code"] != "GL.PK.HT" {
		t.Fatalf("forecast = %+v", r)
	}
	// A ward's board sees neither its sibling's forecast nor its parent's children.
	ward := f.token("board", "GL.PK.HT")
	r = f.query(ward, q, map[string]any{"u": gid("Unit", ids["GL.PK.HP"]), "t": tids["GL.PK.HP"]})
	if len(r.Errors) > 0 || r.Data["forecast"] != nil {
		t.Errorf("sibling's forecast = %+v", r)
	}
	r = f.query(ward, `query($u: ID!) { atRisk(unitId: $u, periodKind: YEAR) { expected } }`, map[string]any{"u": gid("Unit", ids["GL.PK"])})
	if r.code() != "NOT_FOUND" {
		t.Errorf("parent's children from a ward = %+v", r)
	}
}
