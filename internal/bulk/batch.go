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
const chunk = 5000

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
	for len(fresh) > 0 {
		n := min(chunk, len(fresh))
		if err := im.candidateChunk(ctx, fresh[:n], rep); err != nil {
			return nil, err
		}
		fresh = fresh[n:]
	}
	return rest, nil
}

// batchable: a new person whose sponsors, if any, were recorded before the import.
func (im *importer) batchable(r *record) bool {
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

func (im *importer) candidateChunk(ctx context.Context, rows []*record, rep *Report) error {
	personIDs, err := db.NextIDs(ctx, im.tx, "person", len(rows))
	if err != nil {
		return err
	}
	caseIDs, err := db.NextIDs(ctx, im.tx, "candidate_case", len(rows))
	if err != nil {
		return err
	}
	var cells, sponsors []int64
	for _, r := range rows {
		cells = append(cells, im.cells[r.text("cell")])
		for _, k := range []string{"sponsor1", "sponsor2"} {
			if r.text(k) != "" {
				sponsors = append(sponsors, im.ids[r.nationalIDQuiet(k)])
			}
		}
	}
	b, err := pipeline.NewBatch(ctx, im.tx, cells, sponsors)
	if err != nil {
		return err
	}
	var persons []people.Prepared
	var kept []*record
	for i, r := range rows {
		p, err := people.Prepare(im.set, im.newPerson(r, *r.date("listed")))
		if err != nil {
			if err := r.failErr("nid", err); err != nil {
				return err
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
				return err
			}
			continue
		}
		if _, err := im.replay(r, d.Case, func(s pipeline.Step) (pipeline.Case, error) {
			err := d.Apply(s)
			return d.Case, err
		}); err != nil {
			return err
		}
		if len(r.probs) > 0 {
			continue
		}
		b.Keep(d)
		persons = append(persons, p)
		kept = append(kept, r)
	}
	if err := people.WriteNew(ctx, im.tx, persons); err != nil {
		return err
	}
	if err := b.Write(ctx, im.tx); err != nil {
		return err
	}
	for i, r := range kept {
		im.ids[r.nationalIDQuiet("nid")] = persons[i].Person.ID
	}
	rep.Created += len(kept)
	return nil
}
