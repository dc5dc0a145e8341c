package graph

import (
	"context"

	"ptdv/internal/apperr"
	"ptdv/internal/auth"
	"ptdv/internal/codes"
	"ptdv/internal/people"
)

// sees reports whether the request's actor sees field f of person p at all (auth's field visibility
// table, the one place that decides it). A hidden nullable field reads as null.
func sees(ctx context.Context, f auth.PersonField, p *people.Person) bool {
	a, err := auth.FromContext(ctx)
	return err == nil && a.See(f, p.UnitID) != auth.Hidden
}

// seenCode is a person's optional code in a list (Person.Code), as the role sees field f: nil when hidden
// or empty.
func seenCode(ctx context.Context, f auth.PersonField, p *people.Person, list string) (*codes.Item, error) {
	if !sees(ctx, f, p) {
		return nil, nil
	}
	return optCodeItem(ctx, list, p.Code(list))
}

// hiddenRequired is the answer for a non-null field the table hides from the role (none today: a
// field that some role may not see is nullable in the schema; this keeps a change of the table safe).
func hiddenRequired(f auth.PersonField) error {
	return apperr.New(apperr.Forbidden, "Vai trò của bạn không được xem thông tin này.", "role may not see person field "+string(f))
}
