package auth_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"ptdv/internal/apperr"
	"ptdv/internal/auth"
)

// TestNoRoleChecksOutsideAuth walks the module's source and fails on any role comparison, role switch
// or role map outside package auth: every permission is a row of auth's table, asked through Can,
// Require or Role.Holds.
func TestNoRoleChecksOutsideAuth(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	isRole := func(e ast.Expr) bool {
		switch x := e.(type) {
		case *ast.SelectorExpr:
			if x.Sel.Name == "Role" { // a.Role
				return true
			}
			if id, ok := x.X.(*ast.Ident); ok && id.Name == "auth" && strings.HasPrefix(x.Sel.Name, "Role") {
				return true // auth.RoleAdmin
			}
		}
		return false
	}
	isRoleType := func(e ast.Expr) bool {
		s, ok := e.(*ast.SelectorExpr)
		if !ok {
			return false
		}
		id, ok := s.X.(*ast.Ident)
		return ok && id.Name == "auth" && s.Sel.Name == "Role"
	}
	var found []string
	fset := token.NewFileSet()
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if d.IsDir() {
			if rel == filepath.Join("internal", "auth") || strings.HasPrefix(d.Name(), ".") || d.Name() == "vendor" || d.Name() == "testdata" || d.Name() == "node_modules" {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") || rel == filepath.Join("graph", "generated.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			bad := false
			switch x := n.(type) {
			case *ast.BinaryExpr:
				bad = (x.Op == token.EQL || x.Op == token.NEQ) && (isRole(x.X) || isRole(x.Y))
			case *ast.SwitchStmt:
				bad = x.Tag != nil && isRole(x.Tag)
			case *ast.CaseClause:
				for _, e := range x.List {
					bad = bad || isRole(e)
				}
			case *ast.MapType:
				bad = isRoleType(x.Key) || isRoleType(x.Value)
			case *ast.ArrayType:
				bad = isRoleType(x.Elt)
			}
			if bad {
				found = append(found, fset.Position(n.Pos()).String())
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range found {
		t.Errorf("role check outside internal/auth at %s: make it a row of auth's permission table", f)
	}
}

// TestTable checks the table's rows: every permission is held by some role and refuses the others
// with FORBIDDEN and its own Vietnamese text.
func TestTable(t *testing.T) {
	seen := map[auth.Permission]bool{}
	for _, row := range auth.Table() {
		t.Run(string(row.Permission), func(t *testing.T) {
			if seen[row.Permission] {
				t.Fatalf("permission %s has two rows", row.Permission)
			}
			seen[row.Permission] = true
			if len(row.Roles) == 0 || row.Refusal == "" {
				t.Fatalf("row %+v: no role or no refusal text", row)
			}
			for _, r := range auth.Roles() {
				a := &auth.Actor{Role: r}
				err := a.Require(row.Permission)
				if r.Holds(row.Permission) != (err == nil) || a.Can(row.Permission) != (err == nil) {
					t.Fatalf("role %s: Holds=%v Can=%v Require=%v disagree", r, r.Holds(row.Permission), a.Can(row.Permission), err)
				}
				if err != nil && apperr.CodeOf(err) != apperr.Forbidden {
					t.Fatalf("role %s: %v, want FORBIDDEN", r, err)
				}
			}
		})
	}
	if (&auth.Actor{Role: auth.RoleViewer}).Can(auth.PermWritePerson) {
		t.Fatal("a viewer may write persons")
	}
	if !(&auth.Actor{Role: auth.RoleSecretary}).Can(auth.PermWriteCase) || (&auth.Actor{Role: auth.RoleSecretary}).Can(auth.PermDecideAdmission) {
		t.Fatal("a secretary moves cases but does not decide admissions")
	}
}

// TestCovers checks the subtree test in Go against its SQL twin's meaning (ltree's <@): a path lies in
// its own subtree and its descendants', never in a sibling's sharing a prefix.
func TestCovers(t *testing.T) {
	sc := auth.Scope{Roots: []string{"1.2"}}
	for path, want := range map[string]bool{"1.2": true, "1.2.3": true, "1.2.3.4": true, "1.22": false, "1": false, "1.3.2": false, "": false} {
		if got := sc.Covers(path); got != want {
			t.Errorf("Covers(%q) = %v, want %v", path, got, want)
		}
	}
	if !(auth.Scope{All: true}).Covers("9.9") {
		t.Error("a national scope covers every unit")
	}
	if auth.Within("1.2", "") {
		t.Error("an empty root has no subtree")
	}
	if got := auth.SubtreeSQL("l.path", "?::ltree"); got != "l.path <@ ?::ltree" {
		t.Errorf("SubtreeSQL = %q", got)
	}
}
