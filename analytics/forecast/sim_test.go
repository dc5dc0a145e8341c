package forecast

import (
	"math/rand/v2"
	"ptdv/internal/seed"
)

// simSpec describes a synthetic history whose true rates are known: one province, communes of cells;
// each cell lists candidates as a Poisson process with its own rate (gamma across cells); each case
// waits an exponential time in each stage and at each stage leaves with a fixed probability.
type simSpec struct {
	Seed        uint64
	Communes    int
	Cells       int     // per commune
	Rate        float64 // mean listings per cell and month
	RateShape   float64 // gamma shape of the cells' rates
	Years       int     // history length; starts on 1/1/2010
	StageMean   [nStages]float64
	Leave       float64 // probability to leave at each stage
	HideAfter   Day     // drop everything dated after this day, as a history recorded then would (0: none)
	YearTargets int     // the year of the communes' count targets (0: none)
}

func defaultSim() simSpec {
	return simSpec{Seed: 7, Communes: 60, Cells: 8, Rate: 0.3, RateShape: 3, Years: 10,
		StageMean: [nStages]float64{60, 50, 40, 20, 15, 20}, Leave: 0.05}
}

const simProvince = 1

func simCommune(i int) int64 { return 100 + int64(i) }
func simCell(i, j int) int64 { return 10000 + int64(i)*100 + int64(j) }

// simulate builds the history. The random draws do not depend on HideAfter, so a hidden history is
// the full one with the later records left out.
func simulate(sp simSpec) *History {
	r := rand.New(rand.NewPCG(sp.Seed, 1))
	start := Date(2010, 1, 1)
	end := Date(2010+sp.Years, 1, 1) - 1
	asOf := end
	if sp.HideAfter != 0 {
		asOf = sp.HideAfter
	}
	h := &History{AsOf: asOf, From: start, YearEnd: map[YearKey]int{}}
	known := func(d Day) bool { return d <= asOf }
	addUnit := func(id int64, kind string, path []int64) {
		h.Units = append(h.Units, Unit{ID: id, Code: "U" + itoa(id), Kind: kind, Sector: "territorial", From: start, To: NoDay})
		parent := int64(0)
		if len(path) > 1 {
			parent = path[len(path)-2]
		}
		h.Links = append(h.Links, Link{Unit: id, Parent: parent, Path: path, From: start, To: NoDay})
	}
	addUnit(simProvince, "province", []int64{simProvince})
	for i := range sp.Communes {
		addUnit(simCommune(i), "grassroots_committee", []int64{simProvince, simCommune(i)})
		for j := range sp.Cells {
			addUnit(simCell(i, j), "cell", []int64{simProvince, simCommune(i), simCell(i, j)})
		}
	}
	for y := 2009; y < 2010+sp.Years; y++ {
		if Date(y, 12, 31) > asOf {
			continue
		}
		h.YearEnd[YearKey{simProvince, y}] = 20 * sp.Communes * sp.Cells
		for i := range sp.Communes {
			h.YearEnd[YearKey{simCommune(i), y}] = 20 * sp.Cells
			for j := range sp.Cells {
				h.YearEnd[YearKey{simCell(i, j), y}] = 20
			}
		}
	}
	for i := range sp.Communes {
		for j := range sp.Cells {
			cell := simCell(i, j)
			lambda := sp.Rate * seed.Gamma(r, sp.RateShape) / sp.RateShape
			days := float64(end - start + 1)
			n := seed.Poisson(r, lambda*days/30.44)
			for range n {
				listed := start + Day(r.IntN(int(end-start+1)))
				c := Case{Cell: cell}
				t := listed
				var decided, ceremony Day = NoDay, NoDay
				for s := Source; s <= Decision; s++ {
					if known(t) {
						c.Moves = append(c.Moves, Move{Stage: s, On: t})
					}
					t += Day(1 + int(r.ExpFloat64()*sp.StageMean[s]))
					if r.Float64() < sp.Leave {
						if known(t) {
							c.Moves = append(c.Moves, Move{Stage: Closed, On: t})
						}
						break
					}
					if s == CommitteeResolution {
						decided = t
					}
					if s == Decision {
						ceremony = t
						if known(t) {
							c.Moves = append(c.Moves, Move{Stage: Admitted, On: t})
						}
					}
				}
				if len(c.Moves) > 0 {
					h.Cases = append(h.Cases, c)
				}
				if ceremony != NoDay && known(ceremony) {
					h.Admissions = append(h.Admissions, Admission{Unit: cell, Decided: decided, Known: ceremony,
						Labels: []int64{simProvince, simCommune(i), cell}})
				}
			}
		}
	}
	if sp.YearTargets != 0 {
		y := sp.YearTargets
		for i := range sp.Communes {
			h.Targets = append(h.Targets, Target{ID: int64(i + 1), Unit: simCommune(i), PeriodKind: "year",
				Start: Date(y, 1, 1), End: Date(y, 12, 31), Kind: "count", Count: 10 + 3*(i%7)})
		}
		h.Targets = append(h.Targets, Target{ID: 1000, Unit: simProvince, PeriodKind: "year",
			Start: Date(y, 1, 1), End: Date(y, 12, 31), Kind: "rate", Rate: 4})
	}
	h.Sort()
	return h
}

func itoa(n int64) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for n > 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(b)
}
