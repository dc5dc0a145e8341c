package seed

import "ptdv/internal/member/standing"

// The membership state machine and the status spans are package standing's, which package member applies
// too: the generator writes the spans the API would have cached after recording the same events. The
// tests check the result against member.StatusOn.

type mevent struct {
	unit     int64
	kind     string
	eff      day
	decision day // noDay: NULL
	to       int64
	doc      string
	note     string
}

// punit is a row of person_unit (To: noDay while open).
type punit = standing.Period[day]

// span is a row of member_status_span (To: noDay while open).
type span = standing.Span[day]

// Before and Equal order days for package standing.
func (d day) Before(e day) bool { return d < e }
func (d day) Equal(e day) bool  { return d == e }

// unitAt is standing.UnitAt with noDay for an open end.
func unitAt(units []punit, d day) (int64, day) { return standing.UnitAt(units, d, noDay) }

// buildSpans is standing.Spans over events in order, reusing out.
func buildSpans(events []mevent, units []punit, out []span) []span {
	return standing.Spans(len(events), func(i int) standing.Event[day] {
		return standing.Event[day]{Kind: events[i].kind, Unit: events[i].unit, Effective: events[i].eff}
	}, units, noDay, out)
}

// statusOn is the status after the events effective on or before d.
func statusOn(events []mevent, d day) string {
	var s standing.Standing
	for i := range events {
		if events[i].eff > d {
			break
		}
		s = s.Next(events[i].kind, events[i].unit)
	}
	return s.Status
}

func isMember(status string) bool {
	switch status {
	case "probationary", "full", "exempted", "temporary_out":
		return true
	}
	return false
}
