package seed

import (
	"encoding/json"
	"strconv"
)

// The hierarchy is built in memory with the semantics of package org — a unit's name and parent link
// are effective-dated versions; moving a unit closes the open link version of every unit of its subtree
// and opens one with the new path (a version opened on the same day is corrected in place); ending a
// unit closes its name and link; a merge moves the predecessors' children to the successor, ends the
// predecessors and records the lineage — so that the rows are those the API would have written for the
// same operations, one operation row each.

type linkVer struct {
	parent   int64
	path     string
	from, to day
	op       int64
}

type nameVer struct {
	name     string
	from, to day
	op       int64
}

type unit struct {
	id                 int64
	code               string
	kind, sector       string
	from, to           day
	createdOp, endedOp int64
	links              []linkVer
	names              []nameVer
	parent             *unit
	kids               []*unit

	// Generation data.
	prov     *province // the province it belonged to before the 2025 reform
	district *unit     // its district before the reform (nil for province-level units)
	urban    bool
	profile  string    // for units with members: the profile of its people (see profiles)
	size     float64   // expected members today (before scaling)
	place    string    // commune or place name used in names
	village  *village  // the village a village cell covers
	seq      int       // generation order of units with members
	succProv *province // the province after the reform
}

func (u *unit) path() string { return u.links[len(u.links)-1].path }
func (u *unit) name() string { return u.names[len(u.names)-1].name }
func (u *unit) alive() bool  { return u.to == noDay }

type opRow struct {
	id      int64
	kind    string
	eff     day
	doc     string
	note    string
	details string
}

type lineageRow struct {
	op         int64
	pred, succ int64
	eff        day
}

type village struct {
	id       int64
	code     string
	name     string
	kind     string // village, residential_group
	commune  *unit
	from     day
	cell     *unit // nil: a village without a cell
	cellFrom day
}

type tree struct {
	units    []*unit
	ops      []opRow
	lineage  []lineageRow
	villages []*village
	byCode   map[string]*unit
}

func newTree() *tree { return &tree{byCode: map[string]*unit{}} }

func jsonString(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func (t *tree) op(kind string, eff day, doc, note string, details any) int64 {
	id := int64(len(t.ops) + 1)
	t.ops = append(t.ops, opRow{id: id, kind: kind, eff: eff, doc: doc, note: note, details: jsonString(details)})
	return id
}

// add inserts a unit, its first name and first link, as org's createUnit does.
func (t *tree) add(code, name, kind, sector string, parent *unit, d day, op int64) *unit {
	if _, dup := t.byCode[code]; dup {
		panic("seed: duplicate unit code " + code)
	}
	u := &unit{id: int64(len(t.units) + 1), code: code, kind: kind, sector: sector, from: d, to: noDay, createdOp: op}
	path := strconv.FormatInt(u.id, 10)
	var pid int64
	if parent != nil {
		path = parent.path() + "." + path
		pid = parent.id
		parent.kids = append(parent.kids, u)
		u.parent = parent
	}
	u.links = []linkVer{{parent: pid, path: path, from: d, to: noDay, op: op}}
	u.names = []nameVer{{name: name, from: d, to: noDay, op: op}}
	t.units = append(t.units, u)
	t.byCode[code] = u
	return u
}

// create records an operation "create" and the unit.
func (t *tree) create(code, name, kind, sector string, parent *unit, d day, doc, note string) *unit {
	var pid *int64
	if parent != nil {
		pid = &parent.id
	}
	op := t.op("create", d, doc, note, map[string]any{"code": code, "parentId": pid})
	return t.add(code, name, kind, sector, parent, d, op)
}

func removeKid(p *unit, u *unit) {
	for i, k := range p.kids {
		if k == u {
			p.kids = append(p.kids[:i], p.kids[i+1:]...)
			return
		}
	}
}

// moveUnit re-parents u and rewrites the paths of its subtree from day d.
func (t *tree) moveUnit(u, p *unit, d day, op int64) {
	removeKid(u.parent, u)
	p.kids = append(p.kids, u)
	u.parent = p
	var rebase func(x *unit, parentPath string, parentID int64)
	rebase = func(x *unit, parentPath string, parentID int64) {
		path := parentPath + "." + strconv.FormatInt(x.id, 10)
		cur := &x.links[len(x.links)-1]
		if cur.from == d {
			cur.path, cur.parent = path, parentID
		} else {
			cur.to = d
			x.links = append(x.links, linkVer{parent: parentID, path: path, from: d, to: noDay, op: op})
		}
		for _, k := range x.kids {
			rebase(k, path, x.id)
		}
	}
	rebase(u, p.path(), p.id)
}

// move records an operation "move".
func (t *tree) move(u, p *unit, d day, doc, note string) {
	from := u.parent.id
	op := t.op("move", d, doc, note, map[string]any{"id": u.id, "from": from, "to": p.id})
	t.moveUnit(u, p, d, op)
}

func (t *tree) endUnit(u *unit, d day, op int64) {
	if len(u.kids) > 0 {
		panic("seed: ending unit " + u.code + " with children")
	}
	u.links[len(u.links)-1].to = d
	u.names[len(u.names)-1].to = d
	u.to, u.endedOp = d, op
	if u.parent != nil {
		removeKid(u.parent, u)
	}
}

// dissolve records an operation "dissolve".
func (t *tree) dissolve(u *unit, d day, doc, note string) {
	op := t.op("dissolve", d, doc, note, map[string]any{"id": u.id})
	t.endUnit(u, d, op)
}

func (t *tree) rename(u *unit, name string, d day, doc, note string) {
	op := t.op("rename", d, doc, note, map[string]any{"id": u.id, "from": u.name(), "to": name})
	u.names[len(u.names)-1].to = d
	u.names = append(u.names, nameVer{name: name, from: d, to: noDay, op: op})
}

// newUnit is org.NewUnit as the merge operation's details record it.
type newUnit struct {
	Code, Name, Kind, Sector string
}

type successor struct {
	ExistingID *int64
	New        *newUnit
	ParentID   *int64
}

// merge joins preds into an existing successor (existing != nil) or a new unit under parent.
func (t *tree) merge(preds []*unit, existing *unit, nu *newUnit, parent *unit, d day, doc, note string) *unit {
	ids := make([]int64, len(preds))
	for i, p := range preds {
		ids[i] = p.id
	}
	var succ successor
	if existing != nil {
		succ.ExistingID = &existing.id
	} else {
		succ.New = nu
		if parent != nil {
			succ.ParentID = &parent.id
		}
	}
	op := t.op("merge", d, doc, note, map[string]any{"predecessors": ids, "successor": succ})
	s := existing
	if s == nil {
		s = t.add(nu.Code, nu.Name, nu.Kind, nu.Sector, parent, d, op)
	}
	for _, p := range preds {
		kids := append([]*unit(nil), p.kids...)
		sortUnits(kids)
		for _, k := range kids {
			t.moveUnit(k, s, d, op)
		}
		t.endUnit(p, d, op)
		t.lineage = append(t.lineage, lineageRow{op: op, pred: p.id, succ: s.id, eff: d})
	}
	return s
}

func sortUnits(us []*unit) {
	for i := 1; i < len(us); i++ {
		for j := i; j > 0 && us[j].id < us[j-1].id; j-- {
			us[j], us[j-1] = us[j-1], us[j]
		}
	}
}

// linkAt returns the link version of u valid on day d (nil when u did not exist then).
func (u *unit) linkAt(d day) *linkVer {
	for i := range u.links {
		l := &u.links[i]
		if l.from <= d && (l.to == noDay || d < l.to) {
			return l
		}
	}
	return nil
}
