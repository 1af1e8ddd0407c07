package embed

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"unsafe"

	"gonum.org/v1/gonum/mat"

	"github.com/papersift/papersift/internal/f32"
	"github.com/papersift/papersift/internal/parallel"
	"github.com/papersift/papersift/tfidf"
)

// Background is what the built-in model knows of scientific language
// before it sees a single paper of the reader's: word vectors learned from
// tens of thousands of abstracts (their co-occurrences within ten words,
// as positive pointwise mutual information, reduced by a truncated SVD),
// and how common each word and two-word phrase is in scientific prose.
//
// A text's background vector is the sum of its words' vectors, each word
// weighted by its count and its inverse document frequency, normalised,
// with the direction every abstract shares removed: texts about the same
// topic point the same way even when they share few words.
type Background struct {
	n     int       // documents it was learned from
	dim   int       // dimensions of the vectors
	words []uint64  // term hashes (tfidf.Hash) of the words, ascending
	df    []uint32  // documents each word is in
	scale []float32 // each word vector's int8 scale
	q     []int8    // words x dim, the word vectors (idf included), quantised
	u1    []float32 // the common direction, removed from every text's vector
	// label statistics: unigrams and bigrams common enough to judge
	terms  []uint64 // ascending
	termDF []uint32
	repeat []float32 // mean uses per document that uses the term

	id string // built on load

	// vecs is every word's vector dequantised (words x dim), built when a
	// batch of texts is embedded (dequantiseFrom or more): then a word is
	// added by one Axpy of its vector; a few texts add it from its codes,
	// the same float32 products, without a copy of every word.
	vecsOnce sync.Once
	vecs     atomic.Pointer[[]float32]
}

// dequantiseFrom is the batch size from which Embed dequantises every word.
const dequantiseFrom = 256

func (bg *Background) dequantise() {
	bg.vecsOnce.Do(func() {
		vecs := make([]float32, len(bg.q))
		for i := range bg.words {
			s := bg.scale[i]
			for j := 0; j < bg.dim; j++ {
				vecs[i*bg.dim+j] = s * float32(bg.q[i*bg.dim+j])
			}
		}
		bg.vecs.Store(&vecs)
	})
}

// BackgroundConfig configures FitBackground. The zero value means the
// defaults.
type BackgroundConfig struct {
	Dim        int    // dimensions (default 128)
	MinCount   int    // words seen fewer times are left out (default 5)
	Window     int    // words within this distance co-occur, weighted 1/distance (default 10)
	PowerIters int    // of the randomized SVD (default 5)
	Oversample int    // of the randomized SVD (default 20)
	Seed       uint64 // of the randomized SVD (default 1)
	StatsMinDF int    // terms in fewer documents get no label statistics (default 7)
}

func (c BackgroundConfig) withDefaults() BackgroundConfig {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&c.Dim, 128)
	def(&c.MinCount, 5)
	def(&c.Window, 10)
	def(&c.PowerIters, 5)
	def(&c.Oversample, 20)
	def(&c.StatsMinDF, 7)
	if c.Seed == 0 {
		c.Seed = 1
	}
	return c
}

// fitParts is how many parts the corpus is split into while counting: fixed,
// so that the sums (and the model) do not depend on the number of cores.
const fitParts = 16

// FitBackground learns a Background from texts (titles and abstracts,
// nothing else: never labels or categories). The same texts and config
// give the same model, byte for byte, on any machine.
func FitBackground(ctx context.Context, texts []string, cfg BackgroundConfig) (*Background, error) {
	cfg = cfg.withDefaults()
	if len(texts) < 2 {
		return nil, ErrCorpusTooSmall
	}
	// the words of each text, in order (stop words removed)
	streams := make([][]uint64, len(texts))
	if err := parallel.For(ctx, len(texts), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			streams[i] = tfidf.AppendTerms(nil, texts[i], false)
		}
	}); err != nil {
		return nil, err
	}
	count := map[uint64]int{}
	for _, s := range streams {
		for _, h := range s {
			count[h]++
		}
	}
	var words []uint64
	for h, c := range count {
		if c >= cfg.MinCount {
			words = append(words, h)
		}
	}
	slices.Sort(words)
	if len(words) < cfg.Dim+cfg.Oversample {
		return nil, fmt.Errorf("%w: %d words seen %d times or more", ErrCorpusTooSmall, len(words), cfg.MinCount)
	}
	index := make(map[uint64]int32, len(words))
	for i, h := range words {
		index[h] = int32(i)
	}
	// co-occurrences within the window, weighted 1/distance, counted once
	// per unordered pair (i <= j) in each part, summed in part order
	parts := make([]map[uint64]float64, fitParts)
	df := make([][]uint32, fitParts)
	if err := parallel.Fixed(ctx, len(texts), fitParts, func(p, lo, hi int) {
		m := map[uint64]float64{}
		d := make([]uint32, len(words))
		var loc []int32
		for t := lo; t < hi; t++ {
			loc = loc[:0]
			for _, h := range streams[t] {
				if i, ok := index[h]; ok {
					loc = append(loc, i)
				} else {
					loc = append(loc, -1) // an unknown word keeps its place
				}
			}
			for a := range loc {
				if loc[a] < 0 {
					continue
				}
				for o := 1; o <= cfg.Window && a+o < len(loc); o++ {
					b := loc[a+o]
					if b < 0 {
						continue
					}
					i, j := loc[a], b
					if i > j {
						i, j = j, i
					}
					m[uint64(i)<<32|uint64(j)] += 1 / float64(o)
				}
			}
			seen := map[int32]bool{}
			for _, i := range loc {
				if i >= 0 && !seen[i] {
					seen[i] = true
					d[i]++
				}
			}
		}
		parts[p], df[p] = m, d
	}); err != nil {
		return nil, err
	}
	pairs := map[uint64]float64{}
	for _, m := range parts {
		keys := make([]uint64, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			pairs[k] += m[k]
		}
	}
	docs := make([]uint32, len(words))
	for _, d := range df {
		for i, c := range d {
			docs[i] += c
		}
	}
	x := ppmiMatrix(pairs, len(words))
	v, _, err := truncatedSVD(ctx, x, cfg.Dim, cfg.Oversample, cfg.PowerIters, cfg.Seed)
	if err != nil {
		return nil, err
	}
	bg := &Background{n: len(texts), dim: cfg.Dim, words: words, df: docs}
	// a word's vector: its singular vector (of a symmetric matrix: U is V
	// up to the sign of columns, which no cosine sees) times its idf
	raw := v.RawMatrix()
	bg.scale = make([]float32, len(words))
	bg.q = make([]int8, len(words)*cfg.Dim)
	row := make([]float64, cfg.Dim)
	for i := range words {
		idf := math.Log(float64(len(texts)) / float64(max(1, docs[i])))
		big := 0.0
		for j := range row {
			row[j] = raw.Data[i*raw.Stride+j] * idf
			big = max(big, math.Abs(row[j]))
		}
		s := big / 127
		if s == 0 {
			s = 1
		}
		bg.scale[i] = float32(s)
		for j, x := range row {
			bg.q[i*cfg.Dim+j] = int8(math.Round(x / s))
		}
	}
	bg.u1 = make([]float32, cfg.Dim) // no common direction yet: computed from the vectors
	bg.build(nil)
	u1, err := bg.commonDirection(ctx, texts)
	if err != nil {
		return nil, err
	}
	bg.u1 = u1
	if err := bg.fitStats(ctx, texts, cfg.StatsMinDF); err != nil {
		return nil, err
	}
	bg.build(nil)
	return bg, nil
}

// ppmiMatrix is the positive pointwise mutual information of symmetric
// co-occurrences (pairs i <= j), as a CSR matrix with sorted rows.
func ppmiMatrix(pairs map[uint64]float64, n int) *csr {
	keys := make([]uint64, 0, len(pairs))
	for k := range pairs {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	rowSum := make([]float64, n)
	total := 0.0
	for _, k := range keys {
		i, j, w := int(k>>32), int(uint32(k)), pairs[k]
		rowSum[i] += w
		total += w
		if i != j {
			rowSum[j] += w
			total += w
		} else {
			rowSum[i] += w // M + M^T doubles the diagonal
			total += w
		}
	}
	type cell struct {
		j int32
		v float64
	}
	rows := make([][]cell, n)
	add := func(i, j int, w float64) {
		pmi := math.Log(w * total / (rowSum[i] * rowSum[j]))
		if pmi > 0 {
			rows[i] = append(rows[i], cell{int32(j), pmi})
		}
	}
	for _, k := range keys {
		i, j, w := int(k>>32), int(uint32(k)), pairs[k]
		if i == j {
			add(i, i, 2*w)
			continue
		}
		add(i, j, w)
		add(j, i, w)
	}
	m := &csr{rows: n, cols: n, ptr: make([]int, n+1)}
	for i, r := range rows {
		sort.Slice(r, func(a, b int) bool { return r[a].j < r[b].j })
		for _, c := range r {
			m.idx = append(m.idx, c.j)
			m.val = append(m.val, c.v)
		}
		m.ptr[i+1] = len(m.idx)
	}
	return m
}

// commonDirection is the first right singular vector of the normalised
// background vectors of every fourth text (uncentred): the direction every
// abstract shares, which says nothing of its topic.
func (bg *Background) commonDirection(ctx context.Context, texts []string) ([]float32, error) {
	var sample []string
	for i := 0; i < len(texts); i += 4 {
		sample = append(sample, texts[i])
	}
	vs := make([][]float32, len(sample))
	if err := parallel.For(ctx, len(sample), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			vs[i] = bg.raw(sample[i])
		}
	}); err != nil {
		return nil, err
	}
	gram := mat.NewSymDense(bg.dim, nil)
	for _, v := range vs {
		if Normalize(v) != nil {
			continue
		}
		for a := 0; a < bg.dim; a++ {
			for b := a; b < bg.dim; b++ {
				gram.SetSym(a, b, gram.At(a, b)+float64(v[a])*float64(v[b]))
			}
		}
	}
	var eig mat.EigenSym
	if !eig.Factorize(gram, true) {
		return nil, errSVD
	}
	vals := eig.Values(nil)
	var w mat.Dense
	eig.VectorsTo(&w)
	top := 0
	for i := range vals {
		if vals[i] > vals[top] {
			top = i
		}
	}
	u := make([]float32, bg.dim)
	big, neg := 0.0, false
	for a := range u {
		x := w.At(a, top)
		u[a] = float32(x)
		if math.Abs(x) > big {
			big, neg = math.Abs(x), x < 0
		}
	}
	if neg {
		for a := range u {
			u[a] = -u[a]
		}
	}
	return u, nil
}

// fitStats counts how many texts use each unigram and bigram, and how
// often a text that uses one uses it, for the terms in minDF texts or more.
func (bg *Background) fitStats(ctx context.Context, texts []string, minDF int) error {
	type st struct{ df, tf int }
	parts := make([]map[uint64]st, fitParts)
	if err := parallel.Fixed(ctx, len(texts), fitParts, func(p, lo, hi int) {
		m := map[uint64]st{}
		var terms []uint64
		for i := lo; i < hi; i++ {
			terms = tfidf.AppendTerms(terms[:0], texts[i], true)
			slices.Sort(terms)
			for a := 0; a < len(terms); {
				b := a
				for b < len(terms) && terms[b] == terms[a] {
					b++
				}
				s := m[terms[a]]
				s.df++
				s.tf += b - a
				m[terms[a]] = s
				a = b
			}
		}
		parts[p] = m
	}); err != nil {
		return err
	}
	all := map[uint64]st{}
	for _, m := range parts {
		for k, s := range m {
			t := all[k]
			t.df += s.df
			t.tf += s.tf
			all[k] = t
		}
	}
	bg.terms, bg.termDF, bg.repeat = nil, nil, nil
	for k, s := range all {
		if s.df >= minDF {
			bg.terms = append(bg.terms, k)
		}
	}
	slices.Sort(bg.terms)
	for _, k := range bg.terms {
		s := all[k]
		bg.termDF = append(bg.termDF, uint32(s.df))
		bg.repeat = append(bg.repeat, float32(float64(s.tf)/float64(s.df)))
	}
	return nil
}

// build makes the lookup table and the dequantised vectors; raw is the
// encoded background (nil: encode it), whose hash is its identity.
func (bg *Background) build(raw []byte) {
	if raw == nil {
		raw, _ = bg.marshal()
	}
	sum := sha256.Sum256(raw)
	bg.id = fmt.Sprintf("bg%d@%s", bg.dim, hex.EncodeToString(sum[:])[:10])
}

// addWord adds c times word i's vector to v: the word's codes times its
// scale into scratch (len dim), then the same Axpy as a dequantised copy
// of every word would take (no such copy is made for a few texts: it would
// be 4 bytes a word and dimension, filled by every process that embeds one
// text).
func (bg *Background) addWord(v []float32, i int, c float32, scratch []float32) {
	s := bg.scale[i]
	for j, q := range bg.q[i*bg.dim : (i+1)*bg.dim] {
		scratch[j] = s * float32(q)
	}
	f32.Axpy(c, scratch, v)
}

// Dim is the dimension of background vectors.
func (bg *Background) Dim() int { return bg.dim }

// Identity names this background: "bg128@" and 10 hex digits of its hash.
func (bg *Background) Identity() string { return bg.id }

// Words is the number of words the background knows.
func (bg *Background) Words() int { return len(bg.words) }

// raw is a text's background vector before normalisation: the sum of its
// known words' vectors, each as many times as the word occurs (nil when it
// has none).
func (bg *Background) raw(text string) []float32 {
	return bg.rawInto(text, nil, nil)
}

func (bg *Background) rawInto(text string, v []float32, terms []uint64) []float32 {
	terms = tfidf.AppendTerms(terms[:0], text, false)
	known := false
	if v == nil {
		v = make([]float32, bg.dim)
	} else {
		clear(v)
	}
	slices.Sort(terms)
	var vecs, word []float32
	if p := bg.vecs.Load(); p != nil {
		vecs = *p
	}
	for a := 0; a < len(terms); {
		b := a
		for b < len(terms) && terms[b] == terms[a] {
			b++
		}
		if i, ok := slices.BinarySearch(bg.words, terms[a]); ok {
			if vecs != nil {
				f32.Axpy(float32(b-a), vecs[i*bg.dim:(i+1)*bg.dim], v)
			} else {
				if word == nil {
					word = make([]float32, bg.dim)
				}
				bg.addWord(v, i, float32(b-a), word)
			}
			known = true
		}
		a = b
	}
	if !known {
		return nil
	}
	return v
}

// embedInto writes text's background vector into v (len Dim): normalised,
// without the common direction, normalised again. It reports false for a
// text with no known word.
func (bg *Background) embedInto(text string, v []float32, terms []uint64) bool {
	if bg.rawInto(text, v, terms) == nil {
		return false
	}
	if Normalize(v) != nil {
		return false
	}
	d := f32.Dot(v, bg.u1)
	f32.Axpy(-d, bg.u1, v)
	return Normalize(v) == nil
}

// Stats returns how common a term (a lowercase word, or two words joined
// by a space, as package tfidf tokenises) is in the background: see
// TermStats.Stats.
func (bg *Background) Stats(term string) (df, repeat float64, ok bool) {
	return bg.TermStats().Stats(term)
}

// TermStats is the background's statistics of terms.
func (bg *Background) TermStats() *TermStats {
	return &TermStats{n: bg.n, terms: bg.terms, termDF: bg.termDF, repeat: bg.repeat}
}

const bgMagic = "PSBG1\n"

// marshal encodes the background (uncompressed).
func (bg *Background) marshal() ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(bgMagic)
	for _, part := range []any{[]uint32{uint32(bg.n), uint32(bg.dim), uint32(len(bg.words)), uint32(len(bg.terms))},
		bg.words, bg.df, bg.scale, bg.q, bg.u1, bg.terms, bg.termDF, bg.repeat} {
		if err := binary.Write(&b, binary.LittleEndian, part); err != nil {
			return nil, err
		}
	}
	return b.Bytes(), nil
}

// WriteTo writes the background, gzip-compressed, as LoadBackground reads
// it; the same background gives the same bytes. The encoding is written in
// two gzip members, cut before the statistics of terms, the first naming
// where the second starts (see LoadTermStats): read whole, they are the
// one encoding the background's identity hashes.
func (bg *Background) WriteTo(w io.Writer) (int64, error) {
	raw, err := bg.marshal()
	if err != nil {
		return 0, err
	}
	cut := len(raw) - 16*len(bg.terms)
	first, err := gzipMember(raw[:cut], statsExtra(0))
	if err != nil {
		return 0, err
	}
	// the header's size does not depend on the offset it holds
	binary.LittleEndian.PutUint64(first[statsAt:], uint64(len(first)))
	second, err := gzipMember(raw[cut:], nil)
	if err != nil {
		return 0, err
	}
	n, err := w.Write(append(first, second...))
	return int64(n), err
}

// gzipMember compresses b into one gzip member with the header's extra
// field extra.
func gzipMember(b, extra []byte) ([]byte, error) {
	var out bytes.Buffer
	zw, err := gzip.NewWriterLevel(&out, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	zw.Extra = extra
	if _, err := zw.Write(b); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// errBackground is a background file that cannot be read.
var errBackground = errors.New("embed: not a background model (regenerate it: see the README)")

// LoadBackground reads a background written by WriteTo.
func LoadBackground(r io.Reader) (*Background, error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errBackground, err)
	}
	// the gzip trailer's size (mod 2^32) lets the whole be read into one
	// buffer of its size, not grown by doubling (fresh memory is what
	// costs here); a wrong one only costs that
	size := 0
	if br, ok := r.(*bytes.Reader); ok && br.Size() >= 4 {
		// the trailers of both members (WriteTo), or of the one
		ends := []int64{br.Size()}
		if off, ok := statsOffset(zr.Header.Extra); ok && off >= 4 && off < br.Size() {
			ends = append(ends, off)
		}
		var all int64
		for _, end := range ends {
			var tail [4]byte
			if _, err := br.ReadAt(tail[:], end-4); err == nil {
				all += int64(binary.LittleEndian.Uint32(tail[:]))
			}
		}
		// at most a ratio no real background reaches (1.2 here)
		size = int(min(all, 8*br.Size(), 1<<30))
	}
	buf := bytes.NewBuffer(make([]byte, 0, size+bytes.MinRead))
	if _, err := buf.ReadFrom(io.LimitReader(zr, 1<<30)); err != nil {
		return nil, fmt.Errorf("%w: %v", errBackground, err)
	}
	raw := buf.Bytes()
	if !bytes.HasPrefix(raw, []byte(bgMagic)) {
		return nil, errBackground
	}
	rd := bytes.NewReader(raw[len(bgMagic):])
	hdr := make([]uint32, 4)
	if err := binary.Read(rd, binary.LittleEndian, hdr); err != nil {
		return nil, errBackground
	}
	n, dim, nw, nt := int(hdr[0]), int(hdr[1]), int(hdr[2]), int(hdr[3])
	if dim <= 0 || dim > 4096 || int64(nw)*int64(dim+16)+int64(nt)*16 > int64(len(raw)) {
		return nil, errBackground
	}
	bg := &Background{n: n, dim: dim, words: make([]uint64, nw), df: make([]uint32, nw), scale: make([]float32, nw),
		u1: make([]float32, dim), terms: make([]uint64, nt), termDF: make([]uint32, nt), repeat: make([]float32, nt)}
	for _, part := range []any{bg.words, bg.df, bg.scale, "q", bg.u1, bg.terms, bg.termDF, bg.repeat} {
		if part == "q" {
			// the word vectors' codes are bytes: read in place
			at := len(raw) - rd.Len()
			if rd.Len() < nw*dim {
				return nil, errBackground
			}
			bg.q = unsafe.Slice((*int8)(unsafe.Pointer(unsafe.SliceData(raw[at:]))), nw*dim)
			rd.Seek(int64(nw*dim), io.SeekCurrent)
			continue
		}
		if err := binary.Read(rd, binary.LittleEndian, part); err != nil {
			return nil, fmt.Errorf("%w: %v", errBackground, err)
		}
	}
	if rd.Len() != 0 || n <= 0 || !slices.IsSorted(bg.words) || !slices.IsSorted(bg.terms) {
		return nil, errBackground // the lookups are binary searches
	}
	bg.build(raw)
	return bg, nil
}
