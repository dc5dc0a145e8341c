package bulk

import (
	"context"

	"ptdv/internal/apperr"
	"ptdv/internal/db"
	"ptdv/internal/people"
	"ptdv/internal/pipeline"
)

// chunk is how many new candidates are checked in memory and then written together: large enough that
// a statement's cost is spread over many rows, small enough to keep a chunk's rows and SQL text small.
var chunk = 5000

// newCandidates records the rows of persons not recorded yet, whose sponsors are recorded, through the
// batch path: each row is checked in memory by the pipeline's own rules (people.Prepare, a
// pipeline.Batch replaying the listing and every stage the row carries), and the good rows of a chunk
// are written in a few statements. It returns the rows left for the one-by-one path.
func (im *importer) newCandidates(ctx context.Context, rows []*record, rep *Report) ([]*record, error) {
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
	personIDs, err := db.NextIDs(ctx, im.tx, "person", len(fresh))
	if err != nil {
		return nil, err
	}
	caseIDs, err := db.NextIDs(ctx, im.tx, "candidate_case", len(fresh))
	if err != nil {
		return nil, err
	}
	var cells, sponsors []int64
	for _, r := range fresh {
		cells = append(cells, im.cells[r.text("cell")])
		for _, k := range []string{"sponsor1", "sponsor2"} {
			if r.text(k) != "" {
				sponsors = append(sponsors, im.ids[r.nationalIDQuiet(k)])
			}
		}
	}
	b, err := pipeline.NewBatch(ctx, im.tx, cells, sponsors)
	if err != nil {
		return nil, err
	}
	// One goroutine writes a chunk while the next is checked: the two take about as long as each other,
	// on two cores. Only the writer uses the transaction until it is done.
	writes := make(chan func() error, 1)
	done := make(chan error, 1)
	go func() {
		var err error
		for w := range writes {
			if err == nil {
				err = w()
			}
		}
		done <- err
	}()
	for start := 0; start < len(fresh); start += chunk {
		end := min(start+chunk, len(fresh))
		persons, err := im.checkChunk(b, fresh[start:end], personIDs[start:end], caseIDs[start:end])
		if err != nil {
			close(writes)
			<-done
			return nil, err
		}
		drafts := b.Flush()
		writes <- func() error {
			if err := people.WriteNew(ctx, im.bulk, persons); err != nil {
				return err
			}
			return pipeline.WriteDrafts(ctx, im.bulk, drafts)
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
	return rest, nil
}

// batchable: a new person whose sponsors, if any, were recorded before the import.
func (im *importer) batchable(r *record) bool {
	if im.oneByOne {
		return false
	}
	if _, ok := im.ids[r.nationalIDQuiet("nid")]; ok {
		return false
	}
	for _, k := range []string{"sponsor1", "sponsor2"} {
		if r.text(k) == "" {
			continue
		}
		if _, ok := im.ids[r.nationalIDQuiet(k)]; !ok {
			return false
		}
	}
	return true
}

// checkChunk checks rows in memory and keeps the good ones in the batch; it returns their persons.
func (im *importer) checkChunk(b *pipeline.Batch, rows []*record, personIDs, caseIDs []int64) ([]people.Prepared, error) {
	var persons []people.Prepared
	for i, r := range rows {
		p, err := people.Prepare(im.set, im.newPerson(r, *r.date("listed")))
		if err != nil {
			if err := r.failErr("nid", err); err != nil {
				return nil, err
			}
			continue
		}
		p.Person.ID = personIDs[i]
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

// auditInput is what the audit row keeps of a row: its number and its cells, national IDs masked.
func (r *record) auditInput() map[string]any {
	cells := make(map[string]string, len(r.cells))
	for k, v := range r.cells {
		if v == "" {
			continue
		}
		if k == "nid" || k == "sponsor1" || k == "sponsor2" {
			v = people.Person{NationalID: r.nationalIDQuiet(k)}.MaskedNationalID()
		}
		cells[k] = v
	}
	return map[string]any{"row": r.n, "cells": cells}
}
