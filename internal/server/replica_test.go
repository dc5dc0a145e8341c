package server_test

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"

	"ptdv/internal/db"
	"ptdv/internal/pgtest"
	"ptdv/internal/server"
)

// With a read URL (a second login role on the same cluster stands in for a replica), query operations
// read through it and mutations, with what their payload reads, stay on the primary.
func TestReadReplicaURL(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := pgtest.New(t)
	if err := db.EnsureLoginRole(ctx, d.Owner, "ptdv_reader", "reader-secret"); err != nil {
		t.Fatal(err)
	}
	readURL, err := db.WithLogin(d.URL, "ptdv_reader", "reader-secret")
	if err != nil {
		t.Fatal(err)
	}
	read, err := db.Open(ctx, readURL, db.Options{AppRole: true, MaxOpenConns: 4, ApplicationName: "ptdv-read"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { read.Close() })
	primaryQ, readQ := &pgtest.QueryCounter{}, &pgtest.QueryCounter{}
	d.App.AddQueryHook(primaryQ)
	read.AddQueryHook(readQ)
	srv := httptest.NewServer(server.New(server.Config{DB: d.App, ReadDB: read, JWTSecret: secret,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}))
	t.Cleanup(srv.Close)
	f := &testServer{t: t, srv: srv, db: d}
	ids := seed(t, d.App, 1)
	board := f.token("board", "GL.PK.HT")

	// The token's scope is resolved on the primary before the operation is known (a unit ended there
	// ends its tokens at once, whatever a replica's lag): what a request costs the primary with no field.
	f.query(board, `{ __typename }`, nil)
	primaryQ.Reset()
	f.query(board, `{ __typename }`, nil)
	auth := primaryQ.Count()
	primaryQ.Reset()
	r := f.query(board, `query($u: ID!) { unit(id: $u) { name children(first: 5) { totalCount nodes { code } } memberCounts { status count } } }`,
		map[string]any{"u": gid("Unit", ids["GL.PK.HT"])})
	if len(r.Errors) > 0 || r.Data["unit"] == nil {
		t.Fatalf("query: %+v", r)
	}
	if readQ.Count() == 0 || primaryQ.Count() != auth {
		t.Errorf("a query: %d statements on the replica, %d on the primary (the scope: %d) %q", readQ.Count(), primaryQ.Count(), auth, primaryQ.Queries())
	}
	// The replica's statements came in through its own login: the server sees that session.
	var n int
	if err := d.Owner.NewRaw(`SELECT count(*) FROM pg_stat_activity WHERE usename = 'ptdv_reader'
		AND application_name = 'ptdv-read' AND datname = current_database()`).Scan(ctx, &n); err != nil || n == 0 {
		t.Errorf("replica sessions: %d, %v", n, err)
	}

	readQ.Reset()
	r = f.query(board, `mutation($u: ID!) { renameUnit(input: {unitId: $u, name: "Chi bộ Một", document: {effective: "2024-01-01", document: "QĐ 1"}}) {
		unit { name children(first: 1) { totalCount } } operation { kind } } }`, map[string]any{"u": gid("Unit", ids["GL.PK.HT.000"])})
	if len(r.Errors) > 0 {
		t.Fatalf("mutation: %+v", r)
	}
	if u := r.Data["renameUnit"].(map[string]any)["unit"].(map[string]any); u["name"] != "Chi bộ Một" {
		t.Errorf("the payload reads its own write: %v", u)
	}
	if primaryQ.Count() == 0 || readQ.Count() != 0 {
		t.Errorf("a mutation: %d statements on the primary, %d on the replica %q", primaryQ.Count(), readQ.Count(), readQ.Queries())
	}
}
