// Package standing is the one home of the membership state machine's statuses and of the status spans
// derived from a person's events: package member applies it to recorded events (dates as time.Time),
// the generator (package seed) to its own (dates as day numbers), so both write the same spans.
package standing

// The statuses and event kinds, as package member names them.
const (
	probationary   = "probationary"
	full           = "full"
	exempted       = "exempted"
	temporaryOut   = "temporary_out"
	transferredOut = "transferred_out"
	removed        = "removed"
	expelled       = "expelled"
	deceased       = "deceased"
)

// Standing is what the status spans record of a person's membership after an event.
type Standing struct {
	Status string // "" before the first admission
	// Grade is probationary or full while the person is (or, in transit, remains) a member; "" after
	// removal, expulsion or death.
	Grade  string
	UnitID int64 // the unit of the last event

	resume  string // the status a transfer in restores
	outUnit int64  // the unit an official transfer left
}

// Next is the standing after an event of kind recorded in unit: the state machine without its checks
// (package member checks the event first).
func (s Standing) Next(kind string, unit int64) Standing {
	switch kind {
	case "admitted", "readmitted":
		s.Status, s.Grade = probationary, probationary
	case "recognized":
		s.Grade = full
		if s.Status == probationary {
			s.Status = full
		}
	case "exempted":
		s.Status = exempted
	case "exemption_ended", "temporary_returned":
		s.Status = s.Grade
	case "transferred_out_official":
		s.resume = s.Grade
		if s.Status == exempted {
			s.resume = exempted
		}
		s.Status, s.outUnit = transferredOut, unit
	case "transferred_in_official":
		s.Status = s.resume
		if s.Status == "" || (s.Status != exempted && s.Status != s.Grade) {
			s.Status = s.Grade
		}
	case "transferred_out_temporary":
		s.Status = temporaryOut
	case "removed":
		s.Status, s.Grade = removed, ""
	case "expelled":
		s.Status, s.Grade = expelled, ""
	case "deceased":
		s.Status, s.Grade = deceased, ""
	}
	s.UnitID = unit
	return s
}

// Day is what the derivation needs of a date type: its order. time.Time is one.
type Day[D any] interface {
	Before(D) bool
	Equal(D) bool
}

// Event is what the derivation reads of an event.
type Event[D Day[D]] struct {
	Kind      string
	Unit      int64
	Effective D
}

// Period is a row of a person's unit history: their records belonged to Unit over [From, To); To is
// the caller's open value while it lasts.
type Period[D Day[D]] struct {
	Unit     int64
	From, To D
}

// Span is an interval [From, To) during which a person had one status in one unit; To is the open
// value while it lasts.
type Span[D Day[D]] struct {
	Unit          int64
	Status, Grade string
	From, To      D
}

// UnitAt returns the unit of the records on day d and the day that changes next (open: never). Before
// the first row, the first row's unit holds: a record created today may carry history from long ago.
func UnitAt[D Day[D]](units []Period[D], d, open D) (int64, D) {
	for i, u := range units {
		if u.To.Equal(open) || d.Before(u.To) {
			if i == 0 || !d.Before(u.From) {
				return u.Unit, u.To
			}
		}
	}
	return 0, open
}

// Spans derives the status spans from n events in order (event(i) is the i-th) and the person's unit
// history, appending them to out[:0]; open is the value of D that stands for no end. The status comes
// from the events; the unit from the unit history, except while transferred out, which stays with the
// unit the member left.
func Spans[D Day[D]](n int, event func(i int) Event[D], units []Period[D], open D, out []Span[D]) []Span[D] {
	out = out[:0]
	emit := func(from, to D, unit int64, status, grade string) {
		if n := len(out); n > 0 {
			last := &out[n-1]
			if last.Unit == unit && last.Status == status && last.Grade == grade && !last.To.Equal(open) && last.To.Equal(from) {
				last.To = to
				return
			}
		}
		out = append(out, Span[D]{Unit: unit, Status: status, Grade: grade, From: from, To: to})
	}
	var s Standing
	next := Event[D]{}
	if n > 0 {
		next = event(0)
	}
	for i := 0; i < n; i++ {
		e := next
		s = s.Next(e.Kind, e.Unit)
		from, to := e.Effective, open
		if i+1 < n {
			next = event(i + 1)
			if !from.Before(next.Effective) {
				continue // superseded on the same day
			}
			to = next.Effective
		}
		if s.Status == "" {
			continue
		}
		if s.Status == transferredOut || len(units) == 0 {
			unit := s.UnitID
			if s.Status == transferredOut {
				unit = s.outUnit
			}
			emit(from, to, unit, s.Status, s.Grade)
			continue
		}
		for cur := from; ; {
			unit, next := UnitAt(units, cur, open)
			end := to
			if !next.Equal(open) && (end.Equal(open) || next.Before(end)) {
				end = next
			}
			emit(cur, end, unit, s.Status, s.Grade)
			if end.Equal(open) || (!to.Equal(open) && !end.Before(to)) {
				break
			}
			cur = end
		}
	}
	return out
}
