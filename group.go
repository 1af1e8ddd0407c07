package papersift

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/papersift/papersift/cluster"
	"github.com/papersift/papersift/embed"
	"github.com/papersift/papersift/internal/parallel"
	"github.com/papersift/papersift/store"
)

// GroupOptions ask for the topics of some papers.
type GroupOptions struct {
	Scope Scope  // default: the most recently ingested list
	K     int    // the number of topics; 0 chooses it (auto)
	Seed  uint64 // same data, same seed: same topics
	// TitlesFor, when above 0, gives titles to the first TitlesFor papers
	// of each cluster only (those a summary shows), the others' Title
	// being empty: a million papers' titles take seconds to read; below
	// 0, no paper has its title.
	TitlesFor int
}

// Groups are papers clustered into topics.
type Groups struct {
	K        int       `json:"k"`
	List     string    `json:"list,omitempty"`  // the list grouped, when one
	Lists    []string  `json:"lists,omitempty"` // the lists grouped, when several
	Model    string    `json:"model"`
	Auto     *AutoK    `json:"auto,omitempty"`
	Clusters []Cluster `json:"clusters"`
	Missing  int       `json:"missing"` // papers of the scope without a vector, left out
	// Silhouette measures how well the papers fall into the topics: the
	// mean, over the papers, of how much closer each is to its own topic
	// than to the next (-1 to 1; near 0, no clear topics).
	Silhouette float64 `json:"silhouette"`
	// Weak: the papers do not fall into clear topics (Note says so in words).
	Weak bool   `json:"weak"`
	Note string `json:"note,omitempty"`
}

// AutoK says how K was chosen.
type AutoK struct {
	Criterion string  `json:"criterion"`
	Score     float64 `json:"score"`
	Tried     []Tried `json:"tried"`
}

// Tried is one K tried and its score.
type Tried struct {
	K     int     `json:"k"`
	Score float64 `json:"score"`
}

// Cluster is a topic: its label, distinctive terms and papers, closest to
// its centre first (Score is the cosine to the centre).
type Cluster struct {
	ID    int      `json:"id"`
	Label string   `json:"label"`
	Terms []string `json:"terms"`
	Size  int      `json:"size"`
	// Weak marks a cluster that is no clear topic: its terms name nothing
	// it alone is about (its label is then its most central paper's
	// title), or its papers are as close to other topics as to each other.
	Weak       bool    `json:"weak,omitempty"`
	Silhouette float64 `json:"silhouette"` // its papers' mean silhouette
	Papers     []Hit   `json:"papers"`
}

// Thresholds of weak structure (see Groups.Weak and Cluster.Weak).
const (
	weakSplit   = 0.05 // a mean silhouette below: no clear topics
	weakCluster = 0.0  // a cluster's mean silhouette below: a grab-bag
	// silhouetteSample caps the papers the silhouette is measured on.
	silhouetteSample = 1000
)

// groupProgressFrom is the number of papers from which grouping may take a
// couple of seconds and shows its progress.
const groupProgressFrom = 50000

// labelSample caps the papers per cluster that its label is computed from
// (the closest to the centroid): 200, and 2,000 for all clusters together
// (at least 30 each), so that labels cost about the same on a day's list and
// on 74,000 papers.
func labelSample(k int) int {
	return max(30, min(200, 2000/max(1, k)))
}

// Group clusters the papers of a scope into topics with spherical k-means,
// each labelled by its distinctive terms. Clusters are ordered by size.
func (l *Library) Group(ctx context.Context, o GroupOptions) (*Groups, error) {
	s, err := l.db(ctx)
	if err != nil {
		return nil, err
	}
	f, err := resolveScope(ctx, s, o.Scope)
	if err != nil {
		return nil, err
	}
	want, err := allowed(ctx, s, f)
	if err != nil {
		return nil, err
	}
	small, err := isSmallScope(ctx, s, want)
	if err != nil {
		return nil, err
	}
	var mat *store.Matrix
	if small {
		mat, err = l.scopeMatrix(ctx, s, want) // a day's list: its own vectors only
	} else {
		mat, err = l.activeMatrix(ctx, s)
	}
	if err != nil {
		return nil, err
	}
	sel, err := selectRows(ctx, s, mat, want, small)
	if err != nil {
		return nil, err
	}
	if sel.missing > 0 {
		l.notef("note: %d paper(s) have no vector of %s and are left out: %s", sel.missing, mat.Model, l.embedAdvice())
	}
	if len(sel.rows) == 0 {
		return nil, fmt.Errorf("no embedded papers to group (run papersift embed)")
	}
	// The labels need the background model, and the JSON of every paper
	// every title: both are read while k-means runs.
	var titles sync.WaitGroup
	var titlesErr error
	titles.Go(func() { labelBackground() })
	if o.TitlesFor == 0 {
		titles.Go(func() { titlesErr = readTitles(ctx, s, mat, sel) })
	}
	defer titles.Wait() // never reading on after an error
	dim, model := mat.Dim, mat.Model
	// the points are the rows sel.rows lists, in its order
	data, rows := inOrder(ctx, mat.Data, dim, sel.rows)
	out := &Groups{List: f.name(), Model: model, Missing: sel.missing}
	if len(f.Lists) > 1 {
		out.Lists = f.Lists
	}
	km := cluster.KMeans{K: o.K, Seed: o.Seed}
	if len(sel.rows) >= groupProgressFrom {
		// a long fit: iterations as they go (their number is not known)
		prog := l.ev.Progress(-1, fmt.Sprintf("grouping %d papers", len(sel.rows)))
		defer prog.Done()
		km.OnIter = func(int) { prog.Add(1) }
	}
	var res *cluster.Result
	if o.K == 0 {
		ch, err := cluster.AutoK{KMeans: km}.FitRows(ctx, data, dim, rows)
		if err != nil {
			return nil, err
		}
		res = ch.Result
		out.Auto = &AutoK{Criterion: ch.Criterion, Score: round3(ch.Score)}
		for _, t := range ch.Tried {
			out.Auto.Tried = append(out.Auto.Tried, Tried{K: t.K, Score: round3(t.Score)})
		}
		if len(ch.Tried) > 0 {
			l.notef("k = %d chosen by %s %.3f (tried %d to %d)", ch.K, ch.Criterion, ch.Score, ch.Tried[0].K, ch.Tried[len(ch.Tried)-1].K)
		}
	} else {
		if o.K > len(sel.rows) {
			l.notef("note: -k %d is more than the %d papers; using k = %d", o.K, len(sel.rows), len(sel.rows))
		}
		if res, err = km.FitRows(ctx, data, dim, rows); err != nil {
			return nil, err
		}
	}
	// how well the papers fall into the topics, on a seeded sample
	var idx []int
	if len(res.Assign) > silhouetteSample {
		idx = rand.New(rand.NewPCG(o.Seed, uint64(len(res.Assign)))).Perm(len(res.Assign))[:silhouetteSample]
		sort.Ints(idx)
	}
	sil, perSil, err := cluster.SilhouettePerRows(ctx, data, dim, rows, res.Assign, idx)
	if err != nil {
		return nil, err
	}
	out.Silhouette = round3(sil)
	data = nil
	// members of each cluster, closest to the centroid first
	members := make([][]int, res.K)
	for i, c := range res.Assign {
		members[c] = append(members[c], i)
	}
	for _, ms := range members {
		sort.Slice(ms, func(a, b int) bool {
			ca, cb := res.Cos[ms[a]], res.Cos[ms[b]]
			if ca != cb {
				return ca > cb
			}
			return sel.ids[ms[a]] < sel.ids[ms[b]]
		})
	}
	topics, err := clusterTopics(ctx, s, sel, members)
	if err != nil {
		return nil, err
	}
	switch {
	case o.TitlesFor == 0:
		if titles.Wait(); titlesErr != nil {
			return nil, titlesErr
		}
	case o.TitlesFor > 0:
		if err := shownTitles(ctx, s, sel, members, o.TitlesFor); err != nil {
			return nil, err
		}
	case o.TitlesFor < 0:
		sel.titles = make([]string, len(sel.ids))
	}
	for c, ms := range members {
		if len(ms) == 0 {
			continue // fewer distinct papers than clusters
		}
		t := topics[c]
		cj := Cluster{Terms: t.Terms, Size: len(ms), Papers: make([]Hit, 0, len(ms)), Label: t.Label, Silhouette: round3(perSil[c])}
		if cj.Terms == nil {
			cj.Terms = []string{}
		}
		if cj.Label == "" {
			cj.Label = label(cj.Terms)
		}
		cj.Weak = len(ms) > 1 && (t.Weak || perSil[c] < weakCluster)
		for _, i := range ms {
			cj.Papers = append(cj.Papers, Hit{ID: sel.ids[i], Title: sel.titles[i], Score: round3(float64(res.Cos[i]))})
		}
		out.Clusters = append(out.Clusters, cj)
	}
	sort.SliceStable(out.Clusters, func(a, b int) bool {
		if out.Clusters[a].Size != out.Clusters[b].Size {
			return out.Clusters[a].Size > out.Clusters[b].Size
		}
		return out.Clusters[a].Label < out.Clusters[b].Label
	})
	for i := range out.Clusters {
		out.Clusters[i].ID = i
	}
	out.K = len(out.Clusters)
	if out.K > 1 && sil < weakSplit {
		out.Weak = true
		out.Note = "these papers do not fall into clear topics: the groups below are loose"
	}
	return out, nil
}

// shownTitles reads the titles of the first n members of each cluster.
func shownTitles(ctx context.Context, s *store.Store, sel *selection, members [][]int, n int) error {
	sel.titles = make([]string, len(sel.ids))
	var pids []int64
	for _, ms := range members {
		for _, i := range ms[:min(n, len(ms))] {
			pids = append(pids, sel.pids[i])
		}
	}
	papers, err := s.PapersByPID(ctx, pids)
	if err != nil {
		return err
	}
	title := make(map[int64]string, len(papers))
	for _, p := range papers {
		title[p.PID] = p.Title
	}
	for _, ms := range members {
		for _, i := range ms[:min(n, len(ms))] {
			sel.titles[i] = title[sel.pids[i]]
		}
	}
	return nil
}

// clusterTopics labels each cluster from the titles and abstracts of its
// representatives: the labelSample papers closest to its centroid.
func clusterTopics(ctx context.Context, s *store.Store, sel *selection, members [][]int) ([]cluster.Topic, error) {
	var pids []int64
	var assign []int
	per := labelSample(len(members))
	for c, ms := range members {
		for _, i := range ms[:min(len(ms), per)] {
			pids = append(pids, sel.pids[i])
			assign = append(assign, c)
		}
	}
	papers, err := s.TextsOf(ctx, pids)
	if err != nil {
		return nil, err
	}
	if len(papers) != len(pids) {
		return nil, fmt.Errorf("label clusters: %d of %d papers not found (was the database changed meanwhile?)", len(pids)-len(papers), len(pids))
	}
	docs := make([]cluster.Doc, len(papers))
	for i, p := range papers {
		docs[i] = cluster.Doc{Title: p.Title, Abstract: p.Abstract}
	}
	return cluster.LabelOptions{Background: labelBackground()}.Topics(docs, assign, len(members)), nil
}

// inOrderMost is the most bytes of vectors that group copies into the
// order of its points (a sixth of the memory budget of a million papers'
// group, 1.5 GB).
var inOrderMost = 256 << 20

// inOrder returns the rows of data that rows lists side by side, with rows
// 0, 1, 2 ..., when they are not in increasing order and take at most
// inOrderMost bytes; else data and rows. k-means reads every point at
// every iteration: in the order of the papers' ids, which need not be the
// order of the stored vectors, most reads miss the caches (64,930 abstracts
// in a random order, k = 50: 520 ms of k-means, 320 ms on a copy; group
// --all of the same abstracts as ingested, k-means 430 -> 380 ms).
func inOrder(ctx context.Context, data []float32, dim int, rows []int) ([]float32, []int) {
	if slices.IsSorted(rows) || len(rows)*dim*4 > inOrderMost {
		return data, rows
	}
	out := make([]float32, len(rows)*dim)
	ident := make([]int, len(rows))
	if parallel.For(ctx, len(rows), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			copy(out[i*dim:(i+1)*dim], data[rows[i]*dim:(rows[i]+1)*dim])
			ident[i] = i
		}
	}) != nil {
		return data, rows // cancelled: k-means returns the error
	}
	return out, ident
}

// labelBackground tells the labeller how common a term is in scientific
// abstracts, from the built-in background model (whatever the embedder: it
// is knowledge of language); nil, the labeller's fixed list of generic
// words, if the background cannot be read.
func labelBackground() func(string) (cluster.TermStats, bool) {
	ts, err := embed.DefaultTermStats() // not the word vectors
	if err != nil {
		return nil
	}
	return func(term string) (cluster.TermStats, bool) {
		df, repeat, ok := ts.Stats(term)
		return cluster.TermStats{DF: df, Repeat: repeat}, ok
	}
}

// label joins the first three terms.
func label(terms []string) string {
	if len(terms) == 0 {
		return "(no distinctive terms)"
	}
	return strings.Join(terms[:min(3, len(terms))], ", ")
}
