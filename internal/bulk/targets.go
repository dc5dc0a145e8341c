package bulk

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"ptdv/internal/apperr"
	"ptdv/internal/auth"
	"ptdv/internal/codes"
	"ptdv/internal/org"
	"ptdv/internal/page"
	"ptdv/internal/sheet"
	"ptdv/internal/target"
	"ptdv/internal/vn"
)

// targetColumns: one target a row, as a province's or a commune's resolution sets them: the unit, the
// measure, the period (a term with its name and dates, a year, a quarter), the number or the rate,
// and the document. The key is unit + measure + period: importing the same file again changes nothing,
// and a row with a new number records a revision of the target (its history is kept).
var targetColumns = []Column{
	{Key: colNo, Header: "STT", Note: "Số thứ tự; không bắt buộc, không nhập vào hệ thống."},
	{Key: "code", Header: "Mã đơn vị", Required: true, Note: "Mã tổ chức đảng được giao chỉ tiêu."},
	{Key: "unit_name", Header: "Tên đơn vị", ExportOnly: true, Note: "Chỉ để đọc; không nhập vào hệ thống."},
	{Key: "measure", Header: "Chỉ tiêu", Required: true, Note: "Theo danh mục chỉ tiêu, ví dụ: Kết nạp đảng viên mới."},
	{Key: "period_kind", Header: "Kỳ", Required: true, Note: "Nhiệm kỳ, Năm hoặc Quý."},
	{Key: "start", Header: "Từ ngày", Required: true, Note: "dd/mm/yyyy: ngày đầu nhiệm kỳ; 01/01 của năm; ngày đầu quý."},
	{Key: "end", Header: "Đến ngày", Required: true, Note: "dd/mm/yyyy: ngày cuối nhiệm kỳ, năm hoặc quý."},
	{Key: "term_name", Header: "Tên nhiệm kỳ", Note: "Với chỉ tiêu nhiệm kỳ, ví dụ: Nhiệm kỳ 2020–2025. Nhiệm kỳ chưa có sẽ được ghi nhận."},
	{Key: "count", Header: "Số lượng", Note: "Chỉ tiêu số lượng, ví dụ 750. Điền số lượng hoặc tỷ lệ."},
	{Key: "rate", Header: "Tỷ lệ (%)", Note: "Chỉ tiêu tỷ lệ, ví dụ 4 hoặc 4,5 (% so với số đảng viên cuối năm trước)."},
	{Key: "document", Header: "Văn bản", Note: "Nghị quyết đại hội hoặc văn bản giao chỉ tiêu."},
}

// periodKinds reads a period kind by its Vietnamese name (accents and case folded) or its code.
var periodKinds = func() map[string]target.PeriodKind {
	m := map[string]target.PeriodKind{}
	for k, label := range target.PeriodLabels {
		m[codes.Fold(label)], m[string(k)] = k, k
	}
	return m
}()

// targetRow is a row's cells, checked.
type targetRow struct {
	code, measure, termName, document string
	kind                              target.PeriodKind
	start, end                        time.Time
	values                            target.Values
}

// parseTarget checks a target row's cells before anything is written; measures maps folded codes and
// labels to measure codes.
func parseTarget(r *record, measures map[string]string) (targetRow, bool) {
	var out targetRow
	for _, k := range []string{"code", "measure", "period_kind", "start", "end"} {
		r.required(k)
	}
	out.code, out.termName, out.document = r.text("code"), r.text("term_name"), r.text("document")
	if s := r.text("measure"); s != "" {
		if out.measure = measures[codes.Fold(s)]; out.measure == "" {
			r.invalid("measure", fmt.Sprintf("\"%s\" không có trong danh mục chỉ tiêu.", s))
		}
	}
	if s := r.text("period_kind"); s != "" {
		if out.kind = periodKinds[codes.Fold(s)]; out.kind == "" {
			r.invalid("period_kind", fmt.Sprintf("Kỳ \"%s\" không hợp lệ: Nhiệm kỳ, Năm hoặc Quý.", s))
		}
	}
	start, end := r.date("start"), r.date("end")
	if start != nil && end != nil {
		out.start, out.end = *start, *end
		switch out.kind {
		case target.PeriodYear:
			if y := target.Year(start.Year()); !y.Start.Equal(*start) || !y.End.Equal(*end) {
				r.invalid("end", fmt.Sprintf("Năm là từ 01/01 đến 31/12 (%s – %s).", vn.Date(y.Start), vn.Date(y.End)))
			}
		case target.PeriodQuarter:
			if q := target.Quarter(start.Year(), target.QuarterOf(*start)); !q.Start.Equal(*start) || !q.End.Equal(*end) {
				r.invalid("end", fmt.Sprintf("Quý là từ ngày đầu đến ngày cuối của quý, ví dụ %s – %s.", vn.Date(q.Start), vn.Date(q.End)))
			}
		case target.PeriodTerm:
			if !end.After(*start) {
				r.invalid("end", "Ngày cuối nhiệm kỳ phải sau ngày đầu.")
			}
		}
	}
	count, rate := r.text("count"), r.text("rate")
	switch {
	case count == "" && rate == "":
		r.invalid("count", "Cần số lượng hoặc tỷ lệ.")
	case count != "" && rate != "":
		r.invalid("rate", "Chỉ điền số lượng hoặc tỷ lệ, không điền cả hai.")
	case count != "":
		n, err := strconv.Atoi(strings.ReplaceAll(count, ".", ""))
		if err != nil || n < 0 {
			r.invalid("count", fmt.Sprintf("Số lượng \"%s\" không hợp lệ.", count))
		}
		out.values = target.Values{Kind: target.KindCount, Count: &n, Note: out.document}
	default:
		f, err := strconv.ParseFloat(strings.ReplaceAll(strings.TrimSuffix(strings.TrimSpace(rate), "%"), ",", "."), 64)
		if err != nil || math.IsNaN(f) || f <= 0 || f > 100 {
			r.invalid("rate", fmt.Sprintf("Tỷ lệ \"%s\" không hợp lệ (ví dụ 4 hoặc 4,5).", rate))
		}
		out.values = target.Values{Kind: target.KindRate, Rate: &f, Note: out.document}
	}
	if out.kind == target.PeriodTerm && out.termName == "" {
		out.termName = fmt.Sprintf("Nhiệm kỳ %d–%d", out.start.Year(), out.end.Year())
	}
	return out, len(r.probs) == 0
}

// importTargets records a targets file: each row in a savepoint through package target (its rules,
// scope and audit), the whole file one transaction, all or nothing unless SkipInvalid.
func importTargets(ctx context.Context, d *bun.DB, t sheet.Table, opt Options) (Report, error) {
	_, err := auth.Permitted(ctx, auth.PermWriteTree)
	if err != nil {
		return Report{}, err
	}
	idx, err := columnMap(Targets, t.Header)
	if err != nil {
		return Report{}, err
	}
	ms, err := target.Measures(ctx, d)
	if err != nil {
		return Report{}, err
	}
	measures := map[string]string{}
	for _, m := range ms {
		measures[codes.Fold(m.Code)], measures[codes.Fold(m.LabelVI)] = m.Code, m.Code
	}
	rep := Report{Kind: Targets, Rows: len(t.Rows)}
	if len(t.Rows) == 0 {
		return rep, apperr.New(apperr.InvalidFile, "Tệp không có dòng dữ liệu nào.", "the file has no data rows")
	}
	recs := make([]*record, len(t.Rows))
	rows := make([]targetRow, len(t.Rows))
	ok := make([]bool, len(t.Rows))
	seen := map[string]int{}
	// Every cell is checked before anything is written.
	for i, row := range t.Rows {
		recs[i] = newRecord(Targets, row.N, row.Cells, idx)
		rows[i], ok[i] = parseTarget(recs[i], measures)
		key := fmt.Sprint(rows[i].code, "|", rows[i].measure, "|", rows[i].kind, "|", rows[i].start)
		if first, dup := seen[key]; dup && ok[i] {
			recs[i].invalid("start", fmt.Sprintf("Trùng đơn vị, chỉ tiêu và kỳ với dòng %d.", first))
			ok[i] = false
		} else {
			seen[key] = row.N
		}
	}
	today := vn.Day(time.Now())
	err = d.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		for i, r := range recs {
			if !ok[i] {
				continue
			}
			var outcome int
			err := tx.RunInTx(ctx, nil, func(ctx context.Context, sp bun.Tx) error {
				var err error
				outcome, err = applyTarget(ctx, sp, r, rows[i], today)
				if err == nil && len(r.probs) > 0 {
					err = errRollback
				}
				return err
			})
			if err != nil && !errors.Is(err, errRollback) {
				if err := r.failErr("", err); err != nil {
					return err
				}
			}
			switch {
			case len(r.probs) > 0:
			case outcome == created:
				rep.Created++
			case outcome == updated:
				rep.Updated++
			default:
				rep.Unchanged++
			}
		}
		return rejects(t, idx, recs, &rep, opt)
	})
	return written(rep, err)
}

// applyTarget records one row: the term if it is new, then the target, or a revision when the recorded
// target has other values. NOT_FOUND for a unit outside the scope, as for a unit that does not exist.
func applyTarget(ctx context.Context, tx bun.Tx, r *record, row targetRow, today time.Time) (int, error) {
	u, err := org.GetByCode(ctx, tx, row.code, today)
	if err != nil {
		return 0, r.failErr("code", err)
	}
	p := target.Period{Kind: row.kind, Start: row.start, End: row.end}
	if row.kind == target.PeriodTerm {
		terms, err := target.Terms(ctx, tx, u.ID)
		if err != nil {
			return 0, err
		}
		for _, tm := range terms {
			if tm.StartsOn.Equal(row.start) && tm.EndsOn.Equal(row.end) {
				p.TermID = &tm.ID
			}
		}
		if p.TermID == nil {
			tm, err := target.CreateTerm(ctx, tx, target.NewTerm{UnitID: u.ID, Name: row.termName, StartsOn: row.start, EndsOn: row.end,
				CongressDocument: row.document})
			if err != nil {
				return 0, r.failErr("start", err)
			}
			p.TermID = &tm.ID
		}
	}
	existing, err := target.UnitTargets(ctx, tx, u.ID, target.Filter{Measure: row.measure, PeriodKind: row.kind, On: &row.start}, page.Args{First: 100})
	if err != nil {
		return 0, err
	}
	for _, x := range existing.Items {
		if !x.Period.Start.Equal(row.start) || !x.Period.End.Equal(row.end) {
			continue
		}
		if sameValues(x.Values, row.values) {
			return unchanged, nil
		}
		if _, err := target.ReviseTarget(ctx, tx, x.ID, x.Revision, row.values, "Nhập từ tệp"); err != nil {
			return 0, r.failErr("count", err)
		}
		return updated, nil
	}
	if _, err := target.CreateTarget(ctx, tx, target.NewTarget{UnitID: u.ID, Measure: row.measure, Period: p, Values: row.values,
		Reason: "Nhập từ tệp"}); err != nil {
		col := "count"
		if e, ok := apperr.As(err); ok && (e.Field == "period" || e.Field == "periodStart") {
			col = "start"
		}
		return 0, r.failErr(col, err)
	}
	return created, nil
}

func sameValues(a, b target.Values) bool {
	eq := func(x, y *int) bool { return (x == nil) == (y == nil) && (x == nil || *x == *y) }
	eqf := func(x, y *float64) bool { return (x == nil) == (y == nil) && (x == nil || math.Abs(*x-*y) < 1e-9) }
	return a.Kind == b.Kind && eq(a.Count, b.Count) && eqf(a.Rate, b.Rate) && a.Note == b.Note
}

// exportTargets lists the targets of a unit and its subtree as it stands on the day, in the import
// layout (terms first, then years and quarters). Reads go through package target: scope applies.
func exportTargets(ctx context.Context, db bun.IDB, root org.Unit, on time.Time) (sheet.Sheet, error) {
	sub, err := org.Descendants(ctx, db, root.ID, on, org.Filter{}, page.Args{First: 10_000_000})
	if err != nil {
		return sheet.Sheet{}, err
	}
	ms, err := target.Measures(ctx, db)
	if err != nil {
		return sheet.Sheet{}, err
	}
	label := map[string]string{}
	for _, m := range ms {
		label[m.Code] = m.LabelVI
	}
	s := sheet.Sheet{Name: sheetName(Targets), Header: Headers(Targets)}
	n := 0
	for _, u := range append([]org.Unit{root}, sub.Items...) {
		ts, err := target.UnitTargets(ctx, db, u.ID, target.Filter{}, page.Args{First: 10_000})
		if err != nil {
			return sheet.Sheet{}, err
		}
		for _, t := range ts.Items {
			n++
			cells := map[string]string{colNo: strconv.Itoa(n), "code": u.Code, "unit_name": u.Name, "measure": label[t.Measure],
				"period_kind": target.PeriodLabels[t.Period.Kind], "start": vn.Date(t.Period.Start), "end": vn.Date(t.Period.End), "document": t.Values.Note}
			if t.Period.TermID != nil {
				tm, err := target.GetTerm(ctx, db, *t.Period.TermID)
				if err != nil {
					return sheet.Sheet{}, err
				}
				cells["term_name"] = tm.Name
			}
			if t.Values.Count != nil {
				cells["count"] = strconv.Itoa(*t.Values.Count)
			}
			if t.Values.Rate != nil {
				cells["rate"] = strings.ReplaceAll(strconv.FormatFloat(*t.Values.Rate, 'f', -1, 64), ".", ",")
			}
			row := make([]string, len(targetColumns))
			for i, c := range targetColumns {
				row[i] = cells[c.Key]
			}
			s.Rows = append(s.Rows, row)
		}
	}
	return s, nil
}
