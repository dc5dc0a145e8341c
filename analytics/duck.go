package analytics

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/duckdb/duckdb-go/v2"
)

// baseConfig is the DuckDB configuration of every database this package opens. It is passed
// as startup configuration (the DSN's query string), so it holds before the first statement:
// the bundled library carries parquet, json and icu only, and nothing may try to download an
// extension at run time.
func baseConfig() url.Values {
	return url.Values{
		"autoinstall_known_extensions": {"false"},
		"autoload_known_extensions":    {"false"},
	}
}

// Reader limits: every Open caps its DuckDB instance, so that a reader (the write-back, the Parquet
// copy, `ptdv analytics sql`, the report) stays within the nightly's memory budget whatever it asks;
// beyond ReaderMemoryLimit DuckDB spills into a private temporary directory.
var (
	ReaderMemoryLimit = "1GB"
	ReaderThreads     = 2
)

// readerConfig is the configuration of a read-only instance.
func readerConfig() url.Values {
	v := baseConfig()
	v.Set("memory_limit", ReaderMemoryLimit)
	v.Set("threads", strconv.Itoa(ReaderThreads))
	v.Set("temp_directory", filepath.Join(os.TempDir(), fmt.Sprintf("ptdv-duckdb-%d", os.Getpid())))
	return v
}

// writerConfig is the configuration of the database a snapshot writes.
func writerConfig(o Options, tempDir string) url.Values {
	v := baseConfig()
	if o.MemoryLimit != "" {
		v.Set("memory_limit", o.MemoryLimit)
	}
	if o.Threads > 0 {
		v.Set("threads", strconv.Itoa(o.Threads))
	}
	v.Set("temp_directory", tempDir)
	return v
}

// dsn builds a duckdb-go data source name. The driver reads the path as the text before "?"
// and parses the whole string as a URL, so a path that contains "?" or "#" cannot be named.
func dsn(path string, cfg url.Values) (string, error) {
	if strings.ContainsAny(path, "?#") {
		return "", fmt.Errorf("analytics: DuckDB path %q must not contain '?' or '#'", path)
	}
	return path + "?" + cfg.Encode(), nil
}

// openWriter opens (creating it) the DuckDB file at path for writing.
func openWriter(path string, o Options, tempDir string) (*sql.DB, error) {
	d, err := dsn(path, writerConfig(o, tempDir))
	if err != nil {
		return nil, err
	}
	c, err := duckdb.NewConnector(d, nil)
	if err != nil {
		return nil, fmt.Errorf("analytics: open DuckDB %s: %w", path, err)
	}
	return sql.OpenDB(c), nil
}

// Open opens a published snapshot file (normally <dir>/ptdv.duckdb) read-only.
//
// The file is attached read-only to a private in-memory DuckDB instance rather than opened
// by path: duckdb-go keeps one shared database instance per file path in a process-wide
// cache, so opening "<dir>/ptdv.duckdb" again while an older handle is alive would return
// the old instance, still reading the file that the last snapshot renamed away. Attaching
// gives every Open its own file handle: a reader keeps reading the file it opened (a
// consistent snapshot) until it closes, and the next Open sees the newest file.
//
// Each connection of the pool starts with the attached file as its default database, so
// queries name tables plainly ("SELECT * FROM unit_asof"). Close the DB when done.
func Open(path string) (*sql.DB, error) {
	d, err := dsn(":memory:", readerConfig())
	if err != nil {
		return nil, err
	}
	attach := "ATTACH IF NOT EXISTS " + quote(path) + " AS ptdv (READ_ONLY)"
	c, err := duckdb.NewConnector(d, func(ex driver.ExecerContext) error {
		ctx := context.Background()
		if _, err := ex.ExecContext(ctx, attach, nil); err != nil {
			return err
		}
		_, err := ex.ExecContext(ctx, "USE ptdv", nil)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("analytics: open DuckDB: %w", err)
	}
	db := sql.OpenDB(c)
	// Connect now, so a missing or corrupt file is reported here and the file
	// is held open from here on, whatever happens to its name.
	if err := db.Ping(); err != nil {
		db.Close()
		return nil, fmt.Errorf("analytics: open %s: %w", path, err)
	}
	return db, nil
}

// quote returns s as a SQL string literal.
func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// ident returns s as a quoted SQL identifier.
func ident(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
