package breakdown

import "testing"

// TestQuantile checks quantile against values worked out by hand with quantile_cont's rule (the value at
// (n − 1) · q, interpolated): DuckDB's quantile_cont and PostgreSQL's percentile_cont give the same.
func TestQuantile(t *testing.T) {
	for _, c := range []struct {
		v    []int64
		q    float64
		want float64
	}{
		{[]int64{7}, 0.5, 7},
		{[]int64{7}, 0.9, 7},
		{[]int64{1, 2}, 0.5, 1.5},
		{[]int64{1, 2, 10}, 0.5, 2},
		{[]int64{1, 2, 10}, 0.9, 8.4},                // h = 1.8: 2 + 0.8 · 8
		{[]int64{0, 0, 0, 5, 20, 20, 21}, 0.9, 20.4}, // h = 5.4: 20 + 0.4 · 1
		{[]int64{3, 3, 3, 3}, 0.9, 3},
	} {
		if got := quantile(c.v, c.q); got < c.want-1e-9 || got > c.want+1e-9 {
			t.Errorf("quantile(%v, %v) = %v, want %v", c.v, c.q, got, c.want)
		}
	}
}
