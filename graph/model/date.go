// Package model holds the GraphQL models gqlgen generates and the custom scalars.
package model

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"ptdv/internal/apperr"
)

// Date is a civil date (UTC midnight), written YYYY-MM-DD on the wire.
type Date time.Time

// Time returns the date as a time.Time at UTC midnight.
func (d Date) Time() time.Time { return time.Time(d) }

// MarshalGQLContext writes the date as "YYYY-MM-DD".
func (d Date) MarshalGQLContext(_ context.Context, w io.Writer) error {
	_, err := io.WriteString(w, strconv.Quote(time.Time(d).Format(time.DateOnly)))
	return err
}

// UnmarshalGQLContext reads "YYYY-MM-DD"; anything else is INVALID_INPUT.
func (d *Date) UnmarshalGQLContext(_ context.Context, v any) error {
	s, ok := v.(string)
	if !ok {
		return apperr.Invalid("date", "Ngày phải là chuỗi dạng YYYY-MM-DD.", "a date must be a string YYYY-MM-DD")
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return apperr.Invalid("date", fmt.Sprintf("Ngày %q không hợp lệ, cần dạng YYYY-MM-DD.", s), fmt.Sprintf("invalid date %q, want YYYY-MM-DD", s))
	}
	if t.Before(MinDate) || t.After(MaxDate) {
		return apperr.Invalid("date", fmt.Sprintf("Ngày %q nằm ngoài khoảng cho phép (01/01/1900 – 31/12/2199).", s),
			fmt.Sprintf("date %q out of range 1900-01-01..2199-12-31", s))
	}
	*d = Date(t)
	return nil
}

// MinDate and MaxDate bound every date that comes in, in one place: nothing in the domain is older than
// 1900 (year 0 once reached SQL and came back INTERNAL), and no deadline, term or as-of date is later
// than 2199. Dates that may not be in the future (moves, events) are checked by their packages.
var (
	MinDate = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)
	MaxDate = time.Date(2199, 12, 31, 0, 0, 0, 0, time.UTC)
)

var _ graphql.ContextMarshaler = Date{}
var _ graphql.ContextUnmarshaler = (*Date)(nil)
