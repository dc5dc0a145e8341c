package org_test

import (
	"context"
	"testing"
	"time"

	"ptdv/internal/fixture"
	"ptdv/internal/org"
	"ptdv/internal/page"
	"ptdv/internal/pgtest"
)

// nationalTree fills a database with a tree of the national size in DOMAIN.md: 34 provinces,
// 3,321 communes and 48,679 other grassroots committees (52,000 grassroots organizations), and
// 400,000 cells under them: 452,034 units. Built with set-based SQL, not the API, for speed.
func nationalTree(b *testing.B) *pgtest.DB {
	b.Helper()
	d := pgtest.New(b)
	start := time.Now()
	_, err := d.Owner.ExecContext(context.Background(), `
		INSERT INTO org_operation (id, kind, effective, recorded_by) OVERRIDING SYSTEM VALUE VALUES (1, 'create', '2015-01-01', 'bench');
		INSERT INTO org_unit (id, code, kind, sector, valid_from, created_op) OVERRIDING SYSTEM VALUE
			SELECT i, 'P' || i, 'province', 'territorial', '2015-01-01'::date, 1 FROM generate_series(1, 34) i
			UNION ALL SELECT 1000 + i, 'G' || i, 'grassroots_committee', CASE WHEN i <= 3321 THEN 'territorial' ELSE 'state_agency' END, '2015-01-01', 1 FROM generate_series(1, 52000) i
			UNION ALL SELECT 100000 + i, 'C' || i, 'cell', 'territorial', '2015-01-01', 1 FROM generate_series(1, 400000) i;
		INSERT INTO org_unit_name (unit_id, name, valid_from, op_id)
			SELECT id, CASE kind WHEN 'province' THEN 'Đảng bộ tỉnh số ' WHEN 'cell' THEN 'Chi bộ thôn Đồng ' ELSE 'Đảng bộ xã Hòa ' END || id, '2015-01-01', 1 FROM org_unit;
		INSERT INTO org_link (unit_id, parent_id, path, valid_from, op_id)
			SELECT i, NULL, i::text::ltree, '2015-01-01', 1 FROM generate_series(1, 34) i;
		INSERT INTO org_link (unit_id, parent_id, path, valid_from, op_id)
			SELECT 1000 + i, 1 + i % 34, ((1 + i % 34) || '.' || (1000 + i))::ltree, '2015-01-01', 1 FROM generate_series(1, 52000) i;
		INSERT INTO org_link (unit_id, parent_id, path, valid_from, op_id)
			SELECT 100000 + i, g, (p.path::text || '.' || (100000 + i))::ltree, '2015-01-01', 1
			FROM generate_series(1, 400000) i, LATERAL (SELECT (1001 + (i::bigint * 7919) % 52000)::bigint AS g) x
			JOIN org_link p ON p.unit_id = x.g;
		ANALYZE;`)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("national tree built in %s", time.Since(start).Round(time.Millisecond))
	return d
}

// BenchmarkNationalTree measures the tree reads on a tree of national size. Province 1 holds
// ≈ 1,530 committees and ≈ 11,800 cells.
func BenchmarkNationalTree(b *testing.B) {
	d := nationalTree(b)
	ctx := fixture.System()
	on := fixture.Day("2026-01-01")
	first := page.Args{First: 100}
	b.Run("descendants-of-province-first-100", func(b *testing.B) {
		for b.Loop() {
			p, err := org.Descendants(ctx, d.App, 1, on, org.Filter{}, first)
			if err != nil || len(p.Items) != 100 {
				b.Fatal(err, len(p.Items))
			}
		}
	})
	b.Run("count-subtree-of-province", func(b *testing.B) {
		for b.Loop() {
			m, err := org.CountDescendants(ctx, d.App, 1, on)
			if err != nil || m["cell"] < 10000 {
				b.Fatal(err, m)
			}
		}
	})
	b.Run("children-of-province-first-100", func(b *testing.B) {
		for b.Loop() {
			if _, err := org.Children(ctx, d.App, 1, on, org.Filter{}, first); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("search-by-name", func(b *testing.B) {
		for b.Loop() {
			if _, err := org.Search(ctx, d.App, "hoa 1234", on, false, org.Filter{}, first); err != nil {
				b.Fatal(err)
			}
		}
	})
	sc := actorForTB(b, d, "board", "G1")
	b.Run("scoped-descendants-of-commune", func(b *testing.B) {
		for b.Loop() {
			p, err := org.Descendants(sc, d.App, 1001, on, org.Filter{}, first)
			if err != nil || len(p.Items) == 0 {
				b.Fatal(err)
			}
		}
	})
}
