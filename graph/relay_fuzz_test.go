package graph

import (
	"testing"

	"ptdv/internal/apperr"
)

// FuzzGlobalID: any string a client sends as an ID is either NOT_FOUND (a malformed ID and a missing
// one look the same) or a type and a positive key that encode back to an ID naming the same node.
func FuzzGlobalID(f *testing.F) {
	for _, s := range []string{globalID(typeUnit, 1), globalID(typePerson, 9223372036854775807), "VW5pdDow", "VW5pdDotMQ",
		"", "====", "VW5pdA", "OjE", "VW5pdDoxOjI", "Unit:1", "VW5pdDox==", "VW5pdDoxAA"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, id string) {
		typ, key, err := parseGlobalID(id)
		if err != nil {
			if apperr.CodeOf(err) != apperr.NotFound {
				t.Fatalf("%q: %v, want NOT_FOUND", id, err)
			}
			if k, err := idOf("id", typeUnit, id); err == nil || k != 0 || apperr.CodeOf(err) != apperr.NotFound {
				t.Fatalf("idOf(%q) = %d, %v", id, k, err)
			}
			return
		}
		if key <= 0 {
			t.Fatalf("%q: key %d", id, key)
		}
		t2, k2, err := parseGlobalID(globalID(typ, key))
		if err != nil || t2 != typ || k2 != key {
			t.Fatalf("%q → %s %d, re-encoded → %s %d %v", id, typ, key, t2, k2, err)
		}
		if k, err := idOf("id", typ, id); err != nil || k != key {
			t.Fatalf("idOf(%q, %s) = %d, %v", id, typ, k, err)
		}
	})
}
