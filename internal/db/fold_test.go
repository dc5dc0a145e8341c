package db_test

import (
	"strings"
	"testing"

	"ptdv/internal/pgtest"
)

// TestFoldInlined: ptdv_fold (migration 0029) folds as unaccent does, and PostgreSQL inlines it (the
// plan calls ptdv_unaccent, not ptdv_fold), in a query as in the name indexes, which still serve the
// searches.
func TestFoldInlined(t *testing.T) {
	ctx, d := parallel(t, pgtest.New)
	for _, s := range []string{"Tam Dương", "Đắk Lắk", "NGUYỄN THỊ Ánh", "Hòa Bình", "ưƯơƠăĂâÂêÊôÔđĐ", "", "a  b"} {
		var got, want string
		if err := d.Owner.NewRaw(`SELECT ptdv_fold(?), lower(unaccent('public.unaccent'::regdictionary, ?))`, s, s).Scan(ctx, &got, &want); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("ptdv_fold(%q) = %q, unaccent folds it to %q", s, got, want)
		}
	}
	var plan []string
	if err := d.App.NewRaw(`EXPLAIN (VERBOSE, COSTS OFF) SELECT ptdv_fold(full_name) FROM person`).Scan(ctx, &plan); err != nil {
		t.Fatal(err)
	}
	if p := strings.Join(plan, "\n"); !strings.Contains(p, "ptdv_unaccent") || strings.Contains(p, "ptdv_fold") {
		t.Errorf("ptdv_fold is not inlined:\n%s", p)
	}
	tx, err := d.Owner.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `SET LOCAL enable_seqscan = off`); err != nil {
		t.Fatal(err)
	}
	plan = nil
	if err := tx.NewRaw(`EXPLAIN (COSTS OFF) SELECT id FROM person WHERE ptdv_fold(full_name) ~ ptdv_fold('Dương')`).Scan(ctx, &plan); err != nil {
		t.Fatal(err)
	}
	if p := strings.Join(plan, "\n"); !strings.Contains(p, "person_name_trgm") {
		t.Errorf("the trigram index is not used:\n%s", p)
	}
}
