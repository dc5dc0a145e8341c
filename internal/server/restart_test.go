package server_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"ptdv/internal/db"
	"ptdv/internal/pglocal"
	"ptdv/internal/server"
)

// PostgreSQL stopped and started again while clerks record persons over HTTP on 127.0.0.1: the server
// says it is not ready while the database is away, is ready again (and records again) within 5 s of
// its return, and every createPerson it acknowledged is in the database afterwards.
//
// The cluster is this test's own (pglocal, durable settings), not the shared test cluster. pglocal
// starts a server on a new port each time, so the pool's connector looks up the current port before
// each connection: the stand-in for a database that comes back at its address.
func TestPostgresRestartUnderLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and restarts a PostgreSQL cluster")
	}
	t.Parallel()
	ctx := context.Background()
	dir := restartDir(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	c, err := pglocal.Start(ctx, dir, pglocal.Options{Logger: log})
	if err != nil {
		if os.Getenv("PTDV_TEST_DATABASE_URL") != "" {
			t.Skipf("no local PostgreSQL binaries: %v", err)
		}
		t.Fatal(err)
	}
	var cluster atomic.Pointer[pglocal.Cluster]
	cluster.Store(c)
	t.Cleanup(func() { _ = cluster.Load().Stop(context.Background()) })

	// The schema, as `ptdv migrate` makes it.
	admin, err := db.Open(ctx, c.URL("postgres"), db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.ExecContext(ctx, `CREATE DATABASE ptdv ENCODING 'UTF8'`); err != nil {
		t.Fatal(err)
	}
	admin.Close()
	owner, err := db.Open(ctx, c.URL("ptdv"), db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Migrate(ctx, owner, db.Migrations); err != nil {
		t.Fatal(err)
	}
	owner.Close()

	// The server's pool: the application role, 20 connections, as `ptdv serve`.
	cfg, err := pgx.ParseConfig(c.URL("ptdv"))
	if err != nil {
		t.Fatal(err)
	}
	cfg.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
	cfg.RuntimeParams["role"] = db.AppRole
	// The connections set the request's scope for row-level security, as the server's pool does.
	sqldb := sql.OpenDB(db.ScopedConnector(stdlib.GetConnector(*cfg, stdlib.OptionBeforeConnect(func(_ context.Context, cc *pgx.ConnConfig) error {
		cc.Port = uint16(cluster.Load().Port())
		return nil
	}))))
	sqldb.SetMaxOpenConns(20)
	sqldb.SetMaxIdleConns(20)
	app := bun.NewDB(sqldb, pgdialect.New())
	t.Cleanup(func() { app.Close() })
	ids := seed(t, app, 1)
	srv := httptest.NewServer(server.New(server.Config{DB: app, JWTSecret: secret, Logger: log, ActorConcurrency: 16}))
	t.Cleanup(srv.Close)
	f := &testServer{t: t, srv: srv}
	tok := f.token("secretary", "GL.PK.HT.000")
	cell := gid("Unit", ids["GL.PK.HT.000"])

	// The load: four clerks recording persons as fast as the server answers.
	var (
		mu       sync.Mutex
		acked    []string // ids the server returned
		failures int
		seq      atomic.Int64
		firstErr atomic.Pointer[gqlResponse]
		stop     atomic.Bool
		wg       sync.WaitGroup
	)
	client := &http.Client{Timeout: 20 * time.Second}
	create := func() (string, bool) {
		n := seq.Add(1)
		q := fmt.Sprintf(`mutation($u: ID!) { createPerson(input: {person: {fullName: "Nguyễn Văn %s", sex: MALE,
			birthDate: "1999-09-09", nationalId: "064099%06d", unitId: $u, generalEducation: "upper_secondary", ethnicity: "kinh"}}) { person { id } } }`, letters(n), n)
		body, _ := json.Marshal(map[string]any{"query": q, "variables": map[string]any{"u": cell}})
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := client.Do(req)
		if err != nil {
			return "", false
		}
		defer resp.Body.Close()
		var r gqlResponse
		if json.NewDecoder(resp.Body).Decode(&r) != nil || len(r.Errors) > 0 || resp.StatusCode != 200 {
			if firstErr.CompareAndSwap(nil, &r) {
				t.Logf("first failure: %d %+v", resp.StatusCode, r.Errors)
			}
			return "", false
		}
		p, _ := r.Data["createPerson"].(map[string]any)
		person, _ := p["person"].(map[string]any)
		id, _ := person["id"].(string)
		return id, id != ""
	}
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				id, ok := create()
				mu.Lock()
				if ok {
					acked = append(acked, id)
				} else {
					failures++
				}
				mu.Unlock()
				if !ok {
					time.Sleep(20 * time.Millisecond) // a clerk retries, not a tight loop
				}
			}
		}()
	}
	defer func() { stop.Store(true); wg.Wait() }()
	ready := func() bool {
		resp, err := http.Get(srv.URL + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}
	count := func() int { mu.Lock(); defer mu.Unlock(); return len(acked) }

	// Let the load run until writes are acknowledged (a loaded CI machine may take a while for the first).
	time.Sleep(1500 * time.Millisecond)
	for deadline := time.Now().Add(20 * time.Second); count() == 0 && time.Now().Before(deadline); {
		time.Sleep(100 * time.Millisecond)
	}
	if !ready() || count() == 0 {
		t.Fatalf("before the restart: ready %v, %d persons recorded", ready(), count())
	}
	before := count()
	if err := c.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	down := time.Now()
	if ready() {
		t.Error("ready while PostgreSQL is stopped")
	}
	time.Sleep(2 * time.Second)
	if ready() {
		t.Error("ready while PostgreSQL is stopped (after 2 s)")
	}
	duringOutage := count()
	c2, err := pglocal.Start(ctx, dir, pglocal.Options{Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	cluster.Store(c2)
	back := time.Now()
	var readyAfter, writingAfter time.Duration
	for time.Since(back) < 10*time.Second && (readyAfter == 0 || writingAfter == 0) {
		if readyAfter == 0 && ready() {
			readyAfter = time.Since(back)
		}
		if writingAfter == 0 && count() > duringOutage {
			writingAfter = time.Since(back)
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Logf("PostgreSQL away %v; ready %v and recording %v after its return; %d persons before the stop, %d acknowledged during the outage",
		back.Sub(down).Round(time.Millisecond), readyAfter.Round(time.Millisecond), writingAfter.Round(time.Millisecond), before, duringOutage-before)
	if readyAfter == 0 || readyAfter > 5*time.Second {
		t.Errorf("not ready within 5 s of PostgreSQL's return (%v)", readyAfter)
	}
	if writingAfter == 0 || writingAfter > 5*time.Second {
		t.Errorf("no person recorded within 5 s of PostgreSQL's return (%v)", writingAfter)
	}
	time.Sleep(time.Second)
	stop.Store(true)
	wg.Wait()

	// Every acknowledged person is in the database, read afresh through a new connection.
	check, err := db.Open(ctx, c2.URL("ptdv"), db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer check.Close()
	var keys []int64
	for _, id := range acked {
		typ, k := parseGID(t, id)
		if typ != "Person" {
			t.Fatalf("id %q", id)
		}
		keys = append(keys, k)
	}
	var found int
	if err := check.NewRaw(`SELECT count(*) FROM person WHERE id = ANY(?)`, pgdialect.Array(keys)).Scan(ctx, &found); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d persons acknowledged, %d found after the restart; %d requests failed", len(acked), found, failures)
	if found != len(acked) || len(acked) <= before {
		t.Errorf("%d persons acknowledged, %d in the database (%d before the restart)", len(acked), found, before)
	}
}

// restartDir is a directory for a private cluster that the server user can enter when the tests run as
// root (pglocal then runs PostgreSQL as another user).
func restartDir(t *testing.T) string {
	dir, err := pglocal.TempDir("ptdv-restart-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

func parseGID(t *testing.T, id string) (string, int64) {
	t.Helper()
	raw, err := base64URLDecode(id)
	if err != nil {
		t.Fatalf("id %q: %v", id, err)
	}
	var typ string
	var k int64
	if _, err := fmt.Sscanf(string(bytes.Replace(raw, []byte(":"), []byte(" "), 1)), "%s %d", &typ, &k); err != nil {
		t.Fatalf("id %q: %v", id, err)
	}
	return typ, k
}

func base64URLDecode(s string) ([]byte, error) {
	return base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
}

// letters spells n in letters (names may not hold digits): 1 → "B", 27 → "Bb".
func letters(n int64) string {
	var b []byte
	for {
		b = append([]byte{byte('a' + n%26)}, b...)
		n /= 26
		if n == 0 {
			break
		}
	}
	b[0] -= 'a' - 'A'
	return string(b)
}
