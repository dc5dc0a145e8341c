package people

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/uptrace/bun"
	"golang.org/x/text/unicode/norm"

	"ptdv/internal/apperr"
	"ptdv/internal/auth"
	"ptdv/internal/codes"
	"ptdv/internal/vn"
)

// fields are the columns a write sets (all but the unit, which only MoveUnit changes).
type fields struct {
	FullName                  string    `json:"fullName"`
	Sex                       string    `json:"sex"`
	BirthDate                 time.Time `json:"birthDate"`
	NationalID                string    `json:"-"`
	Ethnicity                 string    `json:"ethnicity,omitempty"`
	Religion                  string    `json:"religion,omitempty"`
	GeneralEducation          string    `json:"generalEducation,omitempty"`
	ProfessionalQualification string    `json:"professionalQualification,omitempty"`
	PoliticalTheory           string    `json:"politicalTheory,omitempty"`
	Occupation                string    `json:"occupation,omitempty"`
	YouthUnionMember          bool      `json:"youthUnionMember"`
	VillageID                 *int64    `json:"villageId,omitempty"`
	Workplace                 string    `json:"workplace,omitempty"`
	AgeException              string    `json:"ageException,omitempty"`
	EducationException        string    `json:"educationException,omitempty"`
}

func (p Person) fields() fields {
	return fields{FullName: p.FullName, Sex: p.Sex, BirthDate: p.BirthDate, NationalID: p.NationalID,
		Ethnicity: p.Ethnicity, Religion: p.Religion, GeneralEducation: p.GeneralEducation,
		ProfessionalQualification: p.ProfessionalQualification, PoliticalTheory: p.PoliticalTheory,
		Occupation: p.Occupation, YouthUnionMember: p.YouthUnionMember, VillageID: p.VillageID,
		Workplace: p.Workplace, AgeException: p.AgeException, EducationException: p.EducationException}
}

// auditView is what the audit trail keeps of a person: the national ID masked, like everywhere a
// reader may not be entitled to it.
func auditView(p Person) map[string]any {
	return map[string]any{"fields": p.fields(), "nationalId": p.MaskedNationalID(), "unitId": p.UnitID, "version": p.Version}
}

// Rule ids named in refusals.
const (
	RuleUnitAlive    = "people.unit_alive"    // a person is recorded in, or moved to, a unit that exists on the date
	RuleUnitHistory  = "people.unit_history"  // moves are appended in date order
	RulePositionOpen = "people.position_open" // one open interval per person and position
)

// cleanText normalizes free text: NFC, runs of white space collapsed to one space, trimmed.
func cleanText(s string) string { return strings.Join(strings.Fields(norm.NFC.String(s)), " ") }

func cleanName(s string) (string, error) {
	s = cleanText(s)
	n := utf8.RuneCountInString(s)
	if n < 2 || n > 200 {
		return "", apperr.Invalid("full_name", "Họ và tên phải có từ 2 đến 200 ký tự.", "full name must have 2 to 200 characters")
	}
	letters := 0
	for _, r := range s {
		switch {
		case unicode.IsLetter(r):
			letters++
		case unicode.Is(unicode.Mn, r), r == ' ', r == '\'', r == '’', r == '-', r == '.', r == '(', r == ')':
		default:
			return "", apperr.Invalid("full_name", fmt.Sprintf("Họ và tên không được chứa ký tự %q.", r),
				fmt.Sprintf("full name contains the character %q", r))
		}
	}
	if letters == 0 {
		return "", apperr.Invalid("full_name", "Họ và tên phải có chữ cái.", "full name has no letter")
	}
	return s, nil
}

func cleanDoc(field, s string, max int) (string, error) {
	s = cleanText(s)
	if utf8.RuneCountInString(s) > max {
		return "", apperr.Invalid(field, fmt.Sprintf("Nội dung quá dài (tối đa %d ký tự).", max), fmt.Sprintf("%s longer than %d characters", field, max))
	}
	return s, nil
}

// validate normalizes f and checks it against the code lists; old is the stored record on an update (a
// code that has since been deactivated may stay, but not be newly chosen). It reads nothing: a changed
// village is checked by checkVillageChange.
func validate(set *codes.Set, f fields, old *fields) (fields, error) {
	var err error
	if f.FullName, err = cleanName(f.FullName); err != nil {
		return f, err
	}
	f.Sex = strings.TrimSpace(f.Sex)
	if f.Sex == "" {
		return f, apperr.Invalid("sex", "Cần ghi giới tính.", "sex is required")
	}
	if f.BirthDate.IsZero() {
		return f, apperr.Invalid("birth_date", "Cần ghi ngày sinh.", "birth date is required")
	}
	f.BirthDate = vn.Day(f.BirthDate)
	if f.BirthDate.Year() < 1900 || f.BirthDate.After(vn.Today()) {
		return f, apperr.Invalid("birth_date", "Ngày sinh không hợp lệ.", "birth date out of range")
	}
	for _, c := range f.coded() {
		*c.v = strings.TrimSpace(*c.v)
		if *c.v == "" || set.Valid(c.list, *c.v) {
			continue
		}
		if old != nil && *c.v == old.code(c.list) {
			continue
		}
		return f, apperr.Invalid(c.list, fmt.Sprintf("Mã %q không có trong danh mục %s.", *c.v, c.list),
			fmt.Sprintf("%q is not an active code of list %s", *c.v, c.list))
	}
	if f.NationalID, err = checkNationalID(set, f.NationalID, f.Sex, f.BirthDate); err != nil {
		return f, err
	}
	if f.Workplace, err = cleanDoc("workplace", f.Workplace, 300); err != nil {
		return f, err
	}
	if f.AgeException, err = cleanDoc("age_exception", f.AgeException, 500); err != nil {
		return f, err
	}
	if f.EducationException, err = cleanDoc("education_exception", f.EducationException, 500); err != nil {
		return f, err
	}
	if f.VillageID != nil && *f.VillageID == 0 {
		f.VillageID = nil
	}
	return f, nil
}

// checkVillageChange checks a village that validate's result sets anew.
func checkVillageChange(ctx context.Context, tx bun.IDB, f fields, old *fields) error {
	if f.VillageID != nil && (old == nil || old.VillageID == nil || *old.VillageID != *f.VillageID) {
		return checkVillage(ctx, tx, *f.VillageID)
	}
	return nil
}

// codedField is a field of a person that holds a code: its code list, which is also the field's name in
// errors and in the import layout, and the value.
type codedField struct {
	list string
	v    *string
}

// coded lists the fields of f that hold a code, in the import layout's order.
func (f *fields) coded() []codedField {
	return []codedField{{codes.Sex, &f.Sex}, {codes.Ethnicity, &f.Ethnicity}, {codes.Religion, &f.Religion},
		{codes.GeneralEducation, &f.GeneralEducation}, {codes.ProfessionalQualification, &f.ProfessionalQualification},
		{codes.PoliticalTheory, &f.PoliticalTheory}, {codes.Occupation, &f.Occupation}}
}

// code is the code f holds in a code list ("" for a list none of its fields holds).
func (f *fields) code(list string) string {
	for _, c := range f.coded() {
		if c.list == list {
			return *c.v
		}
	}
	return ""
}

// Code is the person's code in a code list (sex, ethnicity, religion, general_education,
// professional_qualification, political_theory, occupation; "" for another list).
func (p Person) Code(list string) string {
	f := p.fields()
	return f.code(list)
}

// checkNationalID validates a 12-digit personal identification number (số định danh cá nhân, Thông tư
// 59/2021/TT-BCA): digits 1–3 the province where the birth was registered (code list id_province), digit
// 4 the century and sex (0/1: 20th century male/female, 2/3: 21st, 4/5: 22nd, …), digits 5–6 the last
// two digits of the birth year, digits 7–12 a serial number. Spaces are dropped; "" means not recorded.
func checkNationalID(set *codes.Set, id, sex string, birth time.Time) (string, error) {
	id = strings.Join(strings.Fields(id), "")
	if id == "" {
		return "", nil
	}
	if len(id) != 12 || strings.IndexFunc(id, func(r rune) bool { return r < '0' || r > '9' }) >= 0 {
		return "", apperr.Invalid("national_id", "Số định danh cá nhân phải gồm đúng 12 chữ số.", "national ID must have exactly 12 digits")
	}
	if _, ok := set.Item(codes.IDProvince, id[:3]); !ok {
		return "", apperr.Invalid("national_id",
			fmt.Sprintf("Ba chữ số đầu của số định danh (%s) không phải mã tỉnh nơi đăng ký khai sinh.", id[:3]),
			fmt.Sprintf("national ID prefix %s is not a province code", id[:3]))
	}
	c := int(id[3] - '0')
	century := 1900 + 100*(c/2)
	female := c%2 == 1
	if birth.Year()/100*100 != century || female != (sex == "female") {
		return "", apperr.Invalid("national_id",
			"Chữ số thứ 4 của số định danh (mã thế kỷ và giới tính) không khớp với giới tính và năm sinh.",
			fmt.Sprintf("national ID digit 4 (%d) does not match sex %s and birth year %d", c, sex, birth.Year()))
	}
	if want := fmt.Sprintf("%02d", birth.Year()%100); id[4:6] != want {
		return "", apperr.Invalid("national_id",
			fmt.Sprintf("Chữ số thứ 5 và 6 của số định danh phải là hai số cuối của năm sinh (%s).", want),
			fmt.Sprintf("national ID digits 5-6 must be %s, the birth year's last two digits", want))
	}
	return id, nil
}

// checkVillage requires the village to exist and its commune to be in the actor's scope.
func checkVillage(ctx context.Context, tx bun.IDB, id int64) error {
	a, err := auth.FromContext(ctx)
	if err != nil {
		return err
	}
	cond, args := a.Scope().UnitFilter("v.commune_id")
	var ok bool
	err = tx.NewRaw(`SELECT EXISTS (SELECT 1 FROM village v WHERE v.id = ? AND `+cond+`)`, append([]any{id}, args...)...).Scan(ctx, &ok)
	if err != nil {
		return fmt.Errorf("people: check village: %w", err)
	}
	if !ok {
		return apperr.Invalid("village_id", "Thôn, tổ dân phố không tồn tại.", "village not found")
	}
	return nil
}

// checkUnitAlive requires the unit to exist on day d (scope is checked separately).
func checkUnitAlive(ctx context.Context, tx bun.IDB, field string, unitID int64, d time.Time) error {
	var u unitLife
	err := tx.NewRaw(`SELECT id, valid_from, valid_to, code FROM org_unit WHERE id = ?`, unitID).Scan(ctx, &u)
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.NotFoundf("unit", fmt.Sprint(unitID))
	}
	if err != nil {
		return fmt.Errorf("people: check unit: %w", err)
	}
	return u.aliveOn(field, d)
}

// unitLife is when a unit exists.
type unitLife struct {
	ID        int64      `bun:"id"`
	ValidFrom time.Time  `bun:"valid_from"`
	ValidTo   *time.Time `bun:"valid_to"`
	Code      string     `bun:"code"`
	InScope   bool       `bun:"in_scope"`
}

func (u unitLife) aliveOn(field string, d time.Time) error {
	if d.Before(u.ValidFrom) || (u.ValidTo != nil && !d.Before(*u.ValidTo)) {
		e := apperr.Rule(RuleUnitAlive,
			fmt.Sprintf("Đơn vị %s không tồn tại vào ngày %s.", u.Code, vn.Date(d)),
			fmt.Sprintf("unit %s does not exist on %s", u.Code, d.Format(time.DateOnly)))
		e.Field = field
		return e
	}
	return nil
}
