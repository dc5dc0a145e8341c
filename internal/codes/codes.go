// Package codes reads the code lists (table code_item): the categories of the official statistical
// forms (sex, ethnicity, religion, education, occupation, …) and the other lists the application names.
// The lists are data: an administrator relabels, adds aliases or deactivates codes in the table, and
// nothing in Go enumerates them.
//
// A Set is a snapshot of every list, loaded in one query; it is immutable and safe for concurrent use,
// so a caller may keep one for as long as it tolerates stale labels (the lists are small: a few hundred
// rows).
package codes

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"unicode"

	"github.com/uptrace/bun"
	"golang.org/x/text/unicode/norm"
)

// The lists the application names.
const (
	Sex                       = "sex"
	Ethnicity                 = "ethnicity"
	Religion                  = "religion"
	GeneralEducation          = "general_education"
	ProfessionalQualification = "professional_qualification"
	PoliticalTheory           = "political_theory"
	Occupation                = "occupation"
	Position                  = "position"
	Proposer                  = "proposer"
	MemberEvent               = "member_event"
	MemberStatus              = "member_status"
	IDProvince                = "id_province"
	ReviewRating              = "review_rating" // the quarterly review of a source
)

// Item is one code of a list.
type Item struct {
	List    string         `bun:"list" json:"list"`
	Code    string         `bun:"code" json:"code"`
	Rank    int            `bun:"rank" json:"rank"`
	LabelVI string         `bun:"label_vi" json:"labelVi"`
	LabelEN string         `bun:"label_en" json:"labelEn"`
	Attrs   map[string]any `bun:"-" json:"attrs"`
	Active  bool           `bun:"active" json:"active"`
}

// Bool returns the boolean attribute name (false when missing or not a boolean).
func (it Item) Bool(name string) bool {
	b, _ := it.Attrs[name].(bool)
	return b
}

// Int returns the numeric attribute name and whether it is present.
func (it Item) Int(name string) (int, bool) {
	f, ok := it.Attrs[name].(float64)
	return int(f), ok
}

// String returns the string attribute name ("" when missing).
func (it Item) String(name string) string {
	s, _ := it.Attrs[name].(string)
	return s
}

// Aliases are the other spellings Match accepts (attribute "aliases").
func (it Item) Aliases() []string {
	raw, _ := it.Attrs["aliases"].([]any)
	out := make([]string, 0, len(raw))
	for _, a := range raw {
		if s, ok := a.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

type list struct {
	items  []Item         // rank order, inactive included
	byCode map[string]int // index into items
	keys   map[string]string
}

// Set holds every list.
type Set struct {
	lists map[string]*list
}

type setKey struct{}

// WithSet returns a context in which Load returns set instead of reading the lists: for a bulk import,
// whose thousands of rows run in one transaction where the lists cannot change.
func WithSet(ctx context.Context, set *Set) context.Context {
	return context.WithValue(ctx, setKey{}, set)
}

// Load reads every list in one query, or returns the set that WithSet put in ctx.
func Load(ctx context.Context, db bun.IDB) (*Set, error) {
	if set, ok := ctx.Value(setKey{}).(*Set); ok {
		return set, nil
	}
	var rows []struct {
		Item
		RawAttrs string `bun:"attrs"`
	}
	if err := db.NewRaw(`SELECT list, code, rank, label_vi, label_en, attrs::text AS attrs, active
		FROM code_item ORDER BY list, rank, code`).Scan(ctx, &rows); err != nil {
		return nil, fmt.Errorf("codes: load: %w", err)
	}
	items := make([]Item, len(rows))
	for i, r := range rows {
		it := r.Item
		if err := json.Unmarshal([]byte(r.RawAttrs), &it.Attrs); err != nil {
			return nil, fmt.Errorf("codes: %s/%s: attrs: %w", it.List, it.Code, err)
		}
		items[i] = it
	}
	return New(items), nil
}

// New builds a set from items (Load's result; tests may build their own).
func New(items []Item) *Set {
	s := &Set{lists: map[string]*list{}}
	for _, it := range items {
		l := s.lists[it.List]
		if l == nil {
			l = &list{byCode: map[string]int{}, keys: map[string]string{}}
			s.lists[it.List] = l
		}
		l.byCode[it.Code] = len(l.items)
		l.items = append(l.items, it)
	}
	for _, l := range s.lists {
		sort.SliceStable(l.items, func(i, j int) bool { return l.items[i].Rank < l.items[j].Rank })
		for i, it := range l.items {
			l.byCode[it.Code] = i
		}
		// Keys: the code, the labels and the aliases, folded. A key that two codes share is
		// ambiguous and matches neither; the code itself always wins.
		ambiguous := map[string]bool{}
		for _, it := range l.items {
			if !it.Active {
				continue
			}
			for _, t := range append([]string{it.LabelVI, it.LabelEN}, it.Aliases()...) {
				k := Fold(t)
				if k == "" {
					continue
				}
				if c, ok := l.keys[k]; ok && c != it.Code {
					ambiguous[k] = true
				}
				l.keys[k] = it.Code
			}
		}
		for k := range ambiguous {
			delete(l.keys, k)
		}
		for _, it := range l.items {
			if it.Active {
				l.keys[Fold(it.Code)] = it.Code
			}
		}
	}
	return s
}

// Item returns one code of a list, active or not.
func (s *Set) Item(listName, code string) (Item, bool) {
	l := s.lists[listName]
	if l == nil {
		return Item{}, false
	}
	i, ok := l.byCode[code]
	if !ok {
		return Item{}, false
	}
	return l.items[i], true
}

// Label returns the Vietnamese label of a code, or "" when the list has no such code.
func (s *Set) Label(listName, code string) string {
	it, _ := s.Item(listName, code)
	return it.LabelVI
}

// LabelEN returns the English label of a code, or "".
func (s *Set) LabelEN(listName, code string) string {
	it, _ := s.Item(listName, code)
	return it.LabelEN
}

// Valid reports whether code is an active code of the list: what new input may use.
func (s *Set) Valid(listName, code string) bool {
	it, ok := s.Item(listName, code)
	return ok && it.Active
}

// List returns the active codes of a list in rank order.
func (s *Set) List(listName string) []Item {
	l := s.lists[listName]
	if l == nil {
		return nil
	}
	out := make([]Item, 0, len(l.items))
	for _, it := range l.items {
		if it.Active {
			out = append(out, it)
		}
	}
	return out
}

// Lists returns the names of the lists, sorted.
func (s *Set) Lists() []string {
	out := slices.AppendSeq(make([]string, 0, len(s.lists)), maps.Keys(s.lists))
	slices.Sort(out)
	return out
}

// Match finds the active code that text names: a code, a Vietnamese or English label or an alias,
// compared without regard to case, accents, punctuation or spacing ("kinh" → kinh, "PHAT GIAO" →
// buddhism, "dai hoc" → university, "Ê-đê" → e_de). It is meant for imports of hand-typed lists.
func (s *Set) Match(listName, text string) (code string, ok bool) {
	l := s.lists[listName]
	if l == nil {
		return "", false
	}
	k := Fold(text)
	if k == "" {
		return "", false
	}
	code, ok = l.keys[k]
	return code, ok
}

// Fold reduces text to the key Match compares: NFD, combining marks dropped, đ → d, lower case, and
// only letters and digits kept ("Ê Đê" → "ede", "H'Mông" → "hmong", "12/12" → "1212").
func Fold(text string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(text) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case r == 'đ' || r == 'Đ':
			b.WriteByte('d')
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}
