//go:build !unix

package analytics

import (
	"errors"
	"fmt"
	"os"
)

// lockDir, where flock is missing, creates the lock file exclusively and removes it on unlock.
// Unlike flock, a crash leaves the file behind and it must be removed by hand.
func lockDir(path string) (unlock func(), err error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, os.ErrExist) {
		return nil, fmt.Errorf("%w (lock file %s exists; remove it if no snapshot is running)", ErrLocked, path)
	}
	if err != nil {
		return nil, fmt.Errorf("analytics: lock %s: %w", path, err)
	}
	return func() {
		f.Close()
		os.Remove(path)
	}, nil
}
