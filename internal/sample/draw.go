package sample

import (
	"math/rand/v2"
	"strings"

	"ptdv/internal/seed"
)

// weighted repeats an item n times: "Nguyễn*6" counts six.
func weighted(items ...string) []string {
	var out []string
	for _, it := range items {
		name, n := it, 1
		if i := strings.LastIndexByte(it, '*'); i > 0 {
			name = it[:i]
			n = 0
			for _, r := range it[i+1:] {
				n = n*10 + int(r-'0')
			}
		}
		for range n {
			out = append(out, name)
		}
	}
	return out
}

func pick(rng *rand.Rand, xs []string) string { return xs[rng.IntN(len(xs))] }

// uniqueName draws a full name with the seed's generator (seed.Name) that the sample has not used
// yet; after 20 draws a repeat is accepted, as a commune has namesakes.
func uniqueName(rng *rand.Rand, used map[string]bool, ethnicity, sex string, birthYear int, region string) string {
	for i := 0; ; i++ {
		n := seed.Name(rng, ethnicity, sex == "female", birthYear, region)
		if !used[n] || i > 20 {
			used[n] = true
			return n
		}
	}
}
