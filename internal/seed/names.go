package seed

import (
	"math/rand/v2"
	"strconv"
	"strings"

	"golang.org/x/text/unicode/norm"
)

// Person names. Kinh names are family name, middle name(s) and given name; family names follow their
// national frequencies (Nguyễn about 38 %, then Trần, Lê, Phạm, Hoàng or Huỳnh, Phan, Vũ or Võ, Đặng,
// Bùi, Đỗ, Hồ, Ngô, Dương, Lý…) with the northern and southern variants; "Văn" and "Thị" are less
// common among the young. Minority names follow their groups' patterns: Gia Rai clan names first (Ksor,
// Siu, Rơ Châm…), Ê Đê "Y" or "H'" with the given name before the clan name (Y Biêr Niê, H'Hen Niê),
// H'Mông family names with A or Seo (Giàng A Sình), Thái Lò, Lường, Cầm, Quàng; Khmer Thạch, Sơn, Kim,
// Danh; Chăm Đàng, Thành, Quảng; Cơ Ho K' and Ka. The combinations are plausible, not real persons.

func wl(s string) *weighted[string] {
	var items []string
	var weights []float64
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		w := 1.0
		if i := strings.LastIndexByte(f, '*'); i > 0 {
			var err error
			if w, err = strconv.ParseFloat(f[i+1:], 64); err != nil {
				panic("seed: bad weight in " + f)
			}
			f = f[:i]
		}
		items = append(items, norm.NFC.String(f))
		weights = append(weights, w)
	}
	return newWeighted(items, weights)
}

var (
	familyNorth = wl(`Nguyễn*36, Trần*11, Lê*9, Phạm*8, Hoàng*5, Vũ*5, Đỗ*3, Bùi*3, Đặng*2.5, Ngô*2, Dương*1.5, Phan*2, Đinh*1.2,
		Trịnh*1, Đào*1, Lương*0.8, Hà*0.8, Mai*0.6, Tạ*0.5, Lý*0.5, Chu*0.4, Cao*0.5, Đoàn*0.7, Kiều*0.3, Phùng*0.4, Lưu*0.4,
		Vương*0.2, Tô*0.3, Triệu*0.3, Lại*0.3, Nghiêm*0.2, Khổng*0.1, Hồ*0.6, Lâm*0.3, Trương*0.5`)
	familySouth = wl(`Nguyễn*39, Trần*11, Lê*9.5, Phạm*5.5, Huỳnh*5, Võ*4.5, Phan*4.5, Đặng*2, Bùi*1.5, Đỗ*1.2, Hồ*1.8, Ngô*1.3,
		Dương*1.2, Lý*0.8, Trương*1.2, Lâm*1, Đoàn*0.8, Mai*0.6, Châu*0.5, Tô*0.3, Hà*0.4, Tạ*0.3, Cao*0.5, Đinh*0.8, Lương*0.5,
		Thái*0.3, Quách*0.2, La*0.2, Từ*0.2, Hoàng*0.5, Vũ*0.4`)
	middleMaleOld   = wl(`Văn*40, Đức*6, Minh*5, Hữu*5, Quang*5, Công*5, Thanh*4, Xuân*3, Ngọc*3, Trọng*3, Đình*4, Tiến*2, Mạnh*2, Duy*2, Bá*1, Tấn*2, Hồng*1, Việt*1, Phú*1, Quốc*2, Kim*0.5`)
	middleMaleYoung = wl(`Văn*16, Đức*8, Minh*9, Hữu*3, Quang*5, Công*4, Thanh*3, Xuân*2, Ngọc*2, Trọng*3, Đình*2, Tiến*3, Mạnh*2, Duy*5, Tuấn*3, Anh*3, Hoàng*4, Quốc*5, Gia*3, Bảo*3, Tấn*2, Việt*3, Nhật*2, Thành*2`)
	middleFemOld    = wl(`Thị*55, Ngọc*5, Thu*4, Thanh*4, Thùy*2, Kim*3, Minh*2, Hồng*3, Phương*2, Bích*2, Mai*2, Hải*1, Tuyết*1, Lan*1, Hoài*1, Mỹ*2`)
	middleFemYoung  = wl(`Thị*24, Ngọc*6, Thu*5, Thanh*4, Thùy*4, Kim*3, Minh*4, Hồng*3, Phương*4, Bích*2, Diệu*2, Khánh*4, Mai*3, Hải*2, Bảo*3, Quỳnh*3, Ánh*2, Cẩm*2, Mỹ*3, Hoài*2, Nhật*2, Gia*2, Như*2, Tú*2, Yến*2`)
	secondFem       = wl(`Thu, Thanh, Hồng, Ngọc, Phương, Minh, Kim, Bích, Mai, Thùy, Hải`)
	givenMale       = wl(`Hùng, Dũng, Tuấn, Hải, Nam, Long, Khánh, Quân, Phong, Thắng, Trung, Đạt, Hiếu, Tùng, Sơn, Cường, Việt, Hoàng, Bình,
		Thành, Kiên, Huy, Duy, Lâm, Tài, Chiến, Mạnh, Vinh, Hưng, Quang, Toàn, Thịnh, Lộc, Phúc, An, Đông, Hòa, Tú, Đức, Nghĩa,
		Thuận, Khải, Hậu, Tâm, Trường, Định, Minh, Anh, Bảo, Khoa, Nhân, Phát, Thiện, Tiến, Hiệp, Lực, Thái, Kiệt, Danh, Vũ, Hạnh*0.3,
		Quyết, Thông, Tín, Trí, Tuyên, Sang, Lợi, Luân, Hào, Đăng, Khang, Nguyên, Sỹ, Tân, Thạch, Vĩnh, Xuân, Yên`)
	givenFemale = wl(`Lan, Hương, Hoa, Mai, Linh, Trang, Thảo, Hằng, Nga, Yến, Ngọc, Hà, Phương, Huyền, Thủy, Nhung, Vân, Oanh, Thúy, Dung,
		Giang, Loan, Hạnh, Quyên, Hiền, Liên, Chi, Anh, Nhàn, Thơm, Duyên, Ly, My, Tâm, Quỳnh, Trinh, Hậu, Thắm, Xuân, Lụa, Nhi,
		Vy, Uyên, Châu, Diệp, Hồng, Huệ, Lệ, Ngân, Nhàn, Phượng, Quế, Sương, Thư, Tiên, Trâm, Tuyết, Vi, Yên, Hảo, Thanh, Thu`)

	familyTay     = wl(`Hoàng*4, Nông*4, Lương*2, Ma*2, Lục*1, Hà*2, Vi*1, Lộc*1, Bế*1, Đàm*1, Triệu*1, Linh*0.5, Mông*0.5, Hứa*0.5, Lăng*0.5, Nguyễn*1`)
	familyNung    = wl(`Hoàng*4, Nông*3, Lương*2, Vi*2, Lăng*1, Mã*1, Chu*1, Lục*1, Triệu*1, Hứa*1, Sầm*0.5, Đinh*0.5`)
	familyMuong   = wl(`Bùi*6, Đinh*4, Quách*2, Hà*2, Xa*1, Cao*1, Bạch*1, Nguyễn*1`)
	familySanDiu  = wl(`Lý*2, Trần*2, Diệp*2, Dương*1, Đào*1, Lục*1, Tạ*1, Triệu*1, Lâm*1, Trương*1`)
	familySanChay = wl(`Hoàng*2, La*2, Lâm*1, Lý*1, Trương*1, Ninh*1, Dương*1, Đàm*1, Hà*1`)
	familyHoa     = wl(`Lý*2, Trần*2, Lâm*2, Hứa*1, Quách*1, Diệp*1, Tăng*1, Mạc*1, Trương*1, Lưu*1, Huỳnh*1, Thái*1, Châu*1, Lư*0.5`)
	familyThai    = wl(`Lò*4, Lường*3, Cầm*2, Quàng*2, Điêu*1, Vi*1, Tòng*1, Hà*2, Lù*1, Mè*0.5, Sầm*1, Bạc*0.5, Lê*1`)
	givenThai     = wl(`Bun, Chăn, Khăm, Pấng, Xuân, Hoa, Ơn, Phanh, Xôm, Ương, Pọm, Lả, Hương, Nhung, Bình, Thắng, Tiến, Sơn, Inh, Ánh, Liên, Thoan, Đôi, Cương`)
	familyDao     = wl(`Triệu*3, Bàn*3, Đặng*2, Lý*2, Chảo*1, Phùn*1, Tẩn*1, Lò*0.5, Hoàng*0.5, Trương*0.5`)
	givenDao      = wl(`Hin, Quyên, Tòn, Kiêm, Mẩy, Nải, Chòi, Phấu, Kiểm, Sinh, Lai, Hảo, Phin, Chàn, Dùng, Nhất, Vần, Mùi, Tài, Lan`)
	familyHmong   = wl(`Giàng*3, Sùng*2, Vàng*3, Lý*2, Thào*2, Hạng*1, Mùa*1, Sình*1, Lầu*1, Vừ*1, Hầu*1, Chang*0.5, Cứ*0.5, Tráng*0.5, Mua*0.5`)
	middleHmongM  = wl(`A*5, Seo*2, Mí*2, Chứ*1, Văn*2`)
	givenHmongM   = wl(`Sình, Chư, Páo, Dế, Lử, Chứ, Pó, Dình, Của, Tủa, Sử, Dơ, Pháy, Nủ, Thào, Súa, Khua, Tếnh, Vư, Lềnh`)
	givenHmongF   = wl(`Mỷ, Dua, Sua, Mai, Chi, Sinh, Pà, Dở, Mảy, Súa, Dung, Lan, Ly, Say, Dính, Chía`)
	familyKhmu    = wl(`Lầu*1, Vi*2, Lương*1, Cụt*1, Mạc*1, Lò*2, Quàng*1, Lô*2`)
	familyOtherN  = wl(`Lò*2, Lý*2, Hoàng*1, Lù*1, Sầm*1, Vàng*1, Chu*1, Pờ*0.5, Ly*1, Ma*1, Hà*1`)
	clanJrai      = wl(`Ksor*3, Siu*3, Rơ Châm*2, Rah Lan*2, Kpă*2, Nay*2, Rơ Mah*1, Puih*1, Rơ Lan*1, Kpuih*1, Hiao*0.5, Rơ O*0.5`)
	givenJraiM    = wl(`Phước, Hong, Blưh, Sơn, Thuyên, Lăk, Hlem, Nhiên, Dih, Ching, Pơ, Hyok, Tuh, Đoan, Blơn, Khuê, Jek, Lơn, Đing, Ui, Thưn, Bin, Hriêng`)
	givenJraiF    = wl(`Bơ, Linh, Yin, Mai, Hyun, Nah, Lin, Phơng, Nhă, Hiang, Blih, Ju, Kim, Thương, Dun, Ngơi, Hlin, Nguyệt, Mơ`)
	clanEde       = wl(`Niê*4, Mlô*2, Ksơr*2, Êban*2, Byă*1, Adrơng*1, Buôn Krông*1, Hđơk*1, Êya*1, Kbuôr*1, Niê Kdăm*1, Ayŭn*1, Bkrông*1`)
	givenEdeM     = wl(`Biêr, Khu, Thanh, Ngông, Jŭ, Dhăm, Bhim, Wiêm, Tlang, Kô, Mông, Dương, Phương, Blô, Kuang, Sơn, Nguôn`)
	givenEdeF     = wl(`Hen, Lim, Yâo, Bia, Nga, Ly, Mai, Nhi, Hồng, Zoan, Drô, Jen, Ban, Nhung, Lan, Wen`)
	givenBana     = wl(`Hrao, Thơ, Blơn, Hyup, Khoa, Lan, Nhung, Pớt, Thiên, Hin, Đoàn, Sang, Lăng, Blong, Nhol, Hương, Lâm, Rin, Khoan, Hyuh, Ngọc, Đum, Hlơi`)
	familyKhmer   = wl(`Thạch*4, Sơn*3, Kim*2, Danh*2, Lâm*1, Châu*1, Trầm*0.5, Lý*1, Huỳnh*0.5, Dương*0.5`)
	middleKhmerM  = wl(`Văn*3, Sô*1, Ngọc*1, Chanh*1, Sà*0.5`)
	middleKhmerF  = wl(`Thị*5, Thị Sa*1, Thị Sô*1`)
	givenKhmer    = wl(`Phol, Rương, Dư, Pha, Rinh, Kha, Mây, Sen, Phát, Thươl, Rết, Som, Đa, Ry, Hên, Sóc, Chanh, Sa, Thy, Nây, Sang, Út, Tha, Pho, Sane`)
	familyCham    = wl(`Đàng*3, Thành*2, Quảng*2, Thiên*1, Lưu*1, Trượng*1, Ông*0.5, Hán*1, Dụng*0.5, Lộ*1, Báo*0.5, Nguyễn*1, Thuận*0.5, Phú*0.5`)
	middleChamM   = wl(`Năng*1, Văn*3, Đại*1, Sanh*1, Minh*1, Thanh*1`)
	middleChamF   = wl(`Thị*4, Nữ*1, Thị Thu*1`)
	familyCoho    = wl(`Kră Jăn*1, Bon Niêng*1, Liêng Hót*1, Cil*1, Ya*1, Bon Jốc*0.5, Đa Cát*0.5`)
	givenCoho     = wl(`Brơi, Hòa, Sơn, Ha Sen, Điệp, Blúp, Tiếu, Hương, Xuân, Thương, Kră, Dơng, Sê, Brẻo`)
	familyRaglai  = wl(`Pi Năng*2, Chamaléa*2, Katơr*1, Mấu*1, Bo Bo*1, Cao*1`)
	familyCotu    = wl(`A Lăng*2, Bríu*2, Zơ Râm*1, Bh'riu*1, Alăng*1, Ploong*1, Cơlâu*1, Hốih*0.5, Tơ Ngôl*0.5, Clâu*0.5`)
	givenCotu     = wl(`Thơm, Liêm, Ưởng, Dung, Bhơ, Hiên, Nhân, Mớ, Pơloong, Vân, Bốn, Thị, Xuân, Tơm`)
	familyBru     = wl(`Hồ*6, Kăn*1, Ăm*1, Căn*1, Arất*0.5, Pả*0.5, Quỳnh*0.5, Lê*1`)
	familyHre     = wl(`Đinh*6, Phạm*2, Hồ*1, Võ*1`)
	familyMnong   = wl(`Điểu*5, Y*2`)
	familyBana    = wl(`Đinh`)
)

// kinhStyleFamilies are the families of the ethnicities whose names are built like Kinh names.
var kinhStyleFamilies = map[string]*weighted[string]{"tay": familyTay, "nung": familyNung, "muong": familyMuong,
	"san_diu": familySanDiu, "san_chay": familySanChay, "hoa": familyHoa}

// Name draws a full name for a person of an ethnic group and sex born in birthYear, in a region
// (nmt, rrd, nct, sct, hl, se, mk). The hand-built sample draws its names here too.
func Name(r *rand.Rand, ethnicity string, female bool, birthYear int, region string) string {
	return nameOf(rng{r}, ethnicity, female, birthYear, region)
}

// nameOf draws a full name for a person of an ethnic group, sex and birth year in a region.
func nameOf(r rng, ethnicity string, female bool, birthYear int, region string) string {
	young := birthYear >= 1988
	kinh := func(fam *weighted[string], given *weighted[string]) string {
		f := fam.draw(r)
		var mid string
		switch {
		case female && young:
			mid = middleFemYoung.draw(r)
		case female:
			mid = middleFemOld.draw(r)
			if mid == "Thị" && r.chance(0.15) {
				mid += " " + secondFem.draw(r)
			}
		case young:
			mid = middleMaleYoung.draw(r)
		default:
			mid = middleMaleOld.draw(r)
		}
		if given == nil {
			given = givenMale
			if female {
				given = givenFemale
			}
		}
		g := given.draw(r)
		for g == mid {
			g = given.draw(r)
		}
		return f + " " + mid + " " + g
	}
	vt := func(fam *weighted[string], given *weighted[string]) string { // family, Văn/Thị, given
		mid := "Văn"
		if female {
			mid = "Thị"
		}
		return fam.draw(r) + " " + mid + " " + given.draw(r)
	}
	gender := func(m, f *weighted[string]) *weighted[string] {
		if female {
			return f
		}
		return m
	}
	switch ethnicity {
	case "kinh", "", "foreign_origin":
		if southern(region) {
			return kinh(familySouth, nil)
		}
		return kinh(familyNorth, nil)
	case "tay", "nung", "muong", "san_diu", "san_chay", "hoa":
		return kinh(kinhStyleFamilies[ethnicity], nil)
	case "thai":
		if r.chance(0.5) {
			return vt(familyThai, givenThai)
		}
		return kinh(familyThai, nil)
	case "dao":
		return vt(familyDao, givenDao)
	case "hmong":
		if female {
			return familyHmong.draw(r) + " Thị " + givenHmongF.draw(r)
		}
		return familyHmong.draw(r) + " " + middleHmongM.draw(r) + " " + givenHmongM.draw(r)
	case "kho_mu", "lao", "lu", "khang", "xinh_mun", "la_ha", "o_du", "tho", "chut":
		return kinh(familyKhmu, nil)
	case "gia_rai":
		g := gender(givenJraiM, givenJraiF).draw(r)
		if female && r.chance(0.5) {
			g = "H'" + g
		}
		return clanJrai.draw(r) + " " + g
	case "e_de":
		if female {
			return "H'" + givenEdeF.draw(r) + " " + clanEde.draw(r)
		}
		return "Y " + givenEdeM.draw(r) + " " + clanEde.draw(r)
	case "ba_na":
		if r.chance(0.6) {
			return vt(familyBana, givenBana)
		}
		fallthrough
	case "xo_dang", "gie_trieng", "brau", "ro_mam":
		p := "A "
		if female {
			p = "Y "
		}
		return p + givenBana.draw(r)
	case "khmer":
		return familyKhmer.draw(r) + " " + gender(middleKhmerM, middleKhmerF).draw(r) + " " + givenKhmer.draw(r)
	case "cham":
		return familyCham.draw(r) + " " + gender(middleChamM, middleChamF).draw(r) + " " + gender(givenMale, givenFemale).draw(r)
	case "co_ho", "ma", "chu_ru":
		if r.chance(0.6) {
			if female {
				return "Ka " + givenCoho.draw(r)
			}
			return "K'" + givenCoho.draw(r)
		}
		return familyCoho.draw(r) + " " + givenCoho.draw(r)
	case "mnong", "xtieng", "cho_ro":
		if female {
			return "Thị " + givenCoho.draw(r)
		}
		return familyMnong.draw(r) + " " + givenCoho.draw(r)
	case "ra_glai":
		return vt(familyRaglai, gender(givenMale, givenFemale))
	case "co_tu", "ta_oi":
		if female {
			return familyCotu.draw(r) + " Thị " + givenCotu.draw(r)
		}
		return familyCotu.draw(r) + " " + givenCotu.draw(r)
	case "bru_van_kieu":
		return vt(familyBru, gender(givenMale, givenFemale))
	case "hre", "co":
		return vt(familyHre, gender(givenMale, givenFemale))
	}
	return kinh(familyOtherN, nil)
}
