package cluster

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"reflect"
	"runtime"
	"testing"
)

func TestFitRecoversBlobs(t *testing.T) {
	for _, tc := range []struct {
		name          string
		n, k, dim     int
		spread        float64
		wantIterBelow int
	}{
		{"3 blobs in 16-d", 300, 3, 16, 0.3, 20},
		{"8 blobs in 64-d", 800, 8, 64, 0.5, 30},
		{"20 blobs in 256-d", 2000, 20, 256, 0.7, 40},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data, labels := blobs(t, tc.n, tc.k, tc.dim, tc.spread, 7)
			res, err := KMeans{K: tc.k, Seed: 1}.Fit(context.Background(), data, tc.dim)
			if err != nil {
				t.Fatal(err)
			}
			if res.K != tc.k || len(res.Assign) != tc.n || len(res.Centroids) != tc.k {
				t.Fatalf("K=%d, %d assignments, %d centroids; want %d, %d, %d", res.K, len(res.Assign), len(res.Centroids), tc.k, tc.n, tc.k)
			}
			if !samePartition(res.Assign, labels) {
				t.Errorf("the clusters are not the blobs (sizes %v)", res.Sizes)
			}
			if res.Iter >= tc.wantIterBelow {
				t.Errorf("%d iterations on well-separated blobs, want fewer than %d", res.Iter, tc.wantIterBelow)
			}
			checkResult(t, data, tc.dim, res)
		})
	}
}

// checkResult checks what every result promises: unit centroids, each point
// with its nearest centroid, cosines, sizes and inertia that agree.
func checkResult(t *testing.T, data []float32, dim int, res *Result) {
	t.Helper()
	n := len(data) / dim
	sizes := make([]int, res.K)
	var inertia float64
	for i := 0; i < n; i++ {
		x := data[i*dim : (i+1)*dim]
		a := res.Assign[i]
		sizes[a]++
		_, bestCos := nearest(x, res.Centroids)
		_, ownCos := nearest(x, res.Centroids[a:a+1])
		if ownCos < bestCos-1e-5 {
			t.Fatalf("point %d: cosine %.6f to its centroid %d, %.6f to the nearest", i, ownCos, a, bestCos)
		}
		if math.Abs(float64(res.Cos[i])-ownCos) > 1e-5 {
			t.Fatalf("point %d: Cos = %v, want %v", i, res.Cos[i], ownCos)
		}
		inertia += 1 - ownCos
	}
	if !reflect.DeepEqual(sizes, res.Sizes) {
		t.Errorf("Sizes = %v, counted %v", res.Sizes, sizes)
	}
	if math.Abs(inertia-res.Inertia) > 1e-4*math.Max(1, inertia) {
		t.Errorf("Inertia = %v, recomputed %v", res.Inertia, inertia)
	}
	for c, cv := range res.Centroids {
		var ss float64
		for _, v := range cv {
			ss += float64(v) * float64(v)
		}
		if math.Abs(ss-1) > 1e-5 {
			t.Errorf("centroid %d has norm² %v, want 1", c, ss)
		}
	}
}

func TestFitSameSeedSameResult(t *testing.T) {
	data, _ := blobs(t, 3000, 12, 64, 1.2, 3) // overlapping: many ties to break
	fit := func(procs int, seed uint64) *Result {
		t.Helper()
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		res, err := KMeans{K: 12, Seed: seed}.Fit(context.Background(), data, 64)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	a, b, one := fit(2, 5), fit(2, 5), fit(1, 5)
	if !reflect.DeepEqual(a, b) {
		t.Error("two fits with the same seed differ")
	}
	if !reflect.DeepEqual(a, one) {
		t.Error("the fit on one core differs from the fit on two")
	}
	if c := fit(2, 6); reflect.DeepEqual(a.Assign, c.Assign) && a.Inertia == c.Inertia && a.Restart == c.Restart {
		t.Log("seeds 5 and 6 happen to agree") // allowed, but worth seeing
	}
}

// lloydReference is plain Lloyd from given centroids: every distance, every
// iteration, until no point moves.
func lloydReference(data []float32, dim int, centres [][]float32, maxIter int) []int {
	n := len(data) / dim
	assign := make([]int, n)
	for i := range assign {
		assign[i] = -1
	}
	k := len(centres)
	for it := 0; it < maxIter; it++ {
		moved := 0
		for i := 0; i < n; i++ {
			a, _ := nearest(data[i*dim:(i+1)*dim], centres)
			if a != assign[i] {
				moved++
				assign[i] = a
			}
		}
		if moved == 0 {
			break
		}
		sums := make([][]float64, k)
		for c := range sums {
			sums[c] = make([]float64, dim)
		}
		for i, a := range assign {
			for j := 0; j < dim; j++ {
				sums[a][j] += float64(data[i*dim+j])
			}
		}
		for c := range centres {
			normalize64(sums[c])
			for j := range centres[c] {
				centres[c][j] = float32(sums[c][j])
			}
		}
	}
	return assign
}

func TestBoundsChangeNothing(t *testing.T) {
	// Elkan's and Hamerly's bounds skip distances, never change the answer:
	// the same start gives the clusters of plain Lloyd.
	const n, k, dim = 2000, 10, 32
	data, _ := blobs(t, n, k, dim, 1.5, 11)
	for _, elkan := range []bool{true, false} {
		w := newWork(n, k, dim)
		if !elkan {
			w.lb, w.drift, w.lower = nil, nil, make([]float64, n)
		}
		km := KMeans{K: k, MaxIter: 500, Settled: -1}.withDefaults(n)
		got, err := w.run(context.Background(), allPoints(data, dim), k, km, rand.New(rand.NewPCG(9, 0)), nil)
		if err != nil {
			t.Fatal(err)
		}
		start := make([]float32, k*dim)
		if err := seed(context.Background(), data, dim, k, rand.New(rand.NewPCG(9, 0)), start); err != nil {
			t.Fatal(err)
		}
		centres := make([][]float32, k)
		for c := range centres {
			centres[c] = start[c*dim : (c+1)*dim]
		}
		want := lloydReference(data, dim, centres, 500)
		if !reflect.DeepEqual(got.Assign, want) {
			diff := 0
			for i := range want {
				if got.Assign[i] != want[i] {
					diff++
				}
			}
			t.Errorf("elkan=%v: %d of %d points differ from plain Lloyd", elkan, diff, n)
		}
	}
}

// seedReference is greedy k-means++ computing every distance.
func seedReference(data []float32, dim, k int, rng *rand.Rand) []int {
	n := len(data) / dim
	d2 := make([]float64, n)
	cum := make([]float64, n)
	first := rng.IntN(n)
	chosen := []int{first}
	for i := range d2 {
		d := dist(dotRef(data, dim, i, first))
		d2[i] = d * d
	}
	trials := 2 + int(math.Log(float64(k)))
	for len(chosen) < k {
		var total float64
		for i, v := range d2 {
			total += v
			cum[i] = total
		}
		cand := make([]int, trials)
		for t := range cand {
			u := rng.Float64() * total
			j := 0
			for j < n-1 && cum[j] <= u {
				j++
			}
			cand[t] = j
		}
		best, bestPot, bestD := 0, math.Inf(1), []float64(nil)
		for t, c := range cand {
			nd := make([]float64, n)
			var pot float64
			for i := range nd {
				d := dist(dotRef(data, dim, i, c))
				nd[i] = math.Min(d2[i], d*d)
				pot += nd[i]
			}
			if pot < bestPot {
				best, bestPot, bestD = t, pot, nd
			}
		}
		chosen = append(chosen, cand[best])
		d2 = bestD
	}
	return chosen
}

func dotRef(data []float32, dim, i, j int) float32 {
	var s float32
	for q := 0; q < dim; q++ {
		s += data[i*dim+q] * data[j*dim+q]
	}
	return s
}

func TestSeedIsGreedyKMeansPlusPlus(t *testing.T) {
	const n, k, dim = 1500, 12, 24
	data, _ := blobs(t, n, k, dim, 1.0, 5)
	centres := make([]float32, k*dim)
	if err := seed(context.Background(), data, dim, k, rand.New(rand.NewPCG(4, 2)), centres); err != nil {
		t.Fatal(err)
	}
	want := seedReference(data, dim, k, rand.New(rand.NewPCG(4, 2)))
	for c, i := range want {
		if !reflect.DeepEqual(centres[c*dim:(c+1)*dim], data[i*dim:(i+1)*dim]) {
			t.Fatalf("centre %d is not point %d, which greedy k-means++ without pruning picks", c, i)
		}
	}
}

func TestFitEdgeCases(t *testing.T) {
	unit := func(vs ...[]float32) []float32 {
		var out []float32
		for _, v := range vs {
			out = append(out, v...)
		}
		return out
	}
	a, b, c := []float32{1, 0, 0}, []float32{0, 1, 0}, []float32{0, 0, 1}
	for _, tc := range []struct {
		name      string
		data      []float32
		k         int
		wantK     int
		wantSizes []int
		onCentre  bool // every point is a copy of its centroid
	}{
		{"one point", unit(a), 3, 1, []int{1}, true},
		{"fewer points than k: k = n", unit(a, b, c), 8, 3, []int{1, 1, 1}, true},
		{"k = 1", unit(a, b, c, a), 1, 1, []int{4}, false},
		{"duplicates only: surplus clusters stay empty", unit(a, a, a, a, a), 3, 3, []int{5, 0, 0}, true},
		{"duplicates: two distinct points, three clusters", unit(a, b, a, b, b), 3, 3, nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := KMeans{K: tc.k, Seed: 2}.Fit(context.Background(), tc.data, 3)
			if err != nil {
				t.Fatal(err)
			}
			if res.K != tc.wantK {
				t.Errorf("K = %d, want %d", res.K, tc.wantK)
			}
			if tc.wantSizes != nil && !reflect.DeepEqual(res.Sizes, tc.wantSizes) {
				t.Errorf("Sizes = %v, want %v", res.Sizes, tc.wantSizes)
			}
			for i, x := range res.Cos {
				if tc.onCentre && math.Abs(float64(x)-1) > 1e-6 {
					t.Errorf("point %d: cosine %v to its centroid, want 1 (it is a copy of a centroid)", i, x)
				}
			}
			checkResult(t, tc.data, 3, res)
		})
	}
}

func TestFitErrors(t *testing.T) {
	ctx := context.Background()
	if _, err := (KMeans{}).Fit(ctx, nil, 4); !errors.Is(err, ErrNoPoints) {
		t.Errorf("no points: err = %v, want ErrNoPoints", err)
	}
	if _, err := (KMeans{}).Fit(ctx, make([]float32, 7), 4); err == nil {
		t.Error("7 values in rows of 4: no error")
	}
	if _, err := (KMeans{}).Fit(ctx, make([]float32, 8), 0); err == nil {
		t.Error("dim 0: no error")
	}
	data, _ := blobs(t, 500, 5, 16, 0.5, 1)
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := (KMeans{K: 5}).Fit(cancelled, data, 16); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: err = %v, want context.Canceled", err)
	}
}

func TestFitTenThousand(t *testing.T) {
	// a long list: 10,000 papers, topics of uneven size that overlap
	const dim = 48
	data, _ := blobs(t, 10000, 30, dim, 1.3, 21)
	res, err := KMeans{K: 25, Seed: 4}.Fit(context.Background(), data, dim)
	if err != nil {
		t.Fatal(err)
	}
	for c, s := range res.Sizes {
		if s == 0 {
			t.Errorf("cluster %d is empty", c)
		}
	}
	checkResult(t, data, dim, res)
}

func TestMoreRestartsNeverWorse(t *testing.T) {
	data, _ := blobs(t, 1000, 10, 32, 1.4, 8)
	one, err := KMeans{K: 10, Seed: 3, Restarts: 1}.Fit(context.Background(), data, 32)
	if err != nil {
		t.Fatal(err)
	}
	four, err := KMeans{K: 10, Seed: 3, Restarts: 4}.Fit(context.Background(), data, 32)
	if err != nil {
		t.Fatal(err)
	}
	if four.Inertia > one.Inertia {
		t.Errorf("4 restarts: inertia %v, above the %v of their first restart alone", four.Inertia, one.Inertia)
	}
}

// Above fitSample points, the fit runs on a sample and is refined on every
// point: it finds the blobs, every point ends with its nearest centroid, the
// result does not depend on the cores, and its inertia is within 1% of the
// fit on every point.
func TestFitOnSampleThenAll(t *testing.T) {
	data, labels := blobs(t, 6000, 12, 64, 0.9, 11)
	full, err := KMeans{K: 12, Seed: 3}.Fit(context.Background(), data, 64)
	if err != nil {
		t.Fatal(err)
	}
	defer func(old int) { fitSample = old }(fitSample)
	fitSample = 1500
	fit := func(procs int) *Result {
		t.Helper()
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		res, err := KMeans{K: 12, Seed: 3}.Fit(context.Background(), data, 64)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	res := fit(2)
	if res.Sampled != 1500 || full.Sampled != 0 {
		t.Fatalf("sampled %d (and %d for the fit on every point)", res.Sampled, full.Sampled)
	}
	checkResult(t, data, 64, res)
	if !reflect.DeepEqual(res, fit(1)) {
		t.Error("the fit on one core differs from the fit on two")
	}
	if !samePartition(res.Assign, labels) {
		t.Errorf("the clusters are not the blobs (sizes %v)", res.Sizes)
	}
	if res.Inertia > full.Inertia*1.01 {
		t.Errorf("inertia %.3f, the fit on every point %.3f", res.Inertia, full.Inertia)
	}
}

// FitRows of some rows, in some order, is Fit of those rows side by side,
// with or without the sample fit, and AutoK.FitRows likewise.
func TestFitRowsIsFitOfTheRows(t *testing.T) {
	defer func(old int) { fitSample = old }(fitSample)
	fitSample = 1500
	ctx := context.Background()
	const dim = 24
	data, _ := blobs(t, 5000, 6, dim, 0.3, 11)
	r := rand.New(rand.NewPCG(5, 5))
	for _, m := range []int{4000, 900} { // above and below the sample
		rows := r.Perm(5000)[:m]
		var side []float32
		for _, i := range rows {
			side = append(side, data[i*dim:(i+1)*dim]...)
		}
		km := KMeans{K: 6, Seed: 3}
		want, err := km.Fit(ctx, side, dim)
		if err != nil {
			t.Fatal(err)
		}
		got, err := km.FitRows(ctx, data, dim, rows)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%d rows: FitRows differs from Fit of the rows", m)
		}
		wantA, err := AutoK{KMeans: km, Max: 5}.Fit(ctx, side, dim)
		if err != nil {
			t.Fatal(err)
		}
		gotA, err := AutoK{KMeans: km, Max: 5}.FitRows(ctx, data, dim, rows)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(gotA, wantA) {
			t.Fatalf("%d rows: AutoK.FitRows differs from AutoK.Fit of the rows", m)
		}
	}
	if _, err := (KMeans{K: 2}).FitRows(ctx, data, dim, []int{0, 5000}); err == nil {
		t.Fatal("a row beyond the data: no error")
	}
	if _, err := (KMeans{K: 2}).FitRows(ctx, data, dim, nil); !errors.Is(err, ErrNoPoints) {
		t.Fatalf("no rows: %v", err)
	}
}
