package store

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/papersift/papersift/paper"
)

// benchStore is a store of n papers with their texts' hashes.
func benchStore(b *testing.B, n int) (*Store, []Vector) {
	b.Helper()
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(b.TempDir(), "p.db"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	ps := make([]Row, n)
	for i := range ps {
		ps[i] = Row{Paper: paper.Paper{ID: fmt.Sprintf("s%07d", i), Title: fmt.Sprintf("Title %d", i), Abstract: "An abstract."}, TextHash: fmt.Sprint(i)}
		ps[i].TitleKey = ps[i].Title
	}
	if _, err := s.Ingest(ctx, []Batch{{List: "l", Papers: ps}}); err != nil {
		b.Fatal(err)
	}
	texts, err := s.AllTexts(ctx)
	if err != nil {
		b.Fatal(err)
	}
	vs := make([]Vector, len(texts))
	for i, t := range texts {
		vs[i] = Vector{PID: t.PID, Hash: t.Hash}
	}
	return s, vs
}

// BenchmarkPutVectors stores one batch of 2,048 new 128-d vectors (the
// CLI's batch) into a model that already holds 20,000.
func BenchmarkPutVectors(b *testing.B) {
	ctx := context.Background()
	const have, batch, dim = 20_000, 2048, 128
	s, base := benchStore(b, have+batch)
	m, err := s.EnsureModel(ctx, "bench/m", "openai", dim)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := s.PutVectors(ctx, m, withVecs(base[:have], dim, 1)); err != nil {
		b.Fatal(err)
	}
	vs := withVecs(base[have:], dim, 2)
	b.ReportAllocs()
	for b.Loop() {
		// the first pass inserts, the others overwrite the same slots
		if n, err := s.PutVectors(ctx, m, vs); err != nil || n != batch {
			b.Fatal(n, err)
		}
	}
	b.ReportMetric(float64(batch*b.N)/b.Elapsed().Seconds(), "vectors/s")
}

// BenchmarkLoadVectors reads every vector of a model of 100,000 128-d
// vectors: what similar, group and queue do first.
func BenchmarkLoadVectors(b *testing.B) {
	ctx := context.Background()
	const n, dim = 100_000, 128
	s, base := benchStore(b, n)
	m, err := s.EnsureModel(ctx, "bench/m", "openai", dim)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := s.PutVectors(ctx, m, withVecs(base, dim, 1)); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(4 * n * dim)
	b.ReportAllocs()
	for b.Loop() {
		mat, err := s.LoadVectors(ctx, m)
		if err != nil || len(mat.PIDs) != n {
			b.Fatal(err)
		}
	}
}

// BenchmarkReplaceFit stores a refit of the built-in model with 20,000
// 128-d vectors in one transaction, replacing the previous fit.
func BenchmarkReplaceFit(b *testing.B) {
	ctx := context.Background()
	const n, dim = 20_000, 128
	s, base := benchStore(b, n)
	vs := withVecs(base, dim, 1)
	params := make([]byte, 8<<20)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, k, err := s.ReplaceFit(ctx, fmt.Sprintf("local/fit%d", i), "local", dim, n, params, vs); err != nil || k != n {
			b.Fatal(k, err)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "vectors/s")
}
