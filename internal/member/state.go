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

	"ptdv/internal/member/standing"
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

// State is a person's membership on a date, derived from the events up to it: its standing (Status,
// Grade, UnitID, the unit of the last event; see package standing) and the dates of its history.
type State struct {
	standing.Standing
	Since time.Time // effective date of the last event
	// AdmittedOn is the admission (or re-admission) decision date: party age counts from it.
	AdmittedOn    *time.Time
	ProbationFrom *time.Time // the ceremony that started the current probation
	FullFrom      *time.Time // full membership, from the end of the probation
	LeftOn        *time.Time // removal or expulsion
	Readmissions  int
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
	s.Standing = s.Standing.Next(e.Kind, e.UnitID)
	eff := e.Effective
	switch e.Kind {
	case KindAdmitted, KindReadmitted:
		if e.Kind == KindReadmitted {
			s.Readmissions++
		}
		s.ProbationFrom, s.FullFrom, s.LeftOn = &eff, nil, nil
		s.AdmittedOn = e.DecisionDate
		if s.AdmittedOn == nil {
			s.AdmittedOn = &eff
		}
	case KindRecognized:
		s.FullFrom = &eff
	case KindRemoved, KindExpelled:
		s.LeftOn = &eff
	}
	s.Since = eff
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

// periods is a unit history as package standing reads it (the zero time: open).
func periods(units []unitRow) []standing.Period[time.Time] {
	out := make([]standing.Period[time.Time], len(units))
	for i, u := range units {
		out[i] = standing.Period[time.Time]{Unit: u.UnitID, From: u.ValidFrom}
		if u.ValidTo != nil {
			out[i].To = *u.ValidTo
		}
	}
	return out
}

// openEnd is an end as a Span holds it: nil while open (the zero time).
func openEnd(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// unitAt returns the unit of the records on day d and the day that changes next (nil: never); see
// standing.UnitAt.
func unitAt(units []unitRow, d time.Time) (int64, *time.Time) {
	unit, next := standing.UnitAt(periods(units), d, time.Time{})
	return unit, openEnd(next)
}

// buildSpans derives the status spans from events (sorted) and the person's unit history (see
// standing.Spans).
func buildSpans(personID int64, events []Event, units []unitRow) []Span {
	var out []Span
	event := func(i int) standing.Event[time.Time] {
		return standing.Event[time.Time]{Kind: events[i].Kind, Unit: events[i].UnitID, Effective: events[i].Effective}
	}
	for _, s := range standing.Spans(len(events), event, periods(units), time.Time{}, nil) {
		out = append(out, Span{PersonID: personID, UnitID: s.Unit, Status: s.Status, Grade: s.Grade, ValidFrom: s.From, ValidTo: openEnd(s.To)})
	}
	return out
}
