package analytics

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
)

// doc describes one table or view of the file: what a row is, and what its columns mean where
// the name does not say it. It becomes COMMENT ON TABLE/VIEW/COLUMN, which `ptdv analytics views`
// lists (Views).
type doc struct {
	comment string
	columns map[string]string
}

// tableDocs documents the tables of the file (copies keep PostgreSQL's meaning).
var tableDocs = map[string]doc{
	"org_unit":      {"Bản sao org_unit: mọi tổ chức đảng từng tồn tại, [valid_from, valid_to).", nil},
	"org_unit_name": {"Bản sao org_unit_name: tên theo thời gian.", nil},
	"org_link":      {"Bản sao org_link: cấp trên và đường dẫn (path: các id từ gốc, nối bằng dấu chấm) theo thời gian.", map[string]string{"depth": "số cấp của path (tỉnh = 1)"}},
	"org_lineage":   {"Bản sao org_lineage: đơn vị tiền thân và kế thừa qua sáp nhập, chia tách.", nil},
	"org_operation": {"Bản sao org_operation: các thao tác thay đổi cây tổ chức.", nil},
	"village":       {"Bản sao village: thôn, tổ dân phố.", nil},
	"village_cell":  {"Bản sao village_cell: chi bộ phụ trách thôn theo thời gian.", nil},
	"code_item":     {"Danh mục mã với nhãn tiếng Việt; minority, religious, level, key_cadre, member lấy từ attrs.", nil},
	"calendar_day":  {"Ngày nghỉ lễ, nghỉ bù, làm bù (ngày làm việc: thứ Hai–thứ Sáu trừ các ngày này).", nil},
	"person": {"Người (quần chúng và đảng viên), đã ẩn danh: không có họ tên, số định danh, địa chỉ, điện thoại, ngày sinh.", map[string]string{
		"person_key":         "khóa ẩn danh ổn định: 8 byte đầu của SHA-256(khóa bí mật || id), không nối được về PostgreSQL",
		"birth_year":         "năm sinh",
		"birth_month":        "tháng sinh (đủ để tính tuổi đúng tại mọi cuối tháng)",
		"ethnic_minority":    "dân tộc thiểu số (code_item ethnicity, attrs.minority)",
		"village_id":         "thôn, tổ dân phố nơi cư trú hiện nay",
		"unit_id":            "tổ chức đảng quản lý hồ sơ hiện nay",
		"youth_union_member": "đoàn viên",
	}},
	"person_unit":        {"Tổ chức đảng quản lý hồ sơ của một người theo thời gian.", nil},
	"person_position":    {"Chức danh ở thôn, nơi làm việc theo thời gian.", nil},
	"member_event":       {"Sự kiện đảng viên (kết nạp, công nhận, chuyển, xóa tên…): chỉ ghi thêm.", map[string]string{"decision_date": "ngày quyết định; tuổi đảng và số kết nạp tính theo ngày này"}},
	"member_yearend":     {"Số đảng viên của đơn vị (cả cây trực thuộc) tại 31/12 mỗi năm, như PostgreSQL lưu (member_yearend); dự báo đọc quy mô đơn vị từ đây.", nil},
	"member_status_span": {"Trạng thái đảng viên theo thời gian, suy ra từ member_event và person_unit.", nil},
	"candidate_case":     {"Hồ sơ phát triển đảng viên: một người qua các bước tại một chi bộ.", nil},
	"case_event": {"Mọi bước của hồ sơ (stage_after: bước sau sự kiện; reason: lý do dừng, danh mục leave_reason).", map[string]string{
		"late_rule": "quy định về thời hạn mà bước này đã quá (sự việc đã xảy ra, nhập từ hồ sơ cũ), ví dụ quyết định kết nạp quá hạn; trống khi đúng hạn",
		"late_days": "số ngày làm việc quá hạn",
	}},
	"term":            {"Nhiệm kỳ của tổ chức đảng (hai đầu tính cả).", nil},
	"target":          {"Chỉ tiêu (giá trị hiện hành của bản sửa mới nhất).", nil},
	"target_revision": {"Mọi bản sửa của chỉ tiêu: chỉ ghi thêm.", nil},
	"unit_asof":       {"Tổ chức đảng tồn tại tại ngày chốt số liệu, với tên, cấp trên, đường dẫn, tỉnh.", nil},
	"unit_counts":     {"Số tổ chức đảng tại ngày chốt theo tỉnh và loại.", nil},
	"unit_label":      {"Mã, loại và tên gần nhất của mọi tổ chức đảng (kể cả đã giải thể), để gắn nhãn kết quả.", nil},
	"period": {"Các kỳ tính số liệu: year (từ năm kết nạp đầu tiên có trong dữ liệu, tối đa 10 năm), quarter và month (năm chốt và hai năm trước), term (nhiệm kỳ cấp tỉnh).", map[string]string{
		"on_date":      "ngày tính số đảng viên và cây tổ chức: cuối kỳ, hoặc ngày chốt nếu kỳ chưa kết thúc",
		"ly_period_id": "kỳ cùng kỳ năm trước (với nhiệm kỳ: nhiệm kỳ trước)",
	}},
	"breakdown": {"Cơ cấu đảng viên theo đơn vị (cả cây trực thuộc), kỳ, chỉ số, chiều và nhóm; có cùng kỳ năm trước. Chỉ hai cấp trên cùng của cây tại ngày của kỳ (tỉnh và cấp ngay dưới: huyện trước 01/07/2025; xã, phường và đảng bộ trực thuộc tỉnh từ đó); các đơn vị cấp dưới được API đếm trực tiếp từ PostgreSQL khi hỏi, hoặc tính từ member_status_span và person trong tệp này. map = as_was: cây tổ chức như tại ngày của kỳ; map = today: số của đơn vị tiền thân cộng vào đơn vị kế thừa (org_lineage) trên cây hôm nay.", map[string]string{
		"measure":   "stock: đảng viên tại on_date (dự bị, chính thức, miễn sinh hoạt, sinh hoạt tạm thời nơi khác); admissions: kết nạp có ngày quyết định (không có thì ngày lễ) trong kỳ",
		"dimension": "total, grade, sex, ethnic_minority, ethnicity, youth (≤ 30 tuổi: Luật Thanh niên 2020), age_band, general_education, upper_secondary, professional_qualification, college_plus (cao đẳng trở lên), political_theory, religious, religion, occupation",
		"n":         "số người (map today: có thể lẻ khi đơn vị bị chia tách, chia đều cho các đơn vị kế thừa)",
		"total":     "tổng số của đơn vị, kỳ, chỉ số (mẫu số của share)",
		"change":    "n − n_last_year",
	}},
	"funnel":             {"Phễu phát triển đảng viên theo đơn vị (hai cấp trên cùng, cây như tại ngày của kỳ) và kỳ: số hồ sơ vào mỗi bước, tỷ lệ chuyển sang bước sau trong kỳ, số ra khỏi bước, trung vị và phân vị 90 số ngày làm việc ở bước.", nil},
	"funnel_dropout":     {"Hồ sơ dừng (left, removed) trong kỳ theo bước trước đó và lý do.", nil},
	"village_gap":        {"Thôn, tổ dân phố tại ngày chốt: chưa có chi bộ (no_cell), chưa có đảng viên cư trú (no_member).", nil},
	"cell_committee_gap": {"Chi bộ có từ 9 đảng viên chính thức tại ngày chốt (được bầu chi ủy), đếm như người có quyền biểu quyết: người được chi bộ biểu quyết công nhận tính từ ngày sau ngày biểu quyết, người sinh hoạt tạm thời nơi khác vẫn tính, người miễn sinh hoạt không tính; ptdv chưa ghi nhận chi ủy nên committee_recorded luôn false.", nil},
	"unit_gap":           {"Theo đơn vị (cả cây trực thuộc) tại ngày chốt: số thôn, thôn chưa có chi bộ, thôn chưa có đảng viên, chi bộ ≥ 9 đảng viên chính thức chưa có chi ủy.", nil},
	"snapshot_meta":      {"Một dòng mô tả bản chụp: phiên bản định dạng, ngày chốt, snapshot và LSN của PostgreSQL, số dòng mỗi bảng.", nil},
}

// views are the stable names analysts and the Parquet export read: the result tables with the
// unit's code and name attached.
var views = []struct{ name, comment, sql string }{
	{"v_breakdown", "Cơ cấu đảng viên (bảng breakdown) kèm mã, tên đơn vị.",
		`SELECT l.code AS unit_code, l.name AS unit_name, l.kind AS unit_kind, b.* FROM breakdown b JOIN unit_label l ON l.id = b.unit_id`},
	{"v_funnel", "Phễu phát triển đảng viên (bảng funnel) kèm mã, tên đơn vị.",
		`SELECT l.code AS unit_code, l.name AS unit_name, l.kind AS unit_kind, f.* FROM funnel f JOIN unit_label l ON l.id = f.unit_id`},
	{"v_funnel_dropout", "Hồ sơ dừng theo lý do (bảng funnel_dropout) kèm mã, tên đơn vị.",
		`SELECT l.code AS unit_code, l.name AS unit_name, f.* FROM funnel_dropout f JOIN unit_label l ON l.id = f.unit_id`},
	{"v_unit_gap", "Thôn chưa có chi bộ, chưa có đảng viên; chi bộ chưa có chi ủy (bảng unit_gap) kèm mã, tên đơn vị.",
		`SELECT l.code AS unit_code, l.name AS unit_name, l.kind AS unit_kind, g.* FROM unit_gap g JOIN unit_label l ON l.id = g.unit_id`},
	{"v_village_gap", "Thôn, tổ dân phố chưa có chi bộ hoặc chưa có đảng viên (bảng village_gap).",
		`SELECT * FROM village_gap WHERE no_cell OR no_member`},
	{"v_cell_committee_gap", "Chi bộ từ 9 đảng viên chính thức chưa có chi ủy được ghi nhận (bảng cell_committee_gap).",
		`SELECT * FROM cell_committee_gap WHERE NOT committee_recorded`},
}

// createViews creates unit_label and the views, then comments every table, view and documented
// column.
func createViews(ctx context.Context, c *sql.Conn) error {
	stmts := []string{`CREATE TABLE unit_label AS
		SELECT u.id, u.code, u.kind, arg_max(n.name, n.valid_from) AS name
		FROM org_unit u LEFT JOIN org_unit_name n ON n.unit_id = u.id GROUP BY u.id, u.code, u.kind ORDER BY u.id`}
	for _, v := range views {
		stmts = append(stmts, "CREATE VIEW "+ident(v.name)+" AS "+v.sql,
			"COMMENT ON VIEW "+ident(v.name)+" IS "+quote(v.comment))
	}
	names := make([]string, 0, len(tableDocs))
	for t := range tableDocs {
		names = append(names, t)
	}
	sort.Strings(names)
	for _, t := range names {
		if t == "snapshot_meta" {
			continue // written after the views; commented in writeMeta
		}
		d := tableDocs[t]
		stmts = append(stmts, "COMMENT ON TABLE "+ident(t)+" IS "+quote(d.comment))
		for col, text := range d.columns {
			stmts = append(stmts, "COMMENT ON COLUMN "+ident(t)+"."+ident(col)+" IS "+quote(text))
		}
	}
	for _, s := range stmts {
		if _, err := c.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("analytics: %s: %w", s[:min(len(s), 60)], err)
		}
	}
	return nil
}

// Entry is one table or view of a snapshot file with its description.
type Entry struct {
	Name, Kind, Comment string
	Columns             int
}

// Views lists the tables and views of an opened snapshot with their comments, views first.
func Views(ctx context.Context, db *sql.DB) ([]Entry, error) {
	rows, err := db.QueryContext(ctx, `
		SELECT view_name, 'view', coalesce(comment, ''), (SELECT count(*) FROM duckdb_columns() c WHERE c.table_name = v.view_name AND c.database_name = v.database_name)
		FROM duckdb_views() v WHERE database_name = current_database() AND NOT internal
		UNION ALL
		SELECT table_name, 'table', coalesce(comment, ''), column_count
		FROM duckdb_tables() WHERE database_name = current_database()
		ORDER BY 2 DESC, 1`)
	if err != nil {
		return nil, fmt.Errorf("analytics: list views: %w", err)
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		var e Entry
		if err := rows.Scan(&e.Name, &e.Kind, &e.Comment, &e.Columns); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
