// Package audit writes the audit trail: one row per mutation, in the mutation's own transaction, with
// the actor, the entity and its state before and after. The application role may only insert and read
// audit rows (see migration 0001).
package audit

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/uptrace/bun"

	"ptdv/internal/auth"
)

// Record writes one audit row. before and after are marshalled to JSON; nil means "none"
// (a creation has no before, a removal no after).
func Record(ctx context.Context, db bun.IDB, action, entity, entityID string, before, after any) error {
	a, err := auth.FromContext(ctx)
	if err != nil {
		return err
	}
	b, err := toJSON(before)
	if err != nil {
		return err
	}
	af, err := toJSON(after)
	if err != nil {
		return err
	}
	_, err = db.NewRaw(`INSERT INTO audit_log (actor, actor_role, request_id, action, entity, entity_id, before, after)
		VALUES (?, ?, ?, ?, ?, ?, ?::jsonb, ?::jsonb)`,
		a.Subject, string(a.Role), a.RequestID, action, entity, entityID, b, af).Exec(ctx)
	if err != nil {
		return fmt.Errorf("write audit row: %w", err)
	}
	return nil
}

func toJSON(v any) (*string, error) {
	if v == nil {
		return nil, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("audit: marshal: %w", err)
	}
	s := string(b)
	return &s, nil
}
