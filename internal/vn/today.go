package vn

import "time"

// The dates of the domain have one form, one zone and one "today", written here once (package
// calendar, which counts working days and months, and every other package use these):
//   - a date is a time.Time at UTC midnight of the civil date (Day);
//   - the civil date is taken in Vietnam's zone, UTC+7 with no daylight saving (Zone);
//   - today is today's civil date in Vietnam (Today), whatever the server's own zone.

// Zone is the civil time zone of the domain's dates (UTC+7, no daylight saving).
var Zone = time.FixedZone("ICT", 7*60*60)

// Day truncates t to its date: UTC midnight of t's year, month and day (in t's own location).
func Day(t time.Time) time.Time { return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC) }

// Today is today's civil date in Vietnam, as a UTC midnight (the form every date of the domain takes).
func Today() time.Time { return Day(time.Now().In(Zone)) }
