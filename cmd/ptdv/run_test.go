package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ptdv/internal/auth"
	"ptdv/internal/bulk"
	"ptdv/internal/sheet"
)

// The binary's commands parse, answer --help, and mint tokens the server accepts.
func TestCommands(t *testing.T) {
	if err := run(context.Background(), []string{"nonsense"}); !errors.Is(err, errUsage) {
		t.Errorf("unknown command: %v", err)
	}
	for _, c := range commands {
		if err := run(context.Background(), []string{c.name, "--help"}); err != nil {
			t.Errorf("%s --help: %v", c.name, err)
		}
	}
	dir := t.TempDir()
	t.Setenv("PTDV_DATA", dir)
	t.Setenv("PTDV_JWT_SECRET", "")
	if err := run(context.Background(), []string{"token", "--role", "viewer"}); err == nil {
		t.Error("a viewer token without a unit was minted")
	}
	if err := run(context.Background(), []string{"token", "--role", "board", "--unit", "gl.pk"}); err != nil {
		t.Fatal(err)
	}
	// The generated secret is kept so that serve verifies what token minted.
	b, err := os.ReadFile(filepath.Join(dir, "jwt.secret"))
	if err != nil || len(b) < auth.MinSecretLen {
		t.Fatalf("secret file: %q %v", b, err)
	}
	if info, _ := os.Stat(filepath.Join(dir, "jwt.secret")); info.Mode().Perm() != 0o600 {
		t.Errorf("secret file mode %v", info.Mode().Perm())
	}
}

// import template writes the layout; a file that is not a spreadsheet is refused before any database
// is touched; flags may follow the arguments.
func TestImportCommandFiles(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "mau.xlsx")
	if err := run(context.Background(), []string{"import", "template", "candidates", "--out", out}); err != nil {
		t.Fatal(err)
	}
	tb, err := sheet.ReadFile(out, sheet.DefaultLimits)
	if err != nil || strings.Join(tb.Header, "|") != strings.Join(bulk.Headers(bulk.Candidates), "|") || len(tb.Rows) != 0 {
		t.Fatalf("template: %v, %v", tb, err)
	}
	bad := filepath.Join(dir, "anh.xlsx")
	if err := os.WriteFile(bad, []byte("\x89PNG\r\n\x1a\n...."), 0o644); err != nil {
		t.Fatal(err)
	}
	err = run(context.Background(), []string{"import", "candidates", bad, "--skip-invalid"})
	if err == nil || !strings.Contains(err.Error(), "INVALID_FILE") {
		t.Errorf("import of a PNG: %v", err)
	}
	if err := run(context.Background(), []string{"import", "things", bad}); err == nil || !strings.Contains(err.Error(), "INVALID_INPUT") {
		t.Errorf("unknown kind: %v", err)
	}
}
