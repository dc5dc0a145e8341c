package auth_test

import (
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"ptdv/internal/apperr"
	"ptdv/internal/auth"
)

var key = []byte("0123456789abcdef0123456789abcdef")

func TestMintAndVerify(t *testing.T) {
	now := time.Now()
	tok, err := auth.Mint(key, "board@gl", auth.RoleBoard, "GL", time.Hour, now)
	if err != nil {
		t.Fatal(err)
	}
	c, err := auth.Verify(key, tok)
	if err != nil || c.Subject != "board@gl" || c.Role != "board" || c.Unit != "GL" {
		t.Fatalf("claims %+v, %v", c, err)
	}
	if _, err := auth.Mint([]byte("short"), "x", auth.RoleAdmin, "", time.Hour, now); err == nil {
		t.Error("a short secret was accepted")
	}
}

func TestVerifyRefuses(t *testing.T) {
	now := time.Now()
	expired, _ := auth.Mint(key, "x", auth.RoleAdmin, "", time.Minute, now.Add(-2*time.Hour))
	other, _ := auth.Mint([]byte("another-key-another-key-another!!"), "x", auth.RoleAdmin, "", time.Hour, now)
	none := jwt.NewWithClaims(jwt.SigningMethodNone, jwt.MapClaims{"sub": "x", "role": "admin", "iss": "ptdv", "exp": now.Add(time.Hour).Unix()})
	noneTok, _ := none.SignedString(jwt.UnsafeAllowNoneSignatureType)
	noExp := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"sub": "x", "role": "admin", "iss": "ptdv"})
	noExpTok, _ := noExp.SignedString(key)
	wrongIss := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"sub": "x", "role": "admin", "iss": "other", "exp": now.Add(time.Hour).Unix()})
	wrongIssTok, _ := wrongIss.SignedString(key)
	for name, tok := range map[string]string{"expired": expired, "other key": other, "alg none": noneTok,
		"no expiry": noExpTok, "wrong issuer": wrongIssTok, "garbage": "a.b.c", "tampered": expired[:len(expired)-2] + "xx"} {
		_, err := auth.Verify(key, tok)
		if apperr.CodeOf(err) != apperr.Unauthenticated {
			t.Errorf("%s: %v", name, err)
		}
		if name == "expired" && !strings.Contains(err.Error(), "expired") {
			t.Errorf("expired: %v", err)
		}
	}
}

func TestRoles(t *testing.T) {
	if _, err := auth.ParseRole("emperor"); apperr.CodeOf(err) != apperr.InvalidInput {
		t.Errorf("unknown role: %v", err)
	}
	a := auth.System("job")
	if !a.Can(auth.PermWriteTree) || !a.Scope().All {
		t.Errorf("system actor: %+v", a)
	}
}
