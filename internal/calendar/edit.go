package calendar

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/uptrace/bun"
	"golang.org/x/text/unicode/norm"

	"ptdv/internal/apperr"
	"ptdv/internal/audit"
	"ptdv/internal/auth"
	"ptdv/internal/vn"
)

// List returns the exceptions from from to to, both included, in date order. Any authenticated actor
// may read the calendar.
func List(ctx context.Context, db bun.IDB, from, to time.Time) ([]Day, error) {
	if _, err := auth.FromContext(ctx); err != nil {
		return nil, err
	}
	from, to = Date(from), Date(to)
	if to.Before(from) {
		return nil, apperr.Invalid("to", "Ngày kết thúc phải sau ngày bắt đầu.", "to is before from")
	}
	return query(ctx, db, "day BETWEEN ? AND ?", []any{from, to})
}

// SetDay records the exception for day, replacing the one recorded for that date if any. Only an
// administrator may; the change and the row it replaced go to the audit trail in the same transaction.
//
// kind is Holiday or DayOff for a weekday, WorkDay for a Saturday or Sunday. A holiday that falls on a
// weekend is not recorded itself: record the compensatory DayOff on the next working day instead.
func SetDay(ctx context.Context, db bun.IDB, day time.Time, kind, nameVI, source string) error {
	a, err := requireAdmin(ctx)
	if err != nil {
		return err
	}
	d, err := validate(day, kind, nameVI, source)
	if err != nil {
		return err
	}
	d.RecordedBy = a.Subject
	return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		before, err := lockDay(ctx, tx, d.Day)
		if err != nil {
			return err
		}
		if _, err := tx.NewRaw(`INSERT INTO calendar_day (day, kind, name_vi, source, recorded_by, recorded_at)
			VALUES (?, ?, ?, ?, ?, now())
			ON CONFLICT (day) DO UPDATE SET kind = EXCLUDED.kind, name_vi = EXCLUDED.name_vi, source = EXCLUDED.source,
				recorded_by = EXCLUDED.recorded_by, recorded_at = EXCLUDED.recorded_at`,
			d.Day, d.Kind, d.NameVI, d.Source, d.RecordedBy).Exec(ctx); err != nil {
			return fmt.Errorf("calendar: set day: %w", err)
		}
		var b any
		if before != nil {
			b = auditOf(*before)
		}
		return audit.Record(ctx, tx, "calendar.set_day", "calendar_day", d.Day.Format(time.DateOnly), b, auditOf(d))
	})
}

// DeleteDay removes the exception recorded for day, which becomes an ordinary day again. Only an
// administrator may; the removed row goes to the audit trail. A date without an exception is NOT_FOUND.
func DeleteDay(ctx context.Context, db bun.IDB, day time.Time) error {
	if _, err := requireAdmin(ctx); err != nil {
		return err
	}
	if day.IsZero() {
		return apperr.Invalid("day", "Cần chọn ngày.", "day is required")
	}
	day = Date(day)
	return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		before, err := lockDay(ctx, tx, day)
		if err != nil {
			return err
		}
		if before == nil {
			return apperr.New(apperr.NotFound,
				fmt.Sprintf("Lịch nghỉ không có ngày %s.", vn.Date(day)),
				fmt.Sprintf("calendar day %s not found", day.Format(time.DateOnly)))
		}
		if _, err := tx.NewRaw(`DELETE FROM calendar_day WHERE day = ?`, day).Exec(ctx); err != nil {
			return fmt.Errorf("calendar: delete day: %w", err)
		}
		return audit.Record(ctx, tx, "calendar.delete_day", "calendar_day", day.Format(time.DateOnly), auditOf(*before), nil)
	})
}

func requireAdmin(ctx context.Context) (*auth.Actor, error) {
	return auth.Permitted(ctx, auth.PermEditCalendar)
}

// lockDay serializes edits of one date (a transaction-scoped advisory lock in the two-key space, keyed
// by the table and the date, so it meets no other lock) and returns the row recorded for it, if any.
func lockDay(ctx context.Context, tx bun.IDB, day time.Time) (*Day, error) {
	if _, err := tx.NewRaw(`SELECT pg_advisory_xact_lock(hashtext('calendar_day'), ?::date - DATE '2000-01-01')`, day).Exec(ctx); err != nil {
		return nil, fmt.Errorf("calendar: lock day: %w", err)
	}
	rows, err := query(ctx, tx, "day = ?", []any{day})
	if err != nil || len(rows) == 0 {
		return nil, err
	}
	return &rows[0], nil
}

// auditOf is the audit record of a row: the civil date as YYYY-MM-DD.
func auditOf(d Day) map[string]any {
	return map[string]any{
		"day": d.Day.Format(time.DateOnly), "kind": d.Kind, "nameVi": d.NameVI, "source": d.Source,
	}
}

func validate(day time.Time, kind, nameVI, source string) (Day, error) {
	if day.IsZero() {
		return Day{}, apperr.Invalid("day", "Cần chọn ngày.", "day is required")
	}
	d := Day{Day: Date(day), Kind: kind}
	if y := d.Day.Year(); y < 1990 || y > 2100 {
		return Day{}, apperr.Invalid("day", "Ngày phải trong khoảng năm 1990–2100.", "day must be in the years 1990-2100")
	}
	if !slices.Contains(Kinds(), kind) {
		return Day{}, apperr.Invalid("kind",
			fmt.Sprintf("Loại ngày %q không hợp lệ: chọn holiday (ngày lễ, Tết), day_off (ngày nghỉ bù, nghỉ hoán đổi) hoặc work_day (ngày làm bù).", kind),
			fmt.Sprintf("unknown kind %q: want holiday, day_off or work_day", kind))
	}
	wd := d.Day.Weekday()
	weekend := wd == time.Saturday || wd == time.Sunday
	when := fmt.Sprintf("%s là %s", vn.Date(d.Day), weekdayVI[wd])
	switch {
	case kind == WorkDay && !weekend:
		return Day{}, apperr.Invalid("day",
			fmt.Sprintf("Ngày làm bù phải là thứ Bảy hoặc Chủ nhật; %s.", when),
			fmt.Sprintf("a work_day must be a Saturday or Sunday; %s is a %s", d.Day.Format(time.DateOnly), wd))
	case kind != WorkDay && weekend:
		return Day{}, apperr.Invalid("day",
			fmt.Sprintf("Ngày lễ hoặc ngày nghỉ bù phải từ thứ Hai đến thứ Sáu; %s, vốn là ngày nghỉ hằng tuần. Ngày lễ rơi vào cuối tuần thì nhập ngày nghỉ bù (day_off) vào ngày làm việc kế tiếp.", when),
			fmt.Sprintf("a %s must be a weekday; %s is a %s (for a holiday on a weekend, record the day_off on the next working day)", kind, d.Day.Format(time.DateOnly), wd))
	}
	d.NameVI = strings.Join(strings.Fields(norm.NFC.String(nameVI)), " ")
	if n := utf8.RuneCountInString(d.NameVI); n == 0 || n > 300 {
		return Day{}, apperr.Invalid("nameVi", "Tên ngày nghỉ phải có từ 1 đến 300 ký tự.", "nameVi must have 1 to 300 characters")
	}
	d.Source = strings.Join(strings.Fields(norm.NFC.String(source)), " ")
	if utf8.RuneCountInString(d.Source) > 500 {
		return Day{}, apperr.Invalid("source", "Nguồn (văn bản) dài quá 500 ký tự.", "source must have at most 500 characters")
	}
	return d, nil
}
