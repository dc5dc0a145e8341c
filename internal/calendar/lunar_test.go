package calendar

import (
	"testing"
	"time"
)

func TestLunarNewYear(t *testing.T) {
	t.Parallel()
	// Mùng 1 Tết, as the Vietnamese almanacs give it.
	want := map[int]string{
		2020: "2020-01-25", 2021: "2021-02-12", 2022: "2022-02-01", 2023: "2023-01-22",
		2024: "2024-02-10", 2025: "2025-01-29", 2026: "2026-02-17", 2027: "2027-02-06",
		2028: "2028-01-26", 2029: "2029-02-13",
		// 2030: the new moon is on 2 February at 16:07 UTC, 23:07 in Vietnam but 00:07 on 3 February
		// in China: Tết Canh Tuất is 2 February in Vietnam, 3 February (Chinese New Year) in China.
		2030: "2030-02-02",
		// The other years where UTC+7 and UTC+8 disagree: the Chinese New Year was 1985-02-20 and 2007-02-18.
		1985: "1985-01-21", 2007: "2007-02-17",
	}
	for y, w := range want {
		if got := LunarNewYear(y).Format(time.DateOnly); got != w {
			t.Errorf("LunarNewYear(%d) = %s, want %s", y, got, w)
		}
		if got := SolarToLunar(day(w)); got != (LunarDate{Day: 1, Month: 1, Year: y}) {
			t.Errorf("SolarToLunar(%s) = %v, want 1/1/%d", w, got, y)
		}
		// The day before is the last day of month 12 of the previous lunar year.
		if got := SolarToLunar(day(w).AddDate(0, 0, -1)); got.Month != 12 || got.Year != y-1 || got.Day < 29 || got.Leap {
			t.Errorf("SolarToLunar(day before %s) = %v, want 29 or 30/12/%d", w, got, y-1)
		}
	}
}

// In UTC+8 the same algorithm gives the Chinese New Year, which differs exactly in those years.
func TestLunarChineseTimeZone(t *testing.T) {
	t.Parallel()
	for y, w := range map[int]string{1985: "1985-02-20", 2007: "2007-02-18", 2030: "2030-02-03", 2026: "2026-02-17", 2027: "2027-02-06"} {
		got, err := lunarToSolar(LunarDate{Day: 1, Month: 1, Year: y}, 8)
		if err != nil || got.Format(time.DateOnly) != w {
			t.Errorf("Chinese New Year %d = %s, %v; want %s", y, got.Format(time.DateOnly), err, w)
		}
	}
}

func TestLunarSpotChecks(t *testing.T) {
	t.Parallel()
	type spot struct {
		solar string
		lunar LunarDate
	}
	cases := []spot{
		// Leap months: 4 in 2020, 2 in 2023, 6 in 2025.
		{"2020-05-23", LunarDate{1, 4, 2020, true}},
		{"2023-03-22", LunarDate{1, 2, 2023, true}},
		{"2025-07-25", LunarDate{1, 6, 2025, true}},
		// Trung thu 2025 (15/8) and the last day of Ất Tỵ, 29 tháng Chạp (a 29-day month).
		{"2025-10-06", LunarDate{15, 8, 2025, false}},
		{"2026-02-16", LunarDate{29, 12, 2025, false}},
		// 30 tháng Chạp Nhâm Dần, the day before Tết Quý Mão.
		{"2023-01-21", LunarDate{30, 12, 2022, false}},
	}
	// Giỗ Tổ Hùng Vương, 10/3: the dates the holidays of 2020–2026 were announced for.
	for i, solar := range []string{"2020-04-02", "2021-04-21", "2022-04-10", "2023-04-29", "2024-04-18", "2025-04-07", "2026-04-26"} {
		cases = append(cases, spot{solar, LunarDate{10, 3, 2020 + i, false}})
	}
	for _, c := range cases {
		if got := SolarToLunar(day(c.solar)); got != c.lunar {
			t.Errorf("SolarToLunar(%s) = %v, want %v", c.solar, got, c.lunar)
		}
		got, err := LunarToSolar(c.lunar)
		if err != nil || got.Format(time.DateOnly) != c.solar {
			t.Errorf("LunarToSolar(%v) = %s, %v; want %s", c.lunar, got.Format(time.DateOnly), err, c.solar)
		}
	}
	for _, bad := range []LunarDate{{1, 5, 2020, true}, {1, 1, 2024, true}, {30, 12, 2025, false}, {0, 1, 2025, false}, {1, 13, 2025, false}} {
		if got, err := LunarToSolar(bad); err == nil {
			t.Errorf("LunarToSolar(%v) = %s, want an error", bad, got.Format(time.DateOnly))
		}
	}
}

// Every day of 1990–2060 converts to a lunar date and back, and consecutive days are consecutive
// lunar days: months of 29 or 30 days, 12 or 13 months a year, numbered in order.
func TestLunarRoundTrip(t *testing.T) {
	t.Parallel()
	prev := SolarToLunar(day("1989-12-31"))
	for d := day("1990-01-01"); d.Year() <= 2060; d = d.AddDate(0, 0, 1) {
		l := SolarToLunar(d)
		back, err := LunarToSolar(l)
		if err != nil || !back.Equal(d) {
			t.Fatalf("%s -> %v -> %s, %v", d.Format(time.DateOnly), l, back.Format(time.DateOnly), err)
		}
		if l.Day == 1 {
			ok := prev.Day == 29 || prev.Day == 30
			switch {
			case l.Leap:
				ok = ok && l.Month == prev.Month && !prev.Leap && l.Year == prev.Year
			case l.Month == 1:
				ok = ok && prev.Month == 12 && l.Year == prev.Year+1
			default:
				ok = ok && l.Month == prev.Month+1 && l.Year == prev.Year
			}
			if !ok {
				t.Fatalf("%s: month starts %v after %v", d.Format(time.DateOnly), l, prev)
			}
		} else if l.Day != prev.Day+1 || l.Month != prev.Month || l.Leap != prev.Leap || l.Year != prev.Year {
			t.Fatalf("%s: %v follows %v", d.Format(time.DateOnly), l, prev)
		}
		prev = l
	}
}

func TestYearName(t *testing.T) {
	t.Parallel()
	for y, w := range map[int]string{2020: "Canh Tý", 2024: "Giáp Thìn", 2025: "Ất Tỵ", 2026: "Bính Ngọ", 2030: "Canh Tuất", 1945: "Ất Dậu"} {
		if got := YearName(y); got != w {
			t.Errorf("YearName(%d) = %q, want %q", y, got, w)
		}
	}
}
