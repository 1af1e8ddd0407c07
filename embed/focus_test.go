package embed

import (
	"bytes"
	"context"
	"errors"
	"math"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/papersift/papersift/cluster"
	"github.com/papersift/papersift/tfidf"
)

// kmeansTopics is the clustering the product passes to FitBuiltin.
func kmeansTopics(ctx context.Context, data []float32, dim, k int, seed uint64) ([]int, error) {
	res, err := cluster.KMeans{K: k, Restarts: 2, Seed: seed}.Fit(ctx, data, dim)
	if err != nil {
		return nil, err
	}
	return res.Assign, nil
}

func TestFocusWeights(t *testing.T) {
	// four topics, two documents each; term 0 only in topic 0, term 1 in
	// every document alike, term 2 in topics 0 and 1 alike, term 3 in none
	var rows []tfidf.Sparse
	var assign, idx []int
	for d := range 8 {
		topic := d / 2
		r := tfidf.Sparse{Idx: []int32{1}, Val: []float32{0.5}}
		if topic == 0 {
			r.Idx, r.Val = append(r.Idx, 0), append(r.Val, 0.7)
		}
		if topic <= 1 {
			r.Idx, r.Val = append(r.Idx, 2), append(r.Val, 0.3)
		}
		rows = append(rows, r)
		assign = append(assign, topic)
		idx = append(idx, d)
	}
	w := focusWeights(4, rows, idx, assign, 4)
	want := []float64{1, 0.3, 0.3 + 0.7*math.Sqrt(1-math.Log(2)/math.Log(4)), 1}
	for i := range want {
		if math.Abs(w[i]-want[i]) > 1e-9 {
			t.Errorf("term %d: weight %v, want %v", i, w[i], want[i])
		}
	}
	// only the rows of idx count, each in the topic at its place in idx:
	// rows left out (texts that could not be embedded) change nothing
	other := tfidf.Sparse{Idx: []int32{1, 3}, Val: []float32{0.1, 0.9}}
	var gapped []tfidf.Sparse
	var gidx []int
	for _, r := range rows {
		gapped = append(gapped, other)
		gidx = append(gidx, len(gapped))
		gapped = append(gapped, r)
	}
	gapped = append(gapped, other)
	w2 := focusWeights(4, gapped, gidx, assign, 4)
	for i := range w {
		if w2[i] != w[i] {
			t.Errorf("term %d: weight %v with rows outside the sample, %v without", i, w2[i], w[i])
		}
	}
}

func TestReweigh(t *testing.T) {
	r := tfidf.Sparse{Idx: []int32{0, 2}, Val: []float32{0.6, 0.8}}
	got := reweigh(r, []float64{2, 5, 0.5})
	// (1.2, 0.4) normalised
	n := math.Hypot(1.2, 0.4)
	if len(got.Idx) != 2 || math.Abs(float64(got.Val[0])-1.2/n) > 1e-6 || math.Abs(float64(got.Val[1])-0.4/n) > 1e-6 {
		t.Errorf("reweigh: %+v", got)
	}
	if r.Val[0] != 0.6 || r.Val[1] != 0.8 {
		t.Errorf("reweigh changed its input: %+v", r)
	}
	if got := reweigh(r, []float64{0, 1, 0}); len(got.Idx) != 0 || len(got.Val) != 0 {
		t.Errorf("all weights zero: %+v, want an empty row", got)
	}
}

func TestFitBuiltinFocus(t *testing.T) {
	ctx := context.Background()
	plain, bg, texts, topics := fittedSmallBuiltin(t)
	cfg := BuiltinConfig{Cluster: kmeansTopics, Topics: synthTopics}
	m, err := FitBuiltin(ctx, bg, texts, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if m.Model() == plain.Model() || m.Dim() != plain.Dim() {
		t.Fatalf("focused %q (%d), plain %q (%d)", m.Model(), m.Dim(), plain.Model(), plain.Dim())
	}
	again, err := FitBuiltin(ctx, bg, texts, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if again.Model() != m.Model() {
		t.Errorf("two focused fits: %q and %q", m.Model(), again.Model())
	}
	// words every topic uses lose their weight, a topic's own words keep it
	v := makeSynthVocab()
	ratio := func(words []string) float64 {
		sum, n := 0.0, 0
		fv, pv := m.lsa.Vocabulary(), plain.lsa.Vocabulary()
		for _, w := range words {
			i, ok := slices.BinarySearch(fv.Terms, tfidf.Hash(w))
			j, ok2 := slices.BinarySearch(pv.Terms, tfidf.Hash(w))
			if !ok || !ok2 {
				continue
			}
			sum += float64(fv.IDF[i] / pv.IDF[j])
			n++
		}
		if n == 0 {
			t.Fatalf("none of %v is in the vocabulary", words)
		}
		return sum / float64(n)
	}
	var topicWords []string
	for _, ws := range v.topic {
		topicWords = append(topicWords, ws...)
	}
	common, own := ratio(v.common), ratio(topicWords)
	t.Logf("weight of the words every topic uses %.3f, of a topic's own words %.3f", common, own)
	if !(common < 0.45 && own > 0.9) {
		t.Errorf("weight of the words every topic uses %.3f, of a topic's own words %.3f", common, own)
	}
	// it still embeds by topic, new texts too, and round-trips
	vs := embedAll(t, m, texts)
	if same, oth, acc := topicSeparation(vs[:200], topics[:200]); same < oth+0.3 || acc < 0.95 {
		t.Errorf("fitted texts: same topic %.3f, other topics %.3f, nearest neighbour %.3f", same, oth, acc)
	}
	held, heldTopics := synthCorpus(5, 120)
	hv := embedAll(t, m, held)
	if same, oth, acc := topicSeparation(hv, heldTopics); same < oth+0.3 || acc < 0.95 {
		t.Errorf("new texts: same topic %.3f, other topics %.3f, nearest neighbour %.3f", same, oth, acc)
	}
	data, err := m.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	back, err := UnmarshalBuiltin(data, bg)
	if err != nil {
		t.Fatal(err)
	}
	if back.Model() != m.Model() {
		t.Errorf("round trip: %q, want %q", back.Model(), m.Model())
	}
	bv := embedAll(t, back, held[:10])
	for i := range bv {
		if c := cos(bv[i], hv[i]); c < 1-1e-6 {
			t.Errorf("text %d: cosine %v after a round trip", i, c)
		}
	}

	// the same model, byte for byte, on 1 and 5 cores
	for _, procs := range []int{1, 5} {
		prev := runtime.GOMAXPROCS(procs)
		other, err := FitBuiltin(ctx, bg, texts, cfg)
		runtime.GOMAXPROCS(prev)
		if err != nil {
			t.Fatal(err)
		}
		otherData, err := other.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(otherData, data) {
			t.Errorf("a focused fit on %d cores differs from one on %d", procs, prev)
		}
	}

	// negative Topics: no focus
	off, err := FitBuiltin(ctx, bg, texts, BuiltinConfig{Cluster: kmeansTopics, Topics: -1})
	if err != nil {
		t.Fatal(err)
	}
	if off.Model() != plain.Model() {
		t.Errorf("Topics -1: %q, want the plain fit %q", off.Model(), plain.Model())
	}
	// too few texts for the topics: no focus either
	few, err := FitBuiltin(ctx, bg, texts[:60], BuiltinConfig{Cluster: kmeansTopics})
	if err != nil {
		t.Fatal(err)
	}
	fewPlain, err := FitBuiltin(ctx, bg, texts[:60], BuiltinConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if few.Model() != fewPlain.Model() {
		t.Errorf("60 texts, 20 topics: %q, want the plain fit %q", few.Model(), fewPlain.Model())
	}
}

func TestFitBuiltinFocusBadClustering(t *testing.T) {
	ctx := context.Background()
	_, bg, texts, _ := fittedSmallBuiltin(t)
	boom := errors.New("boom")
	for name, fn := range map[string]func(context.Context, []float32, int, int, uint64) ([]int, error){
		"error": func(context.Context, []float32, int, int, uint64) ([]int, error) { return nil, boom },
		"short": func(context.Context, []float32, int, int, uint64) ([]int, error) { return []int{0, 1}, nil },
		"negative": func(_ context.Context, d []float32, dim, _ int, _ uint64) ([]int, error) {
			a := make([]int, len(d)/dim)
			a[0] = -1
			return a, nil
		},
		"too big": func(_ context.Context, d []float32, dim, k int, _ uint64) ([]int, error) {
			a := make([]int, len(d)/dim)
			a[3] = k
			return a, nil
		},
	} {
		m, err := FitBuiltin(ctx, bg, texts, BuiltinConfig{Cluster: fn, Topics: 4})
		if err == nil || m != nil {
			t.Errorf("%s: %v, %v; want an error", name, m, err)
		} else if name == "error" && !errors.Is(err, boom) {
			t.Errorf("%s: %v, want the clustering's error", name, err)
		} else if name != "error" && !strings.Contains(err.Error(), "clustering returned") {
			t.Errorf("%s: %v", name, err)
		}
	}
}
