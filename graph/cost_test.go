package graph

import (
	"strings"
	"testing"
)

// The cost table names fields by "Type.field": a typo would silently leave a database field at cost 1.
func TestCostTableNamesRealFields(t *testing.T) {
	schema := NewExecutableSchema(Config{}).Schema()
	check := func(key string) {
		typ, field, _ := strings.Cut(key, ".")
		def := schema.Types[typ]
		if def == nil || def.Fields.ForName(field) == nil {
			t.Errorf("cost table: %s is not a field of the schema", key)
		}
	}
	for key := range fieldCost {
		check(key)
	}
	for key := range connectionFields {
		check(key)
		typ, field, _ := strings.Cut(key, ".")
		if schema.Types[typ].Fields.ForName(field).Arguments.ForName("first") == nil {
			t.Errorf("%s is listed as a connection but has no first argument", key)
		}
	}
	// Every connection of the schema is priced per item.
	for name, def := range schema.Types {
		for _, f := range def.Fields {
			if strings.HasSuffix(f.Type.Name(), "Connection") && f.Arguments.ForName("first") != nil && !connectionFields[name+"."+f.Name] {
				t.Errorf("%s.%s is a connection missing from connectionFields", name, f.Name)
			}
		}
	}
}

func TestWithoutHints(t *testing.T) {
	for in, want := range map[string]string{
		`Cannot query field "viewr" on type "Query". Did you mean "viewer"?`:                                       `Cannot query field "viewr" on type "Query".`,
		`Value "CEL" does not exist in "UnitKind" enum. Did you mean the enum value "CELL"?`:                       `Value "CEL" does not exist in "UnitKind" enum.`,
		`Expected value of type "UnitKind", found CEL; Did you mean the enum value CELL?`:                          `Expected value of type "UnitKind", found CEL.`,
		`Cannot query field "code" on type "Node". Did you mean to use an inline fragment on "Unit" or "Village"?`: `Cannot query field "code" on type "Node".`,
		`Unknown argument "cod" on field "Query.unit".`:                                                            `Unknown argument "cod" on field "Query.unit".`,
	} {
		if got := withoutHints(in); got != want {
			t.Errorf("withoutHints(%q) = %q, want %q", in, got, want)
		}
	}
}
