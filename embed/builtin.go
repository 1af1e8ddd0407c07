package embed

import (
	"bytes"
	"context"
	_ "embed" // the background model
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/papersift/papersift/internal/parallel"
)

// The background model shipped in the binary, made by
// `go run ./internal/cmd/mkbackground` from 64,930 arXiv abstracts (their
// text only). It is decompressed at its first use, not at start.
//
//go:embed background.bin.gz
var backgroundData []byte

var (
	defaultBG     *Background
	defaultBGErr  error
	defaultBGOnce sync.Once
	loadedBG      atomic.Pointer[Background] // defaultBG, once loaded
)

// DefaultBackground returns the background model shipped in the binary.
func DefaultBackground() (*Background, error) {
	defaultBGOnce.Do(func() {
		defaultBG, defaultBGErr = LoadBackground(bytes.NewReader(backgroundData))
		if defaultBGErr == nil {
			loadedBG.Store(defaultBG)
		}
	})
	return defaultBG, defaultBGErr
}

// Builtin is the built-in embedder: the background model's vector of a
// text and, once the reader's corpus is large enough to learn from, the
// vector of a latent semantic analysis fitted on that corpus beside it:
//
//	v = [ sqrt(1-b^2) * background(text) | b * lsa(text) ]
//
// Without a corpus part, v is the background vector alone. Vectors of
// two Builtins with different identities are never compared.
type Builtin struct {
	bg   *Background
	lsa  *LocalModel // nil: the background alone
	b    float64     // the corpus part's weight
	nfit int         // papers the corpus part was fitted on
	id   string
}

// BuiltinConfig configures FitBuiltin. The zero value means the defaults.
type BuiltinConfig struct {
	// LSA configures the corpus part (defaults: 32 dimensions, U*S^1.5,
	// 4 power iterations, fitted on a seeded sample of 5,000 papers).
	LSA LocalConfig
	// Weight is b, the corpus part's weight (default: 0.8 for a corpus of
	// fewer than 10,000 papers, 0.9 from there: the larger the corpus, the
	// more its own topics are worth).
	Weight float64
	// CorpusSize, when set, says that the texts given to FitBuiltin are
	// the sample FitSampleOf(CorpusSize) of a corpus of that size (so a
	// caller need not hold the whole corpus): the fit is the same as on
	// the whole corpus.
	CorpusSize int
	// Cluster, when set, groups n unit vectors (rows of data, dim each)
	// into k topics, seeded, and returns each one's topic in [0, k): the
	// corpus part's terms are then weighed by how much they keep to the
	// topics of the fit's sample (see focus). Package embed does not
	// cluster itself; the caller passes the k-means it uses for groups.
	Cluster func(ctx context.Context, data []float32, dim, k int, seed uint64) ([]int, error)
	// Topics is the number of topics (default 20; negative or 1: none).
	// Without Cluster, or when fewer than 10 * Topics of the fit's texts
	// can be embedded, the corpus part is the plain fit.
	Topics int
}

// FitSampleOf returns the positions (ascending) of the texts, among a
// corpus of n, that FitBuiltin learns its corpus part from with the default
// configuration: all of them up to the sample size.
func FitSampleOf(n int) []int {
	lc := LocalConfig{FitSample: corpusSample}.withDefaults()
	if n <= lc.FitSample {
		out := make([]int, n)
		for i := range out {
			out[i] = i
		}
		return out
	}
	return samplePositions(n, lc)
}

// Corpus-part defaults, chosen by measurement (see the README's Quality).
const (
	CorpusDim       = 32
	corpusSample    = 5000
	corpusPowerIter = 4
)

// NewBuiltin is the built-in embedder with the background alone.
func NewBuiltin(bg *Background) *Builtin {
	return &Builtin{bg: bg, id: "local/" + bg.Identity()}
}

// FitBuiltin fits the corpus part on texts (all of them count, a sample is
// learned from) and returns the built-in embedder with both parts. With
// cfg.Cluster, the corpus part's terms are weighed by the topics of the
// sample (see focus).
func FitBuiltin(ctx context.Context, bg *Background, texts []string, cfg BuiltinConfig) (*Builtin, error) {
	lc := cfg.LSA
	if lc.Dim <= 0 {
		lc.Dim = CorpusDim
	}
	if lc.FitSample <= 0 {
		lc.FitSample = corpusSample
	}
	if lc.PowerIters <= 0 {
		lc.PowerIters = corpusPowerIter
	}
	lc.VocabFromSample = true
	f, err := prepareLocal(ctx, texts, lc)
	if err != nil {
		return nil, err
	}
	lsa, err := fitRows(ctx, f.vocab, f.rows, f.n, f.cfg)
	if err != nil {
		return nil, err
	}
	n := len(texts)
	if cfg.CorpusSize > 0 {
		n = cfg.CorpusSize
	}
	b := cfg.Weight
	if b <= 0 || b >= 1 {
		b = 0.8
		if n >= 10000 {
			b = 0.9
		}
	}
	m := &Builtin{bg: bg, lsa: lsa, b: b, nfit: n}
	if k := cfg.Topics; k >= 0 && cfg.Cluster != nil {
		if k == 0 {
			k = focusTopics
		}
		focused, err := m.focus(ctx, f, k, cfg.Cluster)
		if err != nil {
			return nil, err
		}
		if focused != nil {
			m.lsa = focused
		}
	}
	m.id = builtinID(bg, m.lsa)
	return m, nil
}

// builtinID names a built-in embedder with a corpus part: the background's
// identity and the corpus part's hash ("local/bg128@...+lsa32@...").
func builtinID(bg *Background, lsa *LocalModel) string {
	h := lsa.Model()
	if i := strings.LastIndexByte(h, '@'); i >= 0 {
		h = h[i+1:]
	}
	return fmt.Sprintf("local/%s+lsa%d@%s", bg.Identity(), lsa.Dim(), h)
}

// Dim is the dimension of the vectors.
func (m *Builtin) Dim() int {
	if m.lsa == nil {
		return m.bg.dim
	}
	return m.bg.dim + m.lsa.Dim()
}

// Model is the identity of the embedder: "local/bg128@..." for the
// background alone, "local/bg128@...+lsa32@..." with a corpus part.
func (m *Builtin) Model() string { return m.id }

// FitSize is the number of papers the corpus part was fitted on (0 without
// one).
func (m *Builtin) FitSize() int { return m.nfit }

// HasCorpusPart reports whether the embedder has learned from the corpus.
func (m *Builtin) HasCorpusPart() bool { return m.lsa != nil }

// Background is the background model.
func (m *Builtin) Background() *Background { return m.bg }

// Embed embeds texts on all cores. A text with no word either part knows
// fails with a *TextError naming it (ErrZeroVector).
func (m *Builtin) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	out, bad, err := m.embedAll(ctx, texts)
	if err == nil {
		err = firstBad(bad)
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

// embedAll embeds texts on all cores; bad[i] says that text i has no word
// either part knows (its vector is then meaningless).
func (m *Builtin) embedAll(ctx context.Context, texts []string) (out [][]float32, bad []bool, err error) {
	dim := m.Dim()
	out = make([][]float32, len(texts))
	buf := make([]float32, len(texts)*dim)
	bad = make([]bool, len(texts))
	bgw := float32(math.Sqrt(1 - m.b*m.b))
	if len(texts) >= dequantiseFrom {
		m.bg.dequantise()
	}
	err = parallel.For(ctx, len(texts), func(lo, hi int) {
		var terms []uint64
		var z *localScratch
		if m.lsa != nil {
			z = m.lsa.scratch()
		}
		for i := lo; i < hi; i++ {
			v := buf[i*dim : (i+1)*dim : (i+1)*dim]
			okBG := m.bg.embedInto(texts[i], v[:m.bg.dim], terms)
			if !okBG {
				clear(v[:m.bg.dim])
			}
			okLSA := false
			if m.lsa != nil {
				okLSA = m.lsa.embedInto(texts[i], v[m.bg.dim:], z)
				if okLSA && okBG {
					for j := range v[:m.bg.dim] {
						v[j] *= bgw
					}
					for j := range v[m.bg.dim:] {
						v[m.bg.dim+j] *= float32(m.b)
					}
				}
			}
			if (!okBG && !okLSA) || Normalize(v) != nil {
				bad[i] = true
			}
			out[i] = v
		}
	})
	if err != nil {
		return nil, nil, err
	}
	return out, bad, nil
}

const builtinMagic = "PSBI1\n"

// MarshalBinary encodes the embedder for storage: the background's identity
// (the background itself is in the binary) and the corpus part.
func (m *Builtin) MarshalBinary() ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(builtinMagic)
	b.WriteString(m.bg.Identity() + "\n")
	binary.Write(&b, binary.LittleEndian, []float64{m.b, float64(m.nfit)})
	if m.lsa != nil {
		lsa, err := m.lsa.MarshalBinary()
		if err != nil {
			return nil, err
		}
		b.Write(lsa)
	}
	return b.Bytes(), nil
}

// ErrOtherBackground is a stored built-in embedder made with another
// background model than this binary's: it must be refitted.
var ErrOtherBackground = errors.New("embed: the stored built-in model was made with another background model")

// ErrNotBuiltin is data that is not a saved built-in embedder (for example
// the corpus-only model of papersift before the background model).
var ErrNotBuiltin = errors.New("embed: not a saved built-in model")

// UnmarshalBuiltin decodes an embedder encoded by MarshalBinary, with bg,
// which must be the background it was made with.
func UnmarshalBuiltin(data []byte, bg *Background) (*Builtin, error) {
	if !bytes.HasPrefix(data, []byte(builtinMagic)) {
		return nil, ErrNotBuiltin
	}
	r := bytes.NewReader(data[len(builtinMagic):])
	id, err := readLine(r)
	if err != nil {
		return nil, err
	}
	if id != bg.Identity() {
		return nil, ErrOtherBackground
	}
	hdr := make([]float64, 2)
	if err := binary.Read(r, binary.LittleEndian, hdr); err != nil {
		return nil, errors.New("embed: saved built-in model is corrupt")
	}
	if r.Len() == 0 {
		if hdr[0] != 0 {
			return nil, errors.New("embed: saved built-in model is corrupt (its corpus part is missing)")
		}
		return NewBuiltin(bg), nil
	}
	lsa, err := UnmarshalLocal(data[len(data)-r.Len():]) // it keeps nothing of data
	if err != nil {
		return nil, err
	}
	b := hdr[0]
	if !(b > 0 && b < 1) {
		return nil, errors.New("embed: saved built-in model is corrupt")
	}
	m := &Builtin{bg: bg, lsa: lsa, b: b, nfit: int(hdr[1])}
	m.id = builtinID(bg, lsa)
	return m, nil
}

var _ Embedder = (*Builtin)(nil)
