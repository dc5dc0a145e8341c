// Package seed generates realistic data at three scales and bulk-loads it into an empty database:
// the effective-dated hierarchy with its history (the province, district and commune mergers of
// 01/07/2025 recorded as operations), villages, persons with the categories of the official forms,
// members with their lifecycle events and status spans, ten years of the candidate pipeline with open
// cases at every stage, and — when migration 0005 is there — terms and targets.
//
// Scales: "small" (two provinces of the Central Highlands and the coast, a few thousand members, for
// tests), "province" (Đà Nẵng since 2025 with Quảng Nam, about 200,000 members) and "national" (63
// provinces before 1 July 2025 and 34 after, about 5.6 million members, 52,000 grassroots organizations,
// 400,000 cells, some 200,000 admissions a year).
//
// The rows are those the domain packages (org, people, member, pipeline, target) would write for the
// same history: the same cached columns (org_link paths and versions, member_status_span, the cached
// state of candidate_case, case_due), the same rules (read from the rule tables) and document formats.
// What is not reproduced is the audit trail of every call: the load writes one audit row for itself.
//
// Loading streams binary COPY from the generator into every table at once, without the indexes and
// constraints, which are rebuilt afterwards; see copy.go and schema.go. Generation is deterministic: the
// same seed, scale, start year and day give the same rows.
package seed

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"ptdv/internal/vn"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
)

// Options configure Run.
type Options struct {
	Scale    string // "small", "province" or "national"
	Seed     uint64
	FromYear int       // the start of the recorded history (1 January); default 2016
	Today    time.Time // the day the data is generated for; default today in Vietnam
	// Progress receives a progress bar when it is a terminal, plain progress lines otherwise; nil for
	// none.
	Progress io.Writer
	Logger   *slog.Logger
}

// Stats describe what Run loaded.
type Stats struct {
	Units   int64 // org units, ended ones included
	Persons int64
	Members int64 // persons who are members (probationary, full, exempted, temporarily elsewhere) today
	Cases   int64 // candidate cases, open and closed
	Events  int64 // member events and case events
	// Rows is the number of rows loaded in all tables.
	Rows        int64
	Duration    time.Duration
	DBSizeBytes int64
	RowsPerSec  float64
}

// ErrNotEmpty is returned when the database already holds org units (or any row in the tables the
// seed loads): the seed never mixes with other data.
var ErrNotEmpty = errors.New("seed: the database is not empty")

// Run generates the data of a scale and loads it into the database at ownerURL (a URL of the schema's
// owner: the load drops and rebuilds indexes and constraints, and freezes rows as it copies them).
func Run(ctx context.Context, ownerURL string, opts Options) (Stats, error) {
	t0 := time.Now()
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if opts.FromYear == 0 {
		opts.FromYear = 2016
	}
	realToday := dayOf(vn.Today())
	today := realToday
	if !opts.Today.IsZero() {
		today = mkday(opts.Today.Year(), int(opts.Today.Month()), opts.Today.Day())
	}
	start := mkday(opts.FromYear, 1, 1)
	switch {
	case today > realToday:
		return Stats{}, fmt.Errorf("seed: today %s is in the future (member events may not be dated after today)", today)
	case opts.FromYear < 2000 || start > today-3*365:
		return Stats{}, fmt.Errorf("seed: the history must start in 2000 or later and at least three years before today (from %d, today %s)", opts.FromYear, today)
	}
	p, err := newPlan(opts.Scale)
	if err != nil {
		return Stats{}, err
	}

	conn, err := connect(ctx, ownerURL)
	if err != nil {
		return Stats{}, err
	}
	defer conn.Close(context.Background())

	// Refuse a database with data.
	var units int64
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM org_unit`).Scan(&units); err != nil {
		return Stats{}, fmt.Errorf("seed: %w (is the database migrated?)", err)
	}
	if units > 0 {
		return Stats{}, fmt.Errorf("%w: it holds %d org units; seed loads only into a freshly migrated database", ErrNotEmpty, units)
	}
	tables, err := loadedTables(ctx, conn, log)
	if err != nil {
		return Stats{}, err
	}
	for _, t := range tables {
		var rows bool
		if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM `+quoteIdent(t.name)+`)`).Scan(&rows); err != nil {
			return Stats{}, err
		}
		if rows {
			return Stats{}, fmt.Errorf("%w: table %s has rows; seed loads only into a freshly migrated database", ErrNotEmpty, t.name)
		}
	}
	rules, err := loadRules(ctx, conn)
	if err != nil {
		return Stats{}, err
	}
	cal, err := loadCalendar(ctx, conn)
	if err != nil {
		return Stats{}, err
	}

	prog := newProgress(opts.Progress, func() int64 { return 0 })
	defer prog.close()
	prog.set("building the hierarchy", 1)
	b := newBuilder(p, opts.Seed, start, today)
	b.build()
	g := b.prepare(opts.Seed, rules, newWorkdays(cal, start-400, today+1200))
	log.Info("seed: hierarchy built", "scale", p.scale, "units", len(b.t.units), "cells", len(b.cells),
		"operations", len(b.t.ops), "new_communes", b.newCommunes, "took", time.Since(t0).Round(time.Millisecond))

	managed := make([]string, len(tables))
	for i, t := range tables {
		managed[i] = t.name
		if t.name == "member_yearend" {
			// The years member_yearend holds: the window member_rebuild_yearend() advances to the current
			// year + years_ahead before it fills it (migration 0006).
			if err := conn.QueryRow(ctx, `UPDATE member_yearend_window
				SET to_year = greatest(from_year - 1, extract(year FROM current_date)::int + years_ahead)
				RETURNING from_year, to_year`).Scan(&g.yeFrom, &g.yeTo); err != nil {
				return Stats{}, fmt.Errorf("seed: year-end window: %w", err)
			}
		}
	}
	sc, err := readSchema(ctx, conn, managed)
	if err != nil {
		return Stats{}, err
	}
	if err := sc.drop(ctx, conn); err != nil {
		return Stats{}, err
	}
	loaded := false
	defer func() {
		if loaded {
			return
		}
		// Leave the database as it was: empty tables with their indexes and constraints.
		cctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		c, err := connect(cctx, ownerURL)
		if err != nil {
			log.Error("seed: restore after a failure", "err", err)
			return
		}
		defer c.Close(cctx)
		if _, err := c.Exec(cctx, "TRUNCATE "+joinTables(managed)); err != nil {
			log.Error("seed: restore after a failure", "err", err)
		}
		if err := sc.restore(cctx, []*pgx.Conn{c}, log, nil); err != nil {
			log.Error("seed: restore after a failure", "err", err)
		}
	}()

	// One COPY per table, each on its own connection.
	abort := make(chan struct{})
	var abortOnce sync.Once
	var loadErr error
	var errMu sync.Mutex
	fail := func(err error) {
		errMu.Lock()
		if loadErr == nil {
			loadErr = err
		}
		errMu.Unlock()
		abortOnce.Do(func() { close(abort) })
	}
	streams := map[string]*stream{}
	var streamWG sync.WaitGroup
	var conns []*pgx.Conn
	defer func() {
		for _, c := range conns {
			c.Close(context.Background())
		}
	}()
	for _, t := range tables {
		s := newStream(t.name, t.cols...)
		s.abort = abort
		streams[t.name] = s
		c, err := connect(ctx, ownerURL)
		if err != nil {
			return Stats{}, err
		}
		conns = append(conns, c)
		streamWG.Add(1)
		go func() {
			defer streamWG.Done()
			if err := s.run(ctx, c); err != nil {
				fail(err)
				go s.drain()
			}
		}()
	}
	var totalRows = func() int64 {
		var n int64
		for _, s := range streams {
			n += s.rows.Load()
		}
		return n
	}
	prog.countRows(totalRows)

	var st Stats
	st.Units = int64(len(b.t.units))
	genErr := func() (err error) {
		defer func() {
			if r := recover(); r != nil {
				if r == errAborted {
					err = errAborted
					return
				}
				panic(r)
			}
		}()
		w := newWriters(streams, opts.Seed, 0, false)
		w.tree(b.t)
		w.flush()
		prog.set("generating people", int64(len(b.cells)))
		adm, err := g.run(streams, abort, prog, &st)
		if err != nil {
			return err
		}
		if streams["term"] != nil {
			terms, targets := b.targets(adm, newRNG(opts.Seed, 9))
			w.targetRows(terms, targets)
			w.flush()
			log.Info("seed: targets", "terms", len(terms), "targets", len(targets))
		}
		if g.yearends != nil {
			w.yearendRows(b.t, g.yearends)
			w.flush()
		}
		return nil
	}()
	for _, s := range streams {
		close(s.ch)
	}
	streamWG.Wait()
	if loadErr != nil {
		return Stats{}, loadErr
	}
	if genErr != nil {
		return Stats{}, genErr
	}
	st.Rows = totalRows()
	for _, t := range tables {
		log.Debug("seed: table loaded", "table", t.name, "rows", streams[t.name].rows.Load())
	}
	log.Info("seed: rows loaded", "rows", st.Rows, "took", time.Since(t0).Round(time.Millisecond))
	// Indexes and constraints, two at a time.
	workers := conns[:min(indexWorkers, len(conns))]
	for _, c := range workers {
		if err := sessionSetup(ctx, c); err != nil {
			return Stats{}, err
		}
	}
	n := 0
	for _, it := range sc.items {
		n++
		if it.kind == 'p' || it.kind == 'u' {
			n++
		}
	}
	prog.set("indexes and constraints", int64(n))
	if err := sc.restore(ctx, workers, log, func(string) { prog.add(1) }); err != nil {
		return Stats{}, err
	}
	// The references that triggers check by statement (migration 0040) were not checked while the
	// triggers were off: validated here, as the foreign keys were above.
	if _, err := workers[0].Exec(ctx, `SELECT ptdv_reference_validate()`); err != nil {
		return Stats{}, fmt.Errorf("seed: validate references: %w", err)
	}
	loaded = true
	// Identity sequences continue after the loaded ids.
	for _, t := range tables {
		if t.cols[0] != "id" {
			continue
		}
		if _, err := conn.Exec(ctx, `SELECT setval(pg_get_serial_sequence($1, 'id'), coalesce((SELECT max(id) FROM `+quoteIdent(t.name)+`), 0) + 1, false)`, t.name); err != nil {
			return Stats{}, fmt.Errorf("seed: sequence of %s: %w", t.name, err)
		}
	}
	// The rollups on the latest tree (migrations 0033–0035: open member counts, open cases and units by
	// ancestor) from the loaded rows: their triggers were off during the load. One pass over the open
	// spans, cases and links (≈ 15, 6 and 2 s nationally).
	for _, q := range []string{`SELECT member_rebuild_open()`, `SELECT case_rebuild_open_ancestor()`, `SELECT org_rebuild_open_count()`} {
		if _, err := conn.Exec(ctx, q); err != nil {
			return Stats{}, fmt.Errorf("seed: %s: %w", q, err)
		}
	}
	managed = append(managed, "member_open_count", "case_open_ancestor", "org_open_count")
	prog.set("analyze", int64(len(managed)))
	var atasks []*task
	for _, t := range managed {
		atasks = append(atasks, &task{table: t, sql: []string{"ANALYZE " + quoteIdent(t)}, label: "analyze " + t})
	}
	if err := runTasks(ctx, workers, atasks, log, func(string) { prog.add(1) }); err != nil {
		return Stats{}, err
	}
	if _, err := conn.Exec(ctx, `INSERT INTO audit_log (actor, actor_role, action, entity, entity_id, after)
		VALUES ($1, 'admin', 'seed.load', 'database', current_database(), $2::jsonb)`, recorder,
		fmt.Sprintf(`{"scale":%q,"seed":%d,"fromYear":%d,"today":%q,"units":%d,"persons":%d,"members":%d,"cases":%d,"events":%d}`,
			p.scale, opts.Seed, opts.FromYear, today.String(), st.Units, st.Persons, st.Members, st.Cases, st.Events)); err != nil {
		return Stats{}, fmt.Errorf("seed: audit row: %w", err)
	}
	if err := conn.QueryRow(ctx, `SELECT pg_database_size(current_database())`).Scan(&st.DBSizeBytes); err != nil {
		return Stats{}, err
	}
	st.Duration = time.Since(t0)
	st.RowsPerSec = float64(st.Rows) / st.Duration.Seconds()
	prog.finish(fmt.Sprintf("%s: %d units, %d persons, %d members, %d cases, %d events; %s rows in %s (%s rows/s), database %d MB",
		p.scale, st.Units, st.Persons, st.Members, st.Cases, st.Events, human(st.Rows), st.Duration.Round(time.Second),
		human(int64(st.RowsPerSec)), st.DBSizeBytes>>20))
	log.Info("seed: done", "scale", p.scale, "units", st.Units, "persons", st.Persons, "members", st.Members, "cases", st.Cases,
		"events", st.Events, "rows", st.Rows, "took", st.Duration.Round(time.Millisecond), "db_bytes", st.DBSizeBytes)
	return st, nil
}

func connect(ctx context.Context, url string) (*pgx.Conn, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("seed: parse database URL: %w", err)
	}
	cfg.RuntimeParams["application_name"] = "ptdv-seed"
	c, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("seed: connect: %w", err)
	}
	if err := sessionSetup(ctx, c); err != nil {
		c.Close(ctx)
		return nil, err
	}
	return c, nil
}

type loadedTable struct {
	name string
	cols []string
}

// loadedTables lists the tables to load: all of tableCols, the target tables only when migration 0005
// is there with the columns the generator writes.
func loadedTables(ctx context.Context, conn *pgx.Conn, log *slog.Logger) ([]loadedTable, error) {
	have := map[string]map[string]bool{}
	rows, err := conn.Query(ctx, `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema()`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var t, c string
		if err := rows.Scan(&t, &c); err != nil {
			return nil, err
		}
		if have[t] == nil {
			have[t] = map[string]bool{}
		}
		have[t][c] = true
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var out []loadedTable
	targets := true
	for _, t := range tableCols {
		if !t.target {
			continue
		}
		for _, c := range t.cols {
			if !have[t.name][c] {
				targets = false
			}
		}
	}
	if !targets {
		log.Info("seed: no target tables (migration 0005): terms and targets are skipped")
	}
	for _, t := range tableCols {
		if t.target && !targets {
			continue
		}
		for _, c := range t.cols {
			if !have[t.name][c] {
				return nil, fmt.Errorf("seed: table %s has no column %s: the schema is not the one this generator knows", t.name, c)
			}
		}
		out = append(out, loadedTable{t.name, t.cols})
	}
	return out, nil
}

// prepare sizes the cells: each province's members shared by the expected sizes of its cells, the
// admission rate that gives some 200,000 admissions a year nationally, the minority share of each
// district. Cells are generated province by province (persons of a province get consecutive ids, which
// the national ID numbers rely on).
func (b *builder) prepare(seed uint64, rules ruleSet, wd *workdays) *gen {
	g := &gen{seed: seed, start: b.start, today: b.today, wd: wd, rules: rules, b: b, target: map[*unit]float64{}, minority: map[*unit]float64{}}
	order := map[*province]int{}
	for i, p := range provinces {
		order[p] = i
	}
	slices.SortStableFunc(b.cells, func(x, y *unit) int { return order[x.prov] - order[y.prov] })
	sums := map[*province]float64{}
	for _, c := range b.cells {
		sums[c.prov] += c.size
	}
	var members, weighted float64
	for _, c := range b.cells {
		n := b.p.members[c.prov] * c.size / sums[c.prov]
		g.target[c] = n
		members += n
		weighted += n * profiles[c.profile].rate
	}
	// 170,000–220,000 admissions a year for 5.6 million members.
	g.rBase = 200_000.0 / nationalMembers * members / weighted
	for _, u := range b.t.units {
		if u.kind == "district" {
			f := 1.25
			if u.urban {
				f = 0.28
			}
			g.minority[u] = min(0.97, u.prov.Minority*f)
		}
	}
	return g
}

var errAborted = errors.New("seed: load aborted")

// indexWorkers is how many indexes and constraints are built at once: one per core of the 2-core
// machines the national load is sized for.
var indexWorkers = 2

// run generates the cells on as many goroutines as there are processors and writes them. Ids are given
// in cell order: each cell, once generated, waits for its turn to take its ranges of ids (a few
// microseconds), then encodes its rows with them.
func (g *gen) run(streams map[string]*stream, abort chan struct{}, prog *progress, st *Stats) (admCounts, error) {
	cells := g.b.cells
	nw := max(1, runtime.GOMAXPROCS(0))
	var next atomic.Int64
	var mu sync.Mutex
	cond := sync.NewCond(&mu)
	turn := 0
	// A second turn orders the output: cells hand their rows over in generation order.
	var outMu sync.Mutex
	outCond := sync.NewCond(&outMu)
	outTurn := 0
	shared := newWriters(streams, g.seed, 0, false)
	seq := &sequencer{person: 1, event: 1, kase: 1, caseEv: 1, groupSrc: map[int64]*cellOut{}, migrants: map[*province]int{}}
	var wg sync.WaitGroup
	counts := make([]admCounts, nw)
	yearends := make([]*yearend, nw)
	errs := make([]error, nw)
	var persons, members, cases, events atomic.Int64
	for w := range nw {
		counts[w] = admCounts{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() {
				if r := recover(); r != nil {
					if r == errAborted {
						errs[w] = errAborted
						mu.Lock()
						turn = math.MaxInt
						mu.Unlock()
						cond.Broadcast()
						outMu.Lock()
						outTurn = math.MaxInt
						outMu.Unlock()
						outCond.Broadcast()
						return
					}
					panic(r)
				}
			}()
			wr := newWriters(streams, g.seed, w+1, true)
			if wr.ye != nil {
				wr.yearends = newYearend(g.yeFrom, g.yeTo, len(g.b.t.units))
				yearends[w] = wr.yearends
			}
			for {
				i := int(next.Add(1) - 1)
				if i >= len(cells) {
					break
				}
				out := g.generate(cells[i])
				mu.Lock()
				for turn < i {
					cond.Wait()
				}
				if turn == math.MaxInt {
					mu.Unlock()
					panic(errAborted)
				}
				seq.assign(g, out)
				turn++
				mu.Unlock()
				cond.Broadcast()
				select {
				case <-abort:
					panic(errAborted)
				default:
				}
				wr.cell(g, out)
				func() {
					outMu.Lock()
					defer outMu.Unlock()
					for outTurn < i {
						outCond.Wait()
					}
					if outTurn == math.MaxInt {
						panic(errAborted)
					}
					wr.drainTo(shared)
					outTurn++
				}()
				outCond.Broadcast()
				var nm, ne int64
				for _, p := range out.persons {
					if isMember(statusOn(p.events, g.today)) {
						nm++
					}
					ne += int64(len(p.events))
				}
				for _, k := range out.cases {
					ne += int64(len(k.events))
				}
				persons.Add(int64(len(out.persons)))
				members.Add(nm)
				cases.Add(int64(len(out.cases)))
				events.Add(ne)
				for _, a := range out.admissions {
					counts[w].add(a)
				}
				prog.add(1)
			}
			wr.flush()
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	shared.flush()
	if yearends[0] != nil {
		for _, ye := range yearends[1:] {
			yearends[0].merge(ye)
		}
		g.yearends = yearends[0]
	}
	st.Persons, st.Members, st.Cases, st.Events = persons.Load(), members.Load(), cases.Load(), events.Load()
	all := counts[0]
	for _, c := range counts[1:] {
		for k, v := range c {
			all[k] += v
		}
	}
	return all, nil
}

// sequencer gives ids and national ID numbers in generation order.
type sequencer struct {
	person, event, kase, caseEv int64
	prov                        *province
	natives                     int
	migrants                    map[*province]int
	groupSrc                    map[int64]*cellOut
}

const nativeSerials = 600_000

func (s *sequencer) assign(g *gen, o *cellOut) {
	o.personBase, o.eventBase, o.caseBase, o.caseEvBase = s.person, s.event, s.kase, s.caseEv
	s.person += int64(len(o.persons))
	s.event += int64(o.nEvents)
	s.kase += int64(len(o.cases))
	s.caseEv += int64(o.nCaseEv)
	pr := o.cell.prov
	if pr != s.prov {
		s.prov, s.natives = pr, 0
	}
	for _, p := range o.persons {
		serial := -1
		if p.migrant && p.birthProv != pr && s.migrants[pr] < 6000 {
			serial = nativeSerials + provIndex(pr)*6000 + s.migrants[pr]
			s.migrants[pr]++
		} else {
			p.birthProv = pr
			if s.natives >= nativeSerials {
				panic("seed: more than 600,000 persons registered in province " + pr.Name)
			}
			serial = (s.natives*7919 + 12345) % nativeSerials
			s.natives++
		}
		y := p.birth.year()
		c := (y/100 - 19) * 2
		if p.female {
			c++
		}
		var buf [12]byte
		copy(buf[:3], p.birthProv.Code)
		buf[3] = byte('0' + c)
		buf[4] = byte('0' + y%100/10)
		buf[5] = byte('0' + y%10)
		for i := 11; i >= 6; i-- {
			buf[i] = byte('0' + serial%10)
			serial /= 10
		}
		p.nid = string(buf[:])
	}
	// The committee member responsible for the cell: the designated member of the first cell under the
	// same parent (today), when assigned on the same day; else one of the cell's own.
	parent := o.cell.parent
	if parent == nil {
		return
	}
	src, ok := s.groupSrc[parent.id]
	if !ok {
		s.groupSrc[parent.id] = o
		src = o
	}
	switch {
	case src.designated >= 0 && src.respFrom == o.respFrom:
		o.resp = &respRec{person: src.designated, src: src, from: o.respFrom}
	case o.designated >= 0:
		o.resp = &respRec{person: o.designated, src: o, from: o.respFrom}
	}
}
