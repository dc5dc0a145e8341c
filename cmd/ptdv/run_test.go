package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"ptdv/internal/auth"
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
