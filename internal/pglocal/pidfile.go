package pglocal

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// pidFile is what the postmaster writes to $PGDATA/postmaster.pid. The line
// layout is fixed by src/include/utils/pidfile.h (PostgreSQL 10 and later):
//
//	1 PID, 2 data directory, 3 start time, 4 port, 5 first socket directory,
//	6 first listen address, 7 shared memory key, 8 status
//
// Status is "starting", "ready", "stopping" or "standby"; lines 4 to 8 appear
// while the postmaster starts up, so any of them may still be missing.
type pidFile struct {
	pid       int
	port      int
	socketDir string
	status    string
}

const (
	statusReady    = "ready"
	statusStopping = "stopping"
)

// readPidFile returns (nil, nil) when there is no postmaster.pid.
func readPidFile(path string) (*pidFile, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("pglocal: read %s: %w", path, err)
	}
	lines := strings.Split(string(b), "\n")
	line := func(n int) string {
		if n-1 < len(lines) {
			return strings.TrimSpace(lines[n-1])
		}
		return ""
	}
	pf := &pidFile{socketDir: line(5), status: line(8)}
	// A postmaster writes its PID as is; a standalone backend (single-user
	// mode) writes it negated.
	pid, err := strconv.Atoi(line(1))
	if err != nil || pid == 0 {
		return nil, fmt.Errorf("pglocal: %s: malformed PID line %q", path, line(1))
	}
	if pid < 0 {
		pid = -pid
	}
	pf.pid = pid
	pf.port, _ = strconv.Atoi(line(4))
	return pf, nil
}

// procState classifies the process a postmaster.pid names.
type procState int

const (
	procGone     procState = iota // no such process
	procZombie                    // dead, not yet reaped
	procForeign                   // alive, but not a postgres program: the PID was recycled
	procPostgres                  // alive and (as far as we can tell) a postmaster
)

// processState inspects pid. kill(pid, 0) finds it; EPERM means it exists
// but belongs to another user, which still counts. /proc then tells a zombie
// (a killed postmaster was reparented when pg_ctl exited, and in a container
// whose init reaps slowly its PID lingers) and a recycled PID (after a
// machine or container restart the PID may belong to anything). Without
// /proc, a live PID is assumed to be a postmaster.
func processState(pid int) procState {
	if err := syscall.Kill(pid, 0); err != nil && !errors.Is(err, syscall.EPERM) {
		return procGone
	}
	proc := "/proc/" + strconv.Itoa(pid)
	if stat, err := os.ReadFile(proc + "/stat"); err == nil {
		// "pid (comm) S ...": the state follows the last ')', since
		// comm may itself contain parentheses.
		if i := bytes.LastIndexByte(stat, ')'); i >= 0 && i+2 < len(stat) && stat[i+2] == 'Z' {
			return procZombie
		}
	}
	if comm, err := os.ReadFile(proc + "/comm"); err == nil {
		name := string(bytes.TrimSpace(comm))
		if name != "postgres" && name != "postmaster" {
			return procForeign
		}
	}
	return procPostgres
}

// processAlive reports whether pid is a running (non-zombie) process.
func processAlive(pid int) bool {
	st := processState(pid)
	return st == procForeign || st == procPostgres
}
