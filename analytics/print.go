package analytics

import (
	"context"
	"fmt"
	"io"
	"strconv"

	"ptdv/internal/vn"
)

// PrintYear writes, for every province of the published snapshot at path, its members' breakdown
// for the snapshot's year on today's map, in Vietnamese: stock and admissions with the shares of
// women, ethnic minorities, youth, upper secondary education, college and above, political theory
// and religion, each beside the same period last year.
func PrintYear(ctx context.Context, w io.Writer, path string) error {
	db, err := Open(path)
	if err != nil {
		return err
	}
	defer db.Close()
	var year int
	if err := db.QueryRowContext(ctx, `SELECT year(as_of) FROM snapshot_meta`).Scan(&year); err != nil {
		return fmt.Errorf("analytics: %w", err)
	}
	rows, err := db.QueryContext(ctx, `SELECT b.unit_id, u.name, b.measure, b.dimension, b.category, b.n, b.total, b.share,
			b.n_last_year, b.share_last_year, b.on_date
		FROM breakdown b JOIN unit_asof u ON u.id = b.unit_id AND u.kind = 'province'
		WHERE b.map = 'today' AND b.period_kind = 'year' AND b.period = ?
			AND (b.dimension, b.category) IN (('total', 'total'), ('grade', 'probationary'), ('sex', 'female'), ('ethnic_minority', 'yes'),
				('youth', 'yes'), ('upper_secondary', 'yes'), ('college_plus', 'yes'), ('religious', 'yes'))
		ORDER BY u.name, b.measure DESC, CASE b.dimension WHEN 'total' THEN 0 WHEN 'grade' THEN 1 WHEN 'sex' THEN 2
			WHEN 'ethnic_minority' THEN 3 WHEN 'youth' THEN 4 WHEN 'upper_secondary' THEN 5 WHEN 'college_plus' THEN 6 ELSE 7 END`,
		strconv.Itoa(year))
	if err != nil {
		return fmt.Errorf("analytics: %w", err)
	}
	defer rows.Close()
	labels := map[string]string{"total": "Tổng số", "grade": "  dự bị", "sex": "  nữ", "ethnic_minority": "  dân tộc thiểu số",
		"youth": "  từ 30 tuổi trở xuống", "upper_secondary": "  tốt nghiệp THPT", "college_plus": "  cao đẳng trở lên", "religious": "  có tôn giáo"}
	measures := map[string]string{"stock": "Đảng viên", "admissions": "Kết nạp"}
	last := ""
	for rows.Next() {
		var id int64
		var name, measure, dim, cat string
		var n, total float64
		var share, nly, sly *float64
		var on any
		if err := rows.Scan(&id, &name, &measure, &dim, &cat, &n, &total, &share, &nly, &sly, &on); err != nil {
			return err
		}
		if name != last {
			fmt.Fprintf(w, "\nCơ cấu đảng viên năm %d — %s (theo địa giới hiện nay)\n", year, name)
			last = name
		}
		head := labels[dim]
		if dim == "total" {
			head = measures[measure]
		}
		line := fmt.Sprintf("  %-26s %9s", head, vn.Int(int64(n)))
		if dim != "total" && share != nil {
			line += fmt.Sprintf(" (%s %%)", vn.Decimal(*share*100, 1))
		}
		if nly != nil {
			line += fmt.Sprintf("   cùng kỳ năm trước %s", vn.Int(int64(*nly)))
			if dim != "total" && sly != nil {
				line += fmt.Sprintf(" (%s %%)", vn.Decimal(*sly*100, 1))
			}
		}
		fmt.Fprintln(w, line)
	}
	if last == "" {
		fmt.Fprintf(w, "Chưa có số liệu cơ cấu đảng viên năm %d.\n", year)
	}
	return rows.Err()
}
