package people_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/uptrace/bun"

	"ptdv/internal/apperr"
	"ptdv/internal/auth"
	"ptdv/internal/fixture"
	"ptdv/internal/page"
	"ptdv/internal/people"
	"ptdv/internal/pgtest"
	"ptdv/internal/vn"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

func person(name, sex, birth, nid string, unit int64) people.NewPerson {
	return people.NewPerson{FullName: name, Sex: sex, BirthDate: fixture.Day(birth), NationalID: nid, UnitID: unit,
		Ethnicity: "kinh", Religion: "none", GeneralEducation: "upper_secondary", Occupation: "farmer"}
}

func mustCreate(t testing.TB, ctx context.Context, db bun.IDB, n people.NewPerson) people.Person {
	t.Helper()
	p, err := people.Create(ctx, db, n)
	if err != nil {
		t.Fatalf("create %s: %v", n.FullName, err)
	}
	return p
}

func wantCode(t *testing.T, what string, err error, code apperr.Code, field string) *apperr.Error {
	t.Helper()
	e, ok := apperr.As(err)
	if !ok || e.Code != code || (field != "" && e.Field != field) {
		t.Errorf("%s: got %v (field %q), want %s on field %q", what, err, fieldOf(err), code, field)
		return nil
	}
	return e
}

func fieldOf(err error) string {
	if e, ok := apperr.As(err); ok {
		return e.Field
	}
	return ""
}

func TestCreateNormalizesName(t *testing.T) {
	t.Parallel()
	d, tr, _ := fixture.NewTree(t)
	// "Nguyễn" decomposed: e + circumflex + tilde as combining marks; extra spaces around.
	decomposed := "  Nguye\u0302\u0303n   Va\u0306n\tAn "
	p := mustCreate(t, fixture.System(), d.App, person(decomposed, "male", "1990-05-01", "001090012345", tr.X))
	if p.FullName != "Nguyễn Văn An" {
		t.Errorf("stored name %q, want NFC %q", p.FullName, "Nguyễn Văn An")
	}
	var stored string
	var nfc bool
	if err := d.Owner.NewRaw(`SELECT full_name, full_name IS NFC NORMALIZED FROM person WHERE id = ?`, p.ID).Scan(context.Background(), &stored, &nfc); err != nil {
		t.Fatal(err)
	}
	if stored != "Nguyễn Văn An" || !nfc || len(stored) != len("Nguyễn Văn An") {
		t.Errorf("database holds %q (NFC %v)", stored, nfc)
	}
	if p.Version != 1 || p.UnitID != tr.X || p.NationalID != "001090012345" {
		t.Errorf("created %+v", p)
	}
	if got := fixture.Count(t, d.Owner, `SELECT count(*) FROM audit_log WHERE action = 'person.create'`); got != 1 {
		t.Errorf("%d audit rows", got)
	}
	// The audit trail masks the national ID.
	if got := fixture.Count(t, d.Owner, `SELECT count(*) FROM audit_log WHERE after::text LIKE '%001090012345%'`); got != 0 {
		t.Error("the audit row holds the full national ID")
	}
}

func TestNationalIDValidation(t *testing.T) {
	t.Parallel()
	d, tr, ctx := fixture.NewTree(t)
	for _, c := range []struct {
		name, sex, birth, nid string
	}{
		{"too short", "male", "1990-05-01", "00109001234"},
		{"too long", "male", "1990-05-01", "0010900123456"},
		{"a letter", "male", "1990-05-01", "00109001234A"},
		{"unknown province 003", "male", "1990-05-01", "003090012345"},
		{"unknown province 097", "male", "1990-05-01", "097090012345"},
		{"female digit for a man", "male", "1990-05-01", "001190012345"},
		{"male digit for a woman", "female", "1990-05-01", "001090012345"},
		{"20th-century digit for a 2001 birth", "male", "2001-05-01", "001001012345"},
		{"21st-century digit for a 1990 birth", "male", "1990-05-01", "001290012345"},
		{"wrong birth year digits", "male", "1990-05-01", "001091012345"},
	} {
		_, err := people.Create(ctx, d.App, person("Trần Văn Sai", c.sex, c.birth, c.nid, tr.X))
		wantCode(t, c.name, err, apperr.InvalidInput, "national_id")
	}
	// Valid variants: spaces are dropped; 2000s female uses 3.
	for _, c := range []struct{ sex, birth, nid string }{
		{"male", "1990-05-01", "001 090 012345"},
		{"female", "2003-02-01", "026303000001"},
		{"female", "1975-02-01", "096175000001"},
	} {
		if _, err := people.Create(ctx, d.App, person("Lê Thị Đúng", c.sex, c.birth, c.nid, tr.X)); err != nil {
			t.Errorf("valid %s: %v", c.nid, err)
		}
	}
	if got := fixture.Count(t, d.Owner, `SELECT count(*) FROM person`); got != 3 {
		t.Errorf("%d persons written, want only the 3 valid ones", got)
	}
	// Other fields.
	bad := person("Trần Văn Sai", "male", "1990-05-01", "", tr.X)
	bad.Ethnicity = "klingon"
	_, err := people.Create(ctx, d.App, bad)
	wantCode(t, "unknown ethnicity", err, apperr.InvalidInput, "ethnicity")
	bad = person("Trần 2 Sai", "male", "1990-05-01", "", tr.X)
	_, err = people.Create(ctx, d.App, bad)
	wantCode(t, "digit in name", err, apperr.InvalidInput, "full_name")
	bad = person("Trần Văn Sai", "male", "2990-05-01", "", tr.X)
	_, err = people.Create(ctx, d.App, bad)
	wantCode(t, "future birth", err, apperr.InvalidInput, "birth_date")
	bad = person("Trần Văn Sai", "", "1990-05-01", "", tr.X)
	_, err = people.Create(ctx, d.App, bad)
	wantCode(t, "no sex", err, apperr.InvalidInput, "sex")
	if p, u := fixture.Count(t, d.Owner, `SELECT count(*) FROM person`), fixture.Count(t, d.Owner, `SELECT count(*) FROM person_unit`); p != 3 || u != 3 {
		t.Errorf("a refused create wrote rows: %d persons, %d unit rows", p, u)
	}
	if got := fixture.Count(t, d.Owner, `SELECT count(*) FROM audit_log WHERE entity = 'person'`); got != 3 {
		t.Errorf("%d audit rows, want 3", got)
	}
}

func TestDuplicateNationalID(t *testing.T) {
	t.Parallel()
	d, tr, _ := fixture.NewTree(t)
	first := mustCreate(t, fixture.System(), d.App, person("Nguyễn Văn An", "male", "1990-05-01", "001090012345", tr.X))
	far := mustCreate(t, fixture.System(), d.App, person("Trần Thị Xa", "female", "1991-05-01", "001191054321", tr.Z))

	// In scope: the message names the first person, never the internal id.
	c1 := fixture.Actor(t, d.App, "board", "VP.TD.HH")
	_, err := people.Create(c1, d.App, person("Nguyễn Văn Ân", "male", "1990-05-01", "001090012345", tr.X))
	if e := wantCode(t, "duplicate in scope", err, apperr.Conflict, "national_id"); e != nil {
		if !strings.Contains(e.Message, "Nguyễn Văn An") || strings.ContainsAny(e.Message, "0123456789") {
			t.Errorf("message %q should name %s without an id", e.Message, first.FullName)
		}
	}
	// Out of scope: recorded elsewhere, in the same words whichever unit holds it (a sibling commune
	// of the same district or another district), without a name, an id or a unit; audited.
	c2 := fixture.Actor(t, d.App, "board", "VP.TD.HD")
	var msgs []string
	for _, held := range []people.Person{first, far} {
		_, err = people.Create(c2, d.App, person("Nguyễn Văn Ân", held.Sex, held.BirthDate.Format(time.DateOnly), held.NationalID, tr.Y))
		if e := wantCode(t, "duplicate out of scope", err, apperr.Conflict, "national_id"); e != nil {
			msgs = append(msgs, e.Message+"|"+e.MessageEN)
			if strings.Contains(e.Message, "Nguyễn") || strings.Contains(e.Message, "Trần") || strings.ContainsAny(e.Message+e.MessageEN, "0123456789") ||
				strings.Contains(e.Message, "Hoàng Hoa") || strings.Contains(e.Message, "Liên Bảo") || !strings.Contains(e.Message, "nơi khác") {
				t.Errorf("message %q / %q reveals the holder or does not say elsewhere", e.Message, e.MessageEN)
			}
		}
	}
	if len(msgs) == 2 && msgs[0] != msgs[1] {
		t.Errorf("the refusal differs with the holder's unit: %q vs %q", msgs[0], msgs[1])
	}
	// An update to the same number is refused the same way.
	other := mustCreate(t, c2, d.App, person("Phạm Văn Bình", "male", "1990-05-01", "", tr.Y))
	nid := "001090012345"
	_, err = people.Update(c2, d.App, other.ID, other.Version, people.PersonPatch{NationalID: &nid})
	if e := wantCode(t, "update to a duplicate", err, apperr.Conflict, "national_id"); e != nil && e.Message+"|"+e.MessageEN != msgs[0] {
		t.Errorf("update refusal %q differs from create's %q", e.Message, msgs[0])
	}
	if got := fixture.Count(t, d.Owner, `SELECT count(*) FROM person`); got != 3 {
		t.Errorf("%d persons, want 3", got)
	}
	// Each attempt is in the audit trail (the ID masked), with the holder for an investigator.
	if got := fixture.Count(t, d.Owner, `SELECT count(*) FROM audit_log WHERE action = 'person.national_id_elsewhere' AND actor = 'board@VP.TD.HD'
		AND after->>'nationalId' LIKE '*********%'`); got != 3 {
		t.Errorf("%d audited attempts, want 3", got)
	}
	if got := fixture.Count(t, d.Owner, fmt.Sprintf(`SELECT count(*) FROM audit_log WHERE action = 'person.national_id_elsewhere'
		AND entity_id = '%d' AND (after->>'heldBy')::bigint = %d`, other.ID, first.ID)); got != 1 {
		t.Errorf("the update's audit row: %d, want 1", got)
	}
}

func names(ps []people.Person) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.FullName
	}
	return out
}

func TestSearch(t *testing.T) {
	t.Parallel()
	d, tr, ctx := fixture.NewTree(t)
	an := mustCreate(t, ctx, d.App, person("Nguyễn Văn An", "male", "1990-05-01", "001090012345", tr.X))
	binh := person("Trần Thị Bình", "female", "2001-03-01", "", tr.X)
	binh.Ethnicity, binh.YouthUnionMember = "tay", true
	mustCreate(t, ctx, d.App, binh)
	cuong := person("Lê Văn Cường", "male", "1960-01-01", "", tr.Y)
	cuong.Religion = "buddhism"
	mustCreate(t, ctx, d.App, cuong)
	mustCreate(t, ctx, d.App, person("Đặng Thị Ánh", "female", "1985-01-01", "", tr.Z))
	if err := people.SetPosition(ctx, d.App, an.ID, "village_head", fixture.Day("2024-01-01"), "QĐ 12/UBND"); err != nil {
		t.Fatal(err)
	}

	search := func(ctx context.Context, f people.Filter) []string {
		t.Helper()
		p, err := people.Search(ctx, d.App, f, page.Args{First: 100})
		if err != nil {
			t.Fatal(err)
		}
		return names(p.Items)
	}
	eq := func(what string, got []string, want ...string) {
		t.Helper()
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("%s = %q, want %q", what, got, want)
		}
	}
	// Roster order: by given name (Ánh, An, Bình, Cường).
	eq("all", search(ctx, people.Filter{}), "Nguyễn Văn An", "Đặng Thị Ánh", "Trần Thị Bình", "Lê Văn Cường")
	eq("accentless", search(ctx, people.Filter{Text: "nguyen van an"}), "Nguyễn Văn An")
	eq("upper case, any order", search(ctx, people.Filter{Text: "AN NGUYEN"}), "Nguyễn Văn An")
	eq("đ folds to d", search(ctx, people.Filter{Text: "dang"}), "Đặng Thị Ánh")
	eq("word prefix", search(ctx, people.Filter{Text: "cuo"}), "Lê Văn Cường")
	eq("not inside a word", search(ctx, people.Filter{Text: "uong"}))
	eq("decomposed query", search(ctx, people.Filter{Text: "Nguye\u0302\u0303n"}), "Nguyễn Văn An")
	eq("national ID", search(ctx, people.Filter{Text: "001090012345"}), "Nguyễn Văn An")
	viewer := fixture.Actor(t, d.App, "viewer", "VP")
	eq("national ID, viewer", search(viewer, people.Filter{Text: "001090012345"}))
	yes, no := true, false
	eq("minority", search(ctx, people.Filter{Minority: &yes}), "Trần Thị Bình")
	eq("not minority", search(ctx, people.Filter{Minority: &no}), "Nguyễn Văn An", "Đặng Thị Ánh", "Lê Văn Cường")
	eq("youth union", search(ctx, people.Filter{YouthUnion: &yes}), "Trần Thị Bình")
	eq("religion", search(ctx, people.Filter{Religion: "buddhism"}), "Lê Văn Cường")
	eq("sex", search(ctx, people.Filter{Sex: "female"}), "Đặng Thị Ánh", "Trần Thị Bình")
	eq("position", search(ctx, people.Filter{Position: "village_head"}), "Nguyễn Văn An")
	eq("position before it began", search(ctx, people.Filter{Position: "village_head", On: fixture.Day("2023-12-31")}))
	min, max := 18, 30
	on := fixture.Day("2025-01-01")
	eq("age 18-30", search(ctx, people.Filter{AgeMin: &min, AgeMax: &max, On: on}), "Trần Thị Bình")
	min, max = 34, 34
	eq("age 34 exactly", search(ctx, people.Filter{AgeMin: &min, AgeMax: &max, On: fixture.Day("2025-04-30")}), "Nguyễn Văn An") // 35 on 1 May
	eq("age 35 on the birthday", search(ctx, people.Filter{AgeMin: &min, AgeMax: &max, On: fixture.Day("2025-05-01")}))
	eq("subtree of the district", search(ctx, people.Filter{UnitID: tr.D}), "Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường")
	eq("subtree of a commune", search(ctx, people.Filter{UnitID: tr.C2}), "Lê Văn Cường")

	// Keyset pages of one.
	var got []string
	args := page.Args{First: 1}
	for i := 0; i < 10; i++ {
		p, err := people.Search(ctx, d.App, people.Filter{}, args)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, names(p.Items)...)
		if !p.HasNext {
			break
		}
		args.After = p.Items[0].PageKey()
	}
	eq("paged", got, "Nguyễn Văn An", "Đặng Thị Ánh", "Trần Thị Bình", "Lê Văn Cường")
}

func TestOptimisticVersion(t *testing.T) {
	t.Parallel()
	d, tr, _ := fixture.NewTree(t)
	ctx := fixture.Actor(t, d.App, "secretary", "VP.TD.HH.DB")
	p := mustCreate(t, ctx, d.App, person("Nguyễn Văn An", "male", "1990-05-01", "", tr.X))
	w := "Hợp tác xã  Hoàng Hoa"
	p2, err := people.Update(ctx, d.App, p.ID, p.Version, people.PersonPatch{Workplace: &w})
	if err != nil {
		t.Fatal(err)
	}
	if p2.Version != 2 || p2.Workplace != "Hợp tác xã Hoàng Hoa" {
		t.Errorf("after update: version %d workplace %q", p2.Version, p2.Workplace)
	}
	// A second editor still holding version 1.
	name := "Nguyễn Văn Anh"
	_, err = people.Update(ctx, d.App, p.ID, p.Version, people.PersonPatch{FullName: &name})
	wantCode(t, "stale version", err, apperr.Conflict, "")
	m, _ := people.Get(ctx, d.App, []int64{p.ID})
	if m[p.ID].FullName != "Nguyễn Văn An" || m[p.ID].Version != 2 {
		t.Errorf("a stale update wrote: %+v", m[p.ID])
	}
	if got := fixture.Count(t, d.Owner, `SELECT count(*) FROM audit_log WHERE action = 'person.update'`); got != 1 {
		t.Errorf("%d update audit rows, want 1", got)
	}
	// Clearing an optional field.
	empty := ""
	p3, err := people.Update(ctx, d.App, p.ID, p2.Version, people.PersonPatch{Workplace: &empty, Ethnicity: &empty})
	if err != nil || p3.Workplace != "" || p3.Ethnicity != "" || p3.Version != 3 {
		t.Errorf("clear: %+v, %v", p3, err)
	}
}

func TestScope(t *testing.T) {
	t.Parallel()
	d, tr, _ := fixture.NewTree(t)
	an := mustCreate(t, fixture.System(), d.App, person("Nguyễn Văn An", "male", "1990-05-01", "001090012345", tr.X))
	mine := fixture.Actor(t, d.App, "board", "VP.TD.HH")
	sibling := fixture.Actor(t, d.App, "board", "VP.TD.HD")

	if m, err := people.Get(mine, d.App, []int64{an.ID}); err != nil || len(m) != 1 {
		t.Fatalf("own commune: %v, %v", m, err)
	}
	if m, err := people.Get(sibling, d.App, []int64{an.ID}); err != nil || len(m) != 0 {
		t.Errorf("sibling commune reads %v, %v", m, err)
	}
	if p, err := people.Search(sibling, d.App, people.Filter{Text: "nguyen"}, page.Args{First: 10}); err != nil || len(p.Items) != 0 {
		t.Errorf("sibling commune finds %v, %v", names(p.Items), err)
	}
	if p, err := people.Search(sibling, d.App, people.Filter{}, page.Args{First: 10}); err != nil || len(p.Items) != 0 {
		t.Errorf("sibling commune lists %v, %v", names(p.Items), err)
	}
	_, err := people.Search(sibling, d.App, people.Filter{UnitID: tr.C1}, page.Args{First: 10})
	if !auth.AppFilterOff() { // the unit is read through the tree, the application's to scope
		wantCode(t, "sibling filters by a unit outside its scope", err, apperr.NotFound, "")
	}
	name := "X"
	_, err = people.Update(sibling, d.App, an.ID, an.Version, people.PersonPatch{FullName: &name})
	wantCode(t, "sibling updates", err, apperr.NotFound, "")
	err = people.MoveUnit(sibling, d.App, an.ID, tr.Y, fixture.Day("2025-01-01"))
	wantCode(t, "sibling moves", err, apperr.NotFound, "")
	err = people.SetPosition(sibling, d.App, an.ID, "village_head", fixture.Day("2025-01-01"), "")
	wantCode(t, "sibling sets a position", err, apperr.NotFound, "")
	_, err = people.Create(sibling, d.App, person("Lê Văn Lạ", "male", "1990-05-01", "", tr.X))
	wantCode(t, "sibling creates in a unit outside its scope", err, apperr.NotFound, "")
	_, err = people.Create(fixture.Actor(t, d.App, "viewer", "VP"), d.App, person("Lê Văn Lạ", "male", "1990-05-01", "", tr.X))
	wantCode(t, "viewer creates", err, apperr.Forbidden, "")

	// National IDs: board in full; the secretary of the person's own cell in full; another cell's
	// secretary cannot read the person at all; analysts see it masked.
	a, _ := auth.FromContext(mine)
	if !people.CanSeeNationalID(a, an) || an.NationalIDFor(a) != "001090012345" {
		t.Error("board should see the national ID")
	}
	sec, _ := auth.FromContext(fixture.Actor(t, d.App, "secretary", "VP.TD.HH.DB"))
	if !people.CanSeeNationalID(sec, an) {
		t.Error("the cell's secretary should see the national ID")
	}
	secC1, _ := auth.FromContext(fixture.Actor(t, d.App, "secretary", "VP.TD.HH"))
	if people.CanSeeNationalID(secC1, an) {
		t.Error("a secretary of another unit (here the commune above) should not see it in full")
	}
	// A viewer sees the last three digits only (the first six say province, century, sex and birth
	// year); an analyst not even those.
	viewer, _ := auth.FromContext(fixture.Actor(t, d.App, "viewer", "VP"))
	if people.CanSeeNationalID(viewer, an) || an.NationalIDFor(viewer) != "*********345" {
		t.Errorf("viewer sees %q", an.NationalIDFor(viewer))
	}
	if got := an.NationalIDFor(secC1); got != "*********345" {
		t.Errorf("a secretary of another unit sees %q", got)
	}
	analyst, _ := auth.FromContext(fixture.Actor(t, d.App, "analyst", "VP"))
	if people.CanSeeNationalID(analyst, an) || an.NationalIDFor(analyst) != "" {
		t.Errorf("analyst sees %q", an.NationalIDFor(analyst))
	}
}

func TestMoveUnit(t *testing.T) {
	t.Parallel()
	d, tr, _ := fixture.NewTree(t)
	old := fixture.Actor(t, d.App, "board", "VP.TD.HH")
	an := mustCreate(t, old, d.App, people.NewPerson{FullName: "Nguyễn Văn An", Sex: "male", BirthDate: fixture.Day("1990-05-01"),
		UnitID: tr.X, Since: fixture.Day("2020-01-01")})
	if err := people.MoveUnit(old, d.App, an.ID, tr.Z, fixture.Day("2025-03-01")); err != nil {
		t.Fatal(err)
	}
	if m, _ := people.Get(old, d.App, []int64{an.ID}); len(m) != 0 {
		t.Error("the old commune still sees the person")
	}
	now := fixture.Actor(t, d.App, "board", "VP.VY.LL")
	p, err := people.GetOne(now, d.App, an.ID)
	if err != nil || p.UnitID != tr.Z || p.Version != 2 {
		t.Fatalf("new commune: %+v, %v", p, err)
	}
	us, err := people.Units(now, d.App, an.ID)
	if err != nil || len(us) != 2 || us[0].UnitID != tr.X || us[0].ValidTo == nil || !us[0].ValidTo.Equal(fixture.Day("2025-03-01")) || us[1].UnitID != tr.Z {
		t.Errorf("unit history %+v, %v", us, err)
	}
	// Moves are appended in date order.
	err = people.MoveUnit(now, d.App, an.ID, tr.Y, fixture.Day("2025-02-01"))
	wantCode(t, "backdated move", err, apperr.RuleViolation, "")
	err = people.MoveUnit(now, d.App, an.ID, tr.Y, vn.Today().AddDate(0, 0, 2))
	wantCode(t, "future move", err, apperr.InvalidInput, "date")
}

func TestPositions(t *testing.T) {
	t.Parallel()
	d, tr, ctx := fixture.NewTree(t)
	an := mustCreate(t, ctx, d.App, person("Nguyễn Văn An", "male", "1990-05-01", "", tr.X))
	if err := people.SetPosition(ctx, d.App, an.ID, "village_head", fixture.Day("2020-01-01"), ""); err != nil {
		t.Fatal(err)
	}
	err := people.SetPosition(ctx, d.App, an.ID, "village_head", fixture.Day("2021-01-01"), "")
	wantCode(t, "second open interval", err, apperr.RuleViolation, "")
	err = people.SetPosition(ctx, d.App, an.ID, "king", fixture.Day("2021-01-01"), "")
	wantCode(t, "unknown position", err, apperr.InvalidInput, "position")
	if err := people.EndPosition(ctx, d.App, an.ID, "village_head", fixture.Day("2024-01-01")); err != nil {
		t.Fatal(err)
	}
	err = people.SetPosition(ctx, d.App, an.ID, "village_head", fixture.Day("2023-06-01"), "")
	wantCode(t, "overlapping interval", err, apperr.RuleViolation, "")
	if err := people.SetPosition(ctx, d.App, an.ID, "team_leader", fixture.Day("2024-01-01"), ""); err != nil {
		t.Fatal(err)
	}
	p, _ := people.GetOne(ctx, d.App, an.ID)
	if strings.Join(p.Positions, ",") != "team_leader" {
		t.Errorf("current positions %v", p.Positions)
	}
	ps, err := people.Positions(ctx, d.App, an.ID)
	if err != nil || len(ps) != 2 {
		t.Errorf("positions %+v, %v", ps, err)
	}
}

// TestUnitHistoryOverlap: the database refuses a unit history that overlaps, on insert and on update
// (migration 0008's statement trigger), and accepts intervals that only touch.
func TestUnitHistoryOverlap(t *testing.T) {
	t.Parallel()
	d, tr, ctx := fixture.NewTree(t)
	an := mustCreate(t, ctx, d.App, people.NewPerson{FullName: "Nguyễn Văn An", Sex: "male", BirthDate: fixture.Day("1990-05-01"),
		UnitID: tr.X, Since: fixture.Day("2020-01-01")})
	if err := people.MoveUnit(ctx, d.App, an.ID, tr.Z, fixture.Day("2025-03-01")); err != nil {
		t.Fatal(err)
	}
	overlap := func(what, q string, args ...any) {
		t.Helper()
		_, err := d.App.NewRaw(q, args...).Exec(ctx)
		var pe *pgconn.PgError
		if !errors.As(err, &pe) || pe.Code != "23P01" || pe.TableName != "person_unit" {
			t.Errorf("%s: got %v, want an exclusion violation on person_unit", what, err)
		}
	}
	overlap("an interval inside the open one",
		`INSERT INTO person_unit (person_id, unit_id, valid_from, valid_to, recorded_by) VALUES (?, ?, '2025-06-01', '2025-07-01', 't')`, an.ID, tr.Y)
	overlap("a closed interval stretched over the next",
		`UPDATE person_unit SET valid_to = '2025-04-01' WHERE person_id = ? AND valid_from = '2020-01-01'`, an.ID)
	binh := mustCreate(t, ctx, d.App, people.NewPerson{FullName: "Trần Thị Bình", Sex: "female", BirthDate: fixture.Day("1991-05-01"),
		UnitID: tr.X, Since: fixture.Day("2021-01-01")})
	// Statements of many rows (the bulk imports'): one person's overlap among others' good rows, and two
	// new rows of one person that overlap each other.
	overlap("one overlapping row among good ones",
		`INSERT INTO person_unit (person_id, unit_id, valid_from, valid_to, recorded_by) VALUES
			(?, ?, '2010-01-01', '2011-01-01', 't'), (?, ?, '2020-06-01', NULL, 't'), (?, ?, '2012-01-01', '2013-01-01', 't')`,
		binh.ID, tr.Y, binh.ID, tr.Y, an.ID, tr.Y)
	overlap("two new rows of a person that overlap each other",
		`INSERT INTO person_unit (person_id, unit_id, valid_from, valid_to, recorded_by) VALUES
			(?, ?, '2010-01-01', '2012-01-01', 't'), (?, ?, '2011-01-01', '2013-01-01', 't')`, binh.ID, tr.Y, binh.ID, tr.Y)
	if _, err := d.App.NewRaw(`INSERT INTO person_unit (person_id, unit_id, valid_from, valid_to, recorded_by)
		VALUES (?, ?, '2019-01-01', '2020-01-01', 't')`, an.ID, tr.Y).Exec(ctx); err != nil {
		t.Errorf("an interval that ends where the next begins: %v", err)
	}
	if n := fixture.Count(t, d.Owner, fmt.Sprintf(`SELECT count(*) FROM person_unit WHERE person_id = %d`, an.ID)); n != 3 {
		t.Errorf("%d unit rows, want 3", n)
	}
}
