// Package page holds the keyset pagination shared by every list: a page request (first, after) and
// opaque cursors. Lists are ordered by a unique key (a unit's code, an id); the cursor is that key,
// encoded so clients treat it as opaque.
package page

import (
	"encoding/base64"

	"ptdv/internal/apperr"
)

// MaxFirst is the largest page a client may ask for.
const MaxFirst = 100

// Args is a page request: at most First items after the cursor After.
type Args struct {
	First int
	After string // decoded key; "" for the first page
}

// Page is one page of items, in order.
type Page[T any] struct {
	Items   []T
	HasNext bool
}

// Cursor encodes a key as an opaque cursor.
func Cursor(key string) string { return base64.RawURLEncoding.EncodeToString([]byte("k:" + key)) }

// New validates a page request. first is nil when the client omitted it; require says whether
// that is allowed (outside dev mode every connection requires first).
func New(first *int, after *string, require bool) (Args, error) {
	a := Args{First: MaxFirst}
	if first == nil {
		if require {
			return a, apperr.Invalid("first", "Cần cho biết số bản ghi mỗi trang (first, tối đa 100).",
				"argument first is required (at most 100)")
		}
	} else {
		if *first < 0 || *first > MaxFirst {
			return a, apperr.Invalid("first", "Số bản ghi mỗi trang (first) phải từ 0 đến 100.",
				"first must be between 0 and 100")
		}
		a.First = *first
	}
	if after != nil && *after != "" {
		b, err := base64.RawURLEncoding.DecodeString(*after)
		if err != nil || len(b) < 2 || string(b[:2]) != "k:" {
			return a, apperr.Invalid("after", "Con trỏ phân trang (after) không hợp lệ.", "invalid cursor in after")
		}
		a.After = string(b[2:])
	}
	return a, nil
}

// Trim turns the first+1 rows a query fetched into a page.
func Trim[T any](rows []T, a Args) Page[T] {
	if len(rows) > a.First {
		return Page[T]{Items: rows[:a.First], HasNext: true}
	}
	return Page[T]{Items: rows}
}
