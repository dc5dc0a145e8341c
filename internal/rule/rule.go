// Package rule is the rule table: every rule the system enforces, with its value when it has one, in
// one table (rule) read by one loader. Ids are domain.name ("age.min_months", "readmission.max_times",
// "org.no_cycle"); every RULE_VIOLATION names one, and the API's pipelineRules lists them all. Values
// live in the table, never in code: an administrator corrects them as the schema owner.
package rule

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/uptrace/bun"
)

// Rule is one row of the rule table.
type Rule struct {
	ID      string `bun:"id"`
	Value   int    `bun:"value"`
	Unit    string `bun:"unit"` // months, working_days, count, level, numerator, denominator, years; check: a condition with no number (value 0)
	LabelVI string `bun:"label_vi"`
	Source  string `bun:"source"`
	Note    string `bun:"note"`
	// Enforcement is EnforceRefuse or EnforceDeadline (migration 0020).
	Enforcement string `bun:"enforcement"`
}

// UnitCheck is the unit of a rule that is a condition, not a number.
const UnitCheck = "check"

// How a rule is enforced (column rule.enforcement).
const (
	// EnforceRefuse: a move that breaks the rule is impossible or ineligible, and refused.
	EnforceRefuse = "refuse"
	// EnforceDeadline: a missed deadline. A new move is refused (the office extends in time); a fact of
	// the past (an import) is recorded with the rule and the working days late on its event.
	EnforceDeadline = "deadline"
)

// Set is the rule table, by id.
type Set map[string]Rule

// Load reads the rule table.
func Load(ctx context.Context, db bun.IDB) (Set, error) {
	var rs []Rule
	if err := db.NewRaw(`SELECT id, value, unit, label_vi, source, note, enforcement FROM rule ORDER BY id`).Scan(ctx, &rs); err != nil {
		return nil, fmt.Errorf("rule: load: %w", err)
	}
	m := make(Set, len(rs))
	for _, r := range rs {
		m[r.ID] = r
	}
	return m, nil
}

// Require returns an error unless every id is a row: a missing row is a broken installation.
func (s Set) Require(ids ...string) error {
	for _, id := range ids {
		if _, ok := s[id]; !ok {
			return fmt.Errorf("rule %q is missing from the rule table", id)
		}
	}
	return nil
}

// V returns a rule's value; a missing row is a broken installation, not a user error.
func (s Set) V(id string) int {
	r, ok := s[id]
	if !ok {
		panic("rule " + id + " missing from the rule table")
	}
	return r.Value
}

// Passes reports whether votesFor of eligible reach the fraction numerator/denominator of a vote rule
// (rows vote+".numerator" and vote+".denominator").
func (s Set) Passes(vote string, votesFor, eligible int) bool {
	return votesFor*s.V(vote+".denominator") >= s.V(vote+".numerator")*eligible
}

// List returns the rules in id order (for the API and the administrator).
func (s Set) List() []Rule {
	out := make([]Rule, 0, len(s))
	for _, x := range s {
		out = append(out, x)
	}
	slices.SortFunc(out, func(a, b Rule) int { return strings.Compare(a.ID, b.ID) })
	return out
}
