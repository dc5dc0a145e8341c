package seed

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
)

// progress reports the load: a bar redrawn in place when the writer is a terminal, a plain line every
// few seconds otherwise (logs, CI).
type progress struct {
	w        io.Writer
	tty      bool
	mu       sync.Mutex
	t0       time.Time
	last     time.Time
	phase    string
	done     int64
	total    int64
	rows     func() int64
	stop     chan struct{}
	stopOnce sync.Once
	stopped  sync.WaitGroup
	drawnLen int
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func newProgress(w io.Writer, rows func() int64) *progress {
	p := &progress{w: w, t0: time.Now(), rows: rows, stop: make(chan struct{})}
	if w == nil {
		return p
	}
	p.tty = isTerminal(w)
	every := 10 * time.Second
	if p.tty {
		every = 250 * time.Millisecond
	}
	p.stopped.Add(1)
	go func() {
		defer p.stopped.Done()
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-p.stop:
				return
			case <-t.C:
				p.draw(false)
			}
		}
	}()
	return p
}

// set starts a phase of total steps.
func (p *progress) set(phase string, total int64) {
	p.mu.Lock()
	p.phase, p.done, p.total = phase, 0, total
	p.mu.Unlock()
	p.draw(true)
}

// countRows sets how the rows loaded so far are counted.
func (p *progress) countRows(rows func() int64) {
	p.mu.Lock()
	p.rows = rows
	p.mu.Unlock()
}

// close stops the redrawing; finish calls it, Run defers it for the error paths.
func (p *progress) close() {
	p.stopOnce.Do(func() { close(p.stop) })
	p.stopped.Wait()
}

func (p *progress) add(n int64) {
	p.mu.Lock()
	p.done += n
	p.mu.Unlock()
}

func (p *progress) draw(force bool) {
	if p.w == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	el := time.Since(p.t0)
	rows := p.rows()
	rate := float64(rows) / max(el.Seconds(), 0.001)
	frac := 0.0
	if p.total > 0 {
		frac = min(1, float64(p.done)/float64(p.total))
	}
	stats := fmt.Sprintf("%s rows · %s rows/s · %s", human(rows), human(int64(rate)), el.Round(time.Second))
	if p.tty {
		const width = 30
		n := int(frac * width)
		line := fmt.Sprintf("\rseed: %-22s [%s%s] %3.0f%% %d/%d · %s", p.phase, strings.Repeat("█", n), strings.Repeat("░", width-n),
			100*frac, p.done, p.total, stats)
		pad := ""
		if l := len([]rune(line)); l < p.drawnLen {
			pad = strings.Repeat(" ", p.drawnLen-l)
		} else {
			p.drawnLen = l
		}
		fmt.Fprint(p.w, line+pad)
		return
	}
	if !force && time.Since(p.last) < 9*time.Second {
		return
	}
	p.last = time.Now()
	fmt.Fprintf(p.w, "seed: %s %3.0f%% (%d/%d) · %s\n", p.phase, 100*frac, p.done, p.total, stats)
}

func (p *progress) finish(summary string) {
	if p.w == nil {
		return
	}
	p.close()
	p.draw(true)
	if p.tty {
		fmt.Fprintln(p.w)
	}
	fmt.Fprintln(p.w, "seed: "+summary)
}

func human(n int64) string {
	switch {
	case n >= 10_000_000:
		return fmt.Sprintf("%.0fM", float64(n)/1e6)
	case n >= 1_000_000:
		return fmt.Sprintf("%.1fM", float64(n)/1e6)
	case n >= 10_000:
		return fmt.Sprintf("%.0fk", float64(n)/1e3)
	}
	return fmt.Sprint(n)
}
