package calendar

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"os"
	"slices"
	"testing"
	"time"

	"ptdv/internal/apperr"
	"ptdv/internal/auth"
	"ptdv/internal/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

func day(s string) time.Time { return MustDay(s) }

func admin() context.Context { return auth.WithActor(context.Background(), auth.System("admin@test")) }

func as(role auth.Role) context.Context {
	return auth.WithActor(context.Background(), &auth.Actor{Subject: string(role) + "@test", Role: role, UnitCode: "VP"})
}

// load reads the seeded calendar as the application does.
func load(t *testing.T) (*Calendar, *pgtest.DB) {
	t.Helper()
	d := pgtest.New(t)
	c, err := Load(context.Background(), d.App)
	if err != nil {
		t.Fatal(err)
	}
	return c, d
}

// The migration holds exactly the generated rows, and the application role reads them.
func TestSeededRows(t *testing.T) {
	t.Parallel()
	c, _ := load(t)
	want := slices.SortedFunc(slices.Values(append(seedDays(), historyDays()...)), func(a, b Day) int { return a.Day.Compare(b.Day) })
	if len(c.days) != len(want) {
		t.Fatalf("%d rows, want %d", len(c.days), len(want))
	}
	for i, w := range want {
		g := c.days[i]
		if !g.Day.Equal(w.Day) || g.Kind != w.Kind || g.NameVI != w.NameVI || g.Source != w.Source || g.RecordedBy != "" {
			t.Errorf("row %d = %+v, want %+v", i, g, w)
		}
	}
	if got := c.Years(); len(got) != LastHistoryYear-FirstHistoryYear+1 || got[0] != FirstHistoryYear || got[len(got)-1] != LastHistoryYear {
		t.Errorf("Years() = %v", got)
	}
}

func TestDeadlines(t *testing.T) {
	t.Parallel()
	c, _ := load(t)
	cases := []struct {
		name string
		from string
		n    int
		want string
	}{
		// Tết Bính Ngọ: the Prime Minister approved 14/02–22/02/2026 (27 tháng Chạp Ất Tỵ to mùng 6):
		// 5 days of Tết on Monday 16/02 to Friday 20/02 between two weekends. 18 working days from
		// 21/01 to 13/02, then 12 from 23/02: 10/03. Without Tết it would be 03/03.
		{"30 working days across Tết 2026", "2026-01-20", 30, "2026-03-10"},
		{"the last working day before Tết 2026", "2026-01-20", 18, "2026-02-13"},
		{"the first working day after Tết 2026", "2026-02-13", 1, "2026-02-23"},
		{"60 working days across Tết 2025 (25/01–02/02)", "2025-01-02", 60, "2025-04-03"},
		// 30/4–1/5/2025: Wednesday and Thursday, Friday 2/5 swapped for Saturday 26/4.
		{"before 30/4/2025", "2025-04-29", 1, "2025-05-05"},
		{"the swapped Saturday 26/4/2025 is worked", "2025-04-25", 1, "2025-04-26"},
		// 30/4 (Saturday) and 1/5 (Sunday) 2022: made up on Monday 2/5 and Tuesday 3/5.
		{"compensatory days 2022", "2022-04-29", 1, "2022-05-04"},
		// Giỗ Tổ 2023 on Saturday 29/4, 30/4 Sunday, 1/5 Monday: off until Wednesday 3/5.
		{"Giỗ Tổ and 30/4 on a weekend, 2023", "2023-04-28", 1, "2023-05-04"},
		// 2/9/2025 (Tuesday) and 1/9: off 30/8–2/9.
		{"Quốc khánh 2025", "2025-08-29", 1, "2025-09-03"},
		// 2/9/2023 on a Saturday, with 1/9: Monday 4/9 made up.
		{"Quốc khánh 2023", "2023-08-31", 1, "2023-09-05"},
		// 2026: 1/9 and 2/9, Monday 31/8 swapped for Saturday 22/8.
		{"Quốc khánh 2026", "2026-08-28", 1, "2026-09-03"},
		{"the swapped Saturday 22/8/2026", "2026-08-21", 1, "2026-08-22"},
		// Tết Dương lịch 2026: Friday 2/1 swapped for Saturday 10/1.
		{"Tết Dương lịch 2026", "2025-12-31", 1, "2026-01-05"},
		{"Saturday 10/1/2026 is worked", "2026-01-09", 1, "2026-01-10"},
		// From a day off, the count starts on the next working day.
		{"from a Sunday", "2026-02-15", 1, "2026-02-23"},
		{"n = 0", "2026-02-15", 0, "2026-02-15"},
		{"backwards over Tết", "2026-02-23", -1, "2026-02-13"},
		{"backwards onto a swapped Saturday", "2026-01-12", -1, "2026-01-10"},
	}
	for _, tc := range cases {
		if got := c.AddWorkingDays(day(tc.from), tc.n).Format(time.DateOnly); got != tc.want {
			t.Errorf("%s: AddWorkingDays(%s, %d) = %s, want %s", tc.name, tc.from, tc.n, got, tc.want)
		}
	}

	for d, want := range map[string]bool{
		"2026-02-16": false, "2026-02-20": false, "2026-02-23": true, // Tết 2026
		"2023-01-02": false, "2022-04-11": false, "2023-09-04": false, // nghỉ bù
		"2024-05-04": true, "2024-04-29": false, "2026-01-10": true, "2026-01-03": false, // hoán đổi
		"2026-09-01": false, "2026-09-03": true, "2021-09-03": false, "2022-09-01": false,
		"2036-01-01": true,                      // not covered: a plain Tuesday
		"2016-02-10": false, "2016-02-15": true, // Tết Bính Thân, computed
		"2035-01-01": false,
	} {
		if got := c.IsWorkingDay(day(d)); got != want {
			t.Errorf("IsWorkingDay(%s) = %v, want %v", d, got, want)
		}
	}
	if got := c.WorkingDaysBetween(day("2026-01-20"), day("2026-03-10")); got != 30 {
		t.Errorf("WorkingDaysBetween(2026-01-20, 2026-03-10) = %d, want 30", got)
	}
	if got := c.WorkingDaysBetween(day("2026-03-10"), day("2026-01-20")); got != -30 {
		t.Errorf("WorkingDaysBetween(2026-03-10, 2026-01-20) = %d, want -30", got)
	}
	// A year has 250-odd working days: 2025 has 261 weekdays, 11 of them holidays, and one Saturday
	// worked for the Friday swapped (already among the 11).
	if got := c.WorkingDaysBetween(day("2024-12-31"), day("2025-12-31")); got != 261-11 {
		t.Errorf("working days in 2025 = %d, want %d", got, 261-11)
	}
	// Times of day and locations do not matter, only the civil date.
	hcm := time.FixedZone("ICT", 7*3600)
	if got := c.AddWorkingDays(time.Date(2026, 1, 20, 23, 30, 0, 0, hcm), 30); !got.Equal(day("2026-03-10")) {
		t.Errorf("AddWorkingDays from 20/01 23:30 +07 = %s", got)
	}
}

// AddWorkingDays and WorkingDaysBetween agree with counting day by day, and invert each other.
func TestWorkingDayArithmetic(t *testing.T) {
	t.Parallel()
	c := New(seedDays())
	r := rand.New(rand.NewPCG(1, 2))
	naiveAdd := func(from time.Time, n int) time.Time {
		d := from
		for step := 1; n != 0; {
			if n < 0 {
				step = -1
			}
			d = d.AddDate(0, 0, step)
			if c.IsWorkingDay(d) {
				n -= step
			}
		}
		return d
	}
	naiveBetween := func(a, b time.Time) int {
		n := 0
		for d := a.AddDate(0, 0, 1); !d.After(b); d = d.AddDate(0, 0, 1) {
			if c.IsWorkingDay(d) {
				n++
			}
		}
		return n
	}
	for range 3000 {
		from := day("2019-06-01").AddDate(0, 0, r.IntN(12*366))
		n := r.IntN(400)
		if r.IntN(5) == 0 {
			n = -n
		}
		got := c.AddWorkingDays(from, n)
		if want := naiveAdd(from, n); !got.Equal(want) {
			t.Fatalf("AddWorkingDays(%s, %d) = %s, want %s", from.Format(time.DateOnly), n, got.Format(time.DateOnly), want.Format(time.DateOnly))
		}
		if n > 0 {
			if w := c.WorkingDaysBetween(from, got); w != n {
				t.Fatalf("WorkingDaysBetween(%s, AddWorkingDays(.., %d)) = %d", from.Format(time.DateOnly), n, w)
			}
			if !c.IsWorkingDay(got) {
				t.Fatalf("AddWorkingDays(%s, %d) = %s is not a working day", from.Format(time.DateOnly), n, got.Format(time.DateOnly))
			}
			if back := c.AddWorkingDays(got, -n); c.IsWorkingDay(from) && !back.Equal(from) {
				t.Fatalf("AddWorkingDays(AddWorkingDays(%s, %d), %d) = %s", from.Format(time.DateOnly), n, -n, back.Format(time.DateOnly))
			}
		}
		to := from.AddDate(0, 0, r.IntN(500))
		if got, want := c.WorkingDaysBetween(from, to), naiveBetween(from, to); got != want {
			t.Fatalf("WorkingDaysBetween(%s, %s) = %d, want %d", from.Format(time.DateOnly), to.Format(time.DateOnly), got, want)
		}
		if back := c.AddWorkingDays(from, c.WorkingDaysBetween(from, to)); to.After(from) && c.IsWorkingDay(to) && !back.Equal(to) {
			t.Fatalf("AddWorkingDays(%s, WorkingDaysBetween(.., %s)) = %s", from.Format(time.DateOnly), to.Format(time.DateOnly), back.Format(time.DateOnly))
		}
	}
}

func TestCoverage(t *testing.T) {
	t.Parallel()
	c := New(seedDays())
	if !c.Covers(day("2030-12-31")) || c.Covers(day("2031-01-01")) || c.Covers(day("2019-12-31")) {
		t.Error("Covers: want 2020–2030 only")
	}
	if err := c.CheckCovered(day("2026-01-20"), c.AddWorkingDays(day("2026-01-20"), 30)); err != nil {
		t.Errorf("CheckCovered within the seed: %v", err)
	}
	due := c.AddWorkingDays(day("2030-11-01"), 60)
	err := c.CheckCovered(day("2030-11-01"), due)
	e, ok := apperr.As(err)
	if !ok || e.Code != apperr.RuleViolation || e.Rule != RuleCoverage || e.Message != "Lịch nghỉ năm 2031 chưa được nhập; hạn tính theo ngày làm việc chưa trừ các ngày nghỉ lễ, Tết của năm đó." {
		t.Errorf("CheckCovered into 2031: %#v", err)
	}
	if got := c.MissingYears(day("2032-05-01"), day("2029-01-01")); len(got) != 2 || got[0] != 2031 || got[1] != 2032 {
		t.Errorf("MissingYears = %v", got)
	}
	// Beyond the data, plain weeks: no holiday falls between Friday 1/11/2030 and the end of 2030, and
	// 1/1/2031 counts as an ordinary Wednesday, so 60 working days are 12 weeks: Friday 24/01/2031.
	if got := due.Format(time.DateOnly); got != "2031-01-24" {
		t.Errorf("AddWorkingDays(2030-11-01, 60) = %s", got)
	}
}

func TestSetDayAndDeleteDay(t *testing.T) {
	t.Parallel()
	d := pgtest.New(t)
	db := d.App
	auditRows := func() int {
		var n int
		if err := d.Owner.NewRaw(`SELECT count(*) FROM audit_log WHERE entity = 'calendar_day'`).Scan(context.Background(), &n); err != nil {
			t.Fatal(err)
		}
		return n
	}

	// Ngày Văn hóa Việt Nam, 24/11, if the Labour Code is amended as Nghị quyết 80-NQ/TW asks.
	day2411 := day("2026-11-24")
	if err := SetDay(admin(), db, day2411, Holiday, "  Ngày Văn hóa   Việt Nam ", "BLLĐ sửa đổi (giả định cho kiểm thử)"); err != nil {
		t.Fatal(err)
	}
	c, err := Load(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	got, ok := c.Lookup(day2411)
	if !ok || got.Kind != Holiday || got.NameVI != "Ngày Văn hóa Việt Nam" || got.RecordedBy != "admin@test" || got.RecordedAt.IsZero() {
		t.Fatalf("Lookup(24/11/2026) = %+v, %v", got, ok)
	}
	if c.IsWorkingDay(day2411) {
		t.Error("24/11/2026 is still a working day")
	}
	var row struct { // bun's column names: actor, actor_role, action, entity_id, before, after
		Actor, ActorRole, Action, EntityID string
		Before, After                      json.RawMessage
	}
	lastAudit := func() {
		t.Helper()
		if err := d.Owner.NewRaw(`SELECT actor, actor_role, action, entity_id, coalesce(before, 'null') AS before, coalesce(after, 'null') AS after
			FROM audit_log WHERE entity = 'calendar_day' ORDER BY id DESC LIMIT 1`).Scan(context.Background(), &row); err != nil {
			t.Fatal(err)
		}
	}
	lastAudit()
	if row.Actor != "admin@test" || row.ActorRole != "admin" || row.Action != "calendar.set_day" || row.EntityID != "2026-11-24" ||
		string(row.Before) != "null" || !jsonHas(t, row.After, "kind", "holiday") {
		t.Errorf("audit row = %+v / %s / %s", row, row.Before, row.After)
	}

	// Replacing a seeded row records what it was.
	if err := SetDay(admin(), db, day("2030-09-03"), DayOff, "Nghỉ hoán đổi (kiểm thử)", "thông báo giả định"); err != nil {
		t.Fatal(err)
	}
	lastAudit()
	if row.EntityID != "2030-09-03" || !jsonHas(t, row.Before, "kind", "holiday") || !jsonHas(t, row.Before, "source", SourceProposed) ||
		!jsonHas(t, row.After, "kind", "day_off") {
		t.Errorf("audit of a replacement: %s -> %s", row.Before, row.After)
	}

	// Deleting: the row goes, the audit keeps it.
	if err := DeleteDay(admin(), db, day2411); err != nil {
		t.Fatal(err)
	}
	lastAudit()
	if row.Action != "calendar.delete_day" || !jsonHas(t, row.Before, "nameVi", "Ngày Văn hóa Việt Nam") || string(row.After) != "null" {
		t.Errorf("audit of a deletion: %+v %s %s", row, row.Before, row.After)
	}
	if days, err := List(as(auth.RoleViewer), db, day("2026-11-01"), day("2026-11-30")); err != nil || len(days) != 0 {
		t.Errorf("List(11/2026) after delete = %v, %v", days, err)
	}
	if err := DeleteDay(admin(), db, day2411); apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("DeleteDay of a missing date: %v", err)
	}
	n := auditRows()

	// Refusals write nothing.
	for _, role := range []auth.Role{auth.RoleBoard, auth.RoleSecretary, auth.RoleAnalyst, auth.RoleViewer} {
		if err := SetDay(as(role), db, day("2026-12-24"), DayOff, "Nghỉ Giáng sinh", ""); apperr.CodeOf(err) != apperr.Forbidden {
			t.Errorf("SetDay as %s: %v, want FORBIDDEN", role, err)
		}
		if err := DeleteDay(as(role), db, day("2026-01-01")); apperr.CodeOf(err) != apperr.Forbidden {
			t.Errorf("DeleteDay as %s: %v, want FORBIDDEN", role, err)
		}
	}
	if err := SetDay(context.Background(), db, day("2026-12-24"), DayOff, "x", ""); apperr.CodeOf(err) != apperr.Unauthenticated {
		t.Errorf("SetDay without an actor: %v", err)
	}
	if _, err := List(context.Background(), db, day("2026-01-01"), day("2026-12-31")); apperr.CodeOf(err) != apperr.Unauthenticated {
		t.Errorf("List without an actor: %v", err)
	}
	invalid := []struct {
		day, kind, name, field string
	}{
		{"2026-12-21", WorkDay, "Làm bù", "day"},  // a Monday
		{"2026-12-26", Holiday, "Lễ", "day"},      // a Saturday
		{"2026-12-27", DayOff, "Nghỉ bù", "day"},  // a Sunday
		{"2026-12-24", "nghi_bu", "Nghỉ", "kind"}, // unknown kind
		{"2026-12-24", DayOff, "   ", "nameVi"},   // no name
		{"0001-01-01", DayOff, "Nghỉ", "day"},     // zero date
		{"2200-01-01", DayOff, "Nghỉ", "day"},     // out of range
	}
	for _, iv := range invalid {
		err := SetDay(admin(), db, day(iv.day), iv.kind, iv.name, "")
		e, ok := apperr.As(err)
		if !ok || e.Code != apperr.InvalidInput || e.Field != iv.field || e.Message == "" || e.MessageEN == "" {
			t.Errorf("SetDay(%s, %s, %q) = %v, want INVALID_INPUT on %s", iv.day, iv.kind, iv.name, err, iv.field)
		}
	}
	if got := auditRows(); got != n {
		t.Errorf("refused edits wrote %d audit rows", got-n)
	}
	if days, err := List(as(auth.RoleViewer), db, day("2026-12-01"), day("2026-12-31")); err != nil || len(days) != 0 {
		t.Errorf("refused edits wrote rows: %v, %v", days, err)
	}

	// The table refuses what validation refuses, even from the owner.
	if _, err := d.Owner.NewRaw(`INSERT INTO calendar_day (day, kind, name_vi) VALUES ('2026-12-26', 'holiday', 'x')`).Exec(context.Background()); err == nil {
		t.Error("a holiday on a Saturday was accepted by the table")
	}
}

func TestList(t *testing.T) {
	t.Parallel()
	d := pgtest.New(t)
	days, err := List(as(auth.RoleSecretary), d.App, day("2026-02-01"), day("2026-02-28"))
	if err != nil {
		t.Fatal(err)
	}
	if got := dates(days); got != "2026-02-16 2026-02-17 2026-02-18 2026-02-19 2026-02-20" {
		t.Errorf("List(02/2026) = %s", got)
	}
	if days[1].NameVI != "Tết Nguyên đán Bính Ngọ (mùng 1 tháng Giêng)" || days[0].NameVI != "Tết Nguyên đán Bính Ngọ (29 tháng Chạp)" {
		t.Errorf("names: %q, %q", days[0].NameVI, days[1].NameVI)
	}
	if _, err := List(admin(), d.App, day("2026-02-28"), day("2026-02-01")); apperr.CodeOf(err) != apperr.InvalidInput {
		t.Errorf("List with to before from: %v", err)
	}
}

func jsonHas(t *testing.T, raw json.RawMessage, key, want string) bool {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return false
	}
	return m[key] == want
}

func BenchmarkAddWorkingDays(b *testing.B) {
	c := New(seedDays())
	from := day("2024-03-15")
	for i := 0; b.Loop(); i++ {
		c.AddWorkingDays(from.AddDate(0, 0, i%1000), 300)
	}
}
