package seed

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// Scale sizes. The national figures are those of DOMAIN.md (Scale): about 5.6 million members, 52,000
// grassroots organizations, 400,000 cells, 63 provinces and some 700 districts before 1 July 2025, 34
// provinces and 3,321 communes after.
const (
	nationalMembers    = 5_600_000
	nationalCommunes   = 10_035 // before the reform
	communesAfter      = 3_321  // after it (Quy định 294-QĐ/TW; see reform)
	nationalGrassroots = 48_700 // besides the commune committees
	nationalDistricts  = 705
	nationalCells      = 400_000
	provinceMembers    = 200_000
)

var reformDay = mkday(2025, 7, 1)

// Key dates of the recorded history.
var (
	merger2020 = mkday(2020, 1, 1)
	merger2025 = mkday(2025, 1, 1)
	renameDay  = mkday(2020, 9, 1)
)

// plan is what a scale generates: the provinces and the number of members of each.
type plan struct {
	scale   string
	provs   []*province
	members map[*province]float64
	demo    bool
}

func newPlan(scale string) (*plan, error) {
	p := &plan{scale: scale, members: map[*province]float64{}}
	// HCM (with Bình Dương and Bà Rịa - Vũng Tàu, ≈ 366,000 today) and Hà Nội keep their figures; the
	// others are scaled to the national total.
	fixed := map[string]bool{"079": true, "074": true, "077": true, "001": true}
	var fixedSum, otherSum float64
	for _, pr := range provinces {
		if fixed[pr.Code] {
			fixedSum += pr.Members
		} else {
			otherSum += pr.Members
		}
	}
	f := (nationalMembers/1000 - fixedSum) / otherSum
	national := map[*province]float64{}
	for _, pr := range provinces {
		m := pr.Members * 1000
		if !fixed[pr.Code] {
			m *= f
		}
		national[pr] = m
	}
	switch scale {
	case "national":
		p.provs = provinces
		p.members = national
	case "province":
		// Đà Nẵng since 01/07/2025: Đà Nẵng and Quảng Nam (Tiên Phước, Nông Sơn of the seeds), about
		// 200,000 members, scaled to that figure.
		var sum float64
		for _, pr := range provinces {
			if successorOf(pr).Code == "048" {
				p.provs = append(p.provs, pr)
				sum += national[pr]
			}
		}
		for _, pr := range p.provs {
			p.members[pr] = national[pr] * provinceMembers / sum
		}
	case "small":
		// Gia Lai (Pleiku and Chư Păh) and Bình Định (Quy Nhơn), merged into Gia Lai on 01/07/2025.
		p.demo = true
		p.provs = []*province{provinceByCode("052"), provinceByCode("064")}
		p.members[p.provs[0]] = 650
		p.members[p.provs[1]] = 2100
	default:
		return nil, fmt.Errorf("seed: unknown scale %q (demo, province, national)", scale)
	}
	slices.SortFunc(p.provs, func(a, b *province) int { return strings.Compare(a.Code, b.Code) })
	return p, nil
}

// builder builds the hierarchy of a plan with its history.
type builder struct {
	t     *tree
	p     *plan
	r     rng
	start day // history start
	today day
	// cells: the units that hold members, in generation order.
	cells []*unit
	// per old district: its territorial (village) cells and its other cells, for transfers.
	districtVillageCells map[*unit][]*unit
	districtOtherCells   map[*unit][]*unit
	provinceCells        map[*province][]*unit
	founded              map[*unit]foundInfo // cells created after the start: when, and where founders come from
	docNo                map[string]int
	newCommunes          int // the commune committees the 2025 reform leaves
	communesBefore       int // and those alive on the day, before it
}

type foundInfo struct {
	on     day
	source *unit
}

func (b *builder) decision(issuer string, signed day) string {
	k := fmt.Sprintf("%s/%d", issuer, signed.year())
	if _, ok := b.docNo[k]; !ok {
		b.docNo[k] = 40 + b.r.IntN(300)
	}
	b.docNo[k] += 1 + b.r.IntN(4)
	return fmt.Sprintf("Quyết định số %d-QĐ/%s ngày %s", b.docNo[k], issuer, signed.vn())
}

const recorder = "seed"

// placeName draws a two-word place name of the region, not yet used in the scope of used.
func (b *builder) placeName(region string, used map[string]bool) string {
	words := placeWords[region]
	for i := 0; ; i++ {
		a, c := pick(b.r, words), pick(b.r, words)
		if a == c {
			continue
		}
		n := a + " " + c // Tân Phú, Ia Grai, Mường Khương: every word capitalized
		if !used[n] || i > 50 {
			if used[n] {
				n = fmt.Sprintf("%s %d", n, i)
			}
			used[n] = true
			return n
		}
	}
}

func provinceUnitName(p *province) string {
	if p.City {
		return "Đảng bộ thành phố " + p.Name
	}
	return "Đảng bộ tỉnh " + p.Name
}

// build records the hierarchy as it stood at the start of the history, its changes up to the reform,
// the reform itself and a few units created since.
func (b *builder) build() {
	doc := "Số liệu đầu kỳ " + b.start.vn()
	note := "Dữ liệu mẫu (seed): tổ chức đảng hiện có tại ngày " + b.start.vn() + "; ngày thành lập thực tế không ghi."
	for _, pr := range b.p.provs {
		b.buildProvince(pr, doc, note)
	}
	b.history()
	b.reform()
	b.after()
}

func newBuilder(p *plan, seed uint64, start, today day) *builder {
	return &builder{t: newTree(), p: p, r: newRNG(seed, 1), start: start, today: today,
		districtVillageCells: map[*unit][]*unit{}, districtOtherCells: map[*unit][]*unit{}, provinceCells: map[*province][]*unit{},
		founded: map[*unit]foundInfo{}, docNo: map[string]int{}}
}

// district describes a district of the plan.
type districtSpec struct {
	name  string // "thành phố Pleiku", "huyện Chư Păh", "quận Hải Châu"
	urban bool   // a city, an urban district or a town
	level string // huyện, quận, thành phố, thị xã
	place string
	nComm int
	nOrg  int // grassroots organizations besides the communes
}

func (b *builder) districtsOf(pr *province) []districtSpec {
	m := b.p.members[pr] / 1000
	var names []string
	capital := "thành phố " + pr.Capital
	if pr.City {
		capital = "quận " + pr.Capital
		if pr.Code == "079" {
			capital = "Quận 1"
		}
	}
	names = append(names, capital)
	if b.p.demo {
		if pr.Code == "064" {
			names = append(names, "huyện Chư Păh")
		}
	} else if len(pr.Districts) > 0 {
		names = append(names, pr.Districts...)
	} else {
		n := int(math.Round(m * nationalDistricts / (nationalMembers / 1000)))
		n = min(max(n, 6), 30)
		used := map[string]bool{pr.Capital: true}
		for len(names) < n {
			level := "huyện"
			switch {
			case pr.City && b.r.chance(0.5):
				level = "quận"
			case b.r.chance(0.1):
				level = "thị xã"
			}
			names = append(names, level+" "+b.placeName(pr.Region, used))
		}
	}
	communes := m * nationalCommunes / (nationalMembers / 1000)
	orgs := m * nationalGrassroots / (nationalMembers / 1000) * 0.62
	out := make([]districtSpec, len(names))
	weights := make([]float64, len(names))
	var sum float64
	for i, n := range names {
		level, place, _ := strings.Cut(n, " ")
		if level == "Quận" {
			level, place = "quận", n
		}
		if level == "thành" || level == "thị" {
			lv, pl, _ := strings.Cut(place, " ")
			level, place = level+" "+lv, pl
		}
		urban := level != "huyện"
		out[i] = districtSpec{name: n, urban: urban, level: level, place: place}
		weights[i] = 0.7 + 0.6*b.r.Float64()
		if i == 0 {
			weights[i] *= 1.6
		}
		sum += weights[i]
	}
	for i := range out {
		out[i].nComm = max(2, int(math.Round(communes*weights[i]/sum)))
		out[i].nOrg = max(2, int(math.Round(orgs*weights[i]/sum)))
		if b.p.demo {
			out[i].nComm, out[i].nOrg = 3, 3
			if out[i].place == "Pleiku" {
				out[i].nComm, out[i].nOrg = 5, 5
			}
		}
	}
	return out
}

func (b *builder) buildProvince(pr *province, doc, note string) {
	pu := b.t.create("P"+pr.Code, provinceUnitName(pr), "province", "territorial", nil, b.start, doc, note)
	pu.prov = pr
	b.provinceCells[pr] = nil
	for di, d := range b.districtsOf(pr) {
		b.buildDistrict(pr, pu, di+1, d, doc, note)
	}
	b.buildProvinceOrgs(pr, pu, doc, note)
}

func (b *builder) memberUnit(u *unit, pr *province, district *unit, profile string, size float64, urban bool) {
	u.prov, u.district, u.profile, u.size, u.urban = pr, district, profile, size, urban
	u.seq = len(b.cells)
	b.cells = append(b.cells, u)
	b.provinceCells[pr] = append(b.provinceCells[pr], u)
	if district != nil {
		if profile == "village" {
			b.districtVillageCells[district] = append(b.districtVillageCells[district], u)
		} else {
			b.districtOtherCells[district] = append(b.districtOtherCells[district], u)
		}
	}
}

func (b *builder) buildDistrict(pr *province, pu *unit, n int, d districtSpec, doc, note string) {
	code := fmt.Sprintf("%s.D%02d", pu.code, n)
	du := b.t.create(code, "Đảng bộ "+d.name, "district", "territorial", pu, b.start, doc, note)
	du.prov, du.urban, du.place = pr, d.urban, d.place
	used := map[string]bool{}
	for c := 1; c <= d.nComm; c++ {
		level := "xã"
		switch {
		case d.level == "quận" || (d.urban && c <= d.nComm*3/4) || (d.level == "thành phố" && b.r.chance(0.8)):
			level = "phường"
		case c == 1:
			level = "thị trấn"
		}
		name := b.placeName(pr.Region, used)
		if b.p.demo && d.place == "Pleiku" {
			name = []string{"Hội Thương", "Hoa Lư", "Tây Sơn", "Diên Hồng", "Gào"}[c-1]
			if c == 5 {
				level = "xã"
			}
		}
		b.buildCommune(pr, du, fmt.Sprintf("%s.X%02d", code, c), level, name, doc, note)
	}
	b.buildDistrictOrgs(pr, du, d, doc, note)
}

// villageWord names a village by region and urban status.
func villageWord(region, level string) (word, abbr, kind string) {
	switch {
	case level != "xã" && region == "sct":
		return "khu phố", "KP", "residential_group"
	case level != "xã" && region == "mk":
		return "khóm", "KH", "residential_group"
	case level != "xã":
		return "tổ dân phố", "TDP", "residential_group"
	case region == "mk" || region == "se":
		return "ấp", "AP", "village"
	case region == "nmt":
		return "bản", "BAN", "village"
	case region == "hl":
		return "thôn", "THON", "village"
	}
	return "thôn", "THON", "village"
}

func (b *builder) buildCommune(pr *province, du *unit, code, level, name, doc, note string) {
	cu := b.t.create(code, "Đảng bộ "+level+" "+name, "grassroots_committee", "territorial", du, b.start, doc, note)
	cu.prov, cu.district, cu.place, cu.urban = pr, du, level+" "+name, level != "xã"
	urban := level != "xã"
	word, abbr, kind := villageWord(pr.Region, level)
	nv := b.r.between(4, 10)
	if urban {
		nv = b.r.between(5, 12)
	}
	if mountainous(pr.Region) && !urban {
		nv = b.r.between(5, 13)
	}
	if b.p.demo {
		nv = b.r.between(5, 8)
	}
	uncovered := 0.015
	if mountainous(pr.Region) {
		uncovered = 0.04
	}
	for v := 1; v <= nv; v++ {
		vname := fmt.Sprintf("%s %d", word, v)
		if pr.Region == "hl" && !urban && b.r.chance(0.35) {
			vname = "làng " + pick(b.r, jraiVillages)
			if pr.Code == "066" {
				vname = "buôn " + pick(b.r, edeVillages)
			}
		}
		vcode := fmt.Sprintf("%s.%s%02d", code, abbr, v)
		vg := &village{id: int64(len(b.t.villages) + 1), code: "V." + vcode, name: upperFirst(vname), kind: kind, commune: cu, from: b.start}
		b.t.villages = append(b.t.villages, vg)
		if b.r.chance(uncovered) && !b.p.demo {
			continue // a village without a cell ("thôn trắng")
		}
		cell := b.t.create(vcode, "Chi bộ "+vname, "cell", "territorial", cu, b.start, doc, note)
		vg.cell, vg.cellFrom = cell, b.start
		cell.village = vg
		size := villageSize(pr.Region, urban)
		b.memberUnit(cell, pr, du, "village", size*(0.6+0.8*b.r.Float64()), urban)
	}
	inst := []struct{ key, name, sector, profile string }{
		{"CQ", "Chi bộ Cơ quan " + level + " " + name, "state_agency", "commune_agency"},
		{"CA", "Chi bộ Công an " + level + " " + name, "armed_forces", "police"},
		{"QS", "Chi bộ Quân sự " + level + " " + name, "armed_forces", "military"},
		{"YT", "Chi bộ Trạm Y tế " + level + " " + name, "public_service", "health"},
		{"TH", "Chi bộ Trường Tiểu học " + name, "public_service", "teacher"},
		{"CS", "Chi bộ Trường THCS " + name, "public_service", "teacher"},
		{"MN", "Chi bộ Trường Mầm non " + name, "public_service", "teacher"},
	}
	for _, in := range inst {
		if (in.key == "MN" || in.key == "QS") && b.r.chance(0.4) {
			continue
		}
		u := b.t.create(code+"."+in.key, in.name, "cell", in.sector, cu, b.start, doc, note)
		b.memberUnit(u, pr, du, in.profile, profileSize(in.profile)*(0.6+0.8*b.r.Float64()), urban)
	}
}

func villageSize(region string, urban bool) float64 {
	switch {
	case region == "rrd" || region == "nct":
		if urban {
			return 30
		}
		return 34
	case region == "nmt":
		return 20
	case urban:
		return 24
	}
	return 16
}

func upperFirst(s string) string {
	for i, r := range s {
		return strings.ToUpper(string(r)) + s[i+len(string(r)):]
	}
	return s
}

// orgSpec is a grassroots organization besides the communes.
type orgSpec struct {
	name, sector, profile string
	committee             bool // a grassroots committee with cells (else a grassroots cell)
	cells                 int
	cellWord              string // "Phòng", "Khoa", "Đội", …
}

func (b *builder) districtOrgs(pr *province, d districtSpec, n int) []orgSpec {
	place := d.level + " " + d.place
	out := []orgSpec{
		{name: "Đảng bộ Cơ quan Chính quyền " + place, sector: "state_agency", profile: "agency", committee: true, cells: b.r.between(8, 16), cellWord: "agency"},
		{name: "Đảng bộ Khối Dân – Chính – Đảng " + place, sector: "state_agency", profile: "agency", committee: true, cells: b.r.between(5, 9), cellWord: "party"},
		{name: "Đảng bộ Quân sự " + place, sector: "armed_forces", profile: "military", committee: true, cells: b.r.between(3, 6), cellWord: "military"},
		{name: "Đảng bộ Trung tâm Y tế " + place, sector: "public_service", profile: "health", committee: true, cells: b.r.between(4, 8), cellWord: "health"},
	}
	schools := []string{"Trường THPT " + d.place, "Trường THPT " + pick(b.r, famousNames), "Trường THPT " + pick(b.r, famousNames)}
	agencies := []string{"Chi cục Thuế", "Kho bạc Nhà nước", "Bảo hiểm xã hội", "Viện Kiểm sát nhân dân", "Tòa án nhân dân", "Chi cục Thi hành án dân sự", "Chi cục Thống kê", "Ngân hàng Chính sách xã hội", "Ngân hàng Nông nghiệp và Phát triển nông thôn", "Trung tâm Văn hóa – Thể thao", "Ban Quản lý dự án đầu tư xây dựng", "Trung tâm Giáo dục nghề nghiệp – Giáo dục thường xuyên", "Hạt Kiểm lâm", "Điện lực", "Bưu điện"}
	for i := 0; len(out) < n; i++ {
		switch r := b.r.Float64(); {
		case i < len(schools) && r < 0.5:
			out = append(out, orgSpec{name: "Chi bộ " + schools[i], sector: "school", profile: "school"})
		case r < 0.55:
			a := agencies[b.r.IntN(len(agencies))]
			sector, profile := "state_agency", "agency"
			switch a {
			case "Ngân hàng Nông nghiệp và Phát triển nông thôn", "Điện lực", "Bưu điện":
				sector, profile = "state_enterprise", "state_enterprise"
			case "Trung tâm Văn hóa – Thể thao", "Ban Quản lý dự án đầu tư xây dựng", "Trung tâm Giáo dục nghề nghiệp – Giáo dục thường xuyên":
				sector, profile = "public_service", "public"
			}
			out = append(out, orgSpec{name: "Chi bộ " + a + " " + place, sector: sector, profile: profile})
		case r < 0.62:
			out = append(out, orgSpec{name: "Đảng bộ Công ty Cổ phần " + pick(b.r, enterpriseTrades) + " " + pick(b.r, enterpriseWords), sector: "state_enterprise", profile: "state_enterprise", committee: true, cells: b.r.between(3, 7), cellWord: "enterprise"})
		default:
			out = append(out, orgSpec{name: "Chi bộ Công ty TNHH " + pick(b.r, enterpriseTrades) + " " + pick(b.r, enterpriseWords), sector: "non_state_enterprise", profile: "nonstate"})
		}
	}
	return out[:n]
}

var famousNames = []string{"Nguyễn Du", "Lê Lợi", "Trần Phú", "Lê Quý Đôn", "Nguyễn Trãi", "Quang Trung", "Phan Bội Châu", "Hùng Vương",
	"Nguyễn Huệ", "Lý Thường Kiệt", "Trần Hưng Đạo", "Chu Văn An", "Võ Thị Sáu", "Nguyễn Bỉnh Khiêm", "Phan Chu Trinh", "Lương Thế Vinh"}

var cellWords = map[string][]string{
	"agency":     {"Văn phòng HĐND và UBND", "Phòng Tài chính – Kế hoạch", "Phòng Giáo dục và Đào tạo", "Phòng Nông nghiệp và Môi trường", "Phòng Tư pháp", "Phòng Nội vụ", "Phòng Văn hóa – Thông tin", "Phòng Kinh tế – Hạ tầng", "Phòng Y tế", "Thanh tra", "Phòng Lao động – Thương binh và Xã hội", "Phòng Tài nguyên và Môi trường", "Phòng Dân tộc", "Phòng Quản lý đô thị", "Phòng Tổ chức – Hành chính", "Phòng Kế hoạch – Tổng hợp", "Phòng Nghiệp vụ"},
	"party":      {"Văn phòng Huyện ủy", "Ban Tổ chức", "Ban Tuyên giáo", "Ủy ban Kiểm tra", "Ban Dân vận", "Ủy ban Mặt trận Tổ quốc", "Hội Liên hiệp Phụ nữ", "Đoàn Thanh niên", "Hội Nông dân", "Hội Cựu chiến binh", "Trung tâm Chính trị"},
	"military":   {"Ban Chỉ huy", "Cơ quan Tham mưu", "Cơ quan Chính trị", "Cơ quan Hậu cần – Kỹ thuật", "Trung đội Dân quân thường trực", "Đại đội 1", "Đại đội 2", "Tiểu đoàn 1", "Tiểu đoàn 2"},
	"police":     {"Phòng Tham mưu", "Phòng Cảnh sát giao thông", "Phòng Cảnh sát hình sự", "Phòng An ninh chính trị nội bộ", "Phòng Cảnh sát quản lý hành chính về trật tự xã hội", "Phòng Cảnh sát phòng cháy chữa cháy", "Phòng Hậu cần", "Phòng Tổ chức cán bộ", "Đội Cảnh sát cơ động", "Trại tạm giam"},
	"health":     {"Khoa Nội", "Khoa Ngoại", "Khoa Sản", "Khoa Nhi", "Khoa Hồi sức cấp cứu", "Khoa Dược", "Phòng Kế hoạch tổng hợp", "Khoa Xét nghiệm", "Khoa Kiểm soát bệnh tật", "Phòng Tổ chức – Hành chính", "Khoa Y học cổ truyền", "Khoa Chẩn đoán hình ảnh"},
	"enterprise": {"Phòng Kỹ thuật", "Phòng Kinh doanh", "Phòng Tài chính – Kế toán", "Phân xưởng Sản xuất", "Phòng Tổ chức – Hành chính", "Xí nghiệp 1", "Xí nghiệp 2", "Chi nhánh", "Đội Thi công", "Phòng Vật tư"},
	"university": {"Khoa Kinh tế", "Khoa Sư phạm", "Khoa Kỹ thuật", "Khoa Công nghệ thông tin", "Khoa Ngoại ngữ", "Khoa Luật", "Khoa Nông học", "Phòng Đào tạo", "Phòng Tổ chức – Hành chính", "Sinh viên", "Khoa Y", "Khoa Lý luận chính trị"},
	"province":   {"Phòng Tổng hợp", "Phòng Nghiệp vụ 1", "Phòng Nghiệp vụ 2", "Văn phòng", "Phòng Kế hoạch – Tài chính", "Phòng Tổ chức cán bộ", "Thanh tra", "Phòng Pháp chế", "Trung tâm Thông tin", "Phòng Quản lý"},
}

func (b *builder) buildOrg(pr *province, parent, district *unit, code string, o orgSpec, urban bool, doc, note string) {
	kind := "grassroots_cell"
	if o.committee {
		kind = "grassroots_committee"
	}
	u := b.t.create(code, o.name, kind, o.sector, parent, b.start, doc, note)
	u.prov, u.district = pr, district
	if !o.committee {
		b.memberUnit(u, pr, district, o.profile, profileSize(o.profile)*1.5*(0.6+0.8*b.r.Float64()), urban)
		return
	}
	words := cellWords[o.cellWord]
	for c := 1; c <= o.cells; c++ {
		name := words[(c-1)%len(words)]
		if c > len(words) {
			name = fmt.Sprintf("%s %d", name, (c-1)/len(words)+1)
		}
		cu := b.t.create(fmt.Sprintf("%s.C%02d", code, c), "Chi bộ "+name, "cell", o.sector, u, b.start, doc, note)
		b.memberUnit(cu, pr, district, o.profile, profileSize(o.profile)*(0.6+0.8*b.r.Float64()), urban)
	}
}

func (b *builder) buildDistrictOrgs(pr *province, du *unit, d districtSpec, doc, note string) {
	for i, o := range b.districtOrgs(pr, d, d.nOrg) {
		b.buildOrg(pr, du, du, fmt.Sprintf("%s.G%02d", du.code, i+1), o, d.urban, doc, note)
	}
}

// buildProvinceOrgs records the grassroots organizations directly under the province: its agencies,
// police, military, hospitals, schools and enterprises. They hold most of the province's cells.
func (b *builder) buildProvinceOrgs(pr *province, pu *unit, doc, note string) {
	m := b.p.members[pr] / 1000
	n := int(math.Round(m * nationalGrassroots / (nationalMembers / 1000) * 0.38))
	// The cells still needed to reach the national cell count, shared by the committees below.
	have := len(b.provinceCells[pr])
	want := int(m * nationalCells / (nationalMembers / 1000))
	if b.p.demo {
		n = 4
		want = have + 12
	}
	var orgs []orgSpec
	place := "tỉnh " + pr.Name
	if pr.City {
		place = "thành phố " + pr.Name
	}
	orgs = append(orgs,
		orgSpec{name: "Đảng bộ Công an " + place, sector: "armed_forces", profile: "police", committee: true, cellWord: "police"},
		orgSpec{name: "Đảng bộ Bộ Chỉ huy Quân sự " + place, sector: "armed_forces", profile: "military", committee: true, cellWord: "military"},
		orgSpec{name: "Đảng bộ Bệnh viện Đa khoa " + place, sector: "public_service", profile: "health", committee: true, cellWord: "health"},
		orgSpec{name: "Đảng bộ Cơ quan Văn phòng Tỉnh ủy " + pr.Name, sector: "state_agency", profile: "agency", committee: true, cellWord: "province"},
	)
	if pr.Border && !b.p.demo {
		orgs = append(orgs, orgSpec{name: "Đảng bộ Bộ đội Biên phòng " + place, sector: "armed_forces", profile: "military", committee: true, cellWord: "military"})
	}
	depts := []string{"Sở Tài chính", "Sở Nội vụ", "Sở Tư pháp", "Sở Y tế", "Sở Giáo dục và Đào tạo", "Sở Xây dựng", "Sở Công Thương",
		"Sở Nông nghiệp và Môi trường", "Sở Khoa học và Công nghệ", "Sở Văn hóa, Thể thao và Du lịch", "Thanh tra tỉnh", "Cục Thuế",
		"Kho bạc Nhà nước", "Bảo hiểm xã hội", "Viện Kiểm sát nhân dân", "Tòa án nhân dân", "Cục Hải quan", "Ngân hàng Nhà nước – Chi nhánh",
		"Báo " + pr.Name, "Đài Phát thanh – Truyền hình", "Trường Chính trị", "Sở Ngoại vụ", "Sở Dân tộc và Tôn giáo"}
	for i := 0; len(orgs) < n; i++ {
		switch r := b.r.Float64(); {
		case i < len(depts):
			sector := "state_agency"
			if strings.HasPrefix(depts[i], "Báo") || strings.HasPrefix(depts[i], "Đài") || strings.HasPrefix(depts[i], "Trường") {
				sector = "public_service"
			}
			orgs = append(orgs, orgSpec{name: "Đảng bộ " + depts[i] + " " + pr.Name, sector: sector, profile: profileOf(sector), committee: true, cellWord: "province"})
		case r < 0.12:
			orgs = append(orgs, orgSpec{name: "Đảng bộ Trường Đại học " + pick(b.r, famousNames) + " " + pr.Name, sector: "school", profile: "university", committee: true, cellWord: "university"})
		case r < 0.3:
			orgs = append(orgs, orgSpec{name: "Chi bộ Trường THPT " + pick(b.r, famousNames), sector: "school", profile: "school"})
		case r < 0.45:
			orgs = append(orgs, orgSpec{name: "Đảng bộ Bệnh viện " + pick(b.r, []string{"Nhi", "Sản – Nhi", "Y học cổ truyền", "Phục hồi chức năng", "Tâm thần", "Lao và Bệnh phổi", "Mắt", "Phổi"}) + " " + pr.Name, sector: "public_service", profile: "health", committee: true, cellWord: "health"})
		case r < 0.6:
			orgs = append(orgs, orgSpec{name: "Đảng bộ Công ty " + pick(b.r, []string{"TNHH MTV", "Cổ phần"}) + " " + pick(b.r, enterpriseTrades) + " " + pick(b.r, enterpriseWords), sector: "state_enterprise", profile: "state_enterprise", committee: true, cellWord: "enterprise"})
		case r < 0.75:
			orgs = append(orgs, orgSpec{name: "Đảng bộ Công ty Cổ phần " + pick(b.r, enterpriseTrades) + " " + pick(b.r, enterpriseWords), sector: "non_state_enterprise", profile: "nonstate", committee: true, cellWord: "enterprise"})
		default:
			orgs = append(orgs, orgSpec{name: "Chi bộ Công ty TNHH " + pick(b.r, enterpriseTrades) + " " + pick(b.r, enterpriseWords), sector: "non_state_enterprise", profile: "nonstate"})
		}
	}
	// Share the missing cells among the committees, the police and the military getting the most.
	var weights []float64
	var sum float64
	for _, o := range orgs {
		w := 0.0
		if o.committee {
			w = 0.4 + 1.2*b.r.Float64()
			switch o.profile {
			case "police":
				w *= 14
			case "military":
				w *= 5
			case "health", "university":
				w *= 2
			}
		}
		weights = append(weights, w)
		sum += w
	}
	missing := max(want-have, len(orgs)*3)
	for i := range orgs {
		if orgs[i].committee {
			orgs[i].cells = max(2, int(math.Round(float64(missing)*weights[i]/sum)))
		}
	}
	for i, o := range orgs {
		b.buildOrg(pr, pu, nil, fmt.Sprintf("%s.G%03d", pu.code, i+1), o, true, doc, note)
	}
}

func profileOf(sector string) string {
	switch sector {
	case "public_service":
		return "public"
	case "state_enterprise":
		return "state_enterprise"
	case "non_state_enterprise":
		return "nonstate"
	case "school":
		return "school"
	case "armed_forces":
		return "military"
	}
	return "agency"
}

// history records the changes between the start and the reform: commune mergers (Nghị quyết of the
// National Assembly Standing Committee, effective 01/01/2020 and 01/01/2025), the renaming of district
// bloc committees (2020), new enterprise cells (2017–2024) and Thừa Thiên Huế becoming the city of Huế
// (01/01/2025).
func (b *builder) history() {
	districts := b.units("district")
	// 2020: commune mergers in some districts.
	if b.start < merger2020 {
		b.mergeRound(districts, merger2020, 0.16, 800, "NQ-UBTVQH14", mkday(2019, 12, 17))
	}
	// 2020: the "Khối Dân – Chính – Đảng" committees take their new name.
	if b.start < renameDay {
		for _, d := range districts {
			for _, k := range d.kids {
				if strings.HasPrefix(k.name(), "Đảng bộ Khối Dân – Chính – Đảng") && b.r.chance(0.6) {
					b.t.rename(k, strings.Replace(k.name(), "Khối Dân – Chính – Đảng", "Cơ quan Đảng – Đoàn thể", 1), renameDay,
						b.decision("HU", renameDay-5), "Đổi tên Đảng bộ Khối Dân – Chính – Đảng thành Đảng bộ Cơ quan Đảng – Đoàn thể.")
				}
			}
		}
	}
	// 2017–2024: new non-state enterprise cells under the districts, founded by members transferred
	// from the district's cells.
	for _, d := range districts {
		if !b.r.chance(0.25) && !(b.p.demo && d.place == "Pleiku") {
			continue
		}
		y := b.r.between(max(b.start.year()+1, 2017), 2024)
		on := mkday(y, b.r.between(1, 12), 1) + day(b.r.IntN(27))
		if on <= b.start {
			continue
		}
		n := 1
		for _, k := range d.kids {
			if strings.HasPrefix(k.code, d.code+".G") {
				n++
			}
		}
		code := fmt.Sprintf("%s.G%02d", d.code, n)
		name := "Chi bộ Công ty TNHH " + pick(b.r, enterpriseTrades) + " " + pick(b.r, enterpriseWords)
		u := b.t.create(code, name, "grassroots_cell", "non_state_enterprise", d, on, b.decision("HU", on-7),
			"Thành lập chi bộ doanh nghiệp ngoài nhà nước trực thuộc "+strings.TrimPrefix(d.name(), "Đảng bộ ")+".")
		// The founders come from a cell of the district that existed when the records begin.
		var srcs []*unit
		for _, x := range b.districtOtherCells[d] {
			if x.from <= b.start {
				srcs = append(srcs, x)
			}
		}
		b.memberUnit(u, d.prov, d, "nonstate", profileSize("nonstate")*1.2, d.urban)
		b.founded[u] = foundInfo{on: on, source: srcs[b.r.IntN(len(srcs))]}
	}
	// 01/01/2025: another round of commune mergers, and Huế.
	if b.start < merger2025 {
		b.mergeRound(districts, merger2025, 0.12, 1200, "NQ-UBTVQH15", mkday(2024, 10, 24))
		if u := b.t.byCode["P046"]; u != nil {
			b.t.rename(u, "Đảng bộ thành phố Huế", merger2025, "Nghị quyết số 1314/NQ-UBTVQH15 ngày 30/11/2024",
				"Thành lập thành phố Huế trực thuộc trung ương trên cơ sở tỉnh Thừa Thiên Huế.")
		}
	}
}

func (b *builder) units(kind string) []*unit {
	var out []*unit
	for _, u := range b.t.units {
		if u.kind == kind && u.alive() {
			out = append(out, u)
		}
	}
	return out
}

// communesOf lists the alive commune committees of a district.
func communesOf(d *unit) []*unit {
	var out []*unit
	for _, k := range d.kids {
		if k.kind == "grassroots_committee" && k.sector == "territorial" && k.alive() {
			out = append(out, k)
		}
	}
	return out
}

// mergeRound merges pairs of communes in a share of the districts into new communes of the district.
func (b *builder) mergeRound(districts []*unit, on day, share float64, firstNo int, series string, signed day) {
	no := firstNo + b.r.IntN(50)
	for _, d := range districts {
		cs := communesOf(d)
		if len(cs) < 3 || !b.r.chance(share) {
			continue
		}
		no++
		doc := fmt.Sprintf("Nghị quyết số %d/%s ngày %s", no, series, signed.vn())
		pairs := 1 + b.r.IntN(min(2, len(cs)/3))
		for i := 0; i < pairs; i++ {
			a, c := cs[2*i], cs[2*i+1]
			level, name := splitPlace(a.place)
			_, other := splitPlace(c.place)
			merged := strings.Fields(name)[0] + " " + strings.Fields(other)[len(strings.Fields(other))-1]
			n := 1
			for _, k := range d.kids {
				if strings.HasPrefix(k.code, d.code+".M") {
					n++
				}
			}
			nu := &newUnit{Code: fmt.Sprintf("%s.M%02d", d.code, n), Name: "Đảng bộ " + level + " " + merged, Kind: "grassroots_committee", Sector: "territorial"}
			s := b.t.merge([]*unit{a, c}, nil, nu, d, on, doc,
				fmt.Sprintf("Nhập %s và %s thành %s %s.", a.place, c.place, level, merged))
			s.prov, s.district, s.place, s.urban = d.prov, d, level+" "+merged, a.urban
		}
	}
}

func splitPlace(p string) (level, name string) {
	for _, l := range []string{"thị trấn ", "phường ", "xã "} {
		if strings.HasPrefix(p, l) {
			return strings.TrimSpace(l), p[len(l):]
		}
	}
	return "xã", p
}

// groupSizes splits n communes into k groups (1 ≤ k ≤ n) of random sizes: k-1 distinct cut points
// among the n-1 gaps. The demo merges pairs.
func (b *builder) groupSizes(n, k int) []int {
	if n == 0 {
		return nil
	}
	if b.p.demo {
		sizes := make([]int, 0, (n+1)/2)
		for ; n > 0; n -= 2 {
			sizes = append(sizes, min(n, 2))
		}
		return sizes
	}
	k = min(max(k, 1), n)
	cuts := b.r.Perm(n - 1)[:k-1]
	slices.Sort(cuts)
	sizes := make([]int, 0, k)
	prev := 0
	for _, c := range cuts {
		sizes = append(sizes, c+1-prev)
		prev = c + 1
	}
	return append(sizes, n-prev)
}

// reform records the arrangement of 01/07/2025: in every district the communes merge into new commune
// committees directly under the (successor) province, or move there unchanged; the district's other
// grassroots organizations move under the province; the district ends. Then the provinces merge.
func (b *builder) reform() {
	if b.today < reformDay || b.start >= reformDay {
		return
	}
	nq202 := "Nghị quyết số 202/2025/QH15 ngày 12/06/2025"
	signed := mkday(2025, 6, 30)
	newNo := map[*province]int{}
	usedNames := map[*province]map[string]bool{}
	// How many communes the reform leaves: 3,321 at national scale, the same share of the communes alive
	// on the day at the others. Each district gets its proportional share, the rounding carried over, so
	// that the sum is exact.
	districts := b.units("district")
	alive := 0
	for _, d := range districts {
		alive += len(communesOf(d))
	}
	want := int(math.Round(float64(alive) * communesAfter / nationalCommunes))
	if b.p.scale == "national" {
		want = communesAfter
	}
	b.communesBefore = alive
	seen, made := 0, 0
	for _, d := range districts {
		sp := successorOf(d.prov)
		su := b.t.byCode["P"+sp.Code]
		if usedNames[sp] == nil {
			usedNames[sp] = map[string]bool{}
		}
		cs := communesOf(d)
		commDoc := fmt.Sprintf("Nghị quyết số %d/NQ-UBTVQH15 ngày 16/06/2025", 1654+provIndex(sp))
		decision := b.decision("TU", signed)
		seen += len(cs)
		sizes := b.groupSizes(len(cs), want*seen/max(alive, 1)-made)
		made += len(sizes)
		i := 0
		for _, n := range sizes {
			g := cs[i : i+n]
			i += n
			if len(g) == 1 {
				b.t.move(g[0], su, reformDay, decision, fmt.Sprintf("Đảng bộ %s giữ nguyên, trực thuộc %s.", g[0].place, provinceUnitName(sp)))
				b.newCommunes++
				continue
			}
			level, name := splitPlace(g[0].place)
			if d.urban || level == "thị trấn" {
				level = "phường"
				if !d.urban {
					level = "xã"
				}
			}
			switch {
			case i == n && d.place == d.prov.Capital:
				name = d.place
			case b.r.chance(0.35):
				name = b.placeName(sp.Region, usedNames[sp])
			}
			if usedNames[sp][level+name] {
				name = b.placeName(sp.Region, usedNames[sp])
			}
			usedNames[sp][level+name] = true
			newNo[sp]++
			nu := &newUnit{Code: fmt.Sprintf("P%s.N%04d", sp.Code, newNo[sp]), Name: "Đảng bộ " + level + " " + name, Kind: "grassroots_committee", Sector: "territorial"}
			s := b.t.merge(g, nil, nu, su, reformDay, commDoc, fmt.Sprintf("Thành lập Đảng bộ %s %s trực thuộc %s.", level, name, provinceUnitName(sp)))
			s.prov, s.place, s.urban = sp, level+" "+name, d.urban
			b.newCommunes++
		}
		for _, k := range append([]*unit(nil), d.kids...) {
			b.t.move(k, su, reformDay, decision, "Chuyển về trực thuộc "+provinceUnitName(sp)+" khi kết thúc hoạt động cấp huyện.")
		}
		b.t.dissolve(d, reformDay, decision, "Kết thúc hoạt động của "+d.name()+" (tổ chức chính quyền địa phương hai cấp).")
	}
	// Provinces merged into the province whose name they kept.
	bySucc := map[string][]*unit{}
	var order []string
	for _, pr := range b.p.provs {
		if pr.Successor == "" {
			continue
		}
		if _, ok := bySucc[pr.Successor]; !ok {
			order = append(order, pr.Successor)
		}
		bySucc[pr.Successor] = append(bySucc[pr.Successor], b.t.byCode["P"+pr.Code])
	}
	for _, sc := range order {
		su := b.t.byCode["P"+sc]
		if su == nil {
			continue
		}
		var names []string
		for _, p := range bySucc[sc] {
			names = append(names, p.prov.Name)
		}
		b.t.merge(bySucc[sc], su, nil, nil, reformDay, nq202,
			"Sắp xếp đơn vị hành chính cấp tỉnh: hợp nhất "+strings.Join(names, ", ")+" vào "+provinceByCode(sc).Name+".")
	}
	for _, u := range b.t.units {
		if u.prov != nil {
			u.succProv = successorOf(u.prov)
		}
	}
}

func provIndex(p *province) int {
	for i, x := range provinces {
		if x == p {
			return i
		}
	}
	return 0
}

// after records cells created since the reform: new enterprise cells under the new communes.
func (b *builder) after() {
	if b.today < reformDay+120 {
		return
	}
	for _, u := range b.units("grassroots_committee") {
		if !strings.Contains(u.code, ".N") || !b.r.chance(0.03) && !(b.p.demo && u.code == "P064.N0001") {
			continue
		}
		on := reformDay + day(60+b.r.IntN(int(b.today-reformDay-90)))
		name := "Chi bộ Công ty TNHH " + pick(b.r, enterpriseTrades) + " " + pick(b.r, enterpriseWords)
		cu := b.t.create(u.code+".C01", name, "cell", "non_state_enterprise", u, on, b.decision("ĐU", on-7),
			"Thành lập chi bộ doanh nghiệp ngoài nhà nước trực thuộc "+strings.TrimPrefix(u.name(), "Đảng bộ ")+".")
		// Founders come from a cell of the same commune.
		var src *unit
		for _, k := range u.kids {
			if k != cu && k.profile != "" && k.from <= b.start {
				src = k
				break
			}
		}
		if src == nil {
			continue
		}
		b.memberUnit(cu, src.prov, src.district, "nonstate", profileSize("nonstate")*1.2, true)
		cu.succProv = successorOf(src.prov)
		b.founded[cu] = foundInfo{on: on, source: src}
	}
}
