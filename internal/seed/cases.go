package seed

// A candidate case as package pipeline caches it (candidate_case) with its events, sponsors, dues and
// reviews.

type cevent struct {
	kind, stageAfter string
	eff              day
	form, docNo      string
	docDate          day
	votesFor         int // -1: NULL
	votesElig        int
	reason           string
	note             string
	details          string // "" = {}; the dossier's details are written at encoding (they name sponsors by id)
	dossier          bool
	helper           int // helper_assigned: local person index
}

type sponsorRec struct {
	person        int // local index
	known, letter day
}

type dueRec struct {
	kind, rule string
	on         day
}

type reviewRec struct {
	quarter, rating, note string
}

type kase struct {
	person     int // local index
	proposer   string
	stage      string
	stageSince day
	listed     day
	cert       day
	dossier    day
	cellRes    day
	commRes    day
	decision   day
	decisionNo string
	ext        int
	ceremony   day
	recognized day
	closed     day
	reason     string
	rounds     int
	helper     int // local index, -1: none

	events   []cevent
	sponsors []sponsorRec
	dues     []dueRec
	reviews  []reviewRec

	// The dossier's documents, for the event's details.
	application, biography, comments, background day
	youth                                        *youthDoc
}

type youthDoc struct {
	eff    day
	number string
	note   string
}

func (c *kase) open() bool { return c.closed == noDay }

// dues is pipeline's dues(): what is due for an open case in its current state.
func (g *gen) dues(c *kase) []dueRec {
	if !c.open() {
		return nil
	}
	var out []dueRec
	add := func(kind, rule string, on day) { out = append(out, dueRec{kind: kind, rule: rule, on: on}) }
	r := g.rules
	certValid := c.cert != noDay
	var certExp day
	if certValid {
		certExp = addMonths(c.cert, r.get("certificate.valid_months"))
	}
	switch c.stage {
	case "source", "course_done":
		if certValid {
			add("certificate_expires", "certificate.valid_months", certExp)
			add("source_stalled", "source.stall_months", addMonths(c.stageSince, r.get("source.stall_months")))
		}
	case "dossier":
		add("certificate_expires", "certificate.valid_months", certExp)
		add("dossier_stale", "dossier.stale_months", addMonths(c.dossier, r.get("dossier.stale_months")))
	case "cell_resolution", "committee_resolution":
		add("decision_due", "decision.deadline_wd", g.decisionDue(c))
	case "decision":
		add("ceremony_due", "ceremony.deadline_wd", g.wd.add(c.decision, r.get("ceremony.deadline_wd")))
	case "probation":
		end := addMonths(c.ceremony, r.get("probation.months"))
		add("probation_ends", "probation.months", end)
		add("recognition_due", "recognition.deadline_wd", g.wd.add(end, r.get("recognition.deadline_wd")))
	}
	return out
}

func (g *gen) decisionDue(c *kase) day {
	n := g.rules.get("decision.deadline_wd") + c.ext*g.rules.get("decision.extension_wd")
	return g.wd.add(c.cellRes, n)
}

// quarterOf names a date's quarter: 2026Q3.
func quarterOf(d day) string {
	y, m, _ := d.ymd()
	return itoa(y) + "Q" + itoa((m-1)/3+1)
}

// quarterEnd is the last day of the quarter back quarters before the one of d.
func quarterEnd(d day, back int) day {
	y, m, _ := d.ymd()
	first := mkday(y, (m-1)/3*3+1, 1)
	return addMonths(first, -3*(back-1)) - 1
}
