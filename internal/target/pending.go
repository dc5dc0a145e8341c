package target

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"ptdv/internal/auth"
	"ptdv/internal/vn"
)

// DecidedNotAdmitted counts the admissions of a unit's subtree that are decided but not yet held: cases
// whose admission decision is dated from `from` through asOf and which, on asOf, have no ceremony
// recorded and are still open ("đã có quyết định, chưa kết nạp"). Progress.Admitted counts an
// admission once its ceremony is recorded (by its decision date), so these are the decisions it does
// not count yet; an office whose history has decisions without ceremonies sees them here, not nowhere.
//
// Like the admissions, the count follows the tree as it was: a case counts for the unit that held its
// cell on the decision date, or a unit merged into it (whole). The unit must be in the actor's scope
// today; the cases are read through the actor's scope (row-level security follows a case's cell today).
func DecidedNotAdmitted(ctx context.Context, db bun.IDB, unitID int64, from, asOf time.Time) (int, error) {
	if err := auth.CheckUnits(ctx, db, unitID); err != nil {
		return 0, err
	}
	from, asOf = vn.Day(from), vn.Day(asOf)
	var n int
	err := db.NewRaw(`
		WITH RECURSIVE lin(id) AS (
			SELECT ?0::bigint
			UNION
			SELECT g.predecessor_id FROM org_lineage g JOIN lin ON g.successor_id = lin.id
			WHERE NOT EXISTS (SELECT 1 FROM org_lineage o WHERE o.predecessor_id = g.predecessor_id AND o.successor_id <> g.successor_id)),
		cells AS (
			SELECT l.unit_id, l.valid_from, l.valid_to FROM lin JOIN org_link l ON l.path ~ ('*.' || lin.id || '.*')::lquery
			WHERE l.valid_from <= ?2 AND (l.valid_to IS NULL OR l.valid_to > ?1))
		SELECT count(DISTINCT c.id) FROM cells l
		JOIN candidate_case c ON c.cell_id = l.unit_id
			AND c.decision_on BETWEEN ?1 AND ?2 AND l.valid_from <= c.decision_on AND (l.valid_to IS NULL OR l.valid_to > c.decision_on)
		WHERE (c.ceremony_on IS NULL OR c.ceremony_on > ?2) AND (c.closed_on IS NULL OR c.closed_on > ?2)`,
		unitID, from, asOf).Scan(ctx, &n)
	if err != nil {
		return 0, fmt.Errorf("target: decided not admitted: %w", err)
	}
	return n, nil
}
