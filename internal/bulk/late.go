package bulk

import (
	"context"
	"fmt"

	"ptdv/internal/pipeline"
)

// lateColumn is the file column of the stage whose date missed a deadline, by event kind; a recognition
// vote's is its round's (roundCols), by its place among the case's votes.
var lateColumn = map[string]string{
	"cell_resolved":     "cell_res",
	"decision_extended": "extension",
	"decided":           "decision",
	"ceremony_held":     "ceremony",
}

// lateLabel says, in Vietnamese, what a flagged event was late for.
var lateLabel = map[string]string{
	pipeline.RuleDossierStale:     "Chi bộ xét khi hồ sơ đã quá hạn",
	pipeline.RuleDecisionDeadline: "Quyết định kết nạp quá hạn",
	pipeline.RuleCeremonyDeadline: "Lễ kết nạp quá hạn",
	pipeline.RuleRecognitionDue:   "Công nhận đảng viên chính thức quá hạn",
}

// lateWarnings lists the deadlines the import's rows missed: an office's history is recorded whole
// (pipeline.AsHistory), and each missed deadline is on its event (case_event.late_rule, late_days).
// The events of this import are those recorded in its transaction (recorded_at = now(), the
// transaction's start); one query, whatever the path each row took.
func (im *importer) lateWarnings(ctx context.Context, rep *Report) error {
	var rows []struct {
		NationalID string `bun:"national_id"`
		Kind       string `bun:"kind"`
		Rule       string `bun:"late_rule"`
		Days       int    `bun:"late_days"`
		Round      int    `bun:"round"`
	}
	err := im.tx.NewRaw(`SELECT p.national_id, e.kind, e.late_rule, e.late_days,
			CASE WHEN e.kind = 'recognition_vote' THEN (SELECT count(*) FROM case_event x WHERE x.case_id = e.case_id
				AND x.kind = e.kind AND (x.effective, x.id) <= (e.effective, e.id)) ELSE 0 END AS round
		FROM case_event e JOIN candidate_case c ON c.id = e.case_id JOIN person p ON p.id = c.person_id
		WHERE e.late_rule IS NOT NULL AND e.recorded_at = now()
		ORDER BY e.case_id, e.effective, e.id`).Scan(ctx, &rows)
	if err != nil {
		return fmt.Errorf("bulk: late events: %w", err)
	}
	cols := map[string]string{}
	for _, c := range Layout(im.kind) {
		cols[c.Key] = c.Header
	}
	for _, r := range rows {
		label := lateLabel[r.Rule]
		if label == "" {
			label = "Quá hạn"
		}
		col := lateColumn[r.Kind]
		if r.Round > 0 && r.Round <= len(roundCols) {
			col = roundCols[r.Round-1]
		}
		rep.Warnings = append(rep.Warnings, Problem{Row: im.seen[r.NationalID], Column: cols[col], Rule: r.Rule,
			Message: fmt.Sprintf("%s %d ngày làm việc; đã ghi nhận như sự việc đã xảy ra.", label, r.Days)})
	}
	return nil
}
