package seed

// The membership state machine and the derivation of status spans, as package member applies them
// (member.State.apply and buildSpans, which it does not export): the generator writes the spans the
// API would have cached after recording the same events. The tests check the result against
// member.StatusOn.

type mevent struct {
	unit     int64
	kind     string
	eff      day
	decision day // noDay: NULL
	to       int64
	doc      string
	note     string
}

type punit struct {
	unit     int64
	from, to day // to: noDay while open
}

type span struct {
	unit     int64
	status   string
	grade    string
	from, to day
}

type mstate struct {
	status, grade string
	unit          int64
	resume        string
	outUnit       int64
}

func (s mstate) apply(e *mevent) mstate {
	switch e.kind {
	case "admitted", "readmitted":
		s.status, s.grade = "probationary", "probationary"
	case "recognized":
		s.grade = "full"
		if s.status == "probationary" {
			s.status = "full"
		}
	case "exempted":
		s.status = "exempted"
	case "exemption_ended", "temporary_returned":
		s.status = s.grade
	case "transferred_out_official":
		s.resume = s.grade
		if s.status == "exempted" {
			s.resume = "exempted"
		}
		s.status, s.outUnit = "transferred_out", e.unit
	case "transferred_in_official":
		s.status = s.resume
		if s.status == "" || (s.status != "exempted" && s.status != s.grade) {
			s.status = s.grade
		}
	case "transferred_out_temporary":
		s.status = "temporary_out"
	case "removed":
		s.status, s.grade = "removed", ""
	case "expelled":
		s.status, s.grade = "expelled", ""
	case "deceased":
		s.status, s.grade = "deceased", ""
	}
	s.unit = e.unit
	return s
}

// unitAt is member.unitAt: the unit of the records on day d and the day that changes next; before the
// first row, the first row's unit.
func unitAt(units []punit, d day) (int64, day) {
	for i, u := range units {
		if u.to == noDay || d < u.to {
			if i == 0 || d >= u.from {
				return u.unit, u.to
			}
		}
	}
	return 0, noDay
}

// buildSpans is member.buildSpans over events in order.
func buildSpans(events []mevent, units []punit, out []span) []span {
	out = out[:0]
	emit := func(from, to day, unit int64, status, grade string) {
		if n := len(out); n > 0 {
			last := &out[n-1]
			if last.unit == unit && last.status == status && last.grade == grade && last.to != noDay && last.to == from {
				last.to = to
				return
			}
		}
		out = append(out, span{unit: unit, status: status, grade: grade, from: from, to: to})
	}
	var s mstate
	for i := range events {
		e := &events[i]
		s = s.apply(e)
		from := e.eff
		to := noDay
		if i+1 < len(events) {
			t := events[i+1].eff
			if t <= from {
				continue // superseded on the same day
			}
			to = t
		}
		if s.status == "" {
			continue
		}
		if s.status == "transferred_out" || len(units) == 0 {
			unit := s.unit
			if s.status == "transferred_out" {
				unit = s.outUnit
			}
			emit(from, to, unit, s.status, s.grade)
			continue
		}
		for cur := from; ; {
			unit, next := unitAt(units, cur)
			end := to
			if next != noDay && (end == noDay || next < end) {
				end = next
			}
			emit(cur, end, unit, s.status, s.grade)
			if end == noDay || (to != noDay && end >= to) {
				break
			}
			cur = end
		}
	}
	return out
}

// statusOn is the status after the events effective on or before d.
func statusOn(events []mevent, d day) string {
	var s mstate
	for i := range events {
		if events[i].eff > d {
			break
		}
		s = s.apply(&events[i])
	}
	return s.status
}

func isMember(status string) bool {
	switch status {
	case "probationary", "full", "exempted", "temporary_out":
		return true
	}
	return false
}
