package bulk

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun/dialect/pgdialect"

	"ptdv/internal/apperr"
	"ptdv/internal/auth"
	"ptdv/internal/codes"
	"ptdv/internal/people"
	"ptdv/internal/pipeline"
	"ptdv/internal/vn"
)

// An import keys persons by national ID, and an ID typed wrong names somebody else: a row must never be
// merged into another person's record. A row whose ID is recorded is that person's only if
//   - the person is in the actor's scope (else the ID "cannot be used by this unit": the words
//     createPerson uses, the same whoever holds the ID, with no name, id or unit), and
//   - the full name is the same, up to accents, case, spacing and punctuation (codes.Fold: "Nguyen van
//     an" is "Nguyễn Văn An"), and the sex is the same, and
//   - the birth date is the same, or the row confirms a corrected birth date (column "Xác nhận sửa
//     ngày sinh": the recorded date is then updated through people.Update, audited).
// Any other difference (ethnicity, education, workplace, cell…) is not a question of identity: an import
// does not change a recorded person's other fields (the person's form does).

// RuleSamePerson names the refusal of a row whose national ID is recorded for a different person.
const RuleSamePerson = "import.same_person"

// heldElsewhere is the refusal of an ID recorded outside the actor's scope: createPerson's words.
var heldElsewhere = people.ErrHeldElsewhere().Message

// known is a person recorded under a national ID a row names.
type known struct {
	ID      int64     `bun:"id"`
	NID     string    `bun:"national_id"`
	Name    string    `bun:"full_name"`
	Sex     string    `bun:"sex"`
	Birth   time.Time `bun:"birth_date"`
	UnitID  int64     `bun:"unit_id"`
	Version int       `bun:"version"`
	InScope bool      `bun:"in_scope"`
	CaseID  *int64    `bun:"case_id"`
}

// prefetchPersons reads the persons recorded under the rows' national IDs (and sponsors'), whoever
// holds them, with whether each is in the actor's scope: what a row may learn of one depends on it.
func (im *importer) prefetchPersons(ctx context.Context, nids []string) error {
	a, err := auth.FromContext(ctx)
	if err != nil {
		return err
	}
	cond, args := a.Scope().UnitFilter("p.unit_id")
	// A join on the unnested IDs, not "= ANY": the planner estimates an ANY of 120,000 literals element
	// by element (≈ 0.26 s of planning).
	var persons []known
	if err := im.tx.NewRaw(`SELECT p.id, p.national_id, p.full_name, p.sex, p.birth_date, p.unit_id, p.version, `+cond+` AS in_scope,
			(SELECT c.id FROM candidate_case c WHERE c.person_id = p.id ORDER BY c.id DESC LIMIT 1) AS case_id
		FROM unnest(?::text[]) AS n(nid) JOIN person p ON p.national_id = n.nid`, append(args, pgdialect.Array(nids))...).Scan(ctx, &persons); err != nil && !isNoRows(err) {
		return err
	}
	im.known = make(map[string]known, len(persons))
	for _, p := range persons {
		im.known[p.NationalID()] = p
		im.ids[p.NID] = p.ID
		if p.CaseID != nil {
			im.cases[p.ID] = *p.CaseID
		}
	}
	// Row-level security hides the persons outside the scope from the read above; the database still
	// says which numbers are held (as its unique index would). They are known out of scope, with id 0,
	// which no read finds: their rows are refused as held elsewhere, never taken for new persons.
	var taken []string
	if err := im.tx.NewRaw(`SELECT ptdv_national_ids_taken(?::text[])`, pgdialect.Array(nids)).Scan(ctx, &taken); err != nil && !isNoRows(err) {
		return err
	}
	for _, n := range taken {
		if _, ok := im.known[n]; !ok {
			im.known[n] = known{NID: n}
			im.ids[n] = 0
		}
	}
	return nil
}

// NationalID is the key of known.
func (k known) NationalID() string { return k.NID }

// identity checks that a row naming a recorded national ID is that person's (see above). It runs before
// anything is written, on what prefetch read.
func (im *importer) identity(r *record) {
	k, ok := im.known[r.nationalIDQuiet("nid")]
	if !ok {
		return
	}
	if !k.InScope {
		r.fail("nid", apperr.Conflict, "", heldElsewhere)
		return
	}
	// The recorded values are shown only to a role that may see this person's identity in full.
	show := people.CanSeeNationalID(im.actor, people.Person{UnitID: k.UnitID, NationalID: k.NID})
	recorded := func(v string) string {
		if show {
			return " (" + v + ")"
		}
		return ""
	}
	if name := r.text("name"); name != "" && codes.Fold(name) != codes.Fold(k.Name) {
		r.fail("name", apperr.Conflict, RuleSamePerson, fmt.Sprintf(
			"Số CCCD này đã được ghi cho một người có họ tên khác%s; dòng này ghi \"%s\". Không gộp hai người: hãy kiểm tra lại số CCCD hoặc họ tên (khác dấu, chữ hoa, chữ thường không tính là khác).",
			recorded("\""+k.Name+"\""), name))
	}
	if sex, _ := im.match.match(codes.Sex, r.text("sex")); sex != "" && sex != k.Sex {
		label := k.Sex
		if it, ok := im.set.Item(codes.Sex, k.Sex); ok {
			label = it.LabelVI
		}
		r.fail("sex", apperr.Conflict, RuleSamePerson, fmt.Sprintf(
			"Số CCCD này đã được ghi cho một người có giới tính khác%s; dòng này ghi \"%s\". Hãy kiểm tra lại số CCCD.",
			recorded(label), r.text("sex")))
	}
	if b := r.day("birth"); b != nil && !b.Equal(k.Birth) {
		if !yes[im.match.fold(r.text("confirm_birth"))] {
			r.fail("birth", apperr.Conflict, RuleSamePerson, fmt.Sprintf(
				"Số CCCD này đã được ghi cho một người có ngày sinh khác%s; dòng này ghi %s. Nếu ngày sinh đã ghi sai và dòng này đúng, ghi \"Có\" ở cột \"%s\"; nếu không, hãy kiểm tra lại số CCCD.",
				recorded(vn.Date(k.Birth)), vn.Date(*b), confirmBirthColumn.Header))
			return
		}
		r.fixBirth = true
	}
}

// maskedIDs refuses a file whose national IDs are masked ("**********11"): an export read by a role that
// may not see them in full. Its rows would only ever be refused one by one.
func maskedIDs(k Kind, recs []*record) error {
	for _, r := range recs {
		for _, key := range append([]string{"nid"}, memberKeys...) {
			if s := r.text(key); strings.Contains(s, "*") && strings.Trim(s, "*0123456789 ") == "" {
				return apperr.New(apperr.InvalidFile, fmt.Sprintf(
					"Tệp này được xuất với số CCCD đã che (dòng %d, cột \"%s\": %s), nên không nhập lại được. Hãy nhập tệp gốc của đơn vị, hoặc xuất lại bằng tài khoản được xem đủ số CCCD.",
					r.n, header(k, key), s),
					fmt.Sprintf("the file was exported with masked national IDs (row %d)", r.n))
			}
		}
	}
	return nil
}

// dates checks the row's dates against today and the birth date, before anything is written: the API
// refuses them too, in words that do not say why ("không hợp lệ").
func (im *importer) dates(r *record, keys []string) {
	today := vn.Today()
	birth := r.day("birth")
	if birth != nil && birth.After(today) {
		r.invalid("birth", fmt.Sprintf("Ngày sinh %s sau ngày hôm nay (%s).", vn.Date(*birth), vn.Date(today)))
		birth = nil
	}
	for _, k := range keys {
		d := r.day(k)
		switch {
		case d == nil:
		case d.After(today):
			r.invalid(k, fmt.Sprintf("Ngày %s sau ngày hôm nay (%s).", vn.Date(*d), vn.Date(today)))
		case birth != nil && d.Before(*birth):
			r.invalid(k, fmt.Sprintf("Ngày %s trước ngày sinh (%s).", vn.Date(*d), vn.Date(*birth)))
		}
	}
}

// reconcile checks a member row against the person's candidate case (the case that admitted them, or the
// one under way): the case's decision, ceremony and recognition must be the row's. A case at the decision
// stage whose decision is the row's advances through its ceremony (the pipeline records the admission);
// a case short of the decision, or a recognition the case has not voted, refuses the row. It reports
// whether it moved the case.
func (im *importer) reconcile(ctx context.Context, r *record, c pipeline.Case) (bool, error) {
	ceremony, decision, rec := *r.date("ceremony"), *r.date("decision"), r.date("recognition")
	switch c.Stage {
	case pipeline.StageLeft, pipeline.StageRemoved:
		return false, nil // a closed case that admitted nobody: the member events speak for themselves
	case pipeline.StageDecision, pipeline.StageProbation, pipeline.StageFullMember:
	default:
		r.fail("decision", apperr.Conflict, RuleSamePerson, fmt.Sprintf(
			"Người này đang có hồ sơ kết nạp ở bước \"%s\", chưa có quyết định kết nạp: không ghi là đảng viên được. Hãy ghi tiếp hồ sơ (danh sách quần chúng) hoặc kiểm tra lại số CCCD.",
			pipeline.StageLabels[c.Stage]))
		return false, nil
	}
	differ := func(col string, have *time.Time, want time.Time) bool {
		if have != nil && !have.Equal(want) {
			r.fail(col, apperr.Conflict, "", fmt.Sprintf("Khác ngày đã ghi trong hồ sơ kết nạp của người này (%s).", vn.Date(*have)))
			return true
		}
		return false
	}
	if differ("decision", c.DecisionOn, decision) || differ("ceremony", c.CeremonyOn, ceremony) {
		return false, nil
	}
	if rec != nil {
		if c.Stage != pipeline.StageFullMember {
			r.fail("recognition", apperr.Conflict, "",
				"Hồ sơ kết nạp của người này chưa có nghị quyết công nhận đảng viên chính thức: hãy ghi nghị quyết (với số phiếu) qua danh sách quần chúng hoặc hồ sơ, không qua danh sách đảng viên.")
			return false, nil
		}
		if differ("recognition", c.RecognizedOn, *rec) {
			return false, nil
		}
	}
	if c.Stage != pipeline.StageDecision {
		return false, nil
	}
	if _, err := pipeline.Apply(ctx, im.tx, c.ID, c.Version, pipeline.Ceremony(pipeline.Doc{Effective: ceremony, Note: "Nhập từ tệp."})); err != nil {
		return false, r.failErr("ceremony", err)
	}
	return true, nil
}
