package bulk

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"ptdv/internal/apperr"
	"ptdv/internal/auth"
	"ptdv/internal/codes"
	"ptdv/internal/member"
	"ptdv/internal/org"
	"ptdv/internal/people"
	"ptdv/internal/pipeline"
	"ptdv/internal/sheet"
	"ptdv/internal/vn"
)

// exportSight maps the person columns of the layout to auth's person fields (the national ID goes
// through NationalIDFor, which masks or hides it).
var exportSight = map[string]auth.PersonField{
	"name": auth.FieldFullName, "sex": auth.FieldSex, "birth": auth.FieldBirthDate, "ethnicity": auth.FieldEthnicity,
	"religion": auth.FieldReligion, "general_education": auth.FieldGeneralEducation,
	"professional_qualification": auth.FieldProfessionalQualification, "political_theory": auth.FieldPoliticalTheory,
	"occupation": auth.FieldOccupation, "youth": auth.FieldYouthUnionMember, "workplace": auth.FieldWorkplace,
}

// exported is one row to write: the person and the other cells by column key.
type exported struct {
	PersonID int64 `bun:"person_id"`
	UnitID   int64 `bun:"unit_id"`
	cells    map[string]string
}

// Export lists the candidates (each person's latest case) or the members of a unit's subtree as the tree
// stands on the given day, in the import layout: importing the file again changes nothing. Persons are
// read through package people, so scope and the national-ID masking of the caller's role apply.
func Export(ctx context.Context, db bun.IDB, k Kind, unitID int64, on time.Time) (sheet.Sheet, error) {
	a, err := auth.FromContext(ctx)
	if err != nil {
		return sheet.Sheet{}, err
	}
	on = vn.Day(on)
	u, err := org.GetOne(ctx, db, unitID, on) // NOT_FOUND outside the scope
	if err != nil {
		return sheet.Sheet{}, err
	}
	switch k {
	case Units:
		return exportUnits(ctx, db, u, on)
	case Targets:
		return exportTargets(ctx, db, u, on)
	}
	if k == Candidates {
		if err := checkRounds(ctx, db); err != nil {
			return sheet.Sheet{}, err
		}
	}
	cond, args := a.Scope().UnitFilter("x.unit_id")
	subtree := `EXISTS (SELECT 1 FROM org_link r JOIN org_link x ON ` + auth.SubtreeSQL("x.path", "r.path") + `
		WHERE r.unit_id = ? AND r.valid_from <= ? AND (r.valid_to IS NULL OR r.valid_to > ?)
		  AND x.unit_id = %s AND x.valid_from <= ? AND (x.valid_to IS NULL OR x.valid_to > ?) AND ` + cond + `)`
	sargs := append([]any{u.ID, on, on, on, on}, args...)
	var rows []exported
	if k == Members {
		rows, err = memberRows(ctx, db, fmt.Sprintf(subtree, "s.unit_id"), sargs, on)
	} else {
		rows, err = candidateRows(ctx, db, fmt.Sprintf(subtree, "c.cell_id"), sargs)
	}
	if err != nil {
		return sheet.Sheet{}, err
	}

	ids := make([]int64, 0, len(rows)*3)
	units := map[int64]bool{}
	for _, r := range rows {
		ids = append(ids, r.PersonID)
		units[r.UnitID] = true
		for _, s := range memberKeys {
			if v := r.cells[s]; v != "" {
				id, _ := strconv.ParseInt(v, 10, 64)
				ids = append(ids, id)
			}
		}
	}
	persons, err := people.Get(ctx, db, ids)
	if err != nil {
		return sheet.Sheet{}, err
	}
	unitIDs := make([]int64, 0, len(units))
	for id := range units {
		unitIDs = append(unitIDs, id)
	}
	unitMap, err := org.Get(ctx, db, unitIDs, on)
	if err != nil {
		return sheet.Sheet{}, err
	}
	set, err := codes.Load(ctx, db)
	if err != nil {
		return sheet.Sheet{}, err
	}

	cols := Layout(k)
	out := sheet.Sheet{Name: sheetName(k), Header: Headers(k)}
	for _, r := range rows {
		p, ok := persons[r.PersonID]
		if !ok {
			continue // moved out of scope since
		}
		for _, s := range memberKeys {
			if v := r.cells[s]; v != "" {
				id, _ := strconv.ParseInt(v, 10, 64)
				r.cells[s] = ""
				if sp, ok := persons[id]; ok {
					r.cells[s] = sp.NationalIDFor(a)
				}
			}
		}
		c := r.cells
		c["name"], c["sex"], c["birth"], c["nid"] = p.FullName, exportLabel(set, codes.Sex, p.Sex), vn.Date(p.BirthDate), p.NationalIDFor(a)
		for _, l := range []string{codes.Ethnicity, codes.Religion, codes.GeneralEducation, codes.ProfessionalQualification,
			codes.PoliticalTheory, codes.Occupation} {
			c[l] = exportLabel(set, l, p.Code(l))
		}
		c["youth"] = "Không"
		if p.YouthUnionMember {
			c["youth"] = "Có"
		}
		c["workplace"] = p.Workplace
		for key, f := range exportSight { // the role's field visibility, as in the API: hidden is empty
			if a.See(f, p.UnitID) == auth.Hidden {
				c[key] = ""
			}
		}
		if cu, ok := unitMap[r.UnitID]; ok {
			c["cell"], c["cell_name"] = cu.Code, cu.Name
		}
		line := make([]string, len(cols))
		for i, col := range cols {
			line[i] = c[col.Key]
		}
		line[0] = strconv.Itoa(len(out.Rows) + 1)
		out.Rows = append(out.Rows, line)
	}
	return out, nil
}

// exportLabel writes a code as its Vietnamese label when the label reads back as that code, else as the
// code itself (a label two codes share matches neither), so that the file imports back unchanged.
func exportLabel(set *codes.Set, list, code string) string {
	label := set.Label(list, code)
	if c, ok := set.Match(list, label); (ok && c == code) || !set.Valid(list, code) {
		return label
	}
	return code
}

func sheetName(k Kind) string {
	switch k {
	case Members:
		return "Đảng viên"
	case Units:
		return "Tổ chức đảng"
	case Targets:
		return "Chỉ tiêu"
	}
	return "Quần chúng ưu tú"
}

// candidateRows reads each person's latest case in the subtree with the documents of its stages.
func candidateRows(ctx context.Context, db bun.IDB, subtree string, args []any) ([]exported, error) {
	var rows []struct {
		PersonID int64  `bun:"person_id"`
		CellID   int64  `bun:"cell_id"`
		Cells    string `bun:"cells"`
	}
	// The cells come back in candidateExportKeys' order.
	err := db.NewRaw(`
		SELECT c.person_id, c.cell_id, json_build_array(
			(SELECT label_vi FROM code_item WHERE list = 'proposer' AND code = c.proposer),
			to_char(c.listed_on, 'DD/MM/YYYY'),
			to_char(c.certificate_on, 'DD/MM/YYYY'), ev.cert_no,
			to_char(c.dossier_on, 'DD/MM/YYYY'),
			to_char((ev.papers->>'applicationOn')::timestamptz AT TIME ZONE 'UTC', 'DD/MM/YYYY'),
			to_char((ev.papers->>'biographyOn')::timestamptz AT TIME ZONE 'UTC', 'DD/MM/YYYY'),
			to_char((ev.papers->>'commentsOn')::timestamptz AT TIME ZONE 'UTC', 'DD/MM/YYYY'),
			to_char((ev.papers->>'backgroundCheckOn')::timestamptz AT TIME ZONE 'UTC', 'DD/MM/YYYY'),
			sp.ids[1]::text, to_char(sp.since[1], 'DD/MM/YYYY'), sp.ids[2]::text, to_char(sp.since[2], 'DD/MM/YYYY'),
			to_char(sp.letter[1], 'DD/MM/YYYY'), to_char(sp.letter[2], 'DD/MM/YYYY'),
			ev.youth_no,
			to_char(c.cell_resolution_on, 'DD/MM/YYYY'), ev.cell_no, ev.cell_for::text, ev.cell_eligible::text,
			to_char(c.committee_resolution_on, 'DD/MM/YYYY'), ev.committee_no, ev.committee_for::text, ev.committee_eligible::text,
			to_char(ev.extension_on, 'DD/MM/YYYY'), ev.extension_no,
			to_char(c.decision_on, 'DD/MM/YYYY'), c.decision_no,
			to_char(c.ceremony_on, 'DD/MM/YYYY'),
			`+roundCells()+`
			c.helper_id::text, to_char(ev.helper_since, 'DD/MM/YYYY'),
			CASE WHEN c.stage IN ('left', 'removed') THEN to_char(c.closed_on, 'DD/MM/YYYY') END,
			(SELECT label_vi FROM code_item WHERE list = 'leave_reason' AND code = c.close_reason),
			ev.left_no)::text AS cells
		FROM (SELECT DISTINCT ON (c.person_id) c.* FROM candidate_case c WHERE `+subtree+`
		      ORDER BY c.person_id, c.id DESC) c
		CROSS JOIN LATERAL (
			SELECT
				max(e.document_no) FILTER (WHERE e.kind = 'course_completed' AND e.effective = c.certificate_on) AS cert_no,
				max(e.details->'youthUnionResolution'->>'Number') FILTER (WHERE e.kind = 'dossier_completed' AND e.effective = c.dossier_on) AS youth_no,
				(array_agg(e.details ORDER BY e.id DESC) FILTER (WHERE e.kind = 'dossier_completed' AND e.effective = c.dossier_on))[1] AS papers,
				max(e.document_no) FILTER (WHERE e.kind = 'cell_resolved') AS cell_no,
				max(e.votes_for) FILTER (WHERE e.kind = 'cell_resolved') AS cell_for,
				max(e.votes_eligible) FILTER (WHERE e.kind = 'cell_resolved') AS cell_eligible,
				max(e.document_no) FILTER (WHERE e.kind = 'committee_resolved') AS committee_no,
				max(e.votes_for) FILTER (WHERE e.kind = 'committee_resolved') AS committee_for,
				max(e.votes_eligible) FILTER (WHERE e.kind = 'committee_resolved') AS committee_eligible,
				max(e.effective) FILTER (WHERE e.kind = 'decision_extended') AS extension_on,
				max(e.effective) FILTER (WHERE e.kind = 'helper_assigned') AS helper_since,
				max(e.document_no) FILTER (WHERE e.kind = 'decision_extended') AS extension_no,
				-- The recognition's rounds in their order, each in its own round's columns (roundCells).
				array_agg(e.effective ORDER BY e.effective, e.id) FILTER (WHERE e.kind = 'recognition_vote') AS votes_on,
				array_agg(e.document_no ORDER BY e.effective, e.id) FILTER (WHERE e.kind = 'recognition_vote') AS votes_no,
				array_agg(e.votes_for ORDER BY e.effective, e.id) FILTER (WHERE e.kind = 'recognition_vote') AS votes_for,
				array_agg(e.votes_eligible ORDER BY e.effective, e.id) FILTER (WHERE e.kind = 'recognition_vote') AS votes_eligible,
				max(e.document_no) FILTER (WHERE e.kind IN ('left', 'removed')) AS left_no
			FROM case_event e WHERE e.case_id = c.id) ev
		CROSS JOIN LATERAL (
			SELECT array_agg(s.sponsor_id ORDER BY s.sponsor_id) AS ids, array_agg(s.known_since ORDER BY s.sponsor_id) AS since,
				array_agg(s.letter_on ORDER BY s.sponsor_id) AS letter
			FROM case_sponsor s WHERE s.case_id = c.id) sp
		ORDER BY c.cell_id, c.person_id`, args...).Scan(ctx, &rows)
	if err != nil && !isNoRows(err) {
		return nil, fmt.Errorf("bulk: export candidates: %w", err)
	}
	out := make([]exported, len(rows))
	for i, r := range rows {
		cells, err := decodeCells(r.Cells, candidateExportKeys)
		if err != nil {
			return nil, err
		}
		out[i] = exported{PersonID: r.PersonID, UnitID: r.CellID, cells: cells}
	}
	return out, nil
}

var candidateExportKeys = slices.Concat([]string{"proposer", "listed", "certificate", "certificate_no", "dossier",
	"application", "biography", "comments", "background_check",
	"sponsor1", "sponsor1_since", "sponsor2", "sponsor2_since", "sponsor1_letter", "sponsor2_letter", "youth_resolution",
	"cell_res", "cell_res_no", "cell_for", "cell_eligible", "committee_res", "committee_res_no", "committee_for", "committee_eligible",
	"extension", "extension_no", "decision", "decision_no", "ceremony"}, roundKeys(),
	[]string{"helper", "helper_since", "left", "left_reason", "left_no"})

// roundKeys are the keys of every round's columns, round after round (roundCols).
func roundKeys() []string {
	var ks []string
	for _, col := range roundCols {
		ks = append(ks, col, col+"_no", col+"_for", col+"_eligible")
	}
	return ks
}

// roundCells are the export's cells of every round the layout carries, in roundKeys' order: round i is
// the i-th recognition vote of the case, by day (NULL, an empty cell, when the case has fewer).
func roundCells() string {
	var b strings.Builder
	for i := range roundCols {
		n := i + 1
		fmt.Fprintf(&b, "to_char(ev.votes_on[%d], 'DD/MM/YYYY'), ev.votes_no[%d], ev.votes_for[%d]::text, ev.votes_eligible[%d]::text,\n\t\t\t", n, n, n, n)
	}
	return b.String()
}

// checkRounds refuses an export of candidates when the rule table allows more recognition rounds than
// the layout has columns for (vote.recognition.max_rounds raised above len(roundCols)): a case with a
// round the file cannot carry would come back from it without that round. The rule is read as the
// pipeline reads it, so the export follows a change of the table, not a number of its own.
func checkRounds(ctx context.Context, db bun.IDB) error {
	rules, err := pipeline.LoadRules(ctx, db)
	if err != nil {
		return err
	}
	if err := rules.Require(pipeline.RuleRecognitionRounds); err != nil {
		return err
	}
	if max := rules.V(pipeline.RuleRecognitionRounds); max > len(roundCols) {
		return apperr.Rule(pipeline.RuleRecognitionRounds,
			fmt.Sprintf("Quy định cho phép biểu quyết công nhận đảng viên chính thức tối đa %d lần, nhưng mẫu danh sách chỉ có cột cho %d lần: không xuất được danh sách mà không bỏ sót các lần xét sau. Cần bổ sung cột cho mẫu trước khi xuất.", max, len(roundCols)),
			fmt.Sprintf("the rule allows %d recognition rounds but the candidates layout carries %d", max, len(roundCols)))
	}
	return nil
}

// memberRows reads the members of the subtree on the day with their admission and recognition.
func memberRows(ctx context.Context, db bun.IDB, subtree string, args []any, on time.Time) ([]exported, error) {
	var rows []struct {
		PersonID int64  `bun:"person_id"`
		UnitID   int64  `bun:"unit_id"`
		Cells    string `bun:"cells"`
	}
	args = append([]any{on, on}, args...)
	args = append(args, pgdialect.Array(member.MemberStatuses))
	err := db.NewRaw(`
		SELECT s.person_id, s.unit_id, json_build_array(
			to_char(ad.decision_date, 'DD/MM/YYYY'), ad.document, to_char(ad.effective, 'DD/MM/YYYY'),
			to_char(rc.effective, 'DD/MM/YYYY'), rc.document)::text AS cells
		FROM member_status_span s
		CROSS JOIN LATERAL (SELECT e.decision_date, e.document, e.effective FROM member_event e
			WHERE e.person_id = s.person_id AND e.kind IN ('admitted', 'readmitted') ORDER BY e.effective DESC, e.id DESC LIMIT 1) ad
		LEFT JOIN LATERAL (SELECT e.effective, e.document FROM member_event e
			WHERE e.person_id = s.person_id AND e.kind = 'recognized' AND e.effective > ad.effective ORDER BY e.effective DESC LIMIT 1) rc ON TRUE
		WHERE s.valid_from <= ? AND (s.valid_to IS NULL OR s.valid_to > ?) AND `+subtree+` AND s.status = ANY(?::text[])
		ORDER BY s.unit_id, s.person_id`, args...).Scan(ctx, &rows)
	if err != nil && !isNoRows(err) {
		return nil, fmt.Errorf("bulk: export members: %w", err)
	}
	out := make([]exported, len(rows))
	for i, r := range rows {
		cells, err := decodeCells(r.Cells, []string{"decision", "decision_no", "ceremony", "recognition", "recognition_no"})
		if err != nil {
			return nil, err
		}
		out[i] = exported{PersonID: r.PersonID, UnitID: r.UnitID, cells: cells}
	}
	return out, nil
}

// decodeCells reads a JSON array of text or null into cells by key.
func decodeCells(js string, keys []string) (map[string]string, error) {
	var vals []*string
	if err := json.Unmarshal([]byte(js), &vals); err != nil || len(vals) != len(keys) {
		return nil, fmt.Errorf("bulk: export cells %q: %v", js, err)
	}
	cells := make(map[string]string, len(keys))
	for i, k := range keys {
		if vals[i] != nil {
			cells[k] = *vals[i]
		}
	}
	return cells, nil
}
