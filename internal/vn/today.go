package vn

import "time"

// Zone is the civil time zone of the domain's dates (UTC+7, no daylight saving).
var Zone = time.FixedZone("ICT", 7*60*60)

// Today is today's civil date in Vietnam, as a UTC midnight (the form every date of the domain takes).
func Today() time.Time {
	t := time.Now().In(Zone)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}
