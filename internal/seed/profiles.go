package seed

// Profiles describe the people of a kind of unit: how many members it has, their sex, age, schooling,
// occupation, how many candidates it admits and how fast its cases move. The shares are calibrated so
// that an urban Central Highlands locality comes out as the seeds describe Pleiku (> 42 % women, ≈ 5.5 %
// ethnic minority, > 78 % upper secondary, > 37 % college or above, > 10 % of Youth Union age, ≈ 1.7 %
// religious), and vary with the region, the sector and urban or rural settings.

type band struct {
	lo, hi int
	w      float64
}

type profile struct {
	size      float64 // expected members of a unit today, before scaling to the province's total
	women     float64 // share of women among the members of the history's start
	womenNew  float64 // among candidates
	stockAge  []band  // ages of the members at the history's start
	candAge   [2]int  // ages of candidates when listed
	students  float64 // share of candidates who are students (upper secondary or university)
	upper     float64 // share with upper secondary schooling
	college   float64 // share with a college degree or above
	occ       *weighted[string]
	candOcc   *weighted[string]
	rate      float64 // admissions per member and year, relative to the national rate
	speed     float64 // how long stages take, relative to the median
	minority  float64 // multiplier of the district's minority share
	theory    []float64
	proposers *weighted[string]
	retires   bool // members leave for their residential cell when they retire
	working   bool // members are of working age (no stock member over retirement age)
}

func ws(pairs ...any) *weighted[string] {
	var items []string
	var weights []float64
	for i := 0; i < len(pairs); i += 2 {
		items = append(items, pairs[i].(string))
		switch w := pairs[i+1].(type) {
		case int:
			weights = append(weights, float64(w))
		case float64:
			weights = append(weights, w)
		}
	}
	return newWeighted(items, weights)
}

var workingAge = []band{{23, 30, 0.26}, {30, 40, 0.33}, {40, 50, 0.25}, {50, 58, 0.16}}

var profiles = map[string]*profile{
	"village": {size: 24, women: 0.40, womenNew: 0.55, stockAge: []band{{24, 40, 0.18}, {40, 55, 0.27}, {55, 70, 0.3}, {70, 88, 0.25}},
		candAge: [2]int{19, 42}, upper: 0.64, college: 0.16, rate: 0.9, speed: 1.0, minority: 1.2,
		theory:    []float64{0.12, 0.75, 0.12, 0.01},
		occ:       ws("farmer", 50, "retired", 28, "freelance", 8, "commune_staff", 5, "public_employee", 3, "non_state_enterprise_worker", 3, "other", 3),
		candOcc:   ws("farmer", 44, "freelance", 20, "commune_staff", 10, "non_state_enterprise_worker", 12, "public_employee", 4, "other", 10),
		proposers: ws("cell", 40, "youth_union", 25, "women_union", 15, "farmers_union", 12, "veterans_association", 3, "other", 5)},
	"commune_agency": {size: 10, women: 0.42, womenNew: 0.5, stockAge: workingAge, candAge: [2]int{23, 38}, upper: 0.97, college: 0.78,
		rate: 0.8, speed: 0.9, minority: 1.0, theory: []float64{0.02, 0.3, 0.58, 0.1}, working: true, retires: true,
		occ: ws("commune_staff", 80, "civil_servant", 20), candOcc: ws("commune_staff", 85, "civil_servant", 15),
		proposers: ws("cell", 60, "youth_union", 25, "women_union", 10, "other", 5)},
	"police": {size: 8, women: 0.1, womenNew: 0.16, stockAge: []band{{22, 30, 0.35}, {30, 40, 0.35}, {40, 52, 0.3}}, candAge: [2]int{21, 30},
		upper: 1, college: 0.62, rate: 1.5, speed: 0.75, minority: 0.9, theory: []float64{0.05, 0.55, 0.35, 0.05}, working: true, retires: true,
		occ: ws("armed_forces", 1), candOcc: ws("armed_forces", 1), proposers: ws("cell", 55, "youth_union", 45)},
	"military": {size: 6, women: 0.05, womenNew: 0.08, stockAge: []band{{22, 30, 0.35}, {30, 40, 0.35}, {40, 52, 0.3}}, candAge: [2]int{19, 27},
		upper: 0.98, college: 0.5, rate: 1.3, speed: 0.75, minority: 0.9, theory: []float64{0.05, 0.55, 0.35, 0.05}, working: true, retires: true,
		occ: ws("armed_forces", 1), candOcc: ws("armed_forces", 1), proposers: ws("cell", 50, "youth_union", 50)},
	"health": {size: 7, women: 0.64, womenNew: 0.7, stockAge: workingAge, candAge: [2]int{24, 38}, upper: 1, college: 0.86,
		rate: 0.9, speed: 1.1, minority: 0.8, theory: []float64{0.1, 0.6, 0.27, 0.03}, working: true, retires: true,
		occ: ws("public_employee", 1), candOcc: ws("public_employee", 1), proposers: ws("cell", 50, "trade_union", 30, "youth_union", 20)},
	"teacher": {size: 7, women: 0.76, womenNew: 0.8, stockAge: workingAge, candAge: [2]int{23, 38}, upper: 1, college: 0.95,
		rate: 1.0, speed: 1.0, minority: 0.8, theory: []float64{0.1, 0.7, 0.18, 0.02}, working: true, retires: true,
		occ: ws("public_employee", 1), candOcc: ws("public_employee", 1), proposers: ws("cell", 45, "school", 25, "trade_union", 15, "youth_union", 15)},
	"agency": {size: 9, women: 0.46, womenNew: 0.53, stockAge: workingAge, candAge: [2]int{24, 38}, upper: 1, college: 0.93,
		rate: 0.75, speed: 0.9, minority: 0.8, theory: []float64{0.02, 0.3, 0.48, 0.2}, working: true, retires: true,
		occ: ws("civil_servant", 75, "public_employee", 25), candOcc: ws("civil_servant", 70, "public_employee", 30),
		proposers: ws("cell", 55, "youth_union", 25, "trade_union", 15, "other", 5)},
	"public": {size: 9, women: 0.55, womenNew: 0.6, stockAge: workingAge, candAge: [2]int{24, 38}, upper: 1, college: 0.85,
		rate: 0.9, speed: 1.0, minority: 0.8, theory: []float64{0.05, 0.55, 0.35, 0.05}, working: true, retires: true,
		occ: ws("public_employee", 1), candOcc: ws("public_employee", 1), proposers: ws("cell", 50, "trade_union", 25, "youth_union", 25)},
	"school": {size: 10, women: 0.66, womenNew: 0.62, stockAge: workingAge, candAge: [2]int{23, 36}, students: 0.35, upper: 1, college: 0.98,
		rate: 1.35, speed: 0.8, minority: 0.8, theory: []float64{0.1, 0.7, 0.18, 0.02}, working: true, retires: true,
		occ: ws("public_employee", 1), candOcc: ws("public_employee", 1), proposers: ws("cell", 30, "school", 35, "youth_union", 35)},
	"university": {size: 11, women: 0.55, womenNew: 0.58, stockAge: workingAge, candAge: [2]int{25, 38}, students: 0.6, upper: 1, college: 1,
		rate: 1.8, speed: 0.85, minority: 0.7, theory: []float64{0.05, 0.45, 0.35, 0.15}, working: true, retires: true,
		occ: ws("public_employee", 1), candOcc: ws("public_employee", 1), proposers: ws("cell", 30, "school", 30, "youth_union", 40)},
	"state_enterprise": {size: 9, women: 0.34, womenNew: 0.4, stockAge: workingAge, candAge: [2]int{23, 38}, upper: 0.97, college: 0.6,
		rate: 0.8, speed: 1.2, minority: 0.5, theory: []float64{0.15, 0.6, 0.22, 0.03}, working: true, retires: true,
		occ: ws("state_enterprise_worker", 1), candOcc: ws("state_enterprise_worker", 1), proposers: ws("cell", 50, "trade_union", 30, "enterprise", 10, "youth_union", 10)},
	"nonstate": {size: 5, women: 0.44, womenNew: 0.5, stockAge: []band{{23, 35, 0.4}, {35, 45, 0.35}, {45, 56, 0.25}}, candAge: [2]int{22, 38}, upper: 0.9, college: 0.48,
		rate: 1.6, speed: 1.35, minority: 0.5, theory: []float64{0.3, 0.6, 0.09, 0.01}, working: true, retires: true,
		occ: ws("non_state_enterprise_worker", 1), candOcc: ws("non_state_enterprise_worker", 1), proposers: ws("cell", 35, "trade_union", 25, "enterprise", 30, "youth_union", 10)},
}

func profileSize(key string) float64 { return profiles[key].size }

const occRetired = "retired"
