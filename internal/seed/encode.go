package seed

import (
	"strconv"
	"strings"
)

// The tables the generator loads, with the columns it writes: the others keep their defaults
// (recorded_at, created_at, … are the load's time, as they would be the time of the API calls; the
// generated person.name_key is computed by the server).
var tableCols = []struct {
	name    string
	cols    []string
	shuffle bool // rows in random order: the table has a GiST index (see shuffler)
	target  bool // part of migrations 0005 and 0006 (targets and the caches of progress), loaded when they are there
}{
	{name: "org_operation", cols: []string{"id", "kind", "effective", "document", "note", "recorded_by", "details"}},
	{name: "org_unit", cols: []string{"id", "code", "kind", "sector", "valid_from", "valid_to", "created_op", "ended_op"}},
	{name: "org_unit_name", cols: []string{"unit_id", "name", "valid_from", "valid_to", "op_id"}, shuffle: true},
	{name: "org_link", cols: []string{"unit_id", "parent_id", "path", "valid_from", "valid_to", "op_id"}, shuffle: true},
	{name: "org_lineage", cols: []string{"op_id", "predecessor_id", "successor_id", "effective"}},
	{name: "village", cols: []string{"id", "code", "name", "kind", "commune_id", "valid_from", "valid_to"}},
	{name: "village_cell", cols: []string{"village_id", "cell_id", "valid_from", "valid_to", "recorded_by"}, shuffle: true},
	{name: "person", cols: []string{"id", "full_name", "sex", "birth_date", "national_id", "ethnicity", "religion", "general_education",
		"professional_qualification", "political_theory", "occupation", "youth_union_member", "village_id", "workplace", "unit_id",
		"age_exception", "education_exception", "version"}},
	{name: "person_unit", cols: []string{"person_id", "unit_id", "valid_from", "valid_to", "recorded_by"}, shuffle: true},
	{name: "person_position", cols: []string{"person_id", "position", "valid_from", "valid_to", "note", "recorded_by"}, shuffle: true},
	{name: "member_event", cols: []string{"id", "person_id", "unit_id", "kind", "effective", "decision_date", "to_unit_id", "document", "note", "recorded_by"}},
	{name: "member_status_span", cols: []string{"person_id", "unit_id", "status", "grade", "valid_from", "valid_to"}},
	{name: "candidate_case", cols: []string{"id", "person_id", "cell_id", "proposer", "stage", "stage_since", "listed_on", "certificate_on",
		"dossier_on", "cell_resolution_on", "committee_resolution_on", "decision_on", "decision_no", "extensions", "ceremony_on",
		"recognized_on", "closed_on", "close_reason", "recognition_rounds", "helper_id", "version"}},
	{name: "case_event", cols: []string{"id", "case_id", "kind", "stage_after", "effective", "form", "document_no", "document_date",
		"votes_for", "votes_eligible", "reason", "note", "details", "recorded_by"}},
	{name: "case_sponsor", cols: []string{"case_id", "sponsor_id", "known_since", "letter_on"}},
	{name: "case_due", cols: []string{"case_id", "kind", "due_on", "rule_id"}},
	{name: "source_review", cols: []string{"case_id", "quarter", "rating", "note", "recorded_by"}},
	{name: "unit_responsible", cols: []string{"unit_id", "person_id", "valid_from", "valid_to", "recorded_by"}, shuffle: true},
	{name: "term", cols: []string{"id", "unit_id", "name", "starts_on", "ends_on", "congress_document", "recorded_by"}, shuffle: true, target: true},
	{name: "target", cols: []string{"id", "unit_id", "measure", "period_kind", "period_start", "period_end", "term_id", "kind", "count_value",
		"rate_value", "rate_base", "parent_target_id", "note", "revision", "created_by"}, target: true},
	{name: "target_revision", cols: []string{"target_id", "revision", "kind", "count_value", "rate_value", "rate_base", "parent_target_id",
		"note", "reason", "recorded_by"}, target: true},
	{name: "admission_ancestor", cols: []string{"ancestor_id", "decided", "event_id", "unit_id"}, target: true},
	{name: "member_yearend", cols: []string{"ancestor_id", "year", "n"}, target: true},
}

// writers are one goroutine's buffers, one per table.
type writers struct {
	op, unit, name, link, lineage, village, vcell, person, punit, pos, mevent, span, kase, cevent, sponsor, due, review, resp,
	term, target, trev, adm, ye *tableBuf
	spans    []span
	yearends *yearend // the cells' member spans by unit and year-end (nil: no member_yearend)
	sb       strings.Builder
}

// newWriters returns buffers for the streams. With local, the tables loaded in key order keep their rows
// until drainTo moves them to the shared buffers in generation order: the heaps are then in the order of
// their primary keys (and of person_id), and building those indexes finds the input sorted (a single
// pass instead of a sort). The tables with a GiST index are written directly, shuffled.
func newWriters(streams map[string]*stream, seed uint64, worker int, local bool) *writers {
	w := &writers{}
	get := func(name string) *tableBuf {
		s := streams[name]
		if s == nil {
			return nil
		}
		tb := &tableBuf{s: s, local: local}
		for _, t := range tableCols {
			if t.name == name && t.shuffle {
				tb.sh = &shuffler{window: 200_000, r: newRNG(seed, 7, uint64(worker), uint64(len(name)))}
				tb.local = false
			}
		}
		return tb
	}
	w.op, w.unit, w.name, w.link, w.lineage = get("org_operation"), get("org_unit"), get("org_unit_name"), get("org_link"), get("org_lineage")
	w.village, w.vcell, w.person, w.punit, w.pos = get("village"), get("village_cell"), get("person"), get("person_unit"), get("person_position")
	w.mevent, w.span, w.kase, w.cevent, w.sponsor = get("member_event"), get("member_status_span"), get("candidate_case"), get("case_event"), get("case_sponsor")
	w.due, w.review, w.resp = get("case_due"), get("source_review"), get("unit_responsible")
	w.term, w.target, w.trev = get("term"), get("target"), get("target_revision")
	w.adm, w.ye = get("admission_ancestor"), get("member_yearend")
	return w
}

// drainTo moves the rows kept locally to the shared buffers.
func (w *writers) drainTo(shared *writers) {
	for _, p := range [][2]*tableBuf{{w.op, shared.op}, {w.unit, shared.unit}, {w.name, shared.name}, {w.link, shared.link},
		{w.lineage, shared.lineage}, {w.village, shared.village}, {w.vcell, shared.vcell}, {w.person, shared.person},
		{w.punit, shared.punit}, {w.pos, shared.pos}, {w.mevent, shared.mevent}, {w.span, shared.span}, {w.kase, shared.kase},
		{w.cevent, shared.cevent}, {w.sponsor, shared.sponsor}, {w.due, shared.due}, {w.review, shared.review},
		{w.resp, shared.resp}, {w.term, shared.term}, {w.target, shared.target}, {w.trev, shared.trev}, {w.adm, shared.adm}} {
		l, s := p[0], p[1]
		if l == nil || !l.local || l.rows == 0 {
			continue
		}
		s.appendRows(l.b, l.rows)
		l.b, l.rows = l.b[:0], 0
	}
}

func (w *writers) flush() {
	for _, t := range []*tableBuf{w.op, w.unit, w.name, w.link, w.lineage, w.village, w.vcell, w.person, w.punit, w.pos, w.mevent,
		w.span, w.kase, w.cevent, w.sponsor, w.due, w.review, w.resp, w.term, w.target, w.trev, w.adm, w.ye} {
		if t != nil {
			t.flush()
		}
	}
}

// tree writes the hierarchy, its operations and the villages.
func (w *writers) tree(t *tree) {
	for _, o := range t.ops {
		b := w.op
		b.begin(7)
		b.i64(o.id)
		b.text(o.kind)
		b.date(o.eff)
		b.text(o.doc)
		b.text(o.note)
		b.text(recorder)
		b.versioned(o.details)
		b.end()
	}
	for _, u := range t.units {
		b := w.unit
		b.begin(8)
		b.i64(u.id)
		b.text(u.code)
		b.text(u.kind)
		b.text(u.sector)
		b.date(u.from)
		b.date(u.to)
		b.i64(u.createdOp)
		b.id(u.endedOp)
		b.end()
		for _, n := range u.names {
			b := w.name
			b.begin(5)
			b.i64(u.id)
			b.text(n.name)
			b.date(n.from)
			b.date(n.to)
			b.i64(n.op)
			b.end()
		}
		for _, l := range u.links {
			b := w.link
			b.begin(6)
			b.i64(u.id)
			b.id(l.parent)
			b.versioned(l.path)
			b.date(l.from)
			b.date(l.to)
			b.i64(l.op)
			b.end()
		}
	}
	for _, l := range t.lineage {
		b := w.lineage
		b.begin(4)
		b.i64(l.op)
		b.i64(l.pred)
		b.i64(l.succ)
		b.date(l.eff)
		b.end()
	}
	for _, v := range t.villages {
		b := w.village
		b.begin(7)
		b.i64(v.id)
		b.text(v.code)
		b.text(v.name)
		b.text(v.kind)
		b.i64(v.commune.id)
		b.date(v.from)
		b.date(noDay)
		b.end()
		if v.cell != nil {
			b := w.vcell
			b.begin(5)
			b.i64(v.id)
			b.i64(v.cell.id)
			b.date(v.cellFrom)
			b.date(noDay)
			b.text(recorder)
			b.end()
		}
	}
}

func jsonTime(d day) string { return `"` + d.String() + `T00:00:00Z"` }

// cell writes everything a cell's generation produced, with the ids assigned in generation order.
func (w *writers) cell(g *gen, o *cellOut) {
	ev := o.eventBase
	for i, p := range o.persons {
		pid := o.personBase + int64(i)
		unit := p.units[len(p.units)-1].Unit
		sex := "male"
		if p.female {
			sex = "female"
		}
		b := w.person
		b.begin(18)
		b.i64(pid)
		b.text(p.name)
		b.text(sex)
		b.date(p.birth)
		b.text(p.nid)
		b.text(p.eth)
		b.text(p.rel)
		b.text(p.gedu)
		b.text(p.prof)
		b.text(p.theory)
		b.text(p.occ)
		b.boolean(p.youth)
		b.id(p.village)
		b.text(p.workplace)
		b.i64(unit)
		b.textn(p.ageExc)
		b.textn(p.eduExc)
		b.i32(int32(1 + p.moves))
		b.end()
		for _, u := range p.units {
			b := w.punit
			b.begin(5)
			b.i64(pid)
			b.i64(u.Unit)
			b.date(u.From)
			b.date(u.To)
			b.text(recorder)
			b.end()
		}
		for i := range p.events {
			e := &p.events[i]
			w.admission(g, ev, e)
			b := w.mevent
			b.begin(10)
			b.i64(ev)
			ev++
			b.i64(pid)
			b.i64(e.unit)
			b.text(e.kind)
			b.date(e.eff)
			b.date(e.decision)
			b.id(e.to)
			b.text(e.doc)
			b.text(e.note)
			b.text(recorder)
			b.end()
		}
		w.spans = buildSpans(p.events, p.units, w.spans)
		for _, s := range w.spans {
			if w.yearends != nil {
				w.yearends.add(s)
			}
			b := w.span
			b.begin(6)
			b.i64(pid)
			b.i64(s.Unit)
			b.text(s.Status)
			b.textn(s.Grade)
			b.date(s.From)
			b.date(s.To)
			b.end()
		}
	}
	ce := o.caseEvBase
	for j, k := range o.cases {
		cid := o.caseBase + int64(j)
		pid := o.personBase + int64(k.person)
		b := w.kase
		b.begin(21)
		b.i64(cid)
		b.i64(pid)
		b.i64(o.cell.id)
		b.text(k.proposer)
		b.text(k.stage)
		b.date(k.stageSince)
		b.date(k.listed)
		b.date(k.cert)
		b.date(k.dossier)
		b.date(k.cellRes)
		b.date(k.commRes)
		b.date(k.decision)
		b.textn(k.decisionNo)
		b.i32(int32(k.ext))
		b.date(k.ceremony)
		b.date(k.recognized)
		b.date(k.closed)
		b.textn(k.reason)
		b.i32(int32(k.rounds))
		if k.helper >= 0 {
			b.i64(o.personBase + int64(k.helper))
		} else {
			b.null()
		}
		b.i32(int32(len(k.events)))
		b.end()
		for _, e := range k.events {
			b := w.cevent
			b.begin(14)
			b.i64(ce)
			ce++
			b.i64(cid)
			b.text(e.kind)
			b.text(e.stageAfter)
			b.date(e.eff)
			b.text(e.form)
			b.text(e.docNo)
			b.date(e.docDate)
			if e.votesFor >= 0 {
				b.i32(int32(e.votesFor))
				b.i32(int32(e.votesElig))
			} else {
				b.null()
				b.null()
			}
			b.textn(e.reason)
			b.text(e.note)
			switch {
			case e.dossier:
				b.versioned(w.dossierDetails(o, k))
			case e.details != "":
				b.versioned(e.details)
			default:
				b.versioned("{}")
			}
			b.text(recorder)
			b.end()
		}
		for _, s := range k.sponsors {
			b := w.sponsor
			b.begin(4)
			b.i64(cid)
			b.i64(o.personBase + int64(s.person))
			b.date(s.known)
			b.date(s.letter)
			b.end()
		}
		for _, d := range k.dues {
			b := w.due
			b.begin(4)
			b.i64(cid)
			b.text(d.kind)
			b.date(d.on)
			b.text(d.rule)
			b.end()
		}
		for _, r := range k.reviews {
			b := w.review
			b.begin(5)
			b.i64(cid)
			b.text(r.quarter)
			b.text(r.rating)
			b.text(r.note)
			b.text(recorder)
			b.end()
		}
	}
	for _, p := range o.positions {
		b := w.pos
		b.begin(6)
		b.i64(o.personBase + int64(p.person))
		b.text(p.position)
		b.date(p.from)
		b.date(noDay)
		b.text(p.note)
		b.text(recorder)
		b.end()
	}
	if r := o.resp; r != nil {
		b := w.resp
		b.begin(5)
		b.i64(o.cell.id)
		b.i64(r.src.personBase + int64(r.person))
		b.date(r.from)
		b.date(noDay)
		b.text(recorder)
		b.end()
	}
}

// dossierDetails is the JSON CompleteDossier records: the documents' dates, the sponsors as given
// (pipeline.SponsorInput) and the Youth Union's resolution (pipeline.Doc) or null.
func (w *writers) dossierDetails(o *cellOut, k *kase) string {
	sb := &w.sb
	sb.Reset()
	sb.WriteString(`{"applicationOn":`)
	sb.WriteString(jsonTime(k.application))
	sb.WriteString(`,"backgroundCheckOn":`)
	sb.WriteString(jsonTime(k.background))
	sb.WriteString(`,"biographyOn":`)
	sb.WriteString(jsonTime(k.biography))
	sb.WriteString(`,"commentsOn":`)
	sb.WriteString(jsonTime(k.comments))
	sb.WriteString(`,"sponsors":[`)
	for i, s := range k.sponsors {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString(`{"PersonID":`)
		sb.WriteString(strconv.FormatInt(o.personBase+int64(s.person), 10))
		sb.WriteString(`,"KnownSince":`)
		sb.WriteString(jsonTime(s.known))
		sb.WriteString(`,"LetterOn":`)
		sb.WriteString(jsonTime(s.letter))
		sb.WriteByte('}')
	}
	sb.WriteString(`],"youthUnionResolution":`)
	if y := k.youth; y != nil {
		sb.WriteString(`{"Effective":`)
		sb.WriteString(jsonTime(y.eff))
		sb.WriteString(`,"Form":"","Number":`)
		sb.WriteString(strconv.Quote(y.number))
		sb.WriteString(`,"Date":`)
		sb.WriteString(jsonTime(y.eff))
		sb.WriteString(`,"Note":`)
		sb.WriteString(strconv.Quote(y.note))
		sb.WriteByte('}')
	} else {
		sb.WriteString("null")
	}
	sb.WriteByte('}')
	return sb.String()
}
