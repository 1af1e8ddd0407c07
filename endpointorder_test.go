package papersift_test

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/papersift/papersift"
	"github.com/papersift/papersift/internal/embedtest"
	"github.com/papersift/papersift/store"
)

// An endpoint's batches may finish in any order; the vectors are stored in
// the papers' order all the same (the similarity index keeps the stored
// order, and group and queue read its vectors in place only in the papers'
// order), and every one of them is stored.
func TestEndpointVectorsInPaperOrder(t *testing.T) {
	t.Run("window", func(t *testing.T) { endpointOrder(t, true) })
	// a window of 4 overflows while the first batch is late: every vector
	// is stored all the same, once (the order is then the batches')
	t.Run("overflow", func(t *testing.T) {
		defer papersift.SetReorderWindow(4)()
		endpointOrder(t, false)
	})
}

// endpointOrder embeds the seed page's 56 papers through an endpoint whose
// first batch finishes last, and checks that each is stored once, and when
// sorted, in the papers' order.
func endpointOrder(t *testing.T, sorted bool) {
	ctx := context.Background()
	srv := embedtest.New()
	defer srv.Close()
	srv.Fault = func(r embedtest.Request) embedtest.Fault {
		if r.N == 0 {
			return embedtest.Fault{Delay: 400 * time.Millisecond} // the first batch finishes last
		}
		return embedtest.Fault{}
	}
	db := filepath.Join(t.TempDir(), "p.db")
	l, err := papersift.New(papersift.Config{DB: db, Embedder: papersift.EmbedderOpenAI,
		Endpoint: papersift.Endpoint{BaseURL: srv.BaseURL(), APIKey: "k", Model: "m"}})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if _, err := l.Ingest(ctx, papersift.IngestOptions{Sources: []string{seed}, NoEmbed: true}); err != nil {
		t.Fatal(err)
	}
	res, err := l.Embed(ctx, papersift.EmbedOptions{Endpoint: papersift.EndpointTuning{Batch: 8, Concurrency: 4, Timeout: 10 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Embedded != 56 || res.Requests < 7 {
		t.Fatalf("embedded %d papers in %d requests, want 56 in 7 or more", res.Embedded, res.Requests)
	}
	st, err := store.Open(ctx, db, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	m, err := st.Model(ctx, res.Model)
	if err != nil {
		t.Fatal(err)
	}
	var order []int64
	if err := st.ScanVectors(ctx, m, func(pids []int64, _ []float32) error {
		order = append(order, pids...)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(order) != 56 {
		t.Fatalf("%d vectors stored, want 56", len(order))
	}
	if len(slices.Compact(slices.Sorted(slices.Values(order)))) != 56 {
		t.Fatalf("a paper's vector stored twice: %v", order)
	}
	if sorted && !slices.IsSorted(order) {
		t.Fatalf("vectors stored out of the papers' order: %v", order)
	}
}
