package pipeline

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"ptdv/internal/apperr"
	"ptdv/internal/member"
	"ptdv/internal/people"
	"ptdv/internal/vn"
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

// requireFullMember refuses a sponsor or helper who is not a full member on the date.
func requireFullMember(ctx context.Context, tx bun.IDB, id int64, on time.Time, field string) error {
	p, err := facts(ctx, tx, id)
	if err != nil {
		if apperr.CodeOf(err) == apperr.NotFound {
			return apperr.Invalid(field, "Không tìm thấy đảng viên được chọn.", "member not found")
		}
		return err
	}
	if st := p.memberStatus(on); st != member.StatusFull {
		return apperr.Rule(RuleSponsorCount,
			fmt.Sprintf("%s không phải đảng viên chính thức vào ngày %s.", p.FullName, vn.Date(on)),
			fmt.Sprintf("person %d is not a full member on %s", id, on.Format(time.DateOnly)))
	}
	return nil
}

// recordMember writes the membership event that a move implies, in the move's transaction.
func recordMember(ctx context.Context, tx bun.IDB, c *Case, kind string, on time.Time, decision *time.Time, doc string) error {
	return member.Record(ctx, tx, member.Event{PersonID: c.PersonID, UnitID: c.CellID, Kind: kind, Effective: on,
		DecisionDate: decision, Document: doc})
}

// checkCell refuses a case in a unit that is not a cell on the date.
func checkCell(ctx context.Context, tx bun.IDB, cellID int64, on time.Time) error {
	var kind string
	err := tx.NewRaw(`SELECT u.kind FROM org_unit u JOIN org_link l ON l.unit_id = u.id
		WHERE u.id = ? AND l.valid_from <= ? AND (l.valid_to IS NULL OR l.valid_to > ?)`, cellID, on, on).Scan(ctx, &kind)
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.Rule("org.unit_alive", fmt.Sprintf("Chi bộ không tồn tại vào ngày %s.", vn.Date(on)), "the cell does not exist on that date")
	}
	if err != nil {
		return err
	}
	if kind != "cell" && kind != "grassroots_cell" {
		return apperr.Invalid("cellId", "Hồ sơ phát triển đảng viên thuộc về một chi bộ.", "a case belongs to a cell")
	}
	return nil
}
