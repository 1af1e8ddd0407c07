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

	"github.com/papersift/papersift/embed"
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
// terminal and --quiet is off. A nil *progress does nothing but print
// lines.
type progress struct {
	bar     *progressbar.ProgressBar
	desc    string
	retries atomic.Int64
	w       io.Writer
}

// newProgress returns a bar for total items, or one that only prints
// lines when no bar is to be shown.
func (g *globals) newProgress(total int, desc string) *progress {
	p := &progress{desc: desc, w: &syncWriter{w: g.rawStderr}}
	if g.quiet || !isTerminal(g.rawStderr) || total <= 0 {
		return p
	}
	p.bar = progressbar.NewOptions(total,
		progressbar.OptionSetWriter(p.w),
		progressbar.OptionSetDescription(desc),
		progressbar.OptionSetItsString("papers"),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionSetElapsedTime(true),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionSetWidth(30),
		progressbar.OptionSetRenderBlankState(true),
		progressbar.OptionOnCompletion(func() { fmt.Fprintln(p.w) }),
	)
	return p
}

func (p *progress) visible() bool { return p.bar != nil }

func (p *progress) add(n int) {
	if p.bar != nil {
		p.bar.Add(n)
	}
}

// retry counts a retry in the bar's description (called from any goroutine).
func (p *progress) retry(embed.RetryEvent) {
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
	fmt.Fprintln(p.w, sanitize.String(line))
}

// finish ends the bar: full when everything was done, where it stood otherwise.
func (p *progress) finish() {
	if p.bar == nil {
		return
	}
	if p.bar.State().CurrentNum >= int64(p.bar.GetMax()) {
		p.bar.Finish()
		return
	}
	p.bar.Exit() // ends the line (OnCompletion)
}
