package people

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"ptdv/internal/apperr"
	"ptdv/internal/auth"
	"ptdv/internal/codes"
	"ptdv/internal/db"
)

// UnitFacts holds what Create checks of the units of many new persons at once: whether each is in the
// actor's scope, and when it exists.
type UnitFacts map[int64]unitLife

// LoadUnits reads the units named by a bulk write's rows.
func LoadUnits(ctx context.Context, tx bun.IDB, ids []int64) (UnitFacts, error) {
	a, err := auth.FromContext(ctx)
	if err != nil {
		return nil, err
	}
	cond, args := a.Scope().UnitFilter("u.id")
	var us []unitLife
	err = tx.NewRaw(`SELECT u.id, u.valid_from, u.valid_to, u.code, `+cond+` AS in_scope FROM org_unit u WHERE u.id = ANY(?::bigint[])`,
		append(args, pgdialect.Array(ids))...).Scan(ctx, &us)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("people: load units: %w", err)
	}
	out := make(UnitFacts, len(us))
	for _, u := range us {
		out[u.ID] = u
	}
	return out, nil
}

// Prepared is a new person checked by Prepare: the record as Create would store it, and the date from
// which the records belong to the unit.
type Prepared struct {
	Person Person
	Since  time.Time
}

// Prepare is Create's verdict on a new person, for a bulk import, without reading or writing: the same
// normalization, code-list, scope and unit checks, against the units loaded by LoadUnits. The caller
// gives the person its id (db.NextIDs), checks that the national ID is not recorded, and writes the
// persons with WriteNew. A village needs Create.
func Prepare(set *codes.Set, units UnitFacts, n NewPerson) (Prepared, error) {
	if n.VillageID != nil {
		return Prepared{}, apperr.Invalid("village_id", "Thôn, tổ dân phố chỉ ghi được khi thêm từng người.", "bulk writes take no village")
	}
	f, since, err := newFields(set, n)
	if err != nil {
		return Prepared{}, err
	}
	u, ok := units[n.UnitID]
	if !ok || !u.InScope {
		return Prepared{}, apperr.NotFoundf("unit", "")
	}
	if err := u.aliveOn("unit_id", since); err != nil {
		return Prepared{}, err
	}
	p := Person{FullName: f.FullName, Sex: f.Sex, BirthDate: f.BirthDate, NationalID: f.NationalID, Ethnicity: f.Ethnicity,
		Religion: f.Religion, GeneralEducation: f.GeneralEducation, ProfessionalQualification: f.ProfessionalQualification,
		PoliticalTheory: f.PoliticalTheory, Occupation: f.Occupation, YouthUnionMember: f.YouthUnionMember,
		Workplace: f.Workplace, UnitID: n.UnitID, AgeException: f.AgeException, EducationException: f.EducationException,
		Version: 1}
	return Prepared{Person: p, Since: since}, nil
}

// WriteNew records prepared persons (with their ids set) in a few statements: the person rows and their
// unit rows. The audit row is the caller's: a bulk import writes one per imported row, with the row and
// the ids it was recorded under. Every unit must be in the actor's scope.
func WriteNew(ctx context.Context, tx db.BulkTx, ps []Prepared) error {
	if len(ps) == 0 {
		return nil
	}
	a, err := auth.FromContext(ctx)
	if err != nil {
		return err
	}
	if err := RequireWrite(a); err != nil {
		return err
	}
	n := len(ps)
	units := make([]int64, n)
	for i, p := range ps {
		units[i] = p.Person.UnitID
	}
	if err := auth.CheckUnits(ctx, tx, slices.Clone(units)...); err != nil {
		return err
	}
	ids, births, sinces := make([]int64, n), make([]time.Time, n), make([]time.Time, n)
	names, sexes, workplaces, recorders := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	nids, eths, rels, edus, profs, pols, occs, ageEx, eduEx := make([]*string, n), make([]*string, n), make([]*string, n),
		make([]*string, n), make([]*string, n), make([]*string, n), make([]*string, n), make([]*string, n), make([]*string, n)
	youth := make([]bool, n)
	for i, pr := range ps {
		p := pr.Person
		if p.ID == 0 {
			return fmt.Errorf("people: write new: person %d has no id", i)
		}
		ids[i], names[i], sexes[i], births[i], sinces[i] = p.ID, p.FullName, p.Sex, p.BirthDate, pr.Since
		nids[i], eths[i], rels[i], edus[i] = db.NullText(p.NationalID), db.NullText(p.Ethnicity), db.NullText(p.Religion), db.NullText(p.GeneralEducation)
		profs[i], pols[i], occs[i] = db.NullText(p.ProfessionalQualification), db.NullText(p.PoliticalTheory), db.NullText(p.Occupation)
		ageEx[i], eduEx[i], youth[i], workplaces[i], recorders[i] = db.NullText(p.AgeException), db.NullText(p.EducationException),
			p.YouthUnionMember, p.Workplace, a.Subject
	}
	err = db.InsertRows(ctx, tx, "person",
		db.Column{Name: "id", Values: ids}, db.Column{Name: "full_name", Values: names},
		db.Column{Name: "sex", Values: sexes}, db.Column{Name: "birth_date", Values: births},
		db.Column{Name: "national_id", Values: nids}, db.Column{Name: "ethnicity", Values: eths},
		db.Column{Name: "religion", Values: rels}, db.Column{Name: "general_education", Values: edus},
		db.Column{Name: "professional_qualification", Values: profs},
		db.Column{Name: "political_theory", Values: pols}, db.Column{Name: "occupation", Values: occs},
		db.Column{Name: "youth_union_member", Values: youth}, db.Column{Name: "workplace", Values: workplaces},
		db.Column{Name: "unit_id", Values: units}, db.Column{Name: "age_exception", Values: ageEx},
		db.Column{Name: "education_exception", Values: eduEx})
	if err != nil {
		return translate(err)
	}
	err = db.InsertRows(ctx, tx, "person_unit",
		db.Column{Name: "person_id", Values: ids}, db.Column{Name: "unit_id", Values: units},
		db.Column{Name: "valid_from", Values: sinces}, db.Column{Name: "recorded_by", Values: recorders})
	if err != nil {
		return err
	}
	return nil
}
