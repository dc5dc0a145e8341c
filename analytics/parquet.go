package analytics

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Manifest describes a Parquet publication; it is written as manifest.json at its root.
type Manifest struct {
	Run       int64                   `json:"run"`
	AsOf      string                  `json:"as_of"`
	WrittenAt time.Time               `json:"written_at"`
	Snapshot  string                  `json:"snapshot"`
	Tables    map[string]ParquetTable `json:"tables"`
	Dir       string                  `json:"-"` // the directory the manifest describes
}

// ParquetTable is one exported table: its directory (relative to the manifest), its hive
// partition columns, its rows and its files.
type ParquetTable struct {
	Dir         string   `json:"dir"`
	PartitionBy []string `json:"partition_by"`
	Rows        int64    `json:"rows"`
	Files       []string `json:"files"`
}

// exported are the tables of the Parquet publication: the results, hive-partitioned by province
// (directories province=<id>, "none" for a unit with no province) and period kind where they have one.
var exported = []struct {
	table     string
	partition []string
}{
	{"breakdown", []string{"province", "period_kind"}},
	{"funnel", []string{"province", "period_kind"}},
	{"funnel_dropout", []string{"province", "period_kind"}},
	{"unit_gap", []string{"province"}},
	{"village_gap", []string{"province"}},
	{"cell_committee_gap", []string{"province"}},
	{"period", nil},
	{"unit_label", nil},
	{"code_item", nil},
}

// WriteParquet exports the published snapshot at path as Parquet under root: it writes a new
// directory root.<time>, then points the symbolic link root at it with one atomic rename, so a
// reader sees the old publication or the new one, never a mix; keep publications are kept.
func WriteParquet(ctx context.Context, path, root string, run int64, keep int) (Manifest, error) {
	if keep <= 0 {
		keep = 3
	}
	root = filepath.Clean(root)
	stamp := time.Now().UTC().Format("20060102T150405.000000Z")
	target := root + "." + stamp
	m := Manifest{Run: run, WrittenAt: time.Now().UTC(), Snapshot: path, Tables: map[string]ParquetTable{}, Dir: root}
	if fi, err := os.Lstat(root); err == nil && fi.Mode()&os.ModeSymlink == 0 {
		return m, fmt.Errorf("analytics: %s exists and is not the symbolic link the Parquet export maintains", root)
	}
	db, err := Open(path)
	if err != nil {
		return m, err
	}
	defer db.Close()
	var asOf time.Time
	if err := db.QueryRowContext(ctx, `SELECT as_of FROM snapshot_meta`).Scan(&asOf); err != nil {
		return m, fmt.Errorf("analytics: read snapshot_meta: %w", err)
	}
	m.AsOf = asOf.Format(time.DateOnly)
	ok := false
	defer func() {
		if !ok {
			os.RemoveAll(target)
		}
	}()
	if err := os.MkdirAll(target, 0o755); err != nil {
		return m, fmt.Errorf("analytics: %w", err)
	}
	// One connection, so that the settings below hold for every COPY.
	c, err := db.Conn(ctx)
	if err != nil {
		return m, fmt.Errorf("analytics: %w", err)
	}
	defer c.Close()
	// A partitioned COPY keeps a file open per partition it is writing; past the limit (100 by default) it
	// closes one and later starts another file for it. The breakdown is stored period by period, every
	// province in each, so under the default the national breakdown (≈ 100 provinces × 4 kinds) went out as
	// 14,968 small files; with every partition open it is one file per partition and thread (862 files,
	// 5 min 9 s, 1.4 GB RSS nationally on 06/12/2026; a COPY per kind was slower).
	if _, err := c.ExecContext(ctx, "SET partitioned_write_max_open_files = 1000"); err != nil {
		return m, fmt.Errorf("analytics: %w", err)
	}
	for _, e := range exported {
		dir := filepath.Join(target, e.table)
		sel := "SELECT * FROM " + ident(e.table)
		opts := "FORMAT parquet, COMPRESSION zstd"
		file := dir
		if len(e.partition) > 0 {
			sel = "SELECT * EXCLUDE (province_id), coalesce(province_id::VARCHAR, 'none') AS province FROM " + ident(e.table)
			opts += ", PARTITION_BY (" + strings.Join(e.partition, ", ") + ")"
		} else {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return m, err
			}
			file = filepath.Join(dir, "data_0.parquet")
		}
		if _, err := c.ExecContext(ctx, "COPY ("+sel+") TO "+quote(file)+" ("+opts+")"); err != nil {
			return m, fmt.Errorf("analytics: export %s to Parquet: %w", e.table, err)
		}
		var n int64
		if err := c.QueryRowContext(ctx, "SELECT count(*) FROM "+ident(e.table)).Scan(&n); err != nil {
			return m, err
		}
		var files []string
		filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				rel, _ := filepath.Rel(target, p)
				files = append(files, filepath.ToSlash(rel))
			}
			return nil
		})
		sort.Strings(files)
		m.Tables[e.table] = ParquetTable{Dir: e.table, PartitionBy: e.partition, Rows: n, Files: files}
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return m, err
	}
	if err := os.WriteFile(filepath.Join(target, "manifest.json"), b, 0o644); err != nil {
		return m, err
	}
	link := root + ".link-" + stamp
	if err := os.Symlink(filepath.Base(target), link); err != nil {
		return m, fmt.Errorf("analytics: %w", err)
	}
	if err := os.Rename(link, root); err != nil {
		os.Remove(link)
		return m, fmt.Errorf("analytics: publish Parquet: %w", err)
	}
	ok = true
	old, _ := filepath.Glob(root + ".2*")
	sort.Strings(old)
	if len(old) > keep {
		for _, d := range old[:len(old)-keep] {
			os.RemoveAll(d)
		}
	}
	return m, nil
}
