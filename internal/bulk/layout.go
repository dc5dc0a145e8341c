// Package bulk brings an office's spreadsheets into ptdv and takes lists back out in the same layout:
// candidate lists (with the dates and document numbers of the stages already passed) and member lists.
// Unit lists (the hierarchy an office keeps) come and go the same way through package org.
// Imports go through the same functions as the API (people, pipeline, member, org), so the same rules and
// code lists apply to history as to new moves and the same events are recorded; the whole file is one
// transaction, each row a savepoint, so a bad row is reported with its row, column and reason and,
// unless the caller asks to skip bad rows, nothing is written.
package bulk

import (
	"fmt"
	"slices"
	"strings"

	"ptdv/internal/apperr"
	"ptdv/internal/codes"
	"ptdv/internal/sheet"
)

// Kind is what a file holds.
type Kind string

const (
	Candidates Kind = "candidates"
	Members    Kind = "members"
	Units      Kind = "units"
	Targets    Kind = "targets"
)

// ParseKind accepts the kinds the command line and the API name.
func ParseKind(s string) (Kind, error) {
	switch Kind(s) {
	case Candidates, Members, Units, Targets:
		return Kind(s), nil
	}
	return "", apperr.Invalid("kind", fmt.Sprintf("Loại dữ liệu %q không hỗ trợ (candidates, members, units, targets).", s),
		fmt.Sprintf("unknown kind %q (candidates, members, units, targets)", s))
}

// Column is one column of a layout. Key names it in code; Header is what offices see.
type Column struct {
	Key      string
	Header   string
	Required bool
	Note     string // for the template's instructions sheet
	// ExportOnly columns are written for people to read (a unit's name) and ignored on import.
	ExportOnly bool
}

const (
	colNo     = "no"
	colErrors = "errors"
	colRules  = "rules"
)

// Columns shared by both layouts: the person.
var personColumns = []Column{
	{Key: colNo, Header: "STT", Note: "Số thứ tự; không bắt buộc, không nhập vào hệ thống."},
	{Key: "name", Header: "Họ và tên", Required: true},
	{Key: "sex", Header: "Giới tính", Required: true, Note: "Nam hoặc Nữ."},
	{Key: "birth", Header: "Ngày sinh", Required: true, Note: "dd/mm/yyyy."},
	{Key: "nid", Header: "Số CCCD", Required: true, Note: "12 chữ số; là khóa: nhập lại cùng tệp không tạo bản ghi mới."},
	{Key: "ethnicity", Header: "Dân tộc", Note: "Theo danh mục (Kinh, Tày, Ê Đê…); không phân biệt hoa thường, dấu."},
	{Key: "religion", Header: "Tôn giáo", Note: "Theo danh mục; để trống hoặc \"Không\"."},
	{Key: "general_education", Header: "Giáo dục phổ thông", Note: "Ví dụ: 12/12, 9/12."},
	{Key: "professional_qualification", Header: "Chuyên môn nghiệp vụ", Note: "Ví dụ: Đại học, Cao đẳng."},
	{Key: "political_theory", Header: "Lý luận chính trị", Note: "Ví dụ: Sơ cấp, Trung cấp."},
	{Key: "occupation", Header: "Nghề nghiệp"},
	{Key: "youth", Header: "Đoàn viên", Note: "Có hoặc Không."},
	{Key: "workplace", Header: "Nơi làm việc"},
	{Key: "cell", Header: "Mã chi bộ", Required: true, Note: "Mã đơn vị của chi bộ quản lý hồ sơ."},
	{Key: "cell_name", Header: "Tên chi bộ", ExportOnly: true, Note: "Chỉ để đọc; không nhập vào hệ thống."},
}

var candidateColumns = slices.Concat(personColumns, []Column{
	{Key: "proposer", Header: "Nơi giới thiệu nguồn", Required: true, Note: "Chi bộ, Đoàn Thanh niên, Hội Phụ nữ…"},
	{Key: "listed", Header: "Ngày vào danh sách nguồn", Required: true, Note: "dd/mm/yyyy."},
	{Key: "certificate", Header: "Ngày cấp GCN bồi dưỡng nhận thức", Note: "Giấy chứng nhận học lớp bồi dưỡng nhận thức về Đảng."},
	{Key: "certificate_no", Header: "Số GCN"},
	{Key: "dossier", Header: "Ngày hoàn thiện hồ sơ", Note: "Ngày đủ đơn, lý lịch, giới thiệu, nhận xét, thẩm tra."},
	{Key: "application", Header: "Ngày đơn xin vào Đảng", Note: "Mẫu 1-KNĐ; để trống: ngày hoàn thiện hồ sơ. Không sau ngày hoàn thiện hồ sơ."},
	{Key: "biography", Header: "Ngày lý lịch", Note: "Mẫu 2-KNĐ; để trống: ngày hoàn thiện hồ sơ."},
	{Key: "comments", Header: "Ngày nhận xét của đoàn thể, nơi cư trú", Note: "Mẫu 5-KNĐ; để trống: ngày hoàn thiện hồ sơ."},
	{Key: "background_check", Header: "Ngày thẩm tra lý lịch", Note: "Để trống: ngày hoàn thiện hồ sơ."},
	{Key: "sponsor1", Header: "CCCD người giới thiệu 1", Note: "Đảng viên chính thức đã có trong hệ thống."},
	{Key: "sponsor1_since", Header: "Người giới thiệu 1 cùng công tác từ", Note: "dd/mm/yyyy."},
	{Key: "sponsor2", Header: "CCCD người giới thiệu 2", Note: "Để trống khi Đoàn giới thiệu thay một đảng viên."},
	{Key: "sponsor2_since", Header: "Người giới thiệu 2 cùng công tác từ"},
	{Key: "sponsor1_letter", Header: "Ngày giấy giới thiệu 1", Note: "Mẫu 3-KNĐ; để trống: ngày hoàn thiện hồ sơ."},
	{Key: "sponsor2_letter", Header: "Ngày giấy giới thiệu 2", Note: "Mẫu 3-KNĐ; để trống: ngày hoàn thiện hồ sơ."},
	{Key: "youth_resolution", Header: "Số NQ giới thiệu của Đoàn", Note: "Mẫu 4-KNĐ; chỉ khi Đoàn giới thiệu."},
	{Key: "cell_res", Header: "Ngày NQ chi bộ", Note: "Mẫu 6-KNĐ."},
	{Key: "cell_res_no", Header: "Số NQ chi bộ"},
	{Key: "cell_for", Header: "Chi bộ: số tán thành"},
	{Key: "cell_eligible", Header: "Chi bộ: tổng số đảng viên chính thức"},
	{Key: "committee_res", Header: "Ngày NQ đảng ủy", Note: "Mẫu 8-KNĐ."},
	{Key: "committee_res_no", Header: "Số NQ đảng ủy"},
	{Key: "committee_for", Header: "Đảng ủy: số tán thành"},
	{Key: "committee_eligible", Header: "Đảng ủy: tổng số cấp ủy viên"},
	{Key: "extension", Header: "Ngày gia hạn QĐ kết nạp",
		Note: "Ngày văn bản gia hạn thời hạn ra quyết định kết nạp (một lần); để trống khi không gia hạn."},
	{Key: "extension_no", Header: "Số văn bản gia hạn"},
	{Key: "decision", Header: "Ngày QĐ kết nạp", Note: "Mẫu 9-KNĐ."},
	{Key: "decision_no", Header: "Số QĐ kết nạp"},
	{Key: "ceremony", Header: "Ngày lễ kết nạp"},
	{Key: "recognition", Header: "Ngày NQ công nhận chính thức",
		Note: "Lần xét công nhận thứ nhất (mẫu 10-KNĐ, 11-KNĐ). Lần này không đạt: khi chi bộ đã xét lại, ghi lần 2 ở các cột \"lần 2\" (hoặc ngày xóa tên); khi chưa xét lại, để trống các cột đó."},
	{Key: "recognition_no", Header: "Số NQ công nhận chính thức"},
	{Key: "recognition_for", Header: "Công nhận: số tán thành"},
	{Key: "recognition_eligible", Header: "Công nhận: tổng số đảng viên chính thức",
		Note: "Số đảng viên chính thức của chi bộ ngày biểu quyết; người được công nhận biểu quyết từ ngày sau ngày chi bộ công nhận."},
}, laterRoundColumns(), []Column{
	{Key: "helper", Header: "CCCD người giúp đỡ", Note: "Đảng viên chính thức được phân công giúp đỡ (mẫu 11-KNĐ), đã có trong hệ thống."},
	{Key: "helper_since", Header: "Ngày phân công người giúp đỡ", Note: "dd/mm/yyyy; bắt buộc khi có người giúp đỡ."},
	{Key: "left", Header: "Ngày ra khỏi danh sách", Note: "Ngày ra khỏi danh sách nguồn, hoặc ngày xóa tên đảng viên dự bị."},
	{Key: "left_reason", Header: "Lý do ra khỏi danh sách", Note: "Theo danh mục: chuyển đi, không đủ tiêu chuẩn, …"},
	{Key: "left_no", Header: "Số văn bản ra khỏi danh sách", Note: "Bắt buộc khi xóa tên đảng viên dự bị."},
	confirmBirthColumn,
})

// roundCols are the column sets of the recognition's rounds that the candidates layout carries, in
// order: each is the key of the round's day, with the keys of its resolution's number (+"_no"), its
// votes for (+"_for") and its number entitled (+"_eligible"). The rule vote.recognition.max_rounds says
// how many rounds a case may have; the export refuses when it is raised above len(roundCols), since
// the file would lose the rounds it cannot carry.
var roundCols = []string{"recognition", "recognition2", "recognition3"}

// laterRoundColumns are the columns of the rounds after the first, "lần 2", "lần 3", …: a round is
// considered only when the one before did not pass.
func laterRoundColumns() []Column {
	var cs []Column
	for i, key := range roundCols[1:] {
		n := i + 2
		cs = append(cs,
			Column{Key: key, Header: fmt.Sprintf("Ngày xét công nhận lần %d", n),
				Note: fmt.Sprintf("Chỉ khi lần %d không đạt: ngày chi bộ xét lại (sau lần %d); để trống khi chưa xét lại.", n-1, n-1)},
			Column{Key: key + "_no", Header: fmt.Sprintf("Số NQ công nhận lần %d", n)},
			Column{Key: key + "_for", Header: fmt.Sprintf("Công nhận lần %d: số tán thành", n)},
			Column{Key: key + "_eligible", Header: fmt.Sprintf("Công nhận lần %d: tổng số đảng viên chính thức", n)})
	}
	return cs
}

// memberKeys are the columns of a candidate row that name a recorded full member by national ID: the
// sponsors and the helper (người giúp đỡ).
var memberKeys = []string{"sponsor1", "sponsor2", "helper"}

// confirmBirthColumn: a row whose national ID is recorded with another birth date is refused, unless
// the office confirms here that the row's date is the right one (the recorded date is then corrected).
var confirmBirthColumn = Column{Key: "confirm_birth", Header: "Xác nhận sửa ngày sinh",
	Note: "Chỉ ghi \"Có\" khi số CCCD đã có trong hệ thống với ngày sinh khác và ngày sinh ở dòng này là ngày đúng: ngày sinh đã ghi sẽ được sửa theo dòng này."}

var memberColumns = append(clone(personColumns),
	Column{Key: "decision", Header: "Ngày QĐ kết nạp", Required: true, Note: "Tuổi đảng tính từ ngày này."},
	Column{Key: "decision_no", Header: "Số QĐ kết nạp"},
	Column{Key: "ceremony", Header: "Ngày vào Đảng", Required: true, Note: "Ngày lễ kết nạp."},
	Column{Key: "recognition", Header: "Ngày chính thức", Note: "Để trống khi còn là đảng viên dự bị."},
	Column{Key: "recognition_no", Header: "Số NQ công nhận chính thức"},
	confirmBirthColumn,
)

// unitColumns: one unit a row, as the tree stands today. The code is the key; a unit's parent may be an
// earlier or a later row of the same file, or a unit already recorded.
var unitColumns = []Column{
	{Key: colNo, Header: "STT", Note: "Số thứ tự; không bắt buộc, không nhập vào hệ thống."},
	{Key: "code", Header: "Mã đơn vị", Required: true, Note: "Chữ in hoa không dấu, số, '.', '_', '-'; là khóa: nhập lại cùng tệp không tạo đơn vị mới."},
	{Key: "unit_name", Header: "Tên đơn vị", Required: true},
	{Key: "kind", Header: "Loại tổ chức", Required: true, Note: "Đảng bộ tỉnh, thành phố; Đảng bộ cơ sở; Chi bộ cơ sở; Chi bộ trực thuộc."},
	{Key: "sector", Header: "Lĩnh vực", Required: true, Note: "Theo danh mục lĩnh vực (xã, phường, đặc khu; cơ quan; doanh nghiệp; …)."},
	{Key: "parent", Header: "Mã đơn vị cấp trên", Note: "Để trống cho đảng bộ tỉnh; đơn vị đã có hoặc một dòng khác của tệp."},
	{Key: "parent_name", Header: "Tên đơn vị cấp trên", ExportOnly: true, Note: "Chỉ để đọc; không nhập vào hệ thống."},
	{Key: "founded", Header: "Ngày hiệu lực", Required: true,
		Note: "dd/mm/yyyy: từ ngày này đơn vị có tên và cấp trên như dòng này (ngày thành lập, hoặc ngày chuyển về cấp trên hiện nay); không trước ngày thành lập đơn vị cấp trên."},
	{Key: "founded_doc", Header: "Văn bản", Note: "Văn bản thành lập hoặc điều chuyển, ví dụ: Quyết định số 123-QĐ/TU ngày 01/07/2025."},
}

// rulesColumn and errorsColumn are appended to reject files: the ids of the rules that refused the row
// (empty when no rule did: a malformed cell, a missing code) and the reasons. Importing a reject file
// ignores both.
var (
	rulesColumn  = Column{Key: colRules, Header: "Quy định", ExportOnly: true}
	errorsColumn = Column{Key: colErrors, Header: "Lỗi", ExportOnly: true}
)

func clone(cs []Column) []Column { return append([]Column(nil), cs...) }

// Layout returns the columns of a kind, in file order.
func Layout(k Kind) []Column {
	switch k {
	case Members:
		return memberColumns
	case Units:
		return unitColumns
	case Targets:
		return targetColumns
	}
	return candidateColumns
}

// Headers returns the header row of a kind.
func Headers(k Kind) []string {
	cols := Layout(k)
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = c.Header
	}
	return out
}

// columnMap maps the file's header cells to the layout's keys: headers are compared like code labels
// (case, accents, spacing and punctuation do not matter). A column the layout does not know, a
// repeated column or a missing required one refuses the file: nothing in it would be lost silently.
func columnMap(k Kind, header []string) (map[string]int, error) {
	byFold := map[string]Column{codes.Fold(errorsColumn.Header): errorsColumn, codes.Fold(rulesColumn.Header): rulesColumn}
	for _, c := range Layout(k) {
		byFold[codes.Fold(c.Header)] = c
	}
	idx := map[string]int{}
	var unknown []string
	for i, h := range header {
		if strings.TrimSpace(h) == "" {
			continue
		}
		c, ok := byFold[codes.Fold(h)]
		if !ok {
			unknown = append(unknown, h)
			continue
		}
		if _, dup := idx[c.Key]; dup {
			return nil, apperr.Invalid("header", fmt.Sprintf("Cột \"%s\" xuất hiện hai lần.", h), fmt.Sprintf("column %q repeats", h))
		}
		idx[c.Key] = i
	}
	if len(unknown) > 0 {
		return nil, apperr.Invalid("header",
			fmt.Sprintf("Tệp có cột không thuộc mẫu nhập: %s. Hãy dùng tệp mẫu (ptdv import template %s).", quoteAll(unknown), k),
			fmt.Sprintf("unknown columns %q", unknown))
	}
	var missing []string
	for _, c := range Layout(k) {
		if _, ok := idx[c.Key]; c.Required && !ok {
			missing = append(missing, c.Header)
		}
	}
	if len(missing) > 0 {
		return nil, apperr.Invalid("header", fmt.Sprintf("Tệp thiếu cột bắt buộc: %s.", quoteAll(missing)),
			fmt.Sprintf("missing required columns %q", missing))
	}
	return idx, nil
}

func quoteAll(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = "\"" + s + "\""
	}
	return strings.Join(q, ", ")
}

// headerBelow explains a header that does not fit the layout when one of the first rows does: a title
// ("DANH SÁCH QUẦN CHÚNG …") above the header. Otherwise it returns err.
func headerBelow(k Kind, t sheet.Table, err error) error {
	for _, r := range t.Rows[:min(len(t.Rows), 20)] {
		if _, e := columnMap(k, r.Cells); e == nil {
			return apperr.Invalid("header", fmt.Sprintf(
				"Dòng tiêu đề (tên các cột) phải là dòng đầu tiên của tệp: tên các cột ở dòng %d. Hãy xoá các dòng phía trên (tên bảng, ghi chú) rồi tải lên lại.", r.N),
				fmt.Sprintf("the header is on row %d: it must be the first row", r.N))
		}
	}
	return err
}
