package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"ptdv/internal/auth"
	"ptdv/internal/fixture"
	"ptdv/internal/org"
	"ptdv/internal/pgtest"
	"ptdv/internal/server"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

var secret = []byte("test-secret-test-secret-test-secret!")

type testServer struct {
	t   testing.TB
	srv *httptest.Server
	db  *pgtest.DB
	qc  *pgtest.QueryCounter
}

// seeded is a fixture (not in development mode) with seed's tree (cells as seed takes them), and its ids by code.
func seeded(t testing.TB, cells int) (*testServer, map[string]int64) {
	f := newFixture(t, false)
	return f, seed(t, f.db.App, cells)
}

func newFixture(t testing.TB, dev bool) *testServer {
	d := pgtest.New(t)
	qc := &pgtest.QueryCounter{}
	d.App.AddQueryHook(qc)
	h := server.New(server.Config{DB: d.App, JWTSecret: secret, Dev: dev,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &testServer{t: t, srv: srv, db: d, qc: qc}
}

func (f *testServer) token(role, unit string) string {
	tok, err := auth.Mint(secret, role+"@"+unit, auth.Role(role), unit, time.Hour, time.Now())
	if err != nil {
		f.t.Fatal(err)
	}
	return tok
}

type gqlResponse struct {
	Data   map[string]any `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
	status int
}

func (r gqlResponse) code() string {
	if len(r.Errors) == 0 {
		return ""
	}
	c, _ := r.Errors[0].Extensions["code"].(string)
	return c
}

func (f *testServer) query(tok, q string, vars map[string]any) gqlResponse {
	f.t.Helper()
	body, _ := json.Marshal(map[string]any{"query": q, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, f.srv.URL+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	return f.send(tok, req)
}

// send adds the bearer token (if any) and decodes the GraphQL response with its HTTP status.
func (f *testServer) send(tok string, req *http.Request) gqlResponse {
	f.t.Helper()
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, body := fixture.Do(f.t, nil, req)
	var r gqlResponse
	if err := json.Unmarshal(body, &r); err != nil {
		f.t.Fatalf("status %d: %v: %q", resp.StatusCode, err, body)
	}
	r.status = resp.StatusCode
	return r
}

// seed builds a province with a district, two communes (one with a cell) and n extra cells.
func seed(t testing.TB, db bun.IDB, cells int) map[string]int64 {
	ctx := fixture.System()
	ids := map[string]int64{}
	mk := func(code, name, kind string, parent string) {
		var p *int64
		if parent != "" {
			id := ids[parent]
			p = &id
		}
		res, err := org.Create(ctx, db, org.NewUnit{Code: code, Name: name, Kind: kind, Sector: "territorial"}, p,
			org.Doc{Effective: fixture.Day("2015-01-01")})
		if err != nil {
			t.Fatalf("create %s: %v", code, err)
		}
		ids[code] = res.Units[0]
	}
	mk("GL", "Đảng bộ tỉnh Gia Lai", "province", "")
	mk("GL.PK", "Thành ủy Pleiku", "district", "GL")
	mk("GL.PK.HT", "Đảng bộ phường Hội Thương", "grassroots_committee", "GL.PK")
	mk("GL.PK.HP", "Đảng bộ phường Hội Phú", "grassroots_committee", "GL.PK")
	mk("GL.PK.HP.1", "Chi bộ tổ dân phố 1", "cell", "GL.PK.HP")
	for i := 0; i < cells; i++ {
		mk(fmt.Sprintf("GL.PK.HT.%03d", i), fmt.Sprintf("Chi bộ tổ dân phố %d", i), "cell", "GL.PK.HT")
	}
	return ids
}

func gid(typ string, id int64) string {
	return strings.TrimRight(base64URL(typ+":"+fmt.Sprint(id)), "=")
}

func TestUnauthenticated(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	seed(t, f.db.App, 0)
	for name, tok := range map[string]string{
		"no token":           "",
		"garbage":            "not-a-jwt",
		"wrong secret":       mustMint(t, []byte("another-secret-another-secret-1234"), "board", "GL"),
		"unknown unit":       f.token("board", "NOWHERE"),
		"national non-admin": f.token("viewer", ""),
	} {
		r := f.query(tok, `{ viewer { subject } }`, nil)
		if r.status != http.StatusUnauthorized || r.code() != "UNAUTHENTICATED" || r.Data != nil {
			t.Errorf("%s: status %d code %q data %v", name, r.status, r.code(), r.Data)
		}
	}
	// Health endpoints need no token; /healthz never touches the database.
	for path, want := range map[string]int{"/healthz": 200, "/readyz": 200, "/metrics": 200} {
		req, _ := http.NewRequest(http.MethodGet, f.srv.URL+path, nil)
		resp, b := fixture.Do(t, nil, req)
		if resp.StatusCode != want {
			t.Errorf("%s: %d %s", path, resp.StatusCode, b)
		}
		if path == "/metrics" && !bytes.Contains(b, []byte("ptdv_http_requests_total")) {
			t.Errorf("/metrics lacks request counters")
		}
		if path == "/metrics" && !bytes.Contains(b, []byte("go_sql_max_open_connections")) {
			t.Errorf("/metrics lacks DB pool stats")
		}
	}
}

func mustMint(t *testing.T, key []byte, role, unit string) string {
	tok, err := auth.Mint(key, "x", auth.Role(role), unit, time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestScopeThroughGraphQL(t *testing.T) {
	t.Parallel()
	f, ids := seeded(t, 2)
	ht := f.token("board", "GL.PK.HT") // the board of ward Hội Thương
	sibling := gid("Unit", ids["GL.PK.HP"])
	siblingCell := gid("Unit", ids["GL.PK.HP.1"])

	// node(id:) of a sibling answers exactly like an id that does not exist.
	r := f.query(ht, `query($a: ID!, $b: ID!, $c: ID!) { a: node(id: $a) { id } b: node(id: $b) { id } c: node(id: $c) { id } }`,
		map[string]any{"a": sibling, "b": gid("Unit", 987654), "c": gid("Unit", ids["GL.PK.HT"])})
	if len(r.Errors) > 0 || r.Data["a"] != nil || r.Data["b"] != nil || r.Data["c"] == nil {
		t.Errorf("node: %+v", r)
	}
	// Through its parent's children: only itself.
	r = f.query(ht, `query($p: ID!) { unit(id: $p) { code } u: unit(code: "GL.PK.HT") { parent { code } } }`, map[string]any{"p": gid("Unit", ids["GL.PK"])})
	if r.Data["unit"] != nil || r.Data["u"].(map[string]any)["parent"] != nil {
		t.Errorf("parent district should be invisible: %+v", r.Data)
	}
	admin := f.token("admin", "")
	r = f.query(ht, `{ unit(code: "GL.PK.HP") { code } }`, nil)
	if r.Data["unit"] != nil {
		t.Errorf("sibling by code: %+v", r.Data)
	}
	// Search.
	r = f.query(ht, `{ searchUnits(text: "hoi", first: 10) { nodes { code } } }`, nil)
	if got := codesOf(r.Data["searchUnits"]); strings.Join(got, ",") != "GL.PK.HT" {
		t.Errorf("search from ward: %v (%+v)", got, r.Errors)
	}
	r = f.query(admin, `{ searchUnits(text: "hoi", first: 10) { nodes { code } } }`, nil)
	if got := codesOf(r.Data["searchUnits"]); strings.Join(got, ",") != "GL.PK.HP,GL.PK.HT" {
		t.Errorf("search as admin: %v", got)
	}
	// Mutation on a sibling: NOT_FOUND, nothing written.
	r = f.query(ht, `mutation($id: ID!) { renameUnit(input: {unitId: $id, name: "X", document: {effective: "2024-01-01"}}) { unit { name } } }`,
		map[string]any{"id": siblingCell})
	if r.code() != "NOT_FOUND" {
		t.Errorf("rename sibling cell: %+v", r)
	}
	var n int
	_ = f.db.Owner.NewRaw(`SELECT count(*) FROM org_operation WHERE kind = 'rename'`).Scan(context.Background(), &n)
	if n != 0 {
		t.Errorf("%d rename operations recorded", n)
	}
	// The same mutation inside the scope works and reports the new name.
	r = f.query(ht, `mutation($id: ID!) { renameUnit(input: {unitId: $id, name: "Chi bộ tổ dân phố Một", document: {effective: "2024-01-01", document: "QĐ 1"}}) { unit { name } operation { kind effective document } } }`,
		map[string]any{"id": gid("Unit", ids["GL.PK.HT.000"])})
	if len(r.Errors) > 0 || r.Data["renameUnit"].(map[string]any)["unit"].(map[string]any)["name"] != "Chi bộ tổ dân phố Một" {
		t.Errorf("rename own cell: %+v", r)
	}
	// Bad input gets a code and a Vietnamese message; no connection without first outside dev.
	r = f.query(admin, `{ rootUnits { nodes { code } } }`, nil)
	if r.code() != "INVALID_INPUT" {
		t.Errorf("connection without first: %+v", r)
	}
	r = f.query(admin, `{ unit(code: "GL", asOf: "2024-13-45") { code } }`, nil)
	if r.code() != "INVALID_INPUT" {
		t.Errorf("bad date: %+v", r)
	}
	r = f.query(admin, `{ __schema { types { name } } }`, nil)
	if r.code() != "FORBIDDEN" {
		t.Errorf("introspection outside dev: %+v", r)
	}
	r = f.query(admin, `mutation { moveUnit(input: {unitId: "`+gid("Unit", ids["GL.PK"])+`", parentId: "`+gid("Unit", ids["GL.PK.HT"])+`", document: {effective: "2024-01-01"}}) { unit { code } } }`, nil)
	if r.code() != "RULE_VIOLATION" || r.Errors[0].Extensions["rule"] != org.RuleNoCycle || !strings.Contains(r.Errors[0].Message, "Không thể") {
		t.Errorf("cycle: %+v", r)
	}
}

func codesOf(v any) []string {
	var out []string
	m, _ := v.(map[string]any)
	nodes, _ := m["nodes"].([]any)
	for _, n := range nodes {
		out = append(out, n.(map[string]any)["code"].(string))
	}
	return out
}

// A page of units, each with its parent and child count, costs the same number of SQL queries
// whether it holds 5 units or 100.
func TestPageQueryCountIsConstant(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	seed(t, f.db.App, 120)
	tok := f.token("board", "GL")
	q := `query($n: Int!) { unit(code: "GL.PK.HT") { children(first: $n) { edges { cursor node { id code name kindLabel parent { code name } childCount } } pageInfo { hasNextPage } } } }`
	counts := map[int]int{}
	for _, n := range []int{5, 100} {
		// A loaded machine may let a dataloader's 16 ms window close before every field has asked,
		// splitting a batch in two: the fewest queries of three tries is the page's cost (a query per
		// row would show in every try).
		for try := 0; try < 3; try++ {
			f.qc.Reset()
			r := f.query(tok, q, map[string]any{"n": n})
			if len(r.Errors) > 0 {
				t.Fatal(r.Errors)
			}
			edges := r.Data["unit"].(map[string]any)["children"].(map[string]any)["edges"].([]any)
			if len(edges) != n {
				t.Fatalf("got %d edges, want %d", len(edges), n)
			}
			if c := f.qc.Count(); try == 0 || c < counts[n] {
				counts[n] = c
			}
		}
	}
	// 1 actor with its scope, 1 unit by code, 1 children page, 1 parent batch, 1 child-count batch (the
	// kind and sector labels are shared between requests: read by the first try only).
	if counts[5] != counts[100] || counts[100] != 5 {
		t.Errorf("queries for 5 units: %d, for 100 units: %d, want 5 for both; last: %q", counts[5], counts[100], f.qc.Queries())
	}
}
