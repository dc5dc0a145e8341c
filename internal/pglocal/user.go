package pglocal

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"
)

// serverUser is the unprivileged account the server programs run as when this
// process is root: initdb and postgres refuse to run as root, because a
// superuser SQL session could then write any file on the machine.
type serverUser struct {
	name   string
	uid    uint32
	gid    uint32
	groups []uint32 // supplementary groups, for the traversal check and setgroups
}

// defaultUserName is the account created when the system has no "postgres"
// user (the postgresql Debian package creates one; a bare image with only
// the binaries copied in may not).
const defaultUserName = "ptdv"

func lookupServerUser(name string) (*serverUser, error) {
	u, err := user.Lookup(name)
	if err != nil {
		return nil, err
	}
	return toServerUser(u)
}

func lookupServerUID(uid uint32) (*serverUser, error) {
	u, err := user.LookupId(strconv.FormatUint(uint64(uid), 10))
	if err != nil {
		return nil, err
	}
	return toServerUser(u)
}

func toServerUser(u *user.User) (*serverUser, error) {
	uid, err := strconv.ParseUint(u.Uid, 10, 32)
	if err != nil {
		return nil, fmt.Errorf("pglocal: user %s has non-numeric uid %q", u.Username, u.Uid)
	}
	gid, err := strconv.ParseUint(u.Gid, 10, 32)
	if err != nil {
		return nil, fmt.Errorf("pglocal: user %s has non-numeric gid %q", u.Username, u.Gid)
	}
	su := &serverUser{name: u.Username, uid: uint32(uid), gid: uint32(gid)}
	if gids, err := u.GroupIds(); err == nil {
		for _, g := range gids {
			if n, err := strconv.ParseUint(g, 10, 32); err == nil {
				su.groups = append(su.groups, uint32(n))
			}
		}
	}
	return su, nil
}

// chooseServerUser decides who runs the server when we are root.
//
// An existing data directory decides by itself: PostgreSQL insists that the
// data directory belongs to the user running it, so whoever initdb'd it must
// keep running it (even if, say, the postgres user appeared since). For a new
// cluster the Debian "postgres" account is used if it exists, else a system
// account "ptdv" is created.
func chooseServerUser(ctx context.Context, log *slog.Logger, dataDir string) (*serverUser, error) {
	if fi, err := os.Stat(dataDir); err == nil {
		st := fi.Sys().(*syscall.Stat_t)
		if st.Uid != 0 {
			su, err := lookupServerUID(st.Uid)
			if err != nil {
				return nil, fmt.Errorf("pglocal: data directory %s belongs to uid %d, which has no passwd entry: %w", dataDir, st.Uid, err)
			}
			return su, nil
		}
		return nil, fmt.Errorf("pglocal: data directory %s belongs to root; PostgreSQL cannot run as root: chown -R it to an unprivileged user", dataDir)
	}
	if su, err := lookupServerUser("postgres"); err == nil {
		return su, nil
	}
	if su, err := lookupServerUser(defaultUserName); err == nil {
		return su, nil
	}
	if err := createSystemUser(ctx, log, defaultUserName); err != nil {
		return nil, err
	}
	su, err := lookupServerUser(defaultUserName)
	if err != nil {
		return nil, fmt.Errorf("pglocal: look up user %s after creating it: %w", defaultUserName, err)
	}
	return su, nil
}

func createSystemUser(ctx context.Context, log *slog.Logger, name string) error {
	useradd, err := exec.LookPath("useradd")
	if err != nil {
		// root's PATH in minimal containers may lack /usr/sbin.
		useradd = "/usr/sbin/useradd"
	}
	args := []string{"--system", "--no-create-home", "--user-group", "--home-dir", "/nonexistent"}
	if isExecutable("/usr/sbin/nologin") {
		args = append(args, "--shell", "/usr/sbin/nologin")
	}
	args = append(args, name)
	log.Info("creating system user for the embedded PostgreSQL server", "user", name)
	out, err := exec.CommandContext(ctx, useradd, args...).CombinedOutput()
	if err != nil {
		// Another process may have created it at the same moment
		// (useradd exits 9: "user already exists"); only fail if the
		// user still does not exist.
		if _, lerr := user.Lookup(name); lerr == nil {
			return nil
		}
		return fmt.Errorf("pglocal: running as root, PostgreSQL needs an unprivileged user: %s %v: %w: %s",
			useradd, args, err, bytesTrim(out))
	}
	return nil
}

func (u *serverUser) inGroup(gid uint32) bool {
	if gid == u.gid {
		return true
	}
	for _, g := range u.groups {
		if g == gid {
			return true
		}
	}
	return false
}

// credential makes a child process run as u.
func (u *serverUser) credential() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: u.uid, Gid: u.gid, Groups: u.groups}}
}

// checkTraversable verifies that u may enter path and each of its parents.
// Without this, initdb fails with an obscure "could not change directory" or
// "permission denied" deep in its output; the usual cause is a directory
// under /root (mode 0700). Only mode bits are checked, as the kernel does
// for the owner / group / other classes; ACLs are not consulted.
func checkTraversable(path string, u *serverUser) error {
	for p := path; ; p = filepath.Dir(p) {
		fi, err := os.Stat(p)
		if err != nil {
			return fmt.Errorf("pglocal: %w", err)
		}
		st := fi.Sys().(*syscall.Stat_t)
		perm := fi.Mode().Perm()
		var ok bool
		switch {
		case st.Uid == u.uid:
			ok = perm&0o100 != 0
		case u.inGroup(st.Gid):
			ok = perm&0o010 != 0
		default:
			ok = perm&0o001 != 0
		}
		if !ok {
			return fmt.Errorf("pglocal: the PostgreSQL server runs as the unprivileged user %q (it refuses to run as root), "+
				"which cannot enter %s (mode %v, owner uid %d, gid %d) on the way to %s: "+
				"choose a directory outside it or allow traversal, e.g. chmod o+x %s",
				u.name, p, perm, st.Uid, st.Gid, path, p)
		}
		if p == "/" || p == "." {
			return nil
		}
	}
}

// chown gives a directory or file we created as root to the server user.
func (u *serverUser) chown(path string) error {
	if u == nil {
		return nil
	}
	if err := os.Lchown(path, int(u.uid), int(u.gid)); err != nil {
		return fmt.Errorf("pglocal: chown %s to %s: %w", path, u.name, err)
	}
	return nil
}

func bytesTrim(b []byte) string {
	const max = 2000
	s := string(b)
	if len(s) > max {
		s = "…" + s[len(s)-max:]
	}
	return s
}

// TempDir makes a directory for a private cluster that the server user can traverse when the caller
// runs as root (pglocal then runs PostgreSQL as another user, and os.MkdirTemp's parents may be 0700).
// It prefers the RAM-backed /dev/shm: on the project's VMs initdb in /tmp took from 1 s to 9 s
// depending on other disk activity. The caller removes it.
func TempDir(prefix string) (string, error) {
	base := ""
	if fi, err := os.Stat("/dev/shm"); err == nil && fi.IsDir() && syscall.Access("/dev/shm", 0x2 /* W_OK */) == nil {
		base = "/dev/shm"
	}
	dir, err := os.MkdirTemp(base, prefix)
	if err != nil {
		return "", err
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		os.RemoveAll(dir)
		return "", err
	}
	return dir, nil
}
