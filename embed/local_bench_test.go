package embed

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// benchDocs returns n synthetic abstracts of about 120 words: 40 topics of
// their own words over a shared vocabulary, so that the model finds
// structure as in a day's papers.
func benchDocs(n int) []string {
	rng := rand.New(rand.NewPCG(1, 2))
	word := func() string {
		syl := []string{"ka", "lo", "mi", "ner", "tus", "vo", "ri", "pa", "sen", "dor", "qua", "bel", "fi", "gra", "hex", "jun"}
		var b strings.Builder
		for range 2 + rng.IntN(3) {
			b.WriteString(syl[rng.IntN(len(syl))])
		}
		return b.String()
	}
	topics := make([][]string, 40)
	for i := range topics {
		for range 80 {
			topics[i] = append(topics[i], word())
		}
	}
	general := make([]string, 2000)
	for i := range general {
		general[i] = word()
	}
	docs := make([]string, n)
	for i := range docs {
		t := topics[rng.IntN(len(topics))]
		var b strings.Builder
		for j := range 120 {
			if j > 0 {
				b.WriteByte(' ')
			}
			if rng.IntN(10) < 6 {
				b.WriteString(t[rng.IntN(len(t))])
			} else {
				b.WriteString(general[rng.IntN(len(general))])
			}
		}
		docs[i] = fmt.Sprintf("Title %d. %s.", i, b.String())
	}
	return docs
}

// BenchmarkFitLocal fits the built-in model on 10,000 abstracts (default
// settings: the fit of a first ingest of that size).
func BenchmarkFitLocal(b *testing.B) {
	docs := benchDocs(10_000)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := FitLocal(context.Background(), docs, LocalConfig{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(docs)*b.N)/b.Elapsed().Seconds(), "docs/s")
}

// BenchmarkEmbedLocal embeds 2,048 abstracts (one store batch) with a fitted
// model: the fold-in of a day's new papers.
func BenchmarkEmbedLocal(b *testing.B) {
	docs := benchDocs(12_048)
	m, err := FitLocal(context.Background(), docs[:10_000], LocalConfig{})
	if err != nil {
		b.Fatal(err)
	}
	batch := docs[10_000:]
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.Embed(context.Background(), batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(batch)*b.N)/b.Elapsed().Seconds(), "docs/s")
}
