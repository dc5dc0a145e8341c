package graph

import (
	"ptdv/graph/model"
	"ptdv/internal/apperr"
	"ptdv/internal/target"
)

// periodOf builds a target period from the input's kind, year, quarter or term.
func periodOf(kind model.PeriodKind, year, quarter *int, term *int64) (target.Period, error) {
	switch kind {
	case model.PeriodKindTerm:
		if term == nil {
			return target.Period{}, apperr.Invalid("termId", "Chỉ tiêu nhiệm kỳ cần chọn nhiệm kỳ.", "a term target needs termId")
		}
		return target.Period{Kind: target.PeriodTerm, TermID: term}, nil
	case model.PeriodKindYear:
		if year == nil {
			return target.Period{}, apperr.Invalid("year", "Cần năm của chỉ tiêu.", "a year target needs year")
		}
		return target.Year(*year), nil
	default:
		if year == nil || quarter == nil || *quarter < 1 || *quarter > 4 {
			return target.Period{}, apperr.Invalid("quarter", "Chỉ tiêu quý cần năm và quý (1–4).", "a quarter target needs year and quarter 1–4")
		}
		return target.Quarter(*year, *quarter), nil
	}
}

// targetValues are a target's values as setTarget and reviseTarget take them.
func targetValues(kind model.TargetKind, count *int, rate *float64, rateBase, note *string) target.Values {
	return target.Values{Kind: target.Kind(codeOf(kind)), Count: count, Rate: rate, RateBase: str(rateBase), Note: str(note)}
}

// targetPayload is the answer of setTarget and reviseTarget (t, err), as casePayload is a move's.
func targetPayload(t target.Target, err error) (*model.TargetPayload, error) {
	if err != nil {
		return nil, err
	}
	return &model.TargetPayload{Target: &t}, nil
}
