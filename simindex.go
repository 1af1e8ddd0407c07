package papersift

import (
	"context"
	"errors"
	"os"
	"sync/atomic"

	"github.com/papersift/papersift/recommend"
	"github.com/papersift/papersift/simindex"
	"github.com/papersift/papersift/store"
)

// indexFrom is the number of vectors from which similar reads the
// similarity index kept beside the database (see package simindex) rather
// than every vector in it; below, reading them all takes about as long.
var indexFrom = 20000

// indexAnswers counts the queries the index answered (for tests).
var indexAnswers atomic.Int64

// maxIndexK is the largest k the index answers: for more, its candidates
// are many and reading each one's vector is slower than reading them all.
const maxIndexK = 1000

// IndexPath is the similarity index's file: the database's path with
// ".simidx" added.
func (l *Library) IndexPath() string { return l.cfg.DB + ".simidx" }

func indexStamp(st store.VectorStamp) simindex.Stamp {
	return simindex.Stamp{DB: st.DB, MID: st.MID, Model: st.Model, Gen: st.Gen}
}

// refreshIndex brings the similarity index up to date with the active
// model's vectors when there are enough of them to need one. It is a cache:
// when it cannot be written, similar reads the database.
func (l *Library) refreshIndex(ctx context.Context, s *store.Store) {
	m, err := l.activeModel(ctx, s)
	if err != nil {
		return
	}
	st, err := s.VectorStamp(ctx, m)
	if err != nil {
		return
	}
	if ix, err := simindex.Open(l.IndexPath(), indexStamp(st), m.Dim); err == nil {
		ix.Close()
		return
	}
	if err := l.buildIndex(ctx, s, m, st); err != nil && ctx.Err() == nil && !errors.Is(err, errFewVectors) {
		l.warnf("could not write the similarity index %s (similar reads every vector instead): %v", l.IndexPath(), err)
	}
}

var errFewVectors = errors.New("too few vectors to need an index")

// buildIndex writes the similarity index of model m's vectors, as of st,
// when there are at least indexFrom of them (errFewVectors otherwise).
func (l *Library) buildIndex(ctx context.Context, s *store.Store, m *store.Model, st store.VectorStamp) error {
	n, err := s.VectorCount(ctx, m)
	if err != nil {
		return err
	}
	if n < indexFrom {
		return errFewVectors
	}
	prog := l.progress(n, "indexing for similar")
	defer prog.Done()
	// readable by whoever may read the database
	perm := os.FileMode(0o644)
	if fi, err := os.Stat(l.cfg.DB); err == nil {
		perm = fi.Mode().Perm()
	}
	return simindex.Build(ctx, l.IndexPath(), perm, indexStamp(st), m.Dim, n, func(fn func([]int64, []float32) error) error {
		return s.ScanVectors(ctx, m, func(pids []int64, data []float32) error {
			prog.Add(len(pids))
			return fn(pids, data)
		})
	})
}

// similarByIndex answers a similar query through the similarity index: the
// index names the few papers that can be in the top k, and those are scored
// in float32 as the full scan would score them, so the answer is the full
// scan's. The query is q, or when q is nil the vector of paper self, read
// from the index. It reports false when the index cannot answer (too few
// vectors, no index and none can be written, self not in it, a damaged
// vector among the candidates): the caller then reads the database.
func (l *Library) similarByIndex(ctx context.Context, s *store.Store, m *store.Model, q []float32, k int, self int64, skip func(int) bool) ([]recommend.Hit, bool) {
	if k > maxIndexK {
		return nil, false
	}
	st, err := s.VectorStamp(ctx, m)
	if err != nil {
		return nil, false
	}
	var exclude []int64
	if self >= 0 {
		exclude = []int64{self}
	}
	var skipPID func(int64) bool
	if skip != nil {
		skipPID = func(pid int64) bool { return skip(int(pid)) }
	}
	var cands []int64
	var data []float32
	for attempt := 0; ; attempt++ {
		ix, err := simindex.Open(l.IndexPath(), indexStamp(st), m.Dim)
		if err == nil {
			if q == nil {
				q, err = ix.Vector(self)
				if errors.Is(err, simindex.ErrNotIndexed) {
					// an index whose rows are not in the papers' order
					// (an endpoint's batches), or no vector: the
					// database's, with the same stamp
					if q, err = s.VectorOf(ctx, m, self); err != nil {
						ix.Close()
						return nil, false
					}
				}
			}
			if err == nil {
				cands, data, err = ix.CandidateVectors(ctx, q, k, exclude, skipPID)
			}
			ix.Close()
			if err == nil {
				break
			}
		}
		// missing, out of date or damaged (a damaged code is found by the
		// scan): built again once, unless the paper has no vector to
		// ask with
		if attempt > 0 || !errors.Is(err, simindex.ErrStale) && !errors.Is(err, simindex.ErrCorrupt) {
			return nil, false
		}
		if q == nil {
			if _, err := s.VectorOf(ctx, m, self); err != nil {
				return nil, false
			}
		}
		if err := l.buildIndex(ctx, s, m, st); err != nil {
			if ctx.Err() == nil && !errors.Is(err, errFewVectors) && !errors.Is(err, os.ErrPermission) && !errors.Is(err, simindex.ErrInvalidVector) {
				l.warnf("could not write the similarity index %s (reading every vector instead): %v", l.IndexPath(), err)
			}
			return nil, false
		}
	}
	best := recommend.NewNearest(k)
	keys := make([]int, len(cands))
	for i, p := range cands {
		keys[i] = int(p)
	}
	best.Add(data, m.Dim, q, keys, nil)
	if len(best.Bad) > 0 {
		return nil, false
	}
	indexAnswers.Add(1)
	return best.Hits(), true
}

// indexMatrix is the active model's vectors mapped from the similarity
// index, in the papers' order, without a copy (reading 640 MB of vectors
// out of SQLite into fresh memory takes seconds here; mapping the file's
// pages, which the page cache holds, a fraction of that); nil when the
// index is missing, out of date, damaged or not in the papers' order. The
// map lasts until the Library is closed; its callers only read it, and the
// next call with the same vectors gets the same map.
func (l *Library) indexMatrix(ctx context.Context, s *store.Store, m *store.Model) *store.Matrix {
	st, err := s.VectorStamp(ctx, m)
	if err != nil {
		return nil
	}
	if l.mappedMat != nil && l.mappedStamp == st {
		return l.mappedMat // one map serves every command of a process (digest: group and queue)
	}
	ix, err := simindex.Open(l.IndexPath(), indexStamp(st), m.Dim)
	if err != nil {
		return nil
	}
	defer ix.Close()
	if !ix.Sorted() || ix.Len() == 0 {
		return nil
	}
	v, err := ix.Vectors(ctx)
	if errors.Is(err, simindex.ErrCorrupt) {
		// never used again: the next embedding or similar builds it anew
		if os.Remove(l.IndexPath()) == nil {
			l.notef("note: the similarity index %s was damaged and is removed (it is rebuilt after the next embedding or by the next similar)", l.IndexPath())
		}
		return nil
	}
	if err != nil {
		return nil
	}
	l.mapped = append(l.mapped, v.Release)
	indexMatrices.Add(1)
	l.mappedMat = &store.Matrix{Model: m.Name, Dim: m.Dim, PIDs: v.PIDs, Data: v.Data}
	l.mappedStamp = st
	return l.mappedMat
}

// indexMatrices counts the matrices mapped from the index (for tests).
var indexMatrices atomic.Int64

// indexState says what state the similarity index of model m (with n
// vectors) is in.
func (l *Library) indexState(ctx context.Context, s *store.Store, m *store.Model, n int) *IndexState {
	out := &IndexState{Path: l.IndexPath(), From: indexFrom}
	if fi, err := os.Stat(out.Path); err == nil {
		out.Bytes = fi.Size()
	}
	st, err := s.VectorStamp(ctx, m)
	if err != nil {
		out.State = "out of date"
		return out
	}
	ix, err := simindex.Open(out.Path, indexStamp(st), m.Dim)
	switch {
	case err == nil:
		out.State, out.Papers = "current", ix.Len()
		ix.Close()
	case n < indexFrom:
		out.State = "none"
	case errors.Is(err, simindex.ErrCorrupt):
		out.State = "damaged"
	default:
		out.State = "out of date"
	}
	return out
}
