package pgtest

import (
	"bufio"
	"bytes"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

const (
	// clusterDirPrefix names the private clusters' directories under
	// os.TempDir().
	clusterDirPrefix = "ptdv-pgtest-"
	// ownerFile holds the PID of the test binary that owns a cluster.
	ownerFile = "owner.pid"
)

// reapStale removes private clusters whose test binary is gone. A test
// binary killed by -timeout (it panics and exits) or SIGKILL never runs its
// cleanup, and pg_ctl detached the postmaster, so it would keep running
// forever. This runs in the background at the next Main; it is best effort.
func reapStale(log *slog.Logger) {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), clusterDirPrefix+"*"))
	for _, dir := range dirs {
		b, err := os.ReadFile(filepath.Join(dir, ownerFile))
		if err != nil {
			// Just created (owner not written yet), or not ours:
			// leave it unless it is old.
			if fi, serr := os.Stat(dir); serr != nil || time.Since(fi.ModTime()) < time.Hour {
				continue
			}
		} else if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil && alive(pid) {
			continue
		}
		if pid := postmasterPID(filepath.Join(dir, "data", "postmaster.pid")); pid > 0 && isPostgres(pid) {
			// Immediate shutdown: nothing in a test cluster is
			// worth a checkpoint.
			_ = syscall.Kill(pid, syscall.SIGQUIT)
			for i := 0; i < 100 && alive(pid); i++ {
				time.Sleep(50 * time.Millisecond)
			}
		}
		if err := os.RemoveAll(dir); err != nil {
			log.Warn("remove stale test cluster", "dir", dir, "err", err)
			continue
		}
		log.Info("removed stale test cluster of a test binary that did not clean up", "dir", dir)
	}
}

func alive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// isPostgres guards against signalling an unrelated process that got the
// postmaster's PID after a reboot.
func isPostgres(pid int) bool {
	comm, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/comm")
	if err != nil {
		return false
	}
	name := string(bytes.TrimSpace(comm))
	return name == "postgres" || name == "postmaster"
}

// postmasterPID reads the first line of postmaster.pid; 0 if there is none.
func postmasterPID(path string) int {
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	if !s.Scan() {
		return 0
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(s.Text()))
	return pid
}
