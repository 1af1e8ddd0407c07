package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/papersift/papersift/embed"
	"github.com/papersift/papersift/store"
)

// refitFactor: the built-in model is refitted when the corpus has grown by
// this factor since its fit (a corpus grown that much has new vocabulary).
const refitFactor = 1.5

// putBatch is how many vectors one transaction stores.
const putBatch = 2048

const localKind = "local"

// loadLocal returns the current fit of the built-in model.
func loadLocal(ctx context.Context, s *store.Store) (*store.Model, *embed.LocalModel, error) {
	m, params, err := s.LatestFit(ctx, localKind)
	if err != nil {
		return nil, nil, err
	}
	lm, err := embed.UnmarshalLocal(params)
	if err != nil {
		return nil, nil, fmt.Errorf("the saved built-in model: %w (run papersift embed --refit)", err)
	}
	return m, lm, nil
}

// embedResult says what embedding did.
type embedResult struct {
	Embedded int
	Model    string
	Refitted bool
}

// embedMissing gives every paper a vector of the active model for its
// current text. The built-in model is fitted first when there is none, when
// refit is asked, or when the corpus has outgrown the fit. When another
// process replaces the model meanwhile, embedding goes on with its fit.
func (g *globals) embedMissing(ctx context.Context, s *store.Store, refit bool) (*embedResult, error) {
	total := &embedResult{}
	for attempt := 0; ; attempt++ {
		res, err := g.embedLocal(ctx, s, refit)
		if res != nil {
			total.Embedded += res.Embedded
			total.Model = res.Model
			total.Refitted = total.Refitted || res.Refitted
		}
		if errors.Is(err, store.ErrModelGone) && attempt < 3 {
			g.notef("another papersift replaced the built-in model meanwhile: going on with its fit")
			refit = false
			continue
		}
		return total, err
	}
}

func (g *globals) embedLocal(ctx context.Context, s *store.Store, refit bool) (*embedResult, error) {
	if g.embedder != "local" {
		return nil, errors.New("the openai embedder is not available in this build yet: use --embedder local")
	}
	n, err := s.Count(ctx)
	if err != nil {
		return nil, err
	}
	m, lm, err := loadLocal(ctx, s)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	res := &embedResult{}
	if refit || m == nil || float64(n) >= refitFactor*float64(m.NFit) {
		texts, err := s.AllTexts(ctx)
		if err != nil {
			return nil, err
		}
		docs := make([]string, len(texts))
		for i, t := range texts {
			docs[i] = embed.Text(t.Title, t.Abstract)
		}
		g.notef("fitting the built-in model on %d papers...", len(docs))
		fit, err := embed.FitLocal(ctx, docs, embed.LocalConfig{})
		if errors.Is(err, embed.ErrCorpusTooSmall) {
			if m == nil {
				g.notef("note: %d paper(s) are too few to fit the built-in model; add more and run papersift embed", n)
				return res, nil
			}
			// keep folding into the old fit
		} else if err != nil {
			return nil, err
		} else {
			params, err := fit.MarshalBinary()
			if err != nil {
				return nil, err
			}
			// The new fit and every paper's vector are stored in one
			// transaction, replacing the old fit and its vectors: other
			// processes never see a model without its vectors.
			var vs []store.Vector
			for lo := 0; lo < len(texts); lo += putBatch {
				batch, err := g.localVectors(ctx, fit, texts[lo:min(lo+putBatch, len(texts))])
				if err != nil {
					return nil, err
				}
				vs = append(vs, batch...)
			}
			if m, res.Embedded, err = s.ReplaceFit(ctx, fit.Model(), localKind, fit.Dim(), fit.FitSize(), params, vs); err != nil {
				return nil, err
			}
			lm = fit
			res.Refitted = true
		}
	}
	res.Model = m.Name
	// Papers added or changed meanwhile, or all of them with the old fit.
	missing, err := s.Missing(ctx, m.MID, 0)
	if err != nil {
		return nil, err
	}
	for lo := 0; lo < len(missing); lo += putBatch {
		vs, err := g.localVectors(ctx, lm, missing[lo:min(lo+putBatch, len(missing))])
		if err != nil {
			return nil, err
		}
		stored, err := s.PutVectors(ctx, m, vs)
		if err != nil {
			return res, err
		}
		res.Embedded += stored
	}
	return res, nil
}

// localVectors embeds papers with the built-in model; a paper none of whose
// words the model knows gets no vector, with a warning.
func (g *globals) localVectors(ctx context.Context, lm *embed.LocalModel, batch []store.TextToEmbed) ([]store.Vector, error) {
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
			g.warnf("paper %s: no word of its text is in the built-in model's vocabulary; it gets no vector", t.ID)
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

// activeMatrix loads every vector of the active model.
func (g *globals) activeMatrix(ctx context.Context, s *store.Store) (*store.Matrix, error) {
	m, err := g.activeModel(ctx, s)
	if errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("%w: nothing is embedded with the built-in model (run papersift embed)", errNoVectors)
	}
	if err != nil {
		return nil, err
	}
	return s.LoadVectors(ctx, m)
}

// activeModel returns the model the active embedder's vectors belong to,
// or ErrNotFound when it has none yet.
func (g *globals) activeModel(ctx context.Context, s *store.Store) (*store.Model, error) {
	if g.embedder != "local" {
		return nil, errors.New("the openai embedder is not available in this build yet: use --embedder local")
	}
	return s.LatestModel(ctx, localKind)
}
