package seed

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"ptdv/internal/pgtest"
)

func TestDump(t *testing.T) {
	if os.Getenv("SEED_DUMP") == "" {
		t.Skip()
	}
	d := pgtest.New(t)
	ctx := context.Background()
	if _, err := Run(ctx, d.URL, Options{Scale: "demo", Seed: 1, Today: demoToday}); err != nil {
		t.Fatal(err)
	}
	for _, q := range strings.Split(os.Getenv("SEED_DUMP"), ";;") {
		rows, err := d.Owner.QueryContext(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		fmt.Println(strings.Join(cols, " | "))
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			rows.Scan(ptrs...)
			var parts []string
			for _, v := range vals {
				if b, ok := v.([]byte); ok {
					v = string(b)
				}
				parts = append(parts, fmt.Sprint(v))
			}
			fmt.Println(strings.Join(parts, " | "))
		}
	}
}
