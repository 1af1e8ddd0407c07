package store

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// BenchmarkIngest stores 20,000 new papers in one ingest.
func BenchmarkIngest(b *testing.B) {
	ctx := context.Background()
	const n = 20000
	ps := make([]Paper, n)
	abstract := strings.Repeat("words of an abstract about models and data ", 25)
	for i := range ps {
		title := fmt.Sprintf("Paper number %d about things", i)
		ps[i] = Paper{ID: fmt.Sprintf("s%06d", i), Title: title, TitleKey: strings.ToLower(title), Abstract: abstract,
			Authors: []string{"A. Author", "B. Author"}, TextHash: fmt.Sprintf("%016x", i)}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		s, err := Open(ctx, filepath.Join(b.TempDir(), "p.db"), Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if _, err := s.Ingest(ctx, []Batch{{List: "l", Papers: ps}}); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		s.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "papers/s")
}
