package pipeline

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/uptrace/bun"

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
	p := person{Person: pp}
	err = tx.NewRaw(`SELECT coalesce((attrs->>'level')::int, 0) FROM code_item WHERE list = 'general_education' AND code = ?`,
		pp.GeneralEducation).Scan(ctx, &p.EducationLevel)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return p, err
	}
	p.spans, err = member.Spans(ctx, tx, id)
	return p, err
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
