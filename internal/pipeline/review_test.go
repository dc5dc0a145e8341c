package pipeline_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"ptdv/internal/apperr"
	"ptdv/internal/pipeline"
)

// The review's ratings are the code list review_rating: a code of the list is recorded, an unknown or
// deactivated one is INVALID_INPUT naming the list's labels, and nothing is written.
func TestReviewRatingsAreACodeList(t *testing.T) {
	t.Parallel()
	w, d, ctx := newWorld(t)
	c := w.open(t, w.person(t, "Lê Văn Nguồn", "1999-04-04", w.cellA, nil), "2025-01-06")
	if err := pipeline.Review(ctx, d.App, c.ID, "2025Q1", "needs_work", "Cần giao thêm nhiệm vụ."); err != nil {
		t.Fatal(err)
	}
	err := pipeline.Review(ctx, d.App, c.ID, "2025Q2", "excellent", "")
	var e *apperr.Error
	if !errors.As(err, &e) || e.Code != apperr.InvalidInput || !strings.Contains(e.Message, "tốt, khá, cần bồi dưỡng thêm, đưa ra khỏi nguồn") {
		t.Fatalf("unknown rating: %v, want INVALID_INPUT listing the labels", err)
	}
	if _, err := d.Owner.ExecContext(context.Background(), `UPDATE code_item SET active = false WHERE list = 'review_rating' AND code = 'fair'`); err != nil {
		t.Fatal(err)
	}
	if err := pipeline.Review(ctx, d.App, c.ID, "2025Q2", "fair", ""); apperr.CodeOf(err) != apperr.InvalidInput {
		t.Fatalf("deactivated rating: %v, want INVALID_INPUT", err)
	}
	rs, err := pipeline.Reviews(ctx, d.App, c.ID)
	if err != nil || len(rs) != 1 || rs[0].Rating != "needs_work" {
		t.Fatalf("reviews = %+v, %v; want the one needs_work", rs, err)
	}
}
