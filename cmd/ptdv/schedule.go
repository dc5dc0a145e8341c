package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"ptdv/analytics"
	"ptdv/internal/vn"
)

// parseNightlyAt parses "HH:MM" (or "off", which returns ok = false).
func parseNightlyAt(s string) (h, m int, ok bool, err error) {
	if strings.EqualFold(s, "off") {
		return 0, 0, false, nil
	}
	hh, mm, found := strings.Cut(s, ":")
	h, err1 := strconv.Atoi(hh)
	m, err2 := strconv.Atoi(mm)
	if !found || err1 != nil || err2 != nil || h < 0 || h > 23 || m < 0 || m > 59 || len(mm) != 2 {
		return 0, 0, false, fmt.Errorf("--nightly-at: %q không hợp lệ: dùng HH:MM (ví dụ 02:00) hoặc off", s)
	}
	return h, m, true, nil
}

// nextRun is the first time at h:m in loc strictly after now.
func nextRun(now time.Time, h, m int, loc *time.Location) time.Time {
	n := now.In(loc)
	t := time.Date(n.Year(), n.Month(), n.Day(), h, m, 0, 0, loc)
	if !t.After(n) {
		t = time.Date(n.Year(), n.Month(), n.Day()+1, h, m, 0, 0, loc)
	}
	return t
}

// scheduleNightly runs the nightly job every day at h:m Vietnam time until ctx ends. A run that
// another process holds the lock for is skipped (logged); a failed run is logged and recorded in
// reporting.nightly_run by the job itself.
func (e *env) scheduleNightly(ctx context.Context, url string, h, m int) {
	loc := vn.Zone
	for {
		next := nextRun(time.Now(), h, m, loc)
		e.log.Info("nightly scheduled", "at", next.Format(time.RFC3339))
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Until(next)):
		}
		err := e.nightly(ctx, url, "")
		switch {
		case errors.Is(err, analytics.ErrRunning), err != nil && strings.Contains(err.Error(), "đang chạy"):
			e.log.Warn("nightly skipped: another run holds the lock", "err", err)
		case err != nil && ctx.Err() == nil:
			e.log.Error("nightly failed", "err", err)
		}
	}
}
