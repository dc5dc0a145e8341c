package page

import (
	"encoding/base64"
	"testing"

	"ptdv/internal/apperr"
)

// FuzzCursor: any cursor a client sends is either INVALID_INPUT or the key a Cursor encodes, and every
// key survives the round trip; first is accepted only from 0 to MaxFirst.
func FuzzCursor(f *testing.F) {
	for _, s := range []string{Cursor("GL.PK"), Cursor(""), Cursor("\x00'; DROP TABLE x;--"), "", "aw", "azo", "!!!", "a2", "k:abc"} {
		f.Add(s, 10, true)
	}
	f.Add(Cursor("x"), -1, false)
	f.Add(Cursor("x"), 101, false)
	f.Fuzz(func(t *testing.T, after string, first int, require bool) {
		a, err := New(&first, &after, require)
		switch {
		case first < 0 || first > MaxFirst:
			if apperr.CodeOf(err) != apperr.InvalidInput {
				t.Fatalf("first %d: %v, want INVALID_INPUT", first, err)
			}
			return
		case err != nil:
			if apperr.CodeOf(err) != apperr.InvalidInput {
				t.Fatalf("%q: %v, want INVALID_INPUT", after, err)
			}
			if b, derr := base64.RawURLEncoding.DecodeString(after); derr == nil && len(b) >= 2 && string(b[:2]) == "k:" {
				t.Fatalf("%q is a well-formed cursor but was refused", after)
			}
			return
		}
		if a.First != first {
			t.Fatalf("first %d read as %d", first, a.First)
		}
		if after != "" && Cursor(a.After) != after {
			// base64 has several spellings of the same bytes only with padding bits set; the key read
			// must still be the one those bytes hold.
			b, _ := base64.RawURLEncoding.DecodeString(after)
			if string(b[2:]) != a.After {
				t.Fatalf("%q read as key %q", after, a.After)
			}
		}
		// Any key survives the round trip.
		c := Cursor(after)
		if b, err := New(nil, &c, false); err != nil || b.After != after || b.First != MaxFirst {
			t.Fatalf("Cursor(%q) read back as %+v, %v", after, b, err)
		}
	})
}
