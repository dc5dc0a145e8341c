package sample

import (
	"math/rand/v2"
	"strings"

	"golang.org/x/text/unicode/norm"
)

// Name pools of the demo persons. Kinh names are family name, one or two middle names and a given
// name; the family names are weighted by region (Nguyễn everywhere; Vũ, Phạm, Bùi in Thái Bình; Huỳnh,
// Võ among the Pleiku families that came from the central coast). Gia Rai (Jrai) names put the clan
// name first (Ksor, Siu, Rơ Châm, Rah Lan, Kpă, Nay, …); many women's given names carry H'. Ba Na
// (Bahnar) families of the Pleiku area often take the family name Đinh with Văn or Thị. Sán Dìu
// families of Tam Dương use Vietnamese-style names with their own family names (Lý, Diệp, Lục, …).
// The names are plausible combinations, not real persons.

// weighted repeats an item n times: "Nguyễn*6" counts six.
func weighted(items ...string) []string {
	var out []string
	for _, it := range items {
		name, n := it, 1
		if i := strings.LastIndexByte(it, '*'); i > 0 {
			name = it[:i]
			n = 0
			for _, r := range it[i+1:] {
				n = n*10 + int(r-'0')
			}
		}
		for range n {
			out = append(out, name)
		}
	}
	return out
}

var (
	familyNorth = weighted("Nguyễn*8", "Trần*3", "Lê*2", "Phạm*2", "Hoàng", "Vũ*2", "Đỗ", "Bùi", "Đặng", "Ngô",
		"Dương", "Phùng", "Kiều", "Lưu", "Đào", "Tạ", "Khổng", "Trương", "Lương", "Đinh", "Hà", "Chu")
	familyThaiBinh = weighted("Nguyễn*6", "Vũ*4", "Phạm*3", "Bùi*3", "Trần*2", "Đỗ*2", "Lê", "Đào", "Hoàng",
		"Ngô", "Phan", "Tô", "Mai", "Lại", "Đoàn")
	familyCentral = weighted("Nguyễn*6", "Trần*2", "Lê*2", "Phạm", "Huỳnh*2", "Võ*2", "Phan", "Đặng", "Bùi",
		"Đỗ", "Hồ", "Ngô", "Đoàn", "Trương", "Lâm", "Dương", "Châu")
	familySanDiu = []string{"Lý", "Trần", "Diệp", "Dương", "Đào", "Lục", "Tạ", "Triệu", "Lâm"}
	familyTay    = []string{"Hoàng", "Nông", "Lương", "Ma", "Lục", "Hà", "Vi", "Lộc"}

	middleMale   = weighted("Văn*5", "Đức*2", "Minh*2", "Quang", "Hữu", "Công", "Tiến", "Xuân", "Thanh", "Mạnh", "Ngọc", "Trọng", "Duy", "Hoàng", "Đình")
	middleFemale = weighted("Thị*7", "Thu", "Ngọc", "Thanh", "Phương", "Hồng", "Minh", "Khánh", "Thùy", "Mai", "Hải", "Bích", "Diệu", "Kim")
	// secondMiddleFemale follow Thị in four-word names: Nguyễn Thị Thu Hà.
	secondMiddleFemale = []string{"Thu", "Thanh", "Hồng", "Ngọc", "Phương", "Minh", "Kim", "Bích"}

	givenMale = []string{"Hùng", "Dũng", "Tuấn", "Hải", "Nam", "Long", "Khánh", "Quân", "Phong", "Thắng", "Trung",
		"Đạt", "Hiếu", "Tùng", "Sơn", "Cường", "Việt", "Hoàng", "Bình", "Thành", "Kiên", "Huy", "Duy", "Lâm", "Tài",
		"Chiến", "Mạnh", "Vinh", "Hưng", "Quang", "Toàn", "Thịnh", "Lộc", "Phúc", "An", "Đông", "Hòa", "Tú", "Đức",
		"Nghĩa", "Thuận", "Khải", "Hậu", "Tâm", "Trường", "Định"}
	givenFemale = []string{"Lan", "Hương", "Hoa", "Mai", "Linh", "Trang", "Thảo", "Hằng", "Nga", "Yến", "Ngọc", "Hà",
		"Phương", "Huyền", "Thủy", "Nhung", "Vân", "Oanh", "Thúy", "Dung", "Giang", "Loan", "Hạnh", "Quyên", "Hiền",
		"Liên", "Chi", "Anh", "Nhàn", "Thơm", "Duyên", "Ly", "My", "Tâm", "Quỳnh", "Trinh", "Hậu", "Thắm", "Xuân", "Lụa"}

	clanJrai        = weighted("Ksor*3", "Siu*3", "Rơ Châm*2", "Rah Lan*2", "Kpă*2", "Nay*2", "Rơ Mah", "Puih", "Rơ Lan", "Kpuih", "Hiao", "Rơ O")
	givenJraiMale   = []string{"Blơ", "Tin", "Khuông", "Thuyên", "Dơk", "Hyưk", "Bôn", "Djuh", "Plơi", "Nghiêm", "Thành", "Lâm", "Hiếu", "Nhâm", "Yưn", "Ngưl", "Blưm", "Tuân", "Phước", "Hlim", "Jek", "Kly"}
	givenJraiFemale = []string{"H'Dim", "H'Ngơi", "H'Bơ", "H'Prai", "H'Yen", "H'Mai", "Hlơng", "H'Lan", "Nhi", "Thu", "H'Nuôi", "H'Phương", "H'Rin", "H'Liên", "Hnhơn", "H'Yun", "Hyer", "H'Bla"}
	givenBanaMale   = []string{"Hmum", "Bluih", "Yơh", "Hrôn", "Đuông", "Bưh", "Phiên", "Khim", "Byưn"}
	givenBanaFemale = []string{"Hlem", "Yêr", "Pông", "Blin", "Hnăm", "Hnui", "Nhen", "Jưi"}
)

func pick(rng *rand.Rand, xs []string) string { return xs[rng.IntN(len(xs))] }

// personName draws a full name for a person of the ethnicity and sex; region chooses the Kinh family
// names ("north", "thaibinh", "central").
func personName(rng *rand.Rand, ethnicity, sex, region string) string {
	female := sex == "female"
	var s string
	switch ethnicity {
	case "gia_rai":
		if female {
			s = pick(rng, clanJrai) + " " + pick(rng, givenJraiFemale)
		} else {
			s = pick(rng, clanJrai) + " " + pick(rng, givenJraiMale)
		}
	case "ba_na":
		if female {
			s = "Đinh Thị " + pick(rng, givenBanaFemale)
		} else {
			s = "Đinh Văn " + pick(rng, givenBanaMale)
		}
	default:
		family := familyNorth
		switch {
		case ethnicity == "san_diu":
			family = familySanDiu
		case ethnicity == "tay" || ethnicity == "nung":
			family = familyTay
		case region == "thaibinh":
			family = familyThaiBinh
		case region == "central":
			family = familyCentral
		}
		if female {
			middle := pick(rng, middleFemale)
			if middle == "Thị" && rng.IntN(4) == 0 {
				middle += " " + pick(rng, secondMiddleFemale)
			}
			s = pick(rng, family) + " " + middle + " " + pick(rng, givenFemale)
		} else {
			s = pick(rng, family) + " " + pick(rng, middleMale) + " " + pick(rng, givenMale)
		}
	}
	return norm.NFC.String(s)
}
