package embed

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
)

var (
	smallBuiltinOnce sync.Once
	smallBuiltin     *Builtin
	smallBuiltinErr  error
)

// fittedSmallBuiltin is a Builtin fitted once, on the small background and
// the texts it was fitted on.
func fittedSmallBuiltin(t *testing.T) (*Builtin, *Background, []string, []int) {
	t.Helper()
	bg, texts, topics := fittedSmallBackground(t)
	smallBuiltinOnce.Do(func() {
		smallBuiltin, smallBuiltinErr = FitBuiltin(context.Background(), bg, texts, BuiltinConfig{})
	})
	if smallBuiltinErr != nil {
		t.Fatal(smallBuiltinErr)
	}
	return smallBuiltin, bg, texts, topics
}

func embedAll(t *testing.T, m Embedder, texts []string) [][]float32 {
	t.Helper()
	vs, err := m.Embed(context.Background(), texts)
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != len(texts) {
		t.Fatalf("%d vectors for %d texts", len(vs), len(texts))
	}
	for i, v := range vs {
		if len(v) != m.Dim() {
			t.Fatalf("vector %d: len %d, Dim %d", i, len(v), m.Dim())
		}
		if n := cos(v, v); math.Abs(n-1) > 1e-4 {
			t.Fatalf("vector %d: norm^2 %v", i, n)
		}
	}
	return vs
}

func norm2(v []float32) float64 { return cos(v, v) }

// noPanic runs fn and turns a panic into a test error.
func noPanic(t *testing.T, what string, fn func()) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Errorf("%s: panic: %v", what, r)
		}
	}()
	fn()
}

func TestNewBuiltinIsTheBackground(t *testing.T) {
	bg, texts, topics := fittedSmallBackground(t)
	m := NewBuiltin(bg)
	if m.Model() != "local/"+bg.Identity() {
		t.Errorf("Model %q, background %q", m.Model(), bg.Identity())
	}
	if m.Dim() != bg.Dim() || m.HasCorpusPart() || m.FitSize() != 0 || m.Background() != bg {
		t.Errorf("Dim %d HasCorpusPart %v FitSize %d", m.Dim(), m.HasCorpusPart(), m.FitSize())
	}
	vs := embedAll(t, m, texts[:100])
	for i, v := range vs {
		if want := bgVector(t, bg, texts[i]); !slices.Equal(v, want) {
			t.Fatalf("text %d: Embed differs from the background vector", i)
		}
	}
	same, other, acc := topicSeparation(vs, topics[:100])
	if same < other+0.3 || acc < 0.95 {
		t.Errorf("same topic %.3f, other topics %.3f, nearest neighbour %.3f", same, other, acc)
	}

	def, err := DefaultBackground()
	if err != nil {
		t.Fatal(err)
	}
	d := NewBuiltin(def)
	if d.Model() != "local/"+def.Identity() || d.Dim() != 128 || d.HasCorpusPart() {
		t.Errorf("default: Model %q Dim %d", d.Model(), d.Dim())
	}
	embedAll(t, d, []string{"Attention is all you need.", "Dark matter halos of dwarf galaxies."})
}

func TestFitBuiltin(t *testing.T) {
	m, bg, texts, topics := fittedSmallBuiltin(t)
	if m.Dim() != bg.Dim()+CorpusDim || CorpusDim != 32 {
		t.Errorf("Dim %d, background %d", m.Dim(), bg.Dim())
	}
	want := regexp.MustCompile(`^local/` + regexp.QuoteMeta(bg.Identity()) + `\+lsa32@[0-9a-f]{10}$`)
	if !want.MatchString(m.Model()) {
		t.Errorf("Model %q", m.Model())
	}
	if !strings.HasSuffix(m.Model(), m.lsa.Model()[len(m.lsa.Model())-10:]) {
		t.Errorf("Model %q, corpus part %q", m.Model(), m.lsa.Model())
	}
	if !m.HasCorpusPart() || m.FitSize() != len(texts) || m.Background() != bg {
		t.Errorf("HasCorpusPart %v FitSize %d", m.HasCorpusPart(), m.FitSize())
	}

	// the same texts give the same model; other texts another
	again, err := FitBuiltin(context.Background(), bg, texts, BuiltinConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if again.Model() != m.Model() {
		t.Errorf("two fits: %q and %q", m.Model(), again.Model())
	}
	other, err := FitBuiltin(context.Background(), bg, texts[:300], BuiltinConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if other.Model() == m.Model() || !strings.HasPrefix(other.Model(), "local/"+bg.Identity()+"+lsa") {
		t.Errorf("fit on other texts: %q, on all: %q", other.Model(), m.Model())
	}

	vs := embedAll(t, m, texts)
	vs2 := embedAll(t, again, texts)
	for i := range vs {
		if !slices.Equal(vs[i], vs2[i]) {
			t.Fatalf("text %d: two fits embed differently", i)
		}
	}
	same, oth, acc := topicSeparation(vs[:200], topics[:200])
	t.Logf("fitted texts: same topic %.3f, other topics %.3f, nearest neighbour %.3f", same, oth, acc)
	if same < oth+0.3 || acc < 0.95 {
		t.Errorf("fitted texts: same topic %.3f, other topics %.3f, nearest neighbour %.3f", same, oth, acc)
	}
	held, heldTopics := synthCorpus(5, 120)
	hv := embedAll(t, m, held)
	same, oth, acc = topicSeparation(hv, heldTopics)
	t.Logf("new texts: same topic %.3f, other topics %.3f, nearest neighbour %.3f", same, oth, acc)
	if same < oth+0.3 || acc < 0.95 {
		t.Errorf("new texts: same topic %.3f, other topics %.3f, nearest neighbour %.3f", same, oth, acc)
	}

	// v = [ sqrt(1-b^2) * background | b * corpus ], b = 0.8 by default
	lv, err := m.lsa.Embed(context.Background(), held[:10])
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range hv[:10] {
		bgPart, lsaPart := v[:bg.Dim()], v[bg.Dim():]
		if a, b := norm2(bgPart), norm2(lsaPart); math.Abs(a-0.36) > 1e-4 || math.Abs(b-0.64) > 1e-4 {
			t.Errorf("text %d: parts of norm^2 %.4f and %.4f, want 0.36 and 0.64", i, a, b)
		}
		if c := cos(bgPart, bgVector(t, bg, held[i])) / 0.6; math.Abs(c-1) > 1e-4 {
			t.Errorf("text %d: background part, cosine %v to the background vector", i, c)
		}
		if c := cos(lsaPart, lv[i]) / 0.8; math.Abs(c-1) > 1e-4 {
			t.Errorf("text %d: corpus part, cosine %v to the corpus vector", i, c)
		}
	}
}

func TestFitBuiltinWeight(t *testing.T) {
	bg, texts, _ := fittedSmallBackground(t)
	ctx := context.Background()
	for _, c := range []struct{ weight, want float64 }{{0.5, 0.5}, {0.95, 0.95}, {0, 0.8}, {-1, 0.8}, {1, 0.8}, {1.5, 0.8}} {
		m, err := FitBuiltin(ctx, bg, texts, BuiltinConfig{Weight: c.weight})
		if err != nil {
			t.Fatal(err)
		}
		vs := embedAll(t, m, texts[:5])
		for i, v := range vs {
			if got := norm2(v[bg.Dim():]); math.Abs(got-c.want*c.want) > 1e-4 {
				t.Errorf("Weight %v: text %d: corpus part of norm^2 %.4f, want %.4f", c.weight, i, got, c.want*c.want)
			}
		}
	}
	// from 10,000 papers, the corpus part weighs 0.9
	if testing.Short() {
		t.Log("-short: no fit on 10,000 texts")
	} else {
		big, _ := synthCorpus(3, 10000)
		m, err := FitBuiltin(ctx, bg, big, BuiltinConfig{})
		if err != nil {
			t.Fatal(err)
		}
		if m.FitSize() != 10000 || m.Dim() != bg.Dim()+CorpusDim {
			t.Errorf("10,000 texts: FitSize %d Dim %d", m.FitSize(), m.Dim())
		}
		for i, v := range embedAll(t, m, big[:5]) {
			if got := norm2(v[bg.Dim():]); math.Abs(got-0.81) > 1e-4 {
				t.Errorf("10,000 texts: text %d: corpus part of norm^2 %.4f, want 0.81", i, got)
			}
		}
		// fitted on its sample alone (a caller that does not hold the
		// corpus), the model is the same
		pos := FitSampleOf(len(big))
		if len(pos) != corpusSample || !slices.IsSorted(pos) {
			t.Fatalf("FitSampleOf(10000): %d positions", len(pos))
		}
		sample := make([]string, len(pos))
		for i, p := range pos {
			sample[i] = big[p]
		}
		fromSample, err := FitBuiltin(ctx, bg, sample, BuiltinConfig{CorpusSize: len(big)})
		if err != nil {
			t.Fatal(err)
		}
		if fromSample.Model() != m.Model() || fromSample.FitSize() != 10000 {
			t.Errorf("fitted on the sample: %s (%d), on all: %s", fromSample.Model(), fromSample.FitSize(), m.Model())
		}
		a, b := embedAll(t, m, big[:3]), embedAll(t, fromSample, big[:3])
		if !reflect.DeepEqual(a, b) {
			t.Error("the two fits embed differently")
		}
	}
	if got := FitSampleOf(3); !slices.Equal(got, []int{0, 1, 2}) {
		t.Errorf("FitSampleOf(3) = %v", got)
	}
	// the corpus part's dimension is configurable
	m, err := FitBuiltin(ctx, bg, texts, BuiltinConfig{LSA: LocalConfig{Dim: 8}})
	if err != nil {
		t.Fatal(err)
	}
	if m.Dim() != bg.Dim()+8 || !strings.Contains(m.Model(), "+lsa8@") {
		t.Errorf("LSA Dim 8: Dim %d Model %q", m.Dim(), m.Model())
	}
	if _, err := FitBuiltin(ctx, bg, texts[:1], BuiltinConfig{}); !errors.Is(err, ErrCorpusTooSmall) {
		t.Errorf("one text: %v", err)
	}
}

// With a background that knows none of a text's words, the vector is the
// corpus part alone; with a corpus part that knows none, the background
// part alone.
func TestBuiltinOnePartKnowsTheText(t *testing.T) {
	def, err := DefaultBackground()
	if err != nil {
		t.Fatal(err)
	}
	texts, topics := synthCorpus(1, 400)
	m, err := FitBuiltin(context.Background(), def, texts, BuiltinConfig{})
	if err != nil {
		t.Fatal(err)
	}
	vs := embedAll(t, m, texts[:100])
	lv, err := m.lsa.Embed(context.Background(), texts[:100])
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range vs {
		if n := norm2(v[:128]); n != 0 {
			t.Fatalf("text %d of made-up words: background part of norm^2 %v", i, n)
		}
		if c := cos(v[128:], lv[i]); math.Abs(c-1) > 1e-5 {
			t.Fatalf("text %d: corpus part at cosine %v to the corpus vector", i, c)
		}
	}
	if same, other, acc := topicSeparation(vs, topics[:100]); same < other+0.3 || acc < 0.95 {
		t.Errorf("corpus part alone: same topic %.3f, other topics %.3f, nearest neighbour %.3f", same, other, acc)
	}
	real := "Galaxies and dark matter halos in cosmological simulations."
	v := embedAll(t, m, []string{real})[0]
	if n := norm2(v[128:]); n != 0 {
		t.Errorf("real words: corpus part of norm^2 %v", n)
	}
	if c := cos(v[:128], bgVector(t, def, real)); math.Abs(c-1) > 1e-5 {
		t.Errorf("real words: background part at cosine %v to the background vector", c)
	}
}

func TestBuiltinUnknownText(t *testing.T) {
	m, bg, texts, _ := fittedSmallBuiltin(t)
	for _, e := range []*Builtin{NewBuiltin(bg), m} {
		for _, unknown := range []string{"", "the of and", "quantum chromodynamics", "a b c 1"} {
			batch := []string{texts[0], texts[1], unknown, texts[2]}
			vs, err := e.Embed(context.Background(), batch)
			var te *TextError
			if !errors.As(err, &te) || te.Index != 2 || !errors.Is(err, ErrZeroVector) {
				t.Errorf("%s: %q: %v (%d vectors)", e.Model(), unknown, err, len(vs))
			}
			if vs != nil {
				t.Errorf("%s: vectors with the error", e.Model())
			}
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := m.Embed(ctx, texts[:100]); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
	vs, err := m.Embed(context.Background(), nil)
	if err != nil || len(vs) != 0 {
		t.Errorf("no texts: %v %v", vs, err)
	}
}

func TestBuiltinMarshalRoundTrip(t *testing.T) {
	fitted, bg, texts, _ := fittedSmallBuiltin(t)
	held, _ := synthCorpus(9, 30)
	probe := append(slices.Clone(texts[:30]), held...)
	for _, m := range []*Builtin{NewBuiltin(bg), fitted} {
		data, err := m.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		again, err := m.MarshalBinary()
		if err != nil || !bytes.Equal(data, again) {
			t.Errorf("%s: two encodings differ (%v)", m.Model(), err)
		}
		got, err := UnmarshalBuiltin(data, bg)
		if err != nil {
			t.Fatalf("%s: %v", m.Model(), err)
		}
		if got.Model() != m.Model() || got.Dim() != m.Dim() || got.FitSize() != m.FitSize() ||
			got.HasCorpusPart() != m.HasCorpusPart() || got.Background() != bg {
			t.Errorf("decoded %s dim %d fit %d, encoded %s dim %d fit %d",
				got.Model(), got.Dim(), got.FitSize(), m.Model(), m.Dim(), m.FitSize())
		}
		want := embedAll(t, m, probe)
		have := embedAll(t, got, probe)
		for i := range want {
			if !slices.Equal(want[i], have[i]) {
				t.Fatalf("%s: text %d embeds differently after decoding", m.Model(), i)
			}
		}
		// re-encoding gives the same bytes
		if re, err := got.MarshalBinary(); err != nil || !bytes.Equal(re, data) {
			t.Errorf("%s: re-encoded differently (%v)", m.Model(), err)
		}
	}
	// a non-default weight survives
	w, err := FitBuiltin(context.Background(), bg, texts, BuiltinConfig{Weight: 0.5})
	if err != nil {
		t.Fatal(err)
	}
	data, _ := w.MarshalBinary()
	got, err := UnmarshalBuiltin(data, bg)
	if err != nil {
		t.Fatal(err)
	}
	v := embedAll(t, got, texts[:1])[0]
	if n := norm2(v[bg.Dim():]); math.Abs(n-0.25) > 1e-4 {
		t.Errorf("decoded weight 0.5: corpus part of norm^2 %.4f", n)
	}
}

func TestUnmarshalBuiltinRejects(t *testing.T) {
	fitted, bg, texts, _ := fittedSmallBuiltin(t)
	def, err := DefaultBackground()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []*Builtin{NewBuiltin(bg), fitted} {
		data, _ := m.MarshalBinary()
		if got, err := UnmarshalBuiltin(data, def); !errors.Is(err, ErrOtherBackground) || got != nil {
			t.Errorf("%s with the default background: %v", m.Model(), err)
		}
	}
	data, _ := NewBuiltin(def).MarshalBinary()
	if _, err := UnmarshalBuiltin(data, bg); !errors.Is(err, ErrOtherBackground) {
		t.Errorf("default background's model with another: %v", err)
	}

	local, err := FitLocal(context.Background(), texts, LocalConfig{})
	if err != nil {
		t.Fatal(err)
	}
	old, err := local.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{
		"old local model": old,
		"garbage":         []byte("garbage, not a model"),
		"empty":           nil,
		"magic prefix":    []byte(builtinMagic[:3]),
	} {
		if got, err := UnmarshalBuiltin(data, bg); !errors.Is(err, ErrNotBuiltin) || got != nil {
			t.Errorf("%s: %v", name, err)
		}
	}

	// truncated: an error, never a panic (every cut in the header and the
	// corpus part's header, then a sample of the rest)
	data, _ = fitted.MarshalBinary()
	headerEnd := len(builtinMagic) + len(bg.Identity()) + 1 + 16 // see TestUnmarshalBuiltinTruncatedAtCorpusPart
	cuts := []int{}
	for n := 0; n < headerEnd+200 && n < len(data); n++ {
		cuts = append(cuts, n)
	}
	for n := headerEnd + 200; n < len(data); n += 1 + len(data)/150 {
		cuts = append(cuts, n)
	}
	cuts = append(cuts, len(data)-1)
	for _, n := range cuts {
		if n == headerEnd {
			continue
		}
		noPanic(t, fmt.Sprintf("cut at %d of %d", n, len(data)), func() {
			if got, err := UnmarshalBuiltin(data[:n], bg); err == nil {
				t.Errorf("cut at %d of %d: no error, decoded %s", n, len(data), got.Model())
			}
		})
	}
	// corrupt weights
	for _, b := range []float64{0, 1, -0.5, math.NaN(), math.Inf(1)} {
		bad := slices.Clone(data)
		off := len(builtinMagic) + len(bg.Identity()) + 1
		copy(bad[off:], float64Bytes(b))
		if _, err := UnmarshalBuiltin(bad, bg); err == nil {
			t.Errorf("weight %v: no error", b)
		}
	}
}

func float64Bytes(x float64) []byte {
	b := make([]byte, 8)
	u := math.Float64bits(x)
	for i := range b {
		b[i] = byte(u >> (8 * i))
	}
	return b
}

// A saved model with a corpus part, cut right after its header, decodes
// without error as the background alone: another model than was saved.
func TestUnmarshalBuiltinTruncatedAtCorpusPart(t *testing.T) {
	fitted, bg, _, _ := fittedSmallBuiltin(t)
	data, _ := fitted.MarshalBinary()
	headerEnd := len(builtinMagic) + len(bg.Identity()) + 1 + 16
	if got, err := UnmarshalBuiltin(data[:headerEnd], bg); err == nil {
		t.Errorf("cut after the header: no error, decoded %s (saved %s)", got.Model(), fitted.Model())
	}
}

// A stored corpus part whose identity line is shorter than 10 characters
// must be an error, not a panic.
func TestUnmarshalBuiltinShortCorpusIdentity(t *testing.T) {
	fitted, bg, _, _ := fittedSmallBuiltin(t)
	data, _ := fitted.MarshalBinary()
	// the identity line of the corpus part follows its magic and 32-byte header
	idAt := len(builtinMagic) + len(bg.Identity()) + 1 + 16 + len(localMagic) + 32
	end := bytes.IndexByte(data[idAt:], '\n')
	if end < 0 || !strings.HasPrefix(string(data[idAt:idAt+end]), "local/lsa-") {
		t.Fatalf("no corpus identity at %d", idAt)
	}
	short := slices.Concat(data[:idAt], []byte("x"), data[idAt+end:])
	noPanic(t, "short identity", func() {
		if got, err := UnmarshalBuiltin(short, bg); err == nil {
			t.Logf("decoded %s", got.Model())
		}
	})
}
