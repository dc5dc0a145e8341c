package bulk_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"ptdv/internal/bulk"
	"ptdv/internal/fixture"
	"ptdv/internal/pgtest"
	"ptdv/internal/sheet"
)

// province is a generated province's ten-year history as an office would import it: its units (a
// province committee, communes, cells), its members (two full members in each of most cells, the
// sponsors and voters of the cell's candidates) and its candidate cases 2015–2026, every stage from
// source to full member present, some decisions and ceremonies late (recorded and flagged), some
// candidates leaving.
type province struct {
	units, members, cases sheet.Table
	warnings              int            // the late decisions and ceremonies the generator made
	admitted              map[string]int // admissions (ceremonies held) by commune code and decision year, "HB.C0001/2019"
}

// genProvince builds the three files at a scale of 1 (15,001 units, 20,000 members, 100,000 cases) or a
// fraction of it (communes scale; each commune keeps 14 cells, 10 of them with two members and ten cases).
func genProvince(scale float64) province {
	communes := max(1, int(1000*scale))
	rng := rand.New(rand.NewPCG(2015, 2026))
	var units, members, cases []map[string]string
	units = append(units, unitRow("HB", "Đảng bộ tỉnh Hòa Bình", "province", "", "01/01/2000"))
	d := func(t time.Time) string { return t.Format("02/01/2006") }
	nm, nc := 0, 0
	p := province{admitted: map[string]int{}}
	for c := range communes {
		cc := fmt.Sprintf("HB.C%04d", c)
		units = append(units, unitRow(cc, "Đảng bộ xã "+nameOf(c), "grassroots_committee", "HB", "01/01/2000"))
		for k := range 14 {
			cell := fmt.Sprintf("%s.%02d", cc, k)
			units = append(units, unitRow(cell, "Chi bộ thôn "+nameOf(c*14+k), "cell", cc, "01/01/2000"))
			if k >= 10 {
				continue // cells without members or candidates
			}
			var sponsors [2]string
			for s := range 2 {
				sponsors[s] = fmt.Sprintf("034075%06d", nm)
				members = append(members, with(person(nameOf(nm), "Nam", "02/03/1975", sponsors[s], cell),
					"Ngày QĐ kết nạp", "20/05/2005", "Số QĐ kết nạp", fmt.Sprintf("%d-QĐ/HU", nm), "Ngày vào Đảng", "01/06/2005",
					"Ngày chính thức", "01/06/2006", "Số NQ công nhận chính thức", fmt.Sprintf("%d-NQ/ĐU", nm)))
				nm++
			}
			// Ten cases a year apart; the last reaches full membership (its recognition, in 2026, is the
			// cell's last vote: the full members who vote are the two recorded ones on every date), the
			// others stop at a stage from source to probation.
			for j := range 10 {
				listed := time.Date(2015, 1, 10, 0, 0, 0, 0, time.UTC).AddDate(j, 0, (c*14+k)%200)
				reach := j % 7
				if j == 9 {
					reach = 7
				}
				kv := []string{"Ngày vào danh sách nguồn", d(listed)}
				at, decided := listed, time.Time{}
				step := func(days int) time.Time { at = at.AddDate(0, 0, days); return at }
				if reach >= 1 {
					kv = append(kv, "Ngày cấp GCN bồi dưỡng nhận thức", d(step(60)), "Số GCN", fmt.Sprintf("%d/GCN", nc))
				}
				if reach >= 2 {
					kv = append(kv, "Ngày hoàn thiện hồ sơ", d(step(40)), "CCCD người giới thiệu 1", sponsors[0], "Người giới thiệu 1 cùng công tác từ", "01/01/2012",
						"CCCD người giới thiệu 2", sponsors[1], "Người giới thiệu 2 cùng công tác từ", "01/01/2012")
				}
				if reach >= 3 {
					kv = append(kv, "Ngày NQ chi bộ", d(step(20)), "Số NQ chi bộ", fmt.Sprintf("%d-NQ/CB", nc), "Chi bộ: số tán thành", "2", "Chi bộ: tổng số đảng viên chính thức", "2")
				}
				if reach >= 4 {
					kv = append(kv, "Ngày NQ đảng ủy", d(step(10)), "Số NQ đảng ủy", fmt.Sprintf("%d-NQ/ĐU", nc), "Đảng ủy: số tán thành", "9", "Đảng ủy: tổng số cấp ủy viên", "11")
				}
				if reach >= 5 {
					days := 20
					if rng.IntN(3) == 0 {
						days += 110 // past the 60 working days
						p.warnings++
					}
					decided = step(days)
					kv = append(kv, "Ngày QĐ kết nạp", d(decided), "Số QĐ kết nạp", fmt.Sprintf("%d-QĐ/ĐU", nc))
				}
				if reach >= 6 {
					days := 14
					if rng.IntN(4) == 0 {
						days += 60 // past the 30 working days
						p.warnings++
					}
					kv = append(kv, "Ngày lễ kết nạp", d(step(days)))
					p.admitted[fmt.Sprintf("%s/%d", cc, decided.Year())]++
				}
				if reach >= 7 {
					kv = append(kv, "Ngày NQ công nhận chính thức", d(step(380)), "Số NQ công nhận chính thức", fmt.Sprintf("%d-NQ/CN", nc),
						"Công nhận: số tán thành", "2", "Công nhận: tổng số đảng viên chính thức", "2")
				}
				if reach < 4 && rng.IntN(4) == 0 {
					kv = append(kv, "Ngày ra khỏi danh sách", d(step(30)), "Lý do ra khỏi danh sách", "chuyen noi cu tru, hoc tap, cong tac")
				}
				sex, code := "Nam", 0
				if nc%2 == 1 {
					sex, code = "Nữ", 1
				}
				row := candidate(nameOf(nc), sex, "15/06/1995", fmt.Sprintf("034%d95%06d", code, nc), kv...)
				row["Mã chi bộ"] = cell
				cases = append(cases, row)
				nc++
			}
		}
	}
	p.units, p.members, p.cases = table(bulk.Units, units...), table(bulk.Members, members...), table(bulk.Candidates, cases...)
	return p
}

// BenchmarkImportProvinceHistory imports a province's ten-year history into an empty database: its units,
// then its members, then its candidate cases (issue 17: a province's history, ≈ 100,000 cases with every
// stage, 20,000 members, 15,000 units, in ≤ 30 s). PTDV_BENCH_PROVINCE_SCALE sets the size (0.05 by
// default, 1 for a province); each list's time is reported, and the whole as total_s.
func BenchmarkImportProvinceHistory(b *testing.B) {
	scale := 0.05
	if s, err := strconv.ParseFloat(os.Getenv("PTDV_BENCH_PROVINCE_SCALE"), 64); err == nil && s > 0 {
		scale = s
	}
	p := genProvince(scale)
	b.Logf("%d units, %d members, %d cases", len(p.units.Rows), len(p.members.Rows), len(p.cases.Rows))
	for b.Loop() {
		b.StopTimer()
		d := pgtest.New(b)
		b.StartTimer()
		var total time.Duration
		var cpu float64
		for _, l := range []struct {
			kind bulk.Kind
			in   sheet.Table
		}{{bulk.Units, p.units}, {bulk.Members, p.members}, {bulk.Candidates, p.cases}} {
			start, cpu0 := time.Now(), cpuSeconds(b, d)
			rep, err := bulk.Import(fixture.System(), d.App, l.kind, l.in, bulk.Options{})
			if err != nil || !rep.Written {
				b.Fatalf("%s: %v %v", l.kind, err, rep.Problems[:min(3, len(rep.Problems))])
			}
			took := time.Since(start)
			total += took
			cpu += cpuSeconds(b, d) - cpu0
			b.ReportMetric(took.Seconds(), string(l.kind)+"_s")
			if l.kind == bulk.Candidates && len(rep.Warnings) < p.warnings {
				b.Errorf("%d late facts flagged, the generator made at least %d", len(rep.Warnings), p.warnings)
			}
		}
		b.ReportMetric(total.Seconds(), "total_s")
		b.ReportMetric(cpu, "cpu_s")
	}
}

// cpuSeconds is the CPU time used so far by this process and by the test cluster's server processes
// alive (its backends stay in the pools between imports). It says whether an import waits or works: on
// the shared 2-core machine it stays within a few percent of the wall time, so the import is busy on a
// core throughout, and a run is slower only when the machine is (its CPU time grows with the load too).
func cpuSeconds(b *testing.B, d *pgtest.DB) float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	s := time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
	var dir string
	if err := d.Owner.NewRaw(`SELECT current_setting('data_directory')`).Scan(context.Background(), &dir); err != nil {
		b.Fatal(err)
	}
	pid, err := os.ReadFile(filepath.Join(dir, "postmaster.pid"))
	if err != nil {
		b.Fatal(err)
	}
	postmaster := strings.SplitN(string(pid), "\n", 2)[0]
	procs, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, f := range procs {
		stat, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		// pid (comm) state ppid … utime stime: fields 4, 14 and 15, counted after the command's ")".
		fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
		if len(fields) < 13 || (fields[1] != postmaster && strings.SplitN(filepath.Base(filepath.Dir(f)), "/", 2)[0] != postmaster) {
			continue
		}
		ut, _ := strconv.ParseFloat(fields[11], 64)
		st, _ := strconv.ParseFloat(fields[12], 64)
		s += (ut + st) / 100 // clock ticks (USER_HZ, 100 on Linux)
	}
	return s
}

// A generated history with a known share of late decisions and ceremonies goes in whole: every case
// recorded, exactly the late ones flagged with how late, and the admissions per commune and year equal
// to the generator's own count.
func TestProvinceHistoryGoesInWhole(t *testing.T) {
	p := genProvince(0.003)
	d := pgtest.New(t)
	for _, l := range []struct {
		kind bulk.Kind
		in   sheet.Table
	}{{bulk.Units, p.units}, {bulk.Members, p.members}, {bulk.Candidates, p.cases}} {
		rep := mustImport(t, d.App, l.kind, l.in)
		if l.kind == bulk.Candidates && len(rep.Warnings) != p.warnings {
			t.Errorf("%d warnings, the generator made %d late facts", len(rep.Warnings), p.warnings)
		}
	}
	var cases, late, lateDays int
	if err := d.Owner.NewRaw(`SELECT (SELECT count(*) FROM candidate_case), count(*), coalesce(min(late_days), 0) FROM case_event WHERE late_rule IS NOT NULL`).
		Scan(context.Background(), &cases, &late, &lateDays); err != nil {
		t.Fatal(err)
	}
	if cases != len(p.cases.Rows) || late != p.warnings || lateDays < 1 {
		t.Errorf("%d cases (want %d), %d flagged events (want %d), the least late by %d working days", cases, len(p.cases.Rows), late, p.warnings, lateDays)
	}
	var rows []struct {
		Key string `bun:"key"`
		N   int    `bun:"n"`
	}
	if err := d.Owner.NewRaw(`SELECT c.code || '/' || extract(year FROM e.decision_date)::int AS key, count(*) AS n
		FROM member_event e JOIN org_link l ON l.unit_id = e.unit_id JOIN org_unit c ON c.id = l.parent_id
		WHERE e.kind = 'admitted' AND e.decision_date > '2010-01-01' GROUP BY 1`).Scan(context.Background(), &rows); err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, r := range rows {
		got[r.Key] = r.N
	}
	if diff := cmp.Diff(p.admitted, got); diff != "" || len(got) == 0 {
		t.Errorf("admissions by commune and year (-generator +database):\n%s", diff)
	}
	// The rollups the triggers kept during the imports (the membership spans of every chunk written in
	// one statement at the end) are those rebuilt from the spans and events.
	rollups := func() (yearend []string, ancestors []string) {
		if err := d.Owner.NewRaw(`SELECT ancestor_id || '/' || year || '=' || n FROM member_yearend WHERE n <> 0 ORDER BY 1`).
			Scan(context.Background(), &yearend); err != nil {
			t.Fatal(err)
		}
		if err := d.Owner.NewRaw(`SELECT ancestor_id || '/' || decided || '/' || event_id || '/' || unit_id FROM admission_ancestor ORDER BY 1`).
			Scan(context.Background(), &ancestors); err != nil {
			t.Fatal(err)
		}
		return yearend, ancestors
	}
	kept, keptAnc := rollups()
	if _, err := d.Owner.ExecContext(context.Background(), `SELECT member_rebuild_yearend(), target_rebuild_admissions()`); err != nil {
		t.Fatal(err)
	}
	rebuilt, rebuiltAnc := rollups()
	if diff := cmp.Diff(rebuilt, kept); diff != "" || len(kept) == 0 {
		t.Errorf("member_yearend after the imports (-rebuilt +kept):\n%s", diff)
	}
	if diff := cmp.Diff(rebuiltAnc, keptAnc); diff != "" || len(keptAnc) == 0 {
		t.Errorf("admission_ancestor after the imports (-rebuilt +kept):\n%s", diff)
	}
}

// BenchmarkReimportUnits sends a province's unit list (PTDV_BENCH_PROVINCE_SCALE, as above) a second
// time: every row is a recorded unit as it stands, compared and counted unchanged, nothing written.
func BenchmarkReimportUnits(b *testing.B) {
	scale := 0.05
	if s, err := strconv.ParseFloat(os.Getenv("PTDV_BENCH_PROVINCE_SCALE"), 64); err == nil && s > 0 {
		scale = s
	}
	p := genProvince(scale)
	for b.Loop() {
		b.StopTimer()
		d := pgtest.New(b)
		if rep, err := bulk.Import(fixture.System(), d.App, bulk.Units, p.units, bulk.Options{}); err != nil || !rep.Written {
			b.Fatal(err)
		}
		b.StartTimer()
		rep, err := bulk.Import(fixture.System(), d.App, bulk.Units, p.units, bulk.Options{})
		if err != nil || !rep.Written || rep.Unchanged != len(p.units.Rows) {
			b.Fatalf("%+v, %v", rep.Problems[:min(3, len(rep.Problems))], err)
		}
	}
	b.ReportMetric(float64(len(p.units.Rows)), "rows")
}
