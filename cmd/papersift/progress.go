package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/papersift/papersift"
	"github.com/papersift/papersift/internal/sanitize"
)

// syncWriter serialises writes: the bar, the log of requests and notices
// share stderr.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(b []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(b)
}

// isTerminal says whether w is a terminal (a variable for tests).
var isTerminal = func(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// progress is a progress bar on stderr, shown only when stderr is a
// terminal and --quiet is off; without a bar it only prints lines.
type progress struct {
	bar     *progressbar.ProgressBar
	desc    string
	retries atomic.Int64
	w       io.Writer
	quiet   bool
	hints   func(string) string
}

// Progress returns a bar for total items (papersift.Events).
func (g *globals) Progress(total int, desc string) papersift.Progress {
	p := &progress{desc: desc, w: g.bars, quiet: g.quiet, hints: g.hints}
	if g.quiet || !isTerminal(g.rawStderr) || total == 0 {
		return p
	}
	its := "papers"
	if total < 0 {
		total, its = -1, "steps" // a spinner: the number of steps is not known
	}
	unit := []progressbar.Option{progressbar.OptionSetItsString(its), progressbar.OptionShowIts()}
	if desc == papersift.ReadingStep { // counted in bytes: "101 MB/1.6 GB, 34 MB/s"
		unit = []progressbar.Option{progressbar.OptionShowBytes(true)}
	}
	p.bar = progressbar.NewOptions(total, append(unit,
		progressbar.OptionSetWriter(p.w),
		progressbar.OptionSetDescription(desc),
		progressbar.OptionShowCount(),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionSetElapsedTime(true),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionSetWidth(30),
		progressbar.OptionSetRenderBlankState(true),
		progressbar.OptionOnCompletion(func() { fmt.Fprintln(p.w) }),
	)...)
	return p
}

func (p *progress) Shown() bool { return p.bar != nil }

func (p *progress) Add(n int) {
	if p.bar != nil {
		p.bar.Add(n)
	}
}

// Retried counts a retry in the bar's description (called from any goroutine).
func (p *progress) Retried() {
	n := p.retries.Add(1)
	if p.bar != nil {
		p.bar.Describe(fmt.Sprintf("%s (%d retries)", p.desc, n))
	}
}

// println prints a line above the bar, sanitised.
func (p *progress) println(line string) {
	if p.bar != nil {
		p.bar.Clear()
	}
	fmt.Fprintln(p.w, sanitize.String(p.hints(line)))
}

func (p *progress) Notice(msg string) {
	if !p.quiet {
		p.println(msg)
	}
}

func (p *progress) Warning(msg string) { p.println("warning: " + msg) }

// Done ends the bar: full when everything was done, where it stood otherwise.
func (p *progress) Done() {
	if p.bar == nil {
		return
	}
	if max := p.bar.GetMax(); max > 0 && p.bar.State().CurrentNum >= int64(max) {
		p.bar.Finish()
		return
	}
	p.bar.Exit() // ends the line (OnCompletion)
}
