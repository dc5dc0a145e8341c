package sheet

import (
	"bytes"
	"fmt"
	"runtime"
	"testing"
)

// benchSheet is 100,000 rows × 25 columns of realistic member-list text.
func benchSheet() Sheet {
	const nRows, nCols = 100_000, 25
	s := Sheet{Name: "Đảng viên"}
	for c := range nCols {
		s.Header = append(s.Header, fmt.Sprintf("Cột %d", c+1))
	}
	s.Rows = make([][]string, nRows)
	for i := range s.Rows {
		row := make([]string, nCols)
		row[0] = fmt.Sprint(i + 1)
		row[1] = "Nguyễn Thị Phương Thảo"
		row[2] = fmt.Sprintf("%012d", 79203000000+i)
		row[3] = "+84912345678"
		row[4] = "05/02/2024"
		for c := 5; c < nCols; c++ {
			row[c] = fmt.Sprintf("Chi bộ %d, Đảng bộ xã Hoà Bình %d", c, i%97)
		}
		s.Rows[i] = row
	}
	return s
}

func benchWriteRead(b *testing.B, f Format) {
	s := benchSheet()
	var size int
	var ms0, ms1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms0)
	b.ReportAllocs()
	cpu0 := cpuTime()
	b.ResetTimer()
	for b.Loop() {
		var buf bytes.Buffer
		if err := Write(&buf, f, s); err != nil {
			b.Fatal(err)
		}
		size = buf.Len()
		t, err := Read(&buf, f, DefaultLimits)
		if err != nil {
			b.Fatal(err)
		}
		if len(t.Rows) != len(s.Rows) {
			b.Fatalf("read %d rows", len(t.Rows))
		}
	}
	b.StopTimer()
	cpu := cpuTime() - cpu0
	runtime.ReadMemStats(&ms1)
	perOp := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(float64(len(s.Rows))/perOp, "rows/s")
	b.ReportMetric(float64(ms1.TotalAlloc-ms0.TotalAlloc)/float64(b.N)/(1<<20), "allocMB/op")
	b.ReportMetric(float64(size)/(1<<20), "fileMB")
	if cpu > 0 { // CPU seconds, which unlike ns/op do not grow when the machine is busy
		b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
	}
}

// BenchmarkWriteReadXLSX: write then read back 100,000 rows × 25 columns.
func BenchmarkWriteReadXLSX(b *testing.B) { benchWriteRead(b, XLSX) }

// BenchmarkWriteReadCSV: write then read back 100,000 rows × 25 columns.
func BenchmarkWriteReadCSV(b *testing.B) { benchWriteRead(b, CSV) }
