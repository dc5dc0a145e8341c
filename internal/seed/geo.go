package seed

// The 63 provinces before 1 July 2025 and the 34 after (Nghị quyết 202/2025/QH15): the successor of a
// merged province is the province whose name the merged one kept, and the generator records the merger
// with that province as the existing successor, as org.Merge does.
//
// Members are in thousands, before scaling to the national total; minority is the share of ethnic
// minorities among members (well below their share of the population in most provinces, as party
// statistics show), with the groups of the region; religious is the share of members who declare a
// religion, with the religions of the region. The figures are plausible, not official.

type province struct {
	Code      string // the ID-card province code (code list id_province)
	Name      string
	City      bool   // thành phố trực thuộc trung ương
	Region    string // nmt, rrd, nct, sct, hl, se, mk
	Capital   string // the provincial capital (a city district)
	Members   float64
	Minority  float64
	Groups    []share // minority groups among the minority members
	Religious float64
	Religions []share
	Successor string // the province that continues it on 01/07/2025 ("" = itself)
	Border    bool   // a land border: a border-guard committee
	Districts []string
}

type share struct {
	Code   string
	Weight float64
}

func s(code string, w float64) share { return share{code, w} }

var north = []share{s("buddhism", 6), s("catholicism", 3), s("protestantism", 1)}
var catholicNorth = []share{s("catholicism", 8), s("buddhism", 2)}
var centralRel = []share{s("buddhism", 6), s("catholicism", 3), s("protestantism", 1)}
var highlandRel = []share{s("protestantism", 4), s("catholicism", 4), s("buddhism", 2)}
var southRel = []share{s("buddhism", 5), s("catholicism", 3), s("cao_dai", 1), s("hoa_hao", 1), s("protestantism", 1)}

var provinces = []*province{
	// Northern mountains and midlands.
	{Code: "002", Name: "Hà Giang", Region: "nmt", Capital: "Hà Giang", Members: 52, Minority: 0.82, Groups: []share{s("hmong", 30), s("tay", 28), s("dao", 16), s("nung", 10), s("giay", 4), s("la_chi", 2), s("lo_lo", 2), s("pu_peo", 1)}, Religious: 0.006, Religions: north, Successor: "008", Border: true},
	{Code: "004", Name: "Cao Bằng", Region: "nmt", Capital: "Cao Bằng", Members: 52, Minority: 0.88, Groups: []share{s("tay", 45), s("nung", 32), s("hmong", 8), s("dao", 9), s("san_chay", 2)}, Religious: 0.005, Religions: north, Border: true},
	{Code: "006", Name: "Bắc Kạn", Region: "nmt", Capital: "Bắc Kạn", Members: 34, Minority: 0.82, Groups: []share{s("tay", 58), s("dao", 16), s("nung", 11), s("hmong", 6), s("san_chay", 2)}, Religious: 0.005, Religions: north, Successor: "019"},
	{Code: "008", Name: "Tuyên Quang", Region: "nmt", Capital: "Tuyên Quang", Members: 68, Minority: 0.45, Groups: []share{s("tay", 48), s("dao", 18), s("san_chay", 14), s("hmong", 6), s("nung", 4), s("san_diu", 3)}, Religious: 0.006, Religions: north},
	{Code: "010", Name: "Lào Cai", Region: "nmt", Capital: "Lào Cai", Members: 56, Minority: 0.55, Groups: []share{s("hmong", 30), s("tay", 20), s("dao", 18), s("giay", 6), s("nung", 5), s("ha_nhi", 3), s("phu_la", 2)}, Religious: 0.006, Religions: north, Border: true},
	{Code: "011", Name: "Điện Biên", Region: "nmt", Capital: "Điện Biên Phủ", Members: 42, Minority: 0.72, Groups: []share{s("thai", 48), s("hmong", 32), s("kho_mu", 6), s("lao", 2), s("ha_nhi", 2), s("cong", 1), s("si_la", 1)}, Religious: 0.006, Religions: north, Border: true},
	{Code: "012", Name: "Lai Châu", Region: "nmt", Capital: "Lai Châu", Members: 30, Minority: 0.78, Groups: []share{s("thai", 36), s("hmong", 30), s("dao", 12), s("ha_nhi", 6), s("lu", 3), s("giay", 3), s("cong", 1), s("mang", 1)}, Religious: 0.006, Religions: north, Border: true},
	{Code: "014", Name: "Sơn La", Region: "nmt", Capital: "Sơn La", Members: 80, Minority: 0.74, Groups: []share{s("thai", 60), s("hmong", 15), s("muong", 9), s("dao", 4), s("kho_mu", 3), s("xinh_mun", 2), s("la_ha", 1)}, Religious: 0.004, Religions: north, Border: true},
	{Code: "015", Name: "Yên Bái", Region: "nmt", Capital: "Yên Bái", Members: 58, Minority: 0.42, Groups: []share{s("tay", 34), s("dao", 20), s("hmong", 16), s("thai", 12), s("muong", 6), s("nung", 3), s("giay", 2)}, Religious: 0.006, Religions: north, Successor: "010"},
	{Code: "017", Name: "Hòa Bình", Region: "nmt", Capital: "Hòa Bình", Members: 50, Minority: 0.68, Groups: []share{s("muong", 82), s("thai", 7), s("dao", 5), s("tay", 3), s("hmong", 2)}, Religious: 0.005, Religions: north, Successor: "025"},
	{Code: "019", Name: "Thái Nguyên", Region: "nmt", Capital: "Thái Nguyên", Members: 95, Minority: 0.22, Groups: []share{s("tay", 40), s("nung", 18), s("san_diu", 14), s("san_chay", 12), s("dao", 10), s("hoa", 2)}, Religious: 0.006, Religions: north},
	{Code: "020", Name: "Lạng Sơn", Region: "nmt", Capital: "Lạng Sơn", Members: 62, Minority: 0.78, Groups: []share{s("nung", 44), s("tay", 38), s("dao", 8), s("san_chay", 2), s("hoa", 1)}, Religious: 0.004, Religions: north, Border: true},
	{Code: "022", Name: "Quảng Ninh", Region: "nmt", Capital: "Hạ Long", Members: 98, Minority: 0.07, Groups: []share{s("dao", 40), s("tay", 30), s("san_diu", 20), s("san_chay", 5), s("hoa", 5)}, Religious: 0.01, Religions: north, Border: true},
	{Code: "024", Name: "Bắc Giang", Region: "nmt", Capital: "Bắc Giang", Members: 102, Minority: 0.1, Groups: []share{s("nung", 38), s("tay", 30), s("san_chay", 14), s("san_diu", 12), s("hoa", 4), s("dao", 4)}, Religious: 0.01, Religions: north, Successor: "027"},
	{Code: "025", Name: "Phú Thọ", Region: "nmt", Capital: "Việt Trì", Members: 95, Minority: 0.1, Groups: []share{s("muong", 85), s("dao", 8), s("san_chay", 4), s("tay", 3)}, Religious: 0.008, Religions: north},
	// Red River delta.
	{Code: "001", Name: "Hà Nội", City: true, Region: "rrd", Capital: "Hoàn Kiếm", Members: 350, Minority: 0.012, Groups: []share{s("muong", 50), s("tay", 20), s("dao", 10), s("nung", 10), s("thai", 10)}, Religious: 0.01, Religions: north},
	{Code: "026", Name: "Vĩnh Phúc", Region: "rrd", Capital: "Vĩnh Yên", Members: 55, Minority: 0.03, Groups: []share{s("san_diu", 85), s("tay", 8), s("nung", 7)}, Religious: 0.01, Religions: north, Successor: "025",
		Districts: []string{"thành phố Phúc Yên", "huyện Tam Dương", "huyện Tam Đảo", "huyện Bình Xuyên", "huyện Yên Lạc", "huyện Vĩnh Tường", "huyện Lập Thạch", "huyện Sông Lô"}},
	{Code: "027", Name: "Bắc Ninh", Region: "rrd", Capital: "Bắc Ninh", Members: 72, Minority: 0.004, Groups: []share{s("tay", 40), s("nung", 40), s("hoa", 20)}, Religious: 0.012, Religions: catholicNorth},
	{Code: "030", Name: "Hải Dương", Region: "rrd", Capital: "Hải Dương", Members: 112, Minority: 0.003, Groups: []share{s("tay", 50), s("hoa", 50)}, Religious: 0.01, Religions: north, Successor: "031"},
	{Code: "031", Name: "Hải Phòng", City: true, Region: "rrd", Capital: "Hồng Bàng", Members: 115, Minority: 0.003, Groups: []share{s("hoa", 60), s("tay", 40)}, Religious: 0.012, Religions: catholicNorth},
	{Code: "033", Name: "Hưng Yên", Region: "rrd", Capital: "Hưng Yên", Members: 72, Minority: 0.002, Groups: []share{s("tay", 50), s("muong", 50)}, Religious: 0.012, Religions: catholicNorth},
	{Code: "034", Name: "Thái Bình", Region: "rrd", Capital: "Thái Bình", Members: 118, Minority: 0.001, Groups: []share{s("tay", 50), s("muong", 50)}, Religious: 0.02, Religions: catholicNorth, Successor: "033",
		Districts: []string{"huyện Quỳnh Phụ", "huyện Hưng Hà", "huyện Đông Hưng", "huyện Thái Thụy", "huyện Tiền Hải", "huyện Kiến Xương", "huyện Vũ Thư"}},
	{Code: "035", Name: "Hà Nam", Region: "rrd", Capital: "Phủ Lý", Members: 52, Minority: 0.002, Groups: []share{s("muong", 60), s("tay", 40)}, Religious: 0.025, Religions: catholicNorth, Successor: "037"},
	{Code: "036", Name: "Nam Định", Region: "rrd", Capital: "Nam Định", Members: 115, Minority: 0.001, Groups: []share{s("tay", 50), s("muong", 50)}, Religious: 0.06, Religions: catholicNorth, Successor: "037"},
	{Code: "037", Name: "Ninh Bình", Region: "rrd", Capital: "Hoa Lư", Members: 62, Minority: 0.01, Groups: []share{s("muong", 90), s("tay", 10)}, Religious: 0.05, Religions: catholicNorth},
	// North central coast.
	{Code: "038", Name: "Thanh Hóa", Region: "nct", Capital: "Thanh Hóa", Members: 225, Minority: 0.12, Groups: []share{s("muong", 60), s("thai", 33), s("hmong", 3), s("dao", 2), s("tho", 2)}, Religious: 0.012, Religions: catholicNorth, Border: true},
	{Code: "040", Name: "Nghệ An", Region: "nct", Capital: "Vinh", Members: 215, Minority: 0.12, Groups: []share{s("thai", 72), s("kho_mu", 12), s("hmong", 8), s("tho", 6), s("o_du", 1)}, Religious: 0.012, Religions: catholicNorth, Border: true},
	{Code: "042", Name: "Hà Tĩnh", Region: "nct", Capital: "Hà Tĩnh", Members: 105, Minority: 0.002, Groups: []share{s("chut", 50), s("lao", 30), s("muong", 20)}, Religious: 0.015, Religions: catholicNorth, Border: true},
	{Code: "044", Name: "Quảng Bình", Region: "nct", Capital: "Đồng Hới", Members: 68, Minority: 0.02, Groups: []share{s("bru_van_kieu", 80), s("chut", 20)}, Religious: 0.012, Religions: catholicNorth, Successor: "045", Border: true},
	{Code: "045", Name: "Quảng Trị", Region: "nct", Capital: "Đông Hà", Members: 48, Minority: 0.08, Groups: []share{s("bru_van_kieu", 75), s("ta_oi", 25)}, Religious: 0.015, Religions: centralRel, Border: true},
	{Code: "046", Name: "Thừa Thiên Huế", Region: "nct", Capital: "Huế", Members: 58, Minority: 0.035, Groups: []share{s("ta_oi", 60), s("co_tu", 25), s("bru_van_kieu", 15)}, Religious: 0.015, Religions: centralRel, Border: true},
	// South central coast.
	{Code: "048", Name: "Đà Nẵng", City: true, Region: "sct", Capital: "Hải Châu", Members: 62, Minority: 0.004, Groups: []share{s("co_tu", 70), s("hoa", 30)}, Religious: 0.012, Religions: centralRel,
		Districts: []string{"quận Thanh Khê", "quận Sơn Trà", "quận Ngũ Hành Sơn", "quận Liên Chiểu", "quận Cẩm Lệ", "huyện Hòa Vang"}},
	{Code: "049", Name: "Quảng Nam", Region: "sct", Capital: "Tam Kỳ", Members: 88, Minority: 0.07, Groups: []share{s("co_tu", 45), s("xo_dang", 30), s("gie_trieng", 15), s("co", 10)}, Religious: 0.012, Religions: centralRel, Successor: "048", Border: true,
		Districts: []string{"thành phố Hội An", "thị xã Điện Bàn", "huyện Tiên Phước", "huyện Nông Sơn", "huyện Thăng Bình", "huyện Núi Thành", "huyện Duy Xuyên", "huyện Đại Lộc", "huyện Quế Sơn", "huyện Hiệp Đức", "huyện Phước Sơn", "huyện Nam Giang", "huyện Đông Giang", "huyện Tây Giang", "huyện Bắc Trà My", "huyện Nam Trà My", "huyện Phú Ninh"}},
	{Code: "051", Name: "Quảng Ngãi", Region: "sct", Capital: "Quảng Ngãi", Members: 72, Minority: 0.1, Groups: []share{s("hre", 70), s("co", 20), s("xo_dang", 10)}, Religious: 0.01, Religions: centralRel},
	{Code: "052", Name: "Bình Định", Region: "sct", Capital: "Quy Nhơn", Members: 72, Minority: 0.02, Groups: []share{s("ba_na", 60), s("hre", 25), s("cham", 15)}, Religious: 0.012, Religions: centralRel, Successor: "064",
		Districts: []string{"thị xã An Nhơn", "thị xã Hoài Nhơn", "huyện Tuy Phước", "huyện Phù Cát", "huyện Phù Mỹ", "huyện Tây Sơn", "huyện Vĩnh Thạnh", "huyện Vân Canh", "huyện An Lão", "huyện Hoài Ân"}},
	{Code: "054", Name: "Phú Yên", Region: "sct", Capital: "Tuy Hòa", Members: 42, Minority: 0.05, Groups: []share{s("e_de", 45), s("cham", 35), s("ba_na", 20)}, Religious: 0.012, Religions: centralRel, Successor: "066"},
	{Code: "056", Name: "Khánh Hòa", Region: "sct", Capital: "Nha Trang", Members: 52, Minority: 0.03, Groups: []share{s("ra_glai", 80), s("hoa", 10), s("e_de", 10)}, Religious: 0.015, Religions: centralRel},
	{Code: "058", Name: "Ninh Thuận", Region: "sct", Capital: "Phan Rang – Tháp Chàm", Members: 24, Minority: 0.18, Groups: []share{s("cham", 62), s("ra_glai", 38)}, Religious: 0.05, Religions: []share{s("cham_brahmanism", 5), s("islam", 3), s("buddhism", 2), s("catholicism", 1)}, Successor: "056"},
	{Code: "060", Name: "Bình Thuận", Region: "sct", Capital: "Phan Thiết", Members: 42, Minority: 0.05, Groups: []share{s("cham", 50), s("ra_glai", 25), s("hoa", 20), s("co_ho", 5)}, Religious: 0.02, Religions: []share{s("buddhism", 5), s("catholicism", 3), s("cham_brahmanism", 2), s("islam", 1)}, Successor: "068"},
	// Central Highlands.
	{Code: "062", Name: "Kon Tum", Region: "hl", Capital: "Kon Tum", Members: 27, Minority: 0.4, Groups: []share{s("xo_dang", 45), s("ba_na", 28), s("gie_trieng", 15), s("gia_rai", 8), s("brau", 2), s("ro_mam", 2)}, Religious: 0.03, Religions: highlandRel, Successor: "051", Border: true},
	{Code: "064", Name: "Gia Lai", Region: "hl", Capital: "Pleiku", Members: 62, Minority: 0.2, Groups: []share{s("gia_rai", 62), s("ba_na", 33), s("tay", 3), s("nung", 2)}, Religious: 0.016, Religions: highlandRel, Border: true,
		Districts: []string{"huyện Chư Păh", "huyện Ia Grai", "huyện Kbang", "huyện Đak Đoa", "huyện Mang Yang", "huyện Chư Prông", "huyện Chư Sê", "huyện Đức Cơ", "huyện Kông Chro", "huyện Phú Thiện", "huyện Krông Pa", "huyện Ia Pa", "huyện Đak Pơ", "huyện Chư Pưh", "thị xã An Khê", "thị xã Ayun Pa"}},
	{Code: "066", Name: "Đắk Lắk", Region: "hl", Capital: "Buôn Ma Thuột", Members: 68, Minority: 0.2, Groups: []share{s("e_de", 60), s("mnong", 12), s("gia_rai", 8), s("tay", 10), s("nung", 10)}, Religious: 0.025, Religions: highlandRel, Border: true},
	{Code: "067", Name: "Đắk Nông", Region: "hl", Capital: "Gia Nghĩa", Members: 26, Minority: 0.22, Groups: []share{s("mnong", 40), s("e_de", 15), s("tay", 15), s("nung", 15), s("hmong", 10), s("ma", 5)}, Religious: 0.03, Religions: highlandRel, Successor: "068", Border: true},
	{Code: "068", Name: "Lâm Đồng", Region: "hl", Capital: "Đà Lạt", Members: 52, Minority: 0.12, Groups: []share{s("co_ho", 60), s("ma", 15), s("chu_ru", 10), s("tay", 8), s("nung", 7)}, Religious: 0.03, Religions: highlandRel},
	// Southeast.
	{Code: "070", Name: "Bình Phước", Region: "se", Capital: "Đồng Xoài", Members: 36, Minority: 0.1, Groups: []share{s("xtieng", 50), s("khmer", 20), s("nung", 15), s("tay", 10), s("hoa", 5)}, Religious: 0.02, Religions: southRel, Successor: "075", Border: true},
	{Code: "072", Name: "Tây Ninh", Region: "se", Capital: "Tây Ninh", Members: 37, Minority: 0.012, Groups: []share{s("khmer", 60), s("cham", 25), s("hoa", 15)}, Religious: 0.04, Religions: []share{s("cao_dai", 7), s("buddhism", 3), s("catholicism", 1)}, Border: true},
	{Code: "074", Name: "Bình Dương", Region: "se", Capital: "Thủ Dầu Một", Members: 60, Minority: 0.01, Groups: []share{s("hoa", 60), s("khmer", 20), s("tay", 10), s("nung", 10)}, Religious: 0.02, Religions: southRel, Successor: "079"},
	{Code: "075", Name: "Đồng Nai", Region: "se", Capital: "Biên Hòa", Members: 82, Minority: 0.04, Groups: []share{s("hoa", 45), s("cho_ro", 20), s("nung", 15), s("tay", 12), s("ma", 8)}, Religious: 0.04, Religions: []share{s("catholicism", 7), s("buddhism", 3)}},
	{Code: "077", Name: "Bà Rịa - Vũng Tàu", Region: "se", Capital: "Vũng Tàu", Members: 50, Minority: 0.02, Groups: []share{s("cho_ro", 50), s("hoa", 50)}, Religious: 0.025, Religions: []share{s("catholicism", 5), s("buddhism", 4), s("protestantism", 1)}, Successor: "079"},
	{Code: "079", Name: "Hồ Chí Minh", City: true, Region: "se", Capital: "Quận 1", Members: 256, Minority: 0.02, Groups: []share{s("hoa", 70), s("khmer", 15), s("cham", 10), s("tay", 5)}, Religious: 0.03, Religions: southRel},
	// Mekong delta.
	{Code: "080", Name: "Long An", Region: "mk", Capital: "Tân An", Members: 57, Minority: 0.003, Groups: []share{s("khmer", 60), s("hoa", 40)}, Religious: 0.02, Religions: southRel, Successor: "072", Border: true},
	{Code: "082", Name: "Tiền Giang", Region: "mk", Capital: "Mỹ Tho", Members: 62, Minority: 0.003, Groups: []share{s("hoa", 70), s("khmer", 30)}, Religious: 0.02, Religions: southRel, Successor: "087"},
	{Code: "083", Name: "Bến Tre", Region: "mk", Capital: "Bến Tre", Members: 57, Minority: 0.002, Groups: []share{s("hoa", 70), s("khmer", 30)}, Religious: 0.02, Religions: southRel, Successor: "086"},
	{Code: "084", Name: "Trà Vinh", Region: "mk", Capital: "Trà Vinh", Members: 42, Minority: 0.25, Groups: []share{s("khmer", 92), s("hoa", 8)}, Religious: 0.06, Religions: []share{s("buddhism", 9), s("catholicism", 1)}, Successor: "086"},
	{Code: "086", Name: "Vĩnh Long", Region: "mk", Capital: "Vĩnh Long", Members: 42, Minority: 0.02, Groups: []share{s("khmer", 70), s("hoa", 30)}, Religious: 0.02, Religions: southRel},
	{Code: "087", Name: "Đồng Tháp", Region: "mk", Capital: "Cao Lãnh", Members: 62, Minority: 0.002, Groups: []share{s("hoa", 60), s("khmer", 40)}, Religious: 0.03, Religions: []share{s("hoa_hao", 5), s("buddhism", 3), s("cao_dai", 1), s("catholicism", 1)}, Border: true},
	{Code: "089", Name: "An Giang", Region: "mk", Capital: "Long Xuyên", Members: 62, Minority: 0.05, Groups: []share{s("khmer", 70), s("cham", 18), s("hoa", 12)}, Religious: 0.045, Religions: []share{s("hoa_hao", 6), s("buddhism", 3), s("islam", 1)}, Border: true},
	{Code: "091", Name: "Kiên Giang", Region: "mk", Capital: "Rạch Giá", Members: 57, Minority: 0.1, Groups: []share{s("khmer", 85), s("hoa", 15)}, Religious: 0.03, Religions: []share{s("buddhism", 7), s("hoa_hao", 2), s("catholicism", 1)}, Successor: "089", Border: true},
	{Code: "092", Name: "Cần Thơ", City: true, Region: "mk", Capital: "Ninh Kiều", Members: 47, Minority: 0.02, Groups: []share{s("khmer", 60), s("hoa", 40)}, Religious: 0.025, Religions: []share{s("hoa_hao", 3), s("buddhism", 4), s("cao_dai", 1)}},
	{Code: "093", Name: "Hậu Giang", Region: "mk", Capital: "Vị Thanh", Members: 27, Minority: 0.03, Groups: []share{s("khmer", 80), s("hoa", 20)}, Religious: 0.025, Religions: southRel, Successor: "092"},
	{Code: "094", Name: "Sóc Trăng", Region: "mk", Capital: "Sóc Trăng", Members: 42, Minority: 0.25, Groups: []share{s("khmer", 82), s("hoa", 18)}, Religious: 0.06, Religions: []share{s("buddhism", 9), s("catholicism", 1)}, Successor: "092"},
	{Code: "095", Name: "Bạc Liêu", Region: "mk", Capital: "Bạc Liêu", Members: 27, Minority: 0.06, Groups: []share{s("khmer", 75), s("hoa", 25)}, Religious: 0.03, Religions: []share{s("buddhism", 7), s("catholicism", 2), s("cao_dai", 1)}, Successor: "096"},
	{Code: "096", Name: "Cà Mau", Region: "mk", Capital: "Cà Mau", Members: 47, Minority: 0.02, Groups: []share{s("khmer", 70), s("hoa", 30)}, Religious: 0.02, Religions: southRel},
}

// mountainous regions: rural members there have less schooling (and the education exception applies).
func mountainous(region string) bool { return region == "nmt" || region == "hl" }

// southern regions: family names of the central and southern pattern.
func southern(region string) bool {
	return region == "sct" || region == "hl" || region == "se" || region == "mk"
}

func provinceByCode(code string) *province {
	for _, p := range provinces {
		if p.Code == code {
			return p
		}
	}
	return nil
}

// successorOf returns the province that continues p after 01/07/2025.
func successorOf(p *province) *province {
	if p.Successor == "" {
		return p
	}
	return provinceByCode(p.Successor)
}

// Place-name syllables by region, for the districts and communes the data does not name.
var placeWords = map[string][]string{
	"nmt": {"Bảo", "Yên", "Lục", "Văn", "Quản", "Bạ", "Đồng", "Văn", "Mường", "Khương", "Na", "Hang", "Pác", "Nặm", "Bắc", "Sơn", "Thông", "Nông", "Hạ", "Lang", "Tràng", "Định", "Phú", "Lương", "Tân", "Thanh", "Xuân", "Hòa", "An", "Mai", "Châu", "Kim", "Bôi", "Lạc", "Thủy", "Quỳnh", "Nhai", "Tủa", "Chùa", "Mộc", "Sìn", "Hồ", "Phong", "Thổ", "Chiêm", "Hóa", "Trùng", "Khánh", "Lộc", "Bình", "Gia", "Vị"},
	"rrd": {"Gia", "Lâm", "Đông", "Anh", "Thanh", "Trì", "Hoài", "Đức", "Phúc", "Thọ", "Thạch", "Thất", "Quốc", "Oai", "Chương", "Mỹ", "Ứng", "Hòa", "Phú", "Xuyên", "Thường", "Tín", "Kim", "Bảng", "Lý", "Nhân", "Bình", "Lục", "Giao", "Thủy", "Hải", "Hậu", "Nghĩa", "Hưng", "Xuân", "Trường", "Yên", "Khánh", "Tiên", "Lữ", "Văn", "Giang", "Ân", "Thi", "Cẩm", "Kinh", "Môn", "Tứ", "Kỳ", "Ninh", "Lạc", "Quỳnh", "Côi", "Vũ", "Thư", "Kiến", "Xương", "Tiền", "Thụy"},
	"nct": {"Quảng", "Xương", "Tĩnh", "Gia", "Nga", "Sơn", "Hậu", "Lộc", "Hoằng", "Hóa", "Nông", "Cống", "Đông", "Thiệu", "Yên", "Định", "Thành", "Diễn", "Châu", "Quỳnh", "Lưu", "Nghi", "Lộc", "Hưng", "Nguyên", "Nam", "Đàn", "Thanh", "Chương", "Anh", "Sơn", "Đô", "Lương", "Can", "Thạch", "Hà", "Cẩm", "Xuyên", "Kỳ", "Anh", "Bố", "Trạch", "Minh", "Hóa", "Lệ", "Thủy", "Triệu", "Phong", "Hải", "Lăng", "Gio", "Linh", "Cam", "Lộ", "Hương", "Trà", "Điền", "Vang", "Lợi"},
	"sct": {"Hòa", "Vang", "Điện", "Bàn", "Duy", "Xuyên", "Thăng", "Bình", "Núi", "Thành", "Quế", "Sơn", "Tiên", "Phước", "Hiệp", "Đức", "Tư", "Nghĩa", "Mộ", "Ba", "Tơ", "Minh", "Long", "Phù", "Cát", "Mỹ", "Tây", "An", "Hoài", "Nhơn", "Tuy", "Đồng", "Xuân", "Hòa", "Diên", "Khánh", "Vạn", "Ninh", "Cam", "Lâm", "Phước", "Hải", "Thuận", "Bắc", "Nam", "Tánh", "Linh", "Hàm", "Tân", "Phú"},
	"hl":  {"Chư", "Ia", "Krông", "Đak", "Ea", "Kon", "Buôn", "Cư", "Păh", "Grai", "Prông", "Sê", "Pơ", "Pa", "Rlấp", "Súp", "Búk", "Pắk", "Bông", "Ana", "Kar", "Hleo", "M'gar", "Mil", "Song", "Glong", "Plông", "Rẫy", "Hà", "Tô", "Sa", "Thầy", "Lâm", "Hà", "Bảo", "Lộc", "Di", "Linh", "Đơn", "Dương", "Lạc", "Dương", "Tẻh", "Huoai", "Ngọc", "Hồi", "Mơ", "Rai", "Jut", "Hdrai"},
	"se":  {"Bình", "Chánh", "Hóc", "Môn", "Củ", "Chi", "Nhà", "Bè", "Cần", "Giờ", "Thuận", "An", "Dĩ", "Bến", "Cát", "Dầu", "Tiếng", "Tân", "Uyên", "Phú", "Giáo", "Long", "Thành", "Nhơn", "Trạch", "Vĩnh", "Cửu", "Định", "Quán", "Xuyên", "Mộc", "Đất", "Đỏ", "Châu", "Đức", "Hớn", "Quản", "Lộc", "Ninh", "Gò", "Dầu", "Trảng", "Bàng", "Dương", "Minh", "Hòa", "Thạnh", "Biên", "Xuân"},
	"mk":  {"Châu", "Thành", "Cái", "Bè", "Cai", "Lậy", "Chợ", "Gạo", "Gò", "Công", "Mỏ", "Cày", "Giồng", "Trôm", "Ba", "Tri", "Thạnh", "Phú", "Cầu", "Kè", "Ngang", "Tiểu", "Cần", "Long", "Hồ", "Măng", "Thít", "Vũng", "Liêm", "Tam", "Bình", "Hồng", "Ngự", "Tân", "Nông", "Lấp", "Vò", "Tịnh", "Biên", "Tri", "Tôn", "Hòn", "Đất", "Giang", "Phụng", "Hiệp", "Mỹ", "Tú", "Kế", "Sách", "Ngã", "Năm", "Vĩnh", "Lợi", "Hòa", "Bình", "Trần", "Văn", "Thời", "Đầm", "Dơi", "Ngọc", "Hiển"},
}

var enterpriseWords = []string{"Thành Công", "Hoàng Long", "Minh Phát", "Đại Việt", "An Phú", "Tân Tiến", "Hưng Thịnh", "Phú Cường",
	"Việt Á", "Sao Mai", "Hòa Bình", "Thiên Long", "Trường Sơn", "Bình Minh", "Phương Nam", "Kim Long", "Đông Á", "Nam Việt",
	"Hồng Hà", "Thái Dương", "Phúc Lộc", "Quang Minh", "Toàn Thắng", "Vạn Xuân", "Hải Đăng", "Tân Phát", "Gia Phát", "Hợp Nhất"}

var enterpriseTrades = []string{"May mặc", "Xây dựng", "Thương mại và Dịch vụ", "Chế biến Thủy sản", "Cơ khí", "Vận tải",
	"Chế biến Nông sản", "Điện tử", "Thực phẩm", "Vật liệu Xây dựng", "Dệt may", "Gỗ", "Du lịch", "Xuất nhập khẩu", "Giày da"}

// Village names of the Central Highlands: Gia Rai and Ba Na "plei", "làng"; Ê Đê "buôn".
var jraiVillages = []string{"Plei Ó", "Plei Pông", "Plei Bông", "Plei Rơ Ngheo", "Plei Lao", "Plei Kép", "Plei Chuet", "Plei Ia Nueng",
	"Plei Tơ Nghĭa", "Plei Ring", "Plei Biển", "Plei Đát", "Kon Sơ Lăl", "Đê Kop", "Ia Lang", "Plei Ngol", "Plei Kia", "Plei Bàu"}
var edeVillages = []string{"Ako Dhong", "Kô Tam", "Tơng Jũ", "Cư Dluê", "Ea Nao", "Kmrơng Prông", "Ea Tam", "Alê A", "Dhă Prông", "Ko Sier"}
