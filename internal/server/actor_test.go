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
	"sort"
	"sync"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
	"github.com/uptrace/bun"

	"ptdv/internal/db"
	"ptdv/internal/pgtest"
	"ptdv/internal/server"
)

// newFixtureConfig is newFixture with the server's configuration adjusted, and optionally its own pool.
func newFixtureConfig(t testing.TB, app func(d *pgtest.DB) *bun.DB, adjust func(*server.Config)) *testServer {
	d := pgtest.New(t)
	qc := &pgtest.QueryCounter{}
	pool := d.App
	if app != nil {
		pool = app(d)
	}
	pool.AddQueryHook(qc)
	cfg := server.Config{DB: pool, JWTSecret: secret, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if adjust != nil {
		adjust(&cfg)
	}
	srv := httptest.NewServer(server.New(cfg))
	t.Cleanup(srv.Close)
	return &testServer{t: t, srv: srv, db: d, qc: qc}
}

// lockWaiters counts the statements of the application waiting for a lock in the test's database.
func lockWaiters(t *testing.T, f *testServer) int {
	var n int
	if err := f.db.Owner.NewRaw(`SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()
		AND wait_event_type = 'Lock' AND application_name = 'ptdv-test-app'`).Scan(context.Background(), &n); err != nil {
		t.Fatal(err)
	}
	return n
}

// One actor holds at most its share: 2 requests at once (here), and 2 resolvers with their own queries
// at once across them; a third request waits briefly and is refused with TOO_MANY_REQUESTS, while another
// actor is served. When the share frees up, the held requests finish normally.
func TestActorShare(t *testing.T) {
	t.Parallel()
	f := newFixtureConfig(t, nil, func(c *server.Config) { c.ActorConcurrency = 2; c.ActorWait = 300 * time.Millisecond })
	ids := seed(t, f.db.App, 0)
	flood := f.token("board", "GL")
	other := f.token("board", "GL.PK.HT")
	unit := gid("Unit", ids["GL"])
	// Warm the actor's resolution, then hold every count of candidates behind a lock.
	if r := f.query(flood, `{ viewer { subject } }`, nil); len(r.Errors) > 0 {
		t.Fatal(r.Errors)
	}
	ctx := context.Background()
	tx, err := f.db.Owner.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, `LOCK TABLE candidate_case IN ACCESS EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}
	released := false
	release := func() {
		if !released {
			released = true
			_ = tx.Rollback()
		}
	}
	defer release()

	// One request with eight aggregates (as many as the cost limit allows): only two of them wait on the
	// database at once.
	funnels := "query($u: ID!) " + aliases(8, `funnel(unitId: $u) { count }`)
	var wg sync.WaitGroup
	results := make([]gqlResponse, 2)
	wg.Add(1)
	go func() { defer wg.Done(); results[0] = f.query(flood, funnels, map[string]any{"u": unit}) }()
	waitFor(t, func() bool { return lockWaiters(t, f) == 2 })
	time.Sleep(100 * time.Millisecond)
	if n := lockWaiters(t, f); n != 2 {
		t.Fatalf("one request of eight aggregates holds %d connections, want 2", n)
	}
	// A second request of the same actor is admitted but finds no free query slot.
	wg.Add(1)
	go func() { defer wg.Done(); results[1] = f.query(flood, funnels, map[string]any{"u": unit}) }()
	time.Sleep(200 * time.Millisecond)
	if n := lockWaiters(t, f); n != 2 {
		t.Fatalf("two requests of one actor hold %d connections, want 2", n)
	}
	// A third waits its 300 ms and is refused, with a code and a Vietnamese message.
	t0 := time.Now()
	r := f.query(flood, `{ viewer { subject } }`, nil)
	if r.status != http.StatusTooManyRequests || r.code() != "TOO_MANY_REQUESTS" || r.Data != nil || time.Since(t0) < 250*time.Millisecond {
		t.Errorf("third request of the flooding actor: %d %+v after %v", r.status, r, time.Since(t0))
	}
	// Another actor is served meanwhile.
	r = f.query(other, `{ viewer { subject unit { code } } }`, nil)
	if len(r.Errors) > 0 || r.Data["viewer"].(map[string]any)["subject"] != "board@GL.PK.HT" {
		t.Errorf("another actor during the flood: %+v", r)
	}
	release()
	wg.Wait()
	for i, r := range results {
		if len(r.Errors) > 0 || len(r.Data) != 8 {
			t.Errorf("held request %d: %+v", i, r)
		}
	}
	// The share is free again.
	if r := f.query(flood, `{ viewer { subject } }`, nil); len(r.Errors) > 0 {
		t.Errorf("after the flood: %+v", r.Errors)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatal("condition not met within 10 s")
}

// BenchmarkActorFlood measures the p95 latency of ordinary users (five commune boards, 20 requests per
// second together, a page of their cells) alone, while one actor floods the API with the most expensive
// queries the cost limit allows (200 per second from up to 64 connections), with the per-actor share
// (the default, 4) and without it (a share of 1,000). The pool has 20 connections, as `ptdv serve`.
// Opt-in: PTDV_BENCH_FLOOD=1 go test -run '^$' -bench ActorFlood -benchtime 1x ./internal/server/
func BenchmarkActorFlood(b *testing.B) {
	if os.Getenv("PTDV_BENCH_FLOOD") != "1" {
		b.Skip("set PTDV_BENCH_FLOOD=1 to run the flood benchmark (about 40 s)")
	}
	const seconds = 8
	for _, sc := range []struct {
		name  string
		share int
		flood bool
	}{{"alone", 0, false}, {"flood-share-4", 4, true}, {"flood-no-share", 1000, true}} {
		b.Run(sc.name, func(b *testing.B) {
			f := newFixtureConfig(b, func(d *pgtest.DB) *bun.DB {
				p, err := db.Open(context.Background(), d.URL, db.Options{AppRole: true, MaxOpenConns: 20, ApplicationName: "ptdv-bench"})
				if err != nil {
					b.Fatal(err)
				}
				b.Cleanup(func() { p.Close() })
				return p
			}, func(c *server.Config) { c.ActorConcurrency = sc.share })
			ids := seed(b, f.db.App, 200)
			tok := f.token
			body := func(q string, vars map[string]any) []byte {
				bs, _ := json.Marshal(map[string]any{"query": q, "variables": vars})
				return bs
			}
			target := func(token string, q []byte) vegeta.Target {
				return vegeta.Target{Method: http.MethodPost, URL: f.srv.URL + "/graphql", Body: q,
					Header: http.Header{"Authorization": {"Bearer " + token}, "Content-Type": {"application/json"}}}
			}
			var users []vegeta.Target
			for i := 0; i < 5; i++ {
				users = append(users, target(tok("board", fmt.Sprintf("GL.PK.HT.%03d", i)),
					body(`{ unit(code: "GL.PK.HT") { name childCount children(first: 20) { nodes { code name kindLabel } } } }`, nil)))
			}
			flood := target(tok("board", "GL"), body(`query($u: ID!) {
				a: funnel(unitId: $u) { count } b: memberCounts(unitId: $u) { count } c: funnel(unitId: $u) { stage }
				d: unit(id: $u) { descendantCounts { count } descendants(first: 100) { nodes { code childCount } } }
				e: dueList(unitId: $u, first: 100) { edges { cursor } } f: searchUnits(text: "chi bo", first: 100) { nodes { code } } }`,
				map[string]any{"u": gid("Unit", ids["GL"])}))
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var floodCodes sync.Map
			if sc.flood {
				go func() {
					a := vegeta.NewAttacker(vegeta.Workers(64), vegeta.MaxWorkers(64), vegeta.Connections(64), vegeta.Timeout(40*time.Second))
					for res := range a.Attack(vegeta.NewStaticTargeter(flood), vegeta.Rate{Freq: 200, Per: time.Second}, (seconds+2)*time.Second, "flood") {
						v, _ := floodCodes.LoadOrStore(res.Code, new(int))
						*v.(*int)++
						if ctx.Err() != nil {
							a.Stop()
						}
					}
				}()
				time.Sleep(time.Second) // let the flood build up
			}
			a := vegeta.NewAttacker(vegeta.Workers(8), vegeta.Timeout(40*time.Second))
			var m vegeta.Metrics
			var lat []time.Duration
			b.ResetTimer()
			for res := range a.Attack(vegeta.NewStaticTargeter(users...), vegeta.Rate{Freq: 20, Per: time.Second}, seconds*time.Second, "users") {
				m.Add(res)
				if res.Code == 200 && !bytes.Contains(res.Body, []byte(`"errors"`)) {
					lat = append(lat, res.Latency)
				}
			}
			b.StopTimer()
			m.Close()
			cancel()
			sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
			ok := float64(len(lat)) / float64(m.Requests)
			b.ReportMetric(float64(m.Latencies.P50.Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(m.Latencies.P95.Microseconds())/1000, "p95-ms")
			b.ReportMetric(float64(m.Latencies.P99.Microseconds())/1000, "p99-ms")
			b.ReportMetric(ok*100, "%ok")
			var fc []string
			floodCodes.Range(func(k, v any) bool { fc = append(fc, fmt.Sprintf("%v×%d", k, *v.(*int))); return true })
			sort.Strings(fc)
			b.Logf("%s: users %d requests, p50 %v p95 %v p99 %v max %v, %.1f%% ok; flood status codes %v",
				sc.name, m.Requests, m.Latencies.P50, m.Latencies.P95, m.Latencies.P99, m.Latencies.Max, ok*100, fc)
		})
	}
}
