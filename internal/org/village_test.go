package org_test

import (
	"testing"

	"ptdv/internal/apperr"
	"ptdv/internal/org"
)

// A village belongs to a commune, never to a cell (or a district): the kind's holds_villages row and
// the territorial sector decide; nothing is written on a refusal.
func TestVillageBelongsToACommune(t *testing.T) {
	t.Parallel()
	d, tr, ctx := newTree(t)
	for name, unit := range map[string]int64{"a cell": tr.X, "a district": tr.D, "a province": tr.P} {
		_, err := org.CreateVillage(ctx, d.App, org.NewVillage{Code: "VP.TD.HH.THON1", Name: "Thôn Đồng Bông", Kind: "village", CommuneID: unit}, doc("2016-04-01"))
		if e, ok := apperr.As(err); !ok || e.Code != apperr.RuleViolation || e.Rule != org.RuleVillageCommune {
			t.Errorf("village under %s: %v", name, err)
		}
	}
	var n int
	if err := d.App.NewRaw(`SELECT count(*) FROM village`).Scan(ctx, &n); err != nil || n != 0 {
		t.Fatalf("%d villages written, %v", n, err)
	}
	cell := tr.X
	if _, err := org.CreateVillage(ctx, d.App, org.NewVillage{Code: "VP.TD.HH.THON1", Name: "Thôn Đồng Bông", Kind: "village", CommuneID: tr.C1, CellID: &cell}, doc("2016-04-01")); err != nil {
		t.Fatalf("village of a commune: %v", err)
	}
}
