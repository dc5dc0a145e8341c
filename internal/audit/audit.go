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
	"ptdv/internal/db"
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
	if raw, ok := v.(json.RawMessage); ok { // marshalled by the caller (a bulk write, ahead of its COPY)
		s := string(raw)
		return &s, nil
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

// RecordMany writes the audit rows of a bulk write in one COPY: rows like Record's, for the same actor.
func RecordMany(ctx context.Context, tx db.BulkTx, es []Entry) error {
	if len(es) == 0 {
		return nil
	}
	a, err := auth.FromContext(ctx)
	if err != nil {
		return err
	}
	n := len(es)
	actors, roles, requests := make([]string, n), make([]string, n), make([]string, n)
	actions, entities, ids := make([]string, n), make([]string, n), make([]string, n)
	befores, afters := make([]*string, n), make([]*string, n)
	for i, e := range es {
		actors[i], roles[i], requests[i] = a.Subject, string(a.Role), a.RequestID
		actions[i], entities[i], ids[i] = e.Action, e.Entity, e.EntityID
		if befores[i], err = toJSON(e.Before); err != nil {
			return err
		}
		if afters[i], err = toJSON(e.After); err != nil {
			return err
		}
	}
	return db.InsertRows(ctx, tx, "audit_log",
		db.Column{Name: "actor", Values: actors}, db.Column{Name: "actor_role", Values: roles},
		db.Column{Name: "request_id", Values: requests}, db.Column{Name: "action", Values: actions},
		db.Column{Name: "entity", Values: entities}, db.Column{Name: "entity_id", Values: ids},
		db.Column{Name: "before", Values: befores}, db.Column{Name: "after", Values: afters})
}
