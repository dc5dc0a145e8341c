package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"ptdv/internal/auth"
	"ptdv/internal/db"
	"ptdv/internal/member"
	"ptdv/internal/pglocal"
)

// envVars is the one table of configuration; the README copies it.
var envVars = []struct{ name, flag, def, help string }{
	{"DATABASE_URL", "database-url", "", "PostgreSQL URL (owner role). Trống: tự chạy PostgreSQL riêng dưới $PTDV_DATA/pg"},
	{"DATABASE_APP_URL", "database-app-url", "", "PostgreSQL URL máy chủ API đăng nhập (vai trò chỉ thuộc ptdv_app). Trống: ptdv tự tạo vai trò ptdv_login, mật khẩu lưu trong $PTDV_DATA/db-login.secret"},
	{"DATABASE_READ_URL", "database-read-url", "", "PostgreSQL URL của bản sao chỉ đọc (read replica), đăng nhập như DATABASE_APP_URL: các truy vấn (query) đọc từ đó, các thao tác ghi (mutation) ở máy chính. Trống: mọi thứ ở máy chính"},
	{"PTDV_DATA", "data", "./.ptdv", "thư mục dữ liệu: cụm PostgreSQL nhúng, tệp DuckDB, khoá JWT"},
	{"PTDV_LISTEN", "listen", "127.0.0.1:8080", "địa chỉ lắng nghe của máy chủ HTTP"},
	{"PTDV_JWT_SECRET", "jwt-secret", "", "khoá ký HS256 (≥ 32 byte). Trống: tạo và lưu trong $PTDV_DATA/jwt.secret"},
	{"PTDV_LOG_LEVEL", "log-level", "info", "mức ghi nhật ký: debug, info, warn, error"},
	{"PTDV_LOG_FORMAT", "log-format", "text", "định dạng nhật ký: text hoặc json"},
	{"PTDV_DB_MAX_CONNS", "db-max-conns", "20", "số kết nối tối đa tới PostgreSQL"},
	{"PTDV_STATEMENT_TIMEOUT", "statement-timeout", "15s", "thời gian tối đa cho một câu lệnh SQL của máy chủ"},
	{"PTDV_REQUEST_TIMEOUT", "request-timeout", "30s", "thời gian tối đa cho một yêu cầu GraphQL"},
	{"PTDV_TRUSTED_DOCUMENTS", "trusted-documents", "", "tệp JSON các truy vấn đã đăng ký của giao diện (hash → truy vấn, định dạng persisted-documents.json của graphql-codegen client preset). Trống: không có"},
	{"PTDV_TRUSTED_ONLY", "trusted-only", "0", "1: chỉ chạy các truy vấn trong PTDV_TRUSTED_DOCUMENTS (môi trường sản xuất); APQ tắt"},
	{"PTDV_PPROF", "pprof", "", "địa chỉ riêng (vd. 127.0.0.1:6060) phục vụ /debug/pprof/ để đo hiệu năng của ptdv serve. Trống: tắt"},
	{"PTDV_ACTOR_CONCURRENCY", "actor-concurrency", "4", "số yêu cầu (và truy vấn CSDL riêng) tối đa cùng lúc của một người dùng (mã đăng nhập và tổ chức); quá thì đợi 1 giây rồi từ chối TOO_MANY_REQUESTS"},
}

// env is the configuration and the resources every command shares.
type env struct {
	values  map[string]*string
	log     *slog.Logger
	cluster *pglocal.Cluster
	closers []func()
	args    []string // positional arguments, for commands that take them
}

func (e *env) register(fs *flag.FlagSet) {
	e.values = map[string]*string{}
	for _, v := range envVars {
		def := v.def
		if s, ok := os.LookupEnv(v.name); ok {
			def = s
		}
		e.values[v.name] = fs.String(v.flag, def, v.help+" (env "+v.name+")")
	}
}

func (e *env) get(name string) string { return *e.values[name] }

func (e *env) duration(name string) (time.Duration, error) {
	d, err := time.ParseDuration(e.get(name))
	if err != nil {
		return 0, fmt.Errorf("%s: %w", name, err)
	}
	return d, nil
}

func (e *env) init() error {
	var level slog.Level
	if err := level.UnmarshalText([]byte(e.get("PTDV_LOG_LEVEL"))); err != nil {
		return fmt.Errorf("PTDV_LOG_LEVEL: %w", err)
	}
	opts := &slog.HandlerOptions{Level: level}
	if e.get("PTDV_LOG_FORMAT") == "json" {
		e.log = slog.New(slog.NewJSONHandler(os.Stderr, opts))
	} else {
		e.log = slog.New(slog.NewTextHandler(os.Stderr, opts))
	}
	slog.SetDefault(e.log)
	return nil
}

func (e *env) close() {
	for i := len(e.closers) - 1; i >= 0; i-- {
		e.closers[i]()
	}
}

func (e *env) dataDir() (string, error) {
	d, err := filepath.Abs(e.get("PTDV_DATA"))
	if err != nil {
		return "", err
	}
	return d, os.MkdirAll(d, 0o755)
}

// ownerURL returns the URL of the database as its owner: DATABASE_URL, or the embedded cluster,
// started (or reused) under $PTDV_DATA/pg and stopped when the command ends.
func (e *env) ownerURL(ctx context.Context) (string, error) {
	if u := e.get("DATABASE_URL"); u != "" {
		return u, nil
	}
	dir, err := e.dataDir()
	if err != nil {
		return "", err
	}
	start := time.Now()
	c, err := pglocal.Start(ctx, filepath.Join(dir, "pg"), pglocal.Options{Logger: e.log})
	if err != nil {
		if errors.Is(err, pglocal.ErrNoServer) {
			return "", fmt.Errorf("%w\nCài PostgreSQL: apt-get install -y postgresql (hoặc đặt DATABASE_URL tới một máy chủ có sẵn)", err)
		}
		return "", err
	}
	e.cluster = c
	e.closers = append(e.closers, func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := c.Stop(ctx); err != nil {
			e.log.Error("stop embedded postgres", "err", err)
		}
	})
	e.log.Info("embedded postgres ready", "dir", filepath.Join(dir, "pg"), "port", c.Port(), "took", time.Since(start).Round(time.Millisecond))
	if err := ensureDatabase(ctx, c.URL("postgres"), "ptdv"); err != nil {
		return "", err
	}
	return c.URL("ptdv"), nil
}

func ensureDatabase(ctx context.Context, adminURL, name string) error {
	adm, err := db.Open(ctx, adminURL, db.Options{ApplicationName: "ptdv-setup"})
	if err != nil {
		return err
	}
	defer adm.Close()
	var exists bool
	if err := adm.NewRaw(`SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = ?)`, name).Scan(ctx, &exists); err != nil {
		return err
	}
	if !exists {
		if _, err := adm.ExecContext(ctx, `CREATE DATABASE `+name+` ENCODING 'UTF8'`); err != nil && !strings.Contains(err.Error(), "already exists") {
			return fmt.Errorf("create database %s: %w", name, err)
		}
	}
	return nil
}

// migrate applies pending migrations as the owner.
func (e *env) migrate(ctx context.Context, url string) ([]string, error) {
	owner, err := db.Open(ctx, url, db.Options{ApplicationName: "ptdv-migrate"})
	if err != nil {
		return nil, err
	}
	defer owner.Close()
	applied, err := db.Migrate(ctx, owner, db.Migrations)
	if err != nil {
		return nil, err
	}
	return applied, member.ExtendYearEnd(ctx, owner)
}

// migratedOwner finds or starts the database and applies the migrations as its owner: it returns the
// owner's URL, for the commands that load or publish as the owner (seed, nightly, forecast, report).
func (e *env) migratedOwner(ctx context.Context) (string, error) {
	url, err := e.ownerURL(ctx)
	if err != nil {
		return "", err
	}
	if _, err := e.migrate(ctx, url); err != nil {
		return "", err
	}
	return url, nil
}

// migratedApp finds or starts the database, applies the migrations as its owner and opens the
// application's pool: what every command that reads or writes data starts with.
func (e *env) migratedApp(ctx context.Context) (ownerURL string, app *bun.DB, err error) {
	if ownerURL, err = e.migratedOwner(ctx); err != nil {
		return "", nil, err
	}
	app, err = e.appDB(ctx, ownerURL)
	return ownerURL, app, err
}

// appDB opens the pool the server uses: logged in as a role that is a member of ptdv_app only (never
// the owner), running as ptdv_app under row-level security, with bounded statements.
func (e *env) appDB(ctx context.Context, ownerURL string) (*bun.DB, error) {
	o, err := e.appOptions("ptdv")
	if err != nil {
		return nil, err
	}
	url := e.get("DATABASE_APP_URL")
	if url == "" {
		if url, err = e.managedLogin(ctx, ownerURL); err != nil {
			return nil, err
		}
	}
	return e.pool(ctx, url, o)
}

// readDB opens DATABASE_READ_URL (nil when empty) with the application pool's settings: a replica the
// API's queries read from.
func (e *env) readDB(ctx context.Context) (*bun.DB, error) {
	url := e.get("DATABASE_READ_URL")
	if url == "" {
		return nil, nil
	}
	o, err := e.appOptions("ptdv-read")
	if err != nil {
		return nil, err
	}
	d, err := e.pool(ctx, url, o)
	if err != nil {
		return nil, fmt.Errorf("DATABASE_READ_URL: %w", err)
	}
	return d, nil
}

// appOptions are the settings of an application pool named name: role ptdv_app, statements bounded by
// PTDV_STATEMENT_TIMEOUT, at most PTDV_DB_MAX_CONNS connections.
func (e *env) appOptions(name string) (db.Options, error) {
	st, err := e.duration("PTDV_STATEMENT_TIMEOUT")
	if err != nil {
		return db.Options{}, err
	}
	var max int
	if _, err := fmt.Sscan(e.get("PTDV_DB_MAX_CONNS"), &max); err != nil || max < 1 {
		return db.Options{}, fmt.Errorf("PTDV_DB_MAX_CONNS must be a positive number")
	}
	return db.Options{AppRole: true, MaxOpenConns: max, StatementTimeout: st, ApplicationName: name}, nil
}

// pool opens url with o, closed when the command ends.
func (e *env) pool(ctx context.Context, url string, o db.Options) (*bun.DB, error) {
	d, err := db.Open(ctx, url, o)
	if err != nil {
		return nil, err
	}
	e.closers = append(e.closers, func() { d.Close() })
	return d, nil
}

// managedLogin makes sure the login role db.LoginRole exists with the password kept in
// $PTDV_DATA/db-login.secret (generated on first use, like the JWT secret) and returns the owner's URL
// with that role and password: the same host and database, the same socket for the embedded cluster.
func (e *env) managedLogin(ctx context.Context, ownerURL string) (string, error) {
	pw, err := e.secretFile("db-login.secret", 0)
	if err != nil {
		return "", err
	}
	owner, err := db.Open(ctx, ownerURL, db.Options{ApplicationName: "ptdv-setup"})
	if err != nil {
		return "", err
	}
	defer owner.Close()
	if err := db.EnsureLoginRole(ctx, owner, db.LoginRole, pw); err != nil {
		return "", err
	}
	return db.WithLogin(ownerURL, db.LoginRole, pw)
}

// secretFile returns the secret kept in $PTDV_DATA/name, creating a random one (mode 0600) when the
// file is missing or holds fewer than min bytes.
func (e *env) secretFile(name string, min int) (string, error) {
	dir, err := e.dataDir()
	if err != nil {
		return "", err
	}
	p := filepath.Join(dir, name)
	if b, err := os.ReadFile(p); err == nil && len(strings.TrimSpace(string(b))) >= max(min, 1) {
		return strings.TrimSpace(string(b)), nil
	}
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", err
	}
	s := hex.EncodeToString(raw[:])
	if err := os.WriteFile(p, []byte(s+"\n"), 0o600); err != nil {
		return "", err
	}
	return s, nil
}

// jwtSecret is PTDV_JWT_SECRET, or a random secret kept in $PTDV_DATA/jwt.secret so that tokens
// minted by `ptdv token` work with `ptdv serve` on the same machine.
func (e *env) jwtSecret() ([]byte, error) {
	if s := e.get("PTDV_JWT_SECRET"); s != "" {
		if len(s) < auth.MinSecretLen {
			return nil, fmt.Errorf("PTDV_JWT_SECRET must be at least %d bytes", auth.MinSecretLen)
		}
		return []byte(s), nil
	}
	s, err := e.secretFile("jwt.secret", auth.MinSecretLen)
	if err != nil {
		return nil, err
	}
	return []byte(s), nil
}
