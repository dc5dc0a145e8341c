package pipeline

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"ptdv/internal/codes"
	"ptdv/internal/member"
	"ptdv/internal/people"
)

// person holds what the rules need to know about a candidate, a sponsor or a helper.
type person struct {
	people.Person
	EducationLevel int
	spans          []member.Span
}

// facts reads a person for the rules, through the people package (so out of scope means not found),
// with the education level from the code list (the rule compares levels, not codes) and the
// membership spans.
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
	return newPerson(set, pp, spans), err
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
