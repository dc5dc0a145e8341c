package bulk

import (
	"context"
	"maps"

	"github.com/uptrace/bun/dialect/pgdialect"

	"ptdv/internal/apperr"
	"ptdv/internal/pipeline"
)

// fileVoters lists the recognitions the good rows of a candidate list record, by cell and vote date, for
// the number entitled to vote on the other rows' resolutions (pipeline.Expected): a row's last round,
// when it passes. A person recorded with a recognition already is counted by the records, not again by
// the file. The rows of exclude (refused in the pass before) are left out.
func (im *importer) fileVoters(ctx context.Context, good []*record, exclude map[int]bool) (*pipeline.FileVoters, error) {
	rules, err := pipeline.LoadRules(ctx, im.tx)
	if err != nil {
		return nil, err
	}
	var recorded []int64
	for _, r := range good {
		if id, ok := im.ids[r.nationalIDQuiet("nid")]; ok && lastRound(r) != "" {
			recorded = append(recorded, id)
		}
	}
	held := map[int64]bool{}
	if len(recorded) > 0 {
		var ids []int64
		if err := im.tx.NewRaw(`SELECT DISTINCT person_id FROM member_event WHERE kind = 'recognized' AND person_id = ANY(?::bigint[])`,
			pgdialect.Array(recorded)).Scan(ctx, &ids); err != nil && !isNoRows(err) {
			return nil, err
		}
		for _, id := range ids {
			held[id] = true
		}
	}
	v := pipeline.NewFileVoters()
	for _, r := range good {
		col := lastRound(r)
		if col == "" {
			continue
		}
		if id, ok := im.ids[r.nationalIDQuiet("nid")]; ok && held[id] {
			continue
		}
		votes := votes(r, col+"_for", col+"_eligible")
		if !rules.Passes(pipeline.RuleRecognitionVote, votes.For, votes.Eligible) {
			continue
		}
		r.recognizes = true
		if !exclude[r.n] {
			r.recog = v.Add(im.cells[r.text("cell")], *r.day(col))
		}
	}
	return v, nil
}

// recorded marks a written row's recognition as held by the records, which count it from then on.
func (r *record) recorded() {
	if r.recog != nil && len(r.probs) == 0 {
		r.recog.Recorded = true
	}
}

// recheck ends a pass that skipped bad rows whose recognitions it counted among the voters (or left out
// the recognitions of rows it wrote): errRecheck rolls it back for another pass, and after the last pass
// the file is refused. Otherwise the recognitions counted are those of the rows written.
func (im *importer) recheck(recs []*record, exclude map[int]bool, last bool) error {
	refused := map[int]bool{}
	for _, r := range recs {
		if r.recognizes && len(r.probs) > 0 {
			refused[r.n] = true
		}
	}
	if len(refused) == 0 && len(exclude) == 0 || maps.Equal(refused, exclude) {
		return nil
	}
	if last {
		return apperr.New(apperr.Conflict,
			"Số đảng viên chính thức có quyền biểu quyết của một số dòng phụ thuộc vào những dòng công nhận đảng viên chính thức bị lỗi, và sau nhiều lần kiểm tra lại vẫn chưa thống nhất: hãy sửa các dòng lỗi rồi nhập lại cả tệp. Không dòng nào được ghi.",
			"the voters counted by some rows depend on refused recognitions and did not settle after re-checking; nothing was written")
	}
	return errRecheck
}
