package analytics

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"ptdv/internal/vn"
	"strings"
	"unicode"
	"unicode/utf8"
)

var errNoMeta = errors.New("analytics: the file has no snapshot_meta row")

// readResult reads a Result back from a finished snapshot file.
func readResult(ctx context.Context, path string) (Result, error) {
	db, err := Open(path)
	if err != nil {
		return Result{}, err
	}
	defer db.Close()
	r := Result{Path: path, Tables: map[string]int64{}}

	err = db.QueryRowContext(ctx, `SELECT as_of FROM snapshot_meta`).Scan(&r.AsOf)
	if errors.Is(err, sql.ErrNoRows) {
		return Result{}, errNoMeta
	}
	if err != nil {
		return Result{}, fmt.Errorf("analytics: read snapshot_meta: %w", err)
	}
	r.AsOf = r.AsOf.UTC()

	names, err := strings1(ctx, db, `SELECT table_name FROM duckdb_tables()
		WHERE database_name = current_database() AND schema_name = 'main' ORDER BY table_name`)
	if err != nil {
		return Result{}, fmt.Errorf("analytics: list tables: %w", err)
	}
	for _, t := range names {
		var n int64
		if err := db.QueryRowContext(ctx, "SELECT count(*) FROM "+ident(t)).Scan(&n); err != nil {
			return Result{}, fmt.Errorf("analytics: count %s: %w", t, err)
		}
		r.Tables[t] = n
	}

	rows, err := db.QueryContext(ctx, `SELECT k.code, k.label_vi, coalesce(sum(c.n), 0)::BIGINT
		FROM org_kind k LEFT JOIN unit_counts c ON c.kind = k.code
		GROUP BY k.code, k.label_vi, k.rank ORDER BY k.rank, k.code`)
	if err != nil {
		return Result{}, fmt.Errorf("analytics: counts by kind: %w", err)
	}
	for rows.Next() {
		var k KindCount
		if err := rows.Scan(&k.Kind, &k.Label, &k.N); err != nil {
			rows.Close()
			return Result{}, fmt.Errorf("analytics: counts by kind: %w", err)
		}
		r.ByKind = append(r.ByKind, k)
	}
	if err := rows.Close(); err != nil {
		return Result{}, err
	}
	if err := rows.Err(); err != nil {
		return Result{}, fmt.Errorf("analytics: counts by kind: %w", err)
	}

	rows, err = db.QueryContext(ctx, `SELECT coalesce(province_code, ''), coalesce(province_name, ''), kind, n
		FROM unit_counts ORDER BY province_code NULLS LAST, province_id, kind`)
	if err != nil {
		return Result{}, fmt.Errorf("analytics: counts by province: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var code, name, kind string
		var n int64
		if err := rows.Scan(&code, &name, &kind, &n); err != nil {
			return Result{}, fmt.Errorf("analytics: counts by province: %w", err)
		}
		if len(r.ByProvince) == 0 || r.ByProvince[len(r.ByProvince)-1].Code != code {
			r.ByProvince = append(r.ByProvince, ProvinceCount{Code: code, Name: name, ByKind: map[string]int64{}})
		}
		p := &r.ByProvince[len(r.ByProvince)-1]
		p.ByKind[kind] += n
		p.Total += n
	}
	if err := rows.Err(); err != nil {
		return Result{}, fmt.Errorf("analytics: counts by province: %w", err)
	}
	return r, nil
}

// strings1 returns the values of the one column of q's rows.
func strings1(ctx context.Context, db interface {
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
}, q string) ([]string, error) {
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

func (r Result) total() int64 {
	var n int64
	for _, k := range r.ByKind {
		n += k.N
	}
	return n
}

// Print writes the counts per kind and per province as plain-text tables in Vietnamese.
func (r Result) Print(w io.Writer) {
	var b strings.Builder
	fmt.Fprintf(&b, "Số tổ chức đảng tại ngày %s\n\n", vn.Date(r.AsOf))

	t := table{right: []bool{false, true}}
	t.add("Loại tổ chức", "Số lượng")
	for _, k := range r.ByKind {
		t.add(label(k), vn.Int(k.N))
	}
	t.add("Tổng cộng", vn.Int(r.total()))
	t.write(&b)

	if len(r.ByProvince) > 0 {
		b.WriteString("\nTheo đảng bộ tỉnh, thành phố\n\n")
		t := table{right: []bool{false, false}}
		head := []string{"Mã", "Tên"}
		for _, k := range r.ByKind {
			head = append(head, shortLabel(k))
			t.right = append(t.right, true)
		}
		t.add(append(head, "Tổng")...)
		t.right = append(t.right, true)
		for _, p := range r.ByProvince {
			row := []string{p.Code, p.Name}
			if p.Code == "" {
				row = []string{"", "(không xác định)"}
			}
			for _, k := range r.ByKind {
				row = append(row, vn.Int(p.ByKind[k.Kind]))
			}
			t.add(append(row, vn.Int(p.Total))...)
		}
		row := []string{"", "Tổng cộng"}
		for _, k := range r.ByKind {
			row = append(row, vn.Int(k.N))
		}
		t.add(append(row, vn.Int(r.total()))...)
		t.write(&b)
	}
	io.WriteString(w, b.String())
}

func label(k KindCount) string {
	if k.Label != "" {
		return k.Label
	}
	return k.Kind
}

// shortLabel is a kind's label up to its first comma ("Đảng bộ huyện, quận, thị xã, …" →
// "Đảng bộ huyện"), short enough for a column header.
func shortLabel(k KindCount) string {
	l, _, _ := strings.Cut(label(k), ",")
	return strings.TrimSpace(l)
}

// table is a plain-text table: a header row, a rule under it, the other rows; columns are
// padded by their display width and aligned left or right.
type table struct {
	right []bool
	rows  [][]string
}

func (t *table) add(cells ...string) { t.rows = append(t.rows, cells) }

func (t *table) write(b *strings.Builder) {
	widths := make([]int, len(t.right))
	for _, row := range t.rows {
		for i, c := range row {
			widths[i] = max(widths[i], width(c))
		}
	}
	line := func(row []string) {
		var l strings.Builder
		for i, c := range row {
			if i > 0 {
				l.WriteString("  ")
			}
			pad := strings.Repeat(" ", widths[i]-width(c))
			if t.right[i] {
				l.WriteString(pad + c)
			} else {
				l.WriteString(c + pad)
			}
		}
		b.WriteString(strings.TrimRight(l.String(), " ") + "\n")
	}
	for i, row := range t.rows {
		line(row)
		if i == 0 {
			rule := make([]string, len(widths))
			for j, w := range widths {
				rule[j] = strings.Repeat("-", w)
			}
			line(rule)
		}
	}
}

// width is the number of columns s takes on a terminal: its runes minus combining marks
// (Vietnamese in decomposed form carries its tone marks as separate runes).
func width(s string) int {
	n := utf8.RuneCountInString(s)
	for _, r := range s {
		if unicode.Is(unicode.Mn, r) {
			n--
		}
	}
	return n
}
