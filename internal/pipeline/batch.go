package pipeline

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"ptdv/internal/apperr"
	"ptdv/internal/audit"
	"ptdv/internal/auth"
	"ptdv/internal/codes"
	"ptdv/internal/db"
	"ptdv/internal/member"
	"ptdv/internal/people"
)

// Batch replays the listing and the moves of new cases in memory, through the same rules as Open and
// Apply (opening and Step.run, with the Draft as their world), for a bulk import of persons recorded in
// the same write (people.WriteNew); WriteDrafts then writes the cases with their events, sponsors,
// dues, membership events and audit rows with COPY. What the rules read is loaded once: the rule table,
// the calendar, the code lists, the cells named and the recorded persons named (sponsors, helpers).
type Batch struct {
	spans   map[int64][]member.Span // the status spans in the cells named, by cell (fullMembers)
	windows map[int64][]voteWindow  // the recognitions by vote of their persons and of the persons named, by person
	file    *FileVoters             // the import's file's recognitions (WithFileVoters)
	actor   *auth.Actor
	decides bool // the actor's unit decides admissions (mayDecide)
	e       env
	set     *codes.Set
	mrules  map[string]member.Rule
	persons map[int64]person
	since   map[int64]time.Time // new persons: the day their records start in their unit
	cells   map[int64][]cellLink
	kept    []*Draft
}

// cellLink is one interval of a unit's place in the tree; InScope tells whether the actor may write there.
type cellLink struct {
	Kind      string     `bun:"kind"`
	ValidFrom time.Time  `bun:"valid_from"`
	ValidTo   *time.Time `bun:"valid_to"`
	InScope   bool       `bun:"in_scope"`
	UnitID    int64      `bun:"id"`
}

// NewBatch loads what the rules need for cases in the given cells naming the given recorded persons.
func NewBatch(ctx context.Context, tx bun.IDB, cellIDs, personIDs []int64) (*Batch, error) {
	a, err := requireWriter(ctx)
	if err != nil {
		return nil, err
	}
	e, err := loadEnv(ctx, tx)
	if err != nil {
		return nil, err
	}
	set, err := codes.Load(ctx, tx)
	if err != nil {
		return nil, err
	}
	mrules, err := member.Rules(ctx, tx)
	if err != nil {
		return nil, err
	}
	decides, err := unitDecides(ctx, tx, a)
	if err != nil {
		return nil, err
	}
	b := &Batch{spans: map[int64][]member.Span{}, file: fileVotersOf(ctx), actor: a, decides: decides, e: e, set: set, mrules: mrules, persons: map[int64]person{}, since: map[int64]time.Time{}, cells: map[int64][]cellLink{}}
	cond, args := a.Scope().UnitFilter("u.id")
	var links []cellLink
	err = tx.NewRaw(`SELECT u.id, u.kind, l.valid_from, l.valid_to, `+cond+` AS in_scope
		FROM org_unit u JOIN org_link l ON l.unit_id = u.id WHERE u.id = ANY(?::bigint[])`,
		append(args, pgdialect.Array(cellIDs))...).Scan(ctx, &links)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("pipeline: batch cells: %w", err)
	}
	for _, l := range links {
		b.cells[l.UnitID] = append(b.cells[l.UnitID], l)
	}
	// Every status span of the cells, whatever its status: voterOn decides who counts, not the query.
	var spans []member.Span
	err = tx.NewRaw(`SELECT person_id, unit_id, status, coalesce(grade, '') AS grade, valid_from, valid_to FROM member_status_span
		WHERE unit_id = ANY(?::bigint[])`, pgdialect.Array(cellIDs)).Scan(ctx, &spans)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("pipeline: batch spans: %w", err)
	}
	voters := make([]int64, 0, len(spans)+len(personIDs))
	for _, sp := range spans {
		b.spans[sp.UnitID] = append(b.spans[sp.UnitID], sp)
		voters = append(voters, sp.PersonID)
	}
	// The recognitions by vote of those members and of the sponsors and helpers named: they count as full
	// members from the day after the vote.
	if b.windows, err = voteWindowsOf(ctx, tx, append(voters, personIDs...)); err != nil {
		return nil, err
	}
	if len(personIDs) > 0 {
		ps, err := people.Get(ctx, tx, personIDs)
		if err != nil {
			return nil, err
		}
		spans, err := member.SpansOf(ctx, tx, personIDs)
		if err != nil {
			return nil, err
		}
		for id, p := range ps {
			b.persons[id] = b.facts(p, spans[id])
		}
	}
	return b, nil
}

func (b *Batch) facts(p people.Person, spans []member.Span) person {
	out := newPerson(b.set, p, spans)
	out.votes = b.windows[p.ID]
	return out
}

// AddPerson makes a person of the same bulk write (with its id) known to the rules.
func (b *Batch) AddPerson(p people.Prepared) {
	b.persons[p.Person.ID] = b.facts(p.Person, nil)
	b.since[p.Person.ID] = p.Since
}

// Draft is one new case being replayed; Keep adds it to the batch's writes. Once kept it holds all that
// WriteDrafts needs, so the writes of one chunk can run while the next is checked.
type Draft struct {
	b        *Batch
	Case     Case
	who      people.Person // the candidate, as recorded
	since    time.Time     // the day the candidate's records start in the cell
	events   []Event
	sponsors []SponsorInput
	members  []member.Event
	dues     []Due
	audit    audit.Entry
	last     time.Time
}

// Open starts a draft with Open's checks, for a case with the id given (db.NextIDs).
func (b *Batch) Open(id int64, in OpenInput) (*Draft, error) {
	d := &Draft{b: b}
	c, ev, err := opening(in, d)
	if err != nil {
		return nil, err
	}
	c.ID = id
	d.Case, d.last, d.who, d.since = c, ev.Effective, d.b.persons[in.PersonID].Person, d.b.since[in.PersonID]
	d.add(ev)
	return d, nil
}

func (d *Draft) add(ev Event) {
	ev.CaseID, ev.StageAfter = d.Case.ID, d.Case.Stage
	if ev.Details == "" {
		ev.Details = "{}"
	}
	d.events = append(d.events, ev)
	if ev.Effective.After(d.last) {
		d.last = ev.Effective
	}
}

// Apply runs a move on the draft, as Apply does on a recorded case; a refused move leaves the draft as
// it was.
func (d *Draft) Apply(s Step) error {
	if err := mayDecide(d.b.actor, s.perm, d.b.decides); err != nil {
		return err
	}
	saved := *d
	ev, err := s.run(&d.Case, d, d.last)
	if err != nil {
		*d = saved
		return err
	}
	d.Case.Version++
	d.add(ev)
	return nil
}

// Keep adds the draft to the batch's writes; input is what the audit row keeps of the request (an
// import keeps the file's row), with the ids, stage and version of the case.
func (b *Batch) Keep(d *Draft, input any) error {
	after, err := json.Marshal(map[string]any{"input": input, "personId": d.Case.PersonID, "caseId": d.Case.ID,
		"stage": d.Case.Stage, "version": d.Case.Version})
	if err != nil {
		return err
	}
	d.dues = dues(d.Case, b.e)
	d.audit = audit.Entry{Action: "case.imported", Entity: "candidate_case", EntityID: strconv.FormatInt(d.Case.ID, 10), After: json.RawMessage(after)}
	b.kept = append(b.kept, d)
	return nil
}

// Flush returns the drafts kept since the last Flush, for WriteDrafts.
func (b *Batch) Flush() []*Draft {
	ds := b.kept
	b.kept = nil
	return ds
}

// The draft is the world of its own moves.

func (d *Draft) env() env { return d.b.e }

// fullMembers counts the voters of a cell on a date as recorded (voterOn), from the spans and
// recognitions NewBatch read (no query here: a batch is checked while the previous chunk is written on
// the same connection), and the members the import's file recognizes by a vote before the date
// (Expected), whichever rows record them and in whatever order they are checked.
func (d *Draft) fullMembers(cellID int64, on time.Time) (int, error) {
	return Expected(countVoters(cellID, d.b.spans[cellID], d.b.windows, on), d.b.file, cellID, on), nil
}

func (d *Draft) person(id int64) (person, error) {
	p, ok := d.b.persons[id]
	if !ok {
		return person{}, apperr.NotFoundf("person", fmt.Sprint(id))
	}
	return p, nil
}

func (d *Draft) cellKind(id int64, on time.Time) (string, error) {
	ls := d.b.cells[id]
	if len(ls) == 0 || !ls[0].InScope {
		return "", apperr.NotFoundf("unit", fmt.Sprint(id))
	}
	for _, l := range ls {
		if !on.Before(l.ValidFrom) && (l.ValidTo == nil || on.Before(*l.ValidTo)) {
			return l.Kind, nil
		}
	}
	return "", nil
}

func (d *Draft) codeKnown(list, code string) (bool, error) {
	_, ok := d.b.set.Item(list, code)
	return ok, nil
}

func (d *Draft) setSponsors(c *Case, ss []SponsorInput) error {
	d.sponsors = ss
	return nil
}

func (d *Draft) recordMember(c *Case, kind string, on time.Time, decision *time.Time, doc string) error {
	p, err := d.person(c.PersonID)
	if err != nil {
		return err
	}
	if _, ok := d.b.since[c.PersonID]; !ok {
		return fmt.Errorf("pipeline: batch: person %d is not new", c.PersonID)
	}
	ev, err := member.Check(p.Person, d.members, member.Event{PersonID: c.PersonID, UnitID: c.CellID, Kind: kind,
		Effective: on, DecisionDate: decision, Document: doc}, d.b.mrules, d.b.set)
	if err != nil {
		return err
	}
	d.members = append(d.members, ev)
	return nil
}

// WriteDrafts writes kept drafts: cases, events, sponsors, dues, then the membership events and spans
// (member.WriteNew), and one audit row per case ("case.imported") with the request's input and the ids
// it was recorded under. That row is the bulk write's own: it stands for the rows of person.create,
// case.listed, each move and member.record that the API writes one by one (their JSON, 3–4 rows a
// case, was most of an import's time), while the events themselves are in case_event and member_event
// as the API writes them. The persons must be written first (people.WriteNew).
func WriteDrafts(ctx context.Context, tx db.BulkTx, ds []*Draft) error {
	hs, err := WriteDraftsHeld(ctx, tx, ds)
	if err != nil {
		return err
	}
	return member.WriteNew(ctx, tx, hs)
}

// WriteDraftsHeld writes kept drafts as WriteDrafts does but for their membership events and spans,
// which it returns for one member.WriteNew later in the same transaction, with those of other chunks:
// the year-end rollup's trigger (migration 0006) then adds every (unit, year) count once per import
// instead of once per chunk. Until then the cases' persons have no membership recorded.
func WriteDraftsHeld(ctx context.Context, tx db.BulkTx, ds []*Draft) ([]member.NewHistory, error) {
	if len(ds) == 0 {
		return nil, nil
	}
	a, err := requireWriter(ctx)
	if err != nil {
		return nil, err
	}
	cells := make([]int64, len(ds))
	for i, d := range ds {
		cells[i] = d.Case.CellID
	}
	if err := auth.CheckUnits(ctx, tx, cells...); err != nil {
		return nil, err
	}
	var cs caseRows
	var evs eventRows
	var sp struct {
		cases, sponsors []int64
		known, letters  []time.Time
	}
	var du struct {
		cases        []int64
		kinds, rules []string
		ons          []time.Time
	}
	var hs []member.NewHistory
	entries := make([]audit.Entry, len(ds))
	for i, d := range ds {
		cs.add(d.Case)
		for _, ev := range d.events {
			evs.add(ev, a.Subject)
		}
		for _, s := range d.sponsors {
			sp.cases, sp.sponsors = append(sp.cases, d.Case.ID), append(sp.sponsors, s.PersonID)
			sp.known, sp.letters = append(sp.known, s.KnownSince), append(sp.letters, s.LetterOn)
		}
		for _, x := range d.dues {
			du.cases, du.kinds, du.ons, du.rules = append(du.cases, x.CaseID), append(du.kinds, x.Kind), append(du.ons, x.DueOn), append(du.rules, x.RuleID)
		}
		if len(d.members) > 0 {
			hs = append(hs, member.NewHistory{PersonID: d.Case.PersonID, UnitID: d.who.UnitID, Since: d.since, Events: d.members})
		}
		entries[i] = d.audit
	}
	if err := db.InsertRows(ctx, tx, "candidate_case", cs.columns()...); err != nil {
		return nil, translate(err)
	}
	if err := db.InsertRows(ctx, tx, "case_event", evs.columns()...); err != nil {
		return nil, err
	}
	if len(sp.cases) > 0 {
		if err := db.InsertRows(ctx, tx, "case_sponsor",
			db.Column{Name: "case_id", Values: sp.cases}, db.Column{Name: "sponsor_id", Values: sp.sponsors},
			db.Column{Name: "known_since", Values: sp.known}, db.Column{Name: "letter_on", Values: sp.letters}); err != nil {
			return nil, err
		}
	}
	if len(du.cases) > 0 {
		if err := db.InsertRows(ctx, tx, "case_due",
			db.Column{Name: "case_id", Values: du.cases}, db.Column{Name: "kind", Values: du.kinds},
			db.Column{Name: "due_on", Values: du.ons}, db.Column{Name: "rule_id", Values: du.rules}); err != nil {
			return nil, err
		}
	}
	return hs, audit.RecordMany(ctx, tx, entries)
}

// caseRows holds candidate_case rows column by column.
type caseRows struct {
	ids, persons, cells, extensions, rounds, versions []int64
	proposers, stages                                 []string
	stageSince, listed                                []time.Time
	cert, dossier, cellRes, committee, decision       []*time.Time
	ceremony, recognized, closed                      []*time.Time
	decisionNo, reason                                []*string
	helpers                                           []*int64
}

func (t *caseRows) add(c Case) {
	t.ids, t.persons, t.cells = append(t.ids, c.ID), append(t.persons, c.PersonID), append(t.cells, c.CellID)
	t.extensions, t.rounds, t.versions = append(t.extensions, int64(c.Extensions)), append(t.rounds, int64(c.RecognitionRounds)), append(t.versions, int64(c.Version))
	t.proposers, t.stages = append(t.proposers, c.Proposer), append(t.stages, c.Stage)
	t.stageSince, t.listed = append(t.stageSince, c.StageSince), append(t.listed, c.ListedOn)
	t.cert, t.dossier, t.cellRes = append(t.cert, c.CertificateOn), append(t.dossier, c.DossierOn), append(t.cellRes, c.CellResolutionOn)
	t.committee, t.decision = append(t.committee, c.CommitteeResolutionOn), append(t.decision, c.DecisionOn)
	t.ceremony, t.recognized, t.closed = append(t.ceremony, c.CeremonyOn), append(t.recognized, c.RecognizedOn), append(t.closed, c.ClosedOn)
	t.decisionNo, t.reason, t.helpers = append(t.decisionNo, c.DecisionNo), append(t.reason, c.CloseReason), append(t.helpers, c.HelperID)
}

func (t *caseRows) columns() []db.Column {
	return []db.Column{
		{Name: "id", Values: t.ids}, {Name: "person_id", Values: t.persons},
		{Name: "cell_id", Values: t.cells}, {Name: "proposer", Values: t.proposers},
		{Name: "stage", Values: t.stages}, {Name: "stage_since", Values: t.stageSince},
		{Name: "listed_on", Values: t.listed}, {Name: "certificate_on", Values: t.cert},
		{Name: "dossier_on", Values: t.dossier}, {Name: "cell_resolution_on", Values: t.cellRes},
		{Name: "committee_resolution_on", Values: t.committee}, {Name: "decision_on", Values: t.decision},
		{Name: "decision_no", Values: t.decisionNo}, {Name: "extensions", Values: t.extensions},
		{Name: "ceremony_on", Values: t.ceremony}, {Name: "recognized_on", Values: t.recognized},
		{Name: "closed_on", Values: t.closed}, {Name: "close_reason", Values: t.reason},
		{Name: "recognition_rounds", Values: t.rounds}, {Name: "helper_id", Values: t.helpers},
		{Name: "version", Values: t.versions},
	}
}

// eventRows holds case_event rows column by column.
type eventRows struct {
	cases                                    []int64
	kinds, stages, forms, docs, notes, recBy []string
	details                                  []string
	effs                                     []time.Time
	docDates                                 []*time.Time
	votesFor, votesElig, lateDays            []*int64
	reasons, lateRules                       []*string
}

func (t *eventRows) add(ev Event, by string) {
	t.cases, t.kinds, t.stages, t.effs = append(t.cases, ev.CaseID), append(t.kinds, ev.Kind), append(t.stages, ev.StageAfter), append(t.effs, ev.Effective)
	t.forms, t.docs, t.notes, t.recBy = append(t.forms, ev.Form), append(t.docs, ev.DocumentNo), append(t.notes, ev.Note), append(t.recBy, by)
	t.details, t.docDates, t.reasons = append(t.details, ev.Details), append(t.docDates, ev.DocumentDate), append(t.reasons, ev.Reason)
	t.votesFor, t.votesElig = append(t.votesFor, int64p(ev.VotesFor)), append(t.votesElig, int64p(ev.VotesEligible))
	t.lateRules, t.lateDays = append(t.lateRules, ev.LateRule), append(t.lateDays, int64p(ev.LateDays))
}

func int64p(v *int) *int64 {
	if v == nil {
		return nil
	}
	n := int64(*v)
	return &n
}

func (t *eventRows) columns() []db.Column {
	return []db.Column{
		{Name: "case_id", Values: t.cases}, {Name: "kind", Values: t.kinds},
		{Name: "stage_after", Values: t.stages}, {Name: "effective", Values: t.effs},
		{Name: "form", Values: t.forms}, {Name: "document_no", Values: t.docs},
		{Name: "document_date", Values: t.docDates}, {Name: "votes_for", Values: t.votesFor},
		{Name: "votes_eligible", Values: t.votesElig}, {Name: "reason", Values: t.reasons},
		{Name: "note", Values: t.notes}, {Name: "details", Values: t.details},
		{Name: "recorded_by", Values: t.recBy},
		{Name: "late_rule", Values: t.lateRules}, {Name: "late_days", Values: t.lateDays},
	}
}
