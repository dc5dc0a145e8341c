package auth

import (
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"ptdv/internal/apperr"
)

const issuer = "ptdv"

// Claims are what a bearer token says about its holder.
type Claims struct {
	Role string `json:"role"`
	Unit string `json:"unit,omitempty"` // unit code of the scope root; empty for national scope
	jwt.RegisteredClaims
}

// MinSecretLen is the shortest HS256 secret accepted: shorter keys are guessable.
const MinSecretLen = 32

// Mint signs an HS256 token for subject, role and unit, valid for ttl from now.
func Mint(secret []byte, subject string, role Role, unit string, ttl time.Duration, now time.Time) (string, error) {
	if len(secret) < MinSecretLen {
		return "", fmt.Errorf("JWT secret must be at least %d bytes", MinSecretLen)
	}
	c := Claims{Role: string(role), Unit: unit, RegisteredClaims: jwt.RegisteredClaims{
		Issuer:    issuer,
		Subject:   subject,
		IssuedAt:  jwt.NewNumericDate(now),
		NotBefore: jwt.NewNumericDate(now.Add(-time.Minute)),
		ExpiresAt: jwt.NewNumericDate(now.Add(ttl)),
	}}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(secret)
}

// Verify checks a token's signature (HS256 only), issuer and expiry and returns its claims.
func Verify(secret []byte, token string) (Claims, error) {
	var c Claims
	_, err := jwt.ParseWithClaims(token, &c, func(*jwt.Token) (any, error) { return secret, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithIssuer(issuer), jwt.WithExpirationRequired(), jwt.WithLeeway(30*time.Second))
	if err != nil {
		msg := "Mã đăng nhập không hợp lệ."
		if errors.Is(err, jwt.ErrTokenExpired) {
			msg = "Mã đăng nhập đã hết hạn."
		}
		return Claims{}, apperr.New(apperr.Unauthenticated, msg, "invalid token: "+err.Error())
	}
	if c.Subject == "" {
		return Claims{}, apperr.New(apperr.Unauthenticated, "Mã đăng nhập không hợp lệ.", "token has no subject")
	}
	return c, nil
}
