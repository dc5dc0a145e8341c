package target

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"ptdv/internal/apperr"
	"ptdv/internal/auth"
	"ptdv/internal/byid"
	"ptdv/internal/page"
	"ptdv/internal/vn"
)

// PeriodKind is the kind of a target's period.
type PeriodKind string

const (
	PeriodTerm    PeriodKind = "term"
	PeriodYear    PeriodKind = "year"
	PeriodQuarter PeriodKind = "quarter"
)

// PeriodLabels are the Vietnamese names of the period kinds (import layouts, reports).
var PeriodLabels = map[PeriodKind]string{PeriodTerm: "Nhiệm kỳ", PeriodYear: "Năm", PeriodQuarter: "Quý"}

// Period is a term, a calendar year or a calendar quarter. Both ends are inclusive.
type Period struct {
	Kind   PeriodKind
	Start  time.Time
	End    time.Time // the last day
	TermID *int64    // for a term
}

// same reports whether two periods have the same kind and days (the days are what is counted).
func (p Period) same(q Period) bool {
	return p.Kind == q.Kind && p.Start.Equal(q.Start) && p.End.Equal(q.End)
}

// Year is the calendar year y.
func Year(y int) Period {
	s := time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)
	return Period{Kind: PeriodYear, Start: s, End: s.AddDate(1, 0, -1)}
}

// Quarter is quarter q (1–4) of year y.
func Quarter(y, q int) Period {
	s := time.Date(y, time.Month(3*(q-1)+1), 1, 0, 0, 0, 0, time.UTC)
	return Period{Kind: PeriodQuarter, Start: s, End: s.AddDate(0, 3, -1)}
}

// QuarterOf returns the quarter (1–4) of a date.
func QuarterOf(d time.Time) int { return (int(d.Month())-1)/3 + 1 }

// Contains reports whether day d falls inside the period.
func (p Period) Contains(d time.Time) bool {
	d = vn.Day(d)
	return !d.Before(p.Start) && !d.After(p.End)
}

// Days is the number of days of the period.
func (p Period) Days() int { return days(p.Start, p.End) + 1 }

// days counts the days from a to b (b - a).
func days(a, b time.Time) int { return int(math.Round(b.Sub(a).Hours() / 24)) }

// Kind is how a target is expressed.
type Kind string

const (
	KindCount Kind = "count" // a number of admissions, villages, …
	KindRate  Kind = "rate"  // a percentage of a base (RateBase)
)

// Measures and rate bases the code computes; the full lists are the tables target_measure and
// target_rate_base.
const (
	MeasureAdmissions                = "admissions"
	RateBaseMembersEndOfPreviousYear = "members_end_of_previous_year"
)

// Values are a target's revisable values.
type Values struct {
	Kind     Kind     `bun:"kind"`
	Count    *int     `bun:"count_value"` // for a count target
	Rate     *float64 `bun:"rate_value"`  // for a rate target: percent, 4.0 = 4 %; at most three decimals
	RateBase string   `bun:"rate_base"`   // for a rate target: a code of target_rate_base ("" = the measure's only base)
	Note     string   `bun:"note"`
}

// Target is a target as it stands now (its latest revision).
type Target struct {
	ID             int64
	UnitID         int64
	Measure        string
	Period         Period
	Values         Values
	ParentTargetID *int64 // handed down from
	Revision       int
	CreatedBy      string
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// Revision is one version of a target's values.
type Revision struct {
	TargetID int64 `bun:"target_id"`
	Revision int   `bun:"revision"`
	Values
	ParentTargetID *int64    `bun:"parent_target_id"`
	Reason         string    `bun:"reason"`
	RecordedBy     string    `bun:"recorded_by"`
	RecordedAt     time.Time `bun:"recorded_at"`
}

// Term is a unit's term.
type Term struct {
	ID               int64     `bun:"id"`
	UnitID           int64     `bun:"unit_id"`
	Name             string    `bun:"name"`
	StartsOn         time.Time `bun:"starts_on"`
	EndsOn           time.Time `bun:"ends_on"` // the last day
	CongressDocument string    `bun:"congress_document"`
	RecordedBy       string    `bun:"recorded_by"`
	RecordedAt       time.Time `bun:"recorded_at"`
}

// Period is the term as a period.
func (t Term) Period() Period {
	id := t.ID
	return Period{Kind: PeriodTerm, Start: t.StartsOn, End: t.EndsOn, TermID: &id}
}

// Measure is a row of target_measure with its rate bases.
type Measure struct {
	Code         string     `bun:"code"`
	LabelVI      string     `bun:"label_vi"`
	LabelEN      string     `bun:"label_en"`
	Kinds        []string   `bun:"kinds,array"`
	LiveProgress bool       `bun:"live_progress"`
	Source       string     `bun:"source"`
	RateBases    []RateBase `bun:"-"`
}

// RateBase is a row of target_rate_base.
type RateBase struct {
	Code    string `bun:"code"`
	Measure string `bun:"measure"`
	LabelVI string `bun:"label_vi"`
	LabelEN string `bun:"label_en"`
	Note    string `bun:"note"`
}

// actor is the request's actor once auth's permission table lets it read targets and progress (and set
// them, when write).
func actor(ctx context.Context, write bool) (*auth.Actor, error) {
	if write {
		return auth.Permitted(ctx, auth.PermWriteTarget)
	}
	return auth.Permitted(ctx, auth.PermReadTarget)
}

// readTarget is the reading actor and a target in its scope.
func readTarget(ctx context.Context, db bun.IDB, targetID int64) (*auth.Actor, Target, error) {
	a, err := actor(ctx, false)
	if err != nil {
		return nil, Target{}, err
	}
	t, err := GetTarget(ctx, db, targetID)
	return a, t, err
}

// Measures reads the measures and their rate bases.
func Measures(ctx context.Context, db bun.IDB) ([]Measure, error) {
	if _, err := actor(ctx, false); err != nil {
		return nil, err
	}
	return loadMeasures(ctx, db)
}

func loadMeasures(ctx context.Context, db bun.IDB) ([]Measure, error) {
	var ms []Measure
	if err := db.NewRaw(`SELECT code, label_vi, label_en, kinds, live_progress, source FROM target_measure ORDER BY rank, code`).
		Scan(ctx, &ms); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("target: measures: %w", err)
	}
	var bs []RateBase
	if err := db.NewRaw(`SELECT code, measure, label_vi, label_en, note FROM target_rate_base ORDER BY code`).
		Scan(ctx, &bs); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("target: rate bases: %w", err)
	}
	for i := range ms {
		for _, b := range bs {
			if b.Measure == ms[i].Code {
				ms[i].RateBases = append(ms[i].RateBases, b)
			}
		}
	}
	return ms, nil
}

func measure(ctx context.Context, db bun.IDB, code string) (Measure, error) {
	ms, err := loadMeasures(ctx, db)
	if err != nil {
		return Measure{}, err
	}
	for _, m := range ms {
		if m.Code == code {
			return m, nil
		}
	}
	return Measure{}, apperr.Invalid("measure", fmt.Sprintf("Loại chỉ tiêu %q không tồn tại.", code), fmt.Sprintf("unknown measure %q", code))
}

// targetRow is a target as stored.
type targetRow struct {
	ID          int64     `bun:"id"`
	UnitID      int64     `bun:"unit_id"`
	Measure     string    `bun:"measure"`
	PeriodKind  string    `bun:"period_kind"`
	PeriodStart time.Time `bun:"period_start"`
	PeriodEnd   time.Time `bun:"period_end"`
	TermID      *int64    `bun:"term_id"`
	Values
	ParentTargetID *int64     `bun:"parent_target_id"`
	Revision       int        `bun:"revision"`
	CreatedBy      string     `bun:"created_by"`
	CreatedAt      time.Time  `bun:"created_at"`
	UpdatedAt      *time.Time `bun:"updated_at"`
}

func (r targetRow) target() Target {
	t := Target{ID: r.ID, UnitID: r.UnitID, Measure: r.Measure,
		Period:         Period{Kind: PeriodKind(r.PeriodKind), Start: vn.Day(r.PeriodStart), End: vn.Day(r.PeriodEnd), TermID: r.TermID},
		Values:         r.Values,
		ParentTargetID: r.ParentTargetID, Revision: r.Revision, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt}
	if r.UpdatedAt != nil {
		t.UpdatedAt = *r.UpdatedAt
	}
	return t
}

const targetCols = `t.id, t.unit_id, t.measure, t.period_kind, t.period_start, t.period_end, t.term_id, t.kind, t.count_value,
	t.rate_value::float8 AS rate_value, coalesce(t.rate_base, '') AS rate_base, t.parent_target_id, t.note, t.revision,
	t.created_by, t.created_at, t.updated_at`

// matchCols are the columns progress needs to match and resolve targets: hydrate fills in the rest for
// the targets it returns. A province's children name thousands of targets, and scanning the audit
// columns (note, author, timestamps) of all of them was a fifth of the call.
const matchCols = `t.id, t.unit_id, t.measure, t.period_kind, t.period_start, t.period_end, t.term_id, t.kind, t.count_value,
	t.rate_value::float8 AS rate_value, coalesce(t.rate_base, '') AS rate_base`

// selectTargets reads targets matching cond (on alias t), in the actor's scope unless a is nil.
func selectTargets(ctx context.Context, db bun.IDB, a *auth.Actor, cond, tail string, args ...any) ([]Target, error) {
	return selectTargetCols(ctx, db, a, targetCols, cond, tail, args...)
}

func selectTargetCols(ctx context.Context, db bun.IDB, a *auth.Actor, cols, cond, tail string, args ...any) ([]Target, error) {
	return selectTargetsFrom(ctx, db, a, cols, "target t", cond, tail, args...)
}

// selectTargetsFrom is selectTargetCols over another FROM clause that names its target rows t.
func selectTargetsFrom(ctx context.Context, db bun.IDB, a *auth.Actor, cols, from, cond, tail string, args ...any) ([]Target, error) {
	if a != nil {
		sc, sargs := a.Scope().UnitFilter("t.unit_id")
		cond += " AND " + sc
		args = append(args, sargs...)
	}
	var rows []targetRow
	err := db.NewRaw(`SELECT `+cols+` FROM `+from+` WHERE `+cond+" "+tail, args...).Scan(ctx, &rows)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("target: read targets: %w", err)
	}
	out := make([]Target, len(rows))
	for i, r := range rows {
		out[i] = r.target()
	}
	return out, nil
}

// GetTargets returns the targets with the given ids whose unit is in the actor's scope, keyed by id.
func GetTargets(ctx context.Context, db bun.IDB, ids []int64) (map[int64]Target, error) {
	a, err := actor(ctx, false)
	if err != nil {
		return nil, err
	}
	ts, err := selectTargets(ctx, db, a, `t.id = ANY(?::bigint[])`, "", pgdialect.Array(ids))
	return byid.Keyed(ts, err, func(t Target) int64 { return t.ID })
}

// GetTarget returns one target, or NOT_FOUND when it does not exist or its unit is out of scope.
func GetTarget(ctx context.Context, db bun.IDB, id int64) (Target, error) {
	m, err := GetTargets(ctx, db, []int64{id})
	return byid.One(m, err, "target", id)
}

func notFound(entity string, id int64) error {
	return apperr.NotFoundf(entity, strconv.FormatInt(id, 10)) // "Không tìm thấy chỉ tiêu." : no internal id
}

// Filter narrows a unit's list of targets.
type Filter struct {
	Measure    string     // "" for any
	PeriodKind PeriodKind // "" for any
	On         *time.Time // only periods containing this day
}

// where is the condition on target t (and its arguments) of a unit's targets that f lets through.
func (f Filter) where(unitID int64) (string, []any) {
	cond, args := "t.unit_id = ?", []any{unitID}
	if f.Measure != "" {
		cond, args = cond+" AND t.measure = ?", append(args, f.Measure)
	}
	if f.PeriodKind != "" {
		cond, args = cond+" AND t.period_kind = ?", append(args, string(f.PeriodKind))
	}
	if f.On != nil {
		cond, args = cond+" AND t.period_start <= ?::date AND t.period_end >= ?::date", append(args, vn.Day(*f.On), vn.Day(*f.On))
	}
	return cond, args
}

// UnitTargets lists the targets of a unit in the actor's scope, latest period first. The cursor is
// TargetKey of the last item.
func UnitTargets(ctx context.Context, db bun.IDB, unitID int64, f Filter, p page.Args) (page.Page[Target], error) {
	a, err := actor(ctx, false)
	if err != nil {
		return page.Page[Target]{}, err
	}
	if err := auth.CheckUnits(ctx, db, unitID); err != nil {
		return page.Page[Target]{}, err
	}
	cond, args := f.where(unitID)
	if p.After != "" {
		start, id, ok := strings.Cut(p.After, "|")
		n, err := strconv.ParseInt(id, 10, 64)
		if _, perr := time.Parse(time.DateOnly, start); !ok || err != nil || perr != nil {
			return page.Page[Target]{}, apperr.Invalid("after", "Con trỏ phân trang (after) không hợp lệ.", "invalid cursor in after")
		}
		cond, args = cond+" AND (t.period_start, t.id) < (?::date, ?)", append(args, start, n)
	}
	ts, err := selectTargets(ctx, db, a, cond, fmt.Sprintf("ORDER BY t.period_start DESC, t.id DESC LIMIT %d", p.First+1), args...)
	if err != nil {
		return page.Page[Target]{}, err
	}
	return page.Trim(ts, p), nil
}

// PageKey is a listed target's cursor key, for page.Cursor.
func (t Target) PageKey() string {
	return t.Period.Start.Format(time.DateOnly) + "|" + strconv.FormatInt(t.ID, 10)
}

// Revisions returns every version of a target in the actor's scope, oldest first.
func Revisions(ctx context.Context, db bun.IDB, targetID int64) ([]Revision, error) {
	if _, err := GetTarget(ctx, db, targetID); err != nil {
		return nil, err
	}
	var out []Revision
	err := db.NewRaw(`SELECT target_id, revision, kind, count_value, rate_value::float8 AS rate_value, coalesce(rate_base, '') AS rate_base,
			parent_target_id, note, reason, recorded_by, recorded_at
		FROM target_revision WHERE target_id = ? ORDER BY revision`, targetID).Scan(ctx, &out)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("target: revisions: %w", err)
	}
	return out, nil
}

const termCols = `m.id, m.unit_id, m.name, m.starts_on, m.ends_on, m.congress_document, m.recorded_by, m.recorded_at`

// Terms lists the terms of a unit in the actor's scope, oldest first.
func Terms(ctx context.Context, db bun.IDB, unitID int64) ([]Term, error) {
	if _, err := actor(ctx, false); err != nil {
		return nil, err
	}
	if err := auth.CheckUnits(ctx, db, unitID); err != nil {
		return nil, err
	}
	var out []Term
	if err := db.NewRaw(`SELECT `+termCols+` FROM term m WHERE m.unit_id = ? ORDER BY m.starts_on`, unitID).
		Scan(ctx, &out); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("target: terms: %w", err)
	}
	return out, nil
}

// GetTerm returns a term whose unit is in the actor's scope, or NOT_FOUND.
func GetTerm(ctx context.Context, db bun.IDB, id int64) (Term, error) {
	a, err := actor(ctx, false)
	if err != nil {
		return Term{}, err
	}
	cond, args := a.Scope().UnitFilter("m.unit_id")
	var out []Term
	if err := db.NewRaw(`SELECT `+termCols+` FROM term m WHERE m.id = ? AND `+cond, append([]any{id}, args...)...).
		Scan(ctx, &out); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return Term{}, fmt.Errorf("target: term: %w", err)
	}
	if len(out) == 0 {
		return Term{}, notFound("term", id)
	}
	return out[0], nil
}

// loadTerm reads a term without scope: only its dates and unit are used, to resolve a period.
func loadTerm(ctx context.Context, db bun.IDB, id int64) (Term, bool, error) {
	var out []Term
	if err := db.NewRaw(`SELECT `+termCols+` FROM term m WHERE m.id = ?`, id).Scan(ctx, &out); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return Term{}, false, fmt.Errorf("target: term: %w", err)
	}
	if len(out) == 0 {
		return Term{}, false, nil
	}
	return out[0], true, nil
}

// CountUnitTargets is the number of targets UnitTargets returns over all its pages: the same filter and scope.
func CountUnitTargets(ctx context.Context, db bun.IDB, unitID int64, f Filter) (int, error) {
	a, err := actor(ctx, false)
	if err != nil {
		return 0, err
	}
	if err := auth.CheckUnits(ctx, db, unitID); err != nil {
		return 0, err
	}
	cond, args := f.where(unitID)
	sc, sargs := a.Scope().UnitFilter("t.unit_id")
	var n int
	if err := db.NewRaw(`SELECT count(*) FROM target t WHERE `+cond+" AND "+sc, append(args, sargs...)...).Scan(ctx, &n); err != nil {
		return 0, fmt.Errorf("target: count targets: %w", err)
	}
	return n, nil
}
