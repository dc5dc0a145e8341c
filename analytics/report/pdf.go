package report

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// printer prints a page to PDF through headless Chromium.
type printer struct {
	bin  string
	must bool
	note string // why there is no PDF
	b    *browser
	pipe bool // false after the DevTools pipe failed once: one Chromium per page from then on
}

// Chromium finds the headless browser: the named binary, or chromium, chromium-browser, google-chrome
// on PATH; "" when none is installed.
func Chromium(name string) string {
	if name != "" {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
		return ""
	}
	for _, n := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	return ""
}

func newPrinter(opt Options) *printer {
	p := &printer{must: opt.PDF == "on", pipe: true}
	if opt.PDF == "off" {
		return p
	}
	p.bin = Chromium(opt.Chromium)
	if p.bin == "" {
		p.note = "Không in PDF: máy chưa cài Chromium (apt-get install chromium)."
	}
	return p
}

// ChromiumArgs are the flags every headless call uses: no sandbox (the job may run as root), no GPU,
// a private profile, nothing fetched from the network.
func ChromiumArgs(profile string) []string {
	return []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
		"--user-data-dir=" + profile, "--disable-extensions", "--disable-background-networking"}
}

// print writes the PDF of an HTML file (A4, as the print CSS lays it out, no header or footer): through
// the browser kept open for the run, else (the pipe failed) one headless Chromium for the page.
func (p *printer) print(html, pdf string) error {
	if p.pipe {
		err := p.viaPipe(html, pdf)
		if err == nil {
			return nil
		}
		p.pipe = false
		p.close()
	}
	return p.printCLI(html, pdf)
}

func (p *printer) viaPipe(html, pdf string) error {
	if p.b == nil {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		b, err := startBrowser(ctx, p.bin)
		if err != nil {
			return err
		}
		p.b = b
	}
	return p.b.printPDF(html, pdf)
}

// close stops the browser kept open, if any.
func (p *printer) close() {
	if p.b != nil {
		p.b.close()
		p.b = nil
	}
}

// printCLI prints with `chromium --headless --print-to-pdf`.
func (p *printer) printCLI(html, pdf string) error {
	abs, err := filepath.Abs(html)
	if err != nil {
		return err
	}
	profile, err := os.MkdirTemp("", "ptdv-chromium-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(profile)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	args := append(ChromiumArgs(profile), "--no-pdf-header-footer", "--print-to-pdf="+pdf, "file://"+abs)
	out, err := exec.CommandContext(ctx, p.bin, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("report: chromium --print-to-pdf: %w: %s", err, lastLines(out))
	}
	if st, err := os.Stat(pdf); err != nil || st.Size() == 0 {
		return fmt.Errorf("report: chromium wrote no PDF: %s", lastLines(out))
	}
	return nil
}

func lastLines(b []byte) string {
	if len(b) > 400 {
		b = b[len(b)-400:]
	}
	return string(b)
}
