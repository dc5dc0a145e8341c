package seed

import (
	"testing"
)

// TestReformCommunes builds the hierarchy in memory (no database) and counts what the 2025 reform
// leaves: 34 provinces and exactly 3,321 commune committees at national scale, as DOMAIN.md has it, and
// the same share of the communes (3,321 of 10,035) at province scale; no district.
func TestReformCommunes(t *testing.T) {
	t.Parallel()
	for _, scale := range []string{"national", "province"} {
		p, err := newPlan(scale)
		if err != nil {
			t.Fatal(err)
		}
		b := newBuilder(p, 1, mkday(2016, 1, 1), dayOf(testToday))
		b.build()
		want := communesAfter
		if scale != "national" {
			want = (b.communesBefore*communesAfter + nationalCommunes/2) / nationalCommunes
		}
		var communes, provinces, districts int
		for _, u := range b.t.units {
			switch {
			case !u.alive():
			case u.kind == "province":
				provinces++
			case u.kind == "district":
				districts++
			case u.kind == "grassroots_committee" && u.sector == "territorial":
				communes++
			}
		}
		t.Logf("%s: %d communes before the reform, %d after; %d provinces, %d territorial committees today",
			scale, b.communesBefore, b.newCommunes, provinces, communes)
		if b.newCommunes != want || communes != want {
			t.Errorf("%s: the reform leaves %d communes (%d alive today), want %d", scale, b.newCommunes, communes, want)
		}
		if districts != 0 {
			t.Errorf("%s: %d districts alive after the reform", scale, districts)
		}
		if scale == "national" && provinces != 34 {
			t.Errorf("national: %d provinces, want 34", provinces)
		}
	}
}
