package bulk

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"ptdv/internal/apperr"
	"ptdv/internal/codes"
	"ptdv/internal/pipeline"
	"ptdv/internal/vn"
)

// Problem is one reason a row cannot be imported. Row is the row number in the file as the office sees
// it (the header is usually row 1); Column is the column's header.
type Problem struct {
	Row     int
	Column  string
	Code    apperr.Code
	Rule    string
	Message string // Vietnamese
}

// String is the problem as the command prints it: the row, the column, the reason and, when a rule
// refused or flagged the row, the rule's id ("… [quy định decision.deadline_wd]"), whatever its spelling.
func (p Problem) String() string {
	if p.Column == "" {
		return fmt.Sprintf("Dòng %d: %s", p.Row, p.reason())
	}
	return fmt.Sprintf("Dòng %d, %s", p.Row, p.reason())
}

// reason is the problem without its row: the column, the message and the rule, as the reject file's
// "Lỗi" column holds it.
func (p Problem) reason() string {
	s := p.Message
	if p.Column != "" {
		s = fmt.Sprintf("cột \"%s\": %s", p.Column, p.Message)
	}
	if p.Rule != "" {
		s += " [quy định " + p.Rule + "]"
	}
	return s
}

// record is one data row. Its cells are read by column key through the import's column map, shared by
// all rows: a map per row cost more than the checks of a 100,000-row file.
type record struct {
	n     int
	raw   []string
	idx   map[string]int // column key → index in raw (columnMap)
	kind  Kind
	probs []Problem
	// fixBirth: the person is recorded with another birth date, and the row confirms its own
	fixBirth bool
	fixed    bool // and it was corrected
	// recognizes: a candidate row whose last recognition round passes, not recorded before the import;
	// recog is that recognition among the file's voters (nil when the pass leaves it out).
	recognizes bool
	recog      *pipeline.FileRecognition
}

func newRecord(k Kind, n int, raw []string, idx map[string]int) *record {
	return &record{n: n, raw: raw, idx: idx, kind: k}
}

func header(k Kind, key string) string {
	for _, c := range Layout(k) {
		if c.Key == key {
			return c.Header
		}
	}
	return ""
}

func (r *record) fail(key string, code apperr.Code, rule, msg string) {
	r.probs = append(r.probs, Problem{Row: r.n, Column: header(r.kind, key), Code: code, Rule: rule, Message: msg})
}

func (r *record) invalid(key, msg string) { r.fail(key, apperr.InvalidInput, "", msg) }

// failErr records a domain error from the API functions against a column: the error's own field when
// the layout has it, else the column given. Any other error (the database failed, not the row) is
// returned, to end the import: it must neither become a row's problem nor let the other rows commit.
func (r *record) failErr(key string, err error) error {
	e, ok := apperr.As(err)
	if !ok {
		return err
	}
	if k, ok := fieldColumns[e.Field]; ok && header(r.kind, k) != "" {
		key = k
	}
	if k, ok := ruleColumns[e.Rule]; ok && header(r.kind, k) != "" {
		key = k
	}
	if e.Field == "since" { // the person belongs to the cell from the listing, or the admission
		key = "listed"
		if r.kind == Members {
			key = "ceremony"
		}
	}
	r.fail(key, e.Code, e.Rule, e.Message)
	return nil
}

// ruleColumns names the column of a rule's refusal when the rule is about another column than the move's
// date: the helper who is not a full member on the day is the helper's.
var ruleColumns = map[string]string{pipeline.RuleHelperFullMember: "helper"}

// fieldColumns maps the API's input fields to the layout's columns.
var fieldColumns = map[string]string{
	"full_name": "name", "sex": "sex", "birth_date": "birth", "national_id": "nid", "ethnicity": "ethnicity",
	"religion": "religion", "general_education": "general_education", "professional_qualification": "professional_qualification",
	"political_theory": "political_theory", "occupation": "occupation", "unit_id": "cell", "cellId": "cell", "proposer": "proposer",
	"reason": "left_reason", "workplace": "workplace",
	// the dossier's papers
	"helperId": "helper", "applicationOn": "application", "biographyOn": "biography", "commentsOn": "comments", "backgroundCheckOn": "background_check",
	// package org's fields, for unit lists
	"code": "code", "name": "unit_name", "kind": "kind", "sector": "sector", "parentId": "parent", "effective": "founded",
	"document": "founded_doc",
}

// text is a cell by column key, without surrounding spaces; "" when the file has no such column.
func (r *record) text(key string) string {
	if i, ok := r.idx[key]; ok && i < len(r.raw) {
		return strings.TrimSpace(r.raw[i])
	}
	return ""
}

// dmy splits d/m/yyyy (1–2, 1–2 and 4 digits, separated by / . or -) without a regular expression:
// every date cell is read several times per row, on files of 100,000 rows.
func dmy(s string) (d, m, y int, ok bool) {
	num := func(min, max int) (int, bool) {
		n, i := 0, 0
		for i < len(s) && i < max && '0' <= s[i] && s[i] <= '9' {
			n = n*10 + int(s[i]-'0')
			i++
		}
		if i < min {
			return 0, false
		}
		s = s[i:]
		return n, true
	}
	sep := func() bool {
		if len(s) > 0 && (s[0] == '/' || s[0] == '.' || s[0] == '-') {
			s = s[1:]
			return true
		}
		return false
	}
	if d, ok = num(1, 2); !ok || !sep() {
		return 0, 0, 0, false
	}
	if m, ok = num(1, 2); !ok || !sep() {
		return 0, 0, 0, false
	}
	if y, ok = num(4, 4); !ok || s != "" {
		return 0, 0, 0, false
	}
	return d, m, y, true
}

// date reads dd/mm/yyyy (d/m/yyyy, with . or - too); empty is nil.
func (r *record) date(key string) *time.Time {
	s := r.text(key)
	if s == "" {
		return nil
	}
	t, msg := parseDay(s)
	if msg != "" {
		r.invalid(key, msg)
		return nil
	}
	return &t
}

// day is date without a problem recorded: nil when empty or not a date (date says why).
func (r *record) day(key string) *time.Time {
	if t, msg := parseDay(r.text(key)); msg == "" && !t.IsZero() {
		return &t
	}
	return nil
}

// parseDay reads dd/mm/yyyy, or says why it cannot ("" is the zero time).
func parseDay(s string) (time.Time, string) {
	if s == "" {
		return time.Time{}, ""
	}
	d, mo, y, ok := dmy(s)
	if !ok {
		return time.Time{}, fmt.Sprintf("Ngày \"%s\" không đúng dạng dd/mm/yyyy.", s)
	}
	t := time.Date(y, time.Month(mo), d, 0, 0, 0, 0, time.UTC)
	switch {
	case y < 1900:
		return time.Time{}, fmt.Sprintf("Ngày \"%s\" trước năm 1900.", s)
	case t.Day() != d || int(t.Month()) != mo || y > 2100:
		return time.Time{}, fmt.Sprintf("Ngày \"%s\" không tồn tại.", s)
	}
	return t, ""
}

func (r *record) required(key string) bool {
	if r.text(key) == "" {
		r.invalid(key, "Cần nhập ô này.")
		return false
	}
	return true
}

// count reads a non-negative whole number; empty is nil.
func (r *record) count(key string) *int {
	s := r.text(key)
	if s == "" {
		return nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > 1_000_000 {
		r.invalid(key, fmt.Sprintf("\"%s\" không phải là số nguyên không âm.", s))
		return nil
	}
	return &n
}

// matcher matches a file's labels against the code lists and the yes/no cells, each distinct label
// once: a list of 100,000 rows holds a few dozen distinct labels, and folding every cell (NFD, marks
// dropped) was a fifth of the checks.
type matcher struct {
	set  *codes.Set
	memo map[[2]string]string // (list, label as written) → code, or noCode; list "" holds folded text
}

const noCode = "\x00"

func newMatcher(set *codes.Set) *matcher { return &matcher{set: set, memo: map[[2]string]string{}} }

// match is set.Match, remembered.
func (m *matcher) match(list, text string) (string, bool) {
	k := [2]string{list, text}
	c, seen := m.memo[k]
	if !seen {
		var ok bool
		if c, ok = m.set.Match(list, text); !ok {
			c = noCode
		}
		m.memo[k] = c
	}
	if c == noCode {
		return "", false
	}
	return c, true
}

// fold is codes.Fold, remembered.
func (m *matcher) fold(text string) string {
	k := [2]string{"", text}
	f, seen := m.memo[k]
	if !seen {
		f = codes.Fold(text)
		m.memo[k] = f
	}
	return f
}

// code matches a label against a code list, as written (no case or accents needed); empty is "".
func (r *record) code(m *matcher, list, key string) string {
	s := r.text(key)
	if s == "" {
		return ""
	}
	c, ok := m.match(list, s)
	if !ok {
		r.invalid(key, fmt.Sprintf("\"%s\" không có trong danh mục.", s))
	}
	return c
}

var yes = map[string]bool{"co": true, "x": true, "1": true, "yes": true, "true": true, "dv": true, "doanvien": true}
var no = map[string]bool{"": true, "khong": true, "0": true, "no": true, "false": true}

func (r *record) flag(m *matcher, key string) bool {
	f := m.fold(r.text(key))
	if yes[f] {
		return true
	}
	if !no[f] {
		r.invalid(key, fmt.Sprintf("\"%s\": ghi Có hoặc Không.", r.text(key)))
	}
	return false
}

// nationalID reads a 12-digit ID; 11 digits get back the leading zero a spreadsheet drops when the
// column was typed as a number.
func (r *record) nationalID(key string) string {
	s := strings.ReplaceAll(r.text(key), " ", "")
	if len(s) == 11 && isDigits(s) {
		s = "0" + s
	}
	if s != "" && (len(s) != 12 || !isDigits(s)) {
		r.invalid(key, fmt.Sprintf("Số CCCD \"%s\" phải có 12 chữ số.", r.text(key)))
	}
	return s
}

func isDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func dayPtr(t *time.Time) string {
	if t == nil {
		return ""
	}
	return vn.Date(*t)
}
