package analytics

import (
	"context"
	"log/slog"
	"os"
	"testing"
	"time"

	"ptdv/internal/pgtest"
)

// benchTreeSQL is a national-size tree: 34 provinces, 98 communes each, 135 cells under each
// commune (≈ 453,000 units, one name and one link each).
const benchTreeSQL = `
INSERT INTO org_operation (id, kind, effective, recorded_by) OVERRIDING SYSTEM VALUE VALUES (1, 'create', '2020-01-01', 'bench');
CREATE TEMP TABLE g AS
	SELECT p::bigint AS id, NULL::bigint AS parent, p::text AS path, 'province' AS kind FROM generate_series(1, 34) p
	UNION ALL
	SELECT 1000 + (p-1)*100 + c, p, p || '.' || (1000 + (p-1)*100 + c), 'grassroots_committee'
	FROM generate_series(1, 34) p, generate_series(1, 98) c
	UNION ALL
	SELECT 100000 + ((p-1)*98 + (c-1))*135 + x, 1000 + (p-1)*100 + c,
		p || '.' || (1000 + (p-1)*100 + c) || '.' || (100000 + ((p-1)*98 + (c-1))*135 + x), 'cell'
	FROM generate_series(1, 34) p, generate_series(1, 98) c, generate_series(1, 135) x;
INSERT INTO org_unit (id, code, kind, sector, valid_from, created_op) OVERRIDING SYSTEM VALUE
	SELECT id, 'U' || id, kind, 'territorial', '2020-01-01', 1 FROM g;
INSERT INTO org_unit_name (unit_id, name, valid_from, op_id) SELECT id, 'Đơn vị ' || id, '2020-01-01', 1 FROM g;
INSERT INTO org_link (unit_id, parent_id, path, valid_from, op_id) SELECT id, parent, path::ltree, '2020-01-01', 1 FROM g;
ANALYZE;
`

// BenchmarkSnapshot snapshots a national-size tree (run with -bench Snapshot -benchtime 1x).
func BenchmarkSnapshot(b *testing.B) {
	ctx := context.Background()
	d := pgtest.New(b)
	began := time.Now()
	if _, err := d.Owner.DB.ExecContext(ctx, benchTreeSQL); err != nil {
		b.Fatal(err)
	}
	b.Logf("generated the tree in %v", time.Since(began).Round(time.Millisecond))
	dir := b.TempDir()
	opts := Options{
		Logger:      slog.New(slog.NewTextHandler(os.Stderr, nil)),
		AsOf:        time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		MemoryLimit: "1GB",
	}
	b.ResetTimer()
	for b.Loop() {
		r, err := Snapshot(ctx, d.URL, dir, opts)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(r.Tables["org_unit"]+r.Tables["org_unit_name"]+r.Tables["org_link"])/r.Duration.Seconds(), "rows/s")
		b.Logf("snapshot of %d units took %v", r.Tables["org_unit"], r.Duration.Round(time.Millisecond))
	}
}
