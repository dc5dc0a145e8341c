// Package people holds persons — candidates and members alike — with the categories of the official
// statistical forms (sex, ethnicity, religion, education, occupation, …), their positions over time and
// the unit their records belong to.
//
// Scope: a person belongs to one unit at a time (Person.UnitID, normally a cell); every read and write
// applies the actor's scope (package auth) to that unit, so when a person moves (MoveUnit, used by
// transfers) the old unit's actors stop seeing them. An id outside the scope behaves like a missing one.
//
// Permissions: the role table below (writeRoles, readRoles); which fields of a person each role sees
// (the national ID in full, masked or not at all; the name; …) is auth's field visibility table.
package people

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"ptdv/internal/apperr"
	"ptdv/internal/auth"
	"ptdv/internal/calendar"
	"ptdv/internal/vn"
)

// Person is one person's record.
type Person struct {
	ID                        int64     `bun:"id"`
	FullName                  string    `bun:"full_name"`
	Sex                       string    `bun:"sex"`
	BirthDate                 time.Time `bun:"birth_date"`
	NationalID                string    `bun:"national_id"` // "" when not recorded; show through NationalIDFor
	Ethnicity                 string    `bun:"ethnicity"`
	Religion                  string    `bun:"religion"`
	GeneralEducation          string    `bun:"general_education"`
	ProfessionalQualification string    `bun:"professional_qualification"`
	PoliticalTheory           string    `bun:"political_theory"`
	Occupation                string    `bun:"occupation"`
	YouthUnionMember          bool      `bun:"youth_union_member"`
	VillageID                 *int64    `bun:"village_id"`
	Workplace                 string    `bun:"workplace"`
	UnitID                    int64     `bun:"unit_id"`
	AgeException              string    `bun:"age_exception"`
	EducationException        string    `bun:"education_exception"`
	// Positions are the codes (list "position") of the positions held today, sorted.
	Positions []string  `bun:"positions,array"`
	CreatedAt time.Time `bun:"created_at"`
	UpdatedAt time.Time `bun:"updated_at"`
	Version   int       `bun:"version"`
	// SortKey orders lists: the folded given name, then the folded full name (Vietnamese rosters are
	// alphabetized by given name).
	SortKey string `bun:"name_key"`
}

// PageKey is the person's key in Search's order, for page.Cursor.
func (p Person) PageKey() string { return p.SortKey + keySep + strconv.FormatInt(p.ID, 10) }

const keySep = "\x1f"

// AgeOn is the person's age in completed years on day d, by calendar's month arithmetic (one for
// ages and periods: born on 29/02, a person comes of age on 28/02 of a common year).
func (p Person) AgeOn(d time.Time) int { return calendar.YearsBetween(p.BirthDate, d) }

// AgeAt is AgeOn for a date a caller gave: before the birth date there is no age (INVALID_INPUT).
func AgeAt(p Person, d time.Time) (int, error) {
	if vn.Day(d).Before(p.BirthDate) {
		return 0, apperr.Invalid("asOf", fmt.Sprintf("Ngày %s trước ngày sinh (%s): chưa có tuổi.", vn.Date(d), vn.Date(p.BirthDate)),
			"the date is before the birth date")
	}
	return p.AgeOn(d), nil
}

// MaskedNationalID shows only the last three digits ("*********234"), or "" when none is recorded.
// The first six digits say the province, the century, the sex and the birth year, so together with a
// name and a unit they would all but name the person; three digits tell a clerk which of two records
// is meant and nothing more.
func (p Person) MaskedNationalID() string {
	if len(p.NationalID) != 12 {
		return ""
	}
	return strings.Repeat("*", 9) + p.NationalID[9:]
}

// CanSeeNationalID reports whether the actor sees the person's national ID in full: the field
// visibility table of package auth (admins and boards, a secretary for the persons of their own unit).
func CanSeeNationalID(a *auth.Actor, p Person) bool {
	return a.See(auth.FieldNationalID, p.UnitID) == auth.Full
}

// NationalIDFor returns the national ID as the actor may see it: in full, masked, or "" (hidden).
func (p Person) NationalIDFor(a *auth.Actor) string {
	switch a.See(auth.FieldNationalID, p.UnitID) {
	case auth.Full:
		return p.NationalID
	case auth.Masked:
		return p.MaskedNationalID()
	}
	return ""
}

// RequireWrite returns FORBIDDEN unless the actor's role may write persons (auth's permission table;
// scope is separate).
func RequireWrite(a *auth.Actor) error { return a.Require(auth.PermWritePerson) }

func requireRead(a *auth.Actor) error { return a.Require(auth.PermReadPerson) }
