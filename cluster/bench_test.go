package cluster

import (
	"context"
	"testing"
)

// BenchmarkFit fits 100,000 clustered 256-d unit vectors (60 topics that
// overlap, as abstracts do) into 50 clusters, one restart.
func BenchmarkFit(b *testing.B) {
	const n, dim = 100000, 256
	data, _ := blobs(b, n, 60, dim, 1.2, 1)
	b.SetBytes(int64(4 * len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := (KMeans{K: 50, Seed: 1, Restarts: 1}).Fit(context.Background(), data, dim); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSeed is greedy k-means++ alone on the same data.
func BenchmarkSeed(b *testing.B) {
	const n, dim, k = 100000, 256, 50
	data, _ := blobs(b, n, 60, dim, 1.2, 1)
	centres := make([]float32, k*dim)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if err := seed(context.Background(), data, dim, k, newRand(uint64(i)), centres); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLabels labels 50 clusters of 200 papers each.
func BenchmarkLabels(b *testing.B) {
	docs := make([]Doc, 0, 10000)
	assign := make([]int, 0, 10000)
	for i := 0; i < 10000; i++ {
		d := labelDocs[i%len(labelDocs)]
		docs = append(docs, d)
		assign = append(assign, i%50)
	}
	b.ReportAllocs()
	for b.Loop() {
		Labels(docs, assign, 50)
	}
}
