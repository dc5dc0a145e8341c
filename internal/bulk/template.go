package bulk

import "ptdv/internal/sheet"

// Template returns an empty sheet in a kind's layout and a sheet that explains each column.
func Template(k Kind) (sheet.Sheet, sheet.Sheet) {
	help := sheet.Sheet{Name: "Hướng dẫn", Header: []string{"Cột", "Bắt buộc", "Cách ghi"}}
	for _, c := range Layout(k) {
		req := ""
		if c.Required {
			req = "Có"
		}
		help.Rows = append(help.Rows, []string{c.Header, req, c.Note})
	}
	help.Rows = append(help.Rows,
		[]string{"", "", ""},
		[]string{"Ngày tháng", "", "Ghi dd/mm/yyyy, ví dụ 05/02/2024."},
		[]string{"Danh mục", "", "Ghi như trên giấy tờ; không phân biệt chữ hoa, chữ thường, có dấu hay không dấu."},
		[]string{"Nhập lại", "", again[k]})
	return sheet.Sheet{Name: sheetName(k), Header: Headers(k)}, help
}

var again = map[Kind]string{
	Candidates: "Số CCCD là khóa: nhập lại cùng một tệp không tạo bản ghi mới; chỉ các bước chưa ghi được bổ sung.",
	Members:    "Số CCCD là khóa: nhập lại cùng một tệp không tạo bản ghi mới; chỉ các sự kiện chưa ghi được bổ sung.",
	Units: "Mã đơn vị là khóa: nhập lại cùng một tệp không tạo đơn vị mới. Đổi tên, điều chuyển, sáp nhập đơn vị đã có " +
		"là thao tác tổ chức có văn bản, không sửa qua tệp.",
	Targets: "Đơn vị, chỉ tiêu và kỳ là khóa: nhập lại cùng một tệp không tạo chỉ tiêu mới; một số lượng hoặc tỷ lệ khác " +
		"được ghi thành một lần điều chỉnh chỉ tiêu (lịch sử điều chỉnh được giữ).",
}
