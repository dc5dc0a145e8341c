// Package demo loads the demo hierarchy: the provinces, districts, communes and cells that the seed
// articles name (Tam Dương in Vĩnh Phúc, Pleiku in Gia Lai, Bình Định, Quỳnh Phụ in Thái Bình, Tiên
// Phước and Nông Sơn in Quảng Nam), with their history as recorded operations: a rename, a move and
// commune mergers before 2025, then the reform of 01/07/2025 (provinces merged by Nghị quyết
// 202/2025/QH15, districts abolished, communes merged into new commune-level committees directly under
// the province).
//
// On that hierarchy the demo shows the candidate pipeline (see candidates.go): in six cells that exist
// today, full members admitted years ago, the commune committee member responsible for each cell, and
// some 80 candidates at every stage, from the source list to full membership, with those who left or
// were removed; some are overdue and some due soon. The hierarchy keeps its fixed historical dates;
// the pipeline's dates are relative to the day it is loaded for (LoadAt).
//
// On top, the admission history of the articles (see history.go): some 2,400 members admitted in the
// districts' cells from 2015 to 2025, so that target progress on the articles' dates shows their figures
// (Quỳnh Phụ 419 of 750 by 26/02/2024, Tam Dương 89 in 2020 and 163 of 160 in 2021, Tiên Phước 28 of
// 60 by 31/07/2021, Pleiku 412 of 800 after two years, Bình Định above 4 % in 2022).
//
// Everything goes through the domain APIs (packages org, people, member, pipeline, target), as the
// system actor "demo", so the demo exercises the same rules as the application; the history goes through
// their batch writers (people.Prepare, member.Check, WriteNew with COPY), in the same transaction.
package sample

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
	"golang.org/x/text/unicode/norm"

	"ptdv/internal/apperr"
	"ptdv/internal/auth"
	dbx "ptdv/internal/db"
	"ptdv/internal/member"
	"ptdv/internal/org"
	"ptdv/internal/vn"
)

// Summary describes the demo data in the database.
type Summary struct {
	// Units is the number of units the demo recorded, ended ones included.
	Units int
	// ByKind counts the demo units that exist today, by kind.
	ByKind map[string]int
	// Operations is the number of tree operations the demo recorded.
	Operations int
	// Villages is the number of villages and residential groups recorded.
	Villages int
	// Persons is the number of persons the demo recorded (candidates, members, committee members),
	// Members those of them who are party members (probationary or full) on the summary's day, and
	// Cases the candidate cases, open and closed, also by stage in CasesByStage.
	Persons, Members, Cases int
	CasesByStage            map[string]int
	// Overdue is the number of things overdue on the summary's day for the open demo cases (rows of
	// the due list dated before that day, as pipeline.DueList marks them).
	Overdue int
	// Duration is how long loading took; 0 when the data was already there. History is the part of it
	// spent on the admission history of the seed articles (history.go).
	Duration, History time.Duration
	// AdminUnitCode is a province (today's Phú Thọ), SampleCommuneCode one of its communes (xã Tam
	// Dương, formed on 01/07/2025) and SampleCellCode a cell of that commune that covers a village.
	AdminUnitCode, SampleCommuneCode, SampleCellCode string
}

// Subject is the actor subject the demo records its operations under.
const Subject = "demo"

const (
	// firstCode is the first unit Load creates and lastCode the last: the first says the demo was
	// loaded, the second that loading finished.
	firstCode = "VP"
	lastCode  = "GL25.PLEIKU.PHONUI"

	adminUnitCode     = "PT"
	sampleCommuneCode = "PT.TAMDUONG"
	sampleCellCode    = "VP.H-TAMDUONG.HOPHOA.TDP01"
)

// Key dates of the demo history.
var (
	start    = day(2015, 1, 1) // the start of the demo history
	reform   = day(2025, 7, 1) // Quy định 294-QĐ/TW, Nghị quyết 202/2025/QH15
	signedAt = day(2025, 6, 30)
)

// Load records the demo data for today in Vietnam (UTC+7): see LoadAt.
func Load(ctx context.Context, db bun.IDB) (Summary, error) {
	return LoadAt(ctx, db, vn.Today())
}

// LoadAt records the demo data, unless it is already there, and returns its summary as of today: the
// hierarchy with its fixed history (2015 to the reform of 01/07/2025 and after), then the candidate
// pipeline, whose dates are all relative to today (cases at every stage, some overdue on today, some
// due within 30 days). today must fall between 01/01/2026 and the real date in Vietnam: every move of
// the pipeline, like the member and people APIs, refuses a date in the future, and the demo's newest
// sources are listed on today.
//
// Loading is one transaction: a failure leaves nothing behind, and of two loads racing on an empty
// database the second fails (CONFLICT on a used code or national ID) without writing anything. A
// database that holds only the hierarchy (loaded before the pipeline was part of the demo) gets the
// pipeline.
func LoadAt(ctx context.Context, db bun.IDB, today time.Time) (Summary, error) {
	ctx = auth.WithActor(ctx, auth.System(Subject))
	t0 := time.Now()
	today = vn.Day(today)
	if latest := vn.Today().AddDate(0, 0, maxAheadDays); today.Before(pipelineFrom) || today.After(latest) {
		return Summary{}, fmt.Errorf("demo: today %s is outside %s … %s (the demo's pipeline needs the cells after the 2025 reform, and no member event may be dated in the future)",
			today.Format(time.DateOnly), pipelineFrom.Format(time.DateOnly), latest.Format(time.DateOnly))
	}
	now := vn.Day(time.Now())
	haveTree := false
	_, err := org.GetByCode(ctx, db, firstCode, now)
	switch {
	case err == nil:
		if _, err := org.GetByCode(ctx, db, lastCode, now); apperr.CodeOf(err) == apperr.NotFound {
			return Summary{}, fmt.Errorf("demo: the demo data is only partly loaded (unit %s exists, %s does not): load it into an empty database", firstCode, lastCode)
		} else if err != nil {
			return Summary{}, fmt.Errorf("demo: %w", err)
		}
		haveTree = true
	case apperr.CodeOf(err) != apperr.NotFound:
		return Summary{}, fmt.Errorf("demo: %w", err)
	}
	havePipeline := false
	if haveTree {
		if havePipeline, err = pipelineLoaded(ctx, db); err != nil {
			return Summary{}, err
		}
	}
	bdb, ok := db.(*bun.DB)
	if !ok {
		return Summary{}, fmt.Errorf("demo: load through the database handle (*bun.DB), not %T: the admission history is written with COPY on a connection of its own", db)
	}
	if havePipeline {
		if err := loadTargets(ctx, db, today); err != nil {
			return Summary{}, err
		}
		// A database loaded before the admission history was part of the demo gets it.
		haveHistory, err := historyLoaded(ctx, db)
		if err != nil || haveHistory {
			if err != nil {
				return Summary{}, err
			}
			return summarize(ctx, db, today, 0)
		}
		err = dbx.RunInBulkTx(ctx, bdb, func(ctx context.Context, tx dbx.BulkTx) error { return loadHistory(ctx, tx, today) })
		if err != nil {
			return Summary{}, err
		}
		s, err := summarize(ctx, db, today, time.Since(t0))
		s.History = s.Duration
		return s, err
	}
	l := &loader{
		ctx: ctx, db: db,
		ids:      map[string]int64{},
		rng:      rand.New(rand.NewPCG(2015, 2025)),
		docNo:    map[string]int{"TU": 1230, "HU": 410, "QU": 380, "ĐUCA": 95},
		communes: map[string][]commune{},
		ended:    map[string]bool{},
	}
	// One transaction around the whole load: it is all or nothing, and one commit instead of three
	// thousand (each operation of the domain APIs runs in a savepoint of it). It holds the tree lock of
	// the org API until it commits, a few seconds. It is a bulk transaction (a connection of its own) so
	// that the admission history goes in with COPY.
	var tookHistory time.Duration
	err = dbx.RunInBulkTx(ctx, bdb, func(ctx context.Context, btx dbx.BulkTx) error {
		tx := btx.Tx
		l.ctx, l.db = ctx, tx
		if !haveTree {
			if err := l.run(); err != nil {
				return err
			}
		}
		if err := l.candidates(today); err != nil {
			return err
		}
		if err := loadTargets(ctx, tx, today); err != nil {
			return err
		}
		t1 := time.Now()
		defer func() { tookHistory = time.Since(t1) }()
		return loadHistory(ctx, btx, today)
	})
	if err != nil {
		return Summary{}, err
	}
	s, err := summarize(ctx, db, today, time.Since(t0))
	s.History = tookHistory
	return s, err
}

// pipelineLoaded reports whether the demo's persons are there (they are loaded in one transaction).
func pipelineLoaded(ctx context.Context, db bun.IDB) (bool, error) {
	var ok bool
	if err := db.NewRaw(`SELECT EXISTS (SELECT 1 FROM person_unit WHERE recorded_by = ?)`, Subject).Scan(ctx, &ok); err != nil {
		return false, fmt.Errorf("demo: %w", err)
	}
	return ok, nil
}

// commune is a commune committee of a district as the loader goes: its name and code.
type commune struct {
	Name, Level, Code string
}

type loader struct {
	ctx      context.Context
	db       bun.IDB
	ids      map[string]int64 // unit code → id
	rng      *rand.Rand
	docNo    map[string]int       // issuer → last document number used
	communes map[string][]commune // district code → its current communes
	ended    map[string]bool      // codes of units ended before the reform
}

func (l *loader) run() error {
	steps := []func() error{l.base, l.history, l.reform, l.after}
	for _, s := range steps {
		if err := s(); err != nil {
			return err
		}
	}
	return nil
}

func districts() []districtSpec { return append([]districtSpec{tamDuong, pleiku}, otherDistricts...) }

func (d districtSpec) code() string { return d.Province + "." + d.Key }

// base records what existed on 01/01/2015.
func (l *loader) base() error {
	doc := org.Doc{Effective: start, Document: "Số liệu đầu kỳ 01/01/2015",
		Note: "Dữ liệu mẫu (demo): tổ chức đảng hiện có tại ngày 01/01/2015; ngày thành lập thực tế không ghi."}
	for _, p := range provinces {
		if err := l.create(p.Code, p.Name, "province", "territorial", "", doc); err != nil {
			return err
		}
		ca := p.Code + ".CA"
		if err := l.create(ca, "Đảng bộ "+p.Police, "grassroots_committee", "armed_forces", p.Code, doc); err != nil {
			return err
		}
		for _, c := range provincePoliceCells {
			if err := l.create(ca+"."+c.Key, c.Name, "cell", c.Sector, ca, doc); err != nil {
				return err
			}
		}
	}
	for _, d := range districts() {
		if err := l.district(d, doc); err != nil {
			return err
		}
	}
	return nil
}

// initialNames are units whose 2015 name was later changed (see history).
var initialNames = map[string]string{
	"VP.H-TAMDUONG.CQDDT": "Đảng bộ Khối Đảng – Đoàn thể huyện Tam Dương",
}

func (l *loader) district(d districtSpec, doc org.Doc) error {
	dc := d.code()
	if err := l.create(dc, d.name(), "district", "territorial", d.Province, doc); err != nil {
		return err
	}
	for _, c := range d.Communes {
		cc := dc + "." + slug(c.Name)
		if err := l.create(cc, "Đảng bộ "+c.Level+" "+c.Name, "grassroots_committee", "territorial", dc, doc); err != nil {
			return err
		}
		l.communes[dc] = append(l.communes[dc], commune{c.Name, c.Level, cc})
		villages := l.villageNames(d, c)
		for _, v := range villages {
			if err := l.create(cc+"."+villageKey(v), "Chi bộ "+v, "cell", "territorial", cc, doc); err != nil {
				return err
			}
		}
		for _, k := range d.Institutions {
			t := institutionCells[k]
			place := c.Name
			if t.WithLevel {
				place = c.Level + " " + c.Name
			}
			if err := l.create(cc+"."+k, fmt.Sprintf(t.Name, place), "cell", t.Sector, cc, doc); err != nil {
				return err
			}
		}
		for _, r := range villageRecords {
			if r.District == dc && r.Commune == c.Name {
				if err := l.villages(cc, villages, r.Uncovered, doc); err != nil {
					return err
				}
			}
		}
	}
	for _, c := range d.Committees {
		cc := dc + "." + c.Key
		name := d.expand(c.Name)
		if n, ok := initialNames[cc]; ok {
			name = n
		}
		if err := l.create(cc, name, "grassroots_committee", c.Sector, dc, doc); err != nil {
			return err
		}
		for _, x := range c.Cells {
			if err := l.create(cc+"."+x.Key, d.expand(x.Name), "cell", x.Sector, cc, doc); err != nil {
				return err
			}
		}
	}
	for _, c := range d.Cells {
		if err := l.create(dc+"."+c.Key, d.expand(c.Name), "grassroots_cell", c.Sector, dc, doc); err != nil {
			return err
		}
	}
	return nil
}

// expand fills a name template: {L} "huyện Tam Dương", {P} "Tam Dương", {W} "Huyện ủy", {level} "huyện".
func (d districtSpec) expand(s string) string {
	return strings.NewReplacer("{L}", d.levelPlace(), "{P}", d.Place, "{W}", d.committeeWord(), "{level}", d.Level).Replace(s)
}

// villageNames returns the villages (residential groups) of a commune that have a cell, with their
// generic word: "thôn Đồng Bông", "tổ dân phố 3", "làng Plei Ó", "khu phố 2".
func (l *loader) villageNames(d districtSpec, c communeSpec) []string {
	if names, ok := d.VillageNames[c.Name]; ok {
		out := make([]string, len(names))
		for i, n := range names {
			out[i] = "thôn " + n
		}
		return out
	}
	n, ok := d.Villages[c.Name]
	if !ok {
		n = d.VillageMin + l.rng.IntN(d.VillageMax-d.VillageMin+1)
	}
	numbered := func(word string, from, count int) []string {
		out := make([]string, count)
		for i := range out {
			out[i] = fmt.Sprintf("%s %d", word, from+i)
		}
		return out
	}
	pick := func(word string, pool []string, count int) []string {
		var out []string
		seen := map[string]bool{}
		for _, i := range l.rng.Perm(len(pool)) {
			if len(out) == count {
				break
			}
			if k := slug(pool[i]); !seen[k] {
				seen[k] = true
				out = append(out, word+" "+pool[i])
			}
		}
		return out
	}
	urban := c.Level != "xã"
	switch {
	case urban && d.Region == "central":
		return numbered("khu phố", 1, n)
	case urban:
		return numbered("tổ dân phố", 1, n)
	case d.Region == "highland":
		lang := n / 3
		return append(numbered("thôn", 1, n-lang), pick("làng", jraiVillages, lang)...)
	case d.Region == "central":
		return pick("thôn", centralVillages, n)
	default:
		return pick("thôn", northVillages, n)
	}
}

// villageKey is the code segment of a village's cell: TDP03, KP02, THON04, DONGBONG, PLEIO.
func villageKey(v string) string {
	for _, p := range []struct{ word, abbr string }{{"tổ dân phố ", "TDP"}, {"khu phố ", "KP"}, {"thôn ", "THON"}} {
		if rest, ok := strings.CutPrefix(v, p.word); ok {
			var n int
			if _, err := fmt.Sscanf(rest, "%d", &n); err == nil && fmt.Sprint(n) == rest {
				return fmt.Sprintf("%s%02d", p.abbr, n)
			}
			return slug(rest)
		}
	}
	_, rest, _ := strings.Cut(v, " ")
	return slug(rest)
}

// villages records the villages of a commune, each covered by its cell, and the uncovered ones.
func (l *loader) villages(communeCode string, covered, uncovered []string, doc org.Doc) error {
	record := func(v string, cell *int64) error {
		kind := "village"
		if strings.HasPrefix(v, "tổ dân phố") || strings.HasPrefix(v, "khu phố") {
			kind = "residential_group"
		}
		r := []rune(v)
		name := string(unicode.ToUpper(r[0])) + string(r[1:])
		_, err := org.CreateVillage(l.ctx, l.db, org.NewVillage{
			Code: "V." + communeCode + "." + villageKey(v), Name: name, Kind: kind,
			CommuneID: l.ids[communeCode], CellID: cell,
		}, doc)
		if err != nil {
			return fmt.Errorf("demo: record village %s of %s: %w", v, communeCode, err)
		}
		return nil
	}
	for _, v := range covered {
		id, err := l.id(communeCode + "." + villageKey(v))
		if err != nil {
			return err
		}
		if err := record(v, &id); err != nil {
			return err
		}
	}
	for _, v := range uncovered {
		if err := record(v, nil); err != nil {
			return err
		}
	}
	return nil
}

// history records the changes between 2015 and the reform, in date order.
func (l *loader) history() error {
	merger := func(m earlierMerger) error {
		eff, _ := time.Parse(time.DateOnly, m.Effective)
		return l.mergeCommunes(m.District, m.District, m.Into, org.Doc{Effective: eff, Document: m.Document, Note: m.Note})
	}
	// 2020: the Châu Sơn merger.
	if err := merger(earlierMergers[0]); err != nil {
		return err
	}
	// 2020: regular police posted to communes and towns; the town police cell moves to the town.
	if err := l.move("VP.H-TAMDUONG.CA.CAHOPHOA", "VP.H-TAMDUONG.HOPHOA", org.Doc{
		Effective: day(2020, 7, 1), Document: l.decision(tamDuong.Issuer, day(2020, 6, 25)),
		Note: "Chuyển Chi bộ Công an thị trấn Hợp Hòa về trực thuộc Đảng ủy thị trấn Hợp Hòa khi bố trí Công an chính quy về xã, thị trấn.",
	}); err != nil {
		return err
	}
	// 2020: the party and mass-organization bloc committee takes its new name.
	if err := l.rename("VP.H-TAMDUONG.CQDDT", "Đảng bộ Cơ quan Đảng – Đoàn thể huyện Tam Dương", org.Doc{
		Effective: day(2020, 9, 1), Document: l.decision(tamDuong.Issuer, day(2020, 8, 28)),
		Note: "Đổi tên Đảng bộ Khối Đảng – Đoàn thể huyện thành Đảng bộ Cơ quan Đảng – Đoàn thể huyện.",
	}); err != nil {
		return err
	}
	// 2022: an enterprise closes and its cell is dissolved.
	if err := l.dissolve("GL.TP-PLEIKU.HOANGQUAN", org.Doc{
		Effective: day(2022, 7, 1), Document: l.decision(pleiku.Issuer, day(2022, 6, 24)),
		Note: "Giải thể chi bộ do doanh nghiệp chấm dứt hoạt động.",
	}); err != nil {
		return err
	}
	// 2023: a new cell in a private enterprise, under the town committee (as Quỳnh Phụ planned).
	if err := l.create("TB.H-QUYNHPHU.QUYNHCOI.MAYQC", "Chi bộ Công ty TNHH May xuất khẩu Quỳnh Côi", "cell",
		"non_state_enterprise", "TB.H-QUYNHPHU.QUYNHCOI", org.Doc{
			Effective: day(2023, 5, 19), Document: l.decision(otherDistricts[2].Issuer, day(2023, 5, 12)),
			Note: "Thành lập chi bộ doanh nghiệp ngoài nhà nước trực thuộc Đảng ủy thị trấn Quỳnh Côi.",
		}); err != nil {
		return err
	}
	// 2024 and January 2025: Trang Bảo Xá, Hội Thịnh.
	for _, m := range earlierMergers[1:] {
		if err := merger(m); err != nil {
			return err
		}
	}
	// 1 March 2025: district police abolished; their committees join the provincial police committee.
	for _, d := range districts() {
		doc := org.Doc{Effective: day(2025, 3, 1), Document: l.decision("ĐUCA", day(2025, 2, 28)),
			Note: "Kết thúc hoạt động của Công an cấp huyện; các chi bộ chuyển về Đảng bộ " + provinceOf(d.Province).Police + "."}
		if err := l.merge([]string{d.code() + ".CA"}, org.Successor{ExistingID: l.ptr(d.Province + ".CA")}, doc); err != nil {
			return err
		}
		l.ended[d.code()+".CA"] = true
	}
	return nil
}

func provinceOf(code string) provinceSpec {
	for _, p := range provinces {
		if p.Code == code {
			return p
		}
	}
	return newGiaLai
}

// successorOf returns the province that continues a province on 01/07/2025.
func successorOf(code string) provinceMerge {
	for _, m := range provinceMerges {
		if m.Successor == code || slices.Contains(m.Preds, code) {
			return m
		}
	}
	panic("demo: no successor for province " + code)
}

// reform records the arrangement of 01/07/2025.
func (l *loader) reform() error {
	nq202 := "Nghị quyết 202/2025/QH15 ngày 12/06/2025"
	// The new Gia Lai: a merger cannot create a root, so the province is created first and the merger
	// names it as an existing successor.
	if err := l.create(newGiaLai.Code, newGiaLai.Name, "province", "territorial", "", org.Doc{
		Effective: reform, Document: nq202,
		Note: "Thành lập Đảng bộ tỉnh Gia Lai trên cơ sở hợp nhất Đảng bộ tỉnh Bình Định và Đảng bộ tỉnh Gia Lai.",
	}); err != nil {
		return err
	}
	// Provincial police committees follow their provinces.
	for _, m := range provinceMerges {
		var preds []string
		for _, p := range m.Preds {
			preds = append(preds, p+".CA")
		}
		doc := org.Doc{Effective: reform, Document: l.decision("ĐUCA", signedAt),
			Note: "Hợp nhất Đảng bộ Công an cấp tỉnh theo " + nq202 + "."}
		succ := org.Successor{ExistingID: l.ptr(m.Successor + ".CA")}
		if m.Successor == newGiaLai.Code {
			succ = org.Successor{New: &org.NewUnit{Code: newGiaLai.Code + ".CA", Name: "Đảng bộ " + newGiaLai.Police,
				Kind: "grassroots_committee", Sector: "armed_forces"}, ParentID: l.ptr(newGiaLai.Code)}
		}
		if err := l.merge(preds, succ, doc); err != nil {
			return err
		}
	}
	// Districts: communes merged into new commune committees under the successor province, agencies
	// and grassroots cells moved or merged, then the district ends.
	for _, d := range districts() {
		if err := l.abolish(d); err != nil {
			return err
		}
	}
	// Provinces merged.
	for _, m := range provinceMerges {
		names := make([]string, len(m.Preds))
		for i, p := range m.Preds {
			names[i] = provinceOf(p).Place
		}
		doc := org.Doc{Effective: reform, Document: nq202,
			Note: "Sắp xếp đơn vị hành chính cấp tỉnh: " + strings.Join(names, " và ") + " vào " + provinceOf(m.Successor).Place + "."}
		if err := l.merge(m.Preds, org.Successor{ExistingID: l.ptr(m.Successor)}, doc); err != nil {
			return err
		}
	}
	return nil
}

// mergedCommittees are the district committees whose cells join the district's main new commune;
// the other committees move under the province.
var mergedCommittees = []string{"CQCQ", "CQDDT", "GDDT"}

func (l *loader) abolish(d districtSpec) error {
	dc := d.code()
	m := successorOf(d.Province)
	succ := m.Successor
	decision := func(note string) org.Doc {
		return org.Doc{Effective: reform, Document: l.decision("TU", signedAt), Note: note}
	}
	// Every commune of the district must be in exactly one group.
	var want, got []string
	for _, c := range l.communes[dc] {
		want = append(want, c.Name)
	}
	for _, g := range d.Reform {
		if len(g.Members) == 0 {
			got = append(got, g.Name)
		}
		got = append(got, g.Members...)
	}
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(want, got) {
		return fmt.Errorf("demo: the 2025 groups of %s cover %v, its communes are %v", dc, got, want)
	}
	var center string
	for _, g := range d.Reform {
		if len(g.Members) == 0 {
			c := l.communeNamed(dc, g.Name)
			if err := l.move(c.Code, succ, decision(fmt.Sprintf("Đảng bộ %s %s giữ nguyên, trực thuộc Đảng bộ %s.", c.Level, c.Name, provinceOf(succ).Place))); err != nil {
				return err
			}
			if center == "" {
				center = c.Code
			}
			continue
		}
		doc := decision(fmt.Sprintf("Thành lập Đảng bộ %s %s trực thuộc Đảng bộ %s, theo %s.", g.Level, g.Name, provinceOf(succ).Place, m.CommuneDoc))
		code, err := l.mergeCommunesInto(dc, succ, g, doc)
		if err != nil {
			return err
		}
		if center == "" {
			center = code
		}
	}
	var merged []string
	for _, c := range d.Committees {
		cc := dc + "." + c.Key
		switch {
		case l.ended[cc]:
		case slices.Contains(mergedCommittees, c.Key):
			merged = append(merged, cc)
		default:
			if err := l.move(cc, succ, decision("Chuyển về trực thuộc Đảng bộ "+provinceOf(succ).Place+" khi kết thúc hoạt động cấp huyện.")); err != nil {
				return err
			}
		}
	}
	if len(merged) > 0 {
		if err := l.merge(merged, org.Successor{ExistingID: l.ptr(center)},
			decision("Kết thúc hoạt động của các đảng bộ cơ quan cấp huyện; các chi bộ chuyển về đảng bộ cấp xã nơi đặt trụ sở.")); err != nil {
			return err
		}
	}
	for _, c := range d.Cells {
		cc := dc + "." + c.Key
		if l.ended[cc] {
			continue
		}
		if err := l.move(cc, succ, decision("Chuyển về trực thuộc Đảng bộ "+provinceOf(succ).Place+" khi kết thúc hoạt động cấp huyện.")); err != nil {
			return err
		}
	}
	return l.dissolve(dc, decision("Kết thúc hoạt động của "+d.name()+" (tổ chức chính quyền địa phương hai cấp)."))
}

// after records a change after the reform, under the new hierarchy; it is also the last unit created.
func (l *loader) after() error {
	return l.create(lastCode, "Chi bộ Công ty TNHH Công nghệ Phố Núi", "cell", "non_state_enterprise", "GL25.PLEIKU", org.Doc{
		Effective: day(2025, 10, 15), Document: l.decision("TU", day(2025, 10, 10)),
		Note: "Thành lập chi bộ doanh nghiệp ngoài nhà nước trực thuộc Đảng ủy phường Pleiku.",
	})
}

func (l *loader) communeNamed(district, name string) commune {
	for _, c := range l.communes[district] {
		if c.Name == name {
			return c
		}
	}
	return commune{}
}

// mergeCommunes merges communes of a district into a new commune under parent, which stays a
// commune of the district.
func (l *loader) mergeCommunes(district, parent string, g mergeSpec, doc org.Doc) error {
	code, err := l.mergeCommunesInto(district, parent, g, doc)
	if err != nil {
		return err
	}
	if parent == district {
		l.communes[district] = append(l.communes[district], commune{g.Name, g.Level, code})
	}
	return nil
}

func (l *loader) mergeCommunesInto(district, parent string, g mergeSpec, doc org.Doc) (string, error) {
	code := parent + "." + slug(g.Name)
	var preds []string
	for _, name := range g.Members {
		c := l.communeNamed(district, name)
		if c.Code == "" {
			return "", fmt.Errorf("demo: %s has no commune %s", district, name)
		}
		preds = append(preds, c.Code)
	}
	err := l.merge(preds, org.Successor{
		New:      &org.NewUnit{Code: code, Name: "Đảng bộ " + g.Level + " " + g.Name, Kind: "grassroots_committee", Sector: "territorial"},
		ParentID: l.ptr(parent),
	}, doc)
	if err != nil {
		return "", err
	}
	l.communes[district] = slices.DeleteFunc(l.communes[district], func(c commune) bool { return slices.Contains(g.Members, c.Name) })
	return code, nil
}

// The operations, with errors that name the input.

func (l *loader) create(code, name, kind, sector, parent string, doc org.Doc) error {
	var pid *int64
	if parent != "" {
		id, err := l.id(parent)
		if err != nil {
			return err
		}
		pid = &id
	}
	res, err := org.Create(l.ctx, l.db, org.NewUnit{Code: code, Name: name, Kind: kind, Sector: sector}, pid, doc)
	if err != nil {
		return fmt.Errorf("demo: create %s %q under %q on %s: %w", code, name, parent, doc.Effective.Format(time.DateOnly), err)
	}
	l.ids[code] = res.Units[0]
	return nil
}

func (l *loader) move(code, parent string, doc org.Doc) error {
	id, err := l.id(code)
	if err != nil {
		return err
	}
	pid, err := l.id(parent)
	if err != nil {
		return err
	}
	if _, err := org.Move(l.ctx, l.db, id, pid, doc); err != nil {
		return fmt.Errorf("demo: move %s under %s on %s: %w", code, parent, doc.Effective.Format(time.DateOnly), err)
	}
	return nil
}

func (l *loader) rename(code, name string, doc org.Doc) error {
	id, err := l.id(code)
	if err != nil {
		return err
	}
	if _, err := org.Rename(l.ctx, l.db, id, name, doc); err != nil {
		return fmt.Errorf("demo: rename %s to %q on %s: %w", code, name, doc.Effective.Format(time.DateOnly), err)
	}
	return nil
}

func (l *loader) dissolve(code string, doc org.Doc) error {
	id, err := l.id(code)
	if err != nil {
		return err
	}
	if _, err := org.Dissolve(l.ctx, l.db, id, doc); err != nil {
		return fmt.Errorf("demo: dissolve %s on %s: %w", code, doc.Effective.Format(time.DateOnly), err)
	}
	l.ended[code] = true
	return nil
}

func (l *loader) merge(preds []string, succ org.Successor, doc org.Doc) error {
	ids := make([]int64, len(preds))
	for i, p := range preds {
		id, err := l.id(p)
		if err != nil {
			return err
		}
		ids[i] = id
	}
	res, err := org.Merge(l.ctx, l.db, ids, succ, doc)
	if err != nil {
		into := "a new unit"
		if succ.New != nil {
			into = succ.New.Code
		} else if succ.ExistingID != nil {
			into = fmt.Sprint("unit ", *succ.ExistingID)
		}
		return fmt.Errorf("demo: merge %v into %s on %s: %w", preds, into, doc.Effective.Format(time.DateOnly), err)
	}
	if succ.New != nil {
		l.ids[succ.New.Code] = res.Units[0]
	}
	return nil
}

func (l *loader) id(code string) (int64, error) {
	id, ok := l.ids[code]
	if !ok {
		return 0, fmt.Errorf("demo: unit %s was not created", code)
	}
	return id, nil
}

// ptr returns a pointer to the id of a unit already created (0 if it was not: the API then refuses).
func (l *loader) ptr(code string) *int64 {
	id := l.ids[code]
	return &id
}

// decision returns the number of a decision of the issuer ("TU", "HU", "QU", "ĐUCA") signed on a date.
func (l *loader) decision(issuer string, signed time.Time) string {
	l.docNo[issuer]++
	return fmt.Sprintf("Quyết định %d-QĐ/%s ngày %s", l.docNo[issuer], issuer, vn.Date(signed))
}

// summarize describes the demo data in the database; the pipeline figures are those of day today.
func summarize(ctx context.Context, db bun.IDB, today time.Time, took time.Duration) (Summary, error) {
	s := Summary{ByKind: map[string]int{}, CasesByStage: map[string]int{}, Duration: took,
		AdminUnitCode: adminUnitCode, SampleCommuneCode: sampleCommuneCode, SampleCellCode: sampleCellCode}
	now := vn.Day(time.Now())
	for _, p := range append(slices.Clone(provinces), newGiaLai) {
		u, err := org.GetByCode(ctx, db, p.Code, now)
		if err != nil {
			return Summary{}, fmt.Errorf("demo: summary: %w", err)
		}
		if !u.ExistsOn(now) {
			continue
		}
		s.ByKind[u.Kind]++
		m, err := org.CountDescendants(ctx, db, u.ID, now)
		if err != nil {
			return Summary{}, fmt.Errorf("demo: summary: %w", err)
		}
		for k, n := range m {
			s.ByKind[k] += n
		}
	}
	err := db.NewRaw(`SELECT
			(SELECT count(*) FROM org_unit u JOIN org_operation o ON o.id = u.created_op WHERE o.recorded_by = ?0),
			(SELECT count(*) FROM org_operation WHERE recorded_by = ?0),
			(SELECT count(*) FROM village v JOIN org_unit u ON u.id = v.commune_id JOIN org_operation o ON o.id = u.created_op
			 WHERE o.recorded_by = ?0)`, Subject).Scan(ctx, &s.Units, &s.Operations, &s.Villages)
	if err != nil {
		return Summary{}, fmt.Errorf("demo: summary: %w", err)
	}
	// The pipeline: the persons the demo recorded, their memberships, cases and what is overdue.
	const demoPersons = `WITH p AS (SELECT DISTINCT person_id FROM person_unit WHERE recorded_by = ?0) `
	err = db.NewRaw(demoPersons+`SELECT
			(SELECT count(*) FROM p),
			(SELECT count(*) FROM member_status_span s JOIN p USING (person_id)
			 WHERE s.valid_from <= ?1::date AND (s.valid_to IS NULL OR s.valid_to > ?1::date) AND s.status = ANY(?2::text[])),
			(SELECT count(*) FROM case_due d JOIN candidate_case c ON c.id = d.case_id JOIN p USING (person_id)
			 WHERE c.closed_on IS NULL AND d.due_on < ?1::date)`,
		Subject, today, pgdialect.Array(member.MemberStatuses)).Scan(ctx, &s.Persons, &s.Members, &s.Overdue)
	if err != nil {
		return Summary{}, fmt.Errorf("demo: summary: %w", err)
	}
	var stages []struct {
		Stage string `bun:"stage"`
		N     int    `bun:"n"`
	}
	err = db.NewRaw(demoPersons+`SELECT c.stage, count(*) AS n FROM candidate_case c JOIN p USING (person_id) GROUP BY c.stage`,
		Subject).Scan(ctx, &stages)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return Summary{}, fmt.Errorf("demo: summary: %w", err)
	}
	for _, r := range stages {
		s.CasesByStage[r.Stage] = r.N
		s.Cases += r.N
	}
	return s, nil
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// slug folds a Vietnamese name into a code segment: "Hoàng Đan" → "HOANGDAN".
func slug(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		switch {
		case r == 'đ' || r == 'Đ':
			b.WriteByte('D')
		case r >= 'a' && r <= 'z':
			b.WriteRune(unicode.ToUpper(r))
		case r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			b.WriteRune(r)
		}
	}
	return b.String()
}
