package bulk

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/uptrace/bun"

	"ptdv/internal/apperr"
	"ptdv/internal/audit"
	"ptdv/internal/auth"
	"ptdv/internal/sheet"
	"ptdv/internal/vn"
)

// Rule ids of the import limits (table import_limit, by role).
const (
	RuleRowsPerFile = "import.rows_per_file"
	RuleRowsPerDay  = "import.rows_per_day"
)

// limits are a role's import limits.
type limits struct {
	PerFile int `bun:"rows_per_file"`
	PerDay  int `bun:"rows_per_day"`
	// Today is how many rows the actor's runs of the day have read already.
	Today int `bun:"today"`
}

// checkLimits refuses a file of more rows than the actor's role may import in one file, or in the rest
// of the day.
func checkLimits(ctx context.Context, d bun.IDB, a *auth.Actor, rows int) error {
	var l limits
	// The audit trail is readable by the national scope only (row-level security): the day's rows of
	// this actor come from ptdv_import_rows_today (migration 0021).
	err := d.NewRaw(`SELECT l.rows_per_file, l.rows_per_day, ptdv_import_rows_today(?) AS today
		FROM import_limit l WHERE l.role = ?`, a.Subject, string(a.Role)).Scan(ctx, &l)
	if isNoRows(err) {
		return apperr.New(apperr.Forbidden, "Vai trò của bạn không được nhập dữ liệu từ tệp.", fmt.Sprintf("no import limit for role %s", a.Role))
	}
	if err != nil {
		return fmt.Errorf("bulk: import limits: %w", err)
	}
	if rows > l.PerFile {
		return apperr.Rule(RuleRowsPerFile,
			fmt.Sprintf("Tệp có %s dòng, quá %s dòng một tệp được phép với vai trò của bạn; hãy chia nhỏ tệp.", vn.Int(int64(rows)), vn.Int(int64(l.PerFile))),
			fmt.Sprintf("%d rows, more than the %d a file may hold for role %s", rows, l.PerFile, a.Role))
	}
	if l.Today+rows > l.PerDay {
		return apperr.Rule(RuleRowsPerDay,
			fmt.Sprintf("Hôm nay tài khoản của bạn đã nhập %s dòng; thêm %s dòng của tệp này sẽ quá %s dòng một ngày. Hãy nhập tiếp vào ngày mai.",
				vn.Int(int64(l.Today)), vn.Int(int64(rows)), vn.Int(int64(l.PerDay))),
			fmt.Sprintf("%d rows today and %d in this file exceed the %d a day for role %s", l.Today, rows, l.PerDay, a.Role))
	}
	return nil
}

// TableHash is the SHA-256 of a table's cells, for the audit row of a run whose file bytes the caller
// did not hash (Options.FileHash).
func TableHash(t sheet.Table) string {
	h := sha256.New()
	write := func(cells []string) {
		for _, c := range cells {
			h.Write([]byte(c))
			h.Write([]byte{0x1f})
		}
		h.Write([]byte{0x1e})
	}
	write(t.Header)
	for _, r := range t.Rows {
		write(r.Cells)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// auditRun writes the audit row of one import run, outside the import's transaction (a refused run is
// audited too): the actor, the file's hash, the rows and the outcome — never a cell of the file.
func auditRun(ctx context.Context, d bun.IDB, k Kind, hash string, rows int, rep Report, err error) error {
	outcome, code := "written", ""
	switch {
	case err != nil:
		outcome = "error"
		if e, ok := apperr.As(err); ok {
			code = string(e.Code)
			if e.Rule == RuleRowsPerFile || e.Rule == RuleRowsPerDay {
				outcome = "limit"
			} else if e.Code == apperr.InvalidFile || e.Code == apperr.InvalidInput {
				outcome = "invalid"
			}
		}
	case !rep.Written:
		outcome = "refused"
	}
	after := map[string]any{"kind": k, "fileSha256": hash, "rows": rows, "created": rep.Created, "updated": rep.Updated,
		"unchanged": rep.Unchanged, "rejected": rep.Bad(), "written": rep.Written, "outcome": outcome}
	if code != "" {
		after["code"] = code
	}
	return audit.Record(ctx, d, "import.run", "import", hash, nil, after)
}

// AuditUnreadable audits an upload refused before it was a table (sheet.Read's INVALID_FILE): the
// run counts, with its bytes' hash and no rows.
func AuditUnreadable(ctx context.Context, d bun.IDB, k Kind, hash string, readErr error) error {
	if _, ok := apperr.As(readErr); !ok {
		return nil
	}
	if _, err := auth.FromContext(ctx); err != nil {
		return nil // refused as unauthenticated already
	}
	return auditRun(ctx, d, k, hash, 0, Report{}, readErr)
}
