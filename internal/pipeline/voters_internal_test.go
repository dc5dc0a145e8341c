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
