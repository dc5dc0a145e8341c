package calendar

import (
	"flag"
	"os"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the generated seed of migration 0002_calendar.sql")

const (
	migrationFile = "../db/migrations/0002_calendar.sql"
	historyFile   = "../db/migrations/0019_calendar_2010_2035.sql"
)

// TestSeed checks that migrations 0002 and 0019 hold exactly what seed.go generates (with -update,
// rewrites them). TestSeededRows then checks that the migrations, applied, hold those rows.
func TestSeed(t *testing.T) {
	for file, want := range map[string]string{migrationFile: seedSQL(), historyFile: historySQL()} {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		src := string(b)
		i := strings.Index(src, "-- BEGIN GENERATED SEED")
		j := strings.Index(src, seedEnd)
		if i < 0 || j < i {
			t.Fatalf("%s: no generated seed block", file)
		}
		if src[i:j+len(seedEnd)] == want {
			continue
		}
		if *update {
			if err := os.WriteFile(file, []byte(src[:i]+want+src[j+len(seedEnd):]), 0o644); err != nil {
				t.Fatal(err)
			}
			t.Logf("rewrote the seed of %s", file)
			continue
		}
		t.Errorf("%s: the seed differs from seed.go; run go test ./internal/calendar -run TestSeed -update", file)
	}
}

// The years before 2020 follow the law of their time: 9 weekdays off net of weekends under the 1994
// code (Tết 4 days, to 2013), 10 under the 2012 code; after 2030, 11. Each row is valid for SetDay and
// says how it was obtained.
func TestHistoryShape(t *testing.T) {
	t.Parallel()
	perYear := map[int]int{}
	for _, d := range historyDays() {
		y := d.Day.Year()
		if y >= FirstSeedYear && y <= LastSeedYear {
			t.Fatalf("%s: inside migration 0002's years", d.Day.Format(time.DateOnly))
		}
		perYear[y]++
		if _, err := validate(d.Day, d.Kind, d.NameVI, d.Source); err != nil {
			t.Errorf("%s: %v", d.Day.Format(time.DateOnly), err)
		}
		if want := map[bool]string{true: SourceComputed, false: SourceProposed}[y < FirstSeedYear]; d.Source != want {
			t.Errorf("%s: source %q, want %q", d.Day.Format(time.DateOnly), d.Source, want)
		}
	}
	for y := FirstHistoryYear; y <= LastHistoryYear; y++ {
		want := map[bool]int{true: 9, false: 10}[y <= 2013]
		if y > LastSeedYear {
			want = 11
		} else if y >= FirstSeedYear {
			continue
		}
		if perYear[y] != want {
			t.Errorf("%d: %d weekdays off, want %d", y, perYear[y], want)
		}
	}
	// Spelled out from the lunar calendar: Tết Canh Dần 2010 (mùng 1 Sunday 14/2: 30 Tết Saturday 13/2,
	// so Monday to Wednesday 15–17/2 off, plus a compensatory Thursday 18/2 for the Saturday); Tết Đinh
	// Dậu 2017 (mùng 1 Saturday 28/1: 26/1–27/1 and 30/1, compensations 31/1 and 1/2); 2/9/2018 on a
	// Sunday, made up on Monday 3/9.
	want := map[int][]string{
		2010: {"2010-01-01", "2010-02-15..2010-02-18", "2010-04-23", "2010-04-30", "2010-05-03", "2010-09-02"},
		2017: {"2017-01-02", "2017-01-26", "2017-01-27", "2017-01-30..2017-02-01", "2017-04-06", "2017-05-01", "2017-05-02", "2017-09-04"},
		2018: {"2018-01-01", "2018-02-14..2018-02-20", "2018-04-25", "2018-04-30", "2018-05-01", "2018-09-03"},
	}
	var got = map[int][]string{}
	for _, d := range historyDays() {
		got[d.Day.Year()] = append(got[d.Day.Year()], d.Day.Format(time.DateOnly))
	}
	for y, w := range want {
		if g, w := strings.Join(got[y], " "), strings.Join(expand(t, w), " "); g != w {
			t.Errorf("%d:\n got %s\nwant %s", y, g, w)
		}
	}
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
