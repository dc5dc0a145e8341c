package report

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"time"
)

// browser is one headless Chromium driven over the DevTools protocol on a pipe
// (--remote-debugging-pipe: commands on fd 3, answers on fd 4, JSON messages ending in a NUL byte), so
// that every province's PDF is printed by the same browser: starting Chromium costs seconds, printing a
// page a fraction of one.
type browser struct {
	cmd     *exec.Cmd
	in      *os.File // our end of fd 3
	profile string
	session string

	mu      sync.Mutex
	next    int
	waiting map[int]chan cdpMsg
	events  chan cdpMsg
	done    chan struct{}
	err     error
}

type cdpMsg struct {
	ID        int             `json:"id,omitempty"`
	Method    string          `json:"method,omitempty"`
	Params    json.RawMessage `json:"params,omitempty"`
	SessionID string          `json:"sessionId,omitempty"`
	Result    json.RawMessage `json:"result,omitempty"`
	Error     *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error,omitempty"`
}

// startBrowser starts Chromium with a blank page attached.
func startBrowser(ctx context.Context, bin string) (*browser, error) {
	profile, err := os.MkdirTemp("", "ptdv-chromium-")
	if err != nil {
		return nil, err
	}
	cmdR, cmdW, err := os.Pipe() // we write commands, Chromium reads fd 3
	if err != nil {
		return nil, err
	}
	outR, outW, err := os.Pipe() // Chromium writes fd 4, we read
	if err != nil {
		return nil, err
	}
	b := &browser{in: cmdW, profile: profile, waiting: map[int]chan cdpMsg{}, events: make(chan cdpMsg, 64), done: make(chan struct{})}
	b.cmd = exec.Command(bin, append(ChromiumArgs(profile), "--remote-debugging-pipe", "about:blank")...)
	b.cmd.ExtraFiles = []*os.File{cmdR, outW}
	if err := b.cmd.Start(); err != nil {
		os.RemoveAll(profile)
		return nil, fmt.Errorf("report: start chromium: %w", err)
	}
	cmdR.Close()
	outW.Close()
	go b.read(outR)
	var t struct {
		TargetID string `json:"targetId"`
	}
	if err := b.call(ctx, "", "Target.createTarget", map[string]any{"url": "about:blank"}, &t); err != nil {
		b.close()
		return nil, err
	}
	var s struct {
		SessionID string `json:"sessionId"`
	}
	if err := b.call(ctx, "", "Target.attachToTarget", map[string]any{"targetId": t.TargetID, "flatten": true}, &s); err != nil {
		b.close()
		return nil, err
	}
	b.session = s.SessionID
	if err := b.call(ctx, b.session, "Page.enable", nil, nil); err != nil {
		b.close()
		return nil, err
	}
	return b, nil
}

func (b *browser) read(r *os.File) {
	defer close(b.done)
	br := bufio.NewReaderSize(r, 1<<20)
	for {
		line, err := br.ReadBytes(0)
		if err != nil {
			b.mu.Lock()
			b.err = fmt.Errorf("report: chromium closed the pipe: %w", err)
			b.mu.Unlock()
			return
		}
		var m cdpMsg
		if json.Unmarshal(line[:len(line)-1], &m) != nil {
			continue
		}
		if m.ID != 0 {
			b.mu.Lock()
			ch := b.waiting[m.ID]
			delete(b.waiting, m.ID)
			b.mu.Unlock()
			if ch != nil {
				ch <- m
			}
			continue
		}
		select {
		case b.events <- m:
		default: // nobody waits for it
		}
	}
}

// call sends one command and waits for its answer.
func (b *browser) call(ctx context.Context, session, method string, params any, out any) error {
	b.mu.Lock()
	if b.err != nil {
		b.mu.Unlock()
		return b.err
	}
	b.next++
	id := b.next
	ch := make(chan cdpMsg, 1)
	b.waiting[id] = ch
	b.mu.Unlock()
	msg := map[string]any{"id": id, "method": method}
	if params != nil {
		msg["params"] = params
	}
	if session != "" {
		msg["sessionId"] = session
	}
	data, _ := json.Marshal(msg)
	if _, err := b.in.Write(append(data, 0)); err != nil {
		return fmt.Errorf("report: chromium %s: %w", method, err)
	}
	select {
	case m := <-ch:
		if m.Error != nil {
			return fmt.Errorf("report: chromium %s: %s", method, m.Error.Message)
		}
		if out != nil {
			return json.Unmarshal(m.Result, out)
		}
		return nil
	case <-b.done:
		return fmt.Errorf("report: chromium %s: %w", method, b.err)
	case <-ctx.Done():
		return fmt.Errorf("report: chromium %s: %w", method, ctx.Err())
	}
}

// printPDF loads an HTML file and writes its PDF (A4 by the page's print CSS, backgrounds, no header
// or footer).
func (b *browser) printPDF(html, pdf string) error {
	abs, err := filepath.Abs(html)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	// Drop the events of the previous page.
	for len(b.events) > 0 {
		<-b.events
	}
	if err := b.call(ctx, b.session, "Page.navigate", map[string]any{"url": "file://" + abs}, nil); err != nil {
		return err
	}
	for loaded := false; !loaded; {
		select {
		case m := <-b.events:
			loaded = m.Method == "Page.loadEventFired" && m.SessionID == b.session
		case <-b.done:
			return b.err
		case <-ctx.Done():
			return fmt.Errorf("report: chromium did not load %s: %w", html, ctx.Err())
		}
	}
	var res struct {
		Data string `json:"data"`
	}
	if err := b.call(ctx, b.session, "Page.printToPDF", map[string]any{"preferCSSPageSize": true, "printBackground": true,
		"displayHeaderFooter": false}, &res); err != nil {
		return err
	}
	data, err := base64.StdEncoding.DecodeString(res.Data)
	if err != nil || len(data) == 0 {
		return fmt.Errorf("report: chromium printed no PDF of %s", html)
	}
	return os.WriteFile(pdf, data, 0o644)
}

func (b *browser) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	b.call(ctx, "", "Browser.close", nil, nil)
	cancel()
	b.in.Close()
	wait := make(chan struct{})
	go func() { b.cmd.Wait(); close(wait) }()
	select {
	case <-wait:
	case <-time.After(5 * time.Second):
		b.cmd.Process.Kill()
		<-wait
	}
	os.RemoveAll(b.profile)
}
