package pipeline

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"ptdv/internal/auth"
	"ptdv/internal/byid"
	ptdb "ptdv/internal/db"
)

// Stages, in order. Left and removed end a case outside the order.
const (
	StageSource              = "source"
	StageCourseDone          = "course_done"
	StageDossier             = "dossier"
	StageCellResolution      = "cell_resolution"
	StageCommitteeResolution = "committee_resolution"
	StageDecision            = "decision"
	StageProbation           = "probation"
	StageFullMember          = "full_member"
	StageLeft                = "left"
	StageRemoved             = "removed"
)

// Stages lists the stages in pipeline order, the closed ones last.
var Stages = []string{StageSource, StageCourseDone, StageDossier, StageCellResolution, StageCommitteeResolution,
	StageDecision, StageProbation, StageFullMember, StageLeft, StageRemoved}

// StageLabels are the Vietnamese names of the stages.
var StageLabels = map[string]string{
	StageSource:              "Nguồn (quần chúng ưu tú)",
	StageCourseDone:          "Đã học lớp bồi dưỡng nhận thức về Đảng",
	StageDossier:             "Đã hoàn thiện hồ sơ",
	StageCellResolution:      "Chi bộ đã có nghị quyết",
	StageCommitteeResolution: "Đảng ủy cơ sở đã có nghị quyết",
	StageDecision:            "Đã có quyết định kết nạp",
	StageProbation:           "Đảng viên dự bị",
	StageFullMember:          "Đảng viên chính thức",
	StageLeft:                "Đã ra khỏi danh sách",
	StageRemoved:             "Xóa tên (không công nhận chính thức)",
}

func stageIndex(s string) int { return slices.Index(Stages, s) }

// Case is a candidate case with its current state (derived from its events).
type Case struct {
	ID                    int64      `bun:"id"`
	PersonID              int64      `bun:"person_id"`
	CellID                int64      `bun:"cell_id"`
	Proposer              string     `bun:"proposer"`
	Stage                 string     `bun:"stage"`
	StageSince            time.Time  `bun:"stage_since"`
	ListedOn              time.Time  `bun:"listed_on"`
	CertificateOn         *time.Time `bun:"certificate_on"`
	DossierOn             *time.Time `bun:"dossier_on"`
	CellResolutionOn      *time.Time `bun:"cell_resolution_on"`
	CommitteeResolutionOn *time.Time `bun:"committee_resolution_on"`
	DecisionOn            *time.Time `bun:"decision_on"`
	DecisionNo            *string    `bun:"decision_no"`
	Extensions            int        `bun:"extensions"`
	// DecisionExtendedOn is the day of the last extension of the decision deadline (its event's date),
	// read with the case: nil without one.
	DecisionExtendedOn *time.Time `bun:"decision_extended_on"`
	// HelperSince is the day the current helper was assigned (its event's date), read with the case.
	HelperSince       *time.Time `bun:"helper_since"`
	CeremonyOn        *time.Time `bun:"ceremony_on"`
	RecognizedOn      *time.Time `bun:"recognized_on"`
	ClosedOn          *time.Time `bun:"closed_on"`
	CloseReason       *string    `bun:"close_reason"`
	RecognitionRounds int        `bun:"recognition_rounds"`
	// VoteDays are the days of the recognition's rounds (its recognition_vote events), oldest first,
	// read with the case: empty before the first round. An import carries each round in its own columns
	// and the export writes every one, so both need the day of each, not only the first and the last.
	VoteDays []time.Time `bun:"vote_days,array" json:"-"`
	HelperID *int64      `bun:"helper_id"`
	Version  int         `bun:"version"`
	// Warnings of the move that returned the case (not stored): a former member listed before the
	// re-admission interval is over, for example.
	Warnings []string `bun:"-" json:"-"`
}

// Open reports whether the case is still in the pipeline.
func (c Case) Open() bool { return c.ClosedOn == nil }

// Event is one recorded move of a case.
type Event struct {
	ID            int64      `bun:"id"`
	CaseID        int64      `bun:"case_id"`
	Kind          string     `bun:"kind"`
	StageAfter    string     `bun:"stage_after"`
	Effective     time.Time  `bun:"effective"`
	Form          string     `bun:"form"`
	DocumentNo    string     `bun:"document_no"`
	DocumentDate  *time.Time `bun:"document_date"`
	VotesFor      *int       `bun:"votes_for"`
	VotesEligible *int       `bun:"votes_eligible"`
	Reason        *string    `bun:"reason"`
	Note          string     `bun:"note"`
	Details       string     `bun:"details"`
	RecordedBy    string     `bun:"recorded_by"`
	RecordedAt    time.Time  `bun:"recorded_at"`
	// LateRule and LateDays: a fact of the past recorded after its deadline (see AsHistory).
	LateRule *string `bun:"late_rule"`
	LateDays *int    `bun:"late_days"`
}

// Due is something due for a case on a date.
type Due struct {
	CaseID int64     `bun:"case_id"`
	Kind   string    `bun:"kind"`
	DueOn  time.Time `bun:"due_on"`
	RuleID string    `bun:"rule_id"`
}

// DueLabels are the Vietnamese names of what can be due.
var DueLabels = map[string]string{
	"certificate_expires": "Giấy chứng nhận bồi dưỡng nhận thức về Đảng hết hạn",
	"dossier_stale":       "Hồ sơ quá 12 tháng chưa được chi bộ xét",
	"decision_due":        "Hạn ra quyết định kết nạp",
	"ceremony_due":        "Hạn tổ chức lễ kết nạp",
	"probation_ends":      "Hết thời kỳ dự bị",
	"recognition_due":     "Hạn xét công nhận đảng viên chính thức",
	"source_stalled":      "Nguồn có giấy chứng nhận nhưng 12 tháng chưa chuyển bước",
}

// Sponsor is a full member who introduced the candidate.
type Sponsor struct {
	CaseID     int64     `bun:"case_id"`
	SponsorID  int64     `bun:"sponsor_id"`
	KnownSince time.Time `bun:"known_since"`
	LetterOn   time.Time `bun:"letter_on"`
}

const caseCols = `c.id, c.person_id, c.cell_id, c.proposer, c.stage, c.stage_since, c.listed_on, c.certificate_on, c.dossier_on,
	c.cell_resolution_on, c.committee_resolution_on, c.decision_on, c.decision_no, c.extensions, c.ceremony_on, c.recognized_on,
	c.closed_on, c.close_reason, c.recognition_rounds, c.helper_id, c.version,
	CASE WHEN c.extensions > 0 THEN (SELECT max(x.effective) FROM case_event x WHERE x.case_id = c.id AND x.kind = 'decision_extended') END
		AS decision_extended_on,
	CASE WHEN c.helper_id IS NOT NULL THEN (SELECT max(x.effective) FROM case_event x WHERE x.case_id = c.id AND x.kind = 'helper_assigned') END
		AS helper_since,
	CASE WHEN c.recognition_rounds > 0 THEN ARRAY(SELECT x.effective FROM case_event x WHERE x.case_id = c.id AND x.kind = 'recognition_vote'
		ORDER BY x.effective, x.id) END AS vote_days`

// scope returns the condition that keeps cases inside the actor's scope: a case belongs to its cell.
func scope(ctx context.Context) (string, []any, error) {
	a, err := auth.FromContext(ctx)
	if err != nil {
		return "", nil, err
	}
	cond, args := a.Scope().UnitFilter("c.cell_id")
	return cond, args, nil
}

// Get returns the cases with the given ids that are in scope.
func Get(ctx context.Context, db bun.IDB, ids []int64) (map[int64]Case, error) {
	cond, args, err := scope(ctx)
	if err != nil {
		return nil, err
	}
	var cs []Case
	err = ptdb.Scan(ctx, db, &cs, `SELECT `+caseCols+` FROM candidate_case c WHERE c.id = ANY(?::bigint[]) AND `+cond,
		append([]any{pgdialect.Array(ids)}, args...)...)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("pipeline: get cases: %w", err)
	}
	return byid.Map(cs, func(c Case) int64 { return c.ID }), nil
}

// GetOne returns one case or NOT_FOUND.
func GetOne(ctx context.Context, db bun.IDB, id int64) (Case, error) {
	m, err := Get(ctx, db, []int64{id})
	return byid.One(m, err, "case", id)
}

// History returns a case's events, oldest first.
func History(ctx context.Context, db bun.IDB, caseID int64) ([]Event, error) {
	if _, err := GetOne(ctx, db, caseID); err != nil {
		return nil, err
	}
	var evs []Event
	err := ptdb.Scan(ctx, db, &evs, `SELECT id, case_id, kind, stage_after, effective, form, document_no, document_date, votes_for, votes_eligible,
			reason, note, details::text AS details, recorded_by, recorded_at, late_rule, late_days
		FROM case_event WHERE case_id = ? ORDER BY effective, id`, caseID)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("pipeline: history: %w", err)
	}
	return evs, nil
}

// Sponsors returns the sponsors of many cases (in scope) at once, by case.
func Sponsors(ctx context.Context, db bun.IDB, caseIDs []int64) (map[int64][]Sponsor, error) {
	return perCase(ctx, db, "sponsors", `SELECT x.case_id, x.sponsor_id, x.known_since, x.letter_on FROM case_sponsor x`,
		"x.sponsor_id", caseIDs, func(s Sponsor) int64 { return s.CaseID })
}

// Dues returns what is due for many cases (in scope) at once, earliest first.
func Dues(ctx context.Context, db bun.IDB, caseIDs []int64) (map[int64][]Due, error) {
	return perCase(ctx, db, "dues", `SELECT x.case_id, x.kind, x.due_on, x.rule_id FROM case_due x`,
		"x.due_on, x.kind", caseIDs, func(d Due) int64 { return d.CaseID })
}

// perCase reads the rows of a table that hangs on cases (selected by sel, aliased x) for many cases in
// the actor's scope at once, grouped by case, each case's in the order order.
func perCase[T any](ctx context.Context, db bun.IDB, what, sel, order string, caseIDs []int64, caseOf func(T) int64) (map[int64][]T, error) {
	cond, args, err := scope(ctx)
	if err != nil {
		return nil, err
	}
	var rows []T
	err = ptdb.Scan(ctx, db, &rows, sel+` JOIN candidate_case c ON c.id = x.case_id WHERE x.case_id = ANY(?::bigint[]) AND `+cond+`
		ORDER BY x.case_id, `+order, append([]any{pgdialect.Array(caseIDs)}, args...)...)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("pipeline: %s: %w", what, err)
	}
	return byid.Group(rows, caseOf), nil
}
