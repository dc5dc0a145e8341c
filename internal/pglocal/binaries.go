package pglocal

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// ErrNoServer reports that no PostgreSQL server binaries (initdb, pg_ctl,
// postgres) were found. Callers that can fall back to an external server
// (DATABASE_URL) test for it with errors.Is.
var ErrNoServer = errors.New("pglocal: no PostgreSQL server binaries (initdb, pg_ctl, postgres) found: " +
	"install the Debian package postgresql (apt-get install -y postgresql) or set DATABASE_URL to use an existing server")

// debianRoot is where Debian and Ubuntu install one directory per major
// version (/usr/lib/postgresql/15/bin, ...). Their initdb is not on PATH:
// /usr/bin only carries the pg_wrapper scripts for client programs.
const debianRoot = "/usr/lib/postgresql"

// binaries are the server programs of one installation. They must come from
// the same directory: mixing major versions would make initdb and postgres
// disagree about the catalog format.
type binaries struct {
	dir    string
	initdb string
	pgCtl  string
	server string // postgres
}

func binariesIn(dir string) (binaries, bool) {
	b := binaries{
		dir:    dir,
		initdb: filepath.Join(dir, "initdb"),
		pgCtl:  filepath.Join(dir, "pg_ctl"),
		server: filepath.Join(dir, "postgres"),
	}
	for _, p := range []string{b.initdb, b.pgCtl, b.server} {
		if !isExecutable(p) {
			return binaries{}, false
		}
	}
	return b, true
}

func isExecutable(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0
}

// findBinaries locates the server programs.
//
// With binDir set, only that directory is considered: an explicit choice must
// not silently fall back to something else (and tests use it to reach the
// ErrNoServer path). Otherwise the order is:
//  1. preferMajor's Debian directory, when an existing data directory was
//     made by that major version (a cluster cannot be opened by another
//     major version, so installing a newer postgresql-NN package alongside
//     must not break it);
//  2. PATH, so a developer's own build or a Homebrew-style install wins;
//  3. the highest version under /usr/lib/postgresql/*/bin.
func findBinaries(binDir, preferMajor string) (binaries, error) {
	if binDir != "" {
		if b, ok := binariesIn(binDir); ok {
			return b, nil
		}
		return binaries{}, fmt.Errorf("%w (searched only BinDir %s)", ErrNoServer, binDir)
	}
	if preferMajor != "" {
		if b, ok := binariesIn(filepath.Join(debianRoot, preferMajor, "bin")); ok {
			return b, nil
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		// Resolve symlinks (e.g. /usr/local/bin/initdb ->
		// /usr/lib/postgresql/15/bin/initdb): the siblings we need sit
		// next to the real file.
		if abs, err := filepath.EvalSymlinks(p); err == nil {
			if b, ok := binariesIn(filepath.Dir(abs)); ok {
				return b, nil
			}
		}
	}
	for _, dir := range debianBinDirs() {
		if b, ok := binariesIn(dir); ok {
			return b, nil
		}
	}
	return binaries{}, fmt.Errorf("%w (searched PATH and %s/*/bin)", ErrNoServer, debianRoot)
}

// debianBinDirs returns /usr/lib/postgresql/<version>/bin, highest version
// first. Versions compare numerically so that 9.6 < 10 < 15.
func debianBinDirs() []string {
	entries, err := os.ReadDir(debianRoot)
	if err != nil {
		return nil
	}
	type cand struct {
		parts []int
		dir   string
	}
	var cands []cand
	for _, e := range entries {
		parts, ok := parseVersion(e.Name())
		if !ok {
			continue
		}
		cands = append(cands, cand{parts, filepath.Join(debianRoot, e.Name(), "bin")})
	}
	sort.Slice(cands, func(i, j int) bool { return versionLess(cands[j].parts, cands[i].parts) })
	dirs := make([]string, len(cands))
	for i, c := range cands {
		dirs[i] = c.dir
	}
	return dirs
}

func parseVersion(s string) ([]int, bool) {
	var parts []int
	for _, f := range strings.Split(s, ".") {
		n, err := strconv.Atoi(f)
		if err != nil {
			return nil, false
		}
		parts = append(parts, n)
	}
	return parts, len(parts) > 0
}

func versionLess(a, b []int) bool {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return len(a) < len(b)
}

// majorVersion runs `postgres --version` ("postgres (PostgreSQL) 15.14 (Debian
// 15.14-0+deb12u1)") and returns the major version as PG_VERSION spells it:
// "15" from 10 on, "9.6" before.
func (b binaries) majorVersion() (string, error) {
	out, err := exec.Command(b.server, "--version").Output()
	if err != nil {
		return "", fmt.Errorf("pglocal: %s --version: %w", b.server, err)
	}
	fields := strings.Fields(string(out))
	for i, f := range fields {
		if f == "(PostgreSQL)" && i+1 < len(fields) {
			v := strings.Split(fields[i+1], ".")
			if n, err := strconv.Atoi(v[0]); err == nil && n < 10 && len(v) > 1 {
				return v[0] + "." + v[1], nil
			}
			// Development builds say "16devel" or "16beta1": keep the
			// leading digits.
			major := v[0]
			if i := strings.IndexFunc(major, func(r rune) bool { return r < '0' || r > '9' }); i >= 0 {
				major = major[:i]
			}
			if major == "" {
				break
			}
			return major, nil
		}
	}
	return "", fmt.Errorf("pglocal: cannot parse %s --version output %q", b.server, strings.TrimSpace(string(out)))
}
