package embed

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/papersift/papersift/internal/f32"
	"github.com/papersift/papersift/tfidf"
)

// synthTopics is the number of made-up topics of the synthetic corpus.
const synthTopics = 4

// synthVocab is the made-up vocabulary of the synthetic corpus: the words of
// each topic, and words every topic uses.
type synthVocab struct {
	topic  [synthTopics][]string
	common []string
	phrase [synthTopics]string // a two-word phrase each topic uses often
}

var (
	synthVocabOnce sync.Once
	synthVocabVal  synthVocab
)

// makeSynthVocab makes up words (never English stop words, all distinct)
// from syllables, with a fixed seed.
func makeSynthVocab() synthVocab {
	synthVocabOnce.Do(func() {
		rng := rand.New(rand.NewPCG(7, 11))
		cons := "bdfgklmnprstvz"
		vows := "aeiou"
		seen := map[string]bool{}
		word := func() string {
			for {
				var b strings.Builder
				for range 3 + rng.IntN(2) {
					b.WriteByte(cons[rng.IntN(len(cons))])
					b.WriteByte(vows[rng.IntN(len(vows))])
				}
				w := b.String()
				if !seen[w] && !tfidf.IsStopWord(w) {
					seen[w] = true
					return w
				}
			}
		}
		var v synthVocab
		for t := range v.topic {
			for range 40 {
				v.topic[t] = append(v.topic[t], word())
			}
			v.phrase[t] = word() + " " + word()
		}
		for range 25 {
			v.common = append(v.common, word())
		}
		synthVocabVal = v
	})
	return synthVocabVal
}

// synthCorpus generates n texts, each of a topic drawn at random: most of
// its words from the topic's vocabulary (skewed towards its first words),
// the rest from the common words, sometimes the topic's phrase.
func synthCorpus(seed uint64, n int) (texts []string, topics []int) {
	v := makeSynthVocab()
	rng := rand.New(rand.NewPCG(seed, 99))
	for range n {
		t := rng.IntN(synthTopics)
		var words []string
		for range 20 + rng.IntN(20) {
			if rng.Float64() < 0.6 {
				words = append(words, v.topic[t][rng.IntN(1+rng.IntN(len(v.topic[t])))])
			} else {
				words = append(words, v.common[rng.IntN(1+rng.IntN(len(v.common)))])
			}
		}
		if rng.IntN(2) == 0 {
			at := rng.IntN(len(words))
			words = slices.Insert(words, at, v.phrase[t])
		}
		texts = append(texts, strings.Join(words, " "))
		topics = append(topics, t)
	}
	return texts, topics
}

// smallBGConfig is small enough for the synthetic corpus and a fast fit.
var smallBGConfig = BackgroundConfig{Dim: 16, MinCount: 3, Window: 5, PowerIters: 3, Oversample: 8, Seed: 3, StatsMinDF: 3}

var (
	smallBGOnce  sync.Once
	smallBGTexts []string
	smallBGTops  []int
	smallBG      *Background
	smallBGErr   error
)

// fittedSmallBackground is a Background fitted once on 400 synthetic texts.
func fittedSmallBackground(t testing.TB) (*Background, []string, []int) {
	t.Helper()
	smallBGOnce.Do(func() {
		smallBGTexts, smallBGTops = synthCorpus(1, 400)
		smallBG, smallBGErr = FitBackground(context.Background(), smallBGTexts, smallBGConfig)
	})
	if smallBGErr != nil {
		t.Fatal(smallBGErr)
	}
	return smallBG, smallBGTexts, smallBGTops
}

// bgVector is the background vector of a text, failing the test for a text
// the background cannot embed.
func bgVector(t *testing.T, bg *Background, text string) []float32 {
	t.Helper()
	v := make([]float32, bg.Dim())
	if !bg.embedInto(text, v, nil) {
		t.Fatalf("no background vector for %q", text)
	}
	return v
}

// topicSeparation is the mean cosine of pairs of vectors of the same topic
// and of pairs of different topics, and the share of vectors whose nearest
// other vector is of their topic.
func topicSeparation(vs [][]float32, topics []int) (same, other, nnAcc float64) {
	var ns, no, hits int
	for i := range vs {
		best, bestJ := math.Inf(-1), -1
		for j := range vs {
			if i == j {
				continue
			}
			c := cos(vs[i], vs[j])
			if topics[i] == topics[j] {
				same += c
				ns++
			} else {
				other += c
				no++
			}
			if c > best {
				best, bestJ = c, j
			}
		}
		if topics[bestJ] == topics[i] {
			hits++
		}
	}
	return same / float64(ns), other / float64(no), float64(hits) / float64(len(vs))
}

func writeBackground(t testing.TB, bg *Background) []byte {
	t.Helper()
	var b bytes.Buffer
	n, err := bg.WriteTo(&b)
	if err != nil {
		t.Fatal(err)
	}
	if n != int64(b.Len()) {
		t.Fatalf("WriteTo reported %d bytes, wrote %d", n, b.Len())
	}
	return b.Bytes()
}

func TestFitBackgroundIsDeterministicAndRoundTrips(t *testing.T) {
	ctx := context.Background()
	bg1, texts, _ := fittedSmallBackground(t)
	bg2, err := FitBackground(ctx, texts, smallBGConfig)
	if err != nil {
		t.Fatal(err)
	}
	if bg1.Dim() != 16 {
		t.Errorf("Dim %d, want 16", bg1.Dim())
	}
	// the words seen MinCount times or more, counted by hand
	v := makeSynthVocab()
	seen := map[string]int{}
	for _, text := range texts {
		for _, w := range strings.Fields(text) {
			seen[w]++
		}
	}
	wantWords := 0
	for _, c := range seen {
		if c >= smallBGConfig.MinCount {
			wantWords++
		}
	}
	if bg1.Words() != wantWords {
		t.Errorf("Words %d, want %d", bg1.Words(), wantWords)
	}
	if !strings.HasPrefix(bg1.Identity(), "bg16@") || len(bg1.Identity()) != len("bg16@")+10 {
		t.Errorf("Identity %q", bg1.Identity())
	}
	if bg1.Identity() != bg2.Identity() {
		t.Errorf("two fits: identities %q and %q", bg1.Identity(), bg2.Identity())
	}
	w1, w2 := writeBackground(t, bg1), writeBackground(t, bg2)
	if !bytes.Equal(w1, w2) {
		t.Fatalf("two fits of the same texts wrote different bytes (%d and %d)", len(w1), len(w2))
	}
	// the identity is the hash of the encoding
	raw, err := bg1.marshal()
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(raw)
	if want := "bg16@" + hex.EncodeToString(sum[:])[:10]; bg1.Identity() != want {
		t.Errorf("Identity %q, want %q (hash of the encoding)", bg1.Identity(), want)
	}

	// another seed gives another model
	other := smallBGConfig
	other.Seed = 4
	bg3, err := FitBackground(ctx, texts, other)
	if err != nil {
		t.Fatal(err)
	}
	if bg3.Identity() == bg1.Identity() {
		t.Errorf("another seed, same identity %q", bg3.Identity())
	}

	loaded, err := LoadBackground(bytes.NewReader(w1))
	if err != nil {
		t.Fatal(err)
	}
	if loaded.Identity() != bg1.Identity() || loaded.Dim() != bg1.Dim() || loaded.Words() != bg1.Words() {
		t.Errorf("loaded %s dim %d words %d, fitted %s dim %d words %d",
			loaded.Identity(), loaded.Dim(), loaded.Words(), bg1.Identity(), bg1.Dim(), bg1.Words())
	}
	if w := writeBackground(t, loaded); !bytes.Equal(w, w1) {
		t.Error("the loaded background writes other bytes")
	}
	held, _ := synthCorpus(2, 5)
	for _, text := range append(held, texts[0]) {
		a, b := bgVector(t, bg1, text), bgVector(t, loaded, text)
		if !slices.Equal(a, b) {
			t.Errorf("fitted and loaded vectors differ for %q", text)
		}
	}
	for _, term := range []string{v.common[0], v.topic[1][0], v.phrase[2]} {
		d1, r1, ok1 := bg1.Stats(term)
		d2, r2, ok2 := loaded.Stats(term)
		if !ok1 || d1 != d2 || r1 != r2 || ok1 != ok2 {
			t.Errorf("Stats(%q): fitted %v %v %v, loaded %v %v %v", term, d1, r1, ok1, d2, r2, ok2)
		}
	}
}

func TestFitBackgroundIsIndependentOfCores(t *testing.T) {
	_, texts, _ := fittedSmallBackground(t)
	want := writeBackground(t, smallBG)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	bg, err := FitBackground(context.Background(), texts, smallBGConfig)
	if err != nil {
		t.Fatal(err)
	}
	if got := writeBackground(t, bg); !bytes.Equal(got, want) {
		t.Errorf("one core: %s, all cores: %s", bg.Identity(), smallBG.Identity())
	}
}

func TestBackgroundEmbedsByTopic(t *testing.T) {
	bg, texts, topics := fittedSmallBackground(t)
	check := func(name string, texts []string, topics []int) {
		vs := make([][]float32, len(texts))
		for i, text := range texts {
			vs[i] = bgVector(t, bg, text)
			if n := cos(vs[i], vs[i]); math.Abs(n-1) > 1e-4 {
				t.Fatalf("%s: vector %d has norm^2 %v", name, i, n)
			}
		}
		same, other, acc := topicSeparation(vs, topics)
		t.Logf("%s: same topic %.3f, other topics %.3f, nearest neighbour of the topic %.3f", name, same, other, acc)
		if same < other+0.3 {
			t.Errorf("%s: same topic %.3f, other topics %.3f", name, same, other)
		}
		if acc < 0.95 {
			t.Errorf("%s: nearest neighbour of the same topic for %.3f of texts", name, acc)
		}
	}
	check("fitted texts", texts[:200], topics[:200])
	held, heldTopics := synthCorpus(5, 120)
	check("new texts", held, heldTopics)

	// a text of one topic's words only is closest to that topic's texts
	v := makeSynthVocab()
	for tp := range synthTopics {
		q := bgVector(t, bg, strings.Join(v.topic[tp][:6], " "))
		sims := make([]float64, synthTopics)
		counts := make([]int, synthTopics)
		for i, text := range held {
			sims[heldTopics[i]] += cos(q, bgVector(t, bg, text))
			counts[heldTopics[i]]++
		}
		for o := range sims {
			if o != tp && sims[o]/float64(counts[o]) >= sims[tp]/float64(counts[tp]) {
				t.Errorf("words of topic %d: mean cosine %.3f to its texts, %.3f to topic %d", tp,
					sims[tp]/float64(counts[tp]), sims[o]/float64(counts[o]), o)
			}
		}
	}

	// the common direction is removed: no vector has a component along it
	for _, text := range held[:20] {
		if d := cos(bgVector(t, bg, text), bg.u1); math.Abs(d) > 1e-5 {
			t.Errorf("component %v along the common direction", d)
		}
	}
	if n := cos(bg.u1, bg.u1); math.Abs(n-1) > 1e-4 {
		t.Errorf("common direction has norm^2 %v", n)
	}

	// unknown words have no vector; a known word among unknown ones does
	out := make([]float32, bg.Dim())
	if bg.embedInto("quantum chromodynamics of the lattice", out, nil) {
		t.Error("a text of unknown words has a vector")
	}
	if bg.embedInto("", out, nil) {
		t.Error("the empty text has a vector")
	}
	a := bgVector(t, bg, "quantum "+v.topic[0][0]+" chromodynamics")
	b := bgVector(t, bg, v.topic[0][0])
	if c := cos(a, b); math.Abs(c-1) > 1e-5 {
		t.Errorf("unknown words changed the vector: cosine %v", c)
	}
	// word order does not matter, case neither
	a = bgVector(t, bg, v.topic[2][0]+" "+v.topic[2][5]+" "+v.common[1])
	b = bgVector(t, bg, strings.ToUpper(v.common[1]+" "+v.topic[2][5]+" "+v.topic[2][0]))
	if c := cos(a, b); math.Abs(c-1) > 1e-5 {
		t.Errorf("order or case changed the vector: cosine %v", c)
	}
}

func TestBackgroundStats(t *testing.T) {
	bg, texts, _ := fittedSmallBackground(t)
	v := makeSynthVocab()
	// count documents and uses by hand
	count := func(term string) (docs, uses int) {
		for _, text := range texts {
			words := strings.Fields(text)
			n := 0
			if strings.Contains(term, " ") {
				for i := 0; i+1 < len(words); i++ {
					if words[i]+" "+words[i+1] == term {
						n++
					}
				}
			} else {
				for _, w := range words {
					if w == term {
						n++
					}
				}
			}
			if n > 0 {
				docs++
				uses += n
			}
		}
		return docs, uses
	}
	for _, term := range []string{v.common[0], v.topic[0][0], v.topic[3][1], v.phrase[1]} {
		docs, uses := count(term)
		if docs < smallBGConfig.StatsMinDF {
			t.Fatalf("%q is in %d texts only", term, docs)
		}
		df, repeat, ok := bg.Stats(term)
		if !ok {
			t.Errorf("Stats(%q) not ok (in %d texts)", term, docs)
			continue
		}
		if !(df > 0 && df <= 1) || repeat < 1 {
			t.Errorf("Stats(%q) = %v, %v", term, df, repeat)
		}
		if want := float64(docs) / float64(len(texts)); math.Abs(df-want) > 1e-12 {
			t.Errorf("Stats(%q) df %v, want %v", term, df, want)
		}
		if want := float64(uses) / float64(docs); math.Abs(repeat-want) > 1e-5 {
			t.Errorf("Stats(%q) repeat %v, want %v", term, repeat, want)
		}
	}
	// the most common word is in most texts and repeated
	df, repeat, ok := bg.Stats(v.common[0])
	if !ok || df < 0.5 || repeat < 1.5 {
		t.Errorf("most common word: %v %v %v", df, repeat, ok)
	}
	for _, term := range []string{"zzqxv", "diffusion", v.topic[0][0] + " " + v.topic[1][0], "", "the"} {
		if df, repeat, ok := bg.Stats(term); ok || df != 0 || repeat != 0 {
			t.Errorf("Stats(%q) = %v, %v, %v for a term never seen", term, df, repeat, ok)
		}
	}
	// rare terms are not judged
	rare := 0
	for _, w := range v.topic[0] {
		docs, _ := count(w)
		_, _, ok := bg.Stats(w)
		if ok != (docs >= smallBGConfig.StatsMinDF) {
			t.Errorf("Stats(%q) ok %v, in %d texts", w, ok, docs)
		}
		if !ok {
			rare++
		}
	}
	t.Logf("%d words of topic 0 too rare to judge", rare)
}

func TestFitBackgroundTooSmall(t *testing.T) {
	ctx := context.Background()
	for _, texts := range [][]string{nil, {"one text only"}} {
		if _, err := FitBackground(ctx, texts, smallBGConfig); !errors.Is(err, ErrCorpusTooSmall) {
			t.Errorf("%d texts: %v", len(texts), err)
		}
	}
	// fewer words than Dim+Oversample
	texts := []string{}
	for range 20 {
		texts = append(texts, "alpha beta gamma delta epsilon")
	}
	if _, err := FitBackground(ctx, texts, smallBGConfig); !errors.Is(err, ErrCorpusTooSmall) {
		t.Errorf("5 words: %v", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	all, _ := synthCorpus(1, 400)
	if _, err := FitBackground(cctx, all, smallBGConfig); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

func gzipped(t testing.TB, raw []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if _, err := zw.Write(raw); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// bgHeader is an encoded background header with the given sizes, followed
// by pad zero bytes.
func bgHeader(n, dim, words, terms uint32, pad int) []byte {
	b := []byte(bgMagic)
	for _, x := range []uint32{n, dim, words, terms} {
		b = binary.LittleEndian.AppendUint32(b, x)
	}
	return append(b, make([]byte, pad)...)
}

func TestLoadBackgroundRejectsBadData(t *testing.T) {
	bg, _, _ := fittedSmallBackground(t)
	good := writeBackground(t, bg)
	raw, err := bg.marshal()
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string][]byte{
		"empty":               nil,
		"garbage":             []byte("this is not a background model at all, just words"),
		"gzip header only":    good[:10],
		"truncated gzip":      good[:len(good)/2],
		"truncated gzip tail": good[:len(good)-4],
		"wrong magic":         gzipped(t, append([]byte("PSBG2\n"), raw[len(bgMagic):]...)),
		"another file":        gzipped(t, []byte("PSLSA1\nnot this")),
		"empty gzip":          gzipped(t, nil),
		"magic only":          gzipped(t, []byte(bgMagic)),
		"short header":        gzipped(t, raw[:len(bgMagic)+10]),
		"truncated body":      gzipped(t, raw[:len(raw)-3]),
		"half body":           gzipped(t, raw[:len(raw)/2]),
		"dim 0":               gzipped(t, bgHeader(100, 0, 10, 10, 4096)),
		"dim too large":       gzipped(t, bgHeader(100, 1<<20, 1, 0, 4096)),
		"dim 2^32-1":          gzipped(t, bgHeader(100, math.MaxUint32, 1, 0, 4096)),
		"absurd words":        gzipped(t, bgHeader(100, 128, math.MaxUint32, 0, 4096)),
		"absurd terms":        gzipped(t, bgHeader(100, 128, 10, math.MaxUint32, 4096)),
		"absurd both":         gzipped(t, bgHeader(math.MaxUint32, 4096, math.MaxUint32, math.MaxUint32, 64)),
		"sizes just too big":  gzipped(t, bgHeader(100, 16, 100, 0, 100*16)),
	}
	// a byte flipped in the compressed data fails its checksum or its inflation
	flipped := slices.Clone(good)
	flipped[len(flipped)/2] ^= 0x55
	cases["flipped byte"] = flipped
	for name, data := range cases {
		t.Run(name, func(t *testing.T) {
			bg, err := LoadBackground(bytes.NewReader(data))
			if err == nil {
				t.Fatalf("no error, loaded %s with %d words", bg.Identity(), bg.Words())
			}
			if bg != nil {
				t.Error("a background with the error")
			}
		})
	}
	// the smallest well-formed background loads
	tiny := bgHeader(3, 2, 0, 0, 8)
	got, err := LoadBackground(bytes.NewReader(gzipped(t, tiny)))
	if err != nil {
		t.Fatalf("smallest background: %v", err)
	}
	if got.Dim() != 2 || got.Words() != 0 || !strings.HasPrefix(got.Identity(), "bg2@") {
		t.Errorf("smallest background: dim %d words %d %s", got.Dim(), got.Words(), got.Identity())
	}
	if got.embedInto("any words", make([]float32, 2), nil) {
		t.Error("a background of no words embeds a text")
	}
}

// FuzzLoadBackground: LoadBackground never panics, and what it loads is
// usable.
func FuzzLoadBackground(f *testing.F) {
	bg, _, _ := fittedSmallBackground(f)
	good := writeBackground(f, bg)
	raw, err := bg.marshal()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(backgroundData[:4096]) // the shipped file, truncated
	f.Add(good[:len(good)/3])
	f.Add(good)
	f.Add(gzipped(f, raw[:200]))
	f.Add(gzipped(f, bgHeader(5, 3, 2, 1, 64)))
	f.Add([]byte("not gzip"))
	f.Fuzz(func(t *testing.T, data []byte) {
		bg, err := LoadBackground(bytes.NewReader(data))
		if err != nil {
			if bg != nil {
				t.Error("a background with the error")
			}
			return
		}
		if bg.Dim() <= 0 || bg.Dim() > 4096 || !strings.HasPrefix(bg.Identity(), "bg") {
			t.Errorf("loaded dim %d identity %q", bg.Dim(), bg.Identity())
		}
		v := make([]float32, bg.Dim())
		bg.embedInto("some words of a text", v, nil)
		bg.Stats("words")
	})
}

func TestDefaultBackground(t *testing.T) {
	bg, err := DefaultBackground()
	if err != nil {
		t.Fatal(err)
	}
	if bg.Dim() != 128 {
		t.Errorf("Dim %d", bg.Dim())
	}
	if bg.Words() <= 30000 {
		t.Errorf("Words %d", bg.Words())
	}
	if !strings.HasPrefix(bg.Identity(), "bg128@") || len(bg.Identity()) != len("bg128@")+10 {
		t.Errorf("Identity %q", bg.Identity())
	}
	again, err := DefaultBackground()
	if err != nil || again != bg {
		t.Errorf("second call: %p %v, first %p", again, err, bg)
	}
	// the shipped file is exactly what WriteTo's encoding hashes to: its
	// identity is the same when it is written again
	raw, err := bg.marshal()
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(raw)
	if want := "bg128@" + hex.EncodeToString(sum[:])[:10]; bg.Identity() != want {
		t.Errorf("Identity %q, re-encoded %q", bg.Identity(), want)
	}

	df, repeat, ok := bg.Stats("diffusion")
	if !ok || !(df > 0 && df < 0.5) || repeat < 1 {
		t.Errorf("Stats(diffusion) = %v %v %v", df, repeat, ok)
	}
	// a bigram of scientific prose, and a word in most abstracts
	if df2, _, ok := bg.Stats("neural networks"); !ok || df2 <= 0 || df2 > 1 {
		t.Errorf("Stats(neural networks) = %v %v", df2, ok)
	}
	if _, _, ok := bg.Stats("zzqxvw"); ok {
		t.Error("Stats of a made-up word is ok")
	}

	// topics of real science: related abstracts are closer than unrelated ones
	vec := func(text string) []float32 { return bgVector(t, bg, text) }
	diff1 := vec("Denoising diffusion probabilistic models generate images by reversing a gradual noising process.")
	diff2 := vec("Score-based generative modeling with stochastic differential equations synthesizes high fidelity images.")
	astro := vec("We measure the rotation curves of spiral galaxies and constrain the dark matter halo profile.")
	astro2 := vec("Observations of distant supernovae constrain the expansion history of the universe and dark energy.")
	if a, b := cos(diff1, diff2), cos(diff1, astro); a < b+0.15 {
		t.Errorf("diffusion models: related %.3f, unrelated %.3f", a, b)
	}
	if a, b := cos(astro, astro2), cos(astro2, diff2); a < b+0.15 {
		t.Errorf("astronomy: related %.3f, unrelated %.3f", a, b)
	}
}

// A text's vector is what it was when every word's vector was dequantised
// once and added by Axpy: the same float32 products and sums. And it is the
// same before and after the background dequantises every word (as a batch
// makes it).
func TestAddWordAsDequantised(t *testing.T) {
	bg, err := DefaultBackground()
	if err != nil {
		t.Skip("no background:", err)
	}
	r := rand.New(rand.NewPCG(7, 7))
	for trial := range 300 {
		v := make([]float32, bg.dim)
		want := make([]float32, bg.dim)
		for range 1 + r.IntN(40) {
			i := r.IntN(len(bg.words))
			c := float32(1 + r.IntN(4))
			bg.addWord(v, i, c, make([]float32, bg.dim))
			vec := make([]float32, bg.dim)
			for j := range vec {
				vec[j] = bg.scale[i] * float32(bg.q[i*bg.dim+j])
			}
			f32.Axpy(c, vec, want)
		}
		if !slices.Equal(v, want) {
			t.Fatalf("trial %d: %v, want %v", trial, v[:4], want[:4])
		}
	}
	// and a text's vector is the same before and after every word is
	// dequantised (as a batch does)
	texts := []string{"video diffusion models for robot grasping", "galaxy spectra of quasars", "large language model agents"}
	fresh := &Background{n: bg.n, dim: bg.dim, words: bg.words, df: bg.df, scale: bg.scale, q: bg.q, u1: bg.u1}
	var before [][]float32
	for _, s := range texts {
		before = append(before, fresh.raw(s))
	}
	fresh.dequantise()
	for i, s := range texts {
		if !slices.Equal(fresh.raw(s), before[i]) {
			t.Fatalf("%q: another vector once dequantised", s)
		}
	}
}
