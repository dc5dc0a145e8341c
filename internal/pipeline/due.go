package pipeline

import (
	"context"
	"ptdv/internal/calendar"
	"time"

	"github.com/uptrace/bun"
)

// dues lists what is due for a case in its current state, with the rule each date comes from.
func dues(c Case, e env) []Due {
	var out []Due
	add := func(kind, rule string, on time.Time) {
		out = append(out, Due{CaseID: c.ID, Kind: kind, DueOn: on, RuleID: rule})
	}
	if !c.Open() {
		return nil
	}
	certValid := c.CertificateOn != nil
	var certExp time.Time
	if certValid {
		certExp = calendar.AddMonths(*c.CertificateOn, e.rules.V(RuleCertificate))
	}
	switch c.Stage {
	case StageSource, StageCourseDone:
		if certValid {
			add("certificate_expires", RuleCertificate, certExp)
			// A source holding a valid certificate that has not moved for a year: "có nguồn nhưng
			// không kết nạp được".
			add("source_stalled", RuleSourceStall, calendar.AddMonths(c.StageSince, e.rules.V(RuleSourceStall)))
		}
	case StageDossier:
		add("certificate_expires", RuleCertificate, certExp)
		add("dossier_stale", RuleDossierStale, calendar.AddMonths(*c.DossierOn, e.rules.V(RuleDossierStale)))
	case StageCellResolution, StageCommitteeResolution:
		add("decision_due", RuleDecisionDeadline, decisionDue(c, e))
	case StageDecision:
		add("ceremony_due", RuleCeremonyDeadline, e.cal.AddWorkingDays(*c.DecisionOn, e.rules.V(RuleCeremonyDeadline)))
	case StageProbation:
		end := calendar.AddMonths(*c.CeremonyOn, e.rules.V(RuleProbation))
		add("probation_ends", RuleProbation, end)
		add("recognition_due", RuleRecognitionDue, e.cal.AddWorkingDays(end, e.rules.V(RuleRecognitionDue)))
	}
	return out
}

// recomputeDues replaces the case's rows in case_due (in the move's transaction).
func recomputeDues(ctx context.Context, tx bun.IDB, c Case, e env) error {
	if _, err := tx.NewRaw(`DELETE FROM case_due WHERE case_id = ?`, c.ID).Exec(ctx); err != nil {
		return err
	}
	for _, d := range dues(c, e) {
		if _, err := tx.NewRaw(`INSERT INTO case_due (case_id, kind, due_on, rule_id) VALUES (?, ?, ?, ?)`,
			d.CaseID, d.Kind, d.DueOn, d.RuleID).Exec(ctx); err != nil {
			return err
		}
	}
	return nil
}
