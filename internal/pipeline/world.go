package pipeline

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"ptdv/internal/apperr"
	"ptdv/internal/auth"
	"ptdv/internal/member"
	"ptdv/internal/vn"
)

// world is what the rules of a move read and what a move writes besides the case itself. The API's moves
// run against the database (dbWorld); a bulk import of new persons replays the same moves in memory
// (draft), so both go through one set of rules.
type world interface {
	env() env
	// person returns a candidate, sponsor or helper for the rules: NOT_FOUND when out of scope.
	person(id int64) (person, error)
	// cellKind is the kind of the unit on a date, "" when it does not exist then.
	cellKind(id int64, on time.Time) (string, error)
	codeKnown(list, code string) (bool, error)
	setSponsors(c *Case, ss []SponsorInput) error
	// recordMember writes the membership event a move implies (member.Record's rules apply).
	recordMember(c *Case, kind string, on time.Time, decision *time.Time, doc string) error
	// fullMembers is the number of full members of a cell on a date: the members entitled to vote on
	// a candidate's admission and on a probationary member's recognition.
	fullMembers(cellID int64, on time.Time) (int, error)
}

// FullMembers is the number of full members of a cell in the actor's scope who vote on a date: the
// number entitled to vote on its resolutions, which CellResolution and RecognitionVote require.
func FullMembers(ctx context.Context, db bun.IDB, cellID int64, on time.Time) (int, error) {
	if err := auth.CheckUnits(ctx, db, cellID); err != nil {
		return 0, err
	}
	return dbWorld{ctx: ctx, tx: db}.fullMembers(cellID, vn.Day(on))
}

// fullMembers counts the recorded voters by voterOn, in two queries whatever the cell's size: the cell's
// status spans that cover the date (any status: the rule, not the query, decides who counts), then the
// recognitions by vote of their persons. During an import (WithFileVoters) it adds the members the file
// recognizes and the records do not hold yet (Expected).
func (w dbWorld) fullMembers(cellID int64, on time.Time) (int, error) {
	var spans []member.Span
	err := w.tx.NewRaw(`SELECT person_id, unit_id, status, coalesce(grade, '') AS grade, valid_from, valid_to FROM member_status_span
		WHERE unit_id = ? AND valid_from <= ? AND (valid_to IS NULL OR valid_to > ?)`, cellID, on, on).Scan(w.ctx, &spans)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, err
	}
	ids := make([]int64, len(spans))
	for i, s := range spans {
		ids[i] = s.PersonID
	}
	windows, err := voteWindowsOf(w.ctx, w.tx, ids)
	if err != nil {
		return 0, err
	}
	return Expected(countVoters(cellID, spans, windows, on), fileVotersOf(w.ctx), cellID, on), nil
}

// dbWorld is the world of one move's transaction.
type dbWorld struct {
	ctx context.Context
	tx  bun.IDB
	e   env
}

func (w dbWorld) env() env { return w.e }

func (w dbWorld) person(id int64) (person, error) { return facts(w.ctx, w.tx, id) }

func (w dbWorld) cellKind(id int64, on time.Time) (string, error) {
	var kind string
	err := w.tx.NewRaw(`SELECT u.kind FROM org_unit u JOIN org_link l ON l.unit_id = u.id
		WHERE u.id = ? AND l.valid_from <= ? AND (l.valid_to IS NULL OR l.valid_to > ?)`, id, on, on).Scan(w.ctx, &kind)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return kind, err
}

func (w dbWorld) codeKnown(list, code string) (bool, error) {
	var ok bool
	err := w.tx.NewRaw(`SELECT EXISTS (SELECT 1 FROM code_item WHERE list = ? AND code = ?)`, list, code).Scan(w.ctx, &ok)
	return ok, err
}

func (w dbWorld) setSponsors(c *Case, ss []SponsorInput) error {
	if _, err := w.tx.NewRaw(`DELETE FROM case_sponsor WHERE case_id = ?`, c.ID).Exec(w.ctx); err != nil {
		return err
	}
	for _, s := range ss {
		if _, err := w.tx.NewRaw(`INSERT INTO case_sponsor (case_id, sponsor_id, known_since, letter_on) VALUES (?, ?, ?, ?)`,
			c.ID, s.PersonID, s.KnownSince, s.LetterOn).Exec(w.ctx); err != nil {
			return err
		}
	}
	return nil
}

func (w dbWorld) recordMember(c *Case, kind string, on time.Time, decision *time.Time, doc string) error {
	return member.Record(w.ctx, w.tx, member.Event{PersonID: c.PersonID, UnitID: c.CellID, Kind: kind, Effective: on,
		DecisionDate: decision, Document: doc})
}

// requireFullMember refuses a sponsor, helper or responsible committee member who is not a full member
// on the date by the voters' rule (voterOn: a member recognized by a vote from the day after it),
// naming the rule of the role (RuleSponsorFullMember, RuleHelperFullMember, RuleResponsibleFullMember).
func requireFullMember(w world, id int64, on time.Time, field, rule string) error {
	p, err := w.person(id)
	if err != nil {
		if apperr.CodeOf(err) == apperr.NotFound {
			return apperr.Invalid(field, "Không tìm thấy đảng viên được chọn.", "member not found")
		}
		return err
	}
	if !voterOn(p.spans, p.votes, 0, on) {
		return apperr.Rule(rule,
			fmt.Sprintf("%s không phải đảng viên chính thức vào ngày %s.", p.FullName, vn.Date(on)),
			fmt.Sprintf("person %d is not a full member on %s", id, on.Format(time.DateOnly)))
	}
	return nil
}

// checkCell refuses a case in a unit that is not a cell on the date.
func checkCell(w world, cellID int64, on time.Time) error {
	kind, err := w.cellKind(cellID, on)
	if err != nil {
		return err
	}
	if kind == "" {
		return apperr.Rule("org.unit_alive", fmt.Sprintf("Chi bộ không tồn tại vào ngày %s.", vn.Date(on)), "the cell does not exist on that date")
	}
	if kind != "cell" && kind != "grassroots_cell" {
		return apperr.Invalid("cellId", "Hồ sơ phát triển đảng viên thuộc về một chi bộ.", "a case belongs to a cell")
	}
	return nil
}

func checkCode(w world, list, code, field, what string) error {
	ok, err := w.codeKnown(list, code)
	if err != nil {
		return err
	}
	if !ok {
		return apperr.Invalid(field, fmt.Sprintf("%s %q không có trong danh mục.", what, code), "unknown "+list)
	}
	return nil
}
