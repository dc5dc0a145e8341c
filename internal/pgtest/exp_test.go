package pgtest

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"ptdv/internal/db"
	"ptdv/internal/pglocal"
)

func TestExpBench(t *testing.T) {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "exp-")
	os.Chmod(dir, 0o755)
	defer os.RemoveAll(dir)
	c, err := pglocal.Start(ctx, dir, pglocal.Options{Fast: os.Getenv("EXP_FAST") != ""})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Stop(ctx)
	admin, _ := db.Open(ctx, c.URL("postgres"), db.Options{})
	defer admin.Close()
	tpl := "tpl"
	admin.ExecContext(ctx, "CREATE DATABASE tpl TEMPLATE template0")
	admin.ExecContext(ctx, "ALTER DATABASE tpl WITH ALLOW_CONNECTIONS false")
	for _, cfg := range []string{"WAL_LOG", "FILE_COPY", "av off", "WAL_LOG", "FILE_COPY", "fsync=off", "WAL_LOG", "FILE_COPY", "full_page_writes=off", "WAL_LOG", "FILE_COPY", "synchronous_commit=off", "WAL_LOG", "FILE_COPY"} {
		if strings.Contains(cfg, "=") {
			kv := strings.Split(cfg, "=")
			admin.ExecContext(ctx, "ALTER SYSTEM SET "+kv[0]+" = "+kv[1])
			admin.ExecContext(ctx, "SELECT pg_reload_conf()")
			time.Sleep(300 * time.Millisecond)
			t.Log(cfg)
			continue
		}
		switch cfg {
		case "av on", "av off":
			admin.ExecContext(ctx, "ALTER SYSTEM SET autovacuum = "+cfg[3:])
			admin.ExecContext(ctx, "SELECT pg_reload_conf()")
			time.Sleep(300 * time.Millisecond)
			t.Log(cfg)
			continue
		}
		var ct, dt, max time.Duration
		const n = 20
		for i := 0; i < n; i++ {
			name := "exp_" + randomHex(4)
			t0 := time.Now()
			if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name+" TEMPLATE "+tpl+" STRATEGY "+cfg); err != nil {
				t.Fatal(err)
			}
			d := time.Since(t0)
			ct += d
			if d > max {
				max = d
			}
			t0 = time.Now()
			dropDatabase(ctx, admin, name)
			dt += time.Since(t0)
		}
		t.Logf("  %s: create avg %v max %v, drop avg %v", cfg, ct/n, max, dt/n)
	}
	b, _ := os.ReadFile(dir + "/log/postgres.log")
	os.WriteFile("/tmp/exp-pg.log", b, 0o644)
}
