package bulk

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"ptdv/internal/apperr"
	"ptdv/internal/pipeline"
	"ptdv/internal/vn"
)

// step is one stage a candidate row may carry: the column of its date, whether the case has it
// already (and on which date), and the move that records it.
type step struct {
	col  string
	have func(c pipeline.Case) *time.Time
	move func(im *importer, r *record, c pipeline.Case, on time.Time) pipeline.Step
}

func doc(r *record, on time.Time, numberCol string) pipeline.Doc {
	d := pipeline.Doc{Effective: on, Number: r.text(numberCol), Note: "Nhập từ tệp."}
	if d.Number != "" {
		d.Date = &on
	}
	return d
}

func votes(r *record, forCol, eligibleCol string) pipeline.Votes {
	var v pipeline.Votes
	if n := r.count(forCol); n != nil {
		v.For = *n
	}
	if n := r.count(eligibleCol); n != nil {
		v.Eligible = *n
	}
	return v
}

var candidateSteps = slices.Concat([]step{
	{col: "certificate", have: func(c pipeline.Case) *time.Time { return c.CertificateOn },
		move: func(im *importer, r *record, c pipeline.Case, on time.Time) pipeline.Step {
			return pipeline.Certificate(doc(r, on, "certificate_no"))
		}},
	{col: "dossier", have: func(c pipeline.Case) *time.Time { return c.DossierOn },
		move: func(im *importer, r *record, c pipeline.Case, on time.Time) pipeline.Step {
			// The papers' own dates when the row has them, else the dossier's.
			paper := func(col string) time.Time {
				if d := r.date(col); d != nil {
					return *d
				}
				return on
			}
			in := pipeline.DossierInput{Doc: pipeline.Doc{Effective: on, Note: "Nhập từ tệp."},
				ApplicationOn: paper("application"), BiographyOn: paper("biography"), CommentsOn: paper("comments"),
				BackgroundCheckOn: paper("background_check")}
			for _, s := range [][3]string{{"sponsor1", "sponsor1_since", "sponsor1_letter"}, {"sponsor2", "sponsor2_since", "sponsor2_letter"}} {
				if r.text(s[0]) == "" {
					continue
				}
				since := r.date(s[1])
				if since == nil {
					r.invalid(s[1], "Cần ngày người giới thiệu bắt đầu cùng công tác, học tập với người vào Đảng.")
					return pipeline.Step{}
				}
				if l := r.date(s[2]); l != nil && l.After(on) {
					r.invalid(s[2], "Giấy giới thiệu (mẫu 3-KNĐ) không được sau ngày hoàn thiện hồ sơ.")
					return pipeline.Step{}
				}
				in.Sponsors = append(in.Sponsors, pipeline.SponsorInput{PersonID: im.ids[r.nationalIDQuiet(s[0])], KnownSince: *since, LetterOn: paper(s[2])})
			}
			if no := r.text("youth_resolution"); no != "" {
				in.YouthUnionResolution = &pipeline.Doc{Effective: on, Number: no, Date: &on}
			}
			return pipeline.Dossier(in)
		}},
	{col: "cell_res", have: func(c pipeline.Case) *time.Time { return c.CellResolutionOn },
		move: func(im *importer, r *record, c pipeline.Case, on time.Time) pipeline.Step {
			return pipeline.CellVote(doc(r, on, "cell_res_no"), votes(r, "cell_for", "cell_eligible"))
		}},
	{col: "committee_res", have: func(c pipeline.Case) *time.Time { return c.CommitteeResolutionOn },
		move: func(im *importer, r *record, c pipeline.Case, on time.Time) pipeline.Step {
			return pipeline.CommitteeVote(doc(r, on, "committee_res_no"), votes(r, "committee_for", "committee_eligible"))
		}},
	// The extension of the decision deadline: after the committee's resolution, or before it when the
	// row dates it so (replay puts it in its place).
	{col: "extension", have: func(c pipeline.Case) *time.Time { return c.DecisionExtendedOn },
		move: func(im *importer, r *record, c pipeline.Case, on time.Time) pipeline.Step {
			return pipeline.Extension(doc(r, on, "extension_no"))
		}},
	{col: "decision", have: func(c pipeline.Case) *time.Time { return c.DecisionOn },
		move: func(im *importer, r *record, c pipeline.Case, on time.Time) pipeline.Step {
			return pipeline.Decision(doc(r, on, "decision_no"))
		}},
	{col: "ceremony", have: func(c pipeline.Case) *time.Time { return c.CeremonyOn },
		move: func(im *importer, r *record, c pipeline.Case, on time.Time) pipeline.Step {
			return pipeline.Ceremony(pipeline.Doc{Effective: on, Note: "Nhập từ tệp."})
		}},
}, roundSteps(), []step{
	// The helper (11-KNĐ): assigned on its date, among the stages (replay puts it in its place).
	{col: "helper_since", have: func(c pipeline.Case) *time.Time { return c.HelperSince },
		move: func(im *importer, r *record, c pipeline.Case, on time.Time) pipeline.Step {
			return pipeline.Helper(im.ids[r.nationalIDQuiet("helper")], pipeline.Doc{Effective: on, Note: "Nhập từ tệp."})
		}},
	{col: "left", have: func(c pipeline.Case) *time.Time {
		if c.Stage == pipeline.StageLeft || c.Stage == pipeline.StageRemoved {
			return c.ClosedOn
		}
		return nil
	},
		move: func(im *importer, r *record, c pipeline.Case, on time.Time) pipeline.Step {
			reason := r.code(im.match, "leave_reason", "left_reason")
			if c.Stage == pipeline.StageProbation {
				return pipeline.Removal(doc(r, on, "left_no"), reason)
			}
			return pipeline.Leaving(doc(r, on, "left_no"), reason)
		}},
})

// floating are the steps a case may take at any of several stages: the extension of the decision deadline
// (after the cell's resolution, before or after the committee's) and the helper's assignment.
var floating = []string{"extension", "helper_since"}

// stepsOf is the order of a row's stages: candidateSteps, each floating step with a date placed before
// the first stage the row dates after it (stages dated the same day first).
func stepsOf(r *record) []step {
	var fixed, out []step
	var float []step
	for _, s := range candidateSteps {
		if slices.Contains(floating, s.col) {
			if r.date(s.col) != nil {
				float = append(float, s)
			}
			continue
		}
		fixed = append(fixed, s)
	}
	if len(float) == 0 {
		return candidateSteps
	}
	for _, s := range fixed {
		if on := r.date(s.col); on != nil {
			float = slices.DeleteFunc(float, func(f step) bool {
				if r.date(f.col).Before(*on) {
					out = append(out, f)
					return true
				}
				return false
			})
		}
		out = append(out, s)
	}
	return append(out, float...)
}

// roundSteps are the recognition's rounds, one step a round the layout carries (roundCols), each
// replayed through the recognition's own move: a round that does not pass keeps the probation and
// counts as a round, and the next round's columns record the next vote. A round is recorded on the case
// when the case has voted that many rounds; its day is the round's own (Case.VoteDays).
func roundSteps() []step {
	steps := make([]step, len(roundCols))
	for i, col := range roundCols {
		steps[i] = step{col: col, have: func(c pipeline.Case) *time.Time {
			if len(c.VoteDays) > i {
				return &c.VoteDays[i]
			}
			return nil
		},
			move: func(im *importer, r *record, c pipeline.Case, on time.Time) pipeline.Step {
				return pipeline.Recognition(doc(r, on, col+"_no"), votes(r, col+"_for", col+"_eligible"))
			}}
	}
	return steps
}

// lastRound is the column of the last recognition round a row carries ("" without one).
func lastRound(r *record) string {
	for i := len(roundCols) - 1; i >= 0; i-- {
		if r.day(roundCols[i]) != nil {
			return roundCols[i]
		}
	}
	return ""
}

// applyCandidate records the person, opens the case (or finds it) and moves it through every stage the
// row carries that the case has not recorded yet, in order, with the pipeline's own moves.
func (im *importer) applyCandidate(ctx context.Context, r *record) (int, error) {
	listed := *r.date("listed")
	id, isNew, err := im.person(ctx, r, listed)
	if err != nil {
		if errors.Is(err, errRow) {
			return 0, nil
		}
		return 0, r.failErr("nid", err)
	}
	var c pipeline.Case
	if caseID, ok := im.cases[id]; ok {
		if c, err = pipeline.GetOne(ctx, im.tx, caseID); err != nil {
			return 0, r.failErr("nid", err)
		}
	}
	changed := r.fixed
	if c.ID == 0 || !c.ListedOn.Equal(listed) {
		if c.ID != 0 && c.Open() {
			r.fail("listed", apperr.Conflict, "", fmt.Sprintf("Người này đang có hồ sơ vào danh sách nguồn ngày %s.", vn.Date(c.ListedOn)))
			return 0, nil
		}
		c, err = pipeline.Open(ctx, im.tx, im.opening(r, id))
		if err != nil {
			return 0, r.failErr("listed", err)
		}
		cacheIn(im, im.cases, id, c.ID)
		changed = true
	}
	moved, err := im.replay(r, c, func(s pipeline.Step) (pipeline.Case, error) {
		var err error
		c, err = pipeline.Apply(ctx, im.tx, c.ID, c.Version, s)
		return c, err
	})
	if err != nil || len(r.probs) > 0 {
		return 0, err
	}
	return outcome(isNew, changed || moved), nil
}

func (im *importer) opening(r *record, personID int64) pipeline.OpenInput {
	return pipeline.OpenInput{PersonID: personID, CellID: im.cells[r.text("cell")], Proposer: r.code(im.match, "proposer", "proposer"),
		Doc: pipeline.Doc{Effective: *r.date("listed"), Note: "Nhập từ tệp."}}
}

// replay moves case c through every stage the row carries that c has not recorded yet, in order, each
// move run by apply (on the database, or on a batch's draft); it reports whether it moved the case. A
// refused move is a problem of the row (an error is returned only when the database failed).
func (im *importer) replay(r *record, c pipeline.Case, apply func(pipeline.Step) (pipeline.Case, error)) (bool, error) {
	moved := false
	for _, s := range stepsOf(r) {
		on := r.date(s.col)
		if on == nil {
			continue
		}
		if have := s.have(c); have != nil {
			if !have.Equal(*on) {
				r.fail(s.col, apperr.Conflict, "", fmt.Sprintf("Khác ngày đã ghi trong hệ thống (%s).", vn.Date(*have)))
				return false, nil
			}
			continue
		}
		st := s.move(im, r, c, *on)
		if len(r.probs) > 0 {
			return false, nil
		}
		// A recognition round that does not pass is recorded as the API records it (a round counted, the
		// probation going on), whether or not the row carries what followed: the API holds a case in
		// exactly that state between two rounds, so a file of that day is a fact like any other.
		next, err := apply(st)
		if err != nil {
			return false, r.failErr(s.col, err)
		}
		c, moved = next, true
	}
	return moved, nil
}
