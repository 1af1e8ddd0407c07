package embed

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"sort"

	"github.com/papersift/papersift/internal/f32"
	"github.com/papersift/papersift/internal/parallel"
	"github.com/papersift/papersift/tfidf"
)

// LocalConfig configures a fit of the built-in model. The zero value means
// the defaults.
type LocalConfig struct {
	// Dim is the number of dimensions (default 128; fewer when the corpus
	// has fewer documents or terms).
	Dim int
	// Weight is the exponent p of the singular values in the document
	// vectors, U * S^p: 1 is plain LSA, 0 whitens (default 1.5, which
	// stresses the corpus's main directions).
	Weight float64
	// Vocabulary options (defaults: unigrams and bigrams, min df 2, max df 0.5,
	// the 50,000 most frequent terms, plain idf ln(n/df)).
	Terms tfidf.Options
	// FitSample caps the documents the SVD is fitted on (default 20,000);
	// every document is still embedded, by folding in.
	FitSample int
	// Seed of the randomized SVD (default 1).
	Seed uint64
	// PowerIters is the number of power iterations of the randomized SVD
	// (default 7: a precise SVD measured better for clustering).
	PowerIters int
	// VocabFromSample learns the vocabulary from the fit's sample too,
	// not from every text (much cheaper on a large corpus).
	VocabFromSample bool
}

func (c LocalConfig) withDefaults() LocalConfig {
	if c.Dim <= 0 {
		c.Dim = 128
	}
	if c.Weight == 0 {
		c.Weight = 1.5
	}
	if c.Weight < 0 {
		c.Weight = 0
	}
	if c.FitSample <= 0 {
		c.FitSample = 20000
	}
	if c.Seed == 0 {
		c.Seed = 1
	}
	if c.PowerIters <= 0 {
		c.PowerIters = 7
	}
	return c
}

// LocalModel is a fitted built-in model: a TF-IDF vocabulary and a projection
// of its terms onto the top singular directions of the corpus. Embedding a
// text computes its TF-IDF row and projects it: documents of the fit and new
// documents are embedded the same way, so new papers fold in.
type LocalModel struct {
	vocab *tfidf.Vocabulary
	proj  []float32 // vocab x dim, row-major
	dim   int
	nfit  int
	id    string
}

var errSVD = errors.New("embed: the SVD did not converge")

// ErrCorpusTooSmall is returned by FitLocal for a corpus that cannot be fitted.
var ErrCorpusTooSmall = errors.New("embed: the corpus has too few documents or terms to fit a model")

// samplePositions are the positions (ascending) of the cfg.FitSample texts
// of n that a fit learns from (cfg with its defaults, n > cfg.FitSample).
func samplePositions(n int, cfg LocalConfig) []int {
	rng := rand.New(rand.NewPCG(cfg.Seed, uint64(n)))
	perm := rng.Perm(n)[:cfg.FitSample]
	sort.Ints(perm)
	return perm
}

// FitLocal fits the built-in model on the texts of a corpus. The same texts
// and config give the same model, on any machine and number of cores.
func FitLocal(ctx context.Context, texts []string, cfg LocalConfig) (*LocalModel, error) {
	f, err := prepareLocal(ctx, texts, cfg)
	if err != nil {
		return nil, err
	}
	return fitRows(ctx, f.vocab, f.rows, f.n, f.cfg)
}

// localFit is what a fit learns from: its sample of the corpus, the
// vocabulary and the sample's TF-IDF rows.
type localFit struct {
	cfg    LocalConfig // with its defaults
	n      int         // texts in the corpus
	sample []string
	vocab  *tfidf.Vocabulary
	rows   []tfidf.Sparse // of sample
}

func prepareLocal(ctx context.Context, texts []string, cfg LocalConfig) (*localFit, error) {
	cfg = cfg.withDefaults()
	if len(texts) < 2 {
		return nil, ErrCorpusTooSmall
	}
	sample := texts
	if len(texts) > cfg.FitSample {
		perm := samplePositions(len(texts), cfg)
		sample = make([]string, len(perm))
		for i, p := range perm {
			sample[i] = texts[p]
		}
	}
	vocabFrom := texts
	if cfg.VocabFromSample {
		vocabFrom = sample
	}
	vocab, err := tfidf.Fit(ctx, vocabFrom, cfg.Terms)
	if errors.Is(err, tfidf.ErrEmptyVocabulary) {
		return nil, fmt.Errorf("%w: %v", ErrCorpusTooSmall, err)
	}
	if err != nil {
		return nil, err
	}
	rows, err := vocab.Rows(ctx, sample)
	if err != nil {
		return nil, err
	}
	return &localFit{cfg: cfg, n: len(texts), sample: sample, vocab: vocab, rows: rows}, nil
}

// fitRows fits the projection of a vocabulary's terms on the TF-IDF rows
// of the fit's sample (cfg with its defaults; n is the corpus's size).
func fitRows(ctx context.Context, vocab *tfidf.Vocabulary, rows []tfidf.Sparse, n int, cfg LocalConfig) (*LocalModel, error) {
	x := newCSR(rows, vocab.Len())
	// A small corpus has few topics: keep at most a quarter as many
	// dimensions as documents, so that its vectors stay comparable.
	dim := cfg.Dim
	if dim > x.rows/4 {
		dim = max(2, x.rows/4)
	}
	if dim > x.cols {
		dim = x.cols
	}
	if dim < 1 {
		return nil, ErrCorpusTooSmall
	}
	v, sv, err := truncatedSVD(ctx, x, dim, 10, cfg.PowerIters, cfg.Seed)
	if err != nil {
		return nil, err
	}
	// Drop directions the corpus does not span (zero singular values).
	for dim > 1 && sv[dim-1] <= sv[0]*1e-6 {
		dim--
	}
	cols := vocab.Len()
	scale := make([]float64, dim)
	for j := range scale {
		scale[j] = math.Pow(sv[j], cfg.Weight-1) // x V S^(p-1) = U S^p
	}
	proj := make([]float32, cols*dim)
	raw := v.RawMatrix()
	for i := 0; i < cols; i++ {
		row := raw.Data[i*raw.Stride:]
		for j, s := range scale {
			proj[i*dim+j] = float32(row[j] * s)
		}
	}
	m := &LocalModel{vocab: vocab, proj: proj, dim: dim, nfit: n}
	m.id = m.identity(cfg)
	return m, nil
}

// identity hashes what embedding a text depends on: the terms, their
// weights (idf) and the projection. (A stored model keeps the identity it
// was saved with.)
func (m *LocalModel) identity(cfg LocalConfig) string {
	h := sha256.New()
	buf := make([]byte, 0, 12*len(m.vocab.Terms)+4*len(m.proj))
	for _, t := range m.vocab.Terms {
		buf = binary.LittleEndian.AppendUint64(buf, t)
	}
	for _, x := range m.vocab.IDF {
		buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(x))
	}
	for _, x := range m.proj {
		buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(x))
	}
	h.Write(buf)
	return fmt.Sprintf("local/lsa-%d@%s", m.dim, hex.EncodeToString(h.Sum(nil))[:10])
}

// Dim is the dimension of the model's vectors.
func (m *LocalModel) Dim() int { return m.dim }

// Model is the identity of this fit, for example "local/lsa-256@3fa2b9c01d".
func (m *LocalModel) Model() string { return m.id }

// FitSize is the number of documents the model was fitted on.
func (m *LocalModel) FitSize() int { return m.nfit }

// Vocabulary is the model's TF-IDF vocabulary.
func (m *LocalModel) Vocabulary() *tfidf.Vocabulary { return m.vocab }

// localScratch is a goroutine's scratch space for embedding.
type localScratch struct{ z *tfidf.Vectorizer }

func (m *LocalModel) scratch() *localScratch { return &localScratch{z: m.vocab.Vectorizer()} }

// embedInto writes text's vector into v (len Dim), normalised; it reports
// false for a text with no known term.
func (m *LocalModel) embedInto(text string, v []float32, s *localScratch) bool {
	clear(v)
	row := s.z.Row(text)
	for k, c := range row.Idx {
		f32.Axpy(row.Val[k], m.proj[int(c)*m.dim:(int(c)+1)*m.dim], v)
	}
	return Normalize(v) == nil
}

// Embed embeds texts on all cores. A text with no known term (empty, or all
// stop words) has no direction: Embed fails with ErrZeroVector naming it.
func (m *LocalModel) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	buf := make([]float32, len(texts)*m.dim)
	bad := make([]bool, len(texts))
	err := parallel.For(ctx, len(texts), func(lo, hi int) {
		s := m.scratch()
		for i := lo; i < hi; i++ {
			v := buf[i*m.dim : (i+1)*m.dim : (i+1)*m.dim]
			if !m.embedInto(texts[i], v, s) {
				bad[i] = true
			}
			out[i] = v
		}
	})
	if err == nil {
		err = firstBad(bad)
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

// firstBad is a *TextError naming the first text bad marks (nil if none).
func firstBad(bad []bool) error {
	for i, b := range bad {
		if b {
			return &TextError{Index: i, Err: ErrZeroVector}
		}
	}
	return nil
}

// TextError names the text of a batch that could not be embedded.
type TextError struct {
	Index int
	Err   error
}

func (e *TextError) Error() string {
	return fmt.Sprintf("text %d: %v (it has no word the model knows)", e.Index, e.Err)
}

func (e *TextError) Unwrap() error { return e.Err }

const localMagic = "PSLSA1\n"

// MarshalBinary encodes the model for storage.
func (m *LocalModel) MarshalBinary() ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(localMagic)
	hdr := []uint64{uint64(m.dim), uint64(m.nfit), uint64(m.vocab.Len()), 0}
	if m.vocab.Bigrams {
		hdr[3] = 1
	}
	if err := binary.Write(&b, binary.LittleEndian, hdr); err != nil {
		return nil, err
	}
	b.WriteString(m.id + "\n")
	for _, part := range []any{m.vocab.Terms, m.vocab.IDF, m.proj} {
		if err := binary.Write(&b, binary.LittleEndian, part); err != nil {
			return nil, err
		}
	}
	return b.Bytes(), nil
}

// UnmarshalLocal decodes a model encoded by MarshalBinary.
func UnmarshalLocal(data []byte) (*LocalModel, error) {
	r := bytes.NewReader(data)
	magic := make([]byte, len(localMagic))
	if _, err := io.ReadFull(r, magic); err != nil || string(magic) != localMagic {
		return nil, errors.New("embed: not a saved built-in model")
	}
	hdr := make([]uint64, 4)
	if err := binary.Read(r, binary.LittleEndian, hdr); err != nil {
		return nil, fmt.Errorf("embed: saved model: %w", err)
	}
	dim, nfit, nv := int(hdr[0]), int(hdr[1]), int(hdr[2])
	if dim <= 0 || nv <= 0 || int64(nv)*int64(dim)*4 > int64(len(data)) {
		return nil, errors.New("embed: saved model is corrupt")
	}
	id, err := readLine(r)
	if err != nil {
		return nil, err
	}
	// decoded straight from data (binary.Read would copy each part
	// first: megabytes of fresh memory, which is what costs here)
	if int64(r.Len()) < int64(nv)*(8+4+4*int64(dim)) {
		return nil, fmt.Errorf("embed: saved model: %w", io.ErrUnexpectedEOF)
	}
	b := data[len(data)-r.Len():]
	le := binary.LittleEndian
	terms := make([]uint64, nv)
	for i := range terms {
		terms[i] = le.Uint64(b[8*i:])
	}
	b = b[8*nv:]
	idf := make([]float32, nv)
	for i := range idf {
		idf[i] = math.Float32frombits(le.Uint32(b[4*i:]))
	}
	b = b[4*nv:]
	proj := make([]float32, nv*dim)
	for i := range proj {
		proj[i] = math.Float32frombits(le.Uint32(b[4*i:]))
	}
	vocab, err := tfidf.New(terms, idf, hdr[3] == 1)
	if err != nil {
		return nil, err
	}
	return &LocalModel{vocab: vocab, proj: proj, dim: dim, nfit: nfit, id: id}, nil
}

func readLine(r *bytes.Reader) (string, error) {
	var s []byte
	for {
		c, err := r.ReadByte()
		if err != nil {
			return "", errors.New("embed: saved model is corrupt")
		}
		if c == '\n' {
			return string(s), nil
		}
		s = append(s, c)
	}
}

var _ Embedder = (*LocalModel)(nil)
