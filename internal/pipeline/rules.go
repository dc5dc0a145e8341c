// Package pipeline holds the candidate pipeline: a case per person moving from the source list
// through the awareness course, dossier, resolutions, admission decision and ceremony to full
// membership (or out of the pipeline), every move an append-only event checked against the rule
// table, with the deadlines in working days that follow from each move.
package pipeline

import (
	"context"

	"github.com/uptrace/bun"

	"ptdv/internal/member"
	"ptdv/internal/rule"
)

// Rule ids, rows of the rule table (package rule). The values live in the table, never in code.
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
	RuleProbation         = member.RuleProbationMonths
	RuleRecognitionDue    = "recognition.deadline_wd"
	RuleSourceStall       = "source.stall_months"
	// Re-admission of a former member (removed or expelled): checked by the ceremony's membership
	// event, at the decision, and warned at the listing.
	RuleReadmissionMinMonths = member.RuleReadmissionMinMonths
	RuleReadmissionMaxTimes  = member.RuleReadmissionMaxTimes
	// Who may sponsor, help, or be responsible for a unit: a full member on the date.
	RuleSponsorFullMember     = "sponsor.full_member"
	RuleHelperFullMember      = "helper.full_member"
	RuleResponsibleFullMember = "responsible.full_member"
	// Rules about the order of moves, not numbers: a case moves one stage at a time.
	RuleStageOrder = "pipeline.stage_order"
	RuleDateOrder  = "pipeline.date_order"
)

// Rule is one row of the rule table.
type Rule = rule.Rule

// How a rule is enforced (column rule.enforcement).
const (
	EnforceRefuse   = rule.EnforceRefuse
	EnforceDeadline = rule.EnforceDeadline
)

// Rules is the rule table, by id.
type Rules = rule.Set

// LoadRules reads the rule table: every rule of the system, the pipeline's, the membership's and the
// conditions other packages refuse with.
func LoadRules(ctx context.Context, db bun.IDB) (Rules, error) { return rule.Load(ctx, db) }
