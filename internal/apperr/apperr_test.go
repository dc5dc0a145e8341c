package apperr

import (
	"strings"
	"testing"
)

// "Không tìm thấy person \"173\"" leaked an English noun and an internal id.
func TestEntityNamesAreVietnamese(t *testing.T) {
	for _, entity := range []string{"unit", "village", "node", "person", "case", "candidate", "course", "term", "target", "operation", "whatever"} {
		e := NotFoundf(entity, "173")
		if strings.Contains(e.Message, entity) || strings.Contains(e.Message, "173") || strings.Contains(e.MessageEN, "173") {
			t.Errorf("%s: %q / %q", entity, e.Message, e.MessageEN)
		}
	}
	if e := NotFoundf("unit", "GL.PK.9"); e.Message != `Không tìm thấy tổ chức đảng "GL.PK.9".` {
		t.Errorf("a code the caller typed is quoted back: %q", e.Message)
	}
}
