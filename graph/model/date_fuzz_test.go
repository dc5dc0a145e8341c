package model

import (
	"bytes"
	"context"
	"strconv"
	"testing"

	"ptdv/internal/apperr"
)

// FuzzDate: any value a client sends as a Date is either refused with INVALID_INPUT or read as a date
// that writes back as the same text; never a panic, never another kind of error.
func FuzzDate(f *testing.F) {
	for _, s := range []string{"2024-02-29", "2023-02-29", "0001-01-01", "9999-12-31", "2024-13-45", "2024-1-1",
		"24-01-01", "", "2024-01-01T00:00:00Z", " 2024-01-01", "2024-01-01\x00", "+2024-01-01", "２０２４-01-01"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var d Date
		err := d.UnmarshalGQLContext(context.Background(), s)
		if err != nil {
			if apperr.CodeOf(err) != apperr.InvalidInput {
				t.Fatalf("%q: %v, want INVALID_INPUT", s, err)
			}
			return
		}
		var b bytes.Buffer
		if err := d.MarshalGQLContext(context.Background(), &b); err != nil {
			t.Fatalf("%q: marshal: %v", s, err)
		}
		if b.String() != strconv.Quote(s) {
			t.Fatalf("%q read as a date that writes back as %s", s, b.String())
		}
	})
	// Not a string at all.
	var d Date
	for _, v := range []any{nil, 20240101, 1.5, true, map[string]any{}, []any{"2024-01-01"}} {
		if err := d.UnmarshalGQLContext(context.Background(), v); apperr.CodeOf(err) != apperr.InvalidInput {
			f.Errorf("%#v: %v, want INVALID_INPUT", v, err)
		}
	}
}
