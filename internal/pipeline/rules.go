// Package pipeline holds the candidate pipeline: a case per person moving from the source list
// through the awareness course, dossier, resolutions, admission decision and ceremony to full
// membership (or out of the pipeline), every move an append-only event checked against the rule
// table, with the deadlines in working days that follow from each move.
package pipeline

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/uptrace/bun"
)

// Rule ids, as in table pipeline_rule. The values live in the table, never in code.
const (
	RuleAgeMin            = "age.min_months"
	RuleAgeMax            = "age.max_months"
	RuleEducation         = "education.min_level"
	RuleCertificate       = "certificate.valid_months"
	RuleDossierStale      = "dossier.stale_months"
	RuleSponsorCount      = "sponsor.count"
	RuleSponsorKnown      = "sponsor.known_months"
	RuleSponsorYouth      = "sponsor.youth_union_count"
	RuleYouthAge          = "youth_union.max_age_years"
	RuleCellVote          = "vote.cell"
	RuleCommitteeVote     = "vote.committee"
	RuleRecognitionVote   = "vote.recognition"
	RuleRecognitionRounds = "vote.recognition.max_rounds"
	RuleDecisionDeadline  = "decision.deadline_wd"
	RuleDecisionExtension = "decision.extension_wd"
	RuleExtensionsMax     = "decision.extensions_max"
	RuleCeremonyDeadline  = "ceremony.deadline_wd"
	RuleProbation         = "probation.months"
	RuleRecognitionDue    = "recognition.deadline_wd"
	RuleSourceStall       = "source.stall_months"
	// Re-admission of a former member (removed or expelled), rows of member_rule: at the decision, and
	// warned at the listing.
	RuleReadmissionMinMonths = "readmission_min_months"
	RuleReadmissionMaxTimes  = "readmission_max_times"
	// Rules about the order of moves, not numbers: a case moves one stage at a time.
	RuleStageOrder = "pipeline.stage_order"
	RuleDateOrder  = "pipeline.date_order"
)

// Rule is one row of the rule table.
type Rule struct {
	ID      string `bun:"id"`
	Value   int    `bun:"value"`
	Unit    string `bun:"unit"`
	LabelVI string `bun:"label_vi"`
	Source  string `bun:"source"`
	Note    string `bun:"note"`
	// Enforcement is EnforceRefuse or EnforceDeadline (migration 0020).
	Enforcement string `bun:"enforcement"`
}

// How a rule is enforced (column pipeline_rule.enforcement).
const (
	// EnforceRefuse: a move that breaks the rule is impossible or ineligible, and refused.
	EnforceRefuse = "refuse"
	// EnforceDeadline: a missed deadline. A new move is refused (the office extends in time); a fact of
	// the past (AsHistory) is recorded with the rule and the working days late on its event.
	EnforceDeadline = "deadline"
)

// Rules is the rule table, by id.
type Rules map[string]Rule

// LoadRules reads the rule table.
func LoadRules(ctx context.Context, db bun.IDB) (Rules, error) {
	var rs []Rule
	// The re-admission rules live in member_rule (the ceremony's membership event checks them); the
	// listing and the decision apply them too, so the pipeline's table shows them, from that one source.
	if err := db.NewRaw(`SELECT id, value, unit, label_vi, source, note, enforcement FROM pipeline_rule
		UNION ALL
		SELECT id, value, CASE unit WHEN 'month' THEN 'months' ELSE unit END, note, source, 'member_rule', 'refuse'
		FROM member_rule WHERE id IN (?, ?)
		ORDER BY id`, RuleReadmissionMinMonths, RuleReadmissionMaxTimes).Scan(ctx, &rs); err != nil {
		return nil, fmt.Errorf("pipeline: load rules: %w", err)
	}
	m := make(Rules, len(rs))
	for _, r := range rs {
		m[r.ID] = r
	}
	return m, nil
}

// V returns a rule's value; a missing row is a broken installation, not a user error.
func (r Rules) V(id string) int {
	rule, ok := r[id]
	if !ok {
		panic("pipeline: rule " + id + " missing from pipeline_rule")
	}
	return rule.Value
}

// passes reports whether votesFor of eligible reach the fraction numerator/denominator of a vote rule.
func (r Rules) passes(vote string, votesFor, eligible int) bool {
	return votesFor*r.V(vote+".denominator") >= r.V(vote+".numerator")*eligible
}

// List returns the rules in id order (for the API and the administrator).
func (r Rules) List() []Rule {
	out := make([]Rule, 0, len(r))
	for _, x := range r {
		out = append(out, x)
	}
	slices.SortFunc(out, func(a, b Rule) int { return strings.Compare(a.ID, b.ID) })
	return out
}
