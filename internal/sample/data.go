package sample

import "slices"

// The demo hierarchy as data. Names are the official forms (with diacritics); where the seeds or public
// sources give real names (communes of Tam Dương, Pleiku, Quỳnh Phụ, the 2025 wards of Pleiku, the
// 2020 merger Quỳnh Châu + Quỳnh Sơn → Châu Sơn, the 2024 Trang Bảo Xá, the 2025 Hội Thịnh) they are
// used; the other 2025 groupings, agencies, schools, enterprises and villages are plausible, not
// verified. Real founding dates are not recorded: everything that existed at the start of the demo
// history is created on 01/01/2015.

// unitSpec is a grassroots organization or a cell: Key is the last segment of its code.
type unitSpec struct {
	Key    string
	Name   string
	Sector string
	Cells  []unitSpec // for a grassroots committee: its cells
}

// mergeSpec is a merger of communes: into a new commune (Name, Level) or, with no members, a commune
// kept as it is.
type mergeSpec struct {
	Name    string
	Level   string // xã, phường, thị trấn
	Members []string
}

// communeSpec is a commune, ward or town committee.
type communeSpec struct {
	Name  string
	Level string // xã, phường, thị trấn
}

// districtSpec is a district-level committee (huyện, quận, thành phố thuộc tỉnh) and what it held.
type districtSpec struct {
	Province string // province code
	Key      string // code segment, e.g. H-TAMDUONG
	Level    string // huyện, thành phố, quận
	Place    string // Tam Dương
	Region   string // village naming: north, central, highland, city
	Communes []communeSpec
	// Villages gives the number of village/residential-group cells per commune (by commune name);
	// communes not listed get a number drawn from VillageMin..VillageMax.
	Villages               map[string]int
	VillageMin, VillageMax int
	// Institutions lists the institution cells every commune committee has (keys of institutionCells).
	Institutions []string
	// VillageNames fixes the village names of some communes (real names where known).
	VillageNames map[string][]string
	Committees   []unitSpec // agency committees (Key CA is the district police, QS the military)
	Cells        []unitSpec // grassroots cells directly under the district
	Reform       []mergeSpec
	Issuer       string // document suffix of the district committee: HU, TU (thành ủy), QU
}

func (d districtSpec) name() string       { return "Đảng bộ " + d.Level + " " + d.Place }
func (d districtSpec) levelPlace() string { return d.Level + " " + d.Place }

// committeeWord is "Huyện ủy", "Thành ủy" or "Quận ủy".
func (d districtSpec) committeeWord() string {
	switch d.Level {
	case "thành phố":
		return "Thành ủy"
	case "quận":
		return "Quận ủy"
	}
	return "Huyện ủy"
}

type provinceSpec struct {
	Code   string
	Name   string // Đảng bộ tỉnh Vĩnh Phúc
	Place  string // tỉnh Vĩnh Phúc
	Police string // Công an tỉnh Vĩnh Phúc
}

var provinces = []provinceSpec{
	{"VP", "Đảng bộ tỉnh Vĩnh Phúc", "tỉnh Vĩnh Phúc", "Công an tỉnh Vĩnh Phúc"},
	{"GL", "Đảng bộ tỉnh Gia Lai", "tỉnh Gia Lai", "Công an tỉnh Gia Lai"},
	{"BD", "Đảng bộ tỉnh Bình Định", "tỉnh Bình Định", "Công an tỉnh Bình Định"},
	{"TB", "Đảng bộ tỉnh Thái Bình", "tỉnh Thái Bình", "Công an tỉnh Thái Bình"},
	{"QNA", "Đảng bộ tỉnh Quảng Nam", "tỉnh Quảng Nam", "Công an tỉnh Quảng Nam"},
	{"PT", "Đảng bộ tỉnh Phú Thọ", "tỉnh Phú Thọ", "Công an tỉnh Phú Thọ"},
	{"HY", "Đảng bộ tỉnh Hưng Yên", "tỉnh Hưng Yên", "Công an tỉnh Hưng Yên"},
	{"DN", "Đảng bộ thành phố Đà Nẵng", "thành phố Đà Nẵng", "Công an thành phố Đà Nẵng"},
}

// newGiaLai is the province formed on 01/07/2025 from Bình Định and Gia Lai: a new unit, so a new
// code (codes are never reused).
var newGiaLai = provinceSpec{"GL25", "Đảng bộ tỉnh Gia Lai", "tỉnh Gia Lai", "Công an tỉnh Gia Lai"}

// provinceMerge is one merger of Nghị quyết 202/2025/QH15.
type provinceMerge struct {
	Preds     []string
	Successor string // code; newGiaLai's is created first
	// CommuneDoc is the Standing Committee resolution that arranged the successor's communes.
	CommuneDoc string
}

var provinceMerges = []provinceMerge{
	{[]string{"VP"}, "PT", "Nghị quyết 1676/NQ-UBTVQH15 ngày 16/06/2025"},
	{[]string{"BD", "GL"}, "GL25", "Nghị quyết 1664/NQ-UBTVQH15 ngày 16/06/2025"},
	{[]string{"TB"}, "HY", "Nghị quyết 1666/NQ-UBTVQH15 ngày 16/06/2025"},
	{[]string{"QNA"}, "DN", "Nghị quyết 1659/NQ-UBTVQH15 ngày 16/06/2025"},
}

// provincePoliceCells are the cells of every provincial police committee.
var provincePoliceCells = []unitSpec{
	{"PV01", "Chi bộ Phòng Tham mưu", "armed_forces", nil},
	{"PA03", "Chi bộ Phòng An ninh chính trị nội bộ", "armed_forces", nil},
	{"PC02", "Chi bộ Phòng Cảnh sát hình sự", "armed_forces", nil},
	{"PC08", "Chi bộ Phòng Cảnh sát giao thông", "armed_forces", nil},
}

// institutionCells are the non-village cells of a commune committee; %s is "xã Hoàng Hoa" or "Hoàng Hoa".
var institutionCells = map[string]struct {
	Name      string
	Sector    string
	WithLevel bool // the name takes "xã X" rather than "X"
}{
	"CQ":   {"Chi bộ Cơ quan %s", "state_agency", true},
	"QS":   {"Chi bộ Quân sự %s", "armed_forces", true},
	"CA":   {"Chi bộ Công an %s", "armed_forces", true},
	"TYT":  {"Chi bộ Trạm Y tế %s", "public_service", true},
	"MN":   {"Chi bộ Trường Mầm non %s", "public_service", false},
	"TH":   {"Chi bộ Trường Tiểu học %s", "public_service", false},
	"THCS": {"Chi bộ Trường THCS %s", "public_service", false},
}

// Village name pools, by region.
var (
	northVillages = []string{
		"Đồng Bông", "Đồng Giang", "Đồng Lạc", "Đồng Tâm", "Trung Hòa", "Tân Phú", "Yên Thượng", "Yên Hạ",
		"Cao Phong", "Vĩnh Ninh", "Phú Hậu", "Phú Thịnh", "An Lão", "Lũng Hạ", "Xuân Trường", "Quang Hà",
		"Hòa Bình", "Thọ Sơn", "Bảo Phác", "Liên Bình", "Tam Hồng", "Đại Lữ", "Vĩnh Thịnh", "Phong Doanh",
		"Đồng Khánh", "Đồng Xuân", "Hưng Thịnh", "Kim Ngọc", "Hạ Trì", "Cam Giá", "Đồng Thanh", "Đông Thịnh",
		"Nội Điện", "Thượng Lạp", "Ngọc Chúc", "Phù Liễn", "Lạc Trung", "Vân Tập", "Hương Đình", "Thanh Lãng",
		"Cẩm Trạch", "Đạo Lộ", "Xuân Lôi", "Bàn Giản", "Sơn Bỉ", "Phú Vinh", "Cao Đại", "Bích Chu",
		"Gia Khánh", "Lũng Ngoài", "Phủ Yên", "Núi Đinh", "Khả Do", "Ngũ Kiên", "Dược Đông", "Đông Lỗ",
		"Xuân Mai", "Hòa Loan", "Nhân Lý", "Thụy Điền", "Hậu Lộc", "Đình Xuyên",
	}
	centralVillages = []string{
		"Phú Mỹ", "Hòa Hội", "Thuận Hạnh", "Kiên Mỹ", "Vĩnh Lộc", "Phú Lạc", "An Chánh", "Mỹ Thạch",
		"Đại Chí", "Hòa Lạc", "Trung Định", "Thượng Giang", "Phú Xuân", "Nhơn Thuận", "Cẩm Văn", "Tân Hòa",
		"Đông Điền", "Hòa Thuận", "Vĩnh Thạnh", "Xuân Hòa", "Long Mỹ", "Lộc Thượng", "An Thành", "Thạnh Danh",
		"Hòa Trung", "Phú Hòa", "Phú Lâm", "Hội Lâm", "Lãnh Thượng", "An Lâm", "Trung Phước", "Xuân Quế",
	}
	jraiVillages = []string{
		"Plei Ó", "Plei Kép", "Plei Bông", "Plei Ring", "Plei Pông", "Plei Chuet", "Plei Phung", "Plei Đêk",
		"Plei Sơr", "Plei Klah", "Plei Mun", "Ia Nueng", "Ia Lang", "Plei Thơ Ga", "Plei Rơ Ngheo", "Plei Tông Ò",
	}
)

// Templates of the agency committees of a district; {W} is Huyện ủy/Thành ủy/Quận ủy, {L} "huyện Tam Dương".
var (
	districtPoliceCells = []unitSpec{
		{"PV01", "Chi bộ Đội Tham mưu – Tổng hợp", "armed_forces", nil},
		{"AN", "Chi bộ Đội An ninh", "armed_forces", nil},
		{"HS", "Chi bộ Đội Cảnh sát điều tra tội phạm về trật tự xã hội", "armed_forces", nil},
		{"KT", "Chi bộ Đội Cảnh sát điều tra tội phạm về kinh tế và ma túy", "armed_forces", nil},
		{"QLHC", "Chi bộ Đội Cảnh sát quản lý hành chính về trật tự xã hội", "armed_forces", nil},
		{"GT", "Chi bộ Đội Cảnh sát giao thông – trật tự", "armed_forces", nil},
		{"THAHS", "Chi bộ Đội Cảnh sát thi hành án hình sự và hỗ trợ tư pháp", "armed_forces", nil},
		{"PCCC", "Chi bộ Đội Cảnh sát phòng cháy, chữa cháy và cứu nạn, cứu hộ", "armed_forces", nil},
	}
	districtMilitaryCells = []unitSpec{
		{"TM", "Chi bộ Cơ quan Tham mưu", "armed_forces", nil},
		{"CTHC", "Chi bộ Cơ quan Chính trị – Hậu cần – Kỹ thuật", "armed_forces", nil},
		{"DQCD", "Chi bộ Trung đội Dân quân cơ động", "armed_forces", nil},
	}
	districtGovCells = []unitSpec{
		{"VP", "Chi bộ Văn phòng HĐND và UBND", "state_agency", nil},
		{"NV", "Chi bộ Phòng Nội vụ", "state_agency", nil},
		{"TCKH", "Chi bộ Phòng Tài chính – Kế hoạch", "state_agency", nil},
		{"TNMT", "Chi bộ Phòng Tài nguyên và Môi trường", "state_agency", nil},
		{"GDDT", "Chi bộ Phòng Giáo dục và Đào tạo", "state_agency", nil},
		{"LDTBXH", "Chi bộ Phòng Lao động – Thương binh và Xã hội", "state_agency", nil},
		{"TP", "Chi bộ Phòng Tư pháp", "state_agency", nil},
		{"KTHT", "Chi bộ Phòng Kinh tế và Hạ tầng", "state_agency", nil},
		{"NN", "Chi bộ Phòng Nông nghiệp và Phát triển nông thôn", "state_agency", nil},
		{"VHTT", "Chi bộ Phòng Văn hóa và Thông tin", "state_agency", nil},
		{"YT", "Chi bộ Phòng Y tế", "state_agency", nil},
		{"TTRA", "Chi bộ Thanh tra {level}", "state_agency", nil},
	}
	districtPartyCells = []unitSpec{
		{"VPHU", "Chi bộ Văn phòng {W}", "state_agency", nil},
		{"BTC", "Chi bộ Ban Tổ chức {W}", "state_agency", nil},
		{"UBKT", "Chi bộ Ủy ban Kiểm tra {W}", "state_agency", nil},
		{"BTG", "Chi bộ Ban Tuyên giáo {W}", "state_agency", nil},
		{"BDV", "Chi bộ Ban Dân vận {W}", "state_agency", nil},
		{"MTTQ", "Chi bộ Ủy ban Mặt trận Tổ quốc Việt Nam {level}", "state_agency", nil},
		{"DT", "Chi bộ Các đoàn thể {level}", "state_agency", nil},
	}
)

// agencyCommittees returns the four agency committees of a district with the first n cells of each
// template (police, military, government, party and mass organizations).
func agencyCommittees(nPolice, nMilitary, nGov, nParty int) []unitSpec {
	return []unitSpec{
		{"CA", "Đảng bộ Công an {L}", "armed_forces", districtPoliceCells[:nPolice]},
		{"QS", "Đảng bộ Quân sự {L}", "armed_forces", districtMilitaryCells[:nMilitary]},
		{"CQCQ", "Đảng bộ Cơ quan Chính quyền {L}", "state_agency", districtGovCells[:nGov]},
		{"CQDDT", "Đảng bộ Cơ quan Đảng – Đoàn thể {L}", "state_agency", districtPartyCells[:nParty]},
	}
}

// withCell adds a cell to the committee with the given key.
func withCell(cs []unitSpec, key string, cell unitSpec) []unitSpec {
	for i := range cs {
		if cs[i].Key == key {
			cs[i].Cells = append(slices.Clip(cs[i].Cells), cell)
		}
	}
	return cs
}

// commonDistrictCells are grassroots cells most districts have; {L} is "huyện Tam Dương", {P} "Tam Dương".
var commonDistrictCells = []unitSpec{
	{"TTYT", "Chi bộ Trung tâm Y tế {L}", "public_service", nil},
	{"KBNN", "Chi bộ Kho bạc Nhà nước {P}", "state_agency", nil},
	{"CCT", "Chi bộ Chi cục Thuế {L}", "state_agency", nil},
	{"VKS", "Chi bộ Viện Kiểm sát nhân dân {L}", "state_agency", nil},
	{"TAND", "Chi bộ Tòa án nhân dân {L}", "state_agency", nil},
	{"BHXH", "Chi bộ Bảo hiểm xã hội {L}", "state_agency", nil},
	{"NHCSXH", "Chi bộ Phòng Giao dịch Ngân hàng Chính sách xã hội {L}", "state_enterprise", nil},
}

func schools(names ...string) []unitSpec {
	out := make([]unitSpec, len(names))
	for i, n := range names {
		out[i] = unitSpec{"THPT" + slug(n), "Chi bộ Trường THPT " + n, "school", nil}
	}
	return out
}

func communes(level string, names ...string) []communeSpec {
	out := make([]communeSpec, len(names))
	for i, n := range names {
		out[i] = communeSpec{n, level}
	}
	return out
}

func concat[T any](parts ...[]T) []T {
	var out []T
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// tamDuong is the district of the seed: 13 commune/town committees, 4 agency committees, 31 grassroots
// cells directly under the district and 218 cells below the 17 committees.
var tamDuong = districtSpec{
	Province: "VP", Key: "H-TAMDUONG", Level: "huyện", Place: "Tam Dương", Region: "north", Issuer: "HU",
	Communes: concat(
		communes("thị trấn", "Hợp Hòa"),
		communes("xã", "Hoàng Hoa", "Hoàng Đan", "Hoàng Lâu", "Duy Phiên", "An Hòa", "Thanh Vân", "Đạo Tú",
			"Hướng Đạo", "Đồng Tĩnh", "Kim Long", "Hợp Thịnh", "Vân Hội"),
	),
	// 109 village cells + 13 × 6 institution cells = 187; with the 31 agency cells, 218.
	Villages: map[string]int{
		"Hợp Hòa": 9, "Hoàng Hoa": 10, "Hoàng Đan": 8, "Hoàng Lâu": 8, "Duy Phiên": 9, "An Hòa": 7,
		"Thanh Vân": 9, "Đạo Tú": 9, "Hướng Đạo": 9, "Đồng Tĩnh": 10, "Kim Long": 9, "Hợp Thịnh": 6, "Vân Hội": 6,
	},
	Institutions: []string{"CQ", "QS", "TYT", "MN", "TH", "THCS"},
	VillageNames: map[string][]string{
		"Hoàng Hoa": {"Đồng Bông", "Đồng Giang", "Hoàng Chung", "Xuân Trường", "Phú Thịnh", "Yên Thượng",
			"Đồng Lạc", "Cao Phong", "Vĩnh Ninh", "Lũng Hạ"},
	},
	// 9 police (the eighth template cells and the town police, which moves to the town committee in
	// 2020) + 3 military + 12 government + 7 party and mass organizations = 31 agency cells.
	Committees: withCell(agencyCommittees(8, 3, 12, 7), "CA",
		unitSpec{"CAHOPHOA", "Chi bộ Công an thị trấn Hợp Hòa", "armed_forces", nil}),
	Cells: concat(
		schools("Tam Dương", "Tam Dương II", "Trần Hưng Đạo"),
		[]unitSpec{
			{"GDNN", "Chi bộ Trung tâm GDNN – GDTX huyện Tam Dương", "school", nil},
			{"TTCT", "Chi bộ Trung tâm Chính trị huyện Tam Dương", "public_service", nil},
		},
		commonDistrictCells,
		[]unitSpec{
			{"CCTHADS", "Chi bộ Chi cục Thi hành án dân sự huyện Tam Dương", "state_agency", nil},
			{"CCTK", "Chi bộ Chi cục Thống kê huyện Tam Dương", "state_agency", nil},
			{"QLTT", "Chi bộ Đội Quản lý thị trường số 5", "state_agency", nil},
			{"AGRIBANK", "Chi bộ Ngân hàng Nông nghiệp và Phát triển nông thôn chi nhánh Tam Dương", "state_enterprise", nil},
			{"VIETINBANK", "Chi bộ Ngân hàng TMCP Công thương chi nhánh Tam Dương", "state_enterprise", nil},
			{"DIENLUC", "Chi bộ Điện lực Tam Dương", "state_enterprise", nil},
			{"BUUDIEN", "Chi bộ Bưu điện huyện Tam Dương", "state_enterprise", nil},
			{"THUYLOI", "Chi bộ Xí nghiệp Thủy lợi Tam Dương", "state_enterprise", nil},
			{"CAPNUOC", "Chi bộ Chi nhánh Cấp nước Tam Dương", "state_enterprise", nil},
			{"TTVH", "Chi bộ Trung tâm Văn hóa – Thể thao và Truyền thông huyện Tam Dương", "public_service", nil},
			{"BQLDA", "Chi bộ Ban Quản lý dự án đầu tư xây dựng huyện Tam Dương", "public_service", nil},
			{"PTQD", "Chi bộ Trung tâm Phát triển quỹ đất huyện Tam Dương", "public_service", nil},
			{"DVNN", "Chi bộ Trung tâm Dịch vụ nông nghiệp huyện Tam Dương", "public_service", nil},
			{"VPDKDD", "Chi bộ Chi nhánh Văn phòng Đăng ký đất đai huyện Tam Dương", "public_service", nil},
			{"GACHTUYNEL", "Chi bộ Công ty Cổ phần Gạch Tuynel Tam Dương", "non_state_enterprise", nil},
			{"CTHOANGHOA", "Chi bộ Công ty TNHH Sản xuất và Thương mại Hoàng Hoa", "non_state_enterprise", nil},
			{"XDHOPTHINH", "Chi bộ Công ty Cổ phần Xây dựng và Thương mại Hợp Thịnh", "non_state_enterprise", nil},
			{"MAYDAOTU", "Chi bộ Công ty TNHH May mặc Đạo Tú", "non_state_enterprise", nil},
			{"QTDND", "Chi bộ Quỹ Tín dụng nhân dân Hợp Hòa", "other", nil},
		},
	),
	Reform: []mergeSpec{
		{"Tam Dương", "xã", []string{"Hợp Hòa", "Thanh Vân", "Đạo Tú"}},
		{"Tam Dương Bắc", "xã", []string{"Hoàng Hoa", "Hướng Đạo", "Kim Long"}},
		{"Hoàng An", "xã", []string{"Hoàng Đan", "Hoàng Lâu", "An Hòa", "Duy Phiên"}},
		{"Hội Thịnh", "xã", []string{"Hội Thịnh", "Đồng Tĩnh"}},
	},
}

// pleiku is the city of the seed: 68 grassroots organizations (23 commune/ward committees, 7 other
// committees, 38 grassroots cells).
var pleiku = districtSpec{
	Province: "GL", Key: "TP-PLEIKU", Level: "thành phố", Place: "Pleiku", Region: "highland", Issuer: "TU",
	Communes: concat(
		communes("phường", "Chi Lăng", "Diên Hồng", "Đống Đa", "Hoa Lư", "Hội Phú", "Hội Thương", "Ia Kring",
			"Phù Đổng", "Tây Sơn", "Thắng Lợi", "Thống Nhất", "Trà Bá", "Yên Đỗ", "Yên Thế"),
		communes("xã", "An Phú", "Biển Hồ", "Chư Á", "Chư Hdrông", "Diên Phú", "Gào", "Ia Kênh", "Tân Sơn", "Trà Đa"),
	),
	VillageMin: 7, VillageMax: 12,
	Institutions: []string{"CQ", "QS", "CA", "MN", "TH", "THCS"},
	Committees: concat(agencyCommittees(8, 3, 12, 7), []unitSpec{
		{"TTYT", "Đảng bộ Trung tâm Y tế thành phố Pleiku", "public_service", []unitSpec{
			{"KHTH", "Chi bộ Phòng Kế hoạch – Tổng hợp", "public_service", nil},
			{"NOI", "Chi bộ Khoa Nội", "public_service", nil},
			{"NGOAI", "Chi bộ Khoa Ngoại – Sản", "public_service", nil},
			{"KSBT", "Chi bộ Khoa Kiểm soát bệnh tật", "public_service", nil},
			{"PKDK", "Chi bộ Phòng khám Đa khoa khu vực", "public_service", nil},
		}},
		{"CTDT", "Đảng bộ Công ty Cổ phần Công trình đô thị Pleiku", "state_enterprise", []unitSpec{
			{"VP", "Chi bộ Văn phòng công ty", "state_enterprise", nil},
			{"MT", "Chi bộ Đội Vệ sinh môi trường", "state_enterprise", nil},
			{"CX", "Chi bộ Đội Cây xanh – Chiếu sáng", "state_enterprise", nil},
		}},
		{"GDDT", "Đảng bộ Khối Giáo dục thành phố Pleiku", "public_service", []unitSpec{
			{"PGD", "Chi bộ Phòng Giáo dục và Đào tạo", "state_agency", nil},
			{"THCSNGUYENDU", "Chi bộ Trường THCS Nguyễn Du", "public_service", nil},
			{"THCSPHAMHONGTHAI", "Chi bộ Trường THCS Phạm Hồng Thái", "public_service", nil},
			{"THCSTRANPHU", "Chi bộ Trường THCS Trần Phú", "public_service", nil},
			{"THCSLELOI", "Chi bộ Trường THCS Lê Lợi", "public_service", nil},
			{"THNGOQUYEN", "Chi bộ Trường Tiểu học Ngô Quyền", "public_service", nil},
		}},
	}),
	Cells: concat(
		schools("Pleiku", "Phan Bội Châu", "Hoàng Hoa Thám", "Lê Lợi", "Hùng Vương", "Nguyễn Chí Thanh", "Trần Quốc Tuấn"),
		[]unitSpec{{"GDNN", "Chi bộ Trung tâm GDNN – GDTX thành phố Pleiku", "school", nil}},
		commonDistrictCells[1:], // the health centre is a committee here
		[]unitSpec{
			{"CCTHADS", "Chi bộ Chi cục Thi hành án dân sự thành phố Pleiku", "state_agency", nil},
			{"CCTK", "Chi bộ Chi cục Thống kê thành phố Pleiku", "state_agency", nil},
			{"QLTT", "Chi bộ Đội Quản lý thị trường số 1", "state_agency", nil},
			{"VPDKDD", "Chi bộ Chi nhánh Văn phòng Đăng ký đất đai thành phố Pleiku", "public_service", nil},
			{"TTVH", "Chi bộ Trung tâm Văn hóa – Thông tin và Thể thao thành phố Pleiku", "public_service", nil},
			{"BQLDA", "Chi bộ Ban Quản lý dự án đầu tư xây dựng thành phố Pleiku", "public_service", nil},
			{"PTQD", "Chi bộ Trung tâm Phát triển quỹ đất thành phố Pleiku", "public_service", nil},
			{"DVNN", "Chi bộ Trung tâm Dịch vụ nông nghiệp thành phố Pleiku", "public_service", nil},
			{"BQLCHO", "Chi bộ Ban Quản lý các chợ thành phố Pleiku", "public_service", nil},
			{"NHATHIEUNHI", "Chi bộ Nhà Thiếu nhi thành phố Pleiku", "public_service", nil},
			{"TTCT", "Chi bộ Trung tâm Chính trị thành phố Pleiku", "public_service", nil},
			{"HATKIEMLAM", "Chi bộ Hạt Kiểm lâm thành phố Pleiku", "state_agency", nil},
			{"AGRIBANK", "Chi bộ Ngân hàng Nông nghiệp và Phát triển nông thôn chi nhánh Pleiku", "state_enterprise", nil},
			{"DIENLUC", "Chi bộ Điện lực Pleiku", "state_enterprise", nil},
			{"BUUDIEN", "Chi bộ Bưu điện thành phố Pleiku", "state_enterprise", nil},
			{"CAPNUOC", "Chi bộ Xí nghiệp Cấp nước Pleiku", "state_enterprise", nil},
			{"BENXE", "Chi bộ Công ty Cổ phần Bến xe Pleiku", "non_state_enterprise", nil},
			{"CAPHE", "Chi bộ Công ty TNHH Cà phê Ia Kênh", "non_state_enterprise", nil},
			{"HOANGQUAN", "Chi bộ Công ty Cổ phần Thương mại Hoàng Quân Pleiku", "non_state_enterprise", nil},
			{"XDTAYNGUYEN", "Chi bộ Công ty TNHH Xây dựng Tây Nguyên", "non_state_enterprise", nil},
			{"DUOCGL", "Chi bộ Công ty Cổ phần Dược – Vật tư y tế Pleiku", "non_state_enterprise", nil},
			{"VANTAI", "Chi bộ Hợp tác xã Vận tải Pleiku", "other", nil},
			{"HOIYHOC", "Chi bộ Hội Đông y thành phố Pleiku", "other", nil},
			{"CHUTHAPDO", "Chi bộ Hội Chữ thập đỏ thành phố Pleiku", "other", nil},
		},
	),
	Reform: []mergeSpec{
		{"Pleiku", "phường", []string{"Tây Sơn", "Hội Thương", "Hoa Lư", "Phù Đổng", "Trà Đa"}},
		{"Thống Nhất", "phường", []string{"Yên Thế", "Đống Đa", "Thống Nhất"}},
		{"Diên Hồng", "phường", []string{"Yên Đỗ", "Diên Hồng", "Ia Kring", "Diên Phú"}},
		{"Hội Phú", "phường", []string{"Trà Bá", "Hội Phú", "Chi Lăng", "Chư Hdrông"}},
		{"An Phú", "phường", []string{"Thắng Lợi", "Chư Á", "An Phú"}},
		{"Biển Hồ", "xã", []string{"Biển Hồ", "Tân Sơn"}},
		{"Gào", "xã", []string{"Ia Kênh", "Gào"}},
	},
}

func smallDistrict(d districtSpec, schoolNames ...string) districtSpec {
	d.VillageMin, d.VillageMax = 2, 5
	d.Institutions = []string{"CQ", "QS"}
	d.Committees = agencyCommittees(4, 2, 6, 4)
	d.Cells = concat(schools(schoolNames...), commonDistrictCells[:5])
	return d
}

var otherDistricts = []districtSpec{
	smallDistrict(districtSpec{
		Province: "BD", Key: "TP-QUYNHON", Level: "thành phố", Place: "Quy Nhơn", Region: "central", Issuer: "TU",
		Communes: concat(
			communes("phường", "Lê Lợi", "Trần Hưng Đạo", "Lý Thường Kiệt", "Lê Hồng Phong", "Trần Phú", "Thị Nại",
				"Hải Cảng", "Đống Đa", "Ngô Mây", "Nguyễn Văn Cừ", "Quang Trung", "Ghềnh Ráng", "Nhơn Bình",
				"Nhơn Phú", "Bùi Thị Xuân", "Trần Quang Diệu"),
			communes("xã", "Phước Mỹ", "Nhơn Lý", "Nhơn Hải", "Nhơn Hội", "Nhơn Châu"),
		),
		Reform: []mergeSpec{
			{"Quy Nhơn", "phường", []string{"Lê Lợi", "Trần Hưng Đạo", "Lý Thường Kiệt", "Lê Hồng Phong", "Trần Phú", "Thị Nại", "Hải Cảng", "Đống Đa"}},
			{"Quy Nhơn Nam", "phường", []string{"Ngô Mây", "Nguyễn Văn Cừ", "Quang Trung", "Ghềnh Ráng"}},
			{"Quy Nhơn Bắc", "phường", []string{"Nhơn Bình", "Nhơn Phú"}},
			{"Quy Nhơn Tây", "phường", []string{"Bùi Thị Xuân", "Trần Quang Diệu", "Phước Mỹ"}},
			{"Quy Nhơn Đông", "phường", []string{"Nhơn Lý", "Nhơn Hải", "Nhơn Hội"}},
			{"Nhơn Châu", "xã", nil},
		},
	}, "Quốc học Quy Nhơn", "Trưng Vương", "Nguyễn Thái Học"),
	smallDistrict(districtSpec{
		Province: "BD", Key: "H-TAYSON", Level: "huyện", Place: "Tây Sơn", Region: "central", Issuer: "HU",
		Communes: concat(
			communes("thị trấn", "Phú Phong"),
			communes("xã", "Bình Tân", "Tây Thuận", "Bình Thuận", "Tây Giang", "Bình Thành", "Tây An", "Bình Hòa",
				"Tây Bình", "Bình Tường", "Tây Vinh", "Tây Xuân", "Bình Nghi", "Tây Phú", "Vĩnh An"),
		),
		Reform: []mergeSpec{
			{"Tây Sơn", "xã", []string{"Phú Phong", "Tây Xuân", "Bình Nghi", "Tây Phú"}},
			{"Bình Khê", "xã", []string{"Bình Tân", "Tây Thuận", "Tây Giang"}},
			{"Bình Phú", "xã", []string{"Bình Thuận", "Bình Thành", "Bình Hòa"}},
			{"Bình Hiệp", "xã", []string{"Bình Tường", "Tây Bình"}},
			{"Bình An", "xã", []string{"Tây Vinh", "Tây An"}},
			{"Vĩnh An", "xã", nil},
		},
	}, "Quang Trung", "Nguyễn Huệ", "Tây Sơn"),
	smallDistrict(districtSpec{
		Province: "TB", Key: "H-QUYNHPHU", Level: "huyện", Place: "Quỳnh Phụ", Region: "north", Issuer: "HU",
		Communes: concat(
			communes("thị trấn", "Quỳnh Côi", "An Bài"),
			communes("xã", "Quỳnh Châu", "Quỳnh Sơn", "Quỳnh Trang", "Quỳnh Bảo", "Quỳnh Xá", "Quỳnh Hải",
				"Quỳnh Hội", "Quỳnh Hồng", "Quỳnh Mỹ", "Quỳnh Ngọc", "Quỳnh Lâm", "Quỳnh Minh", "Quỳnh Thọ",
				"An Thái", "An Ấp", "An Quý", "An Cầu", "An Đồng", "An Ninh", "An Vinh", "An Dục", "Đồng Tiến"),
		),
		// The villages of Quỳnh Châu (after the December 2019 village merger) and Quỳnh Sơn, as their
		// commune's site lists them.
		VillageNames: map[string][]string{
			"Quỳnh Châu": {"Lang Duyên", "Hoàng Xá", "Phục Lễ", "Mỹ Xá"},
			"Quỳnh Sơn":  {"Cẩn Du", "La Triều", "Đại Phú", "Thượng Thọ", "An Khoái"},
		},
		Reform: []mergeSpec{
			{"Quỳnh Phụ", "xã", []string{"Quỳnh Côi", "Quỳnh Hải", "Quỳnh Hội", "Quỳnh Hồng", "Quỳnh Mỹ", "Châu Sơn"}},
			{"Phụ Dực", "xã", []string{"An Bài", "An Vinh", "An Ninh", "An Quý"}},
			{"A Sào", "xã", []string{"An Thái", "An Cầu", "An Ấp"}},
			{"Minh Thọ", "xã", []string{"Quỳnh Minh", "Quỳnh Thọ", "Trang Bảo Xá"}},
			{"Ngọc Lâm", "xã", []string{"Quỳnh Ngọc", "Quỳnh Lâm"}},
			{"Đồng Bằng", "xã", []string{"An Đồng", "An Dục", "Đồng Tiến"}},
		},
	}, "Phụ Dực", "Quỳnh Côi", "Quỳnh Thọ"),
	smallDistrict(districtSpec{
		Province: "QNA", Key: "H-TIENPHUOC", Level: "huyện", Place: "Tiên Phước", Region: "central", Issuer: "HU",
		Communes: concat(
			communes("thị trấn", "Tiên Kỳ"),
			communes("xã", "Tiên An", "Tiên Cẩm", "Tiên Cảnh", "Tiên Châu", "Tiên Hà", "Tiên Hiệp", "Tiên Lãnh",
				"Tiên Lập", "Tiên Lộc", "Tiên Mỹ", "Tiên Ngọc", "Tiên Phong", "Tiên Sơn", "Tiên Thọ"),
		),
		Reform: []mergeSpec{
			{"Tiên Phước", "xã", []string{"Tiên Kỳ", "Tiên Mỹ", "Tiên Phong", "Tiên Châu"}},
			{"Sơn Cẩm Hà", "xã", []string{"Tiên Sơn", "Tiên Cẩm", "Tiên Hà"}},
			{"Lãnh Ngọc", "xã", []string{"Tiên Lãnh", "Tiên Ngọc", "Tiên Hiệp"}},
			{"Thạnh Bình", "xã", []string{"Tiên Lập", "Tiên Lộc", "Tiên An", "Tiên Cảnh", "Tiên Thọ"}},
		},
	}, "Huỳnh Thúc Kháng", "Phan Châu Trinh"),
	smallDistrict(districtSpec{
		Province: "QNA", Key: "H-NONGSON", Level: "huyện", Place: "Nông Sơn", Region: "central", Issuer: "HU",
		Communes: communes("xã", "Quế Trung", "Quế Ninh", "Quế Phước", "Quế Lộc", "Sơn Viên", "Phước Ninh", "Quế Lâm"),
		Reform: []mergeSpec{
			{"Nông Sơn", "xã", []string{"Quế Trung", "Quế Ninh", "Phước Ninh", "Quế Lâm"}},
			{"Quế Phước", "xã", []string{"Quế Phước", "Quế Lộc", "Sơn Viên"}},
		},
	}, "Nông Sơn"),
	smallDistrict(districtSpec{
		Province: "DN", Key: "Q-HAICHAU", Level: "quận", Place: "Hải Châu", Region: "city", Issuer: "QU",
		Communes: communes("phường", "Thạch Thang", "Thanh Bình", "Phước Ninh", "Bình Hiên", "Hòa Thuận Đông",
			"Hòa Cường Bắc", "Hòa Cường Nam", "Hòa Thuận Tây"),
		Reform: []mergeSpec{
			{"Hải Châu", "phường", []string{"Thạch Thang", "Thanh Bình", "Phước Ninh", "Bình Hiên", "Hòa Thuận Đông"}},
			{"Hòa Cường", "phường", []string{"Hòa Cường Bắc", "Hòa Cường Nam", "Hòa Thuận Tây"}},
		},
	}, "Phan Châu Trinh", "Trần Phú"),
	smallDistrict(districtSpec{
		Province: "HY", Key: "TP-HUNGYEN", Level: "thành phố", Place: "Hưng Yên", Region: "north", Issuer: "TU",
		Communes: concat(
			communes("phường", "Lê Lợi", "Minh Khai", "Quang Trung", "Hiến Nam", "An Tảo", "Lam Sơn", "Hồng Châu"),
			communes("xã", "Bảo Khê", "Trung Nghĩa", "Liên Phương"),
		),
		Reform: []mergeSpec{
			{"Phố Hiến", "phường", []string{"Lê Lợi", "Minh Khai", "Quang Trung", "Hiến Nam"}},
			{"Sơn Nam", "phường", []string{"Lam Sơn", "An Tảo", "Bảo Khê"}},
			{"Hồng Châu", "phường", []string{"Hồng Châu", "Trung Nghĩa", "Liên Phương"}},
		},
	}, "Hưng Yên", "Nam Khoái Châu"),
	smallDistrict(districtSpec{
		Province: "PT", Key: "TP-VIETTRI", Level: "thành phố", Place: "Việt Trì", Region: "north", Issuer: "TU",
		Communes: communes("phường", "Tiên Cát", "Gia Cẩm", "Tân Dân", "Thọ Sơn", "Nông Trang", "Vân Cơ",
			"Thanh Miếu", "Bạch Hạc", "Bến Gót", "Vân Phú"),
		Reform: []mergeSpec{
			{"Việt Trì", "phường", []string{"Tiên Cát", "Gia Cẩm", "Tân Dân", "Thọ Sơn"}},
			{"Nông Trang", "phường", []string{"Nông Trang", "Vân Cơ"}},
			{"Thanh Miếu", "phường", []string{"Thanh Miếu", "Bạch Hạc", "Bến Gót"}},
			{"Vân Phú", "phường", nil},
		},
	}, "Việt Trì", "Công nghiệp Việt Trì"),
}

// earlierMerger is a commune merger before 2025, recorded as real history.
type earlierMerger struct {
	District  string // district code
	Effective string // YYYY-MM-DD
	Document  string
	Note      string
	Into      mergeSpec
}

var earlierMergers = []earlierMerger{
	{"TB.H-QUYNHPHU", "2020-04-01", "Quyết định 1158-QĐ/HU ngày 30/03/2020",
		"Thành lập Đảng bộ xã Châu Sơn trên cơ sở hợp nhất Đảng bộ xã Quỳnh Châu và Đảng bộ xã Quỳnh Sơn, theo Nghị quyết 892/NQ-UBTVQH14 ngày 11/02/2020.",
		mergeSpec{"Châu Sơn", "xã", []string{"Quỳnh Châu", "Quỳnh Sơn"}}},
	{"TB.H-QUYNHPHU", "2024-11-01", "Quyết định 2047-QĐ/HU ngày 31/10/2024",
		"Thành lập Đảng bộ xã Trang Bảo Xá, theo Nghị quyết 1201/NQ-UBTVQH15 ngày 28/09/2024.",
		mergeSpec{"Trang Bảo Xá", "xã", []string{"Quỳnh Trang", "Quỳnh Bảo", "Quỳnh Xá"}}},
	{"VP.H-TAMDUONG", "2025-01-01", "Quyết định 1893-QĐ/HU ngày 27/12/2024",
		"Thành lập Đảng bộ xã Hội Thịnh trên cơ sở hợp nhất Đảng bộ xã Vân Hội và Đảng bộ xã Hợp Thịnh, theo Nghị quyết 1287/NQ-UBTVQH15 ngày 14/11/2024.",
		mergeSpec{"Hội Thịnh", "xã", []string{"Vân Hội", "Hợp Thịnh"}}},
}

// villageRecords are the communes whose villages are recorded (with the covering cell), and the
// villages recorded without a cell (a tracked failure: a village with no party cell).
var villageRecords = []struct {
	District, Commune string
	Uncovered         []string
}{
	{"VP.H-TAMDUONG", "Hoàng Hoa", []string{"thôn Gò Vầu"}},
	{"VP.H-TAMDUONG", "Hợp Hòa", nil},
	{"VP.H-TAMDUONG", "Duy Phiên", nil},
	{"GL.TP-PLEIKU", "Hội Thương", nil},
	{"GL.TP-PLEIKU", "Gào", []string{"làng Plei Kồ Tu"}},
}
