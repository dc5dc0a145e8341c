package vn

import (
	"testing"
	"time"
)

func TestInt(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1.000", 200000: "200.000", 1234567: "1.234.567", -45000: "-45.000"} {
		if got := Int(n); got != want {
			t.Errorf("Int(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestDate(t *testing.T) {
	if got := Date(time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)); got != "01/07/2025" {
		t.Errorf("Date = %q", got)
	}
}

func TestDecimal(t *testing.T) {
	for _, c := range []struct {
		x    float64
		prec int
		want string
	}{{55.93, 1, "55,9"}, {1234.5, 1, "1.234,5"}, {548.666, 1, "548,7"}, {0, 1, "0,0"}, {-0.04, 1, "-0,0"}, {1234567, 0, "1.234.567"}, {-1234.56, 2, "-1.234,56"}} {
		if got := Decimal(c.x, c.prec); got != c.want {
			t.Errorf("Decimal(%v, %d) = %q, want %q", c.x, c.prec, got, c.want)
		}
	}
}
