package sample

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"ptdv/internal/org"
	"ptdv/internal/page"
	"ptdv/internal/target"
)

// loadTargets records terms and admission targets through the target API, once: Quỳnh Phụ's term
// target of the seeds (750 for 2020–2025), and for each province today a 2025–2030 term with its
// term target and a target for the current year handed down to its committees — on purpose not
// quite adding up, so the hand-down warning shows.
func loadTargets(ctx context.Context, db bun.IDB, today time.Time) error {
	var done bool
	if err := db.NewRaw(`SELECT EXISTS (SELECT 1 FROM term WHERE recorded_by = ?)`, Subject).Scan(ctx, &done); err != nil || done {
		return err
	}
	day := func(s string) time.Time { t, _ := time.Parse(time.DateOnly, s); return t }
	qp, err := org.GetByCode(ctx, db, "TB.H-QUYNHPHU", day("2024-01-01"))
	if err != nil {
		return err
	}
	term, err := target.CreateTerm(ctx, db, target.NewTerm{UnitID: qp.ID, Name: "Nhiệm kỳ 2020–2025", StartsOn: day("2020-07-10"),
		EndsOn: day("2025-06-30"), CongressDocument: "Nghị quyết Đại hội Đảng bộ huyện Quỳnh Phụ lần thứ XXVII"})
	if err != nil {
		return fmt.Errorf("demo: Quỳnh Phụ term: %w", err)
	}
	if _, err := target.CreateTarget(ctx, db, target.NewTarget{UnitID: qp.ID, Measure: target.MeasureAdmissions,
		Period: term.Period(), Values: target.Values{Kind: target.KindCount, Count: ptrInt(750), Note: "Kết nạp 750 đảng viên, bình quân 150 mỗi năm"}}); err != nil {
		return fmt.Errorf("demo: Quỳnh Phụ target: %w", err)
	}
	year := today.Year()
	for i, code := range []string{"PT", "HY", "DN", "GL25"} {
		p, err := org.GetByCode(ctx, db, code, today)
		if err != nil {
			return err
		}
		t, err := target.CreateTerm(ctx, db, target.NewTerm{UnitID: p.ID, Name: "Nhiệm kỳ 2025–2030", StartsOn: day("2025-10-10"),
			EndsOn: day("2030-10-09"), CongressDocument: "Nghị quyết Đại hội đại biểu Đảng bộ lần thứ I, nhiệm kỳ 2025–2030"})
		if err != nil {
			return fmt.Errorf("demo: term of %s: %w", code, err)
		}
		if _, err := target.CreateTarget(ctx, db, target.NewTarget{UnitID: p.ID, Measure: target.MeasureAdmissions, Period: t.Period(),
			Values: target.Values{Kind: target.KindCount, Count: ptrInt(15 + 3*i)}}); err != nil {
			return fmt.Errorf("demo: term target of %s: %w", code, err)
		}
		yt, err := target.CreateTarget(ctx, db, target.NewTarget{UnitID: p.ID, Measure: target.MeasureAdmissions, Period: target.Year(year),
			Values: target.Values{Kind: target.KindCount, Count: ptrInt(4 + i)}})
		if err != nil {
			return fmt.Errorf("demo: %d target of %s: %w", year, code, err)
		}
		kids, err := org.Children(ctx, db, p.ID, target.Year(year).Start, org.Filter{Kind: "grassroots_committee"}, page.Args{First: 100})
		if err != nil {
			return err
		}
		var shares []target.Share
		for j, k := range kids.Items {
			shares = append(shares, target.Share{UnitID: k.ID, Count: 1 + j%2})
		}
		if len(shares) > 0 {
			if _, err := target.HandDown(ctx, db, yt.ID, shares); err != nil {
				return fmt.Errorf("demo: hand down the %d target of %s: %w", year, code, err)
			}
		}
	}
	return nil
}

func ptrInt(n int) *int { return &n }
