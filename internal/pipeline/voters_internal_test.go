package pipeline

import (
	"testing"
	"time"

	"ptdv/internal/calendar"
	"ptdv/internal/member"
)

func day(s string) time.Time { return calendar.MustDay(s) }

// A member recognized by a vote votes from the day after it, in the batch's count of the records as in
// the file's: a full member from the end of the probation (19/06/2025), recognized on 25/06/2025.
func TestVotersFromTheDayAfterTheVote(t *testing.T) {
	to := day("2030-01-01")
	spans := []member.Span{
		{PersonID: 1, UnitID: 7, Status: member.StatusFull, ValidFrom: day("2006-06-01")},               // a member recorded without a vote
		{PersonID: 2, UnitID: 7, Status: member.StatusFull, ValidFrom: day("2025-06-19")},               // recognized by the vote of 25/06/2025
		{PersonID: 3, UnitID: 7, Status: member.StatusFull, ValidFrom: day("2020-01-01"), ValidTo: &to}, // recognized long ago, left in 2030
	}
	windows := map[int64][]voteWindow{2: {{PersonID: 2, From: day("2025-06-19"), VotedOn: day("2025-06-25")}},
		3: {{PersonID: 3, From: day("2020-01-01"), VotedOn: day("2020-01-20")}}}
	file := NewFileVoters()
	file.Add(7, day("2025-07-01"))
	written := file.Add(7, day("2025-07-02"))
	written.Recorded = true // counted by the records from now on
	file.Add(8, day("2025-06-01"))
	for on, want := range map[string]int{"2025-06-18": 2, "2025-06-19": 2, "2025-06-25": 2, "2025-06-26": 3,
		"2025-07-01": 3, "2025-07-02": 4, "2030-01-01": 3} {
		if got := Expected(countVoters(7, spans, windows, day(on)), file, 7, day(on)); got != want {
			t.Errorf("voters of cell 7 on %s: %d, want %d", on, got, want)
		}
	}
	if got := Expected(0, nil, 7, day("2025-07-02")); got != 0 {
		t.Errorf("no file: %d", got)
	}
}

// voterOn is the one rule of who is a full member of a unit on a date: a member recognized by the cell's
// vote from the day after it (not from the end of the probation before it), a member of a member list
// from the day of full membership ("Ngày chính thức"); not a probationary member, a removed one, one of
// another unit, or an exempted one; a full member attending elsewhere for a while still (in the official
// cell). Unit 0 asks whether they are a full member anywhere, as for a sponsor or a helper.
func TestVoterOn(t *testing.T) {
	ptr := func(s string) *time.Time { d := day(s); return &d }
	const cell, other = 7, 8
	type history struct {
		spans []member.Span
		votes []voteWindow
	}
	// span is an interval of a status in a unit (to "": still); a full member's grade is full, also
	// when attending elsewhere or exempted.
	span := func(unit int64, status, from, to string) member.Span {
		s := member.Span{UnitID: unit, Status: status, Grade: status, ValidFrom: day(from)}
		switch status {
		case member.StatusTemporaryOut, member.StatusExempted:
			s.Grade = member.StatusFull
		case member.StatusRemoved:
			s.Grade = ""
		}
		if to != "" {
			s.ValidTo = ptr(to)
		}
		return s
	}
	const prob, full = member.StatusProbationary, member.StatusFull
	vote := func(from, on string) []voteWindow { return []voteWindow{{From: day(from), VotedOn: day(on)}} }
	members := map[string]history{
		// Admitted 19/06/2024, a full member from the end of the probation (19/06/2025), recognized by the vote of 25/06/2025.
		"recognized by a vote": {[]member.Span{span(cell, prob, "2024-06-19", "2025-06-19"), span(cell, full, "2025-06-19", "")}, vote("2025-06-19", "2025-06-25")},
		// A member list's row: admitted 01/06/2005, "Ngày chính thức" 01/06/2006, no vote recorded.
		"from a member list": {[]member.Span{span(cell, prob, "2005-06-01", "2006-06-01"), span(cell, full, "2006-06-01", "")}, nil},
		"probationary":       {[]member.Span{span(cell, prob, "2025-01-10", "")}, nil},
		"removed":            {[]member.Span{span(cell, full, "2010-01-01", "2024-03-01"), span(cell, member.StatusRemoved, "2024-03-01", "")}, nil},
		// Recognized by a vote long ago; the records moved to another cell on 01/05/2023.
		"moved to another unit":           {[]member.Span{span(cell, full, "2015-06-01", "2023-05-01"), span(other, full, "2023-05-01", "")}, vote("2015-06-01", "2015-06-20")},
		"attending elsewhere for a while": {[]member.Span{span(cell, full, "2010-01-01", "2025-01-02"), span(cell, member.StatusTemporaryOut, "2025-01-02", "")}, nil},
		"exempted":                        {[]member.Span{span(cell, full, "2010-01-01", "2025-01-02"), span(cell, member.StatusExempted, "2025-01-02", "")}, nil},
	}
	for _, c := range []struct {
		who  string
		unit int64
		on   string
		want bool
	}{
		{"recognized by a vote", cell, "2025-06-18", false}, // probationary
		{"recognized by a vote", cell, "2025-06-19", false}, // the end of the probation: not before the vote
		{"recognized by a vote", cell, "2025-06-25", false}, // the day of the vote
		{"recognized by a vote", 0, "2025-06-25", false},
		{"recognized by a vote", cell, "2025-06-26", true}, // the day after
		{"recognized by a vote", 0, "2025-06-26", true},
		{"recognized by a vote", other, "2025-06-26", false},
		{"from a member list", cell, "2006-05-31", false},
		{"from a member list", cell, "2006-06-01", true}, // "Ngày chính thức"
		{"from a member list", 0, "2006-06-01", true},
		{"probationary", cell, "2025-06-01", false},
		{"probationary", 0, "2026-06-01", false},
		{"removed", cell, "2024-02-29", true},
		{"removed", cell, "2024-03-01", false},
		{"removed", 0, "2025-01-01", false},
		{"moved to another unit", cell, "2023-04-30", true},
		{"moved to another unit", cell, "2023-05-01", false},
		{"moved to another unit", other, "2023-04-30", false},
		{"moved to another unit", other, "2023-05-01", true},
		{"moved to another unit", 0, "2023-05-01", true},
		{"moved to another unit", cell, "2015-06-20", false}, // the day of its vote, long ago
		{"attending elsewhere for a while", cell, "2025-06-01", true},
		{"attending elsewhere for a while", 0, "2025-06-01", true},
		{"exempted", cell, "2025-01-01", true},
		{"exempted", cell, "2025-06-01", false},
		{"exempted", 0, "2025-06-01", false},
		{"from a member list", cell, "1999-01-01", false}, // before any span
	} {
		m := members[c.who]
		if got := voterOn(m.spans, m.votes, c.unit, day(c.on)); got != c.want {
			t.Errorf("%s, unit %d, on %s: %v, want %v", c.who, c.unit, c.on, got, c.want)
		}
	}
}
