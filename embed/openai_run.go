package embed

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"
)

// Batch is what one batch of a Run produced. Index holds positions in the
// texts given to Run; Vecs[i] is the vector of texts[Index[i]].
type Batch struct {
	Index []int
	Vecs  [][]float32
	// Rejected are texts the endpoint would not embed (each alone); the
	// rest of their batch is embedded.
	Rejected []Rejected
	// Truncated are texts cut before sending because they were estimated
	// to exceed the model's input limit, or were refused as too long.
	Truncated []int
}

func (b *Batch) merge(o Batch) {
	b.Index = append(b.Index, o.Index...)
	b.Vecs = append(b.Vecs, o.Vecs...)
	b.Rejected = append(b.Rejected, o.Rejected...)
	b.Truncated = append(b.Truncated, o.Truncated...)
}

// Rejected is a text that gets no vector, and why.
type Rejected struct {
	Index int
	Err   *InputError
}

// errStopped ends a request whose run is stopping.
var errStopped = errors.New("embed: stopped")

// errSplit asks for a batch to be split: it is larger than the batch size
// allowed since it was formed.
var errSplit = errors.New("embed: batch larger than allowed now")

// maxShorten is how often a text refused as too long is halved and retried.
const maxShorten = 3

// failFast: when this many texts were refused one by one and none was
// embedded, the request itself is wrong, not the texts.
const failFast = 3

// Run embeds texts in batches (by count and estimated tokens), with
// Concurrency requests in flight, and calls done with each finished batch,
// from one goroutine at a time, in the order batches finish; batches that
// finish while done is busy are passed together in one call. A batch
// refused with 400, 413 or 422 is bisected until the texts at fault are
// found; those are reported in Batch.Rejected and the others embedded.
//
// When ctx is cancelled no new request is sent; requests in flight have
// Grace to finish and their batches are still passed to done. Run then
// returns ctx's error. A fatal error (refused key, unknown model, invalid
// answer, tries exhausted) stops the run the same way and is returned. An
// error from done stops the run and is returned.
func (c *OpenAI) Run(ctx context.Context, texts []string, done func(Batch) error) error {
	if len(texts) == 0 {
		return nil
	}
	stop, stopRun := context.WithCancelCause(ctx)
	defer stopRun(nil)
	req, cancelReq := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelReq()
	var graceTimer atomic.Pointer[time.Timer]
	unhook := context.AfterFunc(stop, func() {
		graceTimer.Store(time.AfterFunc(c.cfg.Grace, cancelReq))
	})
	defer func() {
		unhook()
		if t := graceTimer.Load(); t != nil {
			t.Stop()
		}
	}()

	r := &run{c: c, stop: stop, req: req, texts: make([]string, len(texts)), tokens: make([]int, len(texts))}
	r.truncated = make([]bool, len(texts))
	for i, t := range texts {
		r.texts[i] = t
		if est := estimateTokens(t); est > c.cfg.MaxInputTokens {
			r.texts[i] = cutText(t, c.cfg.MaxInputTokens*bytesPerToken)
			r.truncated[i] = true
		}
		r.tokens[i] = estimateTokens(r.texts[i])
	}
	r.shortened = make([]int, len(texts))

	// buffered, so that workers do not wait while done stores a batch
	results := make(chan Batch, 2*c.cfg.Concurrency)
	var fatal error
	var fatalOnce sync.Once
	fail := func(err error) {
		fatalOnce.Do(func() { fatal = err })
		stopRun(err)
	}
	// Twice as many workers as requests in flight: a worker reading an
	// answer (or waiting for done) does not hold a request slot, so the
	// endpoint is kept busy meanwhile.
	var wg sync.WaitGroup
	for w := 0; w < 2*c.cfg.Concurrency; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for stop.Err() == nil {
				job := r.nextJob()
				if job == nil {
					return
				}
				b, err := r.embedJob(job)
				if err != nil && !errors.Is(err, errStopped) {
					fail(err)
				}
				if len(b.Index) > 0 || len(b.Rejected) > 0 {
					results <- b
				}
			}
		}()
	}
	go func() {
		wg.Wait()
		close(results)
	}()

	handled := 0
	var doneErr error
	for b := range results {
		if doneErr != nil {
			continue
		}
		// batches that finished while done was busy go to it together
	more:
		for {
			select {
			case b2, ok := <-results:
				if !ok {
					break more
				}
				b.merge(b2)
			default:
				break more
			}
		}
		if err := done(b); err != nil {
			doneErr = err
			fail(err)
			continue
		}
		handled += len(b.Index) + len(b.Rejected)
	}
	switch {
	case fatal != nil:
		return fatal
	case handled < len(texts) && ctx.Err() != nil:
		return ctx.Err()
	case handled < len(texts):
		return errors.New("embed: run ended before every text was embedded")
	}
	return nil
}

// run is the state of one Run.
type run struct {
	c         *OpenAI
	stop      context.Context // cancelled: send nothing new
	req       context.Context // cancelled: abandon requests in flight
	texts     []string        // as sent (possibly cut)
	tokens    []int           // estimated tokens of texts
	mu        sync.Mutex
	truncated []bool
	shortened []int
	next      int // the first text not yet in a batch
	embedded  atomic.Int64
	refused   atomic.Int64
}

// nextJob forms the next batch, by count (the current cap, which a 413
// lowers) and by estimated tokens; nil when every text is taken.
func (r *run) nextJob() []int {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.next >= len(r.texts) {
		return nil
	}
	limit := int(r.c.cap.Load())
	end, tokens := r.next, 0
	for end < len(r.texts) && end-r.next < limit && (end == r.next || tokens+r.tokens[end] <= r.c.cfg.BatchTokens) {
		tokens += r.tokens[end]
		end++
	}
	job := make([]int, end-r.next)
	for i := range job {
		job[i] = r.next + i
	}
	r.next = end
	return job
}

// embedJob embeds one batch, isolating texts the endpoint refuses.
func (r *run) embedJob(job []int) (Batch, error) {
	var b Batch
	send := job[:0:0]
	for _, i := range job {
		if strings.TrimSpace(r.texts[i]) == "" {
			b.Rejected = append(b.Rejected, Rejected{i, &InputError{Message: "its text is empty"}})
			continue
		}
		send = append(send, i)
	}
	var err error
	for len(send) > 0 && err == nil {
		// the batch size may have dropped (a 413) since the job was formed
		n := min(len(send), int(r.c.cap.Load()))
		err = r.embedRange(send[:n], &b)
		send = send[n:]
	}
	r.mu.Lock()
	for _, i := range job {
		if r.truncated[i] {
			b.Truncated = append(b.Truncated, i)
		}
	}
	r.mu.Unlock()
	return b, err
}

// embedRange embeds the texts at idx into b, bisecting on refusals.
func (r *run) embedRange(idx []int, b *Batch) error {
	texts := make([]string, len(idx))
	r.mu.Lock()
	for k, i := range idx {
		texts[k] = r.texts[i]
	}
	r.mu.Unlock()
	vecs, err := r.request(texts)
	if err == nil {
		b.Index = append(b.Index, idx...)
		b.Vecs = append(b.Vecs, vecs...)
		r.embedded.Add(int64(len(idx)))
		return nil
	}
	if errors.Is(err, errSplit) {
		mid := len(idx) / 2
		if err := r.embedRange(idx[:mid], b); err != nil {
			return err
		}
		return r.embedRange(idx[mid:], b)
	}
	var bad *badVectors
	if errors.As(err, &bad) {
		if len(idx) == 1 {
			r.reject(idx[0], &InputError{Message: "the endpoint returned a zero, NaN or infinite vector for its text"}, b)
			return nil
		}
		// nothing of a flawed answer is kept: ask again for the others
		// together and for the flawed ones alone
		isBad := make(map[int]bool, len(bad.pos))
		for _, p := range bad.pos {
			isBad[p] = true
		}
		var good []int
		for k, i := range idx {
			if !isBad[k] {
				good = append(good, i)
			}
		}
		if len(good) > 0 {
			if err := r.embedRange(good, b); err != nil {
				return err
			}
		}
		for _, p := range bad.pos {
			if err := r.embedRange(idx[p:p+1], b); err != nil {
				return err
			}
		}
		return nil
	}
	var se *StatusError
	if !errors.As(err, &se) || !inputLevel(se) || r.c.requestLevel(se) {
		return err
	}
	if len(idx) == 1 {
		if aboutLength(se.Status, se.Message) && r.shorten(idx[0]) {
			return r.embedRange(idx, b)
		}
		r.reject(idx[0], &InputError{Status: se.Status, Message: se.Message}, b)
		if r.refused.Load() >= failFast && r.embedded.Load() == 0 {
			return fmt.Errorf("every text sent so far was refused, so the request itself is likely wrong (check --model and --dimensions): %w", se)
		}
		return nil
	}
	mid := len(idx) / 2
	if err := r.embedRange(idx[:mid], b); err != nil {
		return err
	}
	return r.embedRange(idx[mid:], b)
}

func (r *run) reject(i int, e *InputError, b *Batch) {
	r.refused.Add(1)
	b.Rejected = append(b.Rejected, Rejected{i, e})
}

// shorten halves a text refused as too long, at most maxShorten times.
func (r *run) shorten(i int) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.shortened[i] >= maxShorten || len(r.texts[i]) < 64 {
		return false
	}
	r.shortened[i]++
	r.texts[i] = cutText(r.texts[i], len(r.texts[i])/2)
	r.truncated[i] = true
	return true
}

// lowerCap lowers the batch size for the batches still to form.
func (r *run) lowerCap(n int) {
	n = max(n, 1)
	for {
		cur := r.c.cap.Load()
		if int64(n) >= cur || r.c.cap.CompareAndSwap(cur, int64(n)) {
			if int64(n) < cur {
				r.c.logf("the endpoint refused a batch as too large: batches of at most %d texts from now on", n)
			}
			return
		}
	}
}

// request sends texts, retrying what is worth retrying.
func (r *run) request(texts []string) ([][]float32, error) {
	c := r.c
	for try := 1; ; try++ {
		if err := c.gate.wait(r.stop); err != nil {
			return nil, errStopped
		}
		float := c.float.Load()
		x := &exchange{slots: c.slots, stop: r.stop, timeout: c.cfg.Timeout, admit: func() error {
			if len(texts) > int(c.cap.Load()) {
				return errSplit // the batch size dropped while this waited
			}
			return nil
		}}
		vecs, err := c.call(r.req, x, texts, float)
		var se *StatusError
		if errors.As(err, &se) && len(texts) > 1 && (se.Status == http.StatusRequestEntityTooLarge || (inputLevel(se) && aboutBatchSize(se.Message))) {
			r.lowerCap(len(texts) / 2) // before the slot is free for the next request
		}
		x.done()
		switch {
		case err == nil:
			return vecs, nil
		case errors.Is(err, errSplit):
			return nil, err
		case errors.Is(err, errStopped), r.req.Err() != nil:
			return nil, errStopped
		}
		if x.timedOut {
			err = &ConnError{Endpoint: c.endpoint, Timeout: c.cfg.Timeout, Err: context.DeadlineExceeded}
		}
		isStatus := errors.As(err, &se)
		if isStatus && !float && c.cfg.Encoding == EncodingAuto && badRequest(se.Status) && aboutEncoding(se.Message) {
			if c.float.CompareAndSwap(false, true) {
				c.logf("the endpoint refuses base64 vectors (%s): asking for floats", se.Message)
			}
			try-- // not the request's fault
			continue
		}
		if isStatus && inputLevel(se) {
			return nil, err
		}
		if !retryable(err) || try >= c.cfg.MaxTries {
			setTries(err, try)
			return nil, err
		}
		if r.stop.Err() != nil {
			return nil, errStopped
		}
		var hint time.Duration
		if isStatus {
			hint = se.Wait
		}
		if hint > c.cfg.MaxWait {
			setTries(err, try)
			return nil, fmt.Errorf("the endpoint asks to wait %v before retrying, longer than %v: try later: %w", hint.Round(time.Second), c.cfg.MaxWait, err)
		}
		wait := c.backoff(try, hint)
		if isStatus && se.Status == 429 {
			c.gate.pause(wait) // every worker waits, not just this one
		}
		c.stats.retries.Add(1)
		c.logf("retry %d of %d texts in %v: %s", try, len(texts), wait.Round(time.Millisecond), brief(err))
		if c.cfg.OnRetry != nil {
			c.cfg.OnRetry(RetryEvent{Try: try, Wait: wait, Texts: len(texts), Err: err})
		}
		if !sleep(r.stop, wait) {
			return nil, errStopped
		}
	}
}

func setTries(err error, tries int) {
	var se *StatusError
	var ce *ConnError
	switch {
	case errors.As(err, &se):
		se.Tries = tries
	case errors.As(err, &ce):
		ce.Tries = tries
	}
}

// backoff is the wait before try+1: what the endpoint asked plus a little
// jitter, or exponential backoff with jitter.
func (c *OpenAI) backoff(try int, hint time.Duration) time.Duration {
	c.jmu.Lock()
	defer c.jmu.Unlock()
	if hint > 0 {
		j := min(hint/10, time.Second) + 10*time.Millisecond
		return hint + time.Duration(c.jitter.Int64N(int64(j)))
	}
	d := c.cfg.MinBackoff
	for i := 1; i < try && d < c.cfg.MaxBackoff; i++ {
		d *= 2
	}
	d = min(d, c.cfg.MaxBackoff)
	half := d / 2
	return half + time.Duration(c.jitter.Int64N(int64(half)+1))
}

func (c *OpenAI) logf(format string, args ...any) {
	if c.cfg.Logf != nil {
		c.cfg.Logf("%s", c.redact(fmt.Sprintf(format, args...)))
	}
}

// sleep waits d or until ctx is done; it reports whether it waited d.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// gate holds every request back until a time (after a 429).
type gate struct {
	mu    sync.Mutex
	until time.Time
}

func (g *gate) pause(d time.Duration) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if t := time.Now().Add(d); t.After(g.until) {
		g.until = t
	}
}

func (g *gate) wait(ctx context.Context) error {
	for {
		g.mu.Lock()
		d := time.Until(g.until)
		g.mu.Unlock()
		if d <= 0 {
			return ctx.Err()
		}
		if !sleep(ctx, d) {
			return ctx.Err()
		}
	}
}

// bytesPerToken is the estimate of text bytes per token. Real tokenizers
// give about 4 for English prose; 3 errs on the safe side for formulas,
// numbers and other scripts.
const bytesPerToken = 3

// estimateTokens is a cautious estimate of a text's tokens.
func estimateTokens(s string) int {
	return (len(s) + bytesPerToken - 1) / bytesPerToken
}

// cutText cuts s to at most n bytes, at a space when one is near the end,
// and never inside a UTF-8 sequence.
func cutText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	cut := s[:n]
	if sp := strings.LastIndexAny(cut, " \n\t"); sp > n*9/10 {
		cut = cut[:sp]
	}
	return cut
}

// slots bounds the HTTP exchanges in flight. A slot is taken just before
// a built request is sent and given back as soon as a good answer is read,
// before it is decoded (an error answer keeps it until handled).
type slots chan struct{}

func (s slots) acquire(ctx context.Context) (release func(), err error) {
	select {
	case s <- struct{}{}:
		return sync.OnceFunc(func() { <-s }), nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
