package bulk

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"sync/atomic"
	"time"

	"ptdv/internal/apperr"
	"ptdv/internal/audit"
	"ptdv/internal/db"
	"ptdv/internal/member"
	"ptdv/internal/people"
	"ptdv/internal/pipeline"
)

// writeCount counts the batch path's chunk writes and the one-by-one path's rows, for the tests that
// show a refused file writes nothing, not even what a rollback would undo.
var writeCount atomic.Int64

// chunk is how many new persons are checked in memory and then written together: large enough that
// a statement's cost is spread over many rows, small enough to keep a chunk's rows and SQL text small.
var chunk = 5000

// batcher checks a chunk of rows of new persons (ids reserved) in memory, and returns the persons of
// the good rows and the function that writes them with everything else those rows record but their
// membership events and spans, which it returns: those of every chunk are written together at the end
// (member.WriteNew), so that the year-end rollup's trigger counts each unit and year once per import.
type batcher func(rows []*record, personIDs []int64, offset int) ([]people.Prepared, writeFunc, error)

// writeFunc writes a chunk and returns its membership histories, to be written after the last chunk.
type writeFunc func(ctx context.Context) ([]member.NewHistory, error)

// newPersons records the rows of persons not recorded yet (and, in a candidate list, whose sponsors
// are recorded) through the batch path: each row is checked in memory by the API's own rules
// (people.Prepare, then a pipeline.Batch replaying the listing and every stage a candidate row carries,
// or member.Check for a member row's events), and the good rows of a chunk are written with COPY. It
// returns the rows left for the one-by-one path. With write false the rows are only checked.
func (im *importer) newPersons(ctx context.Context, rows []*record, rep *Report, write bool) ([]*record, error) {
	var fresh, rest []*record
	for _, r := range rows {
		if im.batchable(r) {
			fresh = append(fresh, r)
		} else {
			rest = append(rest, r)
		}
	}
	if len(fresh) == 0 {
		return rest, nil
	}
	if im.kind == Candidates {
		// In the order of their listing, whatever the file's (often by name or by cell), so that the
		// cases are written in the same order whatever the file's. The members the file recognizes vote
		// on the other rows whatever their order (pipeline.Expected, from every recognition of the file).
		// Each row's day is read once, not at every comparison (2 log₂ n parses a row: 1.5 s for 100,000).
		type listed struct {
			r  *record
			on time.Time
		}
		ls := make([]listed, len(fresh))
		for i, r := range fresh {
			ls[i] = listed{r, listedOf(r)}
		}
		slices.SortStableFunc(ls, func(a, b listed) int { return a.on.Compare(b.on) })
		for i, l := range ls {
			fresh[i] = l.r
		}
	}
	personIDs, err := db.NextIDs(ctx, im.tx, "person", len(fresh))
	if err != nil {
		return nil, err
	}
	cells := make([]int64, len(fresh))
	for i, r := range fresh {
		cells[i] = im.cells[r.text("cell")]
	}
	cells = distinct(cells)
	if im.units, err = people.LoadUnits(ctx, im.tx, cells); err != nil {
		return nil, err
	}
	var check batcher
	if im.kind == Members {
		check, err = im.memberBatcher(ctx)
	} else {
		check, err = im.candidateBatcher(ctx, fresh, cells)
	}
	if err != nil {
		return nil, err
	}
	// One goroutine writes a chunk while the next is checked, on two cores. Only the writer uses the
	// transaction until it is done.
	writes := make(chan writeFunc, 1)
	done := make(chan error, 1)
	go func() {
		var err error
		var held []member.NewHistory
		for w := range writes {
			if err == nil {
				var hs []member.NewHistory
				hs, err = w(ctx)
				held = append(held, hs...)
			}
		}
		if err == nil && len(held) > 0 {
			err = member.WriteNew(ctx, im.bulk, held)
		}
		done <- err
	}()
	for start := 0; start < len(fresh); start += chunk {
		end := min(start+chunk, len(fresh))
		persons, writeRest, err := check(fresh[start:end], personIDs[start:end], start)
		if err != nil {
			close(writes)
			<-done
			return nil, err
		}
		if !write {
			continue
		}
		writes <- func(ctx context.Context) ([]member.NewHistory, error) {
			writeCount.Add(1)
			if err := people.WriteNew(ctx, im.bulk, persons); err != nil {
				return nil, err
			}
			return writeRest(ctx)
		}
		for _, p := range persons {
			im.ids[p.Person.NationalID] = p.Person.ID
		}
		rep.Created += len(persons)
	}
	close(writes)
	if err := <-done; err != nil {
		return nil, err
	}
	if write {
		// The records now hold the recognitions of the rows written, and count them.
		for _, r := range fresh {
			r.recorded()
		}
	}
	return rest, nil
}

// candidateBatcher checks candidate rows with a pipeline.Batch loaded with the cells and sponsors of
// all the rows.
func (im *importer) candidateBatcher(ctx context.Context, rows []*record, cells []int64) (batcher, error) {
	caseIDs, err := db.NextIDs(ctx, im.tx, "candidate_case", len(rows))
	if err != nil {
		return nil, err
	}
	var sponsors []int64
	for _, r := range rows {
		for _, k := range memberKeys {
			if r.text(k) != "" {
				sponsors = append(sponsors, im.ids[r.nationalIDQuiet(k)])
			}
		}
	}
	b, err := pipeline.NewBatch(ctx, im.tx, cells, distinct(sponsors))
	if err != nil {
		return nil, err
	}
	return func(rows []*record, personIDs []int64, offset int) ([]people.Prepared, writeFunc, error) {
		persons, err := im.checkCandidates(b, rows, personIDs, caseIDs[offset:offset+len(rows)])
		if err != nil {
			return nil, nil, err
		}
		drafts := b.Flush()
		return persons, func(ctx context.Context) ([]member.NewHistory, error) {
			return pipeline.WriteDraftsHeld(ctx, im.bulk, drafts)
		}, nil
	}, nil
}

// listedOf is a candidate row's listing day (zero when the row has none: it is refused anyway).
func listedOf(r *record) time.Time {
	if d := r.date("listed"); d != nil {
		return *d
	}
	return time.Time{}
}

// batchable: a new person (of a candidate or member list) whose sponsors, if any, were recorded before
// the import.
func (im *importer) batchable(r *record) bool {
	if im.oneByOne || im.kind == Units {
		return false
	}
	if _, ok := im.ids[r.nationalIDQuiet("nid")]; ok {
		return false
	}
	for _, k := range memberKeys {
		if r.text(k) == "" {
			continue
		}
		if _, ok := im.ids[r.nationalIDQuiet(k)]; !ok {
			return false
		}
	}
	return true
}

// checkCandidates checks rows in memory and keeps the good ones in the batch; it returns their persons.
func (im *importer) checkCandidates(b *pipeline.Batch, rows []*record, personIDs, caseIDs []int64) ([]people.Prepared, error) {
	var persons []people.Prepared
	for i, r := range rows {
		p, ok := im.prepare(r, *r.date("listed"), personIDs[i])
		if !ok {
			continue
		}
		b.AddPerson(p)
		d, err := b.Open(caseIDs[i], im.opening(r, p.Person.ID))
		if err != nil {
			col := "listed"
			if apperr.CodeOf(err) == apperr.NotFound { // the cell, out of scope
				col = "cell"
			}
			if err := r.failErr(col, err); err != nil {
				return nil, err
			}
			continue
		}
		if _, err := im.replay(r, d.Case, func(s pipeline.Step) (pipeline.Case, error) {
			err := d.Apply(s)
			return d.Case, err
		}); err != nil {
			return nil, err
		}
		if len(r.probs) > 0 {
			continue
		}
		if err := b.Keep(d, r.auditInput()); err != nil {
			return nil, err
		}
		persons = append(persons, p)
	}
	return persons, nil
}

// prepare checks a row's person as people.Create would (the problems go to the row, on the columns
// Create's errors name), with its reserved id.
func (im *importer) prepare(r *record, since time.Time, id int64) (people.Prepared, bool) {
	p, err := people.Prepare(im.set, im.units, im.newPerson(r, since))
	if err != nil {
		col := "nid"
		if apperr.CodeOf(err) == apperr.NotFound { // the cell, out of scope
			col = "cell"
		}
		r.failErr(col, err) // Prepare reads nothing: its errors are the row's
		return p, false
	}
	p.Person.ID = id
	return p, true
}

// memberBatcher checks member rows: the person, then the admission and recognition as member.Check
// checks them for member.Record, written with one audit row per person ("member.imported").
func (im *importer) memberBatcher(ctx context.Context) (batcher, error) {
	rules, err := member.Rules(ctx, im.tx)
	if err != nil {
		return nil, err
	}
	return func(rows []*record, personIDs []int64, _ int) ([]people.Prepared, writeFunc, error) {
		var persons []people.Prepared
		var hs []member.NewHistory
		var entries []audit.Entry
		for i, r := range rows {
			ceremony, decision := *r.date("ceremony"), *r.date("decision")
			p, ok := im.prepare(r, ceremony, personIDs[i])
			if !ok {
				continue
			}
			e, err := member.Check(p.Person, nil, member.Event{Kind: member.KindAdmitted, Effective: ceremony,
				DecisionDate: &decision, Document: r.text("decision_no")}, rules, im.set)
			if err != nil {
				r.failErr("ceremony", err)
				continue
			}
			h := member.NewHistory{PersonID: p.Person.ID, UnitID: p.Person.UnitID, Since: p.Since, Events: []member.Event{e}}
			if rec := r.date("recognition"); rec != nil {
				e, err := member.Check(p.Person, h.Events, member.Event{Kind: member.KindRecognized, Effective: *rec,
					Document: r.text("recognition_no")}, rules, im.set)
				if err != nil {
					r.failErr("recognition", err)
					continue
				}
				h.Events = append(h.Events, e)
			}
			after, err := json.Marshal(map[string]any{"input": r.auditInput(), "personId": p.Person.ID})
			if err != nil {
				return nil, nil, err
			}
			persons, hs = append(persons, p), append(hs, h)
			entries = append(entries, audit.Entry{Action: "member.imported", Entity: "person",
				EntityID: strconv.FormatInt(p.Person.ID, 10), After: json.RawMessage(after)})
		}
		return persons, func(ctx context.Context) ([]member.NewHistory, error) {
			return hs, audit.RecordMany(ctx, im.bulk, entries)
		}, nil
	}, nil
}

// auditInput is what the audit row keeps of a row: its number and its cells, national IDs masked.
func (r *record) auditInput() map[string]any {
	cells := make(map[string]string, len(r.idx))
	for k := range r.idx {
		v := r.text(k)
		if v == "" {
			continue
		}
		if k == "nid" || slices.Contains(memberKeys, k) {
			v = people.Person{NationalID: r.nationalIDQuiet(k)}.MaskedNationalID()
		}
		cells[k] = v
	}
	return map[string]any{"row": r.n, "cells": cells}
}
