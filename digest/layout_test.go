package digest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
)

// mapDay is a day's vectors (built-in model) and topics (group -k auto), as
// testdata/maps holds them (see TestLayoutDays).
type mapDay struct {
	Name   string      `json:"name"`
	Dim    int         `json:"dim"`
	IDs    []string    `json:"ids"`
	Titles []string    `json:"titles"`
	Topic  []int       `json:"topic"`
	Labels []string    `json:"labels"`
	Vec    [][]float32 `json:"vec"`
}

func (d *mapDay) data() []float32 {
	var out []float32
	for _, v := range d.Vec {
		out = append(out, v...)
	}
	return out
}

func mapDays(t testing.TB, set string) []*mapDay {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "maps", set, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no days in testdata/maps (%v)", err)
	}
	var days []*mapDay
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var d mapDay
		if err := json.Unmarshal(b, &d); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		days = append(days, &d)
	}
	return days
}

// nearest returns the k points nearest point i (ties to the lower index).
func nearest(pts [][2]float64, i, k int) []int {
	idx := make([]int, 0, len(pts)-1)
	for j := range pts {
		if j != i {
			idx = append(idx, j)
		}
	}
	d := func(j int) float64 {
		dx, dy := pts[i][0]-pts[j][0], pts[i][1]-pts[j][1]
		return dx*dx + dy*dy
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		switch da, db := d(a), d(b); {
		case da < db:
			return -1
		case da > db:
			return 1
		}
		return 0
	})
	return idx[:min(k, len(idx))]
}

// topicShare is the mean, over the points, of the share of each point's k
// nearest neighbours on the map that share its topic.
func topicShare(pts [][2]float64, topic []int, k int) float64 {
	s := 0.0
	for i := range pts {
		nn := nearest(pts, i, k)
		same := 0
		for _, j := range nn {
			if topic[j] == topic[i] {
				same++
			}
		}
		s += float64(same) / float64(len(nn))
	}
	return s / float64(len(pts))
}

// recall is the mean share of each point's k nearest neighbours on the map
// that are among its k nearest by cosine: how well the map keeps the
// vectors' own neighbourhoods, topics aside.
func recall(pts [][2]float64, vec [][]float32, k int) float64 {
	n := len(vec)
	s := 0.0
	for i := range vec {
		idx := make([]int, 0, n-1)
		for j := range vec {
			if j != i {
				idx = append(idx, j)
			}
		}
		c := func(j int) float64 { return cosine(vec[i], vec[j]) }
		slices.SortStableFunc(idx, func(a, b int) int {
			switch ca, cb := c(a), c(b); {
			case ca > cb:
				return -1
			case ca < cb:
				return 1
			}
			return 0
		})
		want := map[int]bool{}
		for _, j := range idx[:min(k, len(idx))] {
			want[j] = true
		}
		hit := 0
		nn := nearest(pts, i, k)
		for _, j := range nn {
			if want[j] {
				hit++
			}
		}
		s += float64(hit) / float64(len(nn))
	}
	return s / float64(n)
}

func cosine(a, b []float32) float64 {
	var ab, aa, bb float64
	for i := range a {
		ab += float64(a[i]) * float64(b[i])
		aa += float64(a[i]) * float64(a[i])
		bb += float64(b[i]) * float64(b[i])
	}
	return ab / math.Sqrt(aa*bb)
}

// TestLayoutDays compares the map's layout with the principal components
// on real days, each the topics of group -k auto: the seed page and the six
// hf-json days of ../shared/data, ingested each alone into a new database
// (testdata/maps/alone; the model is fitted on the day alone, 3 to 14
// dimensions) and all into one (testdata/maps/together; 45 dimensions). On
// every day the share of each paper's 5 nearest neighbours on the map that
// share its topic must be at least PCA's, and on average the map must keep
// at least as many of the vectors' own 5 nearest neighbours.
func TestLayoutDays(t *testing.T) {
	for _, set := range []string{"alone", "together"} {
		t.Run(set, func(t *testing.T) {
			ctx := context.Background()
			var sumPCA, sumLay, recPCA, recLay float64
			days := mapDays(t, set)
			for _, d := range days {
				data := d.data()
				pca, err := Project(data, d.Dim)
				if err != nil {
					t.Fatal(err)
				}
				lay, err := Layout(ctx, data, d.Dim, d.Topic, LayoutOptions{})
				if err != nil {
					t.Fatal(err)
				}
				sp, sl := topicShare(pca.Points, d.Topic, 5), topicShare(lay.Points, d.Topic, 5)
				rp, rl := recall(pca.Points, d.Vec, 5), recall(lay.Points, d.Vec, 5)
				t.Logf("%s n=%2d dim=%2d k=%d  topic share of the 5 nearest: PCA %.2f layout %.2f (at most %.2f)  5 nearest kept: PCA %.2f layout %.2f  (PCA explains %.0f%%)",
					d.Name, len(d.IDs), d.Dim, len(d.Labels), sp, sl, bestShare(d.Topic, 5), rp, rl, 100*(pca.Explained[0]+pca.Explained[1]))
				if sl < sp {
					t.Errorf("%s: the layout keeps %.3f of the 5 nearest in their topic, PCA %.3f", d.Name, sl, sp)
				}
				sumPCA += sp
				sumLay += sl
				recPCA += rp
				recLay += rl
			}
			n := float64(len(days))
			t.Logf("mean over %d days: topic share PCA %.3f layout %.3f; 5 nearest kept PCA %.3f layout %.3f", len(days), sumPCA/n, sumLay/n, recPCA/n, recLay/n)
			if recLay < recPCA {
				t.Errorf("the layout keeps %.3f of the vectors' 5 nearest neighbours on average, PCA %.3f", recLay/n, recPCA/n)
			}
		})
	}
}

// bestShare is the highest topic share a map can reach: a paper of a topic
// of s papers has at most s-1 neighbours of its topic.
func bestShare(topic []int, k int) float64 {
	size := map[int]int{}
	for _, t := range topic {
		size[t]++
	}
	s := 0.0
	for _, t := range topic {
		s += float64(min(size[t]-1, k)) / float64(k)
	}
	return s / float64(len(topic))
}

func TestLayoutDeterministic(t *testing.T) {
	ctx := context.Background()
	d := mapDays(t, "together")[3]
	a, err := Layout(ctx, d.data(), d.Dim, d.Topic, LayoutOptions{})
	if err != nil {
		t.Fatal(err)
	}
	prev := runtime.GOMAXPROCS(1)
	b, err := Layout(ctx, d.data(), d.Dim, d.Topic, LayoutOptions{})
	runtime.GOMAXPROCS(prev)
	if err != nil {
		t.Fatal(err)
	}
	for i := range a.Points {
		for k := 0; k < 2; k++ {
			if math.Float64bits(a.Points[i][k]) != math.Float64bits(b.Points[i][k]) {
				t.Fatalf("point %d differs between two runs (on 1 and %d cores): %v and %v", i, prev, a.Points[i], b.Points[i])
			}
		}
	}
	if a.Explained != [2]float64{} {
		t.Errorf("explained %v, want zero (the axes of the layout mean nothing)", a.Explained)
	}
}

// clusters returns n unit-ish rows of dim values around k random centres
// (seeded), and each row's centre as its topic.
func clusters(n, dim, k int, spread float64, seed uint64) ([]float32, []int) {
	r := rand.New(rand.NewPCG(seed, 1))
	centres := make([][]float64, k)
	for c := range centres {
		centres[c] = make([]float64, dim)
		for j := range centres[c] {
			centres[c][j] = r.NormFloat64()
		}
	}
	data := make([]float32, 0, n*dim)
	topic := make([]int, n)
	for i := 0; i < n; i++ {
		c := i * k / n
		topic[i] = c
		for j := 0; j < dim; j++ {
			data = append(data, float32(centres[c][j]+spread*r.NormFloat64()))
		}
	}
	return data, topic
}

// TestLayoutSample lays out more rows than Max: a sample of each topic's
// first rows is laid out, every other row lands beside its topic.
func TestLayoutSample(t *testing.T) {
	data, topic := clusters(1200, 16, 6, 0.6, 7)
	// topics of unequal sizes, and one tiny topic at the end
	for i := 1190; i < 1200; i++ {
		topic[i] = 9
	}
	p, err := Layout(context.Background(), data, 16, topic, LayoutOptions{Max: 150})
	if err != nil {
		t.Fatal(err)
	}
	rows := layoutSample(topic, 150)
	if len(rows) != 150 {
		t.Fatalf("a sample of %d rows, want 150", len(rows))
	}
	in := map[int]int{}
	for _, r := range rows {
		in[topic[r]]++
	}
	if in[9] == 0 {
		t.Error("the tiny topic has no row in the sample")
	}
	for _, pt := range p.Points {
		if math.IsNaN(pt[0]) || math.IsNaN(pt[1]) || math.IsInf(pt[0], 0) || math.IsInf(pt[1], 0) {
			t.Fatalf("a point at %v", pt)
		}
	}
	if s := topicShare(p.Points, topic, 5); s < 0.9 {
		t.Errorf("topic share of the 5 nearest %.3f, want at least 0.9 for well-separated topics", s)
	}
	seen := map[[2]float64]bool{}
	for i, pt := range p.Points {
		if seen[pt] {
			t.Fatalf("point %d at %v lies on another point", i, pt)
		}
		seen[pt] = true
	}
}

func TestLayoutSampleQuota(t *testing.T) {
	cases := []struct {
		topic []int
		max   int
		want  []int
	}{
		{[]int{0, 0, 1}, 5, []int{0, 1, 2}},
		{[]int{0, 0, 0, 0, 1, 1, 1, 1}, 4, []int{0, 1, 4, 5}},
		{[]int{0, 0, 0, 0, 0, 0, 0, 1}, 4, []int{0, 1, 2, 7}},          // the small topic keeps one row
		{[]int{2, 1, 2, 1, 2, 1, 2, 2, 2, 2}, 5, []int{0, 1, 2, 3, 4}}, // 7:3 of 5 is 3.5:1.5, ties to the first topic
	}
	for _, c := range cases {
		if got := layoutSample(c.topic, c.max); fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("layoutSample(%v, %d) = %v, want %v", c.topic, c.max, got, c.want)
		}
	}
}

func TestLayoutDegenerate(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name  string
		data  []float32
		dim   int
		topic []int
		n     int
		err   error
	}{
		{"no rows", nil, 3, nil, 0, nil},
		{"one row", []float32{1, 0}, 2, []int{0}, 1, nil},
		{"same rows", []float32{1, 0, 1, 0, 1, 0}, 2, []int{0, 0, 1}, 3, nil},
		{"zero rows", []float32{0, 0, 0, 0, 1, 0}, 2, []int{0, 1, 1}, 3, nil},
		{"two rows", []float32{1, 0, 0, 1}, 2, []int{0, 1}, 2, nil},
		{"ragged", []float32{1, 2, 3}, 2, []int{0}, 0, ErrDimension},
		{"zero dimension", []float32{1}, 0, []int{0}, 0, ErrDimension},
		{"topics", []float32{1, 0, 0, 1}, 2, []int{0}, 0, ErrTopics},
		{"NaN", []float32{1, float32(math.NaN()), 0, 1}, 2, []int{0, 1}, 0, ErrNotFinite},
		{"infinity", []float32{1, float32(math.Inf(1)), 0, 1}, 2, []int{0, 1}, 0, ErrNotFinite},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := Layout(ctx, c.data, c.dim, c.topic, LayoutOptions{})
			if !errors.Is(err, c.err) {
				t.Fatalf("error %v, want %v", err, c.err)
			}
			if err != nil {
				return
			}
			if len(p.Points) != c.n {
				t.Fatalf("%d points, want %d", len(p.Points), c.n)
			}
			for i, pt := range p.Points {
				if math.IsNaN(pt[0]) || math.IsNaN(pt[1]) || math.IsInf(pt[0], 0) || math.IsInf(pt[1], 0) {
					t.Errorf("point %d at %v", i, pt)
				}
			}
		})
	}
}

func TestLayoutCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	data, topic := clusters(300, 8, 3, 0.5, 1)
	if _, err := Layout(ctx, data, 8, topic, LayoutOptions{}); !errors.Is(err, context.Canceled) {
		t.Errorf("error %v, want context.Canceled", err)
	}
}

// BenchmarkLayout lays out 500 papers of 128 dimensions (the most Layout
// lays out by default; beyond, it samples).
func BenchmarkLayout(b *testing.B) {
	data, topic := clusters(500, 128, 20, 1, 3)
	ctx := context.Background()
	for b.Loop() {
		if _, err := Layout(ctx, data, 128, topic, LayoutOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLayout100k lays out 100,000 papers: a sample of 500, the rest
// placed among them.
func BenchmarkLayout100k(b *testing.B) {
	data, topic := clusters(100000, 128, 30, 1, 3)
	ctx := context.Background()
	for b.Loop() {
		if _, err := Layout(ctx, data, 128, topic, LayoutOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
