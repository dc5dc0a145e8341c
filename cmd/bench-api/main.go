// Command bench-api measures the API's screens on the national fixture under load (`make bench-api`, not
// in CI): it starts `ptdv serve` on the fixture's data directory (read-only: no migration, no nightly
// job), picks a busy commune of the largest province and one of its cases, and runs each screen with
// vegeta at 1 and 32 concurrent clients (each client its own user, as 32 people would be), printing
// p50/p95/p99, throughput, errors and SQL statements per request (from the server's
// ptdv_sql_statements_total), with the machine's core count.
package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"ptdv/internal/auth"
	"ptdv/internal/db"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "bench-api:", err)
		os.Exit(1)
	}
}

type screen struct {
	name, scope string // scope: "commune" or "province": whose board asks
	query       string
	vars        map[string]any
}

func run() error {
	data := flag.String("data", ".ptdv-national", "the national fixture's PTDV_DATA (seeded with `ptdv seed --scale national` when empty)")
	bin := flag.String("bin", "bin/ptdv", "the ptdv binary")
	dur := flag.Duration("duration", 10*time.Second, "length of each run")
	clientsFlag := flag.String("clients", "1,32", "concurrent clients of the runs")
	only := flag.String("only", "", "run only the screens whose name contains this")
	flag.Parse()
	var clients []int
	for _, s := range strings.Split(*clientsFlag, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			return fmt.Errorf("-clients: %q", s)
		}
		clients = append(clients, n)
	}
	ctx := context.Background()
	if _, err := os.Stat(filepath.Join(*data, "pg", "data", "PG_VERSION")); err != nil {
		fmt.Println("Chưa có bộ dữ liệu toàn quốc: ptdv seed --scale national …")
		cmd := exec.Command(*bin, "seed", "--scale", "national")
		cmd.Env, cmd.Stdout, cmd.Stderr = append(os.Environ(), "PTDV_DATA="+*data), os.Stdout, os.Stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("seed: %w", err)
		}
	}

	// A fixture seeded by an older binary lacks the later migrations (the rollups the screens read):
	// applied once, then the server runs without migrating.
	mig := exec.Command(*bin, "migrate")
	mig.Env, mig.Stdout, mig.Stderr = append(os.Environ(), "PTDV_DATA="+*data, "PTDV_LOG_LEVEL=warn"), os.Stderr, os.Stderr
	if err := mig.Run(); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}

	secret := make([]byte, 32)
	_, _ = rand.Read(secret)
	port, err := freePort()
	if err != nil {
		return err
	}
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	srv := exec.Command(*bin, "serve", "--no-migrate", "--nightly-at", "off")
	srv.Env = append(os.Environ(), "PTDV_DATA="+*data, fmt.Sprintf("PTDV_LISTEN=127.0.0.1:%d", port),
		"PTDV_JWT_SECRET="+hex.EncodeToString(secret), "PTDV_LOG_LEVEL=warn")
	srv.Stdout, srv.Stderr = os.Stderr, os.Stderr
	srv.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := srv.Start(); err != nil {
		return err
	}
	defer func() {
		_ = srv.Process.Signal(syscall.SIGTERM)
		_ = srv.Wait()
	}()
	if err := waitReady(base, 3*time.Minute); err != nil {
		return err
	}

	province, commune, caseID, err := discover(ctx, *data)
	if err != nil {
		return err
	}
	key := []byte(hex.EncodeToString(secret))
	fmt.Printf("Tỉnh %s, xã %s, hồ sơ %d\n", province, commune, caseID)

	screens := []screen{
		{"unit page (unit, parent, counts, 50 children)", "commune",
			`query($c: String!) { unit(code: $c) { name kindLabel parent { name } childCount descendantCounts { kind count }
				children(first: 50) { totalCount nodes { code name kindLabel childCount } } } }`, map[string]any{"c": commune}},
		{"province board: unit page (unit, parent, counts, 50 children)", "province",
			`query($c: String!) { unit(code: $c) { name kindLabel parent { name } childCount descendantCounts { kind count }
				children(first: 50) { totalCount nodes { code name kindLabel childCount } } memberCounts { status count } } }`,
			map[string]any{"c": province}},
		{"unit page in one query (progress, 50 children's progress, 50 candidates, 50 due, member counts)", "commune",
			`query($c: String!) { unit(code: $c) { name parent { name }
				progress(periodKind: YEAR) { admitted targetCount percentDone }
				childrenProgress(periodKind: YEAR, first: 50) { totalCount nodes { unit { code name } progress { admitted percentDone } } }
				candidates(first: 50) { totalCount nodes { id stage person { fullName } nextDue { kind dueOn } } }
				dueList(first: 50) { totalCount nodes { kind dueOn overdue candidate { id } } }
				memberCounts { status count } } }`, map[string]any{"c": commune}},
		{"province board: childrenProgress of the province, first 100", "province",
			`query($c: String!) { unit(code: $c) { childrenProgress(periodKind: YEAR, first: 100) { totalCount
				nodes { unit { code name } progress { admitted targetCount percentDone } } } } }`, map[string]any{"c": province}},
		{"50 candidates of a commune with person, cell, helper, sponsors, next due", "commune",
			`query($c: String!) { unit(code: $c) { candidates(first: 50) { totalCount nodes { id stage stageSince
				person { fullName birthDate } cell { name } helper { fullName } sponsors { person { fullName } }
				nextDue { kind dueOn overdue } } } } }`, map[string]any{"c": commune}},
		{"due list of a commune, 50", "commune",
			`query($c: String!) { unit(code: $c) { dueList(first: 50) { totalCount nodes { kind dueOn overdue rule
				candidate { id person { fullName } cell { name } } } } } }`, map[string]any{"c": commune}},
		{"a case page (person, history, dues, sponsors)", "commune",
			`query($id: ID!) { candidate(id: $id) { stage stageSince person { fullName birthDate unit { name } }
				cell { name } history { kind effective documentNumber } dues { kind dueOn overdue }
				sponsors { person { fullName } knownSince } helper { fullName } } }`,
			map[string]any{"id": globalID("Candidate", caseID)}},
		{"50 newest candidates of a province", "province",
			`query($c: String!) { unit(code: $c) { candidates(first: 50) { nodes { id stage person { fullName } cell { name } } } } }`,
			map[string]any{"c": province}},
	}

	fmt.Printf("\n%s, %d lõi (runtime.NumCPU), %s, mỗi lượt %s\n\n", cpuModel(), runtime.NumCPU(),
		time.Now().Format("02/01/2006 15:04"), *dur)
	fmt.Println("| screen | clients | p50 | p95 | p99 | req/s | errors | SQL/request |")
	fmt.Println("|---|---|---|---|---|---|---|---|")
	for _, s := range screens {
		if *only != "" && !strings.Contains(s.name, *only) {
			continue
		}
		unit := commune
		if s.scope == "province" {
			unit = province
		}
		body, _ := json.Marshal(map[string]any{"query": s.query, "variables": s.vars})
		maxC := 0
		for _, c := range clients {
			maxC = max(maxC, c)
		}
		targets := make([]vegeta.Target, maxC)
		for i := range targets {
			tok, err := auth.Mint(key, fmt.Sprintf("bench-%d@%s", i, unit), auth.RoleBoard, unit, time.Hour, time.Now())
			if err != nil {
				return err
			}
			targets[i] = vegeta.Target{Method: http.MethodPost, URL: base + "/graphql", Body: body,
				Header: http.Header{"Content-Type": {"application/json"}, "Authorization": {"Bearer " + tok}}}
		}
		// Warm the caches (PostgreSQL's pages, the parsed-query cache) for 2 s, not measured.
		if _, err := attack(targets[:1], 1, 2*time.Second, base); err != nil {
			return err
		}
		for _, c := range clients {
			r, err := attack(targets[:c], c, *dur, base)
			if err != nil {
				return err
			}
			fmt.Printf("| %s | %d | %s | %s | %s | %.1f | %d | %.1f |\n", s.name, c, ms(r.m.Latencies.P50), ms(r.m.Latencies.P95),
				ms(r.m.Latencies.P99), r.m.Throughput, r.errors, r.sqlPerRequest)
		}
	}
	return nil
}

type result struct {
	m             vegeta.Metrics
	errors        int
	sqlPerRequest float64
}

// attack runs c clients (vegeta workers at the highest rate they sustain) for d.
func attack(targets []vegeta.Target, c int, d time.Duration, base string) (result, error) {
	var r result
	before, err := sqlStatements(base)
	if err != nil {
		return r, err
	}
	a := vegeta.NewAttacker(vegeta.Workers(uint64(c)), vegeta.MaxWorkers(uint64(c)), vegeta.Connections(c),
		vegeta.KeepAlive(true), vegeta.Timeout(60*time.Second))
	var firstErr string
	for res := range a.Attack(vegeta.NewStaticTargeter(targets...), vegeta.Rate{Freq: 0}, d, "screen") {
		if res.Code != http.StatusOK || bytes.Contains(res.Body, []byte(`"errors"`)) {
			r.errors++
			if firstErr == "" {
				firstErr = fmt.Sprintf("%d %s %.300s", res.Code, res.Error, res.Body)
			}
			res.Code = 0 // counts against vegeta's success and throughput too
		}
		r.m.Add(res)
	}
	r.m.Close()
	if firstErr != "" {
		fmt.Fprintln(os.Stderr, "first error:", firstErr)
	}
	after, err := sqlStatements(base)
	if err != nil {
		return r, err
	}
	if r.m.Requests > 0 {
		r.sqlPerRequest = (after - before) / float64(r.m.Requests)
	}
	return r, nil
}

// sqlStatements reads the server's statement counter (all pools).
func sqlStatements(base string) (float64, error) {
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var sum float64
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "ptdv_sql_statements_total{") {
			f := strings.Fields(line)
			v, _ := strconv.ParseFloat(f[len(f)-1], 64)
			sum += v
		}
	}
	return sum, sc.Err()
}

// discover picks the largest province (by name, Hà Nội), its commune with the most open cases and
// that commune's newest open case with a dossier, through the fixture's owner connection.
func discover(ctx context.Context, data string) (province, commune string, caseID int64, err error) {
	pid, err := os.ReadFile(filepath.Join(data, "pg", "data", "postmaster.pid"))
	if err != nil {
		return "", "", 0, fmt.Errorf("the fixture's PostgreSQL is not running: %w", err)
	}
	lines := strings.Split(string(pid), "\n")
	if len(lines) < 5 {
		return "", "", 0, fmt.Errorf("postmaster.pid: %q", pid)
	}
	url := fmt.Sprintf("postgres://ptdv@/ptdv?host=%s&port=%s&sslmode=disable", strings.TrimSpace(lines[4]), strings.TrimSpace(lines[3]))
	owner, err := db.Open(ctx, url, db.Options{ApplicationName: "ptdv-bench-api"})
	if err != nil {
		return "", "", 0, err
	}
	defer owner.Close()
	if err := owner.NewRaw(`SELECT u.code FROM org_unit u JOIN org_unit_name n ON n.unit_id = u.id AND n.valid_to IS NULL
		WHERE u.kind = 'province' AND u.valid_to IS NULL ORDER BY n.name LIKE '%Hà Nội' DESC, u.code LIMIT 1`).Scan(ctx, &province); err != nil {
		return "", "", 0, fmt.Errorf("province: %w", err)
	}
	var n int
	if err := owner.NewRaw(`SELECT com.code, count(*) FROM candidate_case c
		JOIN org_link lc ON lc.unit_id = c.cell_id AND lc.valid_to IS NULL
		JOIN org_unit com ON com.id = lc.parent_id AND com.kind = 'grassroots_committee'
		JOIN org_link lp ON lp.unit_id = com.id AND lp.valid_to IS NULL AND lp.parent_id = (SELECT id FROM org_unit WHERE code = ?)
		WHERE c.closed_on IS NULL GROUP BY com.code ORDER BY 2 DESC LIMIT 1`, province).Scan(ctx, &commune, &n); err != nil {
		return "", "", 0, fmt.Errorf("commune: %w", err)
	}
	if err := owner.NewRaw(`SELECT c.id FROM candidate_case c
		JOIN org_link l ON l.unit_id = c.cell_id AND l.valid_to IS NULL
		WHERE l.parent_id = (SELECT id FROM org_unit WHERE code = ?) AND c.dossier_on IS NOT NULL AND c.closed_on IS NULL
		ORDER BY c.id DESC LIMIT 1`, commune).Scan(ctx, &caseID); err != nil {
		return "", "", 0, fmt.Errorf("case: %w", err)
	}
	return province, commune, caseID, nil
}

// waitReady waits for the server to answer; a fixture seeded by an older build has migrations pending
// (it is only read, never migrated): said, not fatal, since the screens' tables are there.
func waitReady(base string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			if bytes.Contains(b, []byte("migrations pending")) {
				fmt.Fprintf(os.Stderr, "bench-api: the fixture is read as it is: %s", b)
				return nil
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	return fmt.Errorf("ptdv serve not ready after %s", limit)
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func globalID(typ string, id int64) string {
	return strings.TrimRight(base64URL(typ+":"+strconv.FormatInt(id, 10)), "=")
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	for _, l := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return runtime.GOARCH
}

func base64URL(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
