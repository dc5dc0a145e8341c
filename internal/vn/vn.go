// Package vn formats values as Vietnamese users read them: dates dd/mm/yyyy, numbers with "." between
// groups of three digits and "," before decimals (1.234.567; 55,9).
package vn

import (
	"strconv"
	"strings"
	"time"
)

// Date formats a day as dd/mm/yyyy.
func Date(t time.Time) string { return t.Format("02/01/2006") }

// Int formats n with "." between groups of three digits: 1.234.567.
func Int(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// Decimal formats x with prec decimals, "," before them and "." between thousands: 1.234,5.
func Decimal(x float64, prec int) string {
	s := strconv.FormatFloat(x, 'f', prec, 64)
	whole, frac, _ := strings.Cut(s, ".")
	n, err := strconv.ParseInt(whole, 10, 64)
	if err != nil { // beyond int64: not a count anyone reads
		return strings.Replace(s, ".", ",", 1)
	}
	out := Int(n)
	if n == 0 && strings.HasPrefix(whole, "-") {
		out = "-0"
	}
	if frac != "" {
		out += "," + frac
	}
	return out
}
