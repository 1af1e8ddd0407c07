package recommend

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"sort"
	"testing"
)

// topics makes n unit vectors around each of k random centres; row i is in topic i%k.
func topics(seed uint64, k, n, dim int, spread float64) []float32 {
	rng := rand.New(rand.NewPCG(seed, 9))
	centres := randomUnit(rng, k, dim)
	data := make([]float32, k*n*dim)
	for i := 0; i < k*n; i++ {
		c := centres[(i%k)*dim : (i%k+1)*dim]
		row := data[i*dim : (i+1)*dim]
		var ss float64
		for j := range row {
			row[j] = c[j] + float32(spread*rng.NormFloat64()/math.Sqrt(float64(dim)))
			ss += float64(row[j]) * float64(row[j])
		}
		for j := range row {
			row[j] /= float32(math.Sqrt(ss))
		}
	}
	return data
}

func TestRankCoversBothTopicsAndAvoidsDislikes(t *testing.T) {
	const k, n, dim = 4, 100, 32
	data := topics(1, k, n, dim, 1.0)
	// likes: 5 of topic 0 and 5 of topic 1; dislikes: 3 of topic 2
	p := Profile{}
	for i := 0; i < 5; i++ {
		p.Likes = append(p.Likes, i*k+0, i*k+1)
		p.Dislikes = append(p.Dislikes, i*k+2)
	}
	p.Dislikes = p.Dislikes[:3]
	banned := map[int]bool{}
	for _, r := range append(append([]int{}, p.Likes...), p.Dislikes...) {
		banned[r] = true
	}
	var cand []int
	for i := 0; i < k*n; i++ {
		if !banned[i] {
			cand = append(cand, i)
		}
	}
	items, err := Rank(context.Background(), data, dim, cand, p, QueueOptions{N: 20})
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 20 {
		t.Fatalf("%d items", len(items))
	}
	per := map[int]int{}
	for _, it := range items {
		per[it.Index%k]++
		if banned[it.Index] {
			t.Errorf("queue holds liked or disliked row %d", it.Index)
		}
		if it.Reason.Anchor < 0 && it.Reason.Interest < 0 {
			t.Errorf("row %d has no reason", it.Index)
		}
		if it.Reason.Anchor >= 0 && it.Reason.Anchor%k != it.Index%k {
			t.Errorf("row %d (topic %d) is explained by a like of topic %d", it.Index, it.Index%k, it.Reason.Anchor%k)
		}
	}
	if per[0] < 6 || per[1] < 6 || per[0]+per[1] < 19 {
		t.Errorf("topics in the top 20: %v, want both liked topics well covered", per)
	}
	// the disliked topic ranks below the neutral one
	all, _ := Scores(context.Background(), data, dim, cand, p, QueueOptions{})
	var sum [k]float64
	var cnt [k]int
	for i, r := range cand {
		sum[r%k] += all[i]
		cnt[r%k]++
	}
	if sum[2]/float64(cnt[2]) >= sum[3]/float64(cnt[3]) {
		t.Errorf("disliked topic scores %.2f, neutral topic %.2f", sum[2]/float64(cnt[2]), sum[3]/float64(cnt[3]))
	}
	// same input, same queue
	again, _ := Rank(context.Background(), data, dim, cand, p, QueueOptions{N: 20})
	if !reflect.DeepEqual(items, again) {
		t.Error("two runs differ")
	}
}

func TestRankNamesDislikeAndInterest(t *testing.T) {
	const k, n, dim = 3, 50, 16
	data := topics(2, k, n, dim, 0.3)
	interest := append([]float32(nil), data[1*dim:2*dim]...) // a vector of topic 1
	p := Profile{Likes: []int{0, 3}, Dislikes: []int{6}, Interests: [][]float32{interest}}
	var cand []int
	for i := 0; i < k*n; i++ {
		if i != 0 && i != 3 && i != 6 {
			cand = append(cand, i)
		}
	}
	items, err := Rank(context.Background(), data, dim, cand, p, QueueOptions{N: k * n})
	if err != nil {
		t.Fatal(err)
	}
	sawInterest, sawDislike := false, false
	for _, it := range items {
		if it.Reason.Interest == 0 && it.Index%k == 1 {
			sawInterest = true
		}
		if it.Reason.Dislike == 6 {
			sawDislike = true
			if it.Reason.DislikeSimilarity <= 0 {
				t.Errorf("dislike named with similarity %v", it.Reason.DislikeSimilarity)
			}
		}
	}
	if !sawInterest {
		t.Error("no paper of topic 1 was explained by the interest")
	}
	if !sawDislike {
		t.Error("no paper near the disliked one names it")
	}
	if _, err := Rank(context.Background(), data, dim, cand, Profile{Dislikes: []int{1}}, QueueOptions{}); !errors.Is(err, ErrEmptyProfile) {
		t.Errorf("dislikes only: %v", err)
	}
}

func TestDiversitySpreadsTheTop(t *testing.T) {
	const k, n, dim = 2, 200, 32
	data := topics(3, k, n, dim, 0.8)
	// six likes of topic 0, four of topic 1: without diversity topic 0 fills the top
	p := Profile{Likes: []int{0, 2, 4, 6, 8, 10, 1, 3, 5, 7}}
	var cand []int
	for i := 20; i < k*n; i++ {
		cand = append(cand, i)
	}
	count := func(div float64) int {
		items, err := Rank(context.Background(), data, dim, cand, p, QueueOptions{N: 10, Diversity: div})
		if err != nil {
			t.Fatal(err)
		}
		c := 0
		for _, it := range items {
			c += it.Index % k
		}
		return c
	}
	off, on := count(-1), count(0.8)
	t.Logf("topic-1 papers in the top 10: %d without diversity, %d with", off, on)
	if on <= off {
		t.Errorf("topic-1 papers in the top 10: %d with diversity, %d without", on, off)
	}
}

func TestEvaluate(t *testing.T) {
	const k, n, dim = 3, 60, 16
	data := topics(4, k, n, dim, 0.5)
	p := Profile{Likes: []int{0, 3, 6, 9, 12}}
	var pool []int // papers of the other topics: each held-out like should top them
	for i := 15; i < k*n; i++ {
		if i%k != 0 {
			pool = append(pool, i)
		}
	}
	ev, err := Evaluate(context.Background(), data, dim, pool, p, 10, QueueOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if ev.Rounds != 5 || ev.AUC < 0.95 || ev.HitRate < 0.8 || ev.Chance > 0.1 {
		t.Errorf("evaluation of a clear reader: %+v", ev)
	}
	if math.Abs(ev.PrecisionAtK-ev.HitRate/10) > 1e-12 {
		t.Errorf("precision %v, hit rate %v", ev.PrecisionAtK, ev.HitRate)
	}
	if _, err := Evaluate(context.Background(), data, dim, pool, Profile{Likes: []int{0}}, 10, QueueOptions{}); !errors.Is(err, ErrTooFewLikes) {
		t.Errorf("one like: %v", err)
	}
}

func ExampleTopK() {
	// four unit vectors in 2-D
	data := []float32{1, 0, 0.8, 0.6, 0, 1, -1, 0}
	hits, _ := TopK(context.Background(), data, 2, []float32{1, 0}, 2, func(i int) bool { return i == 0 })
	for _, h := range hits {
		fmt.Printf("row %d cosine %.1f\n", h.Index, h.Score)
	}
	// Output:
	// row 1 cosine 0.8
	// row 2 cosine 0.0
}

func ExampleRank() {
	// two topics on the axes; the reader liked row 0 (topic x)
	data := []float32{
		1, 0, // 0: liked
		0.9, 0.1, // 1
		0.1, 0.9, // 2
		0.95, 0.05, // 3
		0, 1, // 4
	}
	for i := 0; i < 5; i++ {
		v := data[2*i : 2*i+2]
		norm := float32(math.Hypot(float64(v[0]), float64(v[1])))
		v[0], v[1] = v[0]/norm, v[1]/norm
	}
	items, _ := Rank(context.Background(), data, 2, []int{1, 2, 3, 4}, Profile{Likes: []int{0}}, QueueOptions{N: 2, Diversity: -1})
	for _, it := range items {
		fmt.Printf("row %d, closest to liked row %d\n", it.Index, it.Reason.Anchor)
	}
	// Output:
	// row 3, closest to liked row 0
	// row 1, closest to liked row 0
}

// topBy is the head of the whole order (score, best first, ties by
// index), and meanTop the mean of the largest values, for many draws.
func TestTopByAndMeanTop(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	for trial := range 200 {
		n := 1 + r.IntN(60)
		s := make([]float64, n)
		in := make([]bool, n)
		for i := range s {
			s[i] = float64(r.IntN(8)) // many ties
			in[i] = r.IntN(4) > 0
		}
		var all []int
		for i := range s {
			if in[i] {
				all = append(all, i)
			}
		}
		sort.SliceStable(all, func(a, b int) bool { return s[all[a]] > s[all[b]] })
		k := r.IntN(n + 2)
		if got, want := topBy(func(a, b int) bool { return s[a] < s[b] || s[a] == s[b] && a > b }, in, k), all[:min(k, len(all))]; !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
			t.Fatalf("trial %d: topBy %v, want %v (scores %v)", trial, got, want, s)
		}
		m := 1 + r.IntN(5)
		sorted := slices.Clone(s)
		sort.Sort(sort.Reverse(sort.Float64Slice(sorted)))
		var sum float64
		for _, v := range sorted[:min(m, n)] {
			sum += v
		}
		if got, want := meanTop(s, m), sum/float64(min(m, n)); got != want {
			t.Fatalf("trial %d: meanTop %v, want %v", trial, got, want)
		}
	}
}

// fastExp is e^x within a few parts in 10^9 over the range the model meets
// and beyond.
func TestFastExp(t *testing.T) {
	for x := -700.0; x <= 700; x += 0.0137 {
		want, got := math.Exp(x), fastExp(x)
		if math.Abs(got-want) > 1e-8*want {
			t.Fatalf("fastExp(%v) = %v, math.Exp %v", x, got, want)
		}
	}
	if fastExp(800) != math.Inf(1) || fastExp(-800) != 0 || !math.IsNaN(fastExp(math.NaN())) {
		t.Fatal("fastExp at the ends")
	}
}

// Relevance depends on the direction of a paper's centred vector, not on
// its length: two candidates on one ray from the corpus mean score alike,
// however far from the mean each lies (a long centred vector used to win
// the learned model's margin on length alone).
func TestScoresUseDirectionsOfCentredVectors(t *testing.T) {
	const dim = 8
	base := topics(3, 3, 40, dim, 0.8) // 120 rows
	n0 := len(base) / dim
	// two candidates c1 = m + a d and c2 = m + b d, m the mean of all rows
	// with them: m = (sum of the others + (a + b) d) / n0
	d := []float64{0.3, -0.2, 0.5, 0.1, -0.4, 0.2, 0.6, -0.1}
	a, b := 0.2, 1.5
	m := make([]float64, dim)
	for i := 0; i < n0; i++ {
		for j := range m {
			m[j] += float64(base[i*dim+j])
		}
	}
	for j := range m {
		m[j] = (m[j] + (a+b)*d[j]) / float64(n0)
	}
	data := slices.Clone(base)
	for _, s := range []float64{a, b} {
		for j := range m {
			data = append(data, float32(m[j]+s*d[j]))
		}
	}
	c1, c2 := n0, n0+1
	p := Profile{Likes: []int{0, 3, 6, 9, 1}, Dislikes: []int{2, 5}}
	var cand []int
	for i := 0; i < n0+2; i++ {
		if !slices.Contains(p.Likes, i) && !slices.Contains(p.Dislikes, i) {
			cand = append(cand, i)
		}
	}
	sc, err := Scores(context.Background(), data, dim, cand, p, QueueOptions{})
	if err != nil {
		t.Fatal(err)
	}
	s1, s2 := sc[slices.Index(cand, c1)], sc[slices.Index(cand, c2)]
	if math.Abs(s1-s2) > 1e-4 {
		t.Errorf("two candidates on one ray from the mean: scores %.6f and %.6f", s1, s2)
	}
	// and a candidate off that ray scores otherwise (the check can fail)
	if s3 := sc[0]; math.Abs(s3-s1) < 1e-3 {
		t.Errorf("a candidate off the ray scores %.6f like those on it (%.6f)", s3, s1)
	}
}
