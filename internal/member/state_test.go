package member

import (
	"testing"
	"time"

	"ptdv/internal/calendar"
)

func d(s string) time.Time { return calendar.MustDay(s) }

func TestStatusOn(t *testing.T) {
	es := []Event{ // deliberately out of order: StatusOn sorts
		{ID: 5, Kind: KindTransferredInOfficial, Effective: d("2023-03-01"), UnitID: 20},
		{ID: 1, Kind: KindAdmitted, Effective: d("2020-01-10"), DecisionDate: ptr(d("2019-12-20")), UnitID: 10},
		{ID: 2, Kind: KindRecognized, Effective: d("2021-01-10"), UnitID: 10},
		{ID: 3, Kind: KindExempted, Effective: d("2022-01-01"), UnitID: 10},
		{ID: 4, Kind: KindTransferredOutOfficial, Effective: d("2023-02-01"), UnitID: 10},
		{ID: 6, Kind: KindDeceased, Effective: d("2024-01-01"), UnitID: 20},
	}
	for _, c := range []struct {
		on, status, grade string
	}{
		{"2020-01-09", "", ""},
		{"2020-01-10", StatusProbationary, StatusProbationary},
		{"2021-01-10", StatusFull, StatusFull},
		{"2022-06-01", StatusExempted, StatusFull},
		{"2023-02-15", StatusTransferredOut, StatusFull},
		{"2023-03-01", StatusExempted, StatusFull}, // a transfer in restores the exemption
		{"2024-01-01", StatusDeceased, ""},
	} {
		s := StatusOn(es, d(c.on))
		if s.Status != c.status || s.Grade != c.grade {
			t.Errorf("on %s: %q/%q, want %q/%q", c.on, s.Status, s.Grade, c.status, c.grade)
		}
	}
	s := StatusOn(es, d("2023-06-01"))
	if !s.AdmittedOn.Equal(d("2019-12-20")) || !s.ProbationFrom.Equal(d("2020-01-10")) || !s.FullFrom.Equal(d("2021-01-10")) || s.UnitID != 20 {
		t.Errorf("state %+v", s)
	}
}

func ptr[T any](v T) *T { return &v }

func TestBuildSpans(t *testing.T) {
	es := sortEvents([]Event{
		{ID: 1, Kind: KindAdmitted, Effective: d("2020-01-10"), UnitID: 10},
		{ID: 2, Kind: KindRecognized, Effective: d("2021-01-10"), UnitID: 10},
		{ID: 3, Kind: KindTransferredOutOfficial, Effective: d("2023-02-01"), UnitID: 10},
		{ID: 4, Kind: KindTransferredInOfficial, Effective: d("2023-03-01"), UnitID: 20},
	})
	// The records were created in 2022 in unit 10 (history before that stays with the first unit),
	// then moved to 20 when the transfer left, and to 30 (a cell merger) later.
	to1, to2 := d("2023-02-01"), d("2024-05-01")
	units := []unitRow{{UnitID: 10, ValidFrom: d("2022-06-01"), ValidTo: &to1}, {UnitID: 20, ValidFrom: to1, ValidTo: &to2}, {UnitID: 30, ValidFrom: to2}}
	got := buildSpans(7, es, units)
	want := []struct {
		unit         int64
		status, from string
		to           string
	}{
		{10, StatusProbationary, "2020-01-10", "2021-01-10"},
		{10, StatusFull, "2021-01-10", "2023-02-01"},
		{10, StatusTransferredOut, "2023-02-01", "2023-03-01"}, // in transit: the unit it left
		{20, StatusFull, "2023-03-01", "2024-05-01"},
		{30, StatusFull, "2024-05-01", ""},
	}
	if len(got) != len(want) {
		t.Fatalf("spans %+v", got)
	}
	for i, w := range want {
		g := got[i]
		to := ""
		if g.ValidTo != nil {
			to = g.ValidTo.Format(time.DateOnly)
		}
		if g.UnitID != w.unit || g.Status != w.status || g.ValidFrom.Format(time.DateOnly) != w.from || to != w.to || g.PersonID != 7 {
			t.Errorf("span %d = %+v, want %+v", i, g, w)
		}
	}
	// Two events on one day: only the later one makes a span.
	es = sortEvents([]Event{
		{ID: 1, Kind: KindAdmitted, Effective: d("2020-01-10"), UnitID: 10},
		{ID: 2, Kind: KindRemoved, Effective: d("2020-01-10"), UnitID: 10},
	})
	if got := buildSpans(7, es, nil); len(got) != 1 || got[0].Status != StatusRemoved {
		t.Errorf("same-day spans %+v", got)
	}
}
