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

// EnvClusterDir overrides the directory under which private test clusters
// are made (see clusterBaseDir).
const EnvClusterDir = "PTDV_TEST_PGDIR"

const (
	// clusterDirPrefix names the private clusters' directories under
	// clusterBaseDir().
	clusterDirPrefix = "ptdv-pgtest-"
	// ownerFile holds the PID of the test binary that owns a cluster.
	ownerFile = "owner.pid"
)

// reapStale removes private clusters whose test binary is gone. A test
// binary killed by -timeout (it panics and exits) or SIGKILL never runs its
// cleanup, and pg_ctl detached the postmaster, so it would keep running
// forever. The next Main runs this first; it is best effort, and costs a
// directory listing when there is nothing to reap.
func reapStale(log *slog.Logger) {
	dirs, _ := filepath.Glob(filepath.Join(clusterBaseDir(), clusterDirPrefix+"*"))
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
			for i := 0; i < 40 && alive(pid); i++ {
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

// alive reports whether pid runs. A zombie does not: a test binary killed
// by a signal stays one until its parent (go test) reaps it.
func alive(pid int) bool {
	if err := syscall.Kill(pid, 0); err != nil && !errors.Is(err, syscall.EPERM) {
		return false
	}
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return true
	}
	// "pid (comm) S ...": the state follows the last ')'.
	i := bytes.LastIndexByte(stat, ')')
	return i < 0 || i+2 >= len(stat) || stat[i+2] != 'Z'
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

// shmDir is a RAM-backed tmpfs on Linux. A test cluster (fsync off, thrown
// away after the run) loses nothing by living in memory, and file creation
// there does not depend on the disk: on the project's VMs copying a template
// database (about 300 files, 7 MB) took 25-35 ms in /dev/shm and 240-660 ms
// in /tmp.
const shmDir = "/dev/shm"

// minShmFree is the free space /dev/shm needs before we use it: a cluster
// takes about 40 MB plus 8 MB per live test database, and Docker's default
// /dev/shm of 64 MB is too small.
const minShmFree = 1 << 30

// clusterBaseDir is where private test clusters go: $PTDV_TEST_PGDIR if set,
// else /dev/shm if it is a tmpfs with room, else os.TempDir().
func clusterBaseDir() string {
	if d := os.Getenv(EnvClusterDir); d != "" {
		return d
	}
	var st syscall.Statfs_t
	const tmpfsMagic = 0x01021994
	if err := syscall.Statfs(shmDir, &st); err == nil && st.Type == tmpfsMagic &&
		uint64(st.Bavail)*uint64(st.Bsize) >= minShmFree && syscall.Access(shmDir, 0x2 /* W_OK */) == nil {
		return shmDir
	}
	return os.TempDir()
}
