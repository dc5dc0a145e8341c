package target_test

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"ptdv/internal/apperr"
	"ptdv/internal/fixture"
	"ptdv/internal/member"
	"ptdv/internal/people"
	"ptdv/internal/pgtest"
	"ptdv/internal/target"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// admit records one new member of a cell per decision date (the ceremony two weeks later), through
// people.Create and member.Record, four at a time.
func admit(t testing.TB, db bun.IDB, cell int64, decisions ...time.Time) []int64 {
	t.Helper()
	ctx := fixture.System()
	ids := make([]int64, len(decisions))
	errs := make([]error, len(decisions))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 4)
	for i, d := range decisions {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			p, err := people.Create(ctx, db, people.NewPerson{FullName: name(cell, i), Sex: "male",
				BirthDate: fixture.Day("1990-01-01"), UnitID: cell, Since: fixture.Day("2015-06-01")})
			if err != nil {
				errs[i] = err
				return
			}
			ids[i] = p.ID
			errs[i] = member.Record(ctx, db, member.Event{PersonID: p.ID, Kind: member.KindAdmitted, Effective: d.AddDate(0, 0, 14),
				DecisionDate: fixture.Ptr(d), Document: "QĐ kết nạp"})
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("admit %s: %v", decisions[i].Format(time.DateOnly), err)
		}
	}
	return ids
}

var syllables = []string{"An", "Bình", "Cường", "Dũng", "Giang", "Hà", "Khánh", "Lan", "Minh", "Nga"}

// name makes a distinct Vietnamese name for the i-th person of a cell (names have no digits).
func name(cell int64, i int) string {
	s := "Nguyễn"
	for _, n := range []int64{cell, int64(i)} {
		s += " "
		for _, c := range fmt.Sprint(n) {
			s += syllables[c-'0']
		}
	}
	return s
}

// spread returns n decision dates from `from` on, one every step days.
func spread(from string, n, step int) []time.Time {
	out := make([]time.Time, n)
	for i := range out {
		out[i] = fixture.Day(from).AddDate(0, 0, i*step)
	}
	return out
}

func countBetween(ds []time.Time, from, to string) int {
	n := 0
	for _, d := range ds {
		if !d.Before(fixture.Day(from)) && !d.After(fixture.Day(to)) {
			n++
		}
	}
	return n
}

func newTarget(t testing.TB, ctx context.Context, db bun.IDB, n target.NewTarget) target.Target {
	t.Helper()
	tg, err := target.CreateTarget(ctx, db, n)
	if err != nil {
		t.Fatalf("create target: %v", err)
	}
	return tg
}

func count(n int) target.Values { return target.Values{Kind: target.KindCount, Count: &n} }

func wantCode(t *testing.T, what string, err error, code apperr.Code, field string) {
	t.Helper()
	e, ok := apperr.As(err)
	if !ok || e.Code != code || (field != "" && e.Field != field) {
		t.Errorf("%s: got %v (field %q), want %s on field %q", what, err, fieldOf(err), code, field)
	}
}

func fieldOf(err error) string {
	if e, ok := apperr.As(err); ok {
		return e.Field
	}
	return ""
}

func deref[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

// check compares figures of a progress report.
type figures struct {
	Admitted, LastYear       int
	Target                   any // int or nil
	PercentDone              any // float64 or nil
	DaysElapsed, DaysTotal   int
	PercentElapsed           float64
	Expected                 any // float64 or nil
	PercentOfLastYear        any // float64 or nil
	Source                   target.TargetSource
	Start, End, AsOf         string
	LastYearFrom, LastYearTo string
}

func wantProgress(t *testing.T, what string, p target.Progress, w figures) {
	t.Helper()
	got := figures{Admitted: p.Admitted, LastYear: p.SamePeriodLastYear, Target: deref(p.TargetCount), PercentDone: deref(p.PercentDone),
		DaysElapsed: p.DaysElapsed, DaysTotal: p.DaysTotal, PercentElapsed: p.PercentElapsed, Expected: deref(p.Expected),
		PercentOfLastYear: deref(p.PercentOfLastYear), Source: p.TargetSource,
		Start: p.Period.Start.Format(time.DateOnly), End: p.Period.End.Format(time.DateOnly), AsOf: p.AsOf.Format(time.DateOnly),
		LastYearFrom: p.LastYearFrom.Format(time.DateOnly), LastYearTo: p.LastYearTo.Format(time.DateOnly)}
	if got != w {
		t.Errorf("%s:\n got  %+v\n want %+v", what, got, w)
	}
}
