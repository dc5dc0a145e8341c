package bulk

import (
	"context"
	"slices"
	"time"

	"ptdv/internal/member"
	"ptdv/internal/people"
	"ptdv/internal/pipeline"
)

// settled counts as unchanged, without a write or a savepoint, the rows of recorded persons that add
// nothing: the person is in the actor's scope and every stage (or member event) the row carries is
// recorded already on the same date. An office sends its whole spreadsheet again each quarter; most of
// its rows are these. Persons, cases and histories are read a chunk at a time, with the API's own scoped
// reads. The rows it returns (any difference, any doubt) go through the one-by-one path, which records
// or reports them.
func (im *importer) settled(ctx context.Context, rows []*record, rep *Report) ([]*record, error) {
	var rest []*record
	for start := 0; start < len(rows); start += chunk {
		part := rows[start:min(start+chunk, len(rows))]
		personOf := make([]int64, len(part)) // 0: not recorded
		var ids, caseIDs []int64
		for i, r := range part {
			if r.fixBirth {
				continue // the birth date is corrected one by one
			}
			if id, ok := im.ids[r.nationalIDQuiet("nid")]; ok {
				personOf[i] = id
				ids = append(ids, id)
				if c, ok := im.cases[id]; ok {
					caseIDs = append(caseIDs, c)
				}
			}
		}
		if len(ids) == 0 {
			rest = append(rest, part...)
			continue
		}
		var same func(r *record, id int64) bool
		if im.kind == Members {
			hs, err := member.Histories(ctx, im.tx, ids)
			if err != nil {
				return nil, err
			}
			same = func(r *record, id int64) bool {
				h, ok := hs[id]
				_, hasCase := im.cases[id] // reconciled with the case one by one
				return ok && !hasCase && memberSettled(r, h)
			}
		} else {
			ps, err := people.Get(ctx, im.tx, ids)
			if err != nil {
				return nil, err
			}
			cs, err := pipeline.Get(ctx, im.tx, caseIDs)
			if err != nil {
				return nil, err
			}
			same = func(r *record, id int64) bool {
				c, ok := cs[im.cases[id]]
				_, inScope := ps[id]
				return ok && inScope && caseSettled(r, c)
			}
		}
		for i, r := range part {
			if id := personOf[i]; id != 0 && same(r, id) {
				rep.Unchanged++
			} else {
				rest = append(rest, r)
			}
		}
	}
	return rest, nil
}

// caseSettled: the row's listing is case c's, and c has every stage the row carries, on its date.
func caseSettled(r *record, c pipeline.Case) bool {
	if !c.ListedOn.Equal(*r.date("listed")) {
		return false
	}
	for _, s := range candidateSteps {
		if on := r.date(s.col); on != nil {
			if have := s.have(c); have == nil || !have.Equal(*on) {
				return false
			}
		}
	}
	return true
}

// memberSettled: the history has the row's admission and, if the row has one, its recognition.
func memberSettled(r *record, history []member.Event) bool {
	if !hasEvent(history, *r.date("ceremony"), member.KindAdmitted, member.KindReadmitted) {
		return false
	}
	rec := r.date("recognition")
	return rec == nil || hasEvent(history, *rec, member.KindRecognized)
}

// hasEvent: the history holds an event of one of the kinds, effective on the day.
func hasEvent(history []member.Event, on time.Time, kinds ...string) bool {
	for _, e := range history {
		if e.Effective.Equal(on) && slices.Contains(kinds, e.Kind) {
			return true
		}
	}
	return false
}
