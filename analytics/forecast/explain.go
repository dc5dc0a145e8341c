package forecast

import (
	"fmt"
	"math"
	"strings"

	"ptdv/internal/vn"
)

// explain builds the one Vietnamese sentence that says where the forecast comes from, from the numbers:
// "Đã kết nạp 12; 8 quần chúng đang ở bước hồ sơ, thường 60 % được kết nạp trước 31/12/2026; cộng
// khoảng 1,5 người/tháng từ nguồn mới đến cuối kỳ: dự kiến 25 (80 %: 21–29), khả năng đạt chỉ tiêu 30
// là 15 %."
func (m *Model) explain(r Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Đã kết nạp %s", vn.Int(int64(r.Admitted)))
	ps := r.parts
	switch {
	case ps.stage >= 0 && ps.stageN > 0:
		fmt.Fprintf(&b, "; %s quần chúng %s, thường %s %% được kết nạp", vn.Int(int64(ps.stageN)), stageVI[ps.stage],
			vn.Int(int64(math.Round(100*ps.stageP))))
		if ps.stage == Decision {
			b.WriteString(" (tính vào kỳ theo ngày quyết định)")
		} else {
			fmt.Fprintf(&b, " trước %s", vn.Date(r.Period.End.Time()))
		}
		if others := ps.cases - ps.stageN; others > 0 {
			fmt.Fprintf(&b, ", thêm %s người ở các bước khác", vn.Int(int64(others)))
		}
	default:
		b.WriteString("; chưa có quần chúng nào trong diện xét có thể kết nạp trong kỳ")
	}
	if ps.months > 0 && r.Fresh > 0.05 {
		fmt.Fprintf(&b, "; cộng khoảng %s người/tháng từ nguồn mới đến cuối kỳ", vn.Decimal(ps.freshRate, 1))
	}
	fmt.Fprintf(&b, ": dự kiến %s (80 %%: %s–%s)", vn.Decimal(r.Expected, 1), vn.Int(int64(r.Lo80)), vn.Int(int64(r.Hi80)))
	switch {
	case r.Target == nil:
		b.WriteString(", chưa có chỉ tiêu")
	case r.Admitted >= *r.Target:
		fmt.Fprintf(&b, ", đã đạt chỉ tiêu %s", vn.Int(int64(*r.Target)))
	default:
		fmt.Fprintf(&b, ", khả năng đạt chỉ tiêu %s là %s %%", vn.Int(int64(*r.Target)), vn.Int(int64(math.Round(100**r.PMeet))))
	}
	b.WriteString(".")
	return b.String()
}
