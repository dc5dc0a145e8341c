package pipeline

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/uptrace/bun"

	"ptdv/internal/apperr"
	"ptdv/internal/audit"
	"ptdv/internal/auth"
	"ptdv/internal/calendar"
	"ptdv/internal/vn"
)

// requireWriter is the request's actor once auth's permission table lets it move cases.
func requireWriter(ctx context.Context) (*auth.Actor, error) {
	return auth.Permitted(ctx, auth.PermWriteCase)
}

// Doc is the document that backs a move: its effective date, form number (1-KNĐ … 11-KNĐ),
// resolution or decision number and date.
type Doc struct {
	Effective time.Time
	Form      string
	Number    string
	Date      *time.Time
	Note      string
}

// Votes of a resolution: for, of the eligible (full members of the cell, committee members).
type Votes struct{ For, Eligible int }

// env is what a move needs besides the case: the rules and the working-day calendar.
type env struct {
	rules Rules
	cal   *calendar.Calendar
	// history: the moves record facts of the past (AsHistory), so missed deadlines are flagged.
	history bool
}

type historyKey struct{}

// AsHistory marks the moves made with ctx as records of facts of the past, as an import of an office's
// files is: a deadline they missed (a rule with enforcement EnforceDeadline) does not refuse them but
// is recorded on the event (Event.LateRule, Event.LateDays). Every other rule applies as to a new move.
func AsHistory(ctx context.Context) context.Context {
	return context.WithValue(ctx, historyKey{}, true)
}

// missed decides a move dated on after its deadline due: for history, the lateness to record on the
// event (working days, at least 1); for a new move, or a rule that is not a deadline, the refusal.
func (e env) missed(rule string, due, on time.Time, refusal error) (*Late, error) {
	if !e.history || e.rules[rule].Enforcement != EnforceDeadline {
		return nil, refusal
	}
	return &Late{Rule: rule, WorkingDays: max(1, e.cal.WorkingDaysBetween(due, on))}, nil
}

// Late is a deadline a recorded fact missed.
type Late struct {
	Rule        string
	WorkingDays int
}

// flag records l (if any) on the event.
func (ev *Event) flag(l *Late) {
	if l != nil {
		ev.LateRule, ev.LateDays = &l.Rule, &l.WorkingDays
	}
}

func ptr[T any](v T) *T { return &v }

func (d Doc) clean(requireNumber bool) (Doc, error) {
	if d.Effective.IsZero() {
		return d, apperr.Invalid("effective", "Cần ngày hiệu lực.", "effective date is required")
	}
	d.Effective = vn.Day(d.Effective)
	if err := pastDate("effective", d.Effective); err != nil {
		return d, err
	}
	if d.Date != nil {
		d.Date = ptr(vn.Day(*d.Date))
		if err := pastDate("document.date", *d.Date); err != nil {
			return d, err
		}
	}
	d.Number, d.Form, d.Note = strings.TrimSpace(d.Number), strings.TrimSpace(d.Form), strings.TrimSpace(d.Note)
	if requireNumber && d.Number == "" {
		return d, apperr.Invalid("document.number", "Cần số văn bản (nghị quyết, quyết định).", "the document number is required")
	}
	if len(d.Number) > 200 || len(d.Form) > 50 || len(d.Note) > 2000 {
		return d, apperr.Invalid("document", "Số văn bản, mẫu hoặc ghi chú quá dài.", "document fields too long")
	}
	return d, nil
}

// pastDate refuses a date after today (a move records what has happened: a certificate dated
// 31/12/9999 once went through and gave five-digit years in the dues) or before 1900, as member
// events do.
func pastDate(field string, t time.Time) error {
	if today := vn.Today(); t.After(today) {
		return apperr.Invalid(field, fmt.Sprintf("Ngày %s sau ngày hôm nay (%s): chỉ ghi những việc đã diễn ra.", vn.Date(t), vn.Date(today)),
			"the date is in the future")
	}
	if t.Year() < 1900 {
		return apperr.Invalid(field, fmt.Sprintf("Ngày %s không hợp lệ (trước năm 1900).", vn.Date(t)), "the date is before 1900")
	}
	return nil
}

// Step is one move of a case: its event kind, its input (kept in the audit row) and its rules. The
// constructors (Course, Dossier, CellVote, …) build them; Apply runs one against the database, and a
// Batch replays them in memory for a bulk import.
type Step struct {
	kind  string
	input any
	apply func(c *Case, w world) (Event, error)
	// perm, when set, is the permission the move needs besides writing cases, held by the board of a
	// unit whose kind decides admissions (see mayDecide).
	perm auth.Permission
}

// mayDecide refuses a move that needs a permission the actor's role lacks (auth's permission table),
// or that the actor's unit may not take: only a unit whose kind decides admissions
// (org_kind.decides_admission) records a committee's resolution or an admission decision. A national
// actor (no unit) may.
func mayDecide(a *auth.Actor, p auth.Permission, unitDecides bool) error {
	if p == "" {
		return nil
	}
	if err := a.Require(p); err != nil {
		return err
	}
	if a.UnitID != 0 && !unitDecides {
		return apperr.New(apperr.Forbidden,
			"Đơn vị của bạn không có thẩm quyền ghi nghị quyết của đảng ủy hoặc quyết định kết nạp; việc này do ban tổ chức của cấp ủy có thẩm quyền ghi.",
			fmt.Sprintf("unit %s does not decide admissions (%s)", a.UnitCode, p))
	}
	return nil
}

// unitDecides reads whether the actor's unit is of a kind that decides admissions.
func unitDecides(ctx context.Context, tx bun.IDB, a *auth.Actor) (bool, error) {
	if a.UnitID == 0 {
		return true, nil
	}
	var ok bool
	err := tx.NewRaw(`SELECT k.decides_admission FROM org_unit u JOIN org_kind k ON k.code = u.kind WHERE u.id = ?`, a.UnitID).Scan(ctx, &ok)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return ok, err
}

// run applies the step's rules to c (changing it) and checks the date order against the case's last
// recorded move: the part of a move that Apply and a Batch share.
func (s Step) run(c *Case, w world, last time.Time) (Event, error) {
	if !c.Open() {
		return Event{}, apperr.Rule(RuleStageOrder, "Hồ sơ đã kết thúc, không thể cập nhật thêm.", "the case is closed")
	}
	ev, err := s.apply(c, w)
	if err != nil {
		return Event{}, err
	}
	if ev.Effective.Before(last) {
		return Event{}, apperr.Rule(RuleDateOrder,
			fmt.Sprintf("Ngày %s sớm hơn bước đã ghi gần nhất (%s).", vn.Date(ev.Effective), vn.Date(last)),
			fmt.Sprintf("date %s is before the last recorded move (%s)", ev.Effective.Format(time.DateOnly), last.Format(time.DateOnly)))
	}
	ev.Kind = s.kind
	return ev, nil
}

// Apply runs one move of a case: permission, one transaction with the case locked, the version check
// (two officers moving the same case at once: exactly one succeeds, the other gets CONFLICT), the
// move's own rules, the date order, then the cached state, the event, the dues and the audit row.
func Apply(ctx context.Context, db bun.IDB, caseID int64, version int, s Step) (Case, error) {
	a, err := requireWriter(ctx)
	if err != nil {
		return Case{}, err
	}
	if err := a.Require(s.perm); s.perm != "" && err != nil {
		return Case{}, err
	}
	var out Case
	err = db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if s.perm != "" {
			decides, err := unitDecides(ctx, tx, a)
			if err != nil {
				return err
			}
			if err := mayDecide(a, s.perm, decides); err != nil {
				return err
			}
		}
		cond, args, err := scope(ctx)
		if err != nil {
			return err
		}
		var c Case
		err = tx.NewRaw(`SELECT `+caseCols+` FROM candidate_case c WHERE c.id = ? AND `+cond+` FOR UPDATE`,
			append([]any{caseID}, args...)...).Scan(ctx, &c)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.NotFoundf("case", fmt.Sprint(caseID))
		}
		if err != nil {
			return err
		}
		if c.Version != version {
			return apperr.ConflictStale("Hồ sơ vừa được người khác cập nhật; hãy tải lại rồi thực hiện lại.",
				fmt.Sprintf("case %d is at version %d, not %d", caseID, c.Version, version))
		}
		e, err := loadEnv(ctx, tx)
		if err != nil {
			return err
		}
		var last time.Time
		if err := tx.NewRaw(`SELECT coalesce(max(effective), '0001-01-01') FROM case_event WHERE case_id = ?`, c.ID).Scan(ctx, &last); err != nil {
			return err
		}
		before := c
		ev, err := s.run(&c, dbWorld{ctx, tx, e}, last)
		if err != nil {
			return err
		}
		if err := save(ctx, tx, &c, ev, e); err != nil {
			return err
		}
		out = c
		return audit.Record(ctx, tx, "case."+s.kind, "candidate_case", fmt.Sprint(c.ID), before, map[string]any{"case": c, "input": s.input})
	})
	if err != nil {
		return Case{}, translate(err)
	}
	return out, nil
}

func translate(err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23505" && strings.Contains(pe.ConstraintName, "open_person") {
		return apperr.New(apperr.Conflict, "Người này đã có một hồ sơ đang theo dõi.", "the person already has an open case")
	}
	return err
}

type envCacheKey struct{}

// WithEnvCache returns a context in which the rules and the calendar are read once and reused by every
// move: for a bulk import, whose thousands of moves run in one transaction where neither can change.
func WithEnvCache(ctx context.Context) context.Context {
	return context.WithValue(ctx, envCacheKey{}, &env{})
}

func loadEnv(ctx context.Context, tx bun.IDB) (env, error) {
	history := ctx.Value(historyKey{}) != nil
	cache, _ := ctx.Value(envCacheKey{}).(*env)
	if cache != nil && cache.cal != nil {
		e := *cache
		e.history = history
		return e, nil
	}
	e, err := readEnv(ctx, tx)
	if err == nil && cache != nil {
		*cache = e
	}
	e.history = history
	return e, err
}

func readEnv(ctx context.Context, tx bun.IDB) (env, error) {
	rules, err := LoadRules(ctx, tx)
	if err != nil {
		return env{}, err
	}
	cal, err := calendar.Load(ctx, tx)
	if err != nil {
		return env{}, err
	}
	return env{rules: rules, cal: cal}, nil
}

// save writes the cached state (bumping the version), the event and the dues.
func save(ctx context.Context, tx bun.IDB, c *Case, ev Event, e env) error {
	res, err := tx.NewRaw(`UPDATE candidate_case SET stage = ?, stage_since = ?, certificate_on = ?, dossier_on = ?,
			cell_resolution_on = ?, committee_resolution_on = ?, decision_on = ?, decision_no = ?, extensions = ?,
			ceremony_on = ?, recognized_on = ?, closed_on = ?, close_reason = ?, recognition_rounds = ?, helper_id = ?,
			version = version + 1, updated_at = now()
		WHERE id = ? AND version = ?`,
		c.Stage, c.StageSince, c.CertificateOn, c.DossierOn, c.CellResolutionOn, c.CommitteeResolutionOn, c.DecisionOn,
		c.DecisionNo, c.Extensions, c.CeremonyOn, c.RecognizedOn, c.ClosedOn, c.CloseReason, c.RecognitionRounds, c.HelperID,
		c.ID, c.Version).Exec(ctx)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return apperr.ConflictStale("Hồ sơ vừa được người khác cập nhật; hãy tải lại rồi thực hiện lại.", "concurrent update")
	}
	c.Version++
	return insertEvent(ctx, tx, c, ev, e)
}

func insertEvent(ctx context.Context, tx bun.IDB, c *Case, ev Event, e env) error {
	a, _ := auth.FromContext(ctx)
	if ev.Details == "" {
		ev.Details = "{}"
	}
	_, err := tx.NewRaw(`INSERT INTO case_event (case_id, kind, stage_after, effective, form, document_no, document_date,
			votes_for, votes_eligible, reason, note, details, recorded_by, late_rule, late_days)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?)`,
		c.ID, ev.Kind, c.Stage, ev.Effective, ev.Form, ev.DocumentNo, ev.DocumentDate, ev.VotesFor, ev.VotesEligible,
		ev.Reason, ev.Note, ev.Details, a.Subject, ev.LateRule, ev.LateDays).Exec(ctx)
	if err != nil {
		return err
	}
	return recomputeDues(ctx, tx, *c, e)
}

func eventOf(d Doc) Event {
	return Event{Effective: d.Effective, Form: d.Form, DocumentNo: d.Number, DocumentDate: d.Date, Note: d.Note}
}

func jsonOf(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "{}"
	}
	return string(b)
}

// from begins a move of a case at one of stages: the move's document cleaned (clean), and a refusal
// unless the case stands at one of the stages.
func (d Doc) from(c *Case, requireNumber bool, stages ...string) (Doc, error) {
	d, err := d.clean(requireNumber)
	if err != nil {
		return d, err
	}
	return d, stageIs(c, stages...)
}

// stageIs refuses a move unless the case is at one of the stages the move starts from.
func stageIs(c *Case, want ...string) error {
	for _, w := range want {
		if c.Stage == w {
			return nil
		}
	}
	labels := make([]string, len(want))
	for i, w := range want {
		labels[i] = StageLabels[w]
	}
	return apperr.Rule(RuleStageOrder,
		fmt.Sprintf("Hồ sơ đang ở bước \"%s\"; bước này cần hồ sơ ở bước: %s.", StageLabels[c.Stage], strings.Join(labels, "; ")),
		fmt.Sprintf("case is at stage %s; this move needs %s", c.Stage, strings.Join(want, " or ")))
}

func advance(c *Case, stage string, on time.Time) {
	c.Stage, c.StageSince = stage, on
}
