package tfidf

import (
	"context"
	"errors"
	"math"
	"slices"
	"sort"

	"github.com/papersift/papersift/internal/parallel"
)

// Options configure a vocabulary fit. The zero value means the defaults.
type Options struct {
	// Unigrams only when set; the default is unigrams and bigrams.
	NoBigrams bool
	// MinDF drops terms found in fewer documents (default 2, or 1 below 20 documents).
	MinDF int
	// MaxDF drops terms found in more than this share of documents (default 0.5).
	MaxDF float64
	// MaxFeatures keeps the terms with the highest count over the corpus (0: 50,000).
	MaxFeatures int
	// SmoothIDF uses ln((1+n)/(1+df)) + 1 (scikit-learn's default) instead of
	// the plain ln(n/df), which measured better for the built-in embedder.
	SmoothIDF bool
}

func (o Options) withDefaults(n int) Options {
	if o.MinDF <= 0 {
		o.MinDF = 2
		if n < 20 {
			o.MinDF = 1
		}
	}
	if o.MaxDF <= 0 || o.MaxDF > 1 {
		o.MaxDF = 0.5
	}
	if o.MaxFeatures <= 0 {
		o.MaxFeatures = 50000
	}
	return o
}

// Vocabulary maps term hashes to columns and holds their inverse document
// frequencies.
type Vocabulary struct {
	Terms   []uint64 // column -> term hash, sorted ascending
	IDF     []float32
	Bigrams bool
	index   map[uint64]int32
}

// ErrEmptyVocabulary is returned when no term survives the fit's filters.
var ErrEmptyVocabulary = errors.New("tfidf: no terms left after filtering (texts too short or too few)")

// Fit builds a vocabulary from the documents' texts. It runs on all cores and
// gives the same result whatever their number.
func Fit(ctx context.Context, docs []string, opt Options) (*Vocabulary, error) {
	opt = opt.withDefaults(len(docs))
	const parts = 8 // fixed, so that the result never depends on the core count
	type counts struct{ df, tf int32 }
	dfs := make([]map[uint64]counts, parts)
	err := parallel.Fixed(ctx, len(docs), parts, func(p, lo, hi int) {
		df := make(map[uint64]counts, 1<<14)
		var terms []uint64
		for i := lo; i < hi; i++ {
			terms = AppendTerms(terms[:0], docs[i], !opt.NoBigrams)
			slices.Sort(terms)
			for j := 0; j < len(terms); {
				k := j
				for k < len(terms) && terms[k] == terms[j] {
					k++
				}
				c := df[terms[j]]
				c.df++
				c.tf += int32(k - j)
				df[terms[j]] = c
				j = k
			}
		}
		dfs[p] = df
	})
	if err != nil {
		return nil, err
	}
	df := dfs[0]
	for _, m := range dfs[1:] {
		for t, c := range m {
			d := df[t]
			d.df += c.df
			d.tf += c.tf
			df[t] = d
		}
	}
	n := len(docs)
	maxDF := int32(math.Floor(opt.MaxDF * float64(n)))
	if maxDF < 1 {
		maxDF = 1
	}
	type tc struct {
		t      uint64
		df, tf int32
	}
	kept := make([]tc, 0, len(df)/4)
	for t, c := range df {
		if c.df >= int32(opt.MinDF) && (c.df <= maxDF || n < 10) {
			kept = append(kept, tc{t, c.df, c.tf})
		}
	}
	if len(kept) > opt.MaxFeatures {
		sort.Slice(kept, func(i, j int) bool {
			if kept[i].tf != kept[j].tf {
				return kept[i].tf > kept[j].tf
			}
			return kept[i].t < kept[j].t
		})
		kept = kept[:opt.MaxFeatures]
	}
	if len(kept) == 0 {
		return nil, ErrEmptyVocabulary
	}
	sort.Slice(kept, func(i, j int) bool { return kept[i].t < kept[j].t })
	v := &Vocabulary{Terms: make([]uint64, len(kept)), IDF: make([]float32, len(kept)), Bigrams: !opt.NoBigrams}
	for i, k := range kept {
		v.Terms[i] = k.t
		if opt.SmoothIDF {
			v.IDF[i] = float32(math.Log(float64(1+n)/float64(1+k.df)) + 1)
		} else {
			v.IDF[i] = float32(math.Log(float64(n) / float64(k.df)))
		}
	}
	v.buildIndex()
	return v, nil
}

// New returns a vocabulary from saved terms (sorted ascending) and idf weights.
func New(terms []uint64, idf []float32, bigrams bool) (*Vocabulary, error) {
	if len(terms) != len(idf) {
		return nil, errors.New("tfidf: terms and idf differ in length")
	}
	if !slices.IsSorted(terms) {
		return nil, errors.New("tfidf: terms are not sorted")
	}
	v := &Vocabulary{Terms: terms, IDF: idf, Bigrams: bigrams}
	v.buildIndex()
	return v, nil
}

func (v *Vocabulary) buildIndex() {
	v.index = make(map[uint64]int32, len(v.Terms))
	for i, t := range v.Terms {
		v.index[t] = int32(i)
	}
}

// Len is the number of columns.
func (v *Vocabulary) Len() int { return len(v.Terms) }

// Sparse is a sparse row: column indices ascending, and their values.
type Sparse struct {
	Idx []int32
	Val []float32
}

// Dot returns the inner product of two sparse rows.
func (s Sparse) Dot(o Sparse) float32 {
	var sum float32
	i, j := 0, 0
	for i < len(s.Idx) && j < len(o.Idx) {
		switch {
		case s.Idx[i] == o.Idx[j]:
			sum += s.Val[i] * o.Val[j]
			i++
			j++
		case s.Idx[i] < o.Idx[j]:
			i++
		default:
			j++
		}
	}
	return sum
}

// Vectorizer turns texts into L2-normalised sublinear TF-IDF rows. It holds
// scratch space: use one per goroutine.
type Vectorizer struct {
	v     *Vocabulary
	terms []uint64
	cols  []int32
}

// Vectorizer returns a new vectorizer over v.
func (v *Vocabulary) Vectorizer() *Vectorizer { return &Vectorizer{v: v} }

// Row returns the TF-IDF row of text (1 + ln tf) * idf, L2-normalised; a
// text with no known term gives an empty row.
func (z *Vectorizer) Row(text string) Sparse {
	z.terms = AppendTerms(z.terms[:0], text, z.v.Bigrams)
	z.cols = z.cols[:0]
	for _, t := range z.terms {
		if c, ok := z.v.index[t]; ok {
			z.cols = append(z.cols, c)
		}
	}
	slices.Sort(z.cols)
	var row Sparse
	for i := 0; i < len(z.cols); {
		j := i
		for j < len(z.cols) && z.cols[j] == z.cols[i] {
			j++
		}
		c := z.cols[i]
		row.Idx = append(row.Idx, c)
		row.Val = append(row.Val, float32(1+math.Log(float64(j-i)))*z.v.IDF[c])
		i = j
	}
	var ss float64
	for _, x := range row.Val {
		ss += float64(x) * float64(x)
	}
	if ss > 0 {
		inv := float32(1 / math.Sqrt(ss))
		for i := range row.Val {
			row.Val[i] *= inv
		}
	}
	return row
}

// Rows vectorizes many texts on all cores.
func (v *Vocabulary) Rows(ctx context.Context, texts []string) ([]Sparse, error) {
	out := make([]Sparse, len(texts))
	err := parallel.For(ctx, len(texts), func(lo, hi int) {
		z := v.Vectorizer()
		for i := lo; i < hi; i++ {
			out[i] = z.Row(texts[i])
		}
	})
	return out, err
}
