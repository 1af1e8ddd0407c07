package embed

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"testing"
)

// corpus has three topics of ten documents each.
func corpus() []string {
	topics := [][]string{
		{"spiking", "neurons", "neuromorphic", "chips", "energy", "synapses"},
		{"graph", "molecules", "proteins", "message", "passing", "chemistry"},
		{"language", "models", "tokens", "translation", "pretraining", "dialogue"},
	}
	var docs []string
	for i := 0; i < 30; i++ {
		w := topics[i%3]
		docs = append(docs, fmt.Sprintf("%s %s %s study %d of %s and %s with %s", w[i%6], w[(i+1)%6], w[(i+2)%6], i, w[(i+3)%6], w[(i+4)%6], w[(i+5)%6]))
	}
	return docs
}

func cos(a, b []float32) float64 {
	var s float64
	for i := range a {
		s += float64(a[i]) * float64(b[i])
	}
	return s
}

func TestFitLocalEmbedsByTopic(t *testing.T) {
	ctx := context.Background()
	docs := corpus()
	m, err := FitLocal(ctx, docs, LocalConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if m.Dim() < 2 || m.Dim() > len(docs)/4 {
		t.Errorf("dim %d for %d documents", m.Dim(), len(docs))
	}
	vs, err := m.Embed(ctx, docs)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range vs {
		if len(v) != m.Dim() || math.Abs(cos(v, v)-1) > 1e-4 {
			t.Fatalf("vector %d: len %d norm^2 %v", i, len(v), cos(v, v))
		}
	}
	// same topic closer than other topics, on average
	var same, other float64
	var ns, no int
	for i := range vs {
		for j := range vs {
			if i == j {
				continue
			}
			if i%3 == j%3 {
				same += cos(vs[i], vs[j])
				ns++
			} else {
				other += cos(vs[i], vs[j])
				no++
			}
		}
	}
	if same/float64(ns) <= other/float64(no)+0.2 {
		t.Errorf("same-topic cosine %.3f not well above other-topic %.3f", same/float64(ns), other/float64(no))
	}
	// a new text folds in near its topic
	q, err := m.Embed(ctx, []string{"neuromorphic chips with spiking synapses"})
	if err != nil {
		t.Fatal(err)
	}
	if cos(q[0], vs[0]) <= cos(q[0], vs[1]) {
		t.Error("a folded-in text is not closest to its topic")
	}
}

func TestFitLocalIsDeterministicAndRoundTrips(t *testing.T) {
	ctx := context.Background()
	docs := corpus()
	a, err := FitLocal(ctx, docs, LocalConfig{})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := FitLocal(ctx, docs, LocalConfig{})
	if a.Model() != b.Model() {
		t.Errorf("two fits of the same corpus: %s and %s", a.Model(), b.Model())
	}
	enc, err := a.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	c, err := UnmarshalLocal(enc)
	if err != nil {
		t.Fatal(err)
	}
	if c.Model() != a.Model() || c.Dim() != a.Dim() || c.FitSize() != len(docs) {
		t.Errorf("round trip: %s %d %d", c.Model(), c.Dim(), c.FitSize())
	}
	va, _ := a.Embed(ctx, docs[:3])
	vc, _ := c.Embed(ctx, docs[:3])
	for i := range va {
		for j := range va[i] {
			if va[i][j] != vc[i][j] {
				t.Fatal("restored model embeds differently")
			}
		}
	}
	other, _ := FitLocal(ctx, docs[:20], LocalConfig{})
	if other.Model() == a.Model() {
		t.Error("fits of different corpora share an identity")
	}
	if _, err := UnmarshalLocal(bytes.Repeat([]byte{1}, 40)); err == nil {
		t.Error("garbage decoded as a model")
	}
}

func TestLocalEdgeCases(t *testing.T) {
	ctx := context.Background()
	if _, err := FitLocal(ctx, []string{"one document"}, LocalConfig{}); !errors.Is(err, ErrCorpusTooSmall) {
		t.Errorf("one document: %v", err)
	}
	if _, err := FitLocal(ctx, []string{"the and of", "it is was"}, LocalConfig{}); !errors.Is(err, ErrCorpusTooSmall) {
		t.Errorf("only stop words: %v", err)
	}
	m, _ := FitLocal(ctx, corpus(), LocalConfig{})
	_, err := m.Embed(ctx, []string{"graph molecules", "zzz qqq"})
	var te *TextError
	if !errors.As(err, &te) || te.Index != 1 || !errors.Is(err, ErrZeroVector) {
		t.Errorf("a text of unknown words: %v", err)
	}
}

func TestNormalize(t *testing.T) {
	v := []float32{3, 4}
	if err := Normalize(v); err != nil || v[0] != 0.6 || v[1] != 0.8 {
		t.Errorf("Normalize = %v %v", v, err)
	}
	for _, bad := range [][]float32{{0, 0}, {float32(math.NaN()), 1}, {float32(math.Inf(1)), 0}} {
		if err := Normalize(bad); !errors.Is(err, ErrZeroVector) {
			t.Errorf("Normalize(%v) = %v", bad, err)
		}
	}
	if TextHash("a") == TextHash("b") || len(TextHash("a")) != 16 {
		t.Error("TextHash")
	}
}
