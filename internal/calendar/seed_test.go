package calendar

import (
	"flag"
	"os"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the generated seed of migration 0002_calendar.sql")

const migrationFile = "../db/migrations/0002_calendar.sql"

// TestSeed checks that migration 0002 holds exactly what seed.go generates (with -update, rewrites it).
// TestSeededRows then checks that the migration, applied, holds those rows.
func TestSeed(t *testing.T) {
	b, err := os.ReadFile(migrationFile)
	if err != nil {
		t.Fatal(err)
	}
	src := string(b)
	i := strings.Index(src, "-- BEGIN GENERATED SEED")
	j := strings.Index(src, seedEnd)
	if i < 0 || j < i {
		t.Fatalf("%s: no generated seed block", migrationFile)
	}
	got, want := src[i:j+len(seedEnd)], seedSQL()
	if got == want {
		return
	}
	if *update {
		if err := os.WriteFile(migrationFile, []byte(src[:i]+want+src[j+len(seedEnd):]), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("rewrote the seed of %s", migrationFile)
		return
	}
	t.Errorf("%s: the seed differs from seed.go; run go test ./internal/calendar -run TestSeed -update", migrationFile)
}

// The rules of generate, without the announced swaps, give exactly the days off of 2020–2026 that the
// government announced: the announcements were checked by hand, the rules by this test.
func TestRulesReproduceAnnouncedYears(t *testing.T) {
	t.Parallel()
	// Weekdays off per announcement (holidays, compensations, swapped days off), and swapped Saturdays.
	announcedOff := map[int][]string{
		2020: {"2020-01-01", "2020-01-23..2020-01-29", "2020-04-02", "2020-04-30", "2020-05-01", "2020-09-02"},
		2021: {"2021-01-01", "2021-02-10..2021-02-16", "2021-04-21", "2021-04-30", "2021-05-03", "2021-09-02", "2021-09-03"},
		2022: {"2022-01-03", "2022-01-31..2022-02-04", "2022-04-11", "2022-05-02", "2022-05-03", "2022-09-01", "2022-09-02"},
		2023: {"2023-01-02", "2023-01-20..2023-01-26", "2023-05-01..2023-05-03", "2023-09-01", "2023-09-04"},
		2024: {"2024-01-01", "2024-02-08..2024-02-14", "2024-04-18", "2024-04-29..2024-05-01", "2024-09-02", "2024-09-03"},
		2025: {"2025-01-01", "2025-01-27..2025-01-31", "2025-04-07", "2025-04-30..2025-05-02", "2025-09-01", "2025-09-02"},
		2026: {"2026-01-01", "2026-01-02", "2026-02-16..2026-02-20", "2026-04-27", "2026-04-30", "2026-05-01", "2026-08-31..2026-09-02"},
	}
	announcedWork := map[int][]string{2024: {"2024-05-04"}, 2025: {"2025-04-26"}, 2026: {"2026-01-10", "2026-08-22"}}
	for y := 2020; y <= 2026; y++ {
		var gotOff, gotWork []string
		for _, d := range generate(y, ptr(announced[y])) {
			if d.Kind == WorkDay {
				gotWork = append(gotWork, d.Day.Format(time.DateOnly))
			} else {
				gotOff = append(gotOff, d.Day.Format(time.DateOnly))
			}
		}
		if want := expand(t, announcedOff[y]); strings.Join(gotOff, " ") != strings.Join(want, " ") {
			t.Errorf("%d: weekdays off\n got %v\nwant %v", y, gotOff, want)
		}
		if want := announcedWork[y]; strings.Join(gotWork, " ") != strings.Join(want, " ") {
			t.Errorf("%d: Saturdays worked: got %v, want %v", y, gotWork, want)
		}
		// Without the swaps, the plain rules (Proposed) give the same days.
		notes := announced[y]
		notes.swaps = nil
		if a, b := dates(generate(y, &notes)), dates(Proposed(y)); a != b {
			t.Errorf("%d: Proposed differs from the announced schedule without its swaps:\n%s\n%s", y, b, a)
		}
	}
}

// Every seeded year has 11 holidays' worth of weekdays off (10 in 2020, under the 2012 code), all rows
// valid for SetDay, and only 2027 onwards marked for verification.
func TestSeedShape(t *testing.T) {
	t.Parallel()
	perYear := map[int]int{}
	for _, d := range seedDays() {
		y := d.Day.Year()
		if d.Kind != WorkDay {
			perYear[y]++
		} else {
			perYear[y]-- // a swap adds a day off and takes a Saturday
		}
		if _, err := validate(d.Day, d.Kind, d.NameVI, d.Source); err != nil {
			t.Errorf("%s: %v", d.Day.Format(time.DateOnly), err)
		}
		if proposed := d.Source == SourceProposed; proposed != (y > 2026) {
			t.Errorf("%s: source %q", d.Day.Format(time.DateOnly), d.Source)
		}
	}
	for y := FirstSeedYear; y <= LastSeedYear; y++ {
		want := 11
		if y == 2020 {
			want = 10
		}
		if perYear[y] != want {
			t.Errorf("%d: %d weekdays off net of swaps, want %d", y, perYear[y], want)
		}
	}
	// The predicted years, spelled out (Tết: 2027 Sat 6/2, 2028 Wed 26/1, 2029 Tue 13/2, 2030 Sat 2/2).
	want := map[int][]string{
		2027: {"2027-01-01", "2027-02-04", "2027-02-05", "2027-02-08..2027-02-10", "2027-04-16", "2027-04-30", "2027-05-03", "2027-09-02", "2027-09-03"},
		2028: {"2028-01-03", "2028-01-24..2028-01-28", "2028-04-04", "2028-05-01", "2028-05-02", "2028-09-01", "2028-09-04"},
		2029: {"2029-01-01", "2029-02-12..2029-02-16", "2029-04-23", "2029-04-30", "2029-05-01", "2029-09-03", "2029-09-04"},
		2030: {"2030-01-01", "2030-01-31", "2030-02-01", "2030-02-04..2030-02-06", "2030-04-12", "2030-04-30", "2030-05-01", "2030-09-02", "2030-09-03"},
	}
	for y, w := range want {
		if got, w := dates(Proposed(y)), strings.Join(expand(t, w), " "); got != w {
			t.Errorf("Proposed(%d):\n got %s\nwant %s", y, got, w)
		}
	}
}

func ptr[T any](v T) *T { return &v }

func dates(days []Day) string {
	s := make([]string, len(days))
	for i, d := range days {
		s[i] = d.Day.Format(time.DateOnly)
	}
	return strings.Join(s, " ")
}

// expand turns "a..b" into the weekdays from a to b.
func expand(t *testing.T, specs []string) []string {
	var out []string
	for _, s := range specs {
		a, b, ok := strings.Cut(s, "..")
		if !ok {
			out = append(out, s)
			continue
		}
		for d := day(a); !d.After(day(b)); d = d.AddDate(0, 0, 1) {
			if d.Weekday() != time.Saturday && d.Weekday() != time.Sunday {
				out = append(out, d.Format(time.DateOnly))
			}
		}
	}
	return out
}
