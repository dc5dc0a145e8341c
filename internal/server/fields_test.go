package server_test

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	"ptdv/internal/auth"
	"ptdv/internal/fixture"
	"ptdv/internal/org"
	"ptdv/internal/people"
	"ptdv/internal/pipeline"
	"ptdv/internal/sheet"
	"ptdv/internal/vn"
)

// The role × field matrix of the README ("Who sees what"), written out here on its own so that a change
// of auth's table that the README does not follow fails: F full, M masked (last three digits), - hidden
// (null; empty in an export). "secretary" is the secretary of the person's own cell, "secretary
// (commune)" the secretary of the commune above it.
var fieldMatrix = `
field                      admin board secretary secretary(commune) viewer analyst
fullName                   F     F     F         F                  F      -
sex                        F     F     F         F                  F      F
birthDate                  F     F     F         F                  -      -
age                        F     F     F         F                  F      F
nationalId                 F     F     F         M                  M      -
ethnicity                  F     F     F         F                  -      -
religion                   F     F     F         F                  -      -
generalEducation           F     F     F         F                  F      F
professionalQualification  F     F     F         F                  F      F
politicalTheory            F     F     F         F                  F      F
occupation                 F     F     F         F                  F      F
youthUnionMember           F     F     F         F                  F      F
village                    F     F     F         F                  F      -
workplace                  F     F     F         F                  F      -
positions                  F     F     F         F                  F      F
ageException               F     F     F         F                  F      F
educationException         F     F     F         F                  F      F
`

// Every cell of the matrix through the GraphQL server, plus the same fields in the candidate export.
func TestPersonFieldMatrix(t *testing.T) {
	t.Parallel()
	f, ids := seeded(t, 1)
	cell := ids["GL.PK.HT.000"]
	village, err := org.CreateVillage(fixture.System(), f.db.App, org.NewVillage{Code: "GL.PK.HT.TDP1", Name: "Tổ dân phố 1", Kind: "residential_group",
		CommuneID: ids["GL.PK.HT"]}, org.Doc{Effective: fixture.Day("2015-01-01")})
	if err != nil {
		t.Fatal(err)
	}
	p, err := people.Create(fixture.System(), f.db.App, people.NewPerson{FullName: "Rơ Châm Thị Hơn", Sex: "female", BirthDate: fixture.Day("2001-03-02"),
		NationalID: "064301000789", Ethnicity: "gia_rai", Religion: "protestantism", GeneralEducation: "upper_secondary",
		ProfessionalQualification: "university", PoliticalTheory: "elementary", Occupation: "public_employee", YouthUnionMember: true,
		VillageID: &village, Workplace: "Trường THCS Hội Thương", UnitID: cell, AgeException: "CV 12-TU", EducationException: "CV 13-TU",
		Since: fixture.Day("2015-01-01")})
	if err != nil {
		t.Fatal(err)
	}
	if err := people.SetPosition(fixture.System(), f.db.App, p.ID, "village_head", fixture.Day("2024-01-01"), ""); err != nil {
		t.Fatal(err)
	}
	_, err = pipeline.Open(fixture.System(), f.db.App, pipeline.OpenInput{PersonID: p.ID, CellID: cell, Proposer: "youth_union",
		Doc: pipeline.Doc{Effective: fixture.Day("2025-01-06")}})
	if err != nil {
		t.Fatal(err)
	}

	full := map[string]string{
		"fullName": "Rơ Châm Thị Hơn", "sex": "female", "birthDate": "2001-03-02", "age": "", "nationalId": "064301000789",
		"ethnicity": "gia_rai", "religion": "protestantism", "generalEducation": "upper_secondary", "professionalQualification": "university",
		"politicalTheory": "elementary", "occupation": "public_employee", "youthUnionMember": "true", "village": "GL.PK.HT.TDP1",
		"workplace": "Trường THCS Hội Thương", "positions": "village_head", "ageException": "CV 12-TU", "educationException": "CV 13-TU",
	}
	full["age"] = fmt.Sprint(p.AgeOn(vn.Today()))
	masked := "*********789"

	lines := strings.Split(strings.TrimSpace(fieldMatrix), "\n")
	roles := strings.Fields(lines[0])[1:]
	tokens := map[string]string{
		"admin": f.token("admin", ""), "board": f.token("board", "GL"), "secretary": f.token("secretary", "GL.PK.HT.000"),
		"secretary(commune)": f.token("secretary", "GL.PK.HT"), "viewer": f.token("viewer", "GL"), "analyst": f.token("analyst", "GL"),
	}
	role := map[string]auth.Role{"admin": auth.RoleAdmin, "board": auth.RoleBoard, "secretary": auth.RoleSecretary,
		"secretary(commune)": auth.RoleSecretary, "viewer": auth.RoleViewer, "analyst": auth.RoleAnalyst}
	const q = `query($p: ID!) { person(id: $p) { fullName sex { code } birthDate age nationalId ethnicity { code } religion { code }
		generalEducation { code } professionalQualification { code } politicalTheory { code } occupation { code } youthUnionMember
		village { code } workplace positions { position { code } } ageException educationException } }`
	results := map[string]map[string]any{}
	for _, r := range roles {
		res := f.query(tokens[r], q, map[string]any{"p": gid("Person", p.ID)})
		if len(res.Errors) > 0 || res.Data["person"] == nil {
			t.Fatalf("%s: %+v %v", r, res.Errors, res.Data)
		}
		results[r] = res.Data["person"].(map[string]any)
	}
	flat := func(v any) (string, bool) {
		switch x := v.(type) {
		case nil:
			return "", false
		case map[string]any:
			if cd, ok := x["code"]; ok {
				return cd.(string), true
			}
		case []any:
			var out []string
			for _, e := range x {
				out = append(out, e.(map[string]any)["position"].(map[string]any)["code"].(string))
			}
			return strings.Join(out, ","), true
		}
		return fmt.Sprint(v), true
	}
	seen := map[string]bool{}
	for _, line := range lines[1:] {
		cells := strings.Fields(line)
		field := cells[0]
		seen[field] = true
		for i, r := range roles {
			want := cells[i+1]
			if got := auth.SightOf(role[r], auth.PersonField(field)); !sightMatches(got, want, r) {
				t.Errorf("auth's table: %s × %s = %s, the README says %s", r, field, got, want)
			}
			got, present := flat(results[r][field])
			if r == "secretary" && field == "village" {
				// Villages belong to communes: a cell's secretary does not have the commune in scope, so
				// the village reads as null there whatever the table says (scope before visibility).
				want = "-"
			}
			switch want {
			case "F":
				if !present || got != full[field] {
					t.Errorf("%s × %s: got %q (present %v), want %q", r, field, got, present, full[field])
				}
			case "M":
				if got != masked {
					t.Errorf("%s × %s: got %q, want masked %q", r, field, got, masked)
				}
			case "-":
				if present && got != "" {
					t.Errorf("%s × %s: got %q, want null", r, field, got)
				}
			}
		}
	}
	for _, fld := range auth.PersonFields() {
		if !seen[string(fld)] {
			t.Errorf("field %s of auth's table is missing from the matrix", fld)
		}
	}

	// A hidden field is no filter either: searching by it would reveal it record by record.
	for _, c := range []struct{ role, q, code string }{
		{"analyst", `{ persons(text: "Rơ Châm", first: 5) { edges { cursor } } }`, "FORBIDDEN"},
		{"analyst", `{ candidates(filter: {text: "Rơ Châm"}, first: 5) { edges { cursor } } }`, "FORBIDDEN"},
		{"analyst", `{ candidates(filter: {ethnicity: "gia_rai"}, first: 5) { edges { cursor } } }`, "FORBIDDEN"},
		{"viewer", `{ candidates(filter: {minority: true}, first: 5) { edges { cursor } } }`, "FORBIDDEN"},
		{"viewer", `{ persons(text: "Rơ Châm", first: 5) { edges { cursor } } }`, ""},
		{"board", `{ candidates(filter: {ethnicity: "gia_rai", text: "Rơ Châm"}, first: 5) { edges { cursor } } }`, ""},
		{"analyst", `{ candidates(filter: {sex: FEMALE}, first: 5) { edges { cursor } } }`, ""},
	} {
		if r := f.query(tokens[c.role], c.q, nil); r.code() != c.code || (c.code == "" && r.Data == nil) {
			t.Errorf("%s %s: %+v", c.role, c.q, r.Errors)
		}
	}

	// The export applies the same table: the columns of hidden fields are empty, the national ID is
	// masked or empty, and a sponsor's national ID likewise.
	col := map[string]string{"fullName": "Họ và tên", "birthDate": "Ngày sinh", "nationalId": "Số CCCD", "ethnicity": "Dân tộc",
		"religion": "Tôn giáo", "workplace": "Nơi làm việc", "occupation": "Nghề nghiệp"}
	for _, r := range roles {
		res := f.query(tokens[r], `query($u: ID!) { exportList(unitId: $u, kind: CANDIDATES, format: CSV) { base64 } }`,
			map[string]any{"u": gid("Unit", cell)})
		if len(res.Errors) > 0 {
			t.Fatalf("%s export: %+v", r, res.Errors)
		}
		raw, _ := base64.StdEncoding.DecodeString(res.Data["exportList"].(map[string]any)["base64"].(string))
		sh, err := sheet.Read(bytes.NewReader(raw), sheet.CSV, sheet.DefaultLimits)
		if err != nil || len(sh.Rows) != 1 {
			t.Fatalf("%s export: %+v %v", r, sh, err)
		}
		at := map[string]string{}
		for i, h := range sh.Header {
			at[h] = sh.Rows[0].Cells[i]
		}
		for _, line := range lines[1:] {
			cells := strings.Fields(line)
			h, ok := col[cells[0]]
			if !ok {
				continue
			}
			want := cells[1+indexOf(roles, r)]
			got := at[h]
			switch {
			case want == "-" && got != "":
				t.Errorf("%s export %s: %q, want empty", r, h, got)
			case want == "M" && got != masked:
				t.Errorf("%s export %s: %q, want %q", r, h, got, masked)
			case want == "F" && got == "":
				t.Errorf("%s export %s is empty", r, h)
			}
		}
	}
}

func indexOf(xs []string, x string) int {
	for i, v := range xs {
		if v == x {
			return i
		}
	}
	return -1
}

// sightMatches compares a cell of auth's table with the README's letter for that column.
func sightMatches(s auth.Sight, letter, column string) bool {
	switch s {
	case auth.Full:
		return letter == "F"
	case auth.Masked:
		return letter == "M"
	case auth.Hidden:
		return letter == "-"
	case auth.OwnUnit: // full for the person's own cell, masked for the commune's secretary
		return (column == "secretary" && letter == "F") || (column == "secretary(commune)" && letter == "M")
	}
	return false
}
