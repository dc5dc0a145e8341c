// Package member holds the membership lifecycle: append-only events (admission, recognition, exemption,
// transfers, removal, expulsion, death, re-admission) from which a member's status on any date is
// derived, and the status spans cached from them so that "the members of a unit's subtree on a date,
// by status" is one indexed query that follows the tree as it stood on that date.
//
// The rule values the lifecycle checks (probation length, re-admission interval and count) live in the
// rule table (package rule); every refusal names the rule's id.
package member

import (
	"slices"
	"time"
)

// Event kinds (code list "member_event"; the CHECK on member_event.kind lists the same codes).
const (
	KindAdmitted                = "admitted"                  // probationary from the ceremony (Effective); party age from DecisionDate
	KindRecognized              = "recognized"                // full member from the end of the probation (Effective)
	KindExempted                = "exempted"                  // miễn công tác và sinh hoạt đảng
	KindExemptionEnded          = "exemption_ended"           //
	KindTransferredOutOfficial  = "transferred_out_official"  // ToUnitID: the destination, when it is in the system
	KindTransferredInOfficial   = "transferred_in_official"   // ToUnitID: the receiving unit, if the person is not there yet
	KindTransferredOutTemporary = "transferred_out_temporary" // the member stays in the official unit's count
	KindTemporaryReturned       = "temporary_returned"        //
	KindRemoved                 = "removed"                   // xóa tên
	KindExpelled                = "expelled"                  // khai trừ
	KindDeceased                = "deceased"                  //
	KindReadmitted              = "readmitted"                // probation again
)

// Kinds lists the event kinds in their display order.
var Kinds = []string{KindAdmitted, KindRecognized, KindExempted, KindExemptionEnded, KindTransferredOutOfficial,
	KindTransferredInOfficial, KindTransferredOutTemporary, KindTemporaryReturned, KindRemoved, KindExpelled,
	KindDeceased, KindReadmitted}

// Statuses (code list "member_status").
const (
	StatusProbationary   = "probationary"    // đảng viên dự bị
	StatusFull           = "full"            // đảng viên chính thức
	StatusExempted       = "exempted"        // miễn sinh hoạt: still a member of the unit
	StatusTemporaryOut   = "temporary_out"   // attends elsewhere for a while: still counted in the official unit
	StatusTransferredOut = "transferred_out" // officially transferred out, not (yet) received elsewhere
	StatusRemoved        = "removed"
	StatusExpelled       = "expelled"
	StatusDeceased       = "deceased"
)

// MemberStatuses are the statuses of a person who belongs to a unit as a party member.
var MemberStatuses = []string{StatusProbationary, StatusFull, StatusExempted, StatusTemporaryOut}

// IsMember reports whether a status counts as belonging to a unit as a member.
func IsMember(status string) bool { return slices.Contains(MemberStatuses, status) }

// Members sums the member statuses of a CountByStatus result.
func Members(counts map[string]int) int {
	n := 0
	for _, s := range MemberStatuses {
		n += counts[s]
	}
	return n
}

// Event is one membership event.
type Event struct {
	ID       int64 `bun:"id"`
	PersonID int64 `bun:"person_id"`
	// UnitID is the unit the person's records belonged to on Effective (for a transfer in, the receiving
	// unit). Record fills it in; a non-zero value given to Record must agree.
	UnitID    int64     `bun:"unit_id"`
	Kind      string    `bun:"kind"`
	Effective time.Time `bun:"effective"`
	// DecisionDate is the date of the decision; required for admitted and readmitted (party age counts
	// from it).
	DecisionDate *time.Time `bun:"decision_date"`
	ToUnitID     *int64     `bun:"to_unit_id"`
	Document     string     `bun:"document"`
	Note         string     `bun:"note"`
	RecordedBy   string     `bun:"recorded_by"`
	RecordedAt   time.Time  `bun:"recorded_at"`
}

// State is a person's membership on a date, derived from the events up to it.
type State struct {
	Status string // "" before the first admission
	// Grade is probationary or full while the person is (or, in transit, remains) a member; "" after
	// removal, expulsion or death.
	Grade  string
	UnitID int64     // the unit of the last event
	Since  time.Time // effective date of the last event
	// AdmittedOn is the admission (or re-admission) decision date: party age counts from it.
	AdmittedOn    *time.Time
	ProbationFrom *time.Time // the ceremony that started the current probation
	FullFrom      *time.Time // full membership, from the end of the probation
	LeftOn        *time.Time // removal or expulsion
	Readmissions  int

	resume  string // the status a transfer in restores
	outUnit int64  // the unit an official transfer left
}

// sortEvents orders events as they happened: by effective date, then as recorded.
func sortEvents(events []Event) []Event {
	out := slices.Clone(events)
	slices.SortStableFunc(out, func(a, b Event) int {
		if c := a.Effective.Compare(b.Effective); c != 0 {
			return c
		}
		switch {
		case a.ID < b.ID:
			return -1
		case a.ID > b.ID:
			return 1
		}
		return 0
	})
	return out
}

// StatusOn derives a person's membership on date from their events (in any order): the state after
// every event effective on or before the date.
func StatusOn(events []Event, date time.Time) State {
	var s State
	for _, e := range sortEvents(events) {
		if e.Effective.After(date) {
			break
		}
		s = s.apply(e)
	}
	return s
}

// apply is the state machine without its checks (see allowed and check).
func (s State) apply(e Event) State {
	eff := e.Effective
	switch e.Kind {
	case KindAdmitted, KindReadmitted:
		if e.Kind == KindReadmitted {
			s.Readmissions++
		}
		s.Status, s.Grade = StatusProbationary, StatusProbationary
		s.ProbationFrom, s.FullFrom, s.LeftOn = &eff, nil, nil
		s.AdmittedOn = e.DecisionDate
		if s.AdmittedOn == nil {
			s.AdmittedOn = &eff
		}
	case KindRecognized:
		s.Grade, s.FullFrom = StatusFull, &eff
		if s.Status == StatusProbationary {
			s.Status = StatusFull
		}
	case KindExempted:
		s.Status = StatusExempted
	case KindExemptionEnded, KindTemporaryReturned:
		s.Status = s.Grade
	case KindTransferredOutOfficial:
		s.resume = s.Grade
		if s.Status == StatusExempted {
			s.resume = StatusExempted
		}
		s.Status, s.outUnit = StatusTransferredOut, e.UnitID
	case KindTransferredInOfficial:
		s.Status = s.resume
		if s.Status == "" || (s.Status != StatusExempted && s.Status != s.Grade) {
			s.Status = s.Grade
		}
	case KindTransferredOutTemporary:
		s.Status = StatusTemporaryOut
	case KindRemoved:
		s.Status, s.Grade, s.LeftOn = StatusRemoved, "", &eff
	case KindExpelled:
		s.Status, s.Grade, s.LeftOn = StatusExpelled, "", &eff
	case KindDeceased:
		s.Status, s.Grade = StatusDeceased, ""
	}
	s.UnitID, s.Since = e.UnitID, eff
	return s
}

// allowed lists, for each status, the event kinds that may follow.
var allowed = map[string][]string{
	"":                   {KindAdmitted},
	StatusProbationary:   {KindRecognized, KindTransferredOutOfficial, KindTransferredOutTemporary, KindRemoved, KindExpelled, KindDeceased},
	StatusFull:           {KindExempted, KindTransferredOutOfficial, KindTransferredOutTemporary, KindRemoved, KindExpelled, KindDeceased},
	StatusExempted:       {KindExemptionEnded, KindTransferredOutOfficial, KindRemoved, KindExpelled, KindDeceased},
	StatusTemporaryOut:   {KindTemporaryReturned, KindRecognized, KindTransferredOutOfficial, KindRemoved, KindExpelled, KindDeceased},
	StatusTransferredOut: {KindTransferredInOfficial, KindRecognized, KindRemoved, KindDeceased},
	StatusRemoved:        {KindReadmitted},
	StatusExpelled:       {KindReadmitted},
	StatusDeceased:       {},
}

// Span is an interval during which a person had one status in one unit.
type Span struct {
	PersonID  int64      `bun:"person_id"`
	UnitID    int64      `bun:"unit_id"`
	Status    string     `bun:"status"`
	Grade     string     `bun:"grade"`
	ValidFrom time.Time  `bun:"valid_from"`
	ValidTo   *time.Time `bun:"valid_to"`
}

// unitRow is a row of person_unit: where the person's records belonged.
type unitRow struct {
	UnitID    int64      `bun:"unit_id"`
	ValidFrom time.Time  `bun:"valid_from"`
	ValidTo   *time.Time `bun:"valid_to"`
}

// unitAt returns the unit of the records on day d and the day that changes next (nil: never). Before
// the first row, the first row's unit holds: a record created today may carry history from long ago.
func unitAt(units []unitRow, d time.Time) (int64, *time.Time) {
	for i, u := range units {
		if u.ValidTo == nil || d.Before(*u.ValidTo) {
			if i == 0 || !d.Before(u.ValidFrom) {
				return u.UnitID, u.ValidTo
			}
		}
	}
	return 0, nil
}

// buildSpans derives the status spans from events (sorted) and the person's unit history. The status
// comes from the events; the unit from the unit history, except while transferred out, which stays
// with the unit the member left.
func buildSpans(personID int64, events []Event, units []unitRow) []Span {
	var out []Span
	emit := func(from time.Time, to *time.Time, unit int64, status, grade string) {
		if n := len(out); n > 0 {
			last := &out[n-1]
			if last.UnitID == unit && last.Status == status && last.Grade == grade && last.ValidTo != nil && last.ValidTo.Equal(from) {
				last.ValidTo = to
				return
			}
		}
		out = append(out, Span{PersonID: personID, UnitID: unit, Status: status, Grade: grade, ValidFrom: from, ValidTo: to})
	}
	var s State
	for i, e := range events {
		s = s.apply(e)
		from := e.Effective
		var to *time.Time
		if i+1 < len(events) {
			t := events[i+1].Effective
			if !t.After(from) {
				continue // superseded on the same day
			}
			to = &t
		}
		if s.Status == "" {
			continue
		}
		if s.Status == StatusTransferredOut || len(units) == 0 {
			unit := s.UnitID
			if s.Status == StatusTransferredOut {
				unit = s.outUnit
			}
			emit(from, to, unit, s.Status, s.Grade)
			continue
		}
		for cur := from; ; {
			unit, next := unitAt(units, cur)
			end := to
			if next != nil && (end == nil || next.Before(*end)) {
				end = next
			}
			emit(cur, end, unit, s.Status, s.Grade)
			if end == nil || (to != nil && !end.Before(*to)) {
				break
			}
			cur = *end
		}
	}
	return out
}
