package graph

import (
	"context"
	"strings"

	"github.com/uptrace/bun"

	"ptdv/graph/model"
	"ptdv/internal/codes"
	"ptdv/internal/pipeline"
	"ptdv/internal/vn"
)

func str(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func optStr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// codeItem returns the entry of a code list through the request's cached set.
func codeItem(ctx context.Context, list, code string) (*codes.Item, error) {
	set, err := loadersFor(ctx).codes()
	if err != nil {
		return nil, err
	}
	it, ok := set.Item(list, code)
	if !ok { // a code retired from the list still shows, with its code as label
		it = codes.Item{List: list, Code: code, LabelVI: code}
	}
	return &it, nil
}

func optCodeItem(ctx context.Context, list, code string) (*codes.Item, error) {
	if code == "" {
		return nil, nil
	}
	return codeItem(ctx, list, code)
}

func memberStatusEnum(s string) model.MemberStatus {
	if s == "temporary_out" {
		return model.MemberStatusTemporarilyAway
	}
	return enumOf[model.MemberStatus](s)
}

func caseDoc(in *model.CaseDocumentInput) pipeline.Doc {
	d := pipeline.Doc{Effective: in.Effective.Time(), Form: str(in.Form), Number: str(in.Number), Note: str(in.Note)}
	if in.Date != nil {
		t := in.Date.Time()
		d.Date = &t
	}
	return d
}

func casePayload(c pipeline.Case, err error) (*model.CandidatePayload, error) {
	if err != nil {
		return nil, err
	}
	w := c.Warnings
	if w == nil {
		w = []string{}
	}
	return &model.CandidatePayload{Candidate: &c, Warnings: w}, nil
}

func (r *mutationResolver) docMove(ctx context.Context, in model.CaseMoveInput,
	fn func(context.Context, bun.IDB, int64, int, pipeline.Doc) (pipeline.Case, error)) (*model.CandidatePayload, error) {
	id, err := idOf("candidateId", typeCandidate, in.CandidateID)
	if err != nil {
		return nil, err
	}
	return casePayload(fn(ctx, r.db(ctx), id, in.Version, caseDoc(in.Document)))
}

func (r *mutationResolver) voteMove(ctx context.Context, in model.CaseVoteInput,
	fn func(context.Context, bun.IDB, int64, int, pipeline.Doc, pipeline.Votes) (pipeline.Case, error)) (*model.CandidatePayload, error) {
	id, err := idOf("candidateId", typeCandidate, in.CandidateID)
	if err != nil {
		return nil, err
	}
	return casePayload(fn(ctx, r.db(ctx), id, in.Version, caseDoc(in.Document), pipeline.Votes{For: in.Votes.For, Eligible: in.Votes.Eligible}))
}

func (r *mutationResolver) closeMove(ctx context.Context, in model.CaseCloseInput,
	fn func(context.Context, bun.IDB, int64, int, pipeline.Doc, string) (pipeline.Case, error)) (*model.CandidatePayload, error) {
	id, err := idOf("candidateId", typeCandidate, in.CandidateID)
	if err != nil {
		return nil, err
	}
	return casePayload(fn(ctx, r.db(ctx), id, in.Version, caseDoc(in.Document), in.Reason))
}

func candidateFilter(in *model.CandidateFilter) (pipeline.Filter, error) {
	var f pipeline.Filter
	if in == nil {
		return f, nil
	}
	var err error
	if f.UnitID, err = optID("unitId", typeUnit, in.UnitID); err != nil {
		return f, err
	}
	if f.HelperID, err = optID("helperId", typePerson, in.HelperID); err != nil {
		return f, err
	}
	if f.ResponsibleID, err = optID("responsibleId", typePerson, in.ResponsibleID); err != nil {
		return f, err
	}
	for _, s := range in.Stages {
		f.Stages = append(f.Stages, strings.ToLower(string(s)))
	}
	if in.Overdue != nil && *in.Overdue {
		t := vn.Today()
		f.OverdueOn = &t
	}
	f.Text, f.Sex, f.Ethnicity, f.Proposer = str(in.Text), str(optCode(in.Sex)), str(in.Ethnicity), str(in.Proposer)
	f.Minority, f.YouthUnion = in.Minority, in.YouthUnion
	return f, nil
}
