package member

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"ptdv/internal/apperr"
	"ptdv/internal/auth"
	"ptdv/internal/byid"
	"ptdv/internal/codes"
	"ptdv/internal/db"
	"ptdv/internal/people"
)

// Check is Record's verdict on one more event of a person recorded in the same bulk write (their
// records belong to p.UnitID from the start, and history holds the events checked before this one); it
// reads and writes nothing. A bulk import checks each event with it and writes them with WriteNew.
func Check(p people.Person, history []Event, e Event, rules map[string]Rule, set *codes.Set) (Event, error) {
	e, err := normalize(e)
	if err != nil {
		return e, err
	}
	if e.ToUnitID != nil {
		return e, apperr.Invalid("to_unit_id", "Chuyển sinh hoạt chính thức ghi từng người một.", "a bulk write takes no transfer destination")
	}
	if e.UnitID != 0 && e.UnitID != p.UnitID {
		return e, apperr.Invalid("unit_id", "Đơn vị của sự kiện phải là đơn vị quản lý hồ sơ của người này vào ngày hiệu lực; hãy chuyển hồ sơ trước.",
			fmt.Sprintf("the event's unit %d is not the person's unit %d", e.UnitID, p.UnitID))
	}
	e.PersonID, e.UnitID = p.ID, p.UnitID
	e.ID = 1<<62 - 1 // sorts after the earlier events of the same day, as in Record
	if err := checkSequence(p, append(slices.Clone(history), e), e.ID, rules, set); err != nil {
		return e, err
	}
	e.ID = 0
	return e, nil
}

// NewHistory is the membership events (passed by Check, in order) of a person recorded in the same bulk
// write, whose records belong to UnitID from Since.
type NewHistory struct {
	PersonID, UnitID int64
	Since            time.Time
	Events           []Event
}

// WriteNew writes the events of new persons and their status spans in a few statements. The audit row
// is the caller's (a bulk import writes one per imported row). Every unit must be in the actor's scope.
func WriteNew(ctx context.Context, tx db.BulkTx, hs []NewHistory) error {
	a, err := actor(ctx, true)
	if err != nil {
		return err
	}
	var units []int64
	n := 0
	for _, h := range hs {
		units = append(units, h.UnitID)
		n += len(h.Events)
	}
	if n == 0 {
		return nil
	}
	if err := auth.CheckUnits(ctx, tx, units...); err != nil {
		return err
	}
	ids, err := db.NextIDs(ctx, tx, "member_event", n)
	if err != nil {
		return err
	}
	now := time.Now()
	var (
		evIDs, persons, evUnits       []int64
		kinds, docs, notes, recorders []string
		effs                          []time.Time
		decisions                     []*time.Time
		spPersons, spUnits            []int64
		spStatuses                    []string
		spFroms                       []time.Time
		spGrades                      []*string
		spTos                         []*time.Time
	)
	for _, h := range hs {
		for i := range h.Events {
			e := &h.Events[i]
			e.ID, e.PersonID, e.UnitID, e.RecordedBy, e.RecordedAt = ids[len(evIDs)], h.PersonID, h.UnitID, a.Subject, now
			evIDs, persons, evUnits = append(evIDs, e.ID), append(persons, h.PersonID), append(evUnits, h.UnitID)
			kinds, effs, docs, notes = append(kinds, e.Kind), append(effs, e.Effective), append(docs, e.Document), append(notes, e.Note)
			decisions, recorders = append(decisions, e.DecisionDate), append(recorders, a.Subject)
		}
		for _, s := range buildSpans(h.PersonID, sortEvents(h.Events), []unitRow{{UnitID: h.UnitID, ValidFrom: h.Since}}) {
			spPersons, spUnits, spStatuses, spFroms = append(spPersons, s.PersonID), append(spUnits, s.UnitID), append(spStatuses, s.Status),
				append(spFroms, s.ValidFrom)
			spGrades, spTos = append(spGrades, db.NullText(s.Grade)), append(spTos, s.ValidTo)
		}
	}
	stamps := make([]time.Time, len(evIDs))
	for i := range stamps {
		stamps[i] = now
	}
	err = db.InsertRows(ctx, tx, "member_event",
		db.Column{Name: "id", Values: evIDs}, db.Column{Name: "person_id", Values: persons},
		db.Column{Name: "unit_id", Values: evUnits}, db.Column{Name: "kind", Values: kinds},
		db.Column{Name: "effective", Values: effs}, db.Column{Name: "decision_date", Values: decisions},
		db.Column{Name: "document", Values: docs}, db.Column{Name: "note", Values: notes},
		db.Column{Name: "recorded_by", Values: recorders}, db.Column{Name: "recorded_at", Values: stamps})
	if err != nil {
		return err
	}
	if len(spPersons) > 0 {
		err = db.InsertRows(ctx, tx, "member_status_span",
			db.Column{Name: "person_id", Values: spPersons}, db.Column{Name: "unit_id", Values: spUnits},
			db.Column{Name: "status", Values: spStatuses}, db.Column{Name: "grade", Values: spGrades},
			db.Column{Name: "valid_from", Values: spFroms}, db.Column{Name: "valid_to", Values: spTos})
		if err != nil {
			return err
		}
	}
	return nil
}

// SpansOf returns the status spans of many persons at once, by person: those of ids in the actor's
// scope (a bulk import's sponsors).
func SpansOf(ctx context.Context, idb bun.IDB, ids []int64) (map[int64][]Span, error) {
	in, err := inScope(ctx, idb, ids)
	if err != nil {
		return nil, err
	}
	var spans []Span
	err = idb.NewRaw(`SELECT person_id, unit_id, status, coalesce(grade, '') AS grade, valid_from, valid_to
		FROM member_status_span WHERE person_id = ANY(?::bigint[]) ORDER BY person_id, valid_from`, pgdialect.Array(in)).Scan(ctx, &spans)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("member: spans: %w", err)
	}
	return byid.Group(spans, func(s Span) int64 { return s.PersonID }), nil
}

// inScope returns the ids of the persons among ids that the actor may read.
func inScope(ctx context.Context, idb bun.IDB, ids []int64) ([]int64, error) {
	if _, err := actor(ctx, false); err != nil {
		return nil, err
	}
	ps, err := people.Get(ctx, idb, ids)
	if err != nil {
		return nil, err
	}
	in := make([]int64, 0, len(ps))
	for id := range ps {
		in = append(in, id)
	}
	return in, nil
}
