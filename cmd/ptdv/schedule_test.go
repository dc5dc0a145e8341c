package main

import (
	"ptdv/internal/vn"
	"testing"
	"time"
)

func TestNextRun(t *testing.T) {
	loc := vn.Zone
	for _, c := range []struct{ now, want string }{
		{"2026-12-03T18:00:00Z", "2026-12-04T02:00:00+07:00"}, // 01:00 in Vietnam: today at 02:00
		{"2026-12-03T19:00:00Z", "2026-12-05T02:00:00+07:00"}, // 02:00 exactly: tomorrow
		{"2026-12-03T10:00:00Z", "2026-12-04T02:00:00+07:00"}, // 17:00 in Vietnam
	} {
		now, _ := time.Parse(time.RFC3339, c.now)
		want, _ := time.Parse(time.RFC3339, c.want)
		if got := nextRun(now, 2, 0, loc); !got.Equal(want) {
			t.Errorf("nextRun(%s) = %s, want %s", c.now, got, want)
		}
	}
	for _, s := range []string{"25:00", "2:0", "abc", "02:60", ""} {
		if _, _, _, err := parseNightlyAt(s); err == nil {
			t.Errorf("parseNightlyAt(%q) accepted", s)
		}
	}
	if _, _, ok, err := parseNightlyAt("off"); ok || err != nil {
		t.Errorf("off: %v %v", ok, err)
	}
	if h, m, ok, err := parseNightlyAt("02:30"); !ok || err != nil || h != 2 || m != 30 {
		t.Errorf("02:30: %d %d %v %v", h, m, ok, err)
	}
}
