package rule_test

import (
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"ptdv/internal/pgtest"
	"ptdv/internal/pipeline"
	"ptdv/internal/rule"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// refusalIDs walks the module's source (tests and generated code left out) and returns every rule id a
// refusal may carry, with where it is written: the string constants named Rule…, the literal first
// argument of apperr.Rule, and literal Rule: fields (a problem's or a late flag's rule).
func refusalIDs(t *testing.T) map[string]string {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{}
	fset := token.NewFileSet()
	add := func(e ast.Expr) {
		if lit, ok := e.(*ast.BasicLit); ok && lit.Kind == token.STRING {
			if v, err := strconv.Unquote(lit.Value); err == nil {
				ids[v] = fset.Position(lit.Pos()).String()
			}
		}
	}
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			// apperr declares the error codes (RuleViolation is a code, not a rule).
			if n := d.Name(); strings.HasPrefix(n, ".") || n == "vendor" || n == "testdata" || n == "node_modules" || path == filepath.Join(root, "internal", "apperr") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") || strings.HasSuffix(path, "generated.go") || strings.HasSuffix(path, "_gen.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.ValueSpec:
				for i, name := range x.Names {
					if strings.HasPrefix(name.Name, "Rule") && len(name.Name) > 4 && name.Name[4] >= 'A' && name.Name[4] <= 'Z' && i < len(x.Values) {
						add(x.Values[i])
					}
				}
			case *ast.CallExpr:
				if s, ok := x.Fun.(*ast.SelectorExpr); ok && s.Sel.Name == "Rule" && len(x.Args) > 0 {
					if id, ok := s.X.(*ast.Ident); ok && id.Name == "apperr" {
						add(x.Args[0])
					}
				}
			case *ast.KeyValueExpr:
				if k, ok := x.Key.(*ast.Ident); ok && k.Name == "Rule" {
					add(x.Value)
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// Every id a refusal may carry is a row of the rule table, as pipelineRules lists it (the resolver
// returns pipeline.LoadRules(...).List()), and every id has the domain.name form.
func TestEveryRefusalListed(t *testing.T) {
	d := pgtest.New(t)
	rules, err := pipeline.LoadRules(context.Background(), d.App)
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	for _, r := range rules.List() {
		listed[r.ID] = true
	}
	ids := refusalIDs(t)
	if len(ids) < 40 {
		t.Fatalf("found %d rule ids in the source, expected the forty-odd the packages declare: the walk is broken", len(ids))
	}
	style := regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$`)
	for id, at := range ids {
		if !style.MatchString(id) {
			t.Errorf("rule id %q (%s) is not domain.name", id, at)
		}
		if !listed[id] {
			t.Errorf("rule id %q (%s) is not listed by pipelineRules: add a row to the rule table", id, at)
		}
	}
}

// The table keeps the values the two old tables held, under the new ids, and probation once.
func TestTable(t *testing.T) {
	d := pgtest.New(t)
	s, err := rule.Load(context.Background(), d.App)
	if err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string]int{"probation.months": 12, "readmission.min_months": 36, "readmission.max_times": 1, "sponsor.count": 2} {
		if got := s.V(id); got != want {
			t.Errorf("%s = %d, want %d", id, got, want)
		}
	}
	for _, gone := range []string{"probation_months", "readmission_min_months", "readmission_max_times"} {
		if _, ok := s[gone]; ok {
			t.Errorf("old id %s still listed", gone)
		}
	}
	if s["readmission.min_months"].Unit != "months" || s["sponsor.full_member"].Unit != rule.UnitCheck {
		t.Errorf("units: %q, %q", s["readmission.min_months"].Unit, s["sponsor.full_member"].Unit)
	}
	if !s.Passes("vote.cell", 2, 3) || s.Passes("vote.cell", 1, 3) {
		t.Error("2 of 3 passes the cell's 2/3, 1 of 3 does not")
	}
	var n int
	if err := d.Owner.QueryRowContext(context.Background(), `SELECT count(*) FROM information_schema.tables WHERE table_name IN ('member_rule', 'pipeline_rule')`).Scan(&n); err != nil || n != 0 {
		t.Errorf("old rule tables: %d (%v)", n, err)
	}
	// The table refuses an id of the old style and a check with a value.
	for _, q := range []string{`INSERT INTO rule (id, value, unit, label_vi, source) VALUES ('probation_months', 12, 'months', 'x', 'x')`,
		`INSERT INTO rule (id, value, unit, label_vi, source) VALUES ('x.y', 3, 'check', 'x', 'x')`} {
		if _, err := d.Owner.ExecContext(context.Background(), q); err == nil {
			t.Errorf("accepted: %s", q)
		}
	}
}
