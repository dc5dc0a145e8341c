package db

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/uptrace/bun"
)

// LoginRole is the role the server logs in as when ptdv manages it (EnsureLoginRole): a member of
// ptdv_app and nothing else, so that even a SET ROLE NONE (or injected SQL) leaves it with at most
// ptdv_app's rights. The owner's URL is for migrations and the binary's own jobs only.
const LoginRole = "ptdv_login"

var roleName = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

// EnsureLoginRole creates the login role name (or resets it) as the owner: LOGIN with password,
// NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOREPLICATION NOINHERIT, member of ptdv_app (which it
// takes on with the role startup parameter, see Open) and of no other role. The owner needs CREATEROLE
// (the embedded cluster's owner is a superuser); otherwise an administrator creates the role and the
// server is given its URL (DATABASE_APP_URL).
func EnsureLoginRole(ctx context.Context, owner *bun.DB, name, password string) error {
	if !roleName.MatchString(name) {
		return fmt.Errorf("db: login role name %q: lower-case letters, digits and _ only", name)
	}
	if password == "" {
		return fmt.Errorf("db: login role %s: empty password", name)
	}
	lit := "'" + strings.ReplaceAll(password, "'", "''") + "'"
	attrs := " LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOREPLICATION NOINHERIT PASSWORD " + lit
	// Roles are cluster-wide: parallel tests (and two ptdv processes) may race to create it; the
	// loser's duplicate_object or unique_violation only means the winner did.
	_, err := owner.ExecContext(ctx, `
DO $$
DECLARE
	r text;
BEGIN
	`+createRole(name, attrs)+`
	ALTER ROLE `+name+attrs+`;
	-- Member of ptdv_app only.
	FOR r IN SELECT g.rolname FROM pg_catalog.pg_auth_members m JOIN pg_catalog.pg_roles g ON g.oid = m.roleid
	         WHERE m.member = (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = '`+name+`') AND g.rolname <> '`+AppRole+`'
	LOOP
		EXECUTE format('REVOKE %I FROM `+name+`', r);
	END LOOP;
	`+joinAppRole("'"+name+"'")+`
END
$$`)
	if err != nil {
		return fmt.Errorf("db: create login role %s (the owner needs CREATEROLE; or create it yourself and set DATABASE_APP_URL): %w", name, err)
	}
	return nil
}

// NewPassword returns a random password for a login role (hex: safe in URLs and SQL).
func NewPassword() string {
	var b [24]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// WithLogin returns the connection string ownerURL with user and password replaced: the server's
// URL on the same host and database as the owner's.
func WithLogin(ownerURL, user, password string) (string, error) {
	if strings.HasPrefix(ownerURL, "postgres://") || strings.HasPrefix(ownerURL, "postgresql://") {
		u, err := url.Parse(ownerURL)
		if err != nil {
			return "", fmt.Errorf("db: parse database URL: invalid URL")
		}
		u.User = url.UserPassword(user, password)
		return u.String(), nil
	}
	if _, err := pgx.ParseConfig(ownerURL); err != nil {
		return "", fmt.Errorf("db: parse database URL: %w", err)
	}
	// key=value: a later key overrides an earlier one.
	return ownerURL + " user=" + user + " password=" + password, nil
}

// checkLoginRole refuses to serve as a role that could step out of ptdv_app: the login role (the
// session user, which SET ROLE NONE returns to) must be no superuser, unable to create roles or to
// bypass row security, and a member of no role but ptdv_app.
func checkLoginRole(ctx context.Context, d *bun.DB, where string) error {
	var r struct {
		Name       string   `bun:"rolname"`
		Super      bool     `bun:"rolsuper"`
		CreateRole bool     `bun:"rolcreaterole"`
		BypassRLS  bool     `bun:"rolbypassrls"`
		Others     []string `bun:"others,array"`
	}
	err := d.NewRaw(`SELECT r.rolname, r.rolsuper, r.rolcreaterole, r.rolbypassrls,
			ARRAY(SELECT g.rolname::text FROM pg_catalog.pg_auth_members m JOIN pg_catalog.pg_roles g ON g.oid = m.roleid
			      WHERE m.member = r.oid AND g.rolname <> ?) AS others
		FROM pg_catalog.pg_roles r WHERE r.rolname = session_user`, AppRole).Scan(ctx, &r)
	if err != nil {
		return fmt.Errorf("db: check login role on %s: %w", where, err)
	}
	if r.Super || r.CreateRole || r.BypassRLS || len(r.Others) > 0 {
		return fmt.Errorf("db: the server must not log in as %s on %s: it is a superuser, may create roles, bypasses row security or belongs to other roles than %s (%v); "+
			"give it a role that is only a member of %s (DATABASE_APP_URL, or let ptdv create %s)", r.Name, where, AppRole, r.Others, AppRole, LoginRole)
	}
	return nil
}
