// Package analytics builds the nightly DuckDB snapshot of the system of record.
//
// Snapshot copies the tables analysts need out of PostgreSQL, all inside one REPEATABLE READ
// READ ONLY transaction so that they agree with each other, into a new DuckDB file; builds
// derived tables there (the tree as of a date and counts over it); and publishes the file by
// renaming it over <dir>/ptdv.duckdb. Readers open the published file with Open; a reader
// keeps the file it opened until it closes it, so it never sees a half-written or mixed state.
//
// Only packages under analytics/ import DuckDB (a 70 MB static library): API packages must not
// import this one either.
//
// The file's tables:
//
//   - copies of PostgreSQL tables, same names and columns (see sources): org_kind, org_sector,
//     org_unit, org_unit_name, org_link (path as text, plus depth), org_lineage,
//     org_operation (details as JSON text), village, village_cell;
//   - unit_asof: the units that exist on the as-of date, with name, parent, path, depth,
//     province_id (the root of the path), province_code and province_name on that date;
//   - unit_counts: units on the as-of date per province and kind;
//   - snapshot_meta: one row describing the snapshot (FormatVersion, as-of date, the
//     PostgreSQL snapshot and LSN, row counts per table).
package analytics

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"ptdv/internal/vn"
	"sort"
	"strings"
	"time"
)

// FormatVersion is recorded in snapshot_meta.format_version. Bump it when a table or column
// of the file changes meaning or disappears (adding tables or columns does not need it).
const FormatVersion = 1

// PublishedName is the name of the published file inside the snapshot directory.
const PublishedName = "ptdv.duckdb"

const (
	lockName    = ".nightly.lock"
	keyName     = ".pseudonym.key"
	tempDirName = ".duckdb-tmp" // DuckDB's spill directory while writing
	tmpPrefix   = "ptdv-"
	tmpSuffix   = ".duckdb.tmp"
)

// ErrLocked is returned (wrapped) by Snapshot when another snapshot is being written into the
// same directory.
var ErrLocked = errors.New("analytics: another snapshot is already being written to this directory")

// Options tune Snapshot. The zero value works.
type Options struct {
	// Logger receives progress (Info) and data warnings (Warn); nil means slog.Default().
	Logger *slog.Logger
	// AsOf is the date the derived tables describe; only its calendar date (in its own
	// location) counts. Zero means today in Vietnam.
	AsOf time.Time
	// MemoryLimit caps DuckDB's memory while writing, in DuckDB's syntax ("1GB", "512MB");
	// beyond it DuckDB spills to a temporary directory inside dir. Empty keeps DuckDB's
	// default (80 % of physical memory).
	MemoryLimit string
	// Threads caps DuckDB's worker threads; 0 keeps DuckDB's default (the number of cores).
	Threads int
	// Streams is the number of parallel PostgreSQL → DuckDB streams of the copy, all on one
	// exported snapshot; 0 means 3.
	Streams int
	// Keep is the number of published generations kept in <dir>/generations (the newest
	// included); 0 means 3.
	Keep int
	// PseudonymKey keys the person keys of the file (see pseudonymize). Empty: the key in
	// <dir>/.pseudonym.key, created (32 random bytes, mode 0600) on the first run. Changing
	// the key changes every person key of later files.
	PseudonymKey []byte
}

// Result describes a published snapshot. Everything in it except Duration is read back from
// the finished file, not from PostgreSQL.
type Result struct {
	// Path is the published file, <dir>/ptdv.duckdb.
	Path string
	// AsOf is the as-of date of the derived tables (UTC midnight).
	AsOf time.Time
	// Tables holds the number of rows of every table in the file.
	Tables map[string]int64
	// ByKind counts the units that exist on AsOf per kind, for every kind in org_kind, in
	// the kinds' rank order (zero counts included).
	ByKind []KindCount
	// ByProvince counts them per province (the root of each unit's path on AsOf), ordered
	// by province code; units without a path on AsOf form a last entry with empty Code.
	ByProvince []ProvinceCount
	// Duration is the wall time of the whole Snapshot call.
	Duration time.Duration
	// Steps holds the seconds each step took: copy, derive, breakdown.<file>, publish.
	Steps map[string]float64
	// Generation is the file of this snapshot among the kept generations
	// (<dir>/generations/ptdv-<time>.duckdb); Path is a hard link to it.
	Generation string
}

// KindCount is the number of units of one kind.
type KindCount struct {
	Kind  string // org_kind.code
	Label string // org_kind.label_vi
	N     int64
}

// ProvinceCount is the number of units in one province's tree, the province included.
type ProvinceCount struct {
	Code, Name string
	ByKind     map[string]int64 // by org_kind.code; kinds without units are absent
	Total      int64
}

// testHookLocked, if set, runs once the directory lock is held (tests use it to hold a run
// in place while a second one starts).
var testHookLocked func()

// Snapshot writes a new snapshot of the PostgreSQL database at pgURL into dir (created if
// needed) and publishes it as dir/ptdv.duckdb, replacing the previous one atomically. It
// holds an exclusive lock on dir/.nightly.lock throughout; if another run holds it, Snapshot
// returns an error wrapping ErrLocked at once. Temporary files that a crashed run left in
// dir are removed first. If it fails before publishing, the previous file stays as it was and
// no temporary file is left; a failure to read the result back from the published file is
// reported after publishing.
//
// Readers must open the file with Open (read-only); on a POSIX file system the rename leaves
// a file that a reader has open readable until it closes it.
func Snapshot(ctx context.Context, pgURL string, dir string, opts Options) (Result, error) {
	start := time.Now()
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	asOf := opts.AsOf
	if asOf.IsZero() {
		asOf = start.In(vn.Zone)
	}
	asOf = vn.Day(asOf)

	dir, err := filepath.Abs(dir)
	if err != nil {
		return Result{}, fmt.Errorf("analytics: %w", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Result{}, fmt.Errorf("analytics: create snapshot directory: %w", err)
	}
	unlock, err := lockDir(filepath.Join(dir, lockName))
	if err != nil {
		return Result{}, err
	}
	defer unlock()
	if testHookLocked != nil {
		testHookLocked()
	}
	tempDir := filepath.Join(dir, tempDirName)
	if err := removeStale(dir, tempDir, log); err != nil {
		return Result{}, err
	}
	defer os.RemoveAll(tempDir)

	tmp := filepath.Join(dir, tmpPrefix+start.UTC().Format("20060102T150405.000000Z")+tmpSuffix)
	published := false
	defer func() {
		if !published {
			removeDBFiles(tmp)
		}
	}()
	key := opts.PseudonymKey
	if len(key) == 0 {
		if key, err = loadOrCreateKey(filepath.Join(dir, keyName)); err != nil {
			return Result{}, err
		}
	}
	log.Info("analytics: snapshot started", "file", tmp, "as_of", asOf.Format(time.DateOnly))
	steps := map[string]float64{}
	if err := write(ctx, pgURL, tmp, tempDir, asOf, key, opts, steps, log); err != nil {
		return Result{}, err
	}

	began := time.Now()
	final := filepath.Join(dir, PublishedName)
	if err := syncPath(tmp); err != nil {
		return Result{}, fmt.Errorf("analytics: sync snapshot file: %w", err)
	}
	if err := testHook("before_rename"); err != nil {
		return Result{}, err
	}
	gen, err := publish(dir, tmp, start, opts.Keep, log)
	if err != nil {
		return Result{}, err
	}
	published = true
	// Make the rename itself durable; the file is already published, so a failure
	// here is worth a warning, not an error.
	if err := syncPath(dir); err != nil {
		log.Warn("analytics: sync snapshot directory", "err", err)
	}

	steps["publish"] = time.Since(began).Seconds()
	res, err := readResult(ctx, final)
	if err != nil {
		return Result{}, err
	}
	res.Duration = time.Since(start)
	res.Steps = steps
	res.Generation = gen
	log.Info("analytics: snapshot published", "file", final, "as_of", asOf.Format(time.DateOnly),
		"units", res.total(), "took", res.Duration.Round(time.Millisecond))
	return res, nil
}

// removeStale removes what a crashed run left: unpublished snapshot files (with their WAL) and
// DuckDB's spill directory. It runs under the lock, so none of it belongs to a live run.
func removeStale(dir, tempDir string, log *slog.Logger) error {
	stale, err := filepath.Glob(filepath.Join(dir, tmpPrefix+"*"+tmpSuffix+"*"))
	if err != nil {
		return fmt.Errorf("analytics: %w", err)
	}
	for _, f := range stale {
		log.Warn("analytics: removing a file left by an unfinished snapshot", "file", f)
		if err := os.Remove(f); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("analytics: remove stale file: %w", err)
		}
	}
	if err := os.RemoveAll(tempDir); err != nil {
		return fmt.Errorf("analytics: remove stale temporary directory: %w", err)
	}
	return nil
}

// removeDBFiles removes a DuckDB file and its write-ahead log.
func removeDBFiles(path string) {
	os.Remove(path)
	os.Remove(path + ".wal")
}

// syncPath fsyncs a file or directory.
func syncPath(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// loadOrCreateKey reads the pseudonym key at path, creating it if it does not exist.
func loadOrCreateKey(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err == nil {
		k, err := hex.DecodeString(strings.TrimSpace(string(b)))
		if err != nil || len(k) < 16 {
			return nil, fmt.Errorf("analytics: pseudonym key %s is not 16 or more hex-encoded bytes", path)
		}
		return k, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("analytics: read pseudonym key: %w", err)
	}
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("analytics: create pseudonym key: %w", err)
	}
	_, err = fmt.Fprintln(f, hex.EncodeToString(k))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("analytics: write pseudonym key: %w", err)
	}
	return k, nil
}

// generationsDir holds the published files, one per run, newest last by name.
const generationsDir = "generations"

// publish moves the finished file tmp into the generations directory and points the published
// name at it: a hard link made under a temporary name and renamed over <dir>/ptdv.duckdb, so the
// switch is one atomic rename and a reader that opened the previous file keeps it. Generations
// beyond keep are removed (a reader holding one open keeps reading it until it closes).
func publish(dir, tmp string, start time.Time, keep int, log *slog.Logger) (string, error) {
	if keep <= 0 {
		keep = 3
	}
	gdir := filepath.Join(dir, generationsDir)
	if err := os.MkdirAll(gdir, 0o755); err != nil {
		return "", fmt.Errorf("analytics: create generations directory: %w", err)
	}
	gen := filepath.Join(gdir, "ptdv-"+start.UTC().Format("20060102T150405.000000Z")+".duckdb")
	if err := os.Rename(tmp, gen); err != nil {
		return "", fmt.Errorf("analytics: publish snapshot: %w", err)
	}
	link := filepath.Join(dir, tmpPrefix+"link"+tmpSuffix)
	os.Remove(link)
	if err := os.Link(gen, link); err != nil {
		return "", fmt.Errorf("analytics: publish snapshot: %w", err)
	}
	if err := os.Rename(link, filepath.Join(dir, PublishedName)); err != nil {
		os.Remove(link)
		return "", fmt.Errorf("analytics: publish snapshot: %w", err)
	}
	if err := testHook("after_rename"); err != nil {
		return gen, err
	}
	old, err := filepath.Glob(filepath.Join(gdir, "ptdv-*.duckdb"))
	if err == nil && len(old) > keep {
		sort.Strings(old)
		for _, f := range old[:len(old)-keep] {
			if err := os.Remove(f); err != nil {
				log.Warn("analytics: remove old generation", "file", f, "err", err)
			}
		}
	}
	return gen, nil
}

// testHook, if set, runs at named points of a run; an error it returns fails the run there, as a
// crash would (tests use it to stop a run at each point).
var testHookPoint func(point string) error

func testHook(point string) error {
	if testHookPoint == nil {
		return nil
	}
	return testHookPoint(point)
}
