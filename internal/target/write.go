package target

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
	"golang.org/x/text/unicode/norm"

	"ptdv/internal/apperr"
	"ptdv/internal/audit"
	"ptdv/internal/auth"
	"ptdv/internal/byid"
	"ptdv/internal/db"
	"ptdv/internal/vn"
)

// maxCount bounds a count target: far above any unit's admissions, it only catches typing slips.
const maxCount = 10_000_000

func clean(s string) string { return strings.TrimSpace(norm.NFC.String(s)) }

// write runs fn in one transaction after the role check, and turns the constraint violations input can
// cause into coded errors.
func write(ctx context.Context, idb bun.IDB, fn func(ctx context.Context, tx bun.Tx, a *auth.Actor) error) error {
	a, err := actor(ctx, true)
	if err != nil {
		return err
	}
	err = db.InTx(ctx, idb, func(ctx context.Context, tx bun.Tx) error { return fn(ctx, tx, a) })
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505":
			return &apperr.Error{Code: apperr.Conflict, Field: "period",
				Message:   "Đơn vị đã có chỉ tiêu cho loại chỉ tiêu và kỳ này.",
				MessageEN: "the unit already has a target for this measure and period"}
		case "23P01":
			return &apperr.Error{Code: apperr.Conflict, Field: "startsOn",
				Message:   "Nhiệm kỳ trùng thời gian với một nhiệm kỳ đã ghi của đơn vị.",
				MessageEN: "the term overlaps a recorded term of the unit"}
		}
	}
	return err
}

// life is what the validations need of a unit: its life and, for a successor, since when its
// predecessors existed.
type life struct {
	ID        int64      `bun:"id"`
	Code      string     `bun:"code"`
	ValidFrom time.Time  `bun:"valid_from"`
	ValidTo   *time.Time `bun:"valid_to"`
	PredFrom  *time.Time `bun:"pred_from"` // earliest start of a direct predecessor (merge or split)
}

func lives(ctx context.Context, tx bun.IDB, ids []int64) (map[int64]life, error) {
	var ls []life
	err := tx.NewRaw(`SELECT u.id, u.code, u.valid_from, u.valid_to,
			(SELECT min(p.valid_from) FROM org_lineage l JOIN org_unit p ON p.id = l.predecessor_id WHERE l.successor_id = u.id) AS pred_from
		FROM org_unit u WHERE u.id = ANY(?::bigint[])`, pgdialect.Array(ids)).Scan(ctx, &ls)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("target: units: %w", err)
	}
	return byid.Map(ls, func(l life) int64 { return l.ID }), nil
}

// startsIn reports whether day s falls in the unit's life, or, for a successor, in the life of its
// predecessors (a successor carries on their term or period).
func (l life) startsIn(s time.Time) bool {
	if l.ValidTo != nil && !s.Before(*l.ValidTo) {
		return false
	}
	return !s.Before(l.ValidFrom) || (l.PredFrom != nil && !s.Before(*l.PredFrom))
}

// overlaps reports whether the period [s, e] overlaps the unit's life, and starts either in it or in its
// predecessors' life.
func (l life) overlaps(s, e time.Time) bool {
	return !e.Before(l.ValidFrom) && l.startsIn(s)
}

func (l life) describe() (string, string) {
	vi, en := "từ "+vn.Date(l.ValidFrom), "from "+l.ValidFrom.Format(time.DateOnly)
	if l.ValidTo != nil {
		vi += " đến trước " + vn.Date(*l.ValidTo)
		en += " until " + l.ValidTo.Format(time.DateOnly)
	}
	return vi, en
}

func checkDate(field string, d time.Time) error {
	if d.IsZero() {
		return apperr.Invalid(field, "Cần nhập ngày.", field+" is required")
	}
	if d.Year() < 1930 || d.Year() > 2100 {
		return apperr.Invalid(field, "Ngày không hợp lệ.", field+" is out of range")
	}
	return nil
}

// NewTerm describes a term to record.
type NewTerm struct {
	UnitID           int64
	Name             string // 'Nhiệm kỳ 2020–2025'
	StartsOn         time.Time
	EndsOn           time.Time // the last day
	CongressDocument string
}

// CreateTerm records a unit's term. The term must end after it starts, fall within the unit's life (it
// may start before a successor's first day while its predecessors existed: the successor carries on
// their term) and not overlap another term of the unit (CONFLICT).
func CreateTerm(ctx context.Context, idb bun.IDB, n NewTerm) (Term, error) {
	var out Term
	err := write(ctx, idb, func(ctx context.Context, tx bun.Tx, a *auth.Actor) error {
		n.Name = strings.Join(strings.Fields(norm.NFC.String(n.Name)), " ")
		if c := utf8.RuneCountInString(n.Name); c == 0 || c > 200 {
			return apperr.Invalid("name", "Tên nhiệm kỳ phải có từ 1 đến 200 ký tự.", "the term's name must have 1 to 200 characters")
		}
		n.CongressDocument = clean(n.CongressDocument)
		if utf8.RuneCountInString(n.CongressDocument) > 500 {
			return apperr.Invalid("congressDocument", "Số hiệu văn bản quá dài.", "congress document too long")
		}
		if err := checkDate("startsOn", n.StartsOn); err != nil {
			return err
		}
		if err := checkDate("endsOn", n.EndsOn); err != nil {
			return err
		}
		s, e := vn.Day(n.StartsOn), vn.Day(n.EndsOn)
		if !e.After(s) {
			return apperr.Invalid("endsOn", "Ngày kết thúc nhiệm kỳ phải sau ngày bắt đầu.", "the term must end after it starts")
		}
		if n.UnitID == 0 {
			return apperr.Invalid("unitId", "Cần chọn tổ chức đảng.", "unitId is required")
		}
		if err := auth.CheckUnits(ctx, tx, n.UnitID); err != nil {
			return err
		}
		ls, err := lives(ctx, tx, []int64{n.UnitID})
		if err != nil {
			return err
		}
		l := ls[n.UnitID]
		if !l.startsIn(s) {
			vi, en := l.describe()
			return apperr.Invalid("startsOn", fmt.Sprintf("Nhiệm kỳ phải bắt đầu trong thời gian tồn tại của đơn vị (%s).", vi),
				fmt.Sprintf("the term must start within the unit's life (%s)", en))
		}
		if l.ValidTo != nil && !e.Before(*l.ValidTo) {
			vi, en := l.describe()
			return apperr.Invalid("endsOn", fmt.Sprintf("Nhiệm kỳ phải kết thúc trong thời gian tồn tại của đơn vị (%s).", vi),
				fmt.Sprintf("the term must end within the unit's life (%s)", en))
		}
		var other []Term
		if err := tx.NewRaw(`SELECT `+termCols+` FROM term m WHERE m.unit_id = ? AND daterange(m.starts_on, m.ends_on, '[]') && daterange(?::date, ?::date, '[]')`,
			n.UnitID, s, e).Scan(ctx, &other); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if len(other) > 0 {
			o := other[0]
			return &apperr.Error{Code: apperr.Conflict, Field: "startsOn",
				Message: fmt.Sprintf("Nhiệm kỳ trùng thời gian với %s (%s – %s) của đơn vị.", o.Name, vn.Date(o.StartsOn), vn.Date(o.EndsOn)),
				MessageEN: fmt.Sprintf("the term overlaps term %d (%s to %s) of the unit", o.ID,
					o.StartsOn.Format(time.DateOnly), o.EndsOn.Format(time.DateOnly))}
		}
		err = tx.NewRaw(`INSERT INTO term (unit_id, name, starts_on, ends_on, congress_document, recorded_by)
			VALUES (?, ?, ?::date, ?::date, ?, ?) RETURNING id, recorded_at`,
			n.UnitID, n.Name, s, e, n.CongressDocument, a.Subject).Scan(ctx, &out.ID, &out.RecordedAt)
		if err != nil {
			return err
		}
		out.UnitID, out.Name, out.StartsOn, out.EndsOn, out.CongressDocument, out.RecordedBy = n.UnitID, n.Name, s, e, n.CongressDocument, a.Subject
		return audit.Record(ctx, tx, "target.term.create", "term", strconv.FormatInt(out.ID, 10), nil, out)
	})
	if err != nil {
		return Term{}, err
	}
	return out, nil
}

// normalize checks a period and fills in what follows from its kind: the end of a year or quarter, the
// dates of a term. It returns the term of a term period.
func (p Period) normalize(ctx context.Context, tx bun.IDB) (Period, *Term, error) {
	var term *Term
	switch p.Kind {
	case PeriodYear, PeriodQuarter:
		if p.TermID != nil {
			return p, nil, apperr.Invalid("termId", "Chỉ chỉ tiêu nhiệm kỳ mới gắn với nhiệm kỳ.", "only term periods have a term")
		}
	case PeriodTerm:
		if p.TermID == nil {
			return p, nil, apperr.Invalid("termId", "Chỉ tiêu nhiệm kỳ cần chọn nhiệm kỳ.", "a term period needs termId")
		}
		t, ok, err := loadTerm(ctx, tx, *p.TermID)
		if err != nil {
			return p, nil, err
		}
		if !ok {
			return p, nil, notFound("term", *p.TermID)
		}
		term = &t
		if p.Start.IsZero() {
			p.Start = t.StartsOn
		}
		if p.End.IsZero() {
			p.End = t.EndsOn
		}
	default:
		return p, nil, apperr.Invalid("periodKind", fmt.Sprintf("Loại kỳ %q không tồn tại (term, year, quarter).", p.Kind),
			fmt.Sprintf("unknown period kind %q (term, year, quarter)", p.Kind))
	}
	if err := checkDate("periodStart", p.Start); err != nil {
		return p, nil, err
	}
	p.Start = vn.Day(p.Start)
	var want Period
	switch p.Kind {
	case PeriodYear:
		want = Year(p.Start.Year())
	case PeriodQuarter:
		want = Quarter(p.Start.Year(), QuarterOf(p.Start))
	case PeriodTerm:
		want = term.Period()
	}
	if p.End.IsZero() {
		p.End = want.End
	}
	if err := checkDate("periodEnd", p.End); err != nil {
		return p, nil, err
	}
	p.End = vn.Day(p.End)
	if p.End.Before(p.Start) {
		return p, nil, apperr.Invalid("periodEnd", "Ngày kết thúc kỳ không được trước ngày bắt đầu.", "the period ends before it starts")
	}
	if !p.Start.Equal(want.Start) || !p.End.Equal(want.End) {
		switch p.Kind {
		case PeriodYear:
			return p, nil, apperr.Invalid("periodStart", "Kỳ năm phải từ 01/01 đến 31/12 của cùng một năm.",
				"a year period runs from 1 January to 31 December of one year")
		case PeriodQuarter:
			return p, nil, apperr.Invalid("periodStart", "Kỳ quý phải trùng một quý của năm dương lịch (01/01–31/03, 01/04–30/06, 01/07–30/09, 01/10–31/12).",
				"a quarter period must be a calendar quarter")
		default:
			return p, nil, apperr.Invalid("periodStart", fmt.Sprintf("Kỳ nhiệm kỳ phải trùng thời gian của nhiệm kỳ (%s – %s).", vn.Date(want.Start), vn.Date(want.End)),
				"a term period must have its term's dates")
		}
	}
	return p, term, nil
}

// validate checks values against their measure, filling in the measure's only rate base.
func (v Values) validate(m Measure) (Values, error) {
	if !slices.Contains(m.Kinds, string(v.Kind)) {
		return v, apperr.Invalid("kind", fmt.Sprintf("Chỉ tiêu %q chỉ đặt theo %s.", m.LabelVI, strings.Join(m.Kinds, ", ")),
			fmt.Sprintf("measure %s takes kinds %v, not %q", m.Code, m.Kinds, v.Kind))
	}
	switch v.Kind {
	case KindCount:
		if v.Count == nil {
			return v, apperr.Invalid("count", "Cần nhập số lượng chỉ tiêu.", "count is required for a count target")
		}
		if *v.Count < 0 || *v.Count > maxCount {
			return v, apperr.Invalid("count", "Số lượng chỉ tiêu không được âm.", "count must be between 0 and 10,000,000")
		}
		if v.Rate != nil {
			return v, apperr.Invalid("rate", "Chỉ tiêu số lượng không có tỷ lệ.", "a count target has no rate")
		}
		if v.RateBase != "" {
			return v, apperr.Invalid("rateBase", "Chỉ tiêu số lượng không có cơ sở tính tỷ lệ.", "a count target has no rate base")
		}
	case KindRate:
		if v.Rate == nil {
			return v, apperr.Invalid("rate", "Cần nhập tỷ lệ chỉ tiêu (%).", "rate is required for a rate target")
		}
		r := *v.Rate
		if math.IsNaN(r) || r < 0 || r > 100 {
			return v, apperr.Invalid("rate", "Tỷ lệ chỉ tiêu phải từ 0 đến 100 %.", "rate must be between 0 and 100 percent")
		}
		if math.Abs(r*1000-math.Round(r*1000)) > 1e-6 {
			return v, apperr.Invalid("rate", "Tỷ lệ chỉ tiêu có tối đa ba chữ số thập phân.", "rate has at most three decimals")
		}
		r = math.Round(r*1000) / 1000
		v.Rate = &r
		if v.Count != nil {
			return v, apperr.Invalid("count", "Chỉ tiêu tỷ lệ không có số lượng; số lượng được tính từ tỷ lệ.", "a rate target has no count")
		}
		if v.RateBase == "" && len(m.RateBases) == 1 {
			v.RateBase = m.RateBases[0].Code
		}
		if !slices.ContainsFunc(m.RateBases, func(b RateBase) bool { return b.Code == v.RateBase }) {
			return v, apperr.Invalid("rateBase", fmt.Sprintf("Cơ sở tính tỷ lệ %q không dùng cho chỉ tiêu %q.", v.RateBase, m.LabelVI),
				fmt.Sprintf("rate base %q does not apply to measure %s", v.RateBase, m.Code))
		}
	}
	v.Note = clean(v.Note)
	if utf8.RuneCountInString(v.Note) > 2000 {
		return v, apperr.Invalid("note", "Ghi chú quá dài (tối đa 2000 ký tự).", "note too long")
	}
	return v, nil
}

func sameValues(a, b Values) bool {
	eqi := func(x, y *int) bool { return (x == nil) == (y == nil) && (x == nil || *x == *y) }
	eqf := func(x, y *float64) bool { return (x == nil) == (y == nil) && (x == nil || *x == *y) }
	return a.Kind == b.Kind && eqi(a.Count, b.Count) && eqf(a.Rate, b.Rate) && a.RateBase == b.RateBase && a.Note == b.Note
}

// NewTarget describes a target to set.
type NewTarget struct {
	UnitID  int64
	Measure string
	// Period: Kind and Start for a year or a quarter (End may be left zero); Kind and TermID for a term.
	Period Period
	Values Values
	Reason string // why, for the first revision (optional)
}

// CreateTarget sets a unit's target for a measure and period. Bad input is INVALID_INPUT naming the
// field, with nothing written; a second target for the same unit, measure and period is CONFLICT.
func CreateTarget(ctx context.Context, idb bun.IDB, n NewTarget) (Target, error) {
	var out Target
	err := write(ctx, idb, func(ctx context.Context, tx bun.Tx, a *auth.Actor) error {
		if n.UnitID == 0 {
			return apperr.Invalid("unitId", "Cần chọn tổ chức đảng.", "unitId is required")
		}
		m, err := measure(ctx, tx, n.Measure)
		if err != nil {
			return err
		}
		p, term, err := n.Period.normalize(ctx, tx)
		if err != nil {
			return err
		}
		v, err := n.Values.validate(m)
		if err != nil {
			return err
		}
		if err := auth.CheckUnits(ctx, tx, n.UnitID); err != nil {
			return err
		}
		if err := checkPeriodLife(ctx, tx, n.UnitID, p, "periodStart"); err != nil {
			return err
		}
		if term != nil {
			if err := checkTermUnit(ctx, tx, n.UnitID, *term); err != nil {
				return err
			}
		}
		if err := checkDuplicate(ctx, tx, n.UnitID, m.Code, p, "period"); err != nil {
			return err
		}
		out, err = insertTarget(ctx, tx, a, n.UnitID, m.Code, p, v, nil, n.Reason)
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, "target.create", "target", strconv.FormatInt(out.ID, 10), nil, out)
	})
	if err != nil {
		return Target{}, err
	}
	return out, nil
}

func checkPeriodLife(ctx context.Context, tx bun.IDB, unitID int64, p Period, field string) error {
	ls, err := lives(ctx, tx, []int64{unitID})
	if err != nil {
		return err
	}
	l, ok := ls[unitID]
	if !ok {
		return apperr.NotFoundf("unit", strconv.FormatInt(unitID, 10))
	}
	if !l.overlaps(p.Start, p.End) {
		vi, en := l.describe()
		return apperr.Invalid(field, fmt.Sprintf("Kỳ %s – %s nằm ngoài thời gian tồn tại của đơn vị %s (%s).", vn.Date(p.Start), vn.Date(p.End), l.Code, vi),
			fmt.Sprintf("the period %s to %s lies outside the life of unit %s (%s)", p.Start.Format(time.DateOnly), p.End.Format(time.DateOnly), l.Code, en))
	}
	return nil
}

// checkTermUnit requires the term to be the unit's own, one of an ancestor (the unit in its subtree at
// some time during the term: a handed-down term target) or one of a predecessor's.
func checkTermUnit(ctx context.Context, tx bun.IDB, unitID int64, t Term) error {
	if t.UnitID == unitID {
		return nil
	}
	var ok bool
	err := tx.NewRaw(`SELECT EXISTS (
			SELECT 1 FROM org_link l JOIN org_link m ON `+auth.SubtreeSQL("l.path", "m.path")+`
			WHERE l.unit_id = ?0 AND m.unit_id = ?1
			  AND l.valid_from <= ?3::date AND coalesce(l.valid_to, 'infinity') > ?2::date
			  AND m.valid_from <= ?3::date AND coalesce(m.valid_to, 'infinity') > ?2::date
			  AND l.valid_from < coalesce(m.valid_to, 'infinity') AND m.valid_from < coalesce(l.valid_to, 'infinity'))
		OR EXISTS (SELECT 1 FROM org_lineage WHERE predecessor_id = ?1 AND successor_id = ?0)`,
		unitID, t.UnitID, t.StartsOn, t.EndsOn).Scan(ctx, &ok)
	if err != nil {
		return err
	}
	if !ok {
		return apperr.Invalid("termId", "Nhiệm kỳ này không phải của đơn vị, của cấp trên hay của đơn vị tiền thân của nó.",
			"the term belongs neither to the unit nor to an ancestor or predecessor of it")
	}
	return nil
}

func checkDuplicate(ctx context.Context, tx bun.IDB, unitID int64, measure string, p Period, field string) error {
	var n int
	if err := tx.NewRaw(`SELECT count(*) FROM target WHERE unit_id = ? AND measure = ? AND period_kind = ? AND period_start = ?::date AND period_end = ?::date`,
		unitID, measure, string(p.Kind), p.Start, p.End).Scan(ctx, &n); err != nil {
		return err
	}
	if n > 0 {
		return &apperr.Error{Code: apperr.Conflict, Field: field,
			Message:   fmt.Sprintf("Đơn vị đã có chỉ tiêu này cho kỳ %s – %s; hãy sửa chỉ tiêu đó.", vn.Date(p.Start), vn.Date(p.End)),
			MessageEN: fmt.Sprintf("unit %d already has a %s target for %s to %s", unitID, measure, p.Start.Format(time.DateOnly), p.End.Format(time.DateOnly))}
	}
	return nil
}

func rateArg(r *float64) any {
	if r == nil {
		return nil
	}
	return strconv.FormatFloat(*r, 'f', -1, 64)
}

func insertTarget(ctx context.Context, tx bun.IDB, a *auth.Actor, unitID int64, measure string, p Period, v Values, parent *int64, reason string) (Target, error) {
	reason = clean(reason)
	if utf8.RuneCountInString(reason) > 500 {
		return Target{}, apperr.Invalid("reason", "Lý do quá dài (tối đa 500 ký tự).", "reason too long")
	}
	var id int64
	err := tx.NewRaw(`INSERT INTO target (unit_id, measure, period_kind, period_start, period_end, term_id, kind, count_value, rate_value,
			rate_base, parent_target_id, note, created_by)
		VALUES (?, ?, ?, ?::date, ?::date, ?, ?, ?, ?::numeric, nullif(?, ''), ?, ?, ?) RETURNING id`,
		unitID, measure, string(p.Kind), p.Start, p.End, p.TermID, string(v.Kind), v.Count, rateArg(v.Rate),
		v.RateBase, parent, v.Note, a.Subject).Scan(ctx, &id)
	if err != nil {
		return Target{}, err
	}
	if err := insertRevision(ctx, tx, a, id, 1, v, parent, reason); err != nil {
		return Target{}, err
	}
	ts, err := selectTargets(ctx, tx, nil, "t.id = ?", "", id)
	if err != nil {
		return Target{}, err
	}
	return ts[0], nil
}

func insertRevision(ctx context.Context, tx bun.IDB, a *auth.Actor, id int64, rev int, v Values, parent *int64, reason string) error {
	_, err := tx.NewRaw(`INSERT INTO target_revision (target_id, revision, kind, count_value, rate_value, rate_base, parent_target_id, note, reason, recorded_by)
		VALUES (?, ?, ?, ?, ?::numeric, nullif(?, ''), ?, ?, ?, ?)`,
		id, rev, string(v.Kind), v.Count, rateArg(v.Rate), v.RateBase, parent, v.Note, reason, a.Subject).Exec(ctx)
	return err
}

// lockTarget reads a target in the actor's scope for update.
func lockTarget(ctx context.Context, tx bun.IDB, a *auth.Actor, id int64) (Target, error) {
	ts, err := selectTargets(ctx, tx, a, "t.id = ?", "FOR UPDATE OF t", id)
	if err != nil {
		return Target{}, err
	}
	if len(ts) == 0 {
		return Target{}, notFound("target", id)
	}
	return ts[0], nil
}

func revise(ctx context.Context, tx bun.IDB, a *auth.Actor, t Target, v Values, parent *int64, reason string) (Target, error) {
	reason = clean(reason)
	if utf8.RuneCountInString(reason) > 500 {
		return Target{}, apperr.Invalid("reason", "Lý do quá dài (tối đa 500 ký tự).", "reason too long")
	}
	_, err := tx.NewRaw(`UPDATE target SET kind = ?, count_value = ?, rate_value = ?::numeric, rate_base = nullif(?, ''), note = ?,
			parent_target_id = ?, revision = revision + 1, updated_at = now()
		WHERE id = ?`, string(v.Kind), v.Count, rateArg(v.Rate), v.RateBase, v.Note, parent, t.ID).Exec(ctx)
	if err != nil {
		return Target{}, err
	}
	if err := insertRevision(ctx, tx, a, t.ID, t.Revision+1, v, parent, reason); err != nil {
		return Target{}, err
	}
	ts, err := selectTargets(ctx, tx, nil, "t.id = ?", "", t.ID)
	if err != nil {
		return Target{}, err
	}
	return ts[0], nil
}

// ReviseTarget records new values for a target. revision is the revision the caller read: if the target
// has changed since, ReviseTarget refuses with CONFLICT and writes nothing. The old values stay in
// target_revision; reason says why they changed (required).
func ReviseTarget(ctx context.Context, idb bun.IDB, id int64, revision int, v Values, reason string) (Target, error) {
	var out Target
	err := write(ctx, idb, func(ctx context.Context, tx bun.Tx, a *auth.Actor) error {
		if clean(reason) == "" {
			return apperr.Invalid("reason", "Cần ghi lý do điều chỉnh chỉ tiêu.", "a reason is required to revise a target")
		}
		t, err := lockTarget(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if t.Revision != revision {
			return apperr.ConflictStale("Chỉ tiêu vừa được người khác điều chỉnh; hãy tải lại rồi thực hiện lại.",
				fmt.Sprintf("target %d is at revision %d, not %d", id, t.Revision, revision))
		}
		m, err := measure(ctx, tx, t.Measure)
		if err != nil {
			return err
		}
		if v, err = v.validate(m); err != nil {
			return err
		}
		if sameValues(v, t.Values) {
			return apperr.Invalid("values", "Giá trị mới trùng giá trị hiện tại của chỉ tiêu.", "the new values equal the current ones")
		}
		if out, err = revise(ctx, tx, a, t, v, t.ParentTargetID, reason); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "target.revise", "target", strconv.FormatInt(id, 10), t, out)
	})
	if err != nil {
		return Target{}, err
	}
	return out, nil
}

// Share is one unit's part of a handed-down count target.
type Share struct {
	UnitID int64
	Count  int
}

// Allocation compares a target with the targets handed down from it.
type Allocation struct {
	Target        Target
	SumOfChildren int // the handed-down count targets, summed
	// Difference is SumOfChildren minus the target's count: below zero part of the target is not handed
	// down, above zero more is handed down than the target. Zero for a rate target.
	Difference int
	Balanced   bool
	Warning    string   // in Vietnamese, "" when balanced
	Children   []Target // ordered by unit id
}

// HandDown gives units of the target's subtree their shares of a count target: a target each for the
// same measure and period (a term target keeps the parent's term), handed down from it. A unit that
// already has a target handed down from this one gets a new revision; one that has its own target for
// the period is a CONFLICT. Each unit must be in the target unit's subtree on the period's start (or on
// its own first day, for a unit created during the period). Shares that do not add up to the target are
// not refused: the Allocation returned reports the difference as a warning.
func HandDown(ctx context.Context, idb bun.IDB, parentTargetID int64, shares []Share) (Allocation, error) {
	var out Allocation
	err := write(ctx, idb, func(ctx context.Context, tx bun.Tx, a *auth.Actor) error {
		parent, err := lockTarget(ctx, tx, a, parentTargetID)
		if err != nil {
			return err
		}
		if parent.Values.Kind != KindCount {
			return apperr.Invalid("parentTargetId", "Chỉ chỉ tiêu số lượng mới được giao theo phần; chỉ tiêu tỷ lệ đặt riêng cho từng đơn vị.",
				"only count targets are handed down in shares")
		}
		if len(shares) == 0 {
			return apperr.Invalid("shares", "Cần ít nhất một đơn vị được giao chỉ tiêu.", "at least one share is required")
		}
		ids := make([]int64, len(shares))
		seen := map[int64]bool{}
		for i, s := range shares {
			f := fmt.Sprintf("shares[%d]", i)
			if s.UnitID == 0 || s.UnitID == parent.UnitID || seen[s.UnitID] {
				return apperr.Invalid(f+".unitId", "Đơn vị được giao bị thiếu, trùng hoặc chính là đơn vị giao.",
					"a share's unit is missing, repeated or the target's own unit")
			}
			if s.Count < 0 || s.Count > maxCount {
				return apperr.Invalid(f+".count", "Số lượng chỉ tiêu không được âm.", "a share's count must be between 0 and 10,000,000")
			}
			seen[s.UnitID], ids[i] = true, s.UnitID
		}
		if err := auth.CheckUnits(ctx, tx, ids...); err != nil {
			return err
		}
		ls, err := lives(ctx, tx, ids)
		if err != nil {
			return err
		}
		// The day each unit must be in the subtree: the period's start, or its own first day.
		ons := make([]string, len(shares))
		for i, s := range shares {
			l := ls[s.UnitID]
			on := parent.Period.Start
			if l.ValidFrom.After(on) {
				on = l.ValidFrom
			}
			if on.After(parent.Period.End) || (l.ValidTo != nil && !on.Before(*l.ValidTo)) {
				return apperr.Invalid(fmt.Sprintf("shares[%d].unitId", i), fmt.Sprintf("Đơn vị %s không tồn tại trong kỳ của chỉ tiêu.", l.Code),
					fmt.Sprintf("unit %s does not exist during the target's period", l.Code))
			}
			ons[i] = on.Format(time.DateOnly)
		}
		var inside []int64
		err = tx.NewRaw(`SELECT x.id FROM unnest(?::bigint[], ?::date[]) AS x(id, on_day)
			WHERE EXISTS (SELECT 1 FROM org_link l JOIN org_link p ON `+auth.SubtreeSQL("l.path", "p.path")+`
				WHERE l.unit_id = x.id AND p.unit_id = ?
				  AND l.valid_from <= x.on_day AND (l.valid_to IS NULL OR l.valid_to > x.on_day)
				  AND p.valid_from <= x.on_day AND (p.valid_to IS NULL OR p.valid_to > x.on_day))`,
			pgdialect.Array(ids), pgdialect.Array(ons), parent.UnitID).Scan(ctx, &inside)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		for i, s := range shares {
			if !slices.Contains(inside, s.UnitID) {
				return apperr.Invalid(fmt.Sprintf("shares[%d].unitId", i),
					fmt.Sprintf("Đơn vị %s không trực thuộc đơn vị giao chỉ tiêu vào ngày %s.", ls[s.UnitID].Code, vn.Date(day(ons[i]))),
					fmt.Sprintf("unit %s is not in the subtree of unit %d on %s", ls[s.UnitID].Code, parent.UnitID, ons[i]))
			}
		}
		existing, err := selectTargets(ctx, tx, nil, `t.unit_id = ANY(?::bigint[]) AND t.measure = ? AND t.period_kind = ? AND t.period_start = ?::date AND t.period_end = ?::date`,
			"FOR UPDATE OF t", pgdialect.Array(ids), parent.Measure, string(parent.Period.Kind), parent.Period.Start, parent.Period.End)
		if err != nil {
			return err
		}
		byUnit := map[int64]Target{}
		for _, t := range existing {
			byUnit[t.UnitID] = t
		}
		reason := fmt.Sprintf("Giao từ chỉ tiêu %d", parent.ID)
		type change struct {
			UnitID   int64 `json:"unitId"`
			TargetID int64 `json:"targetId"`
			From     *int  `json:"from"`
			To       int   `json:"to"`
		}
		var changes []change
		for i, s := range shares {
			count := s.Count
			v := Values{Kind: KindCount, Count: &count}
			t, ok := byUnit[s.UnitID]
			switch {
			case !ok:
				nt, err := insertTarget(ctx, tx, a, s.UnitID, parent.Measure, parent.Period, v, &parent.ID, reason)
				if err != nil {
					return err
				}
				changes = append(changes, change{UnitID: s.UnitID, TargetID: nt.ID, To: count})
			case t.ParentTargetID == nil || *t.ParentTargetID != parent.ID:
				return &apperr.Error{Code: apperr.Conflict, Field: fmt.Sprintf("shares[%d].unitId", i),
					Message:   fmt.Sprintf("Đơn vị %s đã có chỉ tiêu riêng cho kỳ này (chỉ tiêu %d); hãy sửa chỉ tiêu đó.", ls[s.UnitID].Code, t.ID),
					MessageEN: fmt.Sprintf("unit %s already has target %d for this period, not handed down from %d", ls[s.UnitID].Code, t.ID, parent.ID)}
			case t.Values.Kind != KindCount || t.Values.Count == nil || *t.Values.Count != count:
				v.Note = t.Values.Note
				if _, err := revise(ctx, tx, a, t, v, &parent.ID, reason); err != nil {
					return err
				}
				changes = append(changes, change{UnitID: s.UnitID, TargetID: t.ID, From: t.Values.Count, To: count})
			}
		}
		if out, err = allocation(ctx, tx, nil, parent); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "target.hand_down", "target", strconv.FormatInt(parent.ID, 10), nil,
			map[string]any{"shares": shares, "changes": changes, "sumOfChildren": out.SumOfChildren, "difference": out.Difference})
	})
	if err != nil {
		return Allocation{}, err
	}
	return out, nil
}

func day(s string) time.Time { t, _ := time.Parse(time.DateOnly, s); return t }

// GetAllocation returns a target in the actor's scope with the targets handed down from it, and whether
// their counts add up to it.
func GetAllocation(ctx context.Context, db bun.IDB, targetID int64) (Allocation, error) {
	a, t, err := readTarget(ctx, db, targetID)
	if err != nil {
		return Allocation{}, err
	}
	return allocation(ctx, db, a, t)
}

func allocation(ctx context.Context, db bun.IDB, a *auth.Actor, t Target) (Allocation, error) {
	children, err := selectTargets(ctx, db, a, "t.parent_target_id = ?", "ORDER BY t.unit_id", t.ID)
	if err != nil {
		return Allocation{}, err
	}
	out := Allocation{Target: t, Children: children, Balanced: true}
	if t.Values.Kind != KindCount || t.Values.Count == nil {
		return out, nil
	}
	for _, c := range children {
		if c.Values.Kind == KindCount && c.Values.Count != nil {
			out.SumOfChildren += *c.Values.Count
		}
	}
	out.Difference = out.SumOfChildren - *t.Values.Count
	out.Balanced = out.Difference == 0
	switch {
	case out.Difference < 0:
		out.Warning = fmt.Sprintf("Tổng chỉ tiêu đã giao cho cấp dưới (%d) thấp hơn chỉ tiêu của đơn vị (%d): còn %d chưa giao.",
			out.SumOfChildren, *t.Values.Count, -out.Difference)
	case out.Difference > 0:
		out.Warning = fmt.Sprintf("Tổng chỉ tiêu đã giao cho cấp dưới (%d) vượt chỉ tiêu của đơn vị (%d) là %d.",
			out.SumOfChildren, *t.Values.Count, out.Difference)
	}
	return out, nil
}
