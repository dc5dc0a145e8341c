package people

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/uptrace/bun"

	"ptdv/internal/apperr"
	"ptdv/internal/audit"
	"ptdv/internal/auth"
	"ptdv/internal/codes"
	"ptdv/internal/db"
	"ptdv/internal/vn"
)

// NewPerson describes a person to record.
type NewPerson struct {
	FullName                  string
	Sex                       string // code list "sex"
	BirthDate                 time.Time
	NationalID                string // 12 digits, or "" when not known yet
	Ethnicity                 string // code lists of the same names; "" when not recorded
	Religion                  string
	GeneralEducation          string
	ProfessionalQualification string
	PoliticalTheory           string
	Occupation                string
	YouthUnionMember          bool
	VillageID                 *int64
	Workplace                 string
	UnitID                    int64 // the unit (normally a cell) the person's records belong to
	AgeException              string
	EducationException        string
	// Since is the date from which the records belong to UnitID; zero means today.
	Since time.Time
}

// PersonPatch changes some fields of a person: nil leaves a field as it is; for the optional fields ""
// (or a VillageID of 0) clears it. The unit changes only through MoveUnit.
type PersonPatch struct {
	FullName                  *string
	Sex                       *string
	BirthDate                 *time.Time
	NationalID                *string
	Ethnicity                 *string
	Religion                  *string
	GeneralEducation          *string
	ProfessionalQualification *string
	PoliticalTheory           *string
	Occupation                *string
	YouthUnionMember          *bool
	VillageID                 *int64
	Workplace                 *string
	AgeException              *string
	EducationException        *string
}

func (pp PersonPatch) apply(f fields) fields {
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	set(&f.FullName, pp.FullName)
	set(&f.Sex, pp.Sex)
	set(&f.NationalID, pp.NationalID)
	set(&f.Ethnicity, pp.Ethnicity)
	set(&f.Religion, pp.Religion)
	set(&f.GeneralEducation, pp.GeneralEducation)
	set(&f.ProfessionalQualification, pp.ProfessionalQualification)
	set(&f.PoliticalTheory, pp.PoliticalTheory)
	set(&f.Occupation, pp.Occupation)
	set(&f.Workplace, pp.Workplace)
	set(&f.AgeException, pp.AgeException)
	set(&f.EducationException, pp.EducationException)
	if pp.BirthDate != nil {
		f.BirthDate = *pp.BirthDate
	}
	if pp.YouthUnionMember != nil {
		f.YouthUnionMember = *pp.YouthUnionMember
	}
	if pp.VillageID != nil {
		v := *pp.VillageID
		f.VillageID = &v
	}
	return f
}

// run executes a write: the actor and its permission, one transaction (or the caller's), translated
// constraint errors. A write refused because its national ID is held outside the actor's scope is
// audited after the rollback (the refusal itself writes nothing else): repeated attempts are how an
// outsider would probe for IDs.
func run(ctx context.Context, idb bun.IDB, fn func(ctx context.Context, tx bun.Tx) error) error {
	a, err := auth.FromContext(ctx)
	if err != nil {
		return err
	}
	if err := RequireWrite(a); err != nil {
		return err
	}
	err = translate(db.InTx(ctx, idb, fn))
	var held *heldElsewhere
	if errors.As(err, &held) {
		if aerr := audit.Record(ctx, idb, "person.national_id_elsewhere", "person", held.self, nil,
			map[string]any{"nationalId": Person{NationalID: held.nationalID}.MaskedNationalID(), "heldBy": held.other}); aerr != nil {
			return aerr
		}
	}
	return err
}

// heldElsewhere is the refusal of a national ID that a person outside the actor's scope holds. Its
// message is the same whoever and wherever that person is; the audit row (written by run) names them.
type heldElsewhere struct {
	err              *apperr.Error
	nationalID, self string
	other            int64
}

func (h *heldElsewhere) Error() string { return h.err.Error() }
func (h *heldElsewhere) Unwrap() error { return h.err }

// translate turns constraint violations that concurrent input can cause into coded errors.
func translate(err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case pe.Code == "23505" && strings.Contains(pe.ConstraintName, "national_id"):
			return &apperr.Error{Code: apperr.Conflict, Field: "national_id",
				Message:   "Số định danh cá nhân này vừa được ghi cho một người khác.",
				MessageEN: "national ID already recorded for another person"}
		case pe.Code == "23P01" && strings.HasPrefix(pe.TableName, "person_position"):
			return apperr.Rule(RulePositionOpen, "Người này đang giữ chức vụ đó trong khoảng thời gian này.", "overlapping position interval")
		case pe.Code == "23P01" || pe.Code == "23505":
			return apperr.Rule(RuleUnitHistory, "Thay đổi chồng lên lịch sử đã ghi.", "change overlaps recorded history: "+pe.Detail)
		}
	}
	return err
}

// duplicate refuses a national ID that another person already has. The person is named only when
// they are in the actor's scope; otherwise the answer says only that the ID is recorded elsewhere, in
// the same words whichever unit holds it, and is audited (see run). Internal ids never show.
func duplicate(ctx context.Context, tx bun.IDB, nationalID string, self int64) error {
	if nationalID == "" {
		return nil
	}
	var other struct {
		ID       int64  `bun:"id"`
		FullName string `bun:"full_name"`
		Visible  bool   `bun:"visible"`
	}
	a, _ := auth.FromContext(ctx)
	cond, args := a.Scope().UnitFilter("p.unit_id")
	err := tx.NewRaw(`SELECT p.id, p.full_name, `+cond+` AS visible FROM person p WHERE p.national_id = ? AND p.id <> ?`,
		append(args, nationalID, self)...).Scan(ctx, &other)
	if errors.Is(err, sql.ErrNoRows) {
		// Row-level security hides persons outside the scope; the database still says whether one
		// holds the number.
		var holder *int64
		if err := tx.NewRaw(`SELECT ptdv_national_id_holder(?, ?)`, nationalID, self).Scan(ctx, &holder); err != nil {
			return fmt.Errorf("people: check national ID: %w", err)
		}
		if holder == nil {
			return nil
		}
		other.ID = *holder
	}
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("people: check national ID: %w", err)
	}
	if other.Visible {
		return &apperr.Error{Code: apperr.Conflict, Field: "national_id",
			Message:   fmt.Sprintf("Số định danh cá nhân này đã được ghi cho %s.", other.FullName),
			MessageEN: "national ID already recorded for another person in your scope"}
	}
	selfID := ""
	if self != 0 {
		selfID = fmt.Sprint(self)
	}
	return &heldElsewhere{err: ErrHeldElsewhere(), nationalID: nationalID, self: selfID, other: other.ID}
}

// ErrHeldElsewhere is the refusal of a national ID recorded for a person outside the caller's scope:
// one wording, with nothing about that person.
func ErrHeldElsewhere() *apperr.Error {
	return &apperr.Error{Code: apperr.Conflict, Field: "national_id",
		Message:   "Số định danh cá nhân này đã được ghi ở nơi khác, ngoài phạm vi quản lý của bạn.",
		MessageEN: "national ID already recorded elsewhere, outside your scope"}
}

func nullIf(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// readOne reads a person inside a write, after the scope check.
func readOne(ctx context.Context, tx bun.IDB, id int64) (Person, error) {
	return (&query{}).one(ctx, tx, id, "")
}

// newFields checks a new person's fields, unit and since date without reading anything (Create and
// Prepare).
func newFields(set *codes.Set, n NewPerson) (fields, time.Time, error) {
	f, err := validate(set, fields{FullName: n.FullName, Sex: n.Sex, BirthDate: n.BirthDate,
		NationalID: n.NationalID, Ethnicity: n.Ethnicity, Religion: n.Religion, GeneralEducation: n.GeneralEducation,
		ProfessionalQualification: n.ProfessionalQualification, PoliticalTheory: n.PoliticalTheory,
		Occupation: n.Occupation, YouthUnionMember: n.YouthUnionMember, VillageID: n.VillageID,
		Workplace: n.Workplace, AgeException: n.AgeException, EducationException: n.EducationException}, nil)
	if err != nil {
		return f, time.Time{}, err
	}
	if n.UnitID == 0 {
		return f, time.Time{}, apperr.Invalid("unit_id", "Cần chọn chi bộ, đơn vị quản lý hồ sơ.", "unit_id is required")
	}
	since := vn.Today()
	if !n.Since.IsZero() {
		since = vn.Day(n.Since)
	}
	if since.After(vn.Today()) || since.Before(f.BirthDate) {
		return f, time.Time{}, apperr.Invalid("since", "Ngày bắt đầu thuộc đơn vị không hợp lệ.", "since must fall between the birth date and today")
	}
	return f, since, nil
}

// Create records a person in a unit of the actor's scope.
func Create(ctx context.Context, idb bun.IDB, n NewPerson) (Person, error) {
	var out Person
	err := run(ctx, idb, func(ctx context.Context, tx bun.Tx) error {
		a, _ := auth.FromContext(ctx)
		set, err := codes.Load(ctx, tx)
		if err != nil {
			return err
		}
		f, since, err := newFields(set, n)
		if err != nil {
			return err
		}
		if err := checkVillageChange(ctx, tx, f, nil); err != nil {
			return err
		}
		if err := auth.CheckUnits(ctx, tx, n.UnitID); err != nil {
			return err
		}
		if err := checkUnitAlive(ctx, tx, "unit_id", n.UnitID, since); err != nil {
			return err
		}
		if err := duplicate(ctx, tx, f.NationalID, 0); err != nil {
			return err
		}
		var id int64
		err = tx.NewRaw(`INSERT INTO person (full_name, sex, birth_date, national_id, ethnicity, religion, general_education,
				professional_qualification, political_theory, occupation, youth_union_member, village_id, workplace, unit_id,
				age_exception, education_exception)
			VALUES (?, ?, ?::date, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			f.FullName, f.Sex, f.BirthDate, nullIf(f.NationalID), nullIf(f.Ethnicity), nullIf(f.Religion), nullIf(f.GeneralEducation),
			nullIf(f.ProfessionalQualification), nullIf(f.PoliticalTheory), nullIf(f.Occupation), f.YouthUnionMember, f.VillageID,
			f.Workplace, n.UnitID, nullIf(f.AgeException), nullIf(f.EducationException)).Scan(ctx, &id)
		if err != nil {
			return err
		}
		if _, err := tx.NewRaw(`INSERT INTO person_unit (person_id, unit_id, valid_from, recorded_by) VALUES (?, ?, ?::date, ?)`,
			id, n.UnitID, since, a.Subject).Exec(ctx); err != nil {
			return err
		}
		if out, err = readOne(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "person.create", "person", fmt.Sprint(id), nil, auditView(out))
	})
	if err != nil {
		return Person{}, err
	}
	return out, nil
}

// Update changes a person's fields. version is the version the caller read: if the record has changed
// since, Update refuses with CONFLICT and writes nothing. The result carries the new version.
func Update(ctx context.Context, idb bun.IDB, id int64, version int, patch PersonPatch) (Person, error) {
	var out Person
	err := run(ctx, idb, func(ctx context.Context, tx bun.Tx) error {
		cur, err := GetForUpdate(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := auth.CheckUnits(ctx, tx, cur.UnitID); err != nil {
			return err
		}
		if cur.Version != version {
			return apperr.ConflictStale(
				fmt.Sprintf("Hồ sơ của %s đã được người khác sửa (phiên bản %d, bạn đang sửa phiên bản %d). Hãy tải lại rồi sửa lại.", cur.FullName, cur.Version, version),
				fmt.Sprintf("person %d is at version %d, not %d", id, cur.Version, version))
		}
		set, err := codes.Load(ctx, tx)
		if err != nil {
			return err
		}
		old := cur.fields()
		f, err := validate(set, patch.apply(old), &old)
		if err != nil {
			return err
		}
		if err := checkVillageChange(ctx, tx, f, &old); err != nil {
			return err
		}
		if f.NationalID != cur.NationalID {
			if err := duplicate(ctx, tx, f.NationalID, id); err != nil {
				return err
			}
		}
		res, err := tx.NewRaw(`UPDATE person SET full_name = ?, sex = ?, birth_date = ?::date, national_id = ?, ethnicity = ?, religion = ?,
				general_education = ?, professional_qualification = ?, political_theory = ?, occupation = ?, youth_union_member = ?,
				village_id = ?, workplace = ?, age_exception = ?, education_exception = ?, updated_at = now(), version = version + 1
			WHERE id = ? AND version = ?`,
			f.FullName, f.Sex, f.BirthDate, nullIf(f.NationalID), nullIf(f.Ethnicity), nullIf(f.Religion), nullIf(f.GeneralEducation),
			nullIf(f.ProfessionalQualification), nullIf(f.PoliticalTheory), nullIf(f.Occupation), f.YouthUnionMember,
			f.VillageID, f.Workplace, nullIf(f.AgeException), nullIf(f.EducationException), id, version).Exec(ctx)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return apperr.ConflictStale("Hồ sơ đã được người khác sửa. Hãy tải lại rồi sửa lại.", fmt.Sprintf("person %d changed concurrently", id))
		}
		if out, err = readOne(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "person.update", "person", fmt.Sprint(id), auditView(cur), auditView(out))
	})
	if err != nil {
		return Person{}, err
	}
	return out, nil
}

// MoveHook runs in MoveUnit's transaction after a person has moved. Package member registers one that
// rebuilds the person's membership status spans, so every move (a transfer, or a correction) keeps them
// in step with the person's unit.
type MoveHook func(ctx context.Context, tx bun.IDB, personID int64) error

var (
	hooksMu   sync.RWMutex
	moveHooks []MoveHook
)

// RegisterMoveHook adds a hook that MoveUnit runs; call it from an init function.
func RegisterMoveHook(h MoveHook) {
	hooksMu.Lock()
	defer hooksMu.Unlock()
	moveHooks = append(moveHooks, h)
}

// MoveUnit moves a person's records to another unit from date on (a transfer). The person must be in the
// actor's scope; the destination need not be — sending records out of one's scope is what a transfer
// is — but must exist on date. Afterwards the old unit's actors no longer see the person; the history
// (person_unit) keeps where they were.
func MoveUnit(ctx context.Context, idb bun.IDB, personID, newUnitID int64, date time.Time) error {
	return run(ctx, idb, func(ctx context.Context, tx bun.Tx) error {
		a, _ := auth.FromContext(ctx)
		cur, err := lockInScope(ctx, tx, personID)
		if err != nil {
			return err
		}
		if date.IsZero() {
			return apperr.Invalid("date", "Cần ngày chuyển.", "date is required")
		}
		d := vn.Day(date)
		if d.After(vn.Today()) {
			return apperr.Invalid("date", "Ngày chuyển không được sau ngày hôm nay.", "a move cannot be dated in the future")
		}
		if newUnitID == cur.UnitID {
			return apperr.Invalid("unit_id", "Hồ sơ đã thuộc đơn vị này.", "the person already belongs to this unit")
		}
		if err := checkUnitAlive(ctx, tx, "unit_id", newUnitID, d); err != nil {
			return err
		}
		var last time.Time
		if err := tx.NewRaw(`SELECT max(valid_from) FROM person_unit WHERE person_id = ?`, personID).Scan(ctx, &last); err != nil {
			return err
		}
		switch {
		case d.Before(last):
			return apperr.Rule(RuleUnitHistory,
				fmt.Sprintf("Hồ sơ đã có thay đổi đơn vị ngày %s; ngày chuyển mới phải từ ngày đó trở đi.", vn.Date(last)),
				fmt.Sprintf("the person's unit changed on %s; a move must be dated on or after it", last.Format(time.DateOnly)))
		case d.Equal(last): // a second move on the same day replaces the first
			_, err = tx.NewRaw(`UPDATE person_unit SET unit_id = ?, recorded_by = ?, recorded_at = now() WHERE person_id = ? AND valid_from = ?::date`,
				newUnitID, a.Subject, personID, d).Exec(ctx)
		default:
			if _, err = tx.NewRaw(`UPDATE person_unit SET valid_to = ?::date WHERE person_id = ? AND valid_to IS NULL`, d, personID).Exec(ctx); err == nil {
				_, err = tx.NewRaw(`INSERT INTO person_unit (person_id, unit_id, valid_from, recorded_by) VALUES (?, ?, ?::date, ?)`,
					personID, newUnitID, d, a.Subject).Exec(ctx)
			}
		}
		if err != nil {
			return err
		}
		if _, err := tx.NewRaw(`UPDATE person SET unit_id = ?, updated_at = now(), version = version + 1 WHERE id = ?`, newUnitID, personID).Exec(ctx); err != nil {
			return err
		}
		hooksMu.RLock()
		hooks := moveHooks
		hooksMu.RUnlock()
		for _, h := range hooks {
			if err := h(ctx, tx, personID); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, "person.move", "person", fmt.Sprint(personID),
			map[string]any{"unitId": cur.UnitID, "version": cur.Version},
			map[string]any{"unitId": newUnitID, "from": d.Format(time.DateOnly), "version": cur.Version + 1})
	})
}

// SetPosition records that a person in scope holds a position (code list "position") from a date on.
func SetPosition(ctx context.Context, idb bun.IDB, personID int64, position string, from time.Time, note string) error {
	return run(ctx, idb, func(ctx context.Context, tx bun.Tx) error {
		a, _ := auth.FromContext(ctx)
		cur, err := lockInScope(ctx, tx, personID)
		if err != nil {
			return err
		}
		set, err := codes.Load(ctx, tx)
		if err != nil {
			return err
		}
		if !set.Valid(codes.Position, position) {
			return apperr.Invalid("position", fmt.Sprintf("Chức vụ %q không có trong danh mục.", position), fmt.Sprintf("unknown position %q", position))
		}
		if from.IsZero() || vn.Day(from).After(vn.Today()) || vn.Day(from).Before(cur.BirthDate) {
			return apperr.Invalid("valid_from", "Ngày bắt đầu giữ chức vụ không hợp lệ.", "invalid start date")
		}
		if note, err = cleanDoc("note", note, 500); err != nil {
			return err
		}
		var open int
		if err := tx.NewRaw(`SELECT count(*) FROM person_position WHERE person_id = ? AND position = ? AND valid_to IS NULL`,
			personID, position).Scan(ctx, &open); err != nil {
			return err
		}
		if open > 0 {
			return apperr.Rule(RulePositionOpen,
				fmt.Sprintf("%s đang giữ chức vụ %s; cần ghi ngày thôi giữ chức vụ trước.", cur.FullName, set.Label(codes.Position, position)),
				fmt.Sprintf("person %d already holds %s; end it first", personID, position))
		}
		if _, err := tx.NewRaw(`INSERT INTO person_position (person_id, position, valid_from, note, recorded_by) VALUES (?, ?, ?::date, ?, ?)`,
			personID, position, vn.Day(from), note, a.Subject).Exec(ctx); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "person.position.set", "person", fmt.Sprint(personID), nil,
			map[string]any{"position": position, "from": vn.Day(from).Format(time.DateOnly), "note": note})
	})
}

// EndPosition records that a person stopped holding a position on date to (exclusive: the last day is
// the day before).
func EndPosition(ctx context.Context, idb bun.IDB, personID int64, position string, to time.Time) error {
	return run(ctx, idb, func(ctx context.Context, tx bun.Tx) error {
		_, err := lockInScope(ctx, tx, personID)
		if err != nil {
			return err
		}
		if to.IsZero() {
			return apperr.Invalid("valid_to", "Cần ngày thôi giữ chức vụ.", "end date is required")
		}
		var from time.Time
		err = tx.NewRaw(`SELECT valid_from FROM person_position WHERE person_id = ? AND position = ? AND valid_to IS NULL`,
			personID, position).Scan(ctx, &from)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.New(apperr.NotFound, "Người này không đang giữ chức vụ đó.", fmt.Sprintf("person %d holds no open %s", personID, position))
		}
		if err != nil {
			return err
		}
		if !vn.Day(to).After(from) {
			return apperr.Invalid("valid_to", fmt.Sprintf("Ngày thôi giữ chức vụ phải sau ngày bắt đầu (%s).", vn.Date(from)), "end must be after start")
		}
		if _, err := tx.NewRaw(`UPDATE person_position SET valid_to = ?::date WHERE person_id = ? AND position = ? AND valid_to IS NULL`,
			vn.Day(to), personID, position).Exec(ctx); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "person.position.end", "person", fmt.Sprint(personID),
			map[string]any{"position": position, "from": from.Format(time.DateOnly)},
			map[string]any{"position": position, "to": vn.Day(to).Format(time.DateOnly)})
	})
}

// lockInScope reads and locks a person (GetForUpdate) whose unit the actor may write to (auth.CheckUnits):
// the start of every change to a recorded person.
func lockInScope(ctx context.Context, tx bun.IDB, id int64) (Person, error) {
	p, err := GetForUpdate(ctx, tx, id)
	if err != nil {
		return Person{}, err
	}
	return p, auth.CheckUnits(ctx, tx, p.UnitID)
}
