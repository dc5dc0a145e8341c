package people

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"ptdv/internal/apperr"
	"ptdv/internal/auth"
	"ptdv/internal/byid"
	"ptdv/internal/calendar"
	ptdb "ptdv/internal/db"
	"ptdv/internal/page"
	"ptdv/internal/vn"
)

// selectCols reads a person (alias p) with the positions held on the date in the first argument.
const selectCols = `p.id, p.full_name, p.sex, p.birth_date, p.national_id, p.ethnicity, p.religion,
	p.general_education, p.professional_qualification, p.political_theory, p.occupation,
	p.youth_union_member, p.village_id, p.workplace, p.unit_id, p.age_exception, p.education_exception,
	ARRAY(SELECT pp.position FROM person_position pp WHERE pp.person_id = p.id
		AND pp.valid_from <= ?::date AND (pp.valid_to IS NULL OR pp.valid_to > ?::date) ORDER BY pp.position) AS positions,
	p.created_at, p.updated_at, p.version, p.name_key`

// query collects conditions with plain ? placeholders, in argument order.
type query struct {
	conds []string
	args  []any
}

func (q *query) where(cond string, args ...any) {
	q.conds = append(q.conds, cond)
	q.args = append(q.args, args...)
}

func (q *query) sql(tail string) (string, []any) {
	today := vn.Today()
	return `SELECT ` + selectCols + ` FROM person p WHERE ` + strings.Join(q.conds, " AND ") + tail,
		append([]any{today, today}, q.args...)
}

func scoped(ctx context.Context) (*auth.Actor, *query, error) {
	a, err := auth.FromContext(ctx)
	if err != nil {
		return nil, nil, err
	}
	if err := requireRead(a); err != nil {
		return nil, nil, err
	}
	q := &query{}
	cond, args := a.Scope().UnitFilter("p.unit_id")
	q.where(cond, args...)
	return a, q, nil
}

func (q *query) list(ctx context.Context, db bun.IDB, tail string) ([]Person, error) {
	s, args := q.sql(tail)
	var ps []Person
	if err := ptdb.Scan(ctx, db, &ps, s, args...); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("people: read: %w", err)
	}
	return ps, nil
}

// Get returns the persons with the given ids that exist and are in the actor's scope, keyed by id.
func Get(ctx context.Context, db bun.IDB, ids []int64) (map[int64]Person, error) {
	_, q, err := scoped(ctx)
	if err != nil {
		return nil, err
	}
	q.where("p.id = ANY(?::bigint[])", pgdialect.Array(ids))
	ps, err := q.list(ctx, db, "")
	return byid.Keyed(ps, err, func(p Person) int64 { return p.ID })
}

// GetOne returns one person, or NOT_FOUND when they do not exist or are out of scope.
func GetOne(ctx context.Context, db bun.IDB, id int64) (Person, error) {
	m, err := Get(ctx, db, []int64{id})
	return byid.One(m, err, "person", id)
}

// GetForUpdate reads one person in scope and locks the row until the end of the transaction tx: writers
// of anything that hangs on a person (member events, pipeline stages) serialize on it.
func GetForUpdate(ctx context.Context, tx bun.IDB, id int64) (Person, error) {
	_, q, err := scoped(ctx)
	if err != nil {
		return Person{}, err
	}
	return q.one(ctx, tx, id, " FOR UPDATE OF p")
}

// one reads person id with q (tail ends the statement), NOT_FOUND when q reads none.
func (q *query) one(ctx context.Context, db bun.IDB, id int64, tail string) (Person, error) {
	q.where("p.id = ?", id)
	ps, err := q.list(ctx, db, tail)
	if err != nil {
		return Person{}, err
	}
	if len(ps) == 0 {
		return Person{}, apperr.NotFoundf("person", fmt.Sprint(id))
	}
	return ps[0], nil
}

// Filter narrows Search. Empty fields do not filter.
type Filter struct {
	// Text: words of the name, each matching the start of a word of the full name, in any order,
	// without regard to accents or case ("nguyen van an", "AN NGUYEN"). Twelve digits search the
	// national ID instead, for the roles that may see it (CanSeeNationalID).
	Text string
	// UnitID restricts to the persons of that unit's subtree as it stands today.
	UnitID     int64
	Sex        string
	Ethnicity  string
	Minority   *bool // ethnic minority (code list attribute "minority")
	Religion   string
	Occupation string
	Position   string // holds this position on On
	YouthUnion *bool
	AgeMin     *int // age in completed years on On
	AgeMax     *int
	// On is the date ages and positions are taken on; zero means today.
	On time.Time
}

var digits12 = regexp.MustCompile(`^[0-9]{12}$`)

// Search lists the persons in scope that match f, in roster order: by given name, then full name, then
// id (see Person.SortKey). The order is keyset-paginated on (SortKey, ID), which the index person_name_key
// serves, so a page costs the same at any depth; the cursor is Person.PageKey.
func Search(ctx context.Context, db bun.IDB, f Filter, p page.Args) (page.Page[Person], error) {
	q, err := searchQuery(ctx, db, f)
	if err != nil || q == nil {
		return page.Page[Person]{}, err
	}
	if p.After != "" {
		i := strings.LastIndex(p.After, keySep)
		id, err := strconv.ParseInt(p.After[i+1:], 10, 64)
		if i < 0 || err != nil {
			return page.Page[Person]{}, apperr.Invalid("after", "Con trỏ phân trang (after) không hợp lệ.", "invalid cursor in after")
		}
		q.where(`(p.name_key, p.id) > (? COLLATE "C", ?)`, p.After[:i], id)
	}
	ps, err := q.list(ctx, db, fmt.Sprintf(" ORDER BY p.name_key, p.id LIMIT %d", p.First+1))
	if err != nil {
		return page.Page[Person]{}, err
	}
	return page.Trim(ps, p), nil
}

// CountSearch is the number of persons Search lists over all its pages: the same filter and scope.
func CountSearch(ctx context.Context, db bun.IDB, f Filter) (int, error) {
	q, err := searchQuery(ctx, db, f)
	if err != nil || q == nil {
		return 0, err
	}
	s, args := q.sql("")
	var n int
	if err := ptdb.Scan(ctx, db, &n, `SELECT count(*) FROM (`+s+`) x`, args...); err != nil {
		return 0, fmt.Errorf("people: count: %w", err)
	}
	return n, nil
}

// searchQuery builds Search's conditions; a nil query means nothing can match.
func searchQuery(ctx context.Context, db bun.IDB, f Filter) (*query, error) {
	a, q, err := scoped(ctx)
	if err != nil {
		return nil, err
	}
	on := vn.Today()
	if !f.On.IsZero() {
		on = vn.Day(f.On)
	}
	if err := filterSight(a, f); err != nil {
		return nil, err
	}
	if text := cleanText(f.Text); text != "" {
		words := strings.Fields(text)
		if utf8.RuneCountInString(text) > 200 || len(words) > 10 {
			return nil, apperr.Invalid("text", "Nhập tối đa 10 từ, 200 ký tự để tìm kiếm.", "search text must have at most 10 words, 200 characters")
		}
		if digits12.MatchString(text) {
			switch auth.SightOf(a.Role, auth.FieldNationalID) { // only where the number shows in full
			case auth.Full:
				q.where("p.national_id = ?", text)
			case auth.OwnUnit:
				q.where("p.national_id = ? AND p.unit_id = ?", text, a.UnitID)
			default:
				return nil, nil
			}
		} else {
			// Each word must start a word of the folded name; the trigram index serves the regular
			// expression. [[:<:]] is a word boundary that survives ptdv_fold's lower-casing.
			for _, w := range words {
				q.where("ptdv_fold(p.full_name) ~ ptdv_fold(?)", "[[:<:]]"+regexp.QuoteMeta(w))
			}
		}
	}
	if f.UnitID != 0 {
		if err := auth.CheckUnits(ctx, db, f.UnitID); err != nil {
			return nil, err
		}
		today := vn.Today()
		q.where(`p.unit_id IN (SELECT l.unit_id FROM org_link l, org_link r
			WHERE r.unit_id = ? AND r.valid_from <= ?::date AND (r.valid_to IS NULL OR r.valid_to > ?::date)
			  AND `+auth.SubtreeSQL("l.path", "r.path")+` AND l.valid_from <= ?::date AND (l.valid_to IS NULL OR l.valid_to > ?::date))`,
			f.UnitID, today, today, today, today)
	}
	for _, c := range []struct{ col, v string }{
		{"p.sex", f.Sex}, {"p.ethnicity", f.Ethnicity}, {"p.religion", f.Religion}, {"p.occupation", f.Occupation},
	} {
		if c.v != "" {
			q.where(c.col+" = ?", c.v)
		}
	}
	if f.Minority != nil {
		q.where(`p.ethnicity IN (SELECT code FROM code_item WHERE list = 'ethnicity' AND (attrs->>'minority')::boolean = ?)`, *f.Minority)
	}
	if f.YouthUnion != nil {
		q.where("p.youth_union_member = ?", *f.YouthUnion)
	}
	if f.Position != "" {
		q.where(`EXISTS (SELECT 1 FROM person_position pp WHERE pp.person_id = p.id AND pp.position = ?
			AND pp.valid_from <= ?::date AND (pp.valid_to IS NULL OR pp.valid_to > ?::date))`, f.Position, on, on)
	}
	if f.AgeMin != nil { // AgeOn's arithmetic: born on or before the last day that makes AgeMin years
		q.where("p.birth_date <= ?::date", calendar.LatestStart(on, 12**f.AgeMin))
	}
	if f.AgeMax != nil {
		q.where("p.birth_date > ?::date", calendar.LatestStart(on, 12*(*f.AgeMax+1)))
	}
	return q, nil
}

// filterSight refuses a filter on a field the actor's role may not see (auth's field table).
func filterSight(a *auth.Actor, f Filter) error {
	var used []auth.PersonField
	for _, c := range []struct {
		used  bool
		field auth.PersonField
	}{
		{f.Text != "" && !digits12.MatchString(cleanText(f.Text)), auth.FieldFullName},
		{f.Sex != "", auth.FieldSex},
		{f.Ethnicity != "" || f.Minority != nil, auth.FieldEthnicity},
		{f.Religion != "", auth.FieldReligion},
		{f.Occupation != "", auth.FieldOccupation},
		{f.Position != "", auth.FieldPositions},
		{f.YouthUnion != nil, auth.FieldYouthUnionMember},
		{f.AgeMin != nil || f.AgeMax != nil, auth.FieldAge},
	} {
		if c.used {
			used = append(used, c.field)
		}
	}
	return a.RequireFilter(used...)
}

// Position is one interval during which a person held a position.
type Position struct {
	Position  string     `bun:"position"`
	ValidFrom time.Time  `bun:"valid_from"`
	ValidTo   *time.Time `bun:"valid_to"`
	Note      string     `bun:"note"`
}

// Positions lists every position a person in scope held, the latest first.
func Positions(ctx context.Context, db bun.IDB, personID int64) ([]Position, error) {
	if _, err := GetOne(ctx, db, personID); err != nil {
		return nil, err
	}
	var out []Position
	err := ptdb.Scan(ctx, db, &out, `SELECT position, valid_from, valid_to, note FROM person_position WHERE person_id = ?
		ORDER BY valid_from DESC, position`, personID)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("people: positions: %w", err)
	}
	return out, nil
}

// UnitSpan is an interval during which a person's records belonged to a unit.
type UnitSpan struct {
	UnitID    int64      `bun:"unit_id"`
	ValidFrom time.Time  `bun:"valid_from"`
	ValidTo   *time.Time `bun:"valid_to"`
}

// Units lists the units a person in scope belonged to, oldest first.
func Units(ctx context.Context, db bun.IDB, personID int64) ([]UnitSpan, error) {
	if _, err := GetOne(ctx, db, personID); err != nil {
		return nil, err
	}
	var out []UnitSpan
	err := ptdb.Scan(ctx, db, &out, `SELECT unit_id, valid_from, valid_to FROM person_unit WHERE person_id = ? ORDER BY valid_from`, personID)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("people: units: %w", err)
	}
	return out, nil
}
