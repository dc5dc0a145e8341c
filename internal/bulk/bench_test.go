package bulk_test

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"ptdv/internal/bulk"
	"ptdv/internal/fixture"
	"ptdv/internal/pgtest"
	"ptdv/internal/sheet"
)

// BenchmarkImportCandidates imports a list of new candidates (the batch path; rows at source, course,
// dossier and cell-resolution stages in turn) into a fresh database per iteration.
// PTDV_BENCH_IMPORT_ROWS sets the size (2,000 by default; the target is 100,000 rows in under 15 s).
func BenchmarkImportCandidates(b *testing.B) {
	n := benchRows()
	in := benchCandidates(n, 0)
	for b.Loop() {
		b.StopTimer()
		d := tree(b)
		if rep, err := bulk.Import(fixture.System(), d.App, bulk.Members, table(bulk.Members, members...), bulk.Options{}); err != nil || !rep.Written {
			b.Fatal(err)
		}
		timedImport(b, d, bulk.Candidates, in, n)
	}
}

// timedImport imports in (n rows) with the timer running and reports rows per second; the import must write.
func timedImport(b *testing.B, d *pgtest.DB, k bulk.Kind, in sheet.Table, n int) {
	b.StartTimer()
	start := time.Now()
	rep, err := bulk.Import(fixture.System(), d.App, k, in, bulk.Options{})
	if err != nil || !rep.Written {
		b.Fatalf("%v %v", err, rep.Problems[:min(3, len(rep.Problems))])
	}
	b.ReportMetric(float64(n)/time.Since(start).Seconds(), "rows/s")
}

// benchRows is PTDV_BENCH_IMPORT_ROWS, 2,000 by default.
func benchRows() int {
	if n, err := strconv.Atoi(os.Getenv("PTDV_BENCH_IMPORT_ROWS")); err == nil {
		return n
	}
	return 2000
}

// benchCandidates is a list of n candidates at source, course, dossier and cell-resolution stages in turn;
// with next = 1, the same candidates one stage further each.
func benchCandidates(n, next int) sheet.Table {
	stages := [][]string{nil, course, dossier, cellRes, committee}
	rows := make([]map[string]string, n)
	for i := range rows {
		rows[i] = candidate("Nguyễn Văn "+word(i), "Nam", "01/02/2000", fmt.Sprintf("034200%06d", 100+i), slices.Clone(stages[i%4+next])...)
	}
	return table(bulk.Candidates, rows...)
}

// word spells i in letters ("A", "B", …, "Ba"), for names that must not hold digits.
func word(i int) string {
	s := ""
	for {
		s = string(rune('a'+i%26)) + s
		i /= 26
		if i == 0 {
			break
		}
	}
	return string(s[0]-'a'+'A') + s[1:]
}

// BenchmarkImportMembers imports a list of new members (admission and recognition), as an office's first
// import of its roster; PTDV_BENCH_IMPORT_ROWS sets the size.
func BenchmarkImportMembers(b *testing.B) {
	n := benchRows()
	rows := make([]map[string]string, n)
	for i := range rows {
		rows[i] = with(person("Trần Thị "+word(i), "Nữ", "01/02/1985", fmt.Sprintf("034185%06d", 100+i), "HY.QC.2"),
			"Ngày QĐ kết nạp", "02/05/2015", "Số QĐ kết nạp", "101-QĐ/ĐU", "Ngày vào Đảng", "19/05/2015",
			"Ngày chính thức", "19/05/2016", "Số NQ công nhận chính thức", "12-NQ/CB")
	}
	in := table(bulk.Members, rows...)
	for b.Loop() {
		b.StopTimer()
		d := tree(b)
		timedImport(b, d, bulk.Members, in, n)
	}
}

// BenchmarkReimportCandidates imports a list of candidates a second time, as an office does when it
// sends its whole spreadsheet again: "unchanged", every row as it was (nothing is written); "next stage",
// every row one stage further (each row through the API's functions). PTDV_BENCH_IMPORT_ROWS sets the
// size.
func BenchmarkReimportCandidates(b *testing.B) {
	n := benchRows()
	first := benchCandidates(n, 0)
	for _, c := range []struct {
		name        string
		next        int
		wantUpdated int
	}{{"unchanged", 0, 0}, {"next stage", 1, n}} {
		again := benchCandidates(n, c.next)
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				d := tree(b)
				if rep, err := bulk.Import(fixture.System(), d.App, bulk.Members, table(bulk.Members, members...), bulk.Options{}); err != nil || !rep.Written {
					b.Fatal(err)
				}
				if rep, err := bulk.Import(fixture.System(), d.App, bulk.Candidates, first, bulk.Options{}); err != nil || rep.Created != n {
					b.Fatal(err)
				}
				b.StartTimer()
				start := time.Now()
				rep, err := bulk.Import(fixture.System(), d.App, bulk.Candidates, again, bulk.Options{})
				if err != nil || !rep.Written || rep.Updated != c.wantUpdated || rep.Unchanged != n-c.wantUpdated {
					b.Fatalf("%v %+v %v", err, rep, rep.Problems[:min(3, len(rep.Problems))])
				}
				b.ReportMetric(float64(n)/time.Since(start).Seconds(), "rows/s")
			}
		})
	}
}
