package papersift

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/papersift/papersift/cluster"
	"github.com/papersift/papersift/embed"
	"github.com/papersift/papersift/internal/hugeheap"
	"github.com/papersift/papersift/store"
)

// The built-in model's policy (see the README's "When vectors change"):
// below corpusFrom papers it is the background model alone, the same for
// every reader and every day, so that tomorrow's list changes nothing of
// today's. From corpusFrom papers on, it also learns from the reader's
// corpus, and it is refitted when the corpus has grown by refitFactor since
// its fit (a corpus grown that much has new vocabulary and new topics).
// Papers added between fits are folded into the current fit.
const (
	corpusFrom  = 500
	refitFactor = 1.5
)

// putBatch is how many vectors one transaction stores.
const putBatch = 2048

// localKind and openaiKind are the kinds of models in the store.
const (
	localKind  = EmbedderLocal
	openaiKind = EmbedderOpenAI
)

// Defaults of embedding through an endpoint.
const (
	DefaultBatch          = embed.DefaultBatchSize
	DefaultBatchTokens    = embed.DefaultBatchTokens
	DefaultMaxInputTokens = embed.DefaultMaxInputTokens
	DefaultConcurrency    = embed.DefaultConcurrency
	DefaultRetries        = embed.DefaultMaxTries - 1
	DefaultRequestTimeout = embed.DefaultTimeout
	EncodingAuto          = embed.EncodingAuto
	EncodingBase64        = embed.EncodingBase64
	EncodingFloat         = embed.EncodingFloat
)

// EndpointTuning tunes embedding through an endpoint; zero values mean the
// defaults above.
type EndpointTuning struct {
	Batch          int
	BatchTokens    int
	MaxInputTokens int
	Concurrency    int
	Retries        int // -1: the default
	Timeout        time.Duration
	Encoding       string // "" : the Endpoint's
}

// EmbedOptions say how to embed the missing papers.
type EmbedOptions struct {
	Refit    bool // built-in model: refit on the whole corpus
	Endpoint EndpointTuning
}

// FailedPaper is a paper the endpoint would not embed.
type FailedPaper struct {
	ID    string `json:"id"`
	Error string `json:"error"`
}

// EmbedResult says what embedding did.
type EmbedResult struct {
	Embedded  int           `json:"embedded"`
	Model     string        `json:"model"`
	Refitted  bool          `json:"refitted"`
	Failed    []FailedPaper `json:"failed"`
	Truncated []string      `json:"truncated"` // ids of papers whose text was cut to the model's limit
	Requests  int           `json:"requests"`
	Retries   int           `json:"retries"`
}

// EmbedFailures is the error of a run that embedded every paper but some.
type EmbedFailures struct{ Papers []FailedPaper }

func (e *EmbedFailures) Error() string {
	ids := make([]string, len(e.Papers))
	for i, p := range e.Papers {
		ids[i] = p.ID
	}
	return fmt.Sprintf("%d paper(s) could not be embedded and have no vector: %s (see the reasons above; run papersift embed to retry them)",
		len(e.Papers), strings.Join(ids, ", "))
}

// Embed gives every paper a vector of the active model for its current
// text. With the built-in model, the model is fitted first when there is
// none, when Refit is asked, or when the corpus has outgrown the fit.
// Through an endpoint, each batch is stored as it finishes (an interrupted
// run keeps its work), and papers the endpoint refuses are reported in the
// result and in an *EmbedFailures error; every other paper is embedded.
func (l *Library) Embed(ctx context.Context, o EmbedOptions) (*EmbedResult, error) {
	s, err := l.db(ctx)
	if err != nil {
		return nil, err
	}
	res, err := l.embedWith(ctx, s, o)
	if res != nil {
		if res.Failed == nil {
			res.Failed = []FailedPaper{}
		}
		if res.Truncated == nil {
			res.Truncated = []string{}
		}
	}
	return res, err
}

// embedWith embeds what is missing. With the built-in model, when another
// process replaces the fit meanwhile, embedding goes on with its fit.
func (l *Library) embedWith(ctx context.Context, s *store.Store, o EmbedOptions) (*EmbedResult, error) {
	if l.cfg.Embedder == openaiKind {
		res, err := l.embedEndpoint(ctx, s, o.Endpoint)
		if err == nil {
			l.refreshIndex(ctx, s)
		}
		return res, err
	}
	total := &EmbedResult{}
	refit := o.Refit
	for attempt := 0; ; attempt++ {
		res, err := l.embedLocal(ctx, s, refit)
		if res != nil {
			total.Embedded += res.Embedded
			total.Model = res.Model
			total.Refitted = total.Refitted || res.Refitted
		}
		if errors.Is(err, store.ErrModelGone) && attempt < 3 {
			l.notef("another papersift replaced the built-in model meanwhile: going on with its fit")
			refit = false
			continue
		}
		if err == nil {
			l.refreshIndex(ctx, s)
			l.cacheInterestVectors(ctx, s)
		}
		return total, err
	}
}

// cacheInterestVectors keeps the vectors of the reader's interests under
// the active built-in model (after embedding and after interest add: the
// queue, which may only read, then finds them). Best effort: a failure
// only means the queue embeds them itself.
func (l *Library) cacheInterestVectors(ctx context.Context, s *store.Store) {
	if l.cfg.Embedder == openaiKind {
		return
	}
	m, err := l.activeModel(ctx, s)
	if err != nil {
		return
	}
	prof, err := s.Profile(ctx)
	if err != nil || len(prof.Interests) == 0 {
		return
	}
	l.interestVectors(ctx, s, &store.Matrix{Model: m.Name, Dim: m.Dim}, prof.Interests, true)
}

// loadLocal returns the current fit of the built-in model. A fit made by
// another version of papersift (another background model, or the model of
// before the background) is errStaleFit: it is refitted by the next embed.
func loadLocal(ctx context.Context, s *store.Store) (*store.Model, *embed.Builtin, error) {
	m, params, err := s.LatestFit(ctx, localKind)
	if err != nil {
		return nil, nil, err
	}
	bg, err := embed.DefaultBackground()
	if err != nil {
		return nil, nil, err
	}
	bm, err := embed.UnmarshalBuiltin(params, bg)
	if errors.Is(err, embed.ErrOtherBackground) || errors.Is(err, embed.ErrNotBuiltin) {
		return m, nil, errStaleFit
	}
	if err != nil {
		return nil, nil, fmt.Errorf("the saved built-in model: %w (run papersift embed --refit)", err)
	}
	return m, bm, nil
}

// errStaleFit is a built-in model saved by another version of papersift.
var errStaleFit = errors.New("the built-in model in the database was made by another version of papersift: run papersift embed to refit it")

// wantFit says whether the built-in model must be (re)fitted on a corpus of
// n papers, and why ("" when not).
func wantFit(bm *embed.Builtin, n int, refit, stale bool) string {
	switch {
	case stale:
		return "the built-in model has changed with this version of papersift"
	case bm == nil:
		return "first use"
	case refit:
		return "asked"
	case n >= corpusFrom && !bm.HasCorpusPart():
		return fmt.Sprintf("the corpus has reached %d papers: the built-in model now learns from it as well", corpusFrom)
	case bm.HasCorpusPart() && float64(n) >= refitFactor*float64(bm.FitSize()):
		return fmt.Sprintf("the corpus has grown from %d to %d papers since the built-in model learned from it", bm.FitSize(), n)
	}
	return ""
}

func (l *Library) embedLocal(ctx context.Context, s *store.Store, refit bool) (*EmbedResult, error) {
	n, err := s.Count(ctx)
	if err != nil {
		return nil, err
	}
	m, bm, err := loadLocal(ctx, s)
	stale := errors.Is(err, errStaleFit)
	if err != nil && !stale && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	res := &EmbedResult{}
	if why := wantFit(bm, n, refit, stale); why != "" {
		if n == 0 {
			return res, nil
		}
		fit, err := l.fitBuiltin(ctx, s)
		if err != nil {
			return nil, err
		}
		if m != nil && !stale && fit.Model() == m.Name && !refit {
			// the same model: nothing to redo
		} else {
			if m != nil && fit.Model() != m.Name {
				l.notef("re-embedding %d papers with %s (%s): topics and similarities may shift once", n, fit.Model(), why)
			}
			params, err := fit.MarshalBinary()
			if err != nil {
				return nil, err
			}
			// The new fit and every paper's vector are stored in one
			// transaction, replacing the old fit and its vectors: other
			// processes never see a model without its vectors. The texts
			// are read and embedded a batch at a time.
			prog := l.progress(n, "embedding")
			m, res.Embedded, err = s.ReplaceFitStream(ctx, fit.Model(), localKind, fit.Dim(), fit.FitSize(), params,
				func(batch []store.TextToEmbed) ([]store.Vector, error) { return l.localVectors(ctx, fit, batch) }, prog.Add)
			prog.Done()
			if err != nil {
				return nil, err
			}
			res.Refitted = true
		}
		bm = fit
	}
	res.Model = m.Name
	// Papers added or changed meanwhile, or all of them with the old fit.
	missing, err := s.Missing(ctx, m.MID, 0)
	if err != nil {
		return nil, err
	}
	prog := l.progress(len(missing), "embedding")
	defer prog.Done()
	for lo := 0; lo < len(missing); lo += putBatch {
		vs, err := l.localVectors(ctx, bm, missing[lo:min(lo+putBatch, len(missing))])
		if err != nil {
			return nil, err
		}
		stored, err := s.PutVectors(ctx, m, vs)
		if err != nil {
			return res, err
		}
		res.Embedded += stored
		prog.Add(min(putBatch, len(missing)-lo))
	}
	return res, nil
}

// fitBuiltin fits the built-in model on the corpus: the background alone
// below corpusFrom papers, with a corpus part from there, learned from a
// seeded sample of the papers (read alone: the corpus is never held whole).
func (l *Library) fitBuiltin(ctx context.Context, s *store.Store) (*embed.Builtin, error) {
	bg, err := embed.DefaultBackground()
	if err != nil {
		return nil, err
	}
	pids, err := s.PIDs(ctx, store.Filter{})
	if err != nil {
		return nil, err
	}
	if len(pids) < corpusFrom {
		return embed.NewBuiltin(bg), nil
	}
	pos := embed.FitSampleOf(len(pids))
	sample := make([]int64, len(pos))
	for i, p := range pos {
		sample[i] = pids[p]
	}
	texts, err := s.TextsOf(ctx, sample)
	if err != nil {
		return nil, err
	}
	if len(texts) != len(sample) {
		return nil, fmt.Errorf("fit the built-in model: %w (papers were removed meanwhile; run papersift embed again)", store.ErrModelGone)
	}
	docs := make([]string, len(texts))
	for i, t := range texts {
		docs[i] = embed.Text(t.Title, t.Abstract)
	}
	l.notef("fitting the built-in model on %d papers...", len(pids))
	fit, err := embed.FitBuiltin(ctx, bg, docs, embed.BuiltinConfig{CorpusSize: len(pids), Cluster: fitTopics})
	if errors.Is(err, embed.ErrCorpusTooSmall) {
		// too few distinct words to learn from: the background alone
		return embed.NewBuiltin(bg), nil
	}
	return fit, err
}

// fitTopics is the clustering the built-in model's fit weighs its terms
// by: the k-means of group, with two restarts.
func fitTopics(ctx context.Context, data []float32, dim, k int, seed uint64) ([]int, error) {
	res, err := cluster.KMeans{K: k, Restarts: 2, Seed: seed}.Fit(ctx, data, dim)
	if err != nil {
		return nil, err
	}
	return res.Assign, nil
}

// progress shows the progress of a step of many items: one too small to
// take a couple of seconds shows nothing.
func (l *Library) progress(total int, desc string) Progress {
	if total < progressFrom {
		return silentProgress{}
	}
	return l.ev.Progress(total, desc)
}

// progressFrom is the number of papers from which embedding with the
// built-in model may take a couple of seconds.
const progressFrom = 5000

// localVectors embeds papers with the built-in model; a paper none of whose
// words the model knows gets no vector, with a warning.
func (l *Library) localVectors(ctx context.Context, lm *embed.Builtin, batch []store.TextToEmbed) ([]store.Vector, error) {
	texts := make([]string, len(batch))
	for i, t := range batch {
		texts[i] = embed.Text(t.Title, t.Abstract)
	}
	vecs, err := lm.Embed(ctx, texts)
	var te *embed.TextError
	if errors.As(err, &te) {
		// some text has no known word: embed the others one by one
		vecs, err = embedEach(ctx, lm, texts)
	}
	if err != nil {
		return nil, err
	}
	vs := make([]store.Vector, 0, len(batch))
	for i, t := range batch {
		if vecs[i] == nil {
			if !l.noWord[t.PID] { // an ingest may try a paper twice
				l.warnf("paper %s: no word of its text is in the built-in model's vocabulary; it gets no vector", t.ID)
				if l.noWord == nil {
					l.noWord = map[int64]bool{}
				}
				l.noWord[t.PID] = true
			}
			continue
		}
		vs = append(vs, store.Vector{PID: t.PID, Hash: t.Hash, Vec: vecs[i]})
	}
	return vs, nil
}

// embedEach embeds texts one at a time, leaving nil for those that fail.
func embedEach(ctx context.Context, e embed.Embedder, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	for i, t := range texts {
		v, err := e.Embed(ctx, []string{t})
		var te *embed.TextError
		if errors.As(err, &te) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out[i] = v[0]
	}
	return out, nil
}

// endpointModel is the identity of the endpoint's vectors.
func (l *Library) endpointModel() string { return l.cfg.Endpoint.Identity() }

// newEndpoint builds the client of the configured endpoint. dim is the
// dimension of the model's stored vectors (0 if none).
func (l *Library) newEndpoint(o EndpointTuning, dim int, onRetry func(embed.RetryEvent)) (*embed.OpenAI, error) {
	e := l.cfg.Endpoint
	cfg := embed.OpenAIConfig{
		BaseURL:        e.BaseURL,
		APIKey:         e.APIKey,
		Model:          e.Model,
		Dimensions:     e.Dimensions,
		Dim:            dim,
		BatchSize:      o.Batch,
		BatchTokens:    o.BatchTokens,
		MaxInputTokens: o.MaxInputTokens,
		Concurrency:    o.Concurrency,
		Timeout:        o.Timeout,
		Encoding:       o.Encoding,
		OnRetry:        onRetry,
		Logf:           e.Logf,
	}
	if o.Retries >= 0 {
		cfg.MaxTries = o.Retries + 1
	}
	if cfg.Encoding == "" {
		cfg.Encoding = e.Encoding
	}
	c, err := embed.NewOpenAI(cfg)
	if err != nil {
		return nil, optionErrorf("%v", err)
	}
	return c, nil
}

// embedEndpoint embeds the papers that lack a vector of the endpoint's
// model, committing each batch as it finishes.
func (l *Library) embedEndpoint(ctx context.Context, s *store.Store, o EndpointTuning) (*EmbedResult, error) {
	name := l.endpointModel()
	res := &EmbedResult{Model: name}
	m, err := s.Model(ctx, name)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	var missing []store.TextToEmbed
	dim := 0
	if m != nil {
		if m.Kind != openaiKind {
			return nil, fmt.Errorf("model %s in the database is not an endpoint's model", name)
		}
		dim = m.Dim
		missing, err = s.Missing(ctx, m.MID, 0)
	} else {
		missing, err = s.AllTexts(ctx)
	}
	if err != nil || len(missing) == 0 {
		return res, err
	}
	prog := l.ev.Progress(len(missing), "embedding")
	c, err := l.newEndpoint(o, dim, func(embed.RetryEvent) { prog.Retried() })
	if err != nil {
		return nil, err
	}
	texts := make([]string, len(missing))
	for i, t := range missing {
		texts[i] = embed.Text(t.Title, t.Abstract)
	}
	if !prog.Shown() {
		l.notef("embedding %d paper(s) with %s...", len(missing), name)
	}
	// A finished batch is stored even when ctx is cancelled meanwhile.
	keep := context.WithoutCancel(ctx)
	// The vectors are stored in the papers' order, whatever order the
	// endpoint's batches finish in: a finished vector waits for those of
	// the papers before it, in memory (at most reorderWindow of them, the
	// oldest stored first beyond that: a killed process loses those, to be
	// embedded again by the next run). The similarity index keeps the rows
	// in the order they are stored, and group and queue read its vectors in
	// place only when that is the papers' order.
	ready := map[int][]float32{} // finished, not stored, by position in missing
	done := make([]bool, len(missing))
	next := 0 // every paper before it is stored or rejected
	store1 := func(all bool) error {
		var vs []store.Vector
		add := func(i int) {
			if v, ok := ready[i]; ok {
				vs = append(vs, store.Vector{PID: missing[i].PID, Hash: missing[i].Hash, Vec: v})
				delete(ready, i)
			}
		}
		for next < len(missing) && done[next] {
			add(next)
			next++
		}
		switch {
		case all: // the run ended: the rest as they are
			for _, i := range slices.Sorted(maps.Keys(ready)) {
				add(i)
			}
		case len(ready) > reorderWindow: // a batch is late: the oldest go on
			held := slices.Sorted(maps.Keys(ready))
			for _, i := range held[:len(held)-reorderWindow] {
				add(i)
			}
		}
		if len(vs) == 0 {
			return nil
		}
		n, err := s.PutVectors(keep, m, vs)
		if err != nil {
			return fmt.Errorf("store vectors: %w", err)
		}
		res.Embedded += n
		return nil
	}
	runErr := c.Run(ctx, texts, func(b embed.Batch) error {
		if len(b.Index) > 0 && m == nil {
			var err error
			if m, err = s.EnsureModel(keep, name, openaiKind, len(b.Vecs[0])); err != nil {
				return err
			}
		}
		for k, i := range b.Index {
			ready[i], done[i] = b.Vecs[k], true
		}
		for _, r := range b.Rejected {
			done[r.Index] = true
		}
		if err := store1(false); err != nil {
			return err
		}
		for _, r := range b.Rejected {
			p := missing[r.Index]
			res.Failed = append(res.Failed, FailedPaper{ID: p.ID, Error: r.Err.Error()})
			prog.Warning(fmt.Sprintf("paper %s (%s): %v; it gets no vector", p.ID, cut(p.Title, 60), r.Err))
		}
		for _, i := range b.Truncated {
			res.Truncated = append(res.Truncated, missing[i].ID)
			prog.Notice(fmt.Sprintf("note: paper %s is longer than the model's input limit: its text was cut to fit", missing[i].ID))
		}
		prog.Add(len(b.Index) + len(b.Rejected))
		return nil
	})
	if m != nil {
		if err := store1(true); err != nil && runErr == nil {
			runErr = err
		}
	}
	prog.Done()
	st := c.Stats()
	res.Requests, res.Retries = st.Requests, st.Retries
	sort.Slice(res.Failed, func(i, j int) bool { return res.Failed[i].ID < res.Failed[j].ID })
	sort.Strings(res.Truncated)
	switch {
	case runErr != nil && ctx.Err() != nil:
		l.notef("interrupted: the %d paper(s) embedded before are kept; run papersift embed to continue", res.Embedded)
		return res, runErr
	case runErr != nil && res.Embedded > 0:
		return res, fmt.Errorf("embed with %s: %w (the %d paper(s) embedded before are kept; run papersift embed to continue)", name, runErr, res.Embedded)
	case runErr != nil:
		return res, fmt.Errorf("embed with %s: %w", name, runErr)
	case len(res.Failed) > 0:
		return res, &EmbedFailures{res.Failed}
	}
	l.notef("embedded %d paper(s) in %d request(s), %d retried", res.Embedded, res.Requests, res.Retries)
	return res, nil
}

// reorderWindow is the most vectors an endpoint's embedding holds back to
// store them in the papers' order (about 6 MB at 1,536 dimensions).
var reorderWindow = 1024

// embedQuery embeds a free text with the active embedder.
func (l *Library) embedQuery(ctx context.Context, s *store.Store, text string) ([]float32, error) {
	vs, errs, err := l.embedQueries(ctx, s, []string{text})
	if err != nil {
		return nil, err
	}
	if errs[0] != nil {
		return nil, errs[0]
	}
	return vs[0], nil
}

// interestVectors embeds the reader's interests with the active model,
// as embedQueries does, reading the vectors the database keeps for them
// (built-in model only: its vectors of a text never change) and keeping
// those it had to embed: loading the built-in model to embed a few words
// costs a quarter of a second and more. wait: the write may wait for
// another writer as long as any write does (a command that writes);
// otherwise it is given up after 200 ms (the queue, which only reads).
func (l *Library) interestVectors(ctx context.Context, s *store.Store, mat *store.Matrix, texts []string, wait bool) ([][]float32, []error, error) {
	if l.cfg.Embedder == openaiKind || len(texts) == 0 {
		return l.embedQueries(ctx, s, texts)
	}
	have, err := s.InterestVectors(ctx, mat.Model, mat.Dim, texts)
	if err != nil {
		have = nil // a cache: embed them all
	}
	var missing []string
	for _, t := range texts {
		if _, ok := have[t]; !ok {
			missing = append(missing, t)
		}
	}
	var mvs [][]float32
	var merrs []error
	if len(missing) > 0 {
		var whole error
		mvs, merrs, whole = l.embedQueries(ctx, s, missing)
		if whole != nil {
			usable := 0 // kept vectors (not marks of texts with none)
			for _, v := range have {
				if v != nil {
					usable++
				}
			}
			if usable == 0 {
				return nil, nil, whole
			}
			// the kept ones still serve; the others say why not
			mvs, merrs = make([][]float32, len(missing)), make([]error, len(missing))
			for i := range merrs {
				merrs[i] = whole
			}
		}
		// kept only when they are the matrix's model's own (embedQueries
		// embeds with the newest fit)
		if fit, err := s.LatestModel(ctx, localKind); err == nil && fit.Name == mat.Model {
			put := map[string][]float32{}
			for i, t := range missing {
				switch {
				case merrs[i] == nil && mvs[i] != nil:
					put[t] = mvs[i]
				case whole == nil && merrs[i] != nil:
					put[t] = nil // no known word: not tried again at every queue
				}
			}
			if len(put) > 0 {
				// best effort (a read-only store refuses at once)
				wctx, cancel := ctx, context.CancelFunc(func() {})
				if !wait {
					wctx, cancel = context.WithTimeout(ctx, 200*time.Millisecond)
				}
				_ = s.PutInterestVectors(wctx, mat.Model, put)
				cancel()
			}
		}
	}
	// in the order of texts: the kept ones, and those just embedded
	vs, errs := make([][]float32, len(texts)), make([]error, len(texts))
	k := 0
	for i, t := range texts {
		if v, ok := have[t]; ok {
			if vs[i] = v; v == nil {
				errs[i] = noKnownWord(t)
			}
			continue
		}
		vs[i], errs[i] = mvs[k], merrs[k]
		k++
	}
	return vs, errs, nil
}

// noKnownWord is the error of a text the built-in model has no vector for.
func noKnownWord(text string) error {
	return fmt.Errorf("no word of %q is in the built-in model's vocabulary: try other words", cut(text, 60))
}

// embedQueries embeds free texts with the active embedder, all in one
// request to an endpoint. A text that cannot be embedded gets a nil vector
// and its error in errs; err is for failures of the whole.
func (l *Library) embedQueries(ctx context.Context, s *store.Store, texts []string) (vs [][]float32, errs []error, err error) {
	vs, errs = make([][]float32, len(texts)), make([]error, len(texts))
	if len(texts) == 0 {
		return vs, errs, nil
	}
	if l.cfg.Embedder == openaiKind {
		m, err := l.activeModel(ctx, s)
		if errors.Is(err, store.ErrNotFound) {
			return nil, nil, l.noVectors(ctx, s)
		}
		if err != nil {
			return nil, nil, err
		}
		c, err := l.newEndpoint(EndpointTuning{Retries: -1}, m.Dim, nil)
		if err != nil {
			return nil, nil, err
		}
		err = c.Run(ctx, texts, func(b embed.Batch) error {
			for k, i := range b.Index {
				vs[i] = b.Vecs[k]
			}
			for _, r := range b.Rejected {
				errs[r.Index] = r.Err
			}
			return nil
		})
		if err != nil {
			return nil, nil, fmt.Errorf("embed the query with %s: %w", m.Name, err)
		}
		return vs, errs, nil
	}
	_, lm, err := loadLocal(ctx, s)
	if errors.Is(err, store.ErrNotFound) || errors.Is(err, errStaleFit) {
		return nil, nil, fmt.Errorf("%w: nothing is embedded with the built-in model of this version (run papersift embed)", ErrNoVectors)
	}
	if err != nil {
		return nil, nil, err
	}
	for i, text := range texts {
		v, err := lm.Embed(ctx, []string{text})
		var te *embed.TextError
		switch {
		case errors.As(err, &te):
			errs[i] = noKnownWord(text)
		case err != nil:
			return nil, nil, err
		default:
			vs[i] = v[0]
		}
	}
	return vs, errs, nil
}

// activeMatrix loads every vector of the active model, in paper order.
func (l *Library) activeMatrix(ctx context.Context, s *store.Store) (*store.Matrix, error) {
	m, err := l.activeModel(ctx, s)
	if errors.Is(err, store.ErrNotFound) {
		return nil, l.noVectors(ctx, s)
	}
	if err != nil {
		return nil, err
	}
	if mat := l.indexMatrix(ctx, s, m); mat != nil {
		reserveHeap(len(mat.PIDs))
		return mat, nil
	}
	mat, err := s.LoadVectors(ctx, m)
	if err != nil {
		return nil, err
	}
	if len(mat.Bad) > 0 {
		l.warnDamaged(ctx, s, m, mat.Bad)
	}
	byPID(mat)
	reserveHeap(len(mat.PIDs))
	return mat, nil
}

// hugeFrom is the number of papers from which a command's heap is backed
// by huge pages (package hugeheap): below it, the reservation (a garbage
// collection, 6 ms) costs more than the page faults it saves. Commands that
// read the vectors (group, queue, eval, digest) reserve; embedding does not:
// its heap turns over much garbage, whose huge pages the kernel splits and
// frees only under memory pressure (ingest of a million papers peaked at
// 948 MB with the reservation, 508 MB without, in about the same time).
const hugeFrom = 20000

// reserveHeap readies the heap for a command over n papers.
func reserveHeap(n int) {
	if n >= hugeFrom {
		// about what a command allocates a paper (group of 64,930: 100 MB)
		hugeheap.Reserve(n * 4096)
	}
}

// scopeMatrix is the active model's vectors of the papers of want, read
// paper by paper (a few papers among many: not every vector); papers
// without one are left out, damaged ones too, with a warning.
func (l *Library) scopeMatrix(ctx context.Context, s *store.Store, want map[int64]bool) (*store.Matrix, error) {
	m, err := l.activeModel(ctx, s)
	if errors.Is(err, store.ErrNotFound) {
		return nil, l.noVectors(ctx, s)
	}
	if err != nil {
		return nil, err
	}
	mat := &store.Matrix{Model: m.Name, Dim: m.Dim}
	var bad []int64
	for _, pid := range slices.Sorted(maps.Keys(want)) {
		v, err := s.VectorOf(ctx, m, pid)
		switch {
		case errors.Is(err, store.ErrNotFound):
			continue
		case errors.Is(err, store.ErrBadVector):
			bad = append(bad, pid)
			continue
		case ctx.Err() != nil:
			return nil, ctx.Err()
		case err != nil:
			// each paper is read apart: a database open for writing may
			// have moved a vector meanwhile (an ingest re-embedding a
			// paper); every vector, read at once, then
			return l.activeMatrix(ctx, s)
		}
		mat.PIDs = append(mat.PIDs, pid)
		mat.Data = append(mat.Data, v...)
	}
	if len(bad) > 0 {
		l.warnDamaged(ctx, s, m, bad)
	}
	return mat, nil
}

// warnDamaged says that some stored vectors are damaged and left out, and
// what repairs them.
func (l *Library) warnDamaged(ctx context.Context, s *store.Store, m *store.Model, pids []int64) {
	names := make([]string, 0, min(len(pids), 5))
	if ids, err := s.IDs(ctx); err == nil {
		for _, pid := range pids[:min(len(pids), 5)] {
			names = append(names, ids[pid])
		}
	}
	more := ""
	if len(pids) > len(names) {
		more = fmt.Sprintf(" and %d more", len(pids)-len(names))
	}
	l.warnf("%d stored vector(s) of %s are damaged and left out (%s%s): %s", len(pids), m.Name, strings.Join(names, ", "), more, repairHint)
}

// repairHint is what repairs damaged vectors.
const repairHint = "run papersift doctor --repair, then papersift embed"

// byPID puts the rows of mat in paper order, in place. Batches from an
// endpoint are stored in the order they finish, which varies from run to
// run; what is computed from the rows (ties, the order of results) must not.
func byPID(mat *store.Matrix) {
	less := func(i, j int) bool { return mat.PIDs[i] < mat.PIDs[j] }
	if sort.SliceIsSorted(mat.PIDs, less) {
		return
	}
	// order[to] is the row that belongs at to; follow each cycle with one
	// spare row
	order := make([]int, len(mat.PIDs))
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(a, b int) bool { return mat.PIDs[order[a]] < mat.PIDs[order[b]] })
	spare := make([]float32, mat.Dim)
	for start := range order {
		if order[start] == start || order[start] < 0 {
			continue
		}
		copy(spare, mat.Row(start))
		pid := mat.PIDs[start]
		to := start
		for {
			from := order[to]
			order[to] = -1
			if from == start {
				copy(mat.Row(to), spare)
				mat.PIDs[to] = pid
				break
			}
			copy(mat.Row(to), mat.Row(from))
			mat.PIDs[to] = mat.PIDs[from]
			to = from
		}
	}
}

// noVectors explains that the active model has no vectors, and which
// models do.
func (l *Library) noVectors(ctx context.Context, s *store.Store) error {
	what := "the built-in model"
	if l.cfg.Embedder == openaiKind {
		what = l.endpointModel()
	}
	msg := fmt.Sprintf("nothing is embedded with %s yet (run papersift embed)", what)
	counts, err := s.VectorCounts(ctx)
	if err == nil {
		var others []string
		for name, n := range counts {
			if n > 0 {
				others = append(others, fmt.Sprintf("%s (%d)", name, n))
			}
		}
		sort.Strings(others)
		if len(others) > 0 {
			msg += "; the database has vectors of " + strings.Join(others, ", ") +
				": choose one with --embedder, --model, --base-url and --dimensions"
		}
	}
	return fmt.Errorf("%w: %s", ErrNoVectors, msg)
}

// activeModel returns the model the active embedder's vectors belong to,
// or store.ErrNotFound when it has none yet.
func (l *Library) activeModel(ctx context.Context, s *store.Store) (*store.Model, error) {
	if l.cfg.Embedder == openaiKind {
		return s.Model(ctx, l.endpointModel())
	}
	return s.LatestModel(ctx, localKind)
}

// activeModelName is the name of the active model even before anything is
// embedded with it; "" for the built-in model, whose name comes with its fit.
func (l *Library) activeModelName() string {
	if l.cfg.Embedder == openaiKind {
		return l.endpointModel()
	}
	return ""
}
