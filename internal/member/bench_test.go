package member_test

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"ptdv/internal/fixture"
	"ptdv/internal/member"
	"ptdv/internal/page"
	"ptdv/internal/pgtest"
)

// bigProvince fills a database with province 1 (code P1) of ≈ 300,000 members — the size of the
// largest province — through the 2025 reform: before 1 July 2025, 10 districts → 100 communes → 12,000
// cells; from then on the communes merge pairwise into 50 new communes directly under the province, the
// cells move under them and the districts end. Each member has two status spans (probation, then the
// current status: 85 % full, 4 % probationary, 3 % exempted, 2 % temporarily away, 2 % removed, 4 %
// deceased). With PTDV_BENCH_NATIONAL=1 the other 33 provinces are added at the national density
// (≈ 160,000 members each: 5.6 million members in all), so the span table has its national size.
// Built with set-based SQL as the owner, not the API, for speed.
func bigProvince(b *testing.B) *pgtest.DB {
	b.Helper()
	d := pgtest.New(b)
	others := 0
	if os.Getenv("PTDV_BENCH_NATIONAL") == "1" {
		others = 33
	}
	start := time.Now()
	_, err := d.Owner.ExecContext(context.Background(), `
		SET LOCAL synchronous_commit = off;
		-- Generated rows satisfy the foreign keys by construction: skip their per-row checks.
		SET LOCAL session_replication_role = replica;
		-- The name search index is not what this benchmark measures; building it for millions of rows
		-- would dominate the setup.
		DROP INDEX person_name_trgm;
		INSERT INTO org_operation (id, kind, effective, recorded_by) OVERRIDING SYSTEM VALUE VALUES
			(1, 'create', '2015-01-01', 'bench'), (2, 'merge', '2025-07-01', 'bench');
		INSERT INTO org_unit (id, code, kind, sector, valid_from, valid_to, created_op, ended_op) OVERRIDING SYSTEM VALUE
			SELECT i, 'P' || i, 'province', 'territorial', '2015-01-01'::date, NULL::date, 1, NULL::bigint FROM generate_series(1, 1 + `+strconv.Itoa(others)+`) i
			UNION ALL SELECT 100 + i, 'P1.D' || i, 'district', 'territorial', '2015-01-01', '2025-07-01', 1, 2 FROM generate_series(1, 10) i
			UNION ALL SELECT 1000 + i, 'P1.C' || i, 'grassroots_committee', 'territorial', '2015-01-01', '2025-07-01', 1, 2 FROM generate_series(1, 100) i
			UNION ALL SELECT 2000 + i, 'P1.N' || i, 'grassroots_committee', 'territorial', '2025-07-01', NULL, 2, NULL FROM generate_series(1, 50) i
			UNION ALL SELECT 100000 + i, 'P1.X' || i, 'cell', 'territorial', '2015-01-01', NULL, 1, NULL FROM generate_series(1, 12000) i
			UNION ALL SELECT 10000 + i, 'G' || i, 'grassroots_committee', 'territorial', '2015-01-01', NULL, 1, NULL FROM generate_series(1, 100 * `+strconv.Itoa(others)+`) i
			UNION ALL SELECT 200000 + i, 'X' || i, 'cell', 'territorial', '2015-01-01', NULL, 1, NULL FROM generate_series(1, 6400 * `+strconv.Itoa(others)+`) i;
		INSERT INTO org_link (unit_id, parent_id, path, valid_from, valid_to, op_id)
			SELECT i, NULL, i::text::ltree, '2015-01-01'::date, NULL::date, 1 FROM generate_series(1, 1 + `+strconv.Itoa(others)+`) i
			UNION ALL SELECT 100 + i, 1, ('1.' || (100 + i))::ltree, '2015-01-01', '2025-07-01', 1 FROM generate_series(1, 10) i
			UNION ALL SELECT 1000 + i, 101 + (i - 1) / 10, ('1.' || (101 + (i - 1) / 10) || '.' || (1000 + i))::ltree, '2015-01-01', '2025-07-01', 1 FROM generate_series(1, 100) i
			UNION ALL SELECT 2000 + i, 1, ('1.' || (2000 + i))::ltree, '2025-07-01', NULL, 2 FROM generate_series(1, 50) i
			UNION ALL SELECT 100000 + i, c, ('1.' || (101 + (c - 1001) / 10) || '.' || c || '.' || (100000 + i))::ltree, '2015-01-01', '2025-07-01', 1
				FROM generate_series(1, 12000) i, LATERAL (SELECT 1001 + (i - 1) % 100 AS c) x
			UNION ALL SELECT 100000 + i, n, ('1.' || n || '.' || (100000 + i))::ltree, '2025-07-01', NULL, 2
				FROM generate_series(1, 12000) i, LATERAL (SELECT 2001 + ((i - 1) % 100) / 2 AS n) x
			UNION ALL SELECT 10000 + i, p, (p || '.' || (10000 + i))::ltree, '2015-01-01', NULL, 1
				FROM generate_series(1, 100 * `+strconv.Itoa(others)+`) i, LATERAL (SELECT 2 + (i - 1) / 100 AS p) x
			UNION ALL SELECT 200000 + i, g, (p || '.' || g || '.' || (200000 + i))::ltree, '2015-01-01', NULL, 1
				FROM generate_series(1, 6400 * `+strconv.Itoa(others)+`) i, LATERAL (SELECT 2 + (i - 1) / 6400 AS p, 10001 + (i - 1) / 64 AS g) x;
		INSERT INTO org_lineage (op_id, predecessor_id, successor_id, effective)
			SELECT 2, 1000 + i, 2001 + (i - 1) / 2, '2025-07-01' FROM generate_series(1, 100) i;
		-- 25 members per cell.
		INSERT INTO person (id, full_name, sex, birth_date, unit_id) OVERRIDING SYSTEM VALUE
			SELECT i, 'Đảng viên ' || i, CASE WHEN i % 5 < 2 THEN 'female' ELSE 'male' END, '1960-01-01'::date + ((i::bigint * 7919) % 15000)::int,
				CASE WHEN i <= 300000 THEN 100001 + (i - 1) % 12000 ELSE 200001 + (i - 300001) % (6400 * `+strconv.Itoa(others)+` + 1) END
			FROM generate_series(1, 300000 + 160000 * `+strconv.Itoa(others)+`) i;
		INSERT INTO person_unit (person_id, unit_id, valid_from, recorded_by)
			SELECT id, unit_id, '2015-01-01', 'bench' FROM person;
		INSERT INTO member_status_span (person_id, unit_id, status, grade, valid_from, valid_to)
			SELECT id, unit_id, 'probationary', 'probationary', a, CASE WHEN k < 4 THEN NULL ELSE (a + interval '12 months')::date END
			FROM (SELECT id, unit_id, id % 100 AS k, '1985-01-01'::date + ((id * 7919) % 14500)::int AS a FROM person) x
			UNION ALL
			SELECT id, unit_id, s, CASE WHEN s IN ('removed', 'deceased') THEN NULL ELSE 'full' END, (a + interval '12 months')::date, NULL
			FROM (SELECT id, unit_id, '1985-01-01'::date + ((id * 7919) % 14500)::int AS a,
				CASE WHEN id % 100 < 4 THEN NULL WHEN id % 100 < 89 THEN 'full' WHEN id % 100 < 92 THEN 'exempted'
				     WHEN id % 100 < 94 THEN 'temporary_out' WHEN id % 100 < 96 THEN 'removed' ELSE 'deceased' END AS s FROM person) x
			WHERE s IS NOT NULL;
`)
	if err != nil {
		b.Fatal(err)
	}
	// As autovacuum leaves a table in steady state: statistics, and a visibility map for index-only scans.
	if _, err := d.Owner.ExecContext(context.Background(), `VACUUM ANALYZE`); err != nil {
		b.Fatal(err)
	}
	var spans int
	if err := d.Owner.NewRaw(`SELECT count(*) FROM member_status_span`).Scan(context.Background(), &spans); err != nil {
		b.Fatal(err)
	}
	b.Logf("%d provinces, %d status spans built in %s", 1+others, spans, time.Since(start).Round(time.Millisecond))
	return d
}

// BenchmarkCountByStatus counts the members of a 300,000-member province by status on dates before and
// after the 2025 reform, and of one merged commune, as national and as provincial actors.
func BenchmarkCountByStatus(b *testing.B) {
	d := bigProvince(b)
	ctx := fixture.System()
	board := fixture.Actor(b, d.App, "board", "P1")
	commune := fixture.Actor(b, d.App, "board", "P1.N1")
	check := func(b *testing.B, m map[string]int, err error, min int) {
		if err != nil || member.Members(m) < min {
			b.Fatal(err, m)
		}
	}
	for _, c := range []struct {
		name string
		ctx  context.Context
		unit int64
		on   time.Time
		min  int
	}{
		{"province-2024-through-districts", ctx, 1, fixture.Day("2024-12-31"), 250000},
		{"province-2026-after-reform", ctx, 1, fixture.Day("2026-01-01"), 250000},
		{"province-2026-as-province-board", board, 1, fixture.Day("2026-01-01"), 250000},
		{"district-2024", ctx, 101, fixture.Day("2024-12-31"), 25000},
		{"merged-commune-2026-as-its-board", commune, 2001, fixture.Day("2026-01-01"), 5000},
		{"old-commune-2024-as-merged-board", commune, 1001, fixture.Day("2024-12-31"), 2500},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				m, err := member.CountByStatus(c.ctx, d.App, c.unit, c.on)
				check(b, m, err, c.min)
			}
		})
	}
	b.Run("list-province-first-100", func(b *testing.B) {
		for b.Loop() {
			p, err := member.List(board, d.App, 1, fixture.Day("2026-01-01"), "", page.Args{First: 100})
			if err != nil || len(p.Items) != 100 {
				b.Fatal(err)
			}
		}
	})
}
