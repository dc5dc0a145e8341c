package pgtest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"ptdv/internal/pglocal"
)

// initCacheName is a pristine, cleanly shut down cluster that each test
// binary copies instead of running initdb. initdb is CPU work (about 0.5 s
// alone, 1.5-2 s when `go test ./...` runs several test binaries at once on
// two cores); copying its 40 MB result on tmpfs takes a few tens of
// milliseconds. Bump the version when pglocal changes how it runs initdb.
// It must not start with clusterDirPrefix, or reapStale would remove it.
// Each user gets its own, since the files are private to their owner.
var initCacheName = "ptdv-pginit-cache-v1-uid" + strconv.Itoa(os.Geteuid())

// completeMark is written into the cache directory once its cluster has been
// initialized and stopped cleanly; a cache without it is rebuilt.
const completeMark = "complete"

// seedFromCache copies the cached cluster into dir/data, building the cache
// first if needed. The copy keeps modes and owners: pglocal then runs the
// server as the owner of the data directory. Concurrent test binaries
// serialize on a lock file next to the cache.
func seedFromCache(ctx context.Context, log *slog.Logger, base, dir string) error {
	cache := filepath.Join(base, initCacheName)
	unlock, err := pglocal.Lock(ctx, cache+".lock")
	if err != nil {
		return err
	}
	defer unlock()

	if _, err := os.Stat(filepath.Join(cache, completeMark)); err != nil {
		if err := buildInitCache(ctx, log, cache); err != nil {
			return err
		}
	}
	if err := copyTree(filepath.Join(cache, "data"), filepath.Join(dir, "data")); err != nil {
		_ = os.RemoveAll(filepath.Join(dir, "data"))
		return fmt.Errorf("copy cached cluster: %w", err)
	}
	return nil
}

// buildInitCache makes the cache: initdb through pglocal, then a clean stop,
// so that the copies need no crash recovery.
func buildInitCache(ctx context.Context, log *slog.Logger, cache string) error {
	// A postmaster may still run on a half-built cache whose builder
	// died between start and stop; it must not keep writing while we
	// replace the files.
	if pid := postmasterPID(filepath.Join(cache, "data", "postmaster.pid")); pid > 0 && isPostgres(pid) {
		_ = syscall.Kill(pid, syscall.SIGQUIT)
		for i := 0; i < 100 && alive(pid); i++ {
			time.Sleep(50 * time.Millisecond)
		}
	}
	if err := os.RemoveAll(cache); err != nil {
		return fmt.Errorf("remove incomplete cluster cache: %w", err)
	}
	if err := os.Mkdir(cache, 0o755); err != nil {
		return fmt.Errorf("create cluster cache: %w", err)
	}
	c, err := pglocal.Start(ctx, cache, pglocal.Options{Logger: log, Fast: true})
	if err != nil {
		return fmt.Errorf("build cluster cache: %w", err)
	}
	if err := c.Stop(ctx); err != nil {
		return fmt.Errorf("build cluster cache: %w", err)
	}
	if err := os.WriteFile(filepath.Join(cache, completeMark), nil, 0o644); err != nil {
		return fmt.Errorf("build cluster cache: %w", err)
	}
	log.Info("built the initdb cache for test clusters", "dir", cache)
	return nil
}

// dropInitCache removes the cache, e.g. after the binaries' major version
// changed and a copy no longer starts.
func dropInitCache(ctx context.Context, base string) error {
	cache := filepath.Join(base, initCacheName)
	unlock, err := pglocal.Lock(ctx, cache+".lock")
	if err != nil {
		return err
	}
	defer unlock()
	return os.RemoveAll(cache)
}

// copyTree copies the directory src to dst (which must not exist) with
// modes and owners. A fresh data directory holds only directories and
// regular files; anything else is an error rather than silently skipped.
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		fi, err := d.Info()
		if err != nil {
			return err
		}
		st := fi.Sys().(*syscall.Stat_t)
		switch {
		case d.IsDir():
			if err := os.Mkdir(target, fi.Mode().Perm()); err != nil {
				return err
			}
		case fi.Mode().IsRegular():
			if d.Name() == "postmaster.pid" || d.Name() == "postmaster.opts" {
				return nil
			}
			if err := copyFile(p, target, fi.Mode().Perm()); err != nil {
				return err
			}
		default:
			return fmt.Errorf("unexpected file type %v: %s", fi.Mode().Type(), p)
		}
		if err := os.Lchown(target, int(st.Uid), int(st.Gid)); err != nil && !errors.Is(err, syscall.EPERM) {
			return err
		}
		// Mkdir and OpenFile apply the umask; restore the exact mode.
		return os.Chmod(target, fi.Mode().Perm())
	})
}

func copyFile(src, dst string, perm fs.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
