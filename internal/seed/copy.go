package seed

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// The bulk load writes PostgreSQL's binary COPY format directly: the generator encodes each row into a
// buffer as it produces it, full buffers go to the table's stream, and the stream feeds them to COPY on
// its own connection. Nothing holds a table's rows in memory; a slow table holds up only the workers
// that write to it (the stream's channel is bounded).

// enc appends fields of binary COPY tuples.
type enc struct{ b []byte }

func (e *enc) tuple(n int) { e.b = binary.BigEndian.AppendUint16(e.b, uint16(n)) }

func (e *enc) null() { e.b = binary.BigEndian.AppendUint32(e.b, 0xFFFFFFFF) }

func (e *enc) i64(v int64) {
	e.b = binary.BigEndian.AppendUint32(e.b, 8)
	e.b = binary.BigEndian.AppendUint64(e.b, uint64(v))
}

// id writes a bigint, NULL for 0 (no id is 0).
func (e *enc) id(v int64) {
	if v == 0 {
		e.null()
		return
	}
	e.i64(v)
}

func (e *enc) i32(v int32) {
	e.b = binary.BigEndian.AppendUint32(e.b, 4)
	e.b = binary.BigEndian.AppendUint32(e.b, uint32(v))
}

func (e *enc) text(s string) {
	e.b = binary.BigEndian.AppendUint32(e.b, uint32(len(s)))
	e.b = append(e.b, s...)
}

// textn writes NULL for "".
func (e *enc) textn(s string) {
	if s == "" {
		e.null()
		return
	}
	e.text(s)
}

func (e *enc) date(d day) {
	if d == noDay {
		e.null()
		return
	}
	e.i32(int32(d))
}

func (e *enc) boolean(v bool) {
	e.b = binary.BigEndian.AppendUint32(e.b, 1)
	if v {
		e.b = append(e.b, 1)
	} else {
		e.b = append(e.b, 0)
	}
}

// jsonb and ltree have a version byte (1) before their text.
func (e *enc) versioned(s string) {
	e.b = binary.BigEndian.AppendUint32(e.b, uint32(len(s)+1))
	e.b = append(e.b, 1)
	e.b = append(e.b, s...)
}

// numeric writes a non-negative value with at most three decimals given in thousandths (4.5 = 4500).
func (e *enc) numeric(thousandths int) {
	ip, fp := thousandths/1000, thousandths%1000
	var digits []uint16
	weight := int16(0)
	switch {
	case ip == 0 && fp == 0:
	case ip == 0:
		weight, digits = -1, []uint16{uint16(fp * 10)}
	case fp == 0:
		digits = []uint16{uint16(ip)}
	default:
		digits = []uint16{uint16(ip), uint16(fp * 10)}
	}
	e.b = binary.BigEndian.AppendUint32(e.b, uint32(8+2*len(digits)))
	e.b = binary.BigEndian.AppendUint16(e.b, uint16(len(digits)))
	e.b = binary.BigEndian.AppendUint16(e.b, uint16(weight))
	e.b = binary.BigEndian.AppendUint16(e.b, 0) // sign: positive
	e.b = binary.BigEndian.AppendUint16(e.b, 3) // dscale
	for _, d := range digits {
		e.b = binary.BigEndian.AppendUint16(e.b, d)
	}
}

var copyHeader = []byte("PGCOPY\n\377\r\n\x00\x00\x00\x00\x00\x00\x00\x00\x00")

const chunkSize = 256 << 10

var chunkPool = sync.Pool{New: func() any { b := make([]byte, 0, chunkSize+64<<10); return &b }}

type chunk struct {
	b    *[]byte
	rows int
}

// stream is one table's COPY: chunks in, an io.Reader out for pgconn.CopyFrom.
type stream struct {
	table string
	cols  []string
	ch    chan chunk
	abort chan struct{} // closed when the load fails: writers stop
	rows  atomic.Int64

	// reader state
	started, ended bool
	cur            chunk
	off            int
	rest           []byte
}

func newStream(table string, cols ...string) *stream {
	return &stream{table: table, cols: cols, ch: make(chan chunk, 6)}
}

func (s *stream) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if len(s.rest) > 0 {
			c := copy(p[n:], s.rest)
			s.rest = s.rest[c:]
			n += c
			continue
		}
		if !s.started {
			s.started, s.rest = true, copyHeader
			continue
		}
		if s.cur.b != nil && s.off < len(*s.cur.b) {
			c := copy(p[n:], (*s.cur.b)[s.off:])
			s.off += c
			n += c
			continue
		}
		if s.cur.b != nil {
			*s.cur.b = (*s.cur.b)[:0]
			chunkPool.Put(s.cur.b)
			s.cur.b = nil
		}
		if s.ended {
			if n == 0 {
				return 0, io.EOF
			}
			return n, nil
		}
		if n > 0 && len(s.ch) == 0 {
			return n, nil // hand over what we have rather than wait
		}
		c, ok := <-s.ch
		if !ok {
			s.ended, s.rest = true, []byte{0xFF, 0xFF}
			continue
		}
		s.cur, s.off = c, 0
		s.rows.Add(int64(c.rows))
	}
	return n, nil
}

// run loads the stream into its table on conn: in one transaction, the table is truncated (it is empty:
// Run checked) so that COPY may FREEZE the rows, which spares every later reader the hint-bit writes and
// marks the pages all-visible for index-only scans.
func (s *stream) run(ctx context.Context, conn *pgx.Conn) error {
	quoted := make([]string, len(s.cols))
	for i, c := range s.cols {
		quoted[i] = pgx.Identifier{c}.Sanitize()
	}
	t := pgx.Identifier{s.table}.Sanitize()
	if _, err := conn.Exec(ctx, "BEGIN"); err != nil {
		return err
	}
	if _, err := conn.Exec(ctx, "TRUNCATE "+t); err != nil {
		return err
	}
	sql := fmt.Sprintf("COPY %s (%s) FROM STDIN (FORMAT binary, FREEZE)", t, strings.Join(quoted, ", "))
	if _, err := conn.PgConn().CopyFrom(ctx, s, sql); err != nil {
		var pe *pgconn.PgError
		if errors.As(err, &pe) && pe.Detail != "" {
			return fmt.Errorf("seed: copy %s: %w (%s)", s.table, err, pe.Detail)
		}
		return fmt.Errorf("seed: copy %s: %w", s.table, err)
	}
	_, err := conn.Exec(ctx, "COMMIT")
	return err
}

// drain empties the channel after a failure so that writers blocked on it return.
func (s *stream) drain() {
	for range s.ch {
	}
}

// tableBuf is a writer's buffer for one table.
type tableBuf struct {
	enc
	s    *stream
	rows int
	buf  *[]byte
	// shuffle: rows are held back and emitted in a random order (see shuffler).
	sh *shuffler
	// local: rows accumulate until moved to the shared buffer in generation order (see writers.drainTo).
	local bool
}

// appendRows adds encoded rows to the buffer.
func (t *tableBuf) appendRows(b []byte, rows int) {
	if t.buf == nil {
		t.buf = chunkPool.Get().(*[]byte)
		t.b = *t.buf
	}
	t.b = append(t.b, b...)
	t.rows += rows
	if len(t.b) >= chunkSize {
		t.flush()
	}
}

func (t *tableBuf) begin(n int) {
	if t.buf == nil {
		t.buf = chunkPool.Get().(*[]byte)
		t.b = *t.buf
	}
	if t.sh != nil {
		t.sh.mark(len(t.b))
	}
	t.tuple(n)
	t.rows++
}

// end finishes a row: a full buffer goes to the stream.
func (t *tableBuf) end() {
	if t.sh != nil {
		if t.rows >= t.sh.window {
			t.flushShuffled()
		}
		return
	}
	if !t.local && len(t.b) >= chunkSize {
		t.flush()
	}
}

func (t *tableBuf) flush() {
	if t.sh != nil {
		t.flushShuffled()
		return
	}
	if t.rows == 0 {
		return
	}
	*t.buf = t.b
	t.send(chunk{b: t.buf, rows: t.rows})
	t.buf, t.b, t.rows = nil, nil, 0
}

func (t *tableBuf) send(c chunk) {
	select {
	case t.s.ch <- c:
	case <-t.s.abort:
		panic(errAborted)
	}
}

// shuffler emits the rows of a window in a random order. A GiST index over rows that arrive in key
// order (person_unit by person, org_link by unit) builds four times slower than over the same rows in
// random order: the insertion build keeps splitting the same right-most pages.
type shuffler struct {
	window int
	starts []int
	r      rng
}

func (s *shuffler) mark(off int) { s.starts = append(s.starts, off) }

func (t *tableBuf) flushShuffled() {
	if t.rows == 0 {
		return
	}
	sh := t.sh
	src := t.b
	n := len(sh.starts)
	perm := sh.r.Perm(n)
	out := chunkPool.Get().(*[]byte)
	o, rows := *out, 0
	for _, i := range perm {
		end := len(src)
		if i+1 < n {
			end = sh.starts[i+1]
		}
		o = append(o, src[sh.starts[i]:end]...)
		rows++
		if len(o) >= chunkSize {
			*out = o
			t.send(chunk{b: out, rows: rows})
			out = chunkPool.Get().(*[]byte)
			o, rows = *out, 0
		}
	}
	if rows > 0 {
		*out = o
		t.send(chunk{b: out, rows: rows})
	} else {
		chunkPool.Put(out)
	}
	sh.starts = sh.starts[:0]
	t.b = t.b[:0]
	t.rows = 0
}
