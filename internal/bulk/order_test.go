package bulk_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"ptdv/internal/bulk"
)

// history generates an office's candidate list over several years: each candidate with the stages
// reached by the end (some decisions and ceremonies late, some leaving), every stage with its date.
func history(n int) []map[string]time.Time {
	rng := rand.New(rand.NewPCG(17, 3))
	base := time.Date(2019, 1, 10, 0, 0, 0, 0, time.UTC)
	var out []map[string]time.Time
	for i := range n {
		listed := base.AddDate(0, 0, 23*i)
		st := map[string]time.Time{"listed": listed}
		// 0 source … 7 full member: the cell's full members (who vote, and whose number the rules check)
		// are the two recorded ones and the candidates recognized by a vote before the day (voters).
		reach := rng.IntN(8)
		add := func(k string, d time.Time) { st[k] = d }
		d := listed
		steps := []struct {
			key  string
			days int
		}{{"certificate", 60}, {"dossier", 40}, {"cell_res", 20}, {"committee_res", 10}, {"decision", 20}, {"ceremony", 14}, {"recognition", 380}}
		for j, s := range steps[:reach] {
			days := s.days
			if s.key == "decision" && j < reach && rng.IntN(3) == 0 {
				days += 110 // past the 60 working days
			}
			if s.key == "ceremony" && rng.IntN(4) == 0 {
				days += 60 // past the 30 working days
			}
			if s.key == "recognition" {
				days = 370 + rng.IntN(60) // the 12 months, then the vote: weeks in which others are voted on
			}
			d = d.AddDate(0, 0, days)
			add(s.key, d)
		}
		if reach < 4 && rng.IntN(4) == 0 {
			add("left", d.AddDate(0, 0, 30))
		}
		out = append(out, st)
	}
	return out
}

// voters is the number entitled to vote in the cell on a day: the two members recorded before the file and
// the candidates recognized by a vote before that day (a member votes from the day after the vote that
// recognized them), whatever part of the history a file holds.
func voters(h []map[string]time.Time, on time.Time) string {
	n := 2
	for _, st := range h {
		if d, ok := st["recognition"]; ok && d.Before(on) {
			n++
		}
	}
	return fmt.Sprint(n)
}

// rowsAsOf is the office's file as it stood on cut: the candidates listed by then, with the stages
// dated up to it (nil cut: the whole file).
func rowsAsOf(h []map[string]time.Time, cut *time.Time) []map[string]string {
	var rows []map[string]string
	in := func(d time.Time) bool { return cut == nil || !d.After(*cut) }
	for i, st := range h {
		if !in(st["listed"]) {
			continue
		}
		f := func(k string) string {
			if d, ok := st[k]; ok && in(d) {
				return d.Format("02/01/2006")
			}
			return ""
		}
		kv := []string{"Ngày vào danh sách nguồn", f("listed"), "Ngày cấp GCN bồi dưỡng nhận thức", f("certificate")}
		if v := f("certificate"); v != "" {
			kv = append(kv, "Số GCN", fmt.Sprintf("%d/GCN", i))
		}
		if v := f("dossier"); v != "" {
			kv = append(kv, "Ngày hoàn thiện hồ sơ", v, "CCCD người giới thiệu 1", "034075000001", "Người giới thiệu 1 cùng công tác từ", "01/01/2015",
				"CCCD người giới thiệu 2", "034180000002", "Người giới thiệu 2 cùng công tác từ", "01/01/2015")
		}
		if v := f("cell_res"); v != "" {
			n := voters(h, st["cell_res"])
			kv = append(kv, "Ngày NQ chi bộ", v, "Số NQ chi bộ", fmt.Sprintf("%d-NQ/CB", i), "Chi bộ: số tán thành", n, "Chi bộ: tổng số đảng viên chính thức", n)
		}
		if v := f("committee_res"); v != "" {
			kv = append(kv, "Ngày NQ đảng ủy", v, "Số NQ đảng ủy", fmt.Sprintf("%d-NQ/ĐU", i), "Đảng ủy: số tán thành", "9", "Đảng ủy: tổng số cấp ủy viên", "11")
		}
		if v := f("decision"); v != "" {
			kv = append(kv, "Ngày QĐ kết nạp", v, "Số QĐ kết nạp", fmt.Sprintf("%d-QĐ/ĐU", i))
		}
		if v := f("ceremony"); v != "" {
			kv = append(kv, "Ngày lễ kết nạp", v)
		}
		if v := f("recognition"); v != "" {
			kv = append(kv, "Ngày NQ công nhận chính thức", v, "Số NQ công nhận chính thức", fmt.Sprintf("%d-NQ/CN", i),
				"Công nhận: số tán thành", voters(h, st["recognition"]), "Công nhận: tổng số đảng viên chính thức", voters(h, st["recognition"]))
		}
		if v := f("left"); v != "" {
			kv = append(kv, "Ngày ra khỏi danh sách", v, "Lý do ra khỏi danh sách", "chuyen noi cu tru, hoc tap, cong tac")
		}
		sex, female := "Nam", i%2 == 1
		if female {
			sex = "Nữ"
		}
		code := 0
		if female {
			code = 1
		}
		nid := fmt.Sprintf("034%d95%06d", code, 100+i)
		rows = append(rows, candidate(nameOf(i), sex, "15/06/1995", nid, kv...))
	}
	return rows
}

// Order does not matter: importing the office's file as it stood on past dates and then the whole file
// gives the same database, row for row, as importing the whole file once — late facts included, and the
// candidates the file makes full members, who vote on the later resolutions from the day after theirs.
func TestImportOrderDoesNotMatter(t *testing.T) {
	h := history(48)
	once := tree(t)
	mustImport(t, once.App, bulk.Members, table(bulk.Members, members[:2]...))
	rep := mustImport(t, once.App, bulk.Candidates, table(bulk.Candidates, rowsAsOf(h, nil)...))
	if len(rep.Warnings) == 0 {
		t.Fatal("the generated history has no late decision or ceremony: the test would not cover them")
	}
	// Votes held between the end of another's probation and the vote that recognized them: counted
	// from the end of the probation, they would see a number the file as it stood then did not.
	between := 0
	for i, a := range h {
		for j, b := range h {
			rec, ok := b["recognition"]
			if !ok || i == j {
				continue
			}
			end := b["ceremony"].AddDate(1, 0, 0)
			for _, k := range []string{"cell_res", "recognition"} {
				if v, ok := a[k]; ok && !v.Before(end) && !v.After(rec) {
					between++
				}
			}
		}
	}
	if between == 0 {
		t.Fatal("no vote falls between another candidate's end of probation and recognition: the test would not cover it")
	}
	want := dump(t, once)

	for _, cuts := range [][]string{{"2020-06-30"}, {"2019-12-31", "2020-09-30", "2021-06-30"}} {
		d := tree(t)
		mustImport(t, d.App, bulk.Members, table(bulk.Members, members[:2]...))
		for _, c := range cuts {
			cut, _ := time.Parse(time.DateOnly, c)
			mustImport(t, d.App, bulk.Candidates, table(bulk.Candidates, rowsAsOf(h, &cut)...))
		}
		last := mustImport(t, d.App, bulk.Candidates, table(bulk.Candidates, rowsAsOf(h, nil)...))
		if last.Updated == 0 {
			t.Errorf("cut-offs %v: the whole file updated no row: the cut-offs left it no work", cuts)
		}
		if got := dump(t, d); got != want {
			t.Errorf("cut-offs %v then the whole file differ from the whole file once:\n%s", cuts, firstDiff(want, got))
		}
	}
}

// firstDiff shows the first line where two dumps differ.
func firstDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := range min(len(w), len(g)) {
		if w[i] != g[i] {
			return fmt.Sprintf("line %d\nwant %s\n got %s", i+1, w[i], g[i])
		}
	}
	return fmt.Sprintf("lengths %d and %d", len(w), len(g))
}

// nameOf gives candidate i a name of its own (names hold no digits).
func nameOf(i int) string {
	family := []string{"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi"}
	given := []string{"An", "Bình", "Chi", "Dũng", "Giang", "Hạnh", "Khoa", "Lan"}
	return family[i%8] + " Văn " + given[i/8%8] + " " + given[(i/64+i)%8]
}
