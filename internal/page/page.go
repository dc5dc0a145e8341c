// Package page holds the keyset pagination shared by every list: a page request (first, after) and
// opaque cursors. Lists are ordered by a unique key (a unit's code, an id); the cursor is that key,
// encoded so clients treat it as opaque.
package page

import (
	"encoding/base64"
	"slices"

	"ptdv/internal/apperr"
)

// MaxFirst is the largest page a client may ask for.
const MaxFirst = 100

// Args is a page request: at most First items after the cursor After or, when Backward, at most Last
// items before the cursor Before, read from the list's end.
type Args struct {
	First int
	After string // decoded key; "" for the first page

	Backward bool
	Last     int
	Before   string // decoded key; "" for the list's last page
}

// Page is one page of items, in the list's order.
type Page[T any] struct {
	Items   []T
	HasNext bool
	HasPrev bool // set by a backward page: items precede the first one
}

// Cursor encodes a key as an opaque cursor.
func Cursor(key string) string { return base64.RawURLEncoding.EncodeToString([]byte("k:" + key)) }

// key is the key of a cursor (Cursor) given in the argument name (after, before); "" without one.
func key(name string, cursor *string) (string, error) {
	if cursor == nil || *cursor == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(*cursor)
	if err != nil || len(b) < 2 || string(b[:2]) != "k:" {
		return "", apperr.Invalid(name, "Con trỏ phân trang ("+name+") không hợp lệ.", "invalid cursor in "+name)
	}
	return string(b[2:]), nil
}

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
	var err error
	a.After, err = key("after", after)
	return a, err
}

// NewBackward validates a page request of a list that may also be read from its end: first/after
// forward or last/before backward, never both directions at once. require as in New (then one of
// first and last is required).
func NewBackward(first *int, after *string, last *int, before *string, require bool) (Args, error) {
	if last == nil && (before == nil || *before == "") {
		return New(first, after, require)
	}
	if first != nil || (after != nil && *after != "") {
		return Args{}, apperr.Invalid("last", "Không dùng cùng lúc first/after với last/before.",
			"first/after and last/before cannot be combined")
	}
	a := Args{Backward: true, Last: MaxFirst}
	switch {
	case last == nil && require:
		return a, apperr.Invalid("last", "Cần cho biết số bản ghi mỗi trang (last, tối đa 100).",
			"argument last is required with before (at most 100)")
	case last != nil && (*last < 0 || *last > MaxFirst):
		return a, apperr.Invalid("last", "Số bản ghi mỗi trang (last) phải từ 0 đến 100.", "last must be between 0 and 100")
	case last != nil:
		a.Last = *last
	}
	var err error
	a.Before, err = key("before", before)
	return a, err
}

// TrimBack turns the last+1 rows a backward query fetched (in the reverse of the list's order, nearest
// to the cursor first) into a page in the list's order.
func TrimBack[T any](rows []T, a Args) Page[T] {
	p := Page[T]{Items: rows}
	if len(rows) > a.Last {
		p.Items, p.HasPrev = rows[:a.Last], true
	}
	slices.Reverse(p.Items)
	return p
}

// Trim turns the first+1 rows a query fetched into a page.
func Trim[T any](rows []T, a Args) Page[T] {
	if len(rows) > a.First {
		return Page[T]{Items: rows[:a.First], HasNext: true}
	}
	return Page[T]{Items: rows}
}
