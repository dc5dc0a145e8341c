package auth_test

import (
	"context"
	"os"
	"testing"

	"github.com/golang-jwt/jwt/v5"

	"ptdv/internal/auth"
	"ptdv/internal/db"
	"ptdv/internal/page"
	"ptdv/internal/people"
	"ptdv/internal/vn"
)

// The scope's cost on a seeded database (opt-in: PTDV_BENCH_SCOPE_URL, the owner's URL of a database
// filled by `ptdv seed --scale province`): resolving a token with the ended units cached and cold, and
// the first page of persons of a commune formed by a merger (its scope has heirs).
func BenchmarkScope(b *testing.B) {
	url := os.Getenv("PTDV_BENCH_SCOPE_URL")
	if url == "" {
		b.Skip("PTDV_BENCH_SCOPE_URL is not set")
	}
	ctx := context.Background()
	d, err := db.Open(ctx, url, db.Options{AppRole: true})
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	var province, commune string
	if err := d.NewRaw(`SELECT code FROM org_unit WHERE kind = 'province' AND valid_to IS NULL ORDER BY id LIMIT 1`).Scan(ctx, &province); err != nil {
		b.Fatal(err)
	}
	if err := d.NewRaw(`SELECT u.code FROM org_unit u WHERE u.kind = 'grassroots_committee' AND u.valid_to IS NULL
		AND EXISTS (SELECT 1 FROM org_lineage g WHERE g.successor_id = u.id) ORDER BY u.id LIMIT 1`).Scan(ctx, &commune); err != nil {
		b.Fatal(err)
	}
	claims := func(unit string) auth.Claims {
		return auth.Claims{Role: "board", Unit: unit, RegisteredClaims: jwt.RegisteredClaims{Subject: "bench"}}
	}
	today := vn.Today()
	b.Run("select-1", func(b *testing.B) { // the round trip, for scale
		for b.Loop() {
			var one int
			if err := d.NewRaw(`SELECT 1`).Scan(ctx, &one); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("resolve/cached", func(b *testing.B) {
		for b.Loop() {
			if _, err := auth.ResolveOn(ctx, d, claims(province), today); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("resolve/cold", func(b *testing.B) {
		for b.Loop() {
			auth.ResetEndedCache()
			if _, err := auth.ResolveOn(ctx, d, claims(province), today); err != nil {
				b.Fatal(err)
			}
		}
	})
	a, err := auth.ResolveOn(ctx, d, claims(commune), today)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("province %s: commune %s has %d heirs", province, commune, len(a.Scope().Heirs))
	actx := auth.WithActor(ctx, a)
	b.Run("persons/merged-commune", func(b *testing.B) {
		for b.Loop() {
			if pg, err := people.Search(actx, d, people.Filter{}, page.Args{First: 50}); err != nil || len(pg.Items) == 0 {
				b.Fatal(pg, err)
			}
		}
	})
}
