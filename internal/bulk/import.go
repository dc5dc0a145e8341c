package bulk

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"ptdv/internal/apperr"
	"ptdv/internal/auth"
	"ptdv/internal/codes"
	"ptdv/internal/db"
	"ptdv/internal/member"
	"ptdv/internal/people"
	"ptdv/internal/pipeline"
	"ptdv/internal/sheet"
	"ptdv/internal/vn"
)

// Options of an import.
type Options struct {
	// SkipInvalid writes the good rows and returns the bad ones in Report.Rejected; by default one bad
	// row means nothing is written.
	SkipInvalid bool
	// FileHash is the SHA-256 (hex) of the file as uploaded, for the audit row of the run; empty: the
	// hash of the table's cells (TableHash).
	FileHash string
	// oneByOne sends every row through the API's functions, as rows of recorded persons go: tests
	// compare the batch path against it.
	oneByOne bool
}

// Report says what an import did (or, when Written is false, would have done).
type Report struct {
	Kind      Kind
	Rows      int // data rows read
	Created   int // rows that recorded a new person
	Updated   int // rows that added stages or events to a person already recorded
	Unchanged int // rows already recorded exactly (a second import of the same file)
	Problems  []Problem
	// Rejected is the reject file: the header and the bad rows as read, with the reasons in a last
	// column "Lỗi"; fix and import it again (the column is ignored).
	Rejected sheet.Sheet
	Written  bool
	// Warnings are the deadlines that rows recorded as facts of the past had missed (late.go): the
	// rows are recorded, the events flagged.
	Warnings []Problem
}

// Bad is the number of rows with problems.
func (r Report) Bad() int { return len(r.Rejected.Rows) }

var errRollback = errors.New("bulk: rows refused")

// errRow says the row's problem is already recorded.
var errRow = errors.New("bulk: row refused")

// Import validates and records every row of a table read from a file of the given kind, in one
// transaction (db.RunInBulkTx), with the API's rules, code lists and scope, writing the events the API
// writes. Rows of persons not recorded yet take the batch path (batch.go: checked in memory by the same
// rules, written with COPY); the others go through the API's own functions one by one. A row whose
// person (by national ID) is already recorded adds only what is not recorded yet: importing the same
// file twice changes nothing the second time. Unit rows (keyed by code) go through org.CreateMany a
// level of the tree at a time, each after its parent's row wherever that stands in the file.
//
// Every run of an actor allowed to import is audited ("import.run": the file's hash, the rows, the
// outcome), refused or not, and bounded by the role's limits of rows per file and per day (import_limit).
func Import(ctx context.Context, d *bun.DB, k Kind, t sheet.Table, opt Options) (Report, error) {
	a, err := auth.FromContext(ctx)
	if err != nil {
		return Report{}, err
	}
	hash := opt.FileHash
	if hash == "" {
		hash = TableHash(t)
	}
	if k == Targets {
		out, err := importTargets(ctx, d, t, opt)
		if apperr.CodeOf(err) != apperr.Forbidden {
			if aerr := auditRun(ctx, d, k, hash, len(t.Rows), out, err); aerr != nil && err == nil {
				return Report{}, aerr
			}
		}
		return out, err
	}
	if k == Units {
		err = a.Require(auth.PermWriteTree)
	} else {
		err = people.RequireWrite(a)
	}
	if err != nil {
		return Report{}, err
	}
	var out Report
	if err = checkLimits(ctx, d, a, len(t.Rows)); err == nil {
		out, err = importTable(ctx, d, a, k, t, opt)
	}
	if aerr := auditRun(ctx, d, k, hash, len(t.Rows), out, err); aerr != nil && err == nil {
		return Report{}, aerr
	}
	return out, err
}

func importTable(ctx context.Context, d *bun.DB, a *auth.Actor, k Kind, t sheet.Table, opt Options) (Report, error) {
	idx, err := columnMap(k, t.Header)
	if err != nil {
		return Report{}, headerBelow(k, t, err)
	}
	set, err := codes.Load(ctx, d)
	if err != nil {
		return Report{}, err
	}
	// A candidate list counts the members its rows recognize among the voters of its other rows
	// (pipeline.Expected). With bad rows skipped, a refused row's recognition does not count: the file
	// is checked again without it (the rows that counted it are then refused, those that did not may go
	// in), until the recognitions counted are those of the rows written, at most maxPasses times.
	{
		recs := make([]*record, len(t.Rows))
		for i, row := range t.Rows {
			recs[i] = newRecord(k, row.N, row.Cells, idx)
		}
		rep := Report{Kind: k, Rows: len(t.Rows)}
		if len(recs) == 0 {
			return rep, apperr.New(apperr.InvalidFile, "Tệp không có dòng dữ liệu nào.", "the file has no data rows")
		}
		if err := maskedIDs(k, recs); err != nil {
			return rep, err
		}
	}
	var exclude map[int]bool
	for pass := 1; ; pass++ {
		rep, recs, err := importPass(ctx, d, a, k, t, idx, set, opt, exclude, pass == maxPasses)
		if !errors.Is(err, errRecheck) {
			return written(rep, err)
		}
		exclude = map[int]bool{}
		for _, r := range recs {
			if r.recognizes && len(r.probs) > 0 {
				exclude[r.n] = true
			}
		}
	}
}

// maxPasses bounds the checks of a list whose skipped rows recognized members that other rows counted.
const maxPasses = 4

// errRecheck: the pass wrote rows that counted a member whose row was refused (or left out one whose row
// was written): its writes are rolled back and the file checked again.
var errRecheck = errors.New("bulk: check the file again without the refused recognitions")

// importPass checks and records the rows once, in one transaction; exclude lists the rows whose
// recognitions are not counted among the voters (refused in the pass before).
func importPass(ctx context.Context, d *bun.DB, a *auth.Actor, k Kind, t sheet.Table, idx map[string]int, set *codes.Set, opt Options,
	exclude map[int]bool, last bool) (Report, []*record, error) {
	rep := Report{Kind: k, Rows: len(t.Rows)}
	recs := make([]*record, len(t.Rows))
	for i, row := range t.Rows {
		recs[i] = newRecord(k, row.N, row.Cells, idx)
	}

	// Rules, calendar and code lists do not change during the import: read them once for all rows.
	// An office's file records the past: a missed deadline is flagged on its event, not refused.
	ctx = codes.WithSet(pipeline.WithEnvCache(pipeline.AsHistory(ctx)), set)
	err := db.RunInBulkTx(ctx, d, func(ctx context.Context, tx db.BulkTx) error {
		im := &importer{bulk: tx, tx: tx.Tx, set: set, match: newMatcher(set), kind: k, oneByOne: opt.oneByOne, actor: a}
		if err := im.prefetch(ctx, recs); err != nil {
			return err
		}
		// The key of a row: the national ID, or a unit's code.
		key, keyMsg := "nid", "Số CCCD trùng với dòng %d."
		order, depth := recs, map[*record]int(nil)
		if k == Units {
			key, keyMsg = "code", "Mã đơn vị trùng với dòng %d."
			order, depth = unitOrder(recs)
		}
		keyOf := func(r *record) string {
			if key == "nid" {
				return r.nationalIDQuiet("nid") // "12345678901" and "012345678901" are one person
			}
			return r.text(key)
		}
		// Every row is checked first, with what needs no more than the reads above (cells, codes, dates,
		// ID format, the identity of recorded persons), before anything is written: unless bad rows are
		// to be skipped, one bad row refuses the file in the time it takes to read it. Then candidate and
		// member rows of new persons go through the batch path, the others (and those naming a sponsor
		// recorded by another row) one by one after it; unit rows one by one, parents first.
		var good []*record
		refused := false
		for _, r := range order {
			im.parse(r)
			if v := keyOf(r); v != "" {
				if first, dup := im.seen[v]; dup {
					r.invalid(key, fmt.Sprintf(keyMsg, first))
				} else {
					im.seen[v] = r.n
				}
			}
			if len(r.probs) > 0 {
				im.failed[r.text(key)] = r.n
				refused = refused || !opt.SkipInvalid
			} else {
				good = append(good, r)
			}
		}
		if k == Candidates {
			voters, err := im.fileVoters(ctx, good, exclude)
			if err != nil {
				return err
			}
			ctx = pipeline.WithFileVoters(ctx, voters)
		}
		switch {
		case k == Units:
			// Unit rows go on being recorded even when the file is refused already, so that the report
			// has every row's problems (a child's parent must be there to check the child).
			if err := im.applyUnits(ctx, good, depth, &rep); err != nil {
				return err
			}
		case refused:
			// The file is refused: the rows of new persons are still checked in memory by the API's rules
			// (the batch path without its writes), for a full report; the others wait for a good file.
			if _, err := im.newPersons(ctx, good, &rep, false); err != nil {
				return err
			}
		default:
			rest, err := im.newPersons(ctx, good, &rep, true)
			if err != nil {
				return err
			}
			if !im.oneByOne {
				if rest, err = im.settled(ctx, rest, &rep); err != nil {
					return err
				}
			}
			for _, r := range rest {
				if err := im.applyRow(ctx, r, key, &rep); err != nil {
					return err
				}
			}
		}
		if k == Candidates {
			if err := im.lateWarnings(ctx, &rep); err != nil {
				return err
			}
		}
		if err := rejects(t, idx, recs, &rep, opt); err != nil {
			return err
		}
		return im.recheck(recs, exclude, last)
	})
	return rep, recs, err
}

// written is the import's report after its transaction: errRollback (bad rows, the file refused) leaves
// nothing written and counts nothing as created, updated or unchanged.
func written(rep Report, err error) (Report, error) {
	switch {
	case errors.Is(err, errRollback):
		rep.Created, rep.Updated, rep.Unchanged = 0, 0, 0
		return rep, nil
	case err != nil:
		return Report{}, err
	}
	rep.Written = true
	return rep, nil
}

// rejects lists the rows' problems in rep and builds the reject file: the header and the bad rows as
// read, the ids of the rules that refused each row in the "Quy định" column and the reasons in the "Lỗi"
// column (the file's own columns when it is a reject file imported again). With problems and without
// opt.SkipInvalid it returns errRollback: the transaction writes nothing.
func rejects(t sheet.Table, idx map[string]int, recs []*record, rep *Report, opt Options) error {
	header := append([]string(nil), t.Header...)
	col := func(c Column) int {
		if i, ok := idx[c.Key]; ok {
			return i
		}
		header = append(header, c.Header)
		return len(header) - 1
	}
	ruleCol := col(rulesColumn)
	errCol := col(errorsColumn)
	rep.Rejected = sheet.Sheet{Name: "Lỗi", Header: header}
	for _, r := range recs {
		if len(r.probs) == 0 {
			continue
		}
		rep.Problems = append(rep.Problems, r.probs...)
		msgs := make([]string, len(r.probs))
		var rules []string
		for i, p := range r.probs {
			msgs[i] = p.reason()
			if p.Rule != "" && !slices.Contains(rules, p.Rule) {
				rules = append(rules, p.Rule)
			}
		}
		cells := make([]string, len(header))
		copy(cells, r.raw)
		cells[ruleCol] = strings.Join(rules, "; ")
		cells[errCol] = strings.Join(msgs, "; ")
		rep.Rejected.Rows = append(rep.Rejected.Rows, cells)
	}
	if len(rep.Problems) > 0 && !opt.SkipInvalid {
		return errRollback
	}
	return nil
}

// applyRow records one row through the API's functions, in a savepoint: a row refused leaves nothing.
func (im *importer) applyRow(ctx context.Context, r *record, key string, rep *Report) error {
	tx := im.tx
	var outcome int
	im.undo = im.undo[:0]
	writeCount.Add(1)
	err := tx.RunInTx(ctx, nil, func(ctx context.Context, sp bun.Tx) error {
		im.tx = sp
		var err error
		outcome, err = im.apply(ctx, r)
		if err == nil && len(r.probs) > 0 {
			err = errRollback
		}
		return err
	})
	im.tx = tx
	if err != nil && !errors.Is(err, errRollback) {
		if err := r.failErr("", err); err != nil {
			return err // the database failed, not the row
		}
	}
	r.recorded()
	if len(r.probs) > 0 {
		// The row's savepoint is rolled back: so are the ids it cached.
		for i := len(im.undo) - 1; i >= 0; i-- {
			im.undo[i]()
		}
		im.failed[r.text(key)] = r.n
		return nil
	}
	switch outcome {
	case created:
		rep.Created++
	case updated:
		rep.Updated++
	default:
		rep.Unchanged++
	}
	return nil
}

const (
	unchanged = iota
	created
	updated
)

// importer holds what the rows of one import share.
type importer struct {
	bulk   db.BulkTx // the import's transaction, for the batch path's COPY
	tx     bun.Tx    // the same, or the savepoint of the row being applied
	set    *codes.Set
	match  *matcher   // labels of the rows, matched against set
	labels unitLabels // unit lists: kinds and sectors
	kind   Kind
	// oneByOne: no batch path (Options.oneByOne)
	oneByOne bool
	failed   map[string]int   // a bad row's key (national ID, unit code) → its row number
	seen     map[string]int   // every row's key → its row number, in the order rows are checked
	cells    map[string]int64 // unit code → id
	units    people.UnitFacts // the batch path's cells: in scope, and when they exist
	ids      map[string]int64 // national ID → person id (recorded, or created by an earlier row)
	cases    map[int64]int64  // person id → latest case id
	undo     []func()         // restores the maps above if the current row is rolled back
	known    map[string]known // national ID → the person recorded under it (identity.go)
	actor    *auth.Actor
}

// prefetch reads, in a few queries, the units and persons the rows name. Scope is not checked here: the
// API functions the rows go through check it.
func (im *importer) prefetch(ctx context.Context, recs []*record) error {
	im.cells, im.ids, im.cases, im.failed, im.seen = map[string]int64{}, map[string]int64{}, map[int64]int64{}, map[string]int{}, map[string]int{}
	if im.kind == Units {
		var err error
		if im.labels, err = loadUnitLabels(ctx, im.tx); err != nil {
			return err
		}
		return im.prefetchUnits(ctx, recs)
	}
	var unitCodes, nids []string
	for _, r := range recs {
		unitCodes = append(unitCodes, r.text("cell"))
		for _, k := range append([]string{"nid"}, memberKeys...) {
			if s := r.text(k); s != "" {
				nids = append(nids, r.nationalIDQuiet(k))
			}
		}
	}
	unitCodes, nids = distinct(unitCodes), distinct(nids)
	if err := im.prefetchCodes(ctx, unitCodes); err != nil {
		return err
	}
	return im.prefetchPersons(ctx, nids)
}

// prefetchCodes reads the ids of the units of codes into im.cells.
func (im *importer) prefetchCodes(ctx context.Context, codes []string) error {
	var units []struct {
		ID   int64  `bun:"id"`
		Code string `bun:"code"`
	}
	if err := im.tx.NewRaw(`SELECT id, code FROM org_unit WHERE code = ANY(?::text[])`, pgdialect.Array(codes)).Scan(ctx, &units); err != nil && !isNoRows(err) {
		return err
	}
	for _, u := range units {
		im.cells[u.Code] = u.ID
	}
	return nil
}

// nationalIDQuiet normalises an ID like nationalID without recording a problem (prefetch only).
func (r *record) nationalIDQuiet(key string) string {
	s := strings.ReplaceAll(r.text(key), " ", "")
	if len(s) == 11 && isDigits(s) {
		s = "0" + s
	}
	return s
}

// parse checks the cells' shapes and code lists, before anything is written.
func (im *importer) parse(r *record) {
	if im.kind == Units {
		im.parseUnit(r)
		return
	}
	r.required("name")
	r.required("sex")
	r.required("birth")
	r.required("nid")
	r.required("cell")
	r.date("birth")
	r.nationalID("nid")
	r.code(im.match, codes.Sex, "sex")
	for _, l := range []string{codes.Ethnicity, codes.Religion, codes.GeneralEducation, codes.ProfessionalQualification,
		codes.PoliticalTheory, codes.Occupation} {
		r.code(im.match, l, l)
	}
	r.flag(im.match, "youth")
	r.flag(im.match, "confirm_birth")
	if n := utf8.RuneCountInString(r.text("workplace")); n > 300 {
		r.invalid("workplace", fmt.Sprintf("Nơi làm việc dài %s ký tự, quá 300 ký tự.", vn.Int(int64(n))))
	}
	if c := r.text("cell"); c != "" {
		if _, ok := im.cells[c]; !ok {
			r.fail("cell", apperr.NotFound, "", fmt.Sprintf("Không tìm thấy chi bộ mã \"%s\".", c))
		}
	}
	switch im.kind {
	case Candidates:
		r.required("proposer")
		r.required("listed")
		r.code(im.match, "proposer", "proposer")
		r.code(im.match, "leave_reason", "left_reason")
		for _, k := range slices.Concat([]string{"listed", "certificate", "dossier", "application", "biography", "comments", "background_check",
			"sponsor1_since", "sponsor2_since", "sponsor1_letter", "sponsor2_letter", "cell_res", "committee_res", "extension", "decision", "ceremony"},
			roundCols, []string{"helper_since", "left"}) {
			r.date(k)
		}
		for _, k := range []string{"cell_for", "cell_eligible", "committee_for", "committee_eligible"} {
			r.count(k)
		}
		for _, k := range roundCols {
			r.count(k + "_for")
			r.count(k + "_eligible")
		}
		laterRounds(r)
		for _, k := range memberKeys {
			if r.nationalID(k); r.text(k) != "" {
				// A sponsor outside the scope reads as one not recorded: the same words, whoever holds the ID.
				sp, ok := im.known[r.nationalIDQuiet(k)]
				if (!ok || !sp.InScope) && im.seen[r.nationalIDQuiet(k)] == 0 {
					r.fail(k, apperr.NotFound, "", "Không tìm thấy đảng viên có số CCCD này trong phạm vi của bạn.")
				}
			}
		}
		if r.text("helper") != "" && r.text("helper_since") == "" {
			r.invalid("helper_since", "Cần ngày phân công người giúp đỡ.")
		}
		if r.text("left") != "" && r.text("left_reason") == "" {
			r.invalid("left_reason", "Cần lý do ra khỏi danh sách.")
		}
		im.dates(r, slices.Concat([]string{"listed", "certificate", "dossier", "cell_res", "committee_res", "decision", "ceremony"}, roundCols, []string{"left"}))
	case Members:
		r.required("decision")
		r.required("ceremony")
		for _, k := range []string{"decision", "ceremony", "recognition"} {
			r.date(k)
		}
		im.dates(r, []string{"decision", "ceremony", "recognition"})
	}
	im.identity(r)
}

// laterRounds checks the columns of the recognition's later rounds (lần 2, lần 3) against the round
// before each: a round needs the one before it, on an earlier day, and its number and votes need its
// day. The first problem of a row is enough: the rounds after it would only repeat it.
func laterRounds(r *record) {
	for i, col := range roundCols[1:] {
		n, prev := i+2, roundCols[i]
		day, before := r.day(col), r.day(prev)
		if day == nil {
			if r.text(col) == "" {
				for _, k := range []string{col + "_no", col + "_for", col + "_eligible"} {
					if r.text(k) != "" {
						r.invalid(col, fmt.Sprintf("Cột \"%s\" có giá trị: cần ngày xét công nhận lần %d.", header(Candidates, k), n))
						return
					}
				}
			}
			continue
		}
		switch {
		case r.text(prev) == "":
			r.invalid(col, fmt.Sprintf("Có lần xét công nhận thứ %d nhưng chưa có lần %d (cột \"%s\").", n, n-1, header(Candidates, prev)))
			return
		case before != nil && !day.After(*before):
			r.fail(col, apperr.RuleViolation, pipeline.RuleDateOrder,
				fmt.Sprintf("Ngày xét công nhận lần %d (%s) phải sau lần %d (%s).", n, vn.Date(*day), n-1, vn.Date(*before)))
			return
		}
	}
}

func (im *importer) newPerson(r *record, since time.Time) people.NewPerson {
	return people.NewPerson{
		FullName: r.text("name"), Sex: r.code(im.match, codes.Sex, "sex"), BirthDate: *r.date("birth"),
		NationalID: r.nationalIDQuiet("nid"), Ethnicity: r.code(im.match, codes.Ethnicity, codes.Ethnicity),
		Religion: r.code(im.match, codes.Religion, codes.Religion), GeneralEducation: r.code(im.match, codes.GeneralEducation, codes.GeneralEducation),
		ProfessionalQualification: r.code(im.match, codes.ProfessionalQualification, codes.ProfessionalQualification),
		PoliticalTheory:           r.code(im.match, codes.PoliticalTheory, codes.PoliticalTheory),
		Occupation:                r.code(im.match, codes.Occupation, codes.Occupation), YouthUnionMember: r.flag(im.match, "youth"),
		Workplace: r.text("workplace"), UnitID: im.cells[r.text("cell")], Since: since,
	}
}

// person finds the row's person by national ID or records them; it reports whether it created one.
func (im *importer) person(ctx context.Context, r *record, since time.Time) (int64, bool, error) {
	nid := r.nationalIDQuiet("nid")
	if id, ok := im.ids[nid]; ok {
		p, err := people.GetOne(ctx, im.tx, id)
		if err != nil {
			if apperr.CodeOf(err) == apperr.NotFound {
				return 0, false, people.ErrHeldElsewhere()
			}
			return 0, false, err
		}
		if b := r.date("birth"); r.fixBirth && !p.BirthDate.Equal(*b) {
			// The office confirmed the row's birth date: the record is corrected (and audited) first.
			if _, err := people.Update(ctx, im.tx, id, p.Version, people.PersonPatch{BirthDate: b}); err != nil {
				r.failErr("birth", err)
				return 0, false, errRow
			}
			r.fixed = true
		}
		return id, false, nil
	}
	p, err := people.Create(ctx, im.tx, im.newPerson(r, since))
	if err != nil {
		if apperr.CodeOf(err) == apperr.NotFound { // the cell, out of scope
			r.failErr("cell", err)
			return 0, false, errRow
		}
		return 0, false, err
	}
	cacheIn(im, im.ids, nid, p.ID)
	return p.ID, true, nil
}

// cacheIn keeps an id for the rows that follow, to be forgotten if the current row is rolled back.
func cacheIn[K comparable](im *importer, m map[K]int64, k K, v int64) {
	old, had := m[k]
	im.undo = append(im.undo, func() {
		if had {
			m[k] = old
		} else {
			delete(m, k)
		}
	})
	m[k] = v
}

func (im *importer) apply(ctx context.Context, r *record) (int, error) {
	switch im.kind {
	case Members:
		return im.applyMember(ctx, r)
	case Units:
		return im.applyUnit(ctx, r)
	}
	return im.applyCandidate(ctx, r)
}

// applyMember records a member's admission and recognition as member events.
func (im *importer) applyMember(ctx context.Context, r *record) (int, error) {
	ceremony, decision := *r.date("ceremony"), *r.date("decision")
	id, isNew, err := im.person(ctx, r, ceremony)
	if err != nil {
		if errors.Is(err, errRow) {
			return 0, nil
		}
		return 0, r.failErr("nid", err)
	}
	changed := r.fixed
	if caseID, ok := im.cases[id]; ok && !isNew {
		c, err := pipeline.GetOne(ctx, im.tx, caseID)
		if err != nil {
			return 0, r.failErr("nid", err)
		}
		moved, err := im.reconcile(ctx, r, c)
		if err != nil || len(r.probs) > 0 {
			return 0, err
		}
		changed = changed || moved
	}
	history, err := member.History(ctx, im.tx, id)
	if err != nil {
		return 0, err
	}
	// A readmission exports as the member's admission: either is the row's admission when it comes back.
	if !hasEvent(history, ceremony, member.KindAdmitted, member.KindReadmitted) {
		if err := member.Record(ctx, im.tx, member.Event{PersonID: id, Kind: member.KindAdmitted, Effective: ceremony,
			DecisionDate: &decision, Document: r.text("decision_no")}); err != nil {
			return 0, r.failErr("ceremony", err)
		}
		changed = true
	}
	if rec := r.date("recognition"); rec != nil && !hasEvent(history, *rec, member.KindRecognized) {
		if err := member.Record(ctx, im.tx, member.Event{PersonID: id, Kind: member.KindRecognized, Effective: *rec,
			Document: r.text("recognition_no")}); err != nil {
			return 0, r.failErr("recognition", err)
		}
		changed = true
	}
	return outcome(isNew, changed), nil
}

func outcome(isNew, changed bool) int {
	switch {
	case isNew:
		return created
	case changed:
		return updated
	}
	return unchanged
}

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

// distinct is s sorted without repeats: a file names the same cell and sponsor on many rows, and a
// lookup of 100,000 array elements costs a probe each.
func distinct[T cmp.Ordered](s []T) []T {
	s = slices.Clone(s)
	slices.Sort(s)
	return slices.Compact(s)
}
