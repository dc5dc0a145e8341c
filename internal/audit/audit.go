// Package audit writes the audit trail: one row per mutation, in the mutation's own transaction, with
// the actor, the entity and its state before and after. The application role may only insert and read
// audit rows (see migration 0001).
package audit

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

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

// Entry is one audit row of RecordMany.
type Entry struct {
	Action, Entity, EntityID string
	Before, After            any
}

// RecordMany writes the audit rows of a bulk write in one statement: the same rows Record would write
// one by one, for the same actor.
func RecordMany(ctx context.Context, idb bun.IDB, es []Entry) error {
	if len(es) == 0 {
		return nil
	}
	a, err := auth.FromContext(ctx)
	if err != nil {
		return err
	}
	actions, entities, ids := make([]string, len(es)), make([]string, len(es)), make([]string, len(es))
	befores, afters := make([]*string, len(es)), make([]*string, len(es))
	for i, e := range es {
		actions[i], entities[i], ids[i] = e.Action, e.Entity, e.EntityID
		if befores[i], err = toJSON(e.Before); err != nil {
			return err
		}
		if afters[i], err = toJSON(e.After); err != nil {
			return err
		}
	}
	_, err = idb.NewRaw(`INSERT INTO audit_log (actor, actor_role, request_id, action, entity, entity_id, before, after)
		SELECT ?, ?, ?, x.* FROM unnest(?::text[], ?::text[], ?::text[], ?::text[]::jsonb[], ?::text[]::jsonb[]) AS x`,
		a.Subject, string(a.Role), a.RequestID, pgdialect.Array(actions), pgdialect.Array(entities), pgdialect.Array(ids),
		pgdialect.Array(befores), pgdialect.Array(afters)).Exec(ctx)
	if err != nil {
		return fmt.Errorf("write audit rows: %w", err)
	}
	return nil
}
