package pglocal

import (
	"context"
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"
)

// fileLock is an exclusive flock(2) on a file. flock locks belong to the open
// file description, so they exclude other processes and other goroutines of
// this process alike, and the kernel drops them when the process dies: a
// crashed start never leaves a stale lock behind.
type fileLock struct{ f *os.File }

// lockFile waits for the lock, polling so that ctx can cancel the wait
// (a blocking flock cannot be interrupted).
func lockFile(ctx context.Context, path string) (*fileLock, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("pglocal: open lock file: %w", err)
	}
	delay := 5 * time.Millisecond
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return &fileLock{f}, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) && !errors.Is(err, syscall.EINTR) {
			f.Close()
			return nil, fmt.Errorf("pglocal: lock %s: %w", path, err)
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, fmt.Errorf("pglocal: waiting for lock %s (another process is starting this cluster): %w", path, ctx.Err())
		case <-time.After(delay):
		}
		if delay < 200*time.Millisecond {
			delay *= 2
		}
	}
}

// Lock takes the exclusive lock on the file path (created if missing) as lockFile does, for the other
// users of a lock file beside a cluster (pgtest's cache of initdb's output); unlock releases it.
func Lock(ctx context.Context, path string) (unlock func(), err error) {
	l, err := lockFile(ctx, path)
	if err != nil {
		return nil, err
	}
	return l.unlock, nil
}

// unlock releases the lock; closing the descriptor is what releases it.
func (l *fileLock) unlock() {
	if l != nil && l.f != nil {
		l.f.Close()
		l.f = nil
	}
}
