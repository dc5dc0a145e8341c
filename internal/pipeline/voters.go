package pipeline

import (
	"context"
	"time"

	"ptdv/internal/member"
)

// Who votes on a cell's resolutions (the cell's resolution on a candidate, 6-KNĐ, and the recognition of
// a probationary member, 10-KNĐ) is the cell's full members on the day of the vote. A member the cell
// recognizes by its vote is a full member from the end of the 12 months of probation, a day that lies
// before the vote (the vote may come weeks later): counting them among the voters from that day would
// change, once the recognition is recorded, the number entitled of the votes the cell held in between,
// so that one history gave different numbers depending on the order it was recorded in (an office's
// file as it stood on a past date, then the whole file). A member recognized by a vote therefore votes
// from the day after that vote; a full member recorded without a vote (a member list: the day of full
// membership only) votes from that day. fullMembersSQL (the API) and Expected (an import's file) both
// count so.

// votesOn reports whether a member recognized by a vote on votedOn is among the voters on a date: from
// the day after the vote.
func votesOn(votedOn, on time.Time) bool { return on.After(votedOn) }

// FileRecognition is a passed recognition vote that an import's file records: its member votes in the cell
// from the day after it. Recorded is set once the records hold it (its row written, or recorded
// before the import), from when the records count it and the file no longer does.
type FileRecognition struct {
	CellID   int64
	VotedOn  time.Time
	Recorded bool
}

// FileVoters are the recognitions an import's file records, by cell: the voters a vote of the same
// file counts besides the records, whatever the order of the rows (a case listed before another may be
// voted on after the other's recognition).
type FileVoters struct {
	byCell map[int64][]*FileRecognition
}

// NewFileVoters returns an empty set.
func NewFileVoters() *FileVoters { return &FileVoters{byCell: map[int64][]*FileRecognition{}} }

// Add records that the file recognizes a member of the cell by a vote on votedOn; the caller marks it
// Recorded once the records hold it.
func (v *FileVoters) Add(cellID int64, votedOn time.Time) *FileRecognition {
	r := &FileRecognition{CellID: cellID, VotedOn: votedOn}
	v.byCell[cellID] = append(v.byCell[cellID], r)
	return r
}

// count is the number of the file's members not yet recorded who vote in the cell on the date.
func (v *FileVoters) count(cellID int64, on time.Time) int {
	if v == nil {
		return 0
	}
	n := 0
	for _, r := range v.byCell[cellID] {
		if !r.Recorded && votesOn(r.VotedOn, on) {
			n++
		}
	}
	return n
}

// Expected is the number entitled to vote in a cell on a date while an office's file is imported: the
// full members the records hold on that date, counted as the API counts them (recorded), and the
// members the file recognizes by a vote before that day that the records do not hold yet. Both import
// paths check the number a row gives against it (the batch path's Draft, the one-by-one path's
// database world, through WithFileVoters).
func Expected(recorded int, file *FileVoters, cellID int64, on time.Time) int {
	return recorded + file.count(cellID, on)
}

type fileVotersKey struct{}

// WithFileVoters returns a context in which the moves count the file's recognitions among the voters
// (Expected): for an import.
func WithFileVoters(ctx context.Context, v *FileVoters) context.Context {
	return context.WithValue(ctx, fileVotersKey{}, v)
}

func fileVotersOf(ctx context.Context) *FileVoters {
	v, _ := ctx.Value(fileVotersKey{}).(*FileVoters)
	return v
}

// voteWindow is a recorded recognition: full member from From (the end of the probation), voting from
// the day after VotedOn.
type voteWindow struct {
	PersonID int64     `bun:"person_id"`
	From     time.Time `bun:"recognized_on"`
	VotedOn  time.Time `bun:"closed_on"`
}

// countVoters counts the spans of full members that cover a date (NewBatch's, of one cell), leaving out
// a member recognized by a vote on or after the date (windows by person): fullMembersSQL in memory.
func countVoters(spans []member.Span, windows map[int64][]voteWindow, on time.Time) int {
	n := 0
	for _, s := range spans {
		if on.Before(s.ValidFrom) || (s.ValidTo != nil && !on.Before(*s.ValidTo)) {
			continue
		}
		waiting := false
		for _, w := range windows[s.PersonID] {
			if !on.Before(w.From) && !votesOn(w.VotedOn, on) {
				waiting = true
				break
			}
		}
		if !waiting {
			n++
		}
	}
	return n
}
