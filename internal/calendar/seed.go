package calendar

import (
	"fmt"
	"ptdv/internal/vn"
	"slices"
	"strings"
	"time"
)

// This file computes the exceptions of a year from the law and the lunar calendar. It generated the
// seed of migration 0002 (years 2020–2030, see seedDays); TestSeed checks that the migration and this
// code agree, and `go test ./internal/calendar -run TestSeed -update` rewrites the seed after a change
// here. At run time the table is the only source: administrators correct it there.
//
// The law (Bộ luật Lao động 2019, Điều 112, in force from 2021; before it Bộ luật Lao động 2012,
// Điều 115) gives 11 paid holidays: Tết Dương lịch 1/1; Tết Âm lịch 5 days, which the Prime Minister
// chooses each year; Giỗ Tổ Hùng Vương 10/3 lunar; 30/4; 1/5; Quốc khánh 2/9 plus one day before or
// after it (from 2021; one day before). A holiday on the weekly rest day is made up on the next
// working day (khoản 3). Civil servants rest on Saturdays and Sundays. On top of that the government
// often swaps a working day for a Saturday to join a holiday to a weekend (hoán đổi, làm bù).

// FirstSeedYear and LastSeedYear bound the years migration 0002 seeds.
const (
	FirstSeedYear = 2020
	LastSeedYear  = 2030
)

// FirstHistoryYear and LastHistoryYear bound the years migration 0019 adds around them: offices import
// ten years and more of their own records, and a deadline counted over plain weekdays, without Tết,
// would call many of them late.
const (
	FirstHistoryYear = 2010
	LastHistoryYear  = 2035
)

// SourceComputed marks a past year computed from the law then in force and the lunar calendar: the
// announcement of that year (its swaps above all) is not recorded yet.
const SourceComputed = "tính theo luật và âm lịch, chưa đối chiếu thông báo của Chính phủ (verify)"

type occasion int

const (
	occNewYear occasion = iota
	occTet
	occHungKings
	occVictory
	occLabour
	occNational
)

// yearNotes is what the government announced for one year, for civil servants: the source to cite for
// each occasion (where it is more than the law) and the swaps.
type yearNotes struct {
	sources map[occasion]string
	swaps   []swap
}

// swap moves a working day to a weekend day: off is a weekday off, work the Saturday worked instead.
type swap struct {
	off, work string // YYYY-MM-DD
	occ       occasion
	source    string
}

// announced holds the schedules the government announced for 2020–2026. The days themselves follow
// from the rules in generate (which reproduce every one of these years); what is recorded here is
// the citation and the swaps, which no rule predicts. The dates were checked against press reports
// of the announcements (the Government Office's letters and the ministry's notices); document numbers
// are cited where a report gave them.
var announced = map[int]yearNotes{
	2020: {sources: map[occasion]string{
		occTet:      "BLLĐ 2012, Điều 115; lịch nghỉ Tết Canh Tý của CBCCVC: 23/01–29/01/2020",
		occNational: "BLLĐ 2012, Điều 115 (Quốc khánh 1 ngày)",
	}},
	2021: {sources: map[occasion]string{
		occTet:      "BLLĐ 2019, Điều 112; lịch nghỉ Tết Tân Sửu của CBCCVC: 10/02–16/02/2021",
		occNational: "BLLĐ 2019, Điều 112; lịch nghỉ Quốc khánh của CBCCVC: 02/09–05/09/2021",
	}},
	2022: {sources: map[occasion]string{
		occTet:      "BLLĐ 2019, Điều 112; lịch nghỉ Tết Nhâm Dần của CBCCVC: 29/01–06/02/2022",
		occNational: "BLLĐ 2019, Điều 112; lịch nghỉ Quốc khánh của CBCCVC: 01/09–04/09/2022",
	}},
	2023: {sources: map[occasion]string{
		occTet:      "BLLĐ 2019, Điều 112; lịch nghỉ Tết Quý Mão của CBCCVC: 20/01–26/01/2023",
		occNational: "BLLĐ 2019, Điều 112; Công văn 8056/VPCP-KGVX ngày 01/12/2022: nghỉ 01/09–04/09/2023",
	}},
	2024: {sources: map[occasion]string{
		occTet:      "BLLĐ 2019, Điều 112; lịch nghỉ Tết Giáp Thìn của CBCCVC: 08/02–14/02/2024",
		occNational: "BLLĐ 2019, Điều 112; lịch nghỉ Quốc khánh của CBCCVC: 31/08–03/09/2024",
	}, swaps: []swap{
		{off: "2024-04-29", work: "2024-05-04", occ: occVictory,
			source: "Công văn 2450/VPCP-KGVX ngày 12/4/2024: hoán đổi thứ Hai 29/4 sang thứ Bảy 4/5/2024"},
	}},
	2025: {sources: map[occasion]string{
		occTet:      "BLLĐ 2019, Điều 112; lịch nghỉ Tết Ất Tỵ của CBCCVC: 25/01–02/02/2025",
		occNational: "BLLĐ 2019, Điều 112; lịch nghỉ Quốc khánh của CBCCVC: 30/08–02/09/2025",
	}, swaps: []swap{
		{off: "2025-05-02", work: "2025-04-26", occ: occVictory,
			source: "Thủ tướng đồng ý hoán đổi thứ Sáu 2/5 sang thứ Bảy 26/4/2025 (nghỉ 30/4–4/5/2025)"},
	}},
	2026: {sources: map[occasion]string{
		occTet:      "BLLĐ 2019, Điều 112; Thủ tướng đồng ý (VPCP, 10/2025): CBCCVC nghỉ Tết Bính Ngọ 14/02–22/02/2026",
		occNational: "BLLĐ 2019, Điều 112; Thủ tướng đồng ý (VPCP, 10/2025): nghỉ Quốc khánh 29/08–02/09/2026",
	}, swaps: []swap{
		{off: "2026-01-02", work: "2026-01-10", occ: occNewYear,
			source: "Công văn 12729/VPCP-KGVX ngày 25/12/2025: hoán đổi thứ Sáu 2/1 sang thứ Bảy 10/1/2026"},
		{off: "2026-08-31", work: "2026-08-22", occ: occNational,
			source: "Thủ tướng đồng ý (VPCP, 10/2025): hoán đổi thứ Hai 31/8 sang thứ Bảy 22/8/2026"},
	}},
}

var occasionVI = map[occasion]string{
	occNewYear:   "Tết Dương lịch",
	occTet:       "Tết Nguyên đán",
	occHungKings: "Giỗ Tổ Hùng Vương",
	occVictory:   "dịp 30/4–1/5",
	occLabour:    "dịp 30/4–1/5",
	occNational:  "Quốc khánh",
}

var weekdayVI = [...]string{"Chủ nhật", "thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy"}

// Proposed returns the exceptions of year y as the law and the government's usual practice give them:
// the weekday holidays, and a day off for each holiday on a weekend. Where the law leaves a choice it
// follows the choices made in 2020–2026: Tết is the last two days of the old lunar year and the first
// three of the new one (the last day and the first four when mùng 1 is a Tuesday, which makes Monday to
// Friday); the day next to 2/9 is the one that joins it to a weekend (1/9 when 2/9 is a Tuesday,
// Wednesday, Friday or Saturday, else 3/9). Swaps (hoán đổi) are decided case by case and never
// proposed. Every row has source SourceProposed: an administrator checks it against the government's
// announcement before relying on it.
func Proposed(y int) []Day { return generate(y, nil) }

// seedDays returns the rows of the seed: the announced schedules where known, Proposed elsewhere.
func seedDays() []Day {
	var days []Day
	for y := FirstSeedYear; y <= LastSeedYear; y++ {
		if notes, ok := announced[y]; ok {
			days = append(days, generate(y, &notes)...)
		} else {
			days = append(days, Proposed(y)...)
		}
	}
	return days
}

type holiday struct {
	day  time.Time
	occ  occasion
	name string
}

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// holidays returns the public holidays of year y, weekends included, in date order.
func holidays(y int) []holiday {
	hs := []holiday{{date(y, 1, 1), occNewYear, "Tết Dương lịch"}}

	tet := LunarNewYear(y)
	// Tết is 5 days since BLLĐ 2012 (in force 1/5/2013, so from Tết 2014), 4 days before it: then the
	// last day of the old year and the first three of the new one.
	length, before := 5, 2
	if y <= 2013 {
		length, before = 4, 1
	} else if tet.Weekday() == time.Tuesday {
		before = 1
	}
	for i := -before; i < length-before; i++ {
		d := tet.AddDate(0, 0, i)
		var label string
		if l := SolarToLunar(d); i < 0 {
			label = fmt.Sprintf("%d tháng Chạp", l.Day)
		} else {
			label = fmt.Sprintf("mùng %d tháng Giêng", l.Day)
		}
		hs = append(hs, holiday{d, occTet, fmt.Sprintf("Tết Nguyên đán %s (%s)", YearName(y), label)})
	}

	hung, err := LunarToSolar(LunarDate{Day: 10, Month: 3, Year: y})
	if err != nil {
		panic(err)
	}
	hs = append(hs,
		holiday{hung, occHungKings, "Giỗ Tổ Hùng Vương (10/3 âm lịch)"},
		holiday{date(y, 4, 30), occVictory, "Ngày Chiến thắng (30/4)"},
		holiday{date(y, 5, 1), occLabour, "Ngày Quốc tế Lao động (1/5)"},
		holiday{date(y, 9, 2), occNational, "Quốc khánh (2/9)"})
	if y >= 2021 { // BLLĐ 2019: 2/9 and one day before or after
		switch date(y, 9, 2).Weekday() {
		case time.Tuesday, time.Wednesday, time.Friday, time.Saturday:
			hs = append(hs, holiday{date(y, 9, 1), occNational, "Quốc khánh (ngày liền trước, 1/9)"})
		default:
			hs = append(hs, holiday{date(y, 9, 3), occNational, "Quốc khánh (ngày liền sau, 3/9)"})
		}
	}
	slices.SortStableFunc(hs, func(a, b holiday) int { return a.day.Compare(b.day) })
	return hs
}

// generate returns the exceptions of year y: the weekday holidays, the compensatory days off and, when
// notes are given, the announced swaps, with sources from notes (or SourceProposed without notes).
func generate(y int, notes *yearNotes) []Day {
	law := lawOf(y)
	source := func(o occasion) string {
		if notes == nil {
			return SourceProposed
		}
		if s, ok := notes.sources[o]; ok {
			return s
		}
		return law
	}

	hs := holidays(y)
	off := map[time.Time]bool{} // holidays and days off so far
	for _, h := range hs {
		off[h.day] = true
	}
	var days []Day
	seen := map[time.Time]bool{}
	for _, h := range hs {
		weekend := h.day.Weekday() == time.Saturday || h.day.Weekday() == time.Sunday
		if !weekend && !seen[h.day] {
			days = append(days, Day{Day: h.day, Kind: Holiday, NameVI: h.name, Source: source(h.occ)})
		}
		if weekend || seen[h.day] { // on a rest day, or on another holiday: made up on the next working day
			d := h.day.AddDate(0, 0, 1)
			for d.Weekday() == time.Saturday || d.Weekday() == time.Sunday || off[d] {
				d = d.AddDate(0, 0, 1)
			}
			off[d] = true
			why := "rơi vào " + weekdayVI[h.day.Weekday()]
			if !weekend {
				why = "trùng một ngày lễ khác"
			}
			days = append(days, Day{Day: d, Kind: DayOff, Source: source(h.occ),
				NameVI: fmt.Sprintf("Nghỉ bù %s: ngày %s %s", h.name, vn.Date(h.day), why)})
		}
		seen[h.day] = true
	}
	if notes != nil {
		for _, s := range notes.swaps {
			o, w := mustDate(s.off), mustDate(s.work)
			days = append(days,
				Day{Day: o, Kind: DayOff, Source: s.source,
					NameVI: fmt.Sprintf("Nghỉ hoán đổi %s (làm bù %s %s)", occasionVI[s.occ], weekdayVI[w.Weekday()], vn.Date(w))},
				Day{Day: w, Kind: WorkDay, Source: s.source,
					NameVI: fmt.Sprintf("Làm bù cho ngày nghỉ hoán đổi %s %s (%s)", weekdayVI[o.Weekday()], vn.Date(o), occasionVI[s.occ])})
		}
	}
	slices.SortStableFunc(days, func(a, b Day) int { return a.Day.Compare(b.Day) })
	return days
}

// lawOf cites the article that lists the public holidays of year y. Giỗ Tổ Hùng Vương has been a
// holiday since the 2007 amendment of the 1994 code, so every year from 2010 has it.
func lawOf(y int) string {
	switch {
	case y >= 2021:
		return "BLLĐ 2019, Điều 112"
	case y >= 2014:
		return "BLLĐ 2012, Điều 115"
	default: // BLLĐ 2012 came into force on 1/5/2013, after Tết 2013
		return "BLLĐ 1994 (sửa đổi 2007), Điều 73"
	}
}

// historyDays returns the rows of migration 0019: the years from FirstHistoryYear to LastHistoryYear
// outside migration 0002's range. Past years carry SourceComputed, future ones SourceProposed.
func historyDays() []Day {
	var days []Day
	for y := FirstHistoryYear; y <= LastHistoryYear; y++ {
		if y >= FirstSeedYear && y <= LastSeedYear {
			continue
		}
		for _, d := range Proposed(y) {
			if y < FirstSeedYear {
				d.Source = SourceComputed
			}
			days = append(days, d)
		}
	}
	return days
}

func mustDate(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// Markers around the generated part of migrations 0002 and 0019.
const (
	seedBegin = "-- BEGIN GENERATED SEED (internal/calendar/seed.go; go test ./internal/calendar -run TestSeed -update)\n"
	seedEnd   = "-- END GENERATED SEED\n"
)

// seedSQL renders seedDays as the INSERT of migration 0002, markers included.
func seedSQL() string { return renderSQL(seedDays(), "") }

// historySQL renders historyDays as the INSERT of migration 0019, markers included. ON CONFLICT keeps
// a day an administrator entered before the migration ran.
func historySQL() string { return renderSQL(historyDays(), "ON CONFLICT (day) DO NOTHING") }

func renderSQL(days []Day, onConflict string) string {
	var b strings.Builder
	b.WriteString(seedBegin)
	b.WriteString("INSERT INTO calendar_day (day, kind, name_vi, source) VALUES\n")
	year := 0
	for i, d := range days {
		if d.Day.Year() != year {
			year = d.Day.Year()
			status := "announced"
			if _, ok := announced[year]; !ok {
				status = "proposed: " + SourceProposed
				if year < FirstSeedYear {
					status = "computed: " + SourceComputed
				}
			}
			fmt.Fprintf(&b, "    -- %d (Tết %s, mùng 1 = %s; %s)\n", year, YearName(year), LunarNewYear(year).Format(time.DateOnly), status)
		}
		sep := ","
		if i == len(days)-1 && onConflict == "" {
			sep = ";"
		} else if i == len(days)-1 {
			sep = "\n    " + onConflict + ";"
		}
		fmt.Fprintf(&b, "    ('%s', %-11s %s, %s)%s\n", d.Day.Format(time.DateOnly), sqlString(d.Kind)+",", sqlString(d.NameVI), sqlString(d.Source), sep)
	}
	b.WriteString(seedEnd)
	return b.String()
}

func sqlString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
