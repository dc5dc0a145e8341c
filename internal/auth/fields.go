package auth

import (
	"fmt"

	"ptdv/internal/apperr"
)

// Field visibility: which of an individual's attributes each role sees. Scope says whose records an
// actor reads; this table says how much of each record. It is data (one table, one function): the
// GraphQL mapping of Person and the list exports both ask See, so the two cannot disagree.
//
// The policy, per role (the README's "Who sees what" prints the same matrix):
//   - admin and board manage people: everything.
//   - secretary records the people of their own unit: everything; a national ID of a person outside
//     their own unit (a person of a cell below a grassroots committee's secretary) is masked.
//   - viewer reads lists (who is at which stage): the name, age and categories a list needs, but not
//     the birth date, the national ID (masked), ethnicity or religion.
//   - analyst reads pseudonymous records: no name, birth date, national ID, ethnicity, religion,
//     village or workplace of an individual (those come only as counts in breakdowns); sex, age and
//     the other categories stay, as do the record's unit and pipeline history.

// PersonField is an attribute of a person whose visibility depends on the role.
type PersonField string

const (
	FieldFullName                  PersonField = "fullName"
	FieldSex                       PersonField = "sex"
	FieldBirthDate                 PersonField = "birthDate"
	FieldAge                       PersonField = "age"
	FieldNationalID                PersonField = "nationalId"
	FieldEthnicity                 PersonField = "ethnicity"
	FieldReligion                  PersonField = "religion"
	FieldGeneralEducation          PersonField = "generalEducation"
	FieldProfessionalQualification PersonField = "professionalQualification"
	FieldPoliticalTheory           PersonField = "politicalTheory"
	FieldOccupation                PersonField = "occupation"
	FieldYouthUnionMember          PersonField = "youthUnionMember"
	FieldVillage                   PersonField = "village"
	FieldWorkplace                 PersonField = "workplace"
	FieldPositions                 PersonField = "positions"
	FieldAgeException              PersonField = "ageException"
	FieldEducationException        PersonField = "educationException"
)

// PersonFields lists the fields of the table, in the schema's order.
func PersonFields() []PersonField {
	return []PersonField{FieldFullName, FieldSex, FieldBirthDate, FieldAge, FieldNationalID, FieldEthnicity,
		FieldReligion, FieldGeneralEducation, FieldProfessionalQualification, FieldPoliticalTheory, FieldOccupation,
		FieldYouthUnionMember, FieldVillage, FieldWorkplace, FieldPositions, FieldAgeException, FieldEducationException}
}

// Sight is how much of a field an actor sees.
type Sight int

const (
	Hidden  Sight = iota // not at all: the field reads as null (empty in an export)
	Masked               // only a masked form (a national ID's last three digits)
	OwnUnit              // in full for the persons of the actor's own unit, masked for the others
	Full                 // in full
)

func (s Sight) String() string {
	return [...]string{"hidden", "masked", "own unit", "full"}[s]
}

// fieldSight is the role × field table. A field a role's row does not name is Full for that role.
var fieldSight = map[Role]map[PersonField]Sight{
	RoleAdmin:     {},
	RoleBoard:     {},
	RoleSecretary: {FieldNationalID: OwnUnit},
	RoleViewer:    {FieldBirthDate: Hidden, FieldNationalID: Masked, FieldEthnicity: Hidden, FieldReligion: Hidden},
	RoleAnalyst: {FieldFullName: Hidden, FieldBirthDate: Hidden, FieldNationalID: Hidden, FieldEthnicity: Hidden,
		FieldReligion: Hidden, FieldVillage: Hidden, FieldWorkplace: Hidden},
}

// SightOf is the table's cell for a role and a field (OwnUnit not yet resolved against a person).
func SightOf(r Role, f PersonField) Sight {
	row, ok := fieldSight[r]
	if !ok {
		return Hidden // an unknown role sees nothing
	}
	if s, ok := row[f]; ok {
		return s
	}
	return Full
}

// See is how much of field f of a person whose records belong to unit personUnit the actor sees:
// Full, Masked or Hidden (OwnUnit resolved). No actor sees nothing.
func (a *Actor) See(f PersonField, personUnit int64) Sight {
	if a == nil {
		return Hidden
	}
	s := SightOf(a.Role, f)
	if s == OwnUnit {
		if a.UnitID != 0 && personUnit == a.UnitID {
			return Full
		}
		return Masked
	}
	return s
}

// RequireFilter refuses (FORBIDDEN) a search or filter on a field the actor's role may not see:
// filtering by it would tell the hidden value of every record listed (an analyst, who may not see a
// name, may not search by one either).
func (a *Actor) RequireFilter(fields ...PersonField) error {
	for _, f := range fields {
		if SightOf(a.Role, f) == Hidden {
			return apperr.New(apperr.Forbidden, "Vai trò của bạn không được tìm kiếm theo thông tin này.",
				fmt.Sprintf("role %s may not filter persons by %s", a.Role, f))
		}
	}
	return nil
}
