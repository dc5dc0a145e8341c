package member

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
	"golang.org/x/text/unicode/norm"

	"ptdv/internal/apperr"
	"ptdv/internal/audit"
	"ptdv/internal/auth"
	"ptdv/internal/calendar"
	"ptdv/internal/codes"
	"ptdv/internal/db"
	ptdb "ptdv/internal/db"
	"ptdv/internal/page"
	"ptdv/internal/people"
	"ptdv/internal/rule"
	"ptdv/internal/vn"
)

// Rule ids, rows of the rule table (package rule): the numeric ones carry their value; the others name
// checks in code.
const (
	RuleProbationMonths      = "probation.months"       // recognition no earlier than this many months after the ceremony
	RuleReadmissionMinMonths = "readmission.min_months" // re-admission no earlier than this many months after leaving
	RuleReadmissionMaxTimes  = "readmission.max_times"  // how many times a person may be re-admitted
	RuleSequence             = "member.sequence"        // which event may follow which status
	RuleDecisionDate         = "member.decision_date"   // an admission decision precedes its ceremony
)

// actor is the request's actor once auth's permission table lets it read member records (and write
// them, when write).
func actor(ctx context.Context, write bool) (*auth.Actor, error) {
	if write {
		return auth.Permitted(ctx, auth.PermWriteMember)
	}
	return auth.Permitted(ctx, auth.PermReadMember)
}

func init() {
	// Every move of a person (a transfer, a correction) re-derives their status spans.
	people.RegisterMoveHook(rebuild)
}

// Rule is a row of the rule table.
type Rule = rule.Rule

// Rules reads the rule table, keyed by id, with the rows this package reads.
func Rules(ctx context.Context, db bun.IDB) (rule.Set, error) {
	s, err := rule.Load(ctx, db)
	if err != nil {
		return nil, err
	}
	if err := s.Require(RuleProbationMonths, RuleReadmissionMinMonths, RuleReadmissionMaxTimes); err != nil {
		return nil, fmt.Errorf("member: %w", err)
	}
	return s, nil
}

const eventCols = `id, person_id, unit_id, kind, effective, decision_date, to_unit_id, document, note, recorded_by, recorded_at`

// events reads a person's events in order (callers have checked the person's scope).
func events(ctx context.Context, tx bun.IDB, personID int64) ([]Event, error) {
	var es []Event
	err := tx.NewRaw(`SELECT `+eventCols+` FROM member_event WHERE person_id = ? ORDER BY effective, id`, personID).Scan(ctx, &es)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("member: events: %w", err)
	}
	return es, nil
}

func unitHistory(ctx context.Context, tx bun.IDB, personID int64) ([]unitRow, error) {
	var us []unitRow
	err := tx.NewRaw(`SELECT unit_id, valid_from, valid_to FROM person_unit WHERE person_id = ? ORDER BY valid_from`, personID).Scan(ctx, &us)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("member: unit history: %w", err)
	}
	return us, nil
}

// rebuild rewrites a person's status spans from their events and unit history, in the caller's
// transaction. It is internal: it returns nothing to the caller, so it reads without scope (a transfer
// has just moved the person out of the actor's scope).
func rebuild(ctx context.Context, tx bun.IDB, personID int64) error {
	es, err := events(ctx, tx, personID)
	if err != nil {
		return err
	}
	us, err := unitHistory(ctx, tx, personID)
	if err != nil {
		return err
	}
	spans := buildSpans(personID, es, us)
	if _, err := tx.NewRaw(`DELETE FROM member_status_span WHERE person_id = ?`, personID).Exec(ctx); err != nil {
		return fmt.Errorf("member: rebuild spans: %w", err)
	}
	if len(spans) == 0 {
		return nil
	}
	units := make([]int64, len(spans))
	statuses := make([]string, len(spans))
	grades := make([]*string, len(spans))
	froms := make([]string, len(spans))
	tos := make([]*string, len(spans))
	for i, s := range spans {
		units[i], statuses[i], froms[i] = s.UnitID, s.Status, s.ValidFrom.Format(time.DateOnly)
		if s.Grade != "" {
			g := s.Grade
			grades[i] = &g
		}
		if s.ValidTo != nil {
			t := s.ValidTo.Format(time.DateOnly)
			tos[i] = &t
		}
	}
	_, err = tx.NewRaw(`INSERT INTO member_status_span (person_id, unit_id, status, grade, valid_from, valid_to)
		SELECT ?, u, s, g, f, t FROM unnest(?::bigint[], ?::text[], ?::text[], ?::date[], ?::date[]) AS x(u, s, g, f, t)`,
		personID, pgdialect.Array(units), pgdialect.Array(statuses), pgdialect.Array(grades), pgdialect.Array(froms), pgdialect.Array(tos)).Exec(ctx)
	if err != nil {
		return fmt.Errorf("member: rebuild spans: %w", err)
	}
	return nil
}

func clean(s string) string { return strings.Join(strings.Fields(norm.NFC.String(s)), " ") }

// Record appends a membership event for a person in the actor's scope, after checking it against the
// person's history and the rule table, and re-derives their status spans, in one transaction with its
// audit row. An official transfer with a destination moves the person's records there (people.MoveUnit):
// from then on the old unit's actors no longer see the person, while its counts for earlier dates keep
// them.
func Record(ctx context.Context, idb bun.IDB, e Event) error {
	a, err := actor(ctx, true)
	if err != nil {
		return err
	}
	e, err = normalize(e)
	if err != nil {
		return err
	}
	return db.InTx(ctx, idb, func(ctx context.Context, tx bun.Tx) error {
		p, err := people.GetForUpdate(ctx, tx, e.PersonID)
		if err != nil {
			return err
		}
		if err := auth.CheckUnits(ctx, tx, p.UnitID); err != nil {
			return err
		}
		rules, err := Rules(ctx, tx)
		if err != nil {
			return err
		}
		set, err := codes.Load(ctx, tx)
		if err != nil {
			return err
		}
		es, err := events(ctx, tx, p.ID)
		if err != nil {
			return err
		}
		us, err := unitHistory(ctx, tx, p.ID)
		if err != nil {
			return err
		}
		unit, _ := unitAt(us, e.Effective)
		move := int64(0) // where the records go, from e.Effective
		switch {
		case e.Kind == KindTransferredOutOfficial && e.ToUnitID != nil:
			if *e.ToUnitID == unit {
				return apperr.Invalid("to_unit_id", "Đơn vị đến trùng đơn vị hiện tại.", "the destination is the current unit")
			}
			move = *e.ToUnitID
		case e.Kind == KindTransferredInOfficial && e.ToUnitID != nil && *e.ToUnitID != p.UnitID:
			// The receiving unit must be the actor's own.
			if err := auth.CheckUnits(ctx, tx, *e.ToUnitID); err != nil {
				return err
			}
			move, unit = *e.ToUnitID, *e.ToUnitID
		}
		if e.UnitID != 0 && e.UnitID != unit {
			return apperr.Invalid("unit_id", "Đơn vị của sự kiện phải là đơn vị quản lý hồ sơ của người này vào ngày hiệu lực; hãy chuyển hồ sơ trước.",
				fmt.Sprintf("the event's unit %d is not the person's unit %d on %s", e.UnitID, unit, e.Effective.Format(time.DateOnly)))
		}
		e.UnitID = unit
		e.ID = 1<<62 - 1 // sorts after every recorded event of the same day
		if err := checkSequence(p, append(es, e), e.ID, rules, set); err != nil {
			return err
		}
		err = tx.NewRaw(`INSERT INTO member_event (person_id, unit_id, kind, effective, decision_date, to_unit_id, document, note, recorded_by)
			VALUES (?, ?, ?, ?::date, ?::date, ?, ?, ?, ?) RETURNING id, recorded_at`,
			p.ID, e.UnitID, e.Kind, e.Effective, e.DecisionDate, e.ToUnitID, e.Document, e.Note, a.Subject).Scan(ctx, &e.ID, &e.RecordedAt)
		if err != nil {
			return fmt.Errorf("member: record: %w", err)
		}
		e.RecordedBy = a.Subject
		if move != 0 {
			// MoveUnit checks the destination exists on the date, moves the records, and rebuilds
			// the spans through the hook registered in init.
			if err := people.MoveUnit(ctx, tx, p.ID, move, e.Effective); err != nil {
				return err
			}
		} else if err := rebuild(ctx, tx, p.ID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "member.record", "member_event", strconv.FormatInt(e.ID, 10), nil, e)
	})
}

// normalize checks and cleans an event's own fields, before it is checked against the person's history.
func normalize(e Event) (Event, error) {
	if !slices.Contains(Kinds, e.Kind) {
		return e, apperr.Invalid("kind", fmt.Sprintf("Loại sự kiện %q không tồn tại.", e.Kind), fmt.Sprintf("unknown event kind %q", e.Kind))
	}
	if e.Effective.IsZero() {
		return e, apperr.Invalid("effective", "Cần ngày hiệu lực.", "effective date is required")
	}
	today := vn.Today()
	e.Effective = vn.Day(e.Effective)
	if e.Effective.Year() < 1930 || e.Effective.After(today) {
		return e, apperr.Invalid("effective", "Ngày hiệu lực không hợp lệ (không được sau ngày hôm nay).", "effective date out of range or in the future")
	}
	if e.DecisionDate != nil {
		d := vn.Day(*e.DecisionDate)
		if d.Year() < 1930 || d.After(today) {
			return e, apperr.Invalid("decision_date", "Ngày quyết định không hợp lệ.", "decision date out of range or in the future")
		}
		e.DecisionDate = &d
	}
	if e.Kind == KindAdmitted || e.Kind == KindReadmitted {
		if e.DecisionDate == nil {
			return e, apperr.Invalid("decision_date", "Cần ngày quyết định kết nạp (tuổi đảng tính từ ngày này).", "the admission decision date is required")
		}
		if e.DecisionDate.After(e.Effective) {
			return e, apperr.Rule(RuleDecisionDate, "Lễ kết nạp phải sau ngày quyết định kết nạp.", "the ceremony must follow the admission decision")
		}
	}
	e.Document, e.Note = clean(e.Document), clean(e.Note)
	if utf8.RuneCountInString(e.Document) > 500 || utf8.RuneCountInString(e.Note) > 2000 {
		return e, apperr.Invalid("document", "Số hiệu văn bản hoặc ghi chú quá dài.", "document or note too long")
	}
	isTransfer := e.Kind == KindTransferredOutOfficial || e.Kind == KindTransferredInOfficial
	if e.ToUnitID != nil && (*e.ToUnitID == 0 || !isTransfer) {
		if *e.ToUnitID != 0 {
			return e, apperr.Invalid("to_unit_id", "Chỉ sự kiện chuyển sinh hoạt chính thức có đơn vị đến.", "only official transfers have a destination")
		}
		e.ToUnitID = nil
	}
	return e, nil
}

// checkSequence replays a person's events, the new one (id newID) included, and checks every step from
// the new event on: the events before it were checked when they were recorded.
func checkSequence(p people.Person, all []Event, newID int64, rules map[string]Rule, set *codes.Set) error {
	all = sortEvents(all)
	var s State
	checking := false
	for _, e := range all {
		if e.ID == newID {
			checking = true
		}
		if checking {
			if err := check(p, s, e, rules, set); err != nil {
				return err
			}
		}
		s = s.apply(e)
	}
	return nil
}

// check refuses event e in state s.
func check(p people.Person, s State, e Event, rules map[string]Rule, set *codes.Set) error {
	kind := set.Label(codes.MemberEvent, e.Kind)
	if !slices.Contains(allowed[s.Status], e.Kind) || (e.Kind == KindRecognized && s.Grade != StatusProbationary) {
		state := set.Label(codes.MemberStatus, s.Status)
		if s.Status == "" {
			state = "chưa là đảng viên"
		}
		return apperr.Rule(RuleSequence,
			fmt.Sprintf("Không thể ghi “%s” ngày %s: %s đang ở trạng thái “%s”.", kind, vn.Date(e.Effective), p.FullName, state),
			fmt.Sprintf("event %s on %s is not allowed in status %q", e.Kind, e.Effective.Format(time.DateOnly), s.Status))
	}
	switch e.Kind {
	case KindRecognized:
		r := rules[RuleProbationMonths]
		if end := calendar.AddMonths(*s.ProbationFrom, r.Value); e.Effective.Before(end) {
			return apperr.Rule(r.ID,
				fmt.Sprintf("Chỉ công nhận đảng viên chính thức khi hết %d tháng dự bị: kết nạp ngày %s, nên sớm nhất từ ngày %s (%s).",
					r.Value, vn.Date(*s.ProbationFrom), vn.Date(end), r.Source),
				fmt.Sprintf("recognition on %s is before the end of the %d-month probation that started %s (%s)",
					e.Effective.Format(time.DateOnly), r.Value, s.ProbationFrom.Format(time.DateOnly), end.Format(time.DateOnly)))
		}
	case KindReadmitted:
		if r := rules[RuleReadmissionMaxTimes]; s.Readmissions >= r.Value {
			return apperr.Rule(r.ID,
				fmt.Sprintf("%s đã được kết nạp lại %d lần; chỉ được kết nạp lại tối đa %d lần (%s).", p.FullName, s.Readmissions, r.Value, r.Source),
				fmt.Sprintf("person %d was readmitted %d times already; the maximum is %d", p.ID, s.Readmissions, r.Value))
		}
		r := rules[RuleReadmissionMinMonths]
		if from := calendar.AddMonths(*s.LeftOn, r.Value); e.Effective.Before(from) {
			return apperr.Rule(r.ID,
				fmt.Sprintf("Chỉ kết nạp lại sau ít nhất %d tháng kể từ ngày ra khỏi Đảng (%s), tức từ ngày %s (%s).",
					r.Value, vn.Date(*s.LeftOn), vn.Date(from), r.Source),
				fmt.Sprintf("readmission on %s is less than %d months after leaving on %s",
					e.Effective.Format(time.DateOnly), r.Value, s.LeftOn.Format(time.DateOnly)))
		}
	}
	return nil
}

// History returns the membership events of a person in the actor's scope, in the order they happened.
func History(ctx context.Context, db bun.IDB, personID int64) ([]Event, error) {
	if _, err := actor(ctx, false); err != nil {
		return nil, err
	}
	if _, err := people.GetOne(ctx, db, personID); err != nil {
		return nil, err
	}
	return events(ctx, db, personID)
}

// Histories returns the membership events of many persons at once, by person, in the order they
// happened: only of those in the actor's scope (a person out of scope has no entry).
func Histories(ctx context.Context, db bun.IDB, personIDs []int64) (map[int64][]Event, error) {
	in, err := inScope(ctx, db, personIDs)
	if err != nil {
		return nil, err
	}
	var es []Event
	err = ptdb.Scan(ctx, db, &es, `SELECT `+eventCols+` FROM member_event WHERE person_id = ANY(?::bigint[]) ORDER BY person_id, effective, id`,
		pgdialect.Array(in))
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("member: histories: %w", err)
	}
	m := make(map[int64][]Event, len(in))
	for _, id := range in {
		m[id] = nil
	}
	for _, e := range es {
		m[e.PersonID] = append(m[e.PersonID], e)
	}
	return m, nil
}

// Status returns the membership of a person in the actor's scope on a date.
func Status(ctx context.Context, db bun.IDB, personID int64, on time.Time) (State, error) {
	es, err := History(ctx, db, personID)
	if err != nil {
		return State{}, err
	}
	return StatusOn(es, vn.Day(on)), nil
}

// Spans returns the status spans of a person in the actor's scope, oldest first.
func Spans(ctx context.Context, db bun.IDB, personID int64) ([]Span, error) {
	if _, err := actor(ctx, false); err != nil {
		return nil, err
	}
	if _, err := people.GetOne(ctx, db, personID); err != nil {
		return nil, err
	}
	var out []Span
	err := ptdb.Scan(ctx, db, &out, `SELECT person_id, unit_id, status, coalesce(grade, '') AS grade, valid_from, valid_to
		FROM member_status_span WHERE person_id = ? ORDER BY valid_from`, personID)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("member: spans: %w", err)
	}
	return out, nil
}

// subtree returns the SQL of a materialized CTE "u" with the units of unitID's subtree on day d, with its
// arguments; ok is false when the unit did not exist on d. The unit must be in the actor's scope today.
// For a count (records false) the subtree is the one of day d, whole: a count for a past day is a figure
// of the tree as it stood then, and a commune's figures do not change when a cell leaves it later. For a
// list of records, only the units in the actor's scope today are kept: a cell that has since moved to
// another owner is that owner's, with its past.
func subtree(ctx context.Context, db bun.IDB, a *auth.Actor, unitID int64, d time.Time, records bool) (string, []any, bool, error) {
	if err := auth.CheckUnits(ctx, db, unitID); err != nil {
		return "", nil, false, err
	}
	var path string
	err := ptdb.Scan(ctx, db, &path, `SELECT path::text AS path FROM org_link
		WHERE unit_id = ? AND valid_from <= ?::date AND (valid_to IS NULL OR valid_to > ?::date)`, unitID, d, d)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil, false, nil
	}
	if err != nil {
		return "", nil, false, fmt.Errorf("member: unit path: %w", err)
	}
	// On the scope's own day, the subtree of a unit in scope is in scope: the condition is implied and
	// left out (on a province it would otherwise cost a probe per unit).
	cond, args := "TRUE", []any(nil)
	if sc := a.Scope(); records && !sc.All && !d.Equal(sc.On) {
		cond, args = sc.UnitFilter("l.unit_id")
	}
	return `WITH u AS MATERIALIZED (SELECT l.unit_id FROM org_link l
			WHERE ` + auth.SubtreeSQL("l.path", "?::ltree") + ` AND l.valid_from <= ?::date AND (l.valid_to IS NULL OR l.valid_to > ?::date) AND ` + cond + `) `,
		append([]any{path, d, d}, args...), true, nil
}

// CountByStatus counts the persons with a status span on date in the subtree of a unit as the tree stood
// on that date, by status (see MemberStatuses and Members for the member total). Persons who have since
// moved away still count for dates when they were there, and so do the units that have since moved to
// another owner: a count is a figure of the tree of its day.
func CountByStatus(ctx context.Context, db bun.IDB, unitID int64, date time.Time) (map[string]int, error) {
	a, err := actor(ctx, false)
	if err != nil {
		return nil, err
	}
	d := vn.Day(date)
	with, args, ok, err := subtree(ctx, db, a, unitID, d, false)
	if err != nil || !ok {
		return map[string]int{}, err
	}
	if m, ok, err := countsFromRollup(ctx, db, unitID, d); err != nil || ok {
		return m, err
	}
	var rows []struct {
		Status string `bun:"status"`
		N      int    `bun:"n"`
	}
	err = ptdb.Scan(ctx, db, &rows, with+`SELECT s.status, count(*) AS n FROM u JOIN member_status_span s ON s.unit_id = u.unit_id
		WHERE s.valid_from <= ?::date AND (s.valid_to IS NULL OR s.valid_to > ?::date) GROUP BY s.status`,
		append(args, d, d)...)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("member: count by status: %w", err)
	}
	m := make(map[string]int, len(rows))
	for _, r := range rows {
		m[r.Status] = r.N
	}
	return m, nil
}

// rollupDays is how far back a count is taken from member_open_count (migration 0033): its corrections
// are the spans that begin or end after the day, read by date nationally. At national size (Hà Nội,
// 26,605 units): today 0.5 ms against 470 ms from the spans, a week back (13,600 corrections) 50–80 ms,
// a month back (56,000) 350 ms, no faster than the spans. Only the cost depends on it, never the count.
const rollupDays = 7

// countsFromRollup counts through member_counts_on: one probe per status of the rollup, whatever the
// subtree's size. ok is false when the rollup cannot answer the day (the tree changed after it, or it
// lies more than rollupDays back).
func countsFromRollup(ctx context.Context, db bun.IDB, unitID int64, d time.Time) (map[string]int, bool, error) {
	if d.Before(vn.Today().AddDate(0, 0, -rollupDays)) {
		return nil, false, nil
	}
	var rows []struct {
		Status *string `bun:"status"`
		N      int     `bun:"n"`
	}
	err := ptdb.Scan(ctx, db, &rows, `SELECT status, coalesce(n, 0) AS n FROM member_counts_on(?, ?::date)`, unitID, d)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, false, fmt.Errorf("member: count by status: %w", err)
	}
	m := make(map[string]int, len(rows))
	for _, r := range rows {
		if r.Status == nil {
			return nil, false, nil
		}
		m[*r.Status] = r.N
	}
	return m, true, nil
}

// List returns the status spans valid on date in the subtree of a unit (as the tree stood then), one per
// person, ordered by unit id, then person id (the keyset; see Span.PageKey). status "" lists the members
// (MemberStatuses), in the units of that subtree that are in the actor's scope today (a cell that has
// since moved to another owner is listed by that owner, for past dates too). Only ids are returned: a
// person who has since moved out of the actor's scope is listed for the dates they were here, but
// people.Get will not return their record.
func List(ctx context.Context, db bun.IDB, unitID int64, date time.Time, status string, p page.Args) (page.Page[Span], error) {
	a, err := actor(ctx, false)
	if err != nil {
		return page.Page[Span]{}, err
	}
	statuses := MemberStatuses
	if status != "" {
		if !slices.Contains(append(slices.Clone(MemberStatuses), StatusTransferredOut, StatusRemoved, StatusExpelled, StatusDeceased), status) {
			return page.Page[Span]{}, apperr.Invalid("status", fmt.Sprintf("Trạng thái %q không tồn tại.", status), fmt.Sprintf("unknown status %q", status))
		}
		statuses = []string{status}
	}
	var afterUnit, afterPerson int64
	if p.After != "" {
		u, pe, ok := strings.Cut(p.After, ":")
		var err1, err2 error
		afterUnit, err1 = strconv.ParseInt(u, 10, 64)
		afterPerson, err2 = strconv.ParseInt(pe, 10, 64)
		if !ok || err1 != nil || err2 != nil {
			return page.Page[Span]{}, apperr.Invalid("after", "Con trỏ phân trang (after) không hợp lệ.", "invalid cursor in after")
		}
	}
	d := vn.Day(date)
	with, args, ok, err := subtree(ctx, db, a, unitID, d, true)
	if err != nil || !ok {
		return page.Page[Span]{}, err
	}
	// Units in id order, then each unit's spans in person order from the index: the sort on (unit,
	// person) is incremental and stops at the page, so a page costs the same in a province as in a cell.
	var out []Span
	err = ptdb.Scan(ctx, db, &out, with+`SELECT s.person_id, s.unit_id, s.status, coalesce(s.grade, '') AS grade, s.valid_from, s.valid_to
		FROM (SELECT unit_id FROM u WHERE unit_id >= ? ORDER BY unit_id) o
		JOIN LATERAL (SELECT * FROM member_status_span s WHERE s.unit_id = o.unit_id
			AND s.valid_from <= ?::date AND (s.valid_to IS NULL OR s.valid_to > ?::date) AND s.status = ANY(?::text[])
			AND (s.unit_id, s.person_id) > (?, ?) ORDER BY s.person_id) s ON TRUE
		ORDER BY o.unit_id, s.person_id LIMIT ?`,
		append(args, afterUnit, d, d, pgdialect.Array(statuses), afterUnit, afterPerson, p.First+1)...)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return page.Page[Span]{}, fmt.Errorf("member: list: %w", err)
	}
	return page.Trim(out, p), nil
}

// PageKey is a listed span's cursor key ("unit:person"), for page.Cursor.
func (s Span) PageKey() string {
	return strconv.FormatInt(s.UnitID, 10) + ":" + strconv.FormatInt(s.PersonID, 10)
}

// ExtendYearEnd fills the year-end rollup (migration 0006, member_yearend) up to next year when a new
// year has begun since it was last filled: a no-op on most days. Run as the schema owner at every
// migration (server start, nightly), so that the denominators of next year's rate targets stay one
// index probe instead of a count over the status spans.
func ExtendYearEnd(ctx context.Context, owner bun.IDB) error {
	if _, err := owner.ExecContext(ctx, `SELECT member_extend_yearend()`); err != nil {
		return fmt.Errorf("member: extend the year-end rollup: %w", err)
	}
	return nil
}

// RecordDirect records an event a clerk enters by hand (exemption, transfer, removal, death). Admission,
// readmission and recognition come only from the candidate pipeline, which checks their steps and votes:
// entered directly they would skip them.
func RecordDirect(ctx context.Context, idb bun.IDB, e Event) error {
	if e.Kind == KindAdmitted || e.Kind == KindRecognized || e.Kind == KindReadmitted {
		return apperr.Invalid("kind", "Kết nạp và công nhận chính thức được ghi qua hồ sơ phát triển đảng viên.",
			"admission and recognition are recorded through the candidate pipeline")
	}
	return Record(ctx, idb, e)
}
