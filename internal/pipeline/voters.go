package pipeline

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"ptdv/internal/byid"
	"ptdv/internal/member"
)

// Who counts as a full member of a cell on a date is one rule, voterOn, and everything that needs a full
// member reads it: the number entitled to vote on a cell's resolutions (the cell's resolution on a
// candidate, 6-KNĐ, and the recognition of a probationary member, 10-KNĐ), the sponsors (3-KNĐ), the
// helper (11-KNĐ) and the committee member responsible for a unit, and the count of a cell's full members
// that may elect a cell committee (chi ủy, ≥ 9).
//
// A member the cell recognizes by its vote is a full member from the end of the 12 months of probation, a
// day that lies before the vote (the vote may come weeks later). Counting them from that day would change,
// once the recognition is recorded, the answer for the days in between: the number entitled of the votes
// the cell held then, or whether a sponsor's letter of those days was a full member's, so that one history
// gave different answers depending on the order it was recorded in (an office's file as it stood on a past
// date, then the whole file). So a member recognized by a vote counts as a full member from the day after
// that vote; a full member recorded without a vote (a member list: "Ngày chính thức" only) from that day.
// A full member attending elsewhere for a while (sinh hoạt tạm thời) still counts in the official cell;
// an exempted member (miễn sinh hoạt) does not. The API (dbWorld), the batch import (Draft) and an
// import's file (Expected) all count with it.

// voterOn reports whether a member counts as a full member of a unit on a date (unitID 0: of any unit, as
// for a sponsor or a helper), from the member's status spans and recognitions by a cell's vote (votes; a
// recognition voted on or after the date leaves them out until the day after its vote).
func voterOn(spans []member.Span, votes []voteWindow, unitID int64, on time.Time) bool {
	for _, s := range spans {
		if on.Before(s.ValidFrom) || (s.ValidTo != nil && !on.Before(*s.ValidTo)) {
			continue
		}
		// One span covers a date: it says where and as what the member stood that day.
		if unitID != 0 && s.UnitID != unitID {
			return false
		}
		if s.Status != member.StatusFull && (s.Status != member.StatusTemporaryOut || s.Grade != member.StatusFull) {
			return false
		}
		for _, w := range votes {
			if !on.Before(w.From) && !votesOn(w.VotedOn, on) {
				return false
			}
		}
		return true
	}
	return false
}

// votesOn reports whether a member recognized by a vote on votedOn counts as a full member on a date:
// from the day after the vote.
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

// voteWindow is a recorded recognition by a cell's vote: a full member from From (the end of the
// probation), counted as one from the day after VotedOn (voterOn).
type voteWindow struct {
	PersonID int64     `bun:"person_id"`
	From     time.Time `bun:"recognized_on"`
	VotedOn  time.Time `bun:"closed_on"`
}

// voteWindowsOf reads the recognitions by vote of persons (the cases the cell's vote closed as full
// members), by person, in one query.
func voteWindowsOf(ctx context.Context, tx bun.IDB, personIDs []int64) (map[int64][]voteWindow, error) {
	var ws []voteWindow
	if len(personIDs) > 0 {
		err := tx.NewRaw(`SELECT c.person_id, c.recognized_on, c.closed_on FROM candidate_case c
			WHERE c.stage = 'full_member' AND c.person_id = ANY(?::bigint[])`, pgdialect.Array(personIDs)).Scan(ctx, &ws)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("pipeline: recognitions by vote: %w", err)
		}
	}
	return byid.Group(ws, func(w voteWindow) int64 { return w.PersonID }), nil
}

// countVoters is the number of members of a cell who count as full members on a date (voterOn), from the
// status spans of the cell (spans, any status, of many persons) and the recognitions by vote (windows,
// by person).
func countVoters(cellID int64, spans []member.Span, windows map[int64][]voteWindow, on time.Time) int {
	n := 0
	for i, s := range spans {
		// The spans of one person never overlap: the span covering the date is the one voterOn reads.
		if voterOn(spans[i:i+1], windows[s.PersonID], cellID, on) {
			n++
		}
	}
	return n
}
