package codes_test

import (
	"context"
	"os"
	"testing"

	"ptdv/internal/codes"
	"ptdv/internal/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

func load(t *testing.T) *codes.Set {
	t.Helper()
	d := pgtest.New(t)
	s, err := codes.Load(context.Background(), d.App)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestListsComplete(t *testing.T) {
	t.Parallel()
	s := load(t)

	eth := s.List(codes.Ethnicity)
	groups, minorities := 0, 0
	gso := map[string]bool{}
	for _, it := range eth {
		if g := it.String("gso"); g != "" {
			groups++
			gso[g] = true
		}
		if it.Bool("minority") && it.String("gso") != "" {
			minorities++
		}
	}
	if groups != 54 || len(gso) != 54 || minorities != 53 {
		t.Errorf("ethnic groups = %d (distinct GSO numbers %d, minorities %d), want 54 (54, 53)", groups, len(gso), minorities)
	}
	if len(eth) != 56 || !s.Valid(codes.Ethnicity, "other") || !s.Valid(codes.Ethnicity, "foreign_origin") {
		t.Errorf("ethnicity list has %d codes, want 54 groups + other + foreign_origin", len(eth))
	}
	for _, want := range []string{"Kinh", "Tày", "Thái", "Mường", "Khmer", "Hoa", "Nùng", "H'Mông", "Dao", "Gia Rai", "Ê Đê", "Ba Na", "Ơ Đu", "Brâu", "Rơ Măm"} {
		if _, ok := s.Match(codes.Ethnicity, want); !ok {
			t.Errorf("ethnicity %q missing", want)
		}
	}

	rel := s.List(codes.Religion)
	religious := 0
	for _, it := range rel {
		if it.Bool("religious") {
			religious++
		}
	}
	if len(rel) != 17 || religious != 16 || !s.Valid(codes.Religion, "none") {
		t.Errorf("religions: %d codes, %d religious; want none + 16", len(rel), religious)
	}

	for list, n := range map[string]int{
		codes.Sex: 2, codes.GeneralEducation: 3, codes.ProfessionalQualification: 7, codes.PoliticalTheory: 4,
		codes.Occupation: 12, codes.Proposer: 9, codes.MemberEvent: 12, codes.MemberStatus: 8, codes.IDProvince: 63,
	} {
		if got := len(s.List(list)); got != n {
			t.Errorf("list %s has %d codes, want %d", list, got, n)
		}
	}
	if lvl, ok := mustItem(t, s, codes.GeneralEducation, "lower_secondary").Int("level"); !ok || lvl != 2 {
		t.Errorf("lower_secondary level = %d, %v", lvl, ok)
	}
	if got := s.Label(codes.Religion, "buddhism"); got != "Phật giáo" {
		t.Errorf("label = %q", got)
	}
	if s.Valid(codes.Religion, "nope") || s.Label("nope", "x") != "" {
		t.Error("unknown code reported valid")
	}
}

func mustItem(t *testing.T, s *codes.Set, list, code string) codes.Item {
	t.Helper()
	it, ok := s.Item(list, code)
	if !ok {
		t.Fatalf("%s/%s missing", list, code)
	}
	return it
}

func TestMatch(t *testing.T) {
	t.Parallel()
	s := load(t)
	for _, c := range []struct{ list, text, want string }{
		{codes.Ethnicity, "kinh", "kinh"},
		{codes.Ethnicity, "  KINH ", "kinh"},
		{codes.Ethnicity, "ê đê", "e_de"},
		{codes.Ethnicity, "Ede", "e_de"},
		{codes.Ethnicity, "Ê-đê", "e_de"},
		{codes.Ethnicity, "H'Mong", "hmong"},
		{codes.Ethnicity, "Mông", "hmong"},
		{codes.Ethnicity, "khơ-me", "khmer"},
		{codes.Ethnicity, "Ro Mam", "ro_mam"},
		{codes.Ethnicity, "o du", "o_du"},
		{codes.Ethnicity, "Tay", "tay"},
		{codes.Ethnicity, "thai", "thai"},
		{codes.Religion, "PHAT GIAO", "buddhism"},
		{codes.Religion, "phật  giáo   hòa hảo", "hoa_hao"},
		{codes.Religion, "thien chua giao", "catholicism"},
		{codes.Religion, "khong", "none"},
		{codes.ProfessionalQualification, "dai hoc", "university"},
		{codes.ProfessionalQualification, "Đại Học", "university"},
		{codes.ProfessionalQualification, "ths", "master"},
		{codes.GeneralEducation, "12/12", "upper_secondary"},
		{codes.GeneralEducation, "thcs", "lower_secondary"},
		{codes.PoliticalTheory, "cao cap", "advanced"},
		{codes.Sex, "nu", "female"},
		{codes.Sex, "Nam", "male"},
		{codes.Occupation, "nong lam ngu nghiep", "farmer"},
		{codes.IDProvince, "001", "001"},
		{codes.IDProvince, "ha noi", "001"},
	} {
		got, ok := s.Match(c.list, c.text)
		if !ok || got != c.want {
			t.Errorf("Match(%s, %q) = %q, %v; want %q", c.list, c.text, got, ok, c.want)
		}
	}
	for _, c := range []struct{ list, text string }{
		{codes.Ethnicity, "Klingon"}, {codes.Ethnicity, ""}, {codes.Ethnicity, " - "}, {"nope", "kinh"},
	} {
		if got, ok := s.Match(c.list, c.text); ok {
			t.Errorf("Match(%s, %q) = %q, want no match", c.list, c.text, got)
		}
	}
	// Every label of every list matches its own code: no two codes of a list fold to the same key.
	for _, l := range s.Lists() {
		for _, it := range s.List(l) {
			for _, text := range append([]string{it.Code, it.LabelVI, it.LabelEN}, it.Aliases()...) {
				if got, ok := s.Match(l, text); !ok || got != it.Code {
					t.Errorf("Match(%s, %q) = %q, %v; want %q (ambiguous key?)", l, text, got, ok, it.Code)
				}
			}
		}
	}
}

func TestFold(t *testing.T) {
	for in, want := range map[string]string{
		"Nguyễn Văn Đức": "nguyenvanduc",
		"Ê Đê":           "ede",
		"H'Mông":         "hmong",
		"12/12":          "1212",
		// Decomposed input (e + combining marks) folds the same as composed.
		"Nguye\u0302\u0303n": "nguyen",
	} {
		if got := codes.Fold(in); got != want {
			t.Errorf("Fold(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDeactivatedCode(t *testing.T) {
	t.Parallel()
	s := codes.New([]codes.Item{
		{List: "x", Code: "a", Rank: 1, LabelVI: "Ánh", Active: true},
		{List: "x", Code: "b", Rank: 2, LabelVI: "Bê", Active: false},
		{List: "x", Code: "c", Rank: 3, LabelVI: "Ánh", LabelEN: "C", Active: true},
	})
	if s.Valid("x", "b") || len(s.List("x")) != 2 {
		t.Error("an inactive code is valid or listed")
	}
	if _, ok := s.Match("x", "be"); ok {
		t.Error("an inactive code matched")
	}
	if _, ok := s.Match("x", "a"); !ok {
		t.Error("a code must match itself")
	}
	if got, ok := s.Match("x", "ánh"); ok {
		t.Errorf("an ambiguous label matched %q", got)
	}
	if s.Label("x", "b") != "Bê" {
		t.Error("an inactive code keeps its label")
	}
}
