package pipeline

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"ptdv/internal/apperr"
	"ptdv/internal/audit"
	"ptdv/internal/auth"
	"ptdv/internal/vn"
)

// Course is an awareness-course class (lớp bồi dưỡng nhận thức về Đảng) or a new-member class.
type Course struct {
	ID          int64      `bun:"id"`
	Kind        string     `bun:"kind"`
	Name        string     `bun:"name"`
	UnitID      int64      `bun:"unit_id"`
	StartsOn    time.Time  `bun:"starts_on"`
	EndsOn      time.Time  `bun:"ends_on"`
	CompletedOn *time.Time `bun:"completed_on"`
	Roster      []int64    `bun:"roster,array"`
}

// CreateCourse opens a class organized by a committee, with its roster of persons.
func CreateCourse(ctx context.Context, db bun.IDB, c Course) (Course, error) {
	a, err := requireWriter(ctx)
	if err != nil {
		return Course{}, err
	}
	c.Name = strings.TrimSpace(c.Name)
	if c.Kind != "awareness" && c.Kind != "new_member" {
		return Course{}, apperr.Invalid("kind", "Loại lớp phải là bồi dưỡng nhận thức về Đảng hoặc đảng viên mới.", "kind must be awareness or new_member")
	}
	if c.Name == "" || len(c.Name) > 300 {
		return Course{}, apperr.Invalid("name", "Cần tên lớp (tối đa 300 ký tự).", "a class name is required")
	}
	c.StartsOn, c.EndsOn = vn.Day(c.StartsOn), vn.Day(c.EndsOn)
	if c.StartsOn.IsZero() || c.EndsOn.Before(c.StartsOn) {
		return Course{}, apperr.Invalid("endsOn", "Ngày kết thúc phải sau ngày khai giảng.", "the class must end after it starts")
	}
	err = db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if err := auth.CheckUnits(ctx, tx, c.UnitID); err != nil {
			return err
		}
		if err := checkPersons(ctx, tx, c.Roster); err != nil {
			return err
		}
		if err := tx.NewRaw(`INSERT INTO course (kind, name, unit_id, starts_on, ends_on, recorded_by) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
			c.Kind, c.Name, c.UnitID, c.StartsOn, c.EndsOn, a.Subject).Scan(ctx, &c.ID); err != nil {
			return err
		}
		for _, p := range c.Roster {
			if _, err := tx.NewRaw(`INSERT INTO course_roster (course_id, person_id) VALUES (?, ?) ON CONFLICT DO NOTHING`, c.ID, p).Exec(ctx); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, "course.create", "course", fmt.Sprint(c.ID), nil, c)
	})
	return c, err
}

// checkPersons refuses persons that do not exist or are outside the actor's scope.
func checkPersons(ctx context.Context, tx bun.IDB, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	a, _ := auth.FromContext(ctx)
	cond, args := a.Scope().UnitFilter("p.unit_id")
	var n int
	if err := tx.NewRaw(`SELECT count(DISTINCT p.id) FROM person p WHERE p.id = ANY(?::bigint[]) AND `+cond,
		append([]any{pgdialect.Array(ids)}, args...)...).Scan(ctx, &n); err != nil {
		return err
	}
	distinct := map[int64]bool{}
	for _, id := range ids {
		distinct[id] = true
	}
	if n != len(distinct) {
		return apperr.NotFoundf("person", "")
	}
	return nil
}

// CompleteCourseClass closes an awareness class on a date: every person on the roster who passed
// (all, unless failed lists some) gets the certificate recorded on their open case, as the move
// CompleteCourse would. It returns the cases updated.
func CompleteCourseClass(ctx context.Context, db bun.IDB, courseID int64, on time.Time, failed []int64) ([]int64, error) {
	if _, err := requireWriter(ctx); err != nil {
		return nil, err
	}
	on = vn.Day(on)
	var updated []int64
	err := db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var c Course
		err := tx.NewRaw(`SELECT id, kind, name, unit_id, starts_on, ends_on, completed_on FROM course WHERE id = ? FOR UPDATE`, courseID).Scan(ctx, &c)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.NotFoundf("course", fmt.Sprint(courseID))
		}
		if err != nil {
			return err
		}
		if err := auth.CheckUnits(ctx, tx, c.UnitID); err != nil {
			return apperr.NotFoundf("course", fmt.Sprint(courseID))
		}
		if c.CompletedOn != nil {
			return apperr.New(apperr.Conflict, "Lớp đã được ghi nhận hoàn thành.", "the class is already completed")
		}
		if on.Before(c.EndsOn) {
			return apperr.Invalid("completedOn", "Ngày hoàn thành không thể trước ngày kết thúc lớp.", "completion before the class ends")
		}
		if _, err := tx.NewRaw(`UPDATE course SET completed_on = ? WHERE id = ?`, on, courseID).Exec(ctx); err != nil {
			return err
		}
		if failed == nil {
			failed = []int64{} // a nil slice becomes SQL NULL, and NOT (x = ANY(NULL)) would fail everyone
		}
		if _, err := tx.NewRaw(`UPDATE course_roster SET passed = NOT (person_id = ANY(?::bigint[])) WHERE course_id = ?`,
			pgdialect.Array(failed), courseID).Exec(ctx); err != nil {
			return err
		}
		if c.Kind != "awareness" {
			return audit.Record(ctx, tx, "course.complete", "course", fmt.Sprint(courseID), nil, map[string]any{"on": on, "failed": failed})
		}
		var cases []Case
		err = tx.NewRaw(`SELECT `+caseCols+` FROM candidate_case c JOIN course_roster r ON r.person_id = c.person_id
			WHERE r.course_id = ? AND r.passed AND c.closed_on IS NULL AND c.stage IN ('source', 'course_done', 'dossier') ORDER BY c.id`, courseID).Scan(ctx, &cases)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		for _, k := range cases {
			if _, err := CompleteCourse(ctx, tx, k.ID, k.Version, Doc{Effective: on, Form: "CN-NTVĐ", Number: c.Name}); err != nil {
				return err
			}
			updated = append(updated, k.ID)
		}
		return audit.Record(ctx, tx, "course.complete", "course", fmt.Sprint(courseID), nil, map[string]any{"on": on, "failed": failed, "cases": updated})
	})
	return updated, err
}
