package pipeline

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"ptdv/internal/apperr"
	"ptdv/internal/calendar"
	"ptdv/internal/codes"
	"ptdv/internal/member"
	"ptdv/internal/people"
	"ptdv/internal/vn"
)

// person holds what the rules need to know about a candidate, a sponsor or a helper.
type person struct {
	people.Person
	EducationLevel int
	spans          []member.Span
	votes          []voteWindow // recognitions by a cell's vote: a full member from the day after (voterOn)
}

// facts reads a person for the rules, through the people package (so out of scope means not found),
// with the education level from the code list (the rule compares levels, not codes), the membership
// spans and the recognitions by vote (who is a full member on a date: voterOn).
func facts(ctx context.Context, tx bun.IDB, id int64) (person, error) {
	pp, err := people.GetOne(ctx, tx, id)
	if err != nil {
		return person{}, err
	}
	set, err := codes.Load(ctx, tx) // the import's set, or one query
	if err != nil {
		return person{}, err
	}
	spans, err := member.Spans(ctx, tx, id)
	if err != nil {
		return person{}, err
	}
	votes, err := voteWindowsOf(ctx, tx, []int64{id})
	if err != nil {
		return person{}, err
	}
	p := newPerson(set, pp, spans)
	p.votes = votes[id]
	return p, nil
}

// newPerson is the person for the rules: the education level is the code's "level" attribute.
func newPerson(set *codes.Set, p people.Person, spans []member.Span) person {
	out := person{Person: p, spans: spans}
	if it, ok := set.Item(codes.GeneralEducation, p.GeneralEducation); ok {
		out.EducationLevel, _ = it.Int("level")
	}
	return out
}

// memberStatus is the person's membership status on a date, "" when not a member then.
func (p person) memberStatus(on time.Time) string {
	for _, s := range p.spans {
		if !on.Before(s.ValidFrom) && (s.ValidTo == nil || on.Before(*s.ValidTo)) {
			return s.Status
		}
	}
	return ""
}

// formerMember reports whether the person had left the Party (removed or expelled) and was not a
// member again on a date, with the day they left and how many times they have been re-admitted.
func (p person) formerMember(on time.Time) (leftOn time.Time, readmissions int, ok bool) {
	prevLeft := false
	for _, s := range p.spans { // oldest first
		left := s.Status == member.StatusRemoved || s.Status == member.StatusExpelled
		if prevLeft && member.IsMember(s.Status) && s.ValidFrom.After(leftOn) && !s.ValidFrom.After(on) {
			readmissions++
		}
		if left && !prevLeft && !s.ValidFrom.After(on) { // a transfer splits spans: the first one is the day they left
			leftOn = s.ValidFrom
		}
		prevLeft = left
	}
	st := p.memberStatus(on)
	return leftOn, readmissions, st == member.StatusRemoved || st == member.StatusExpelled
}

// readmission applies the re-admission rules (rows of the rule table) to a former member on a date: at
// most readmission.max_times re-admissions, and not before readmission.min_months after
// leaving. It returns the refusal, or nil; from is the first day the interval allows.
func readmission(p person, e env, on time.Time) (from time.Time, err error) {
	leftOn, n, ok := p.formerMember(on)
	if !ok {
		return time.Time{}, nil
	}
	what := "bị xóa tên"
	if p.memberStatus(on) == member.StatusExpelled {
		what = "bị khai trừ"
	}
	if max := e.rules.V(RuleReadmissionMaxTimes); n >= max {
		return time.Time{}, apperr.Rule(RuleReadmissionMaxTimes,
			fmt.Sprintf("%s đã được kết nạp lại %d lần; chỉ được xem xét kết nạp lại tối đa %d lần (%s).", p.FullName, n, max, e.rules[RuleReadmissionMaxTimes].Source),
			fmt.Sprintf("the person was re-admitted %d times already; the maximum is %d", n, max))
	}
	months := e.rules.V(RuleReadmissionMinMonths)
	from = calendar.AddMonths(leftOn, months)
	if on.Before(from) {
		return from, apperr.Rule(RuleReadmissionMinMonths,
			fmt.Sprintf("%s %s ngày %s: chỉ được quyết định kết nạp lại sau ít nhất %d tháng, tức từ ngày %s (%s).",
				p.FullName, what, vn.Date(leftOn), months, vn.Date(from), e.rules[RuleReadmissionMinMonths].Source),
			fmt.Sprintf("re-admission on %s is less than %d months after leaving on %s", on.Format(time.DateOnly), months, leftOn.Format(time.DateOnly)))
	}
	return from, nil
}
