package calendar

import (
	"fmt"
	"math"
	"time"
)

// The Vietnamese lunisolar calendar (âm lịch), after Hồ Ngọc Đức's algorithm ("Thuật toán tính âm
// lịch", https://www.informatik.uni-leipzig.de/~duc/amlich/calrules.html), which the Vietnamese
// almanacs follow: new moons and solar terms from Jean Meeus' "Astronomical Algorithms" (the
// simplified series Hồ Ngọc Đức uses), evaluated in the time zone of Vietnam, UTC+7. The time zone
// matters: a new moon between 23:00 and midnight in Vietnam starts the month a day earlier than in the
// Chinese calendar (UTC+8), as for Tết 2007 (17/02, China 18/02) and Tết 2030 (02/02, China 03/02);
// in 1985 the two calendars put Tết a month apart (21/01 against 20/02).
//
// Rules: a month starts on the day (UTC+7) of a new moon; month 11 is the month that contains the
// winter solstice; a year with 13 months between two months 11 has a leap month, the first month
// after month 11 that contains no major solar term (trung khí), and it repeats the number of the
// month before it.

// vnTimeZone is Vietnam's offset from UTC, in hours.
const vnTimeZone = 7.0

// LunarDate is a date of the Vietnamese lunar calendar. Year is the solar year in which the lunar year
// starts (Tết): the day before Tết 2026 is LunarDate{Day: 29, Month: 12, Year: 2025}.
type LunarDate struct {
	Day   int
	Month int
	Year  int
	Leap  bool // a leap month (tháng nhuận), which repeats the number of the month before it
}

func (l LunarDate) String() string {
	leap := ""
	if l.Leap {
		leap = " nhuận"
	}
	return fmt.Sprintf("%d/%d%s/%d (âm lịch)", l.Day, l.Month, leap, l.Year)
}

// SolarToLunar converts the calendar date of t (in t's own location) to the Vietnamese lunar calendar.
func SolarToLunar(t time.Time) LunarDate {
	y, m, d := t.Date()
	return solarToLunar(jdFromDate(d, int(m), y), y, vnTimeZone)
}

// LunarToSolar converts a Vietnamese lunar date to the solar date (UTC midnight). It fails for a leap
// month that the year does not have and for a day the month does not have (a month has 29 or 30 days).
func LunarToSolar(l LunarDate) (time.Time, error) { return lunarToSolar(l, vnTimeZone) }

// lunarToSolar is LunarToSolar in the time zone tz (hours east of UTC; the Chinese calendar uses 8).
func lunarToSolar(l LunarDate, tz float64) (time.Time, error) {
	if l.Month < 1 || l.Month > 12 || l.Day < 1 || l.Day > 30 {
		return time.Time{}, fmt.Errorf("calendar: invalid lunar date %v", l)
	}
	start, ok := lunarMonthStart(l.Month, l.Year, l.Leap, tz)
	if !ok {
		return time.Time{}, fmt.Errorf("calendar: lunar year %d has no leap month %d", l.Year, l.Month)
	}
	jd := start + l.Day - 1
	if back := solarToLunarJD(jd, tz); back.Month != l.Month || back.Leap != l.Leap || back.Day != l.Day {
		return time.Time{}, fmt.Errorf("calendar: lunar month %d/%d has no day %d", l.Month, l.Year, l.Day)
	}
	return jdToDate(jd), nil
}

// LunarNewYear returns the first day of the lunar year that starts in solar year y (mùng 1 Tết).
func LunarNewYear(y int) time.Time {
	t, err := LunarToSolar(LunarDate{Day: 1, Month: 1, Year: y})
	if err != nil {
		panic(err) // every lunar year has a month 1
	}
	return t
}

// YearName returns the sexagenary (can chi) name of lunar year y, e.g. 2026 -> "Bính Ngọ".
func YearName(y int) string {
	stems := [...]string{"Giáp", "Ất", "Bính", "Đinh", "Mậu", "Kỷ", "Canh", "Tân", "Nhâm", "Quý"}
	branches := [...]string{"Tý", "Sửu", "Dần", "Mão", "Thìn", "Tỵ", "Ngọ", "Mùi", "Thân", "Dậu", "Tuất", "Hợi"}
	return stems[mod(y+6, 10)] + " " + branches[mod(y+8, 12)]
}

func mod(a, b int) int { return ((a % b) + b) % b }

// jdFromDate returns the Julian day number of a date of the proleptic Gregorian calendar (the Julian
// calendar before 15 October 1582, as in the original algorithm).
func jdFromDate(dd, mm, yy int) int {
	a := (14 - mm) / 12
	y := yy + 4800 - a
	m := mm + 12*a - 3
	jd := dd + (153*m+2)/5 + 365*y + y/4 - y/100 + y/400 - 32045
	if jd < 2299161 {
		jd = dd + (153*m+2)/5 + 365*y + y/4 - 32083
	}
	return jd
}

// jdToDate returns the date (UTC midnight) of a Julian day number.
func jdToDate(jd int) time.Time {
	var a, b, c int
	if jd > 2299160 { // after 5/10/1582, Gregorian
		a = jd + 32044
		b = (4*a + 3) / 146097
		c = a - (b*146097)/4
	} else {
		b = 0
		c = jd + 32082
	}
	d := (4*c + 3) / 1461
	e := c - (1461*d)/4
	m := (5*e + 2) / 153
	day := e - (153*m+2)/5 + 1
	month := m + 3 - 12*(m/10)
	year := b*100 + d - 4800 + m/10
	return time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC)
}

// newMoonDay returns the Julian day number (in UTC+tz) of the k-th new moon after the one of
// 1 January 1900.
func newMoonDay(k int, tz float64) int {
	kf := float64(k)
	T := kf / 1236.85
	T2 := T * T
	T3 := T2 * T
	dr := math.Pi / 180
	jd1 := 2415020.75933 + 29.53058868*kf + 0.0001178*T2 - 0.000000155*T3
	jd1 += 0.00033 * math.Sin((166.56+132.87*T-0.009173*T2)*dr)
	M := 359.2242 + 29.10535608*kf - 0.0000333*T2 - 0.00000347*T3    // the sun's mean anomaly
	Mpr := 306.0253 + 385.81691806*kf + 0.0107306*T2 + 0.00001236*T3 // the moon's mean anomaly
	F := 21.2964 + 390.67050646*kf - 0.0016528*T2 - 0.00000239*T3    // the moon's argument of latitude
	C1 := (0.1734-0.000393*T)*math.Sin(M*dr) + 0.0021*math.Sin(2*dr*M)
	C1 = C1 - 0.4068*math.Sin(Mpr*dr) + 0.0161*math.Sin(dr*2*Mpr)
	C1 = C1 - 0.0004*math.Sin(dr*3*Mpr)
	C1 = C1 + 0.0104*math.Sin(dr*2*F) - 0.0051*math.Sin(dr*(M+Mpr))
	C1 = C1 - 0.0074*math.Sin(dr*(M-Mpr)) + 0.0004*math.Sin(dr*(2*F+M))
	C1 = C1 - 0.0004*math.Sin(dr*(2*F-M)) - 0.0006*math.Sin(dr*(2*F+Mpr))
	C1 = C1 + 0.0010*math.Sin(dr*(2*F-Mpr)) + 0.0005*math.Sin(dr*(2*Mpr+M))
	var deltaT float64
	if T < -11 {
		deltaT = 0.001 + 0.000839*T + 0.0002261*T2 - 0.00000845*T3 - 0.000000081*T*T3
	} else {
		deltaT = -0.000278 + 0.000265*T + 0.000262*T2
	}
	jdNew := jd1 + C1 - deltaT
	return int(math.Floor(jdNew + 0.5 + tz/24))
}

// sunLongitude returns the sector (0..11, 30° each, 0 = from the vernal equinox) of the sun's
// longitude at the start of Julian day jdn in UTC+tz. Sector 9 starts at the winter solstice.
func sunLongitude(jdn int, tz float64) int {
	T := (float64(jdn) - 2451545.5 - tz/24) / 36525
	T2 := T * T
	dr := math.Pi / 180
	M := 357.52910 + 35999.05030*T - 0.0001559*T2 - 0.00000048*T*T2
	L0 := 280.46645 + 36000.76983*T + 0.0003032*T2
	DL := (1.914600 - 0.004817*T - 0.000014*T2) * math.Sin(dr*M)
	DL += (0.019993-0.000101*T)*math.Sin(dr*2*M) + 0.000290*math.Sin(dr*3*M)
	L := L0 + DL
	omega := 125.04 - 1934.136*T
	L = L - 0.00569 - 0.00478*math.Sin(omega*dr)
	L *= dr
	L -= 2 * math.Pi * math.Floor(L/(2*math.Pi))
	return int(math.Floor(L / math.Pi * 6))
}

const (
	jdNewMoon1900  = 2415021.076998695 // the new moon of 1 January 1900
	synodicMonth   = 29.530588853
	jdEpoch1900Day = 2415021
)

// lunarMonth11 returns the Julian day on which month 11 of the lunar year ending in solar year yy
// begins: the month that contains the winter solstice.
func lunarMonth11(yy int, tz float64) int {
	off := float64(jdFromDate(31, 12, yy) - jdEpoch1900Day)
	k := int(math.Floor(off / synodicMonth))
	nm := newMoonDay(k, tz)
	if sunLongitude(nm, tz) >= 9 {
		nm = newMoonDay(k-1, tz)
	}
	return nm
}

// leapMonthOffset returns the offset, from month 11 starting on a11, of the leap month of a
// 13-month year: the first month that contains no major solar term.
func leapMonthOffset(a11 int, tz float64) int {
	k := int(math.Floor((float64(a11)-jdNewMoon1900)/synodicMonth + 0.5))
	i := 1
	arc := sunLongitude(newMoonDay(k+i, tz), tz)
	for {
		last := arc
		i++
		arc = sunLongitude(newMoonDay(k+i, tz), tz)
		if arc == last || i >= 14 {
			break
		}
	}
	return i - 1
}

func solarToLunar(dayNumber, yy int, tz float64) LunarDate {
	k := int(math.Floor((float64(dayNumber) - jdNewMoon1900) / synodicMonth))
	// The original steps back from the (k+1)-th new moon once; a true new moon can fall far enough
	// after the mean one that the k-th is still after the day (7 May 2054 came out as day 0 of month
	// 4), so step back until it is not.
	k++
	monthStart := newMoonDay(k, tz)
	for monthStart > dayNumber {
		k--
		monthStart = newMoonDay(k, tz)
	}
	a11 := lunarMonth11(yy, tz)
	b11 := a11
	var lunarYear int
	if a11 >= monthStart {
		lunarYear = yy
		a11 = lunarMonth11(yy-1, tz)
	} else {
		lunarYear = yy + 1
		b11 = lunarMonth11(yy+1, tz)
	}
	l := LunarDate{Day: dayNumber - monthStart + 1}
	diff := int(math.Floor(float64(monthStart-a11) / 29))
	l.Month = diff + 11
	if b11-a11 > 365 {
		leapDiff := leapMonthOffset(a11, tz)
		if diff >= leapDiff {
			l.Month = diff + 10
			if diff == leapDiff {
				l.Leap = true
			}
		}
	}
	if l.Month > 12 {
		l.Month -= 12
	}
	if l.Month >= 11 && diff < 4 {
		lunarYear--
	}
	l.Year = lunarYear
	return l
}

func solarToLunarJD(jd int, tz float64) LunarDate {
	return solarToLunar(jd, jdToDate(jd).Year(), tz)
}

// lunarMonthStart returns the Julian day on which lunar month (month, leap) of lunar year y starts.
func lunarMonthStart(month, y int, leap bool, tz float64) (int, bool) {
	var a11, b11 int
	if month < 11 {
		a11, b11 = lunarMonth11(y-1, tz), lunarMonth11(y, tz)
	} else {
		a11, b11 = lunarMonth11(y, tz), lunarMonth11(y+1, tz)
	}
	off := month - 11
	if off < 0 {
		off += 12
	}
	if b11-a11 > 365 {
		leapOff := leapMonthOffset(a11, tz)
		leapMonth := mod(leapOff+9, 12) + 1 // the number it repeats: offset 1 -> 11, 2 -> 12, 3 -> 1
		if leap && month != leapMonth {
			return 0, false
		}
		if leap || off >= leapOff {
			off++
		}
	} else if leap {
		return 0, false
	}
	k := int(math.Floor(0.5 + (float64(a11)-jdNewMoon1900)/synodicMonth))
	return newMoonDay(k+off, tz), true
}
