package bulk

import (
	"regexp"
	"strconv"
	"testing"
)

var oldRE = regexp.MustCompile(`^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$`)

func TestDMYLikeRegexp(t *testing.T) {
	for _, s := range []string{"1/2/2000", "01/02/2000", "1.2.2000", "1-2-2000", "001/02/2000", "1/2/200", "1/2/20000", "a/2/2000", "1//2000", "", "1/2/2000 ", " 1/2/2000", "12/12/1999", "1/2-2000", "31/12/9999", "1/2/２０００"} {
		d, m, y, ok := dmy(s)
		mm := oldRE.FindStringSubmatch(s)
		if ok != (mm != nil) {
			t.Errorf("%q: ok %v, regexp %v", s, ok, mm)
			continue
		}
		if ok {
			a, _ := strconv.Atoi(mm[1])
			b, _ := strconv.Atoi(mm[2])
			c, _ := strconv.Atoi(mm[3])
			if a != d || b != m || c != y {
				t.Errorf("%q: %d %d %d", s, d, m, y)
			}
		}
	}
}
