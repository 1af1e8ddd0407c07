package simindex

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/papersift/papersift/internal/f32"
)

// corpus makes n unit vectors of dim values in a few tight clusters, with
// exact duplicates and near-duplicates: where bounds are tested hardest.
func corpus(r *rand.Rand, n, dim int) ([]int64, []float32) {
	centres := make([][]float32, 12)
	for c := range centres {
		centres[c] = unit(r, dim, nil, 0)
	}
	pids := make([]int64, n)
	data := make([]float32, 0, n*dim)
	for i := range n {
		pids[i] = int64(3*i + 7) // not the row
		switch {
		case i > 0 && i%17 == 0: // a duplicate of the row before
			data = append(data, data[(i-1)*dim:i*dim]...)
		case i > 0 && i%23 == 0: // a near duplicate
			v := slices.Clone(data[(i-1)*dim : i*dim])
			v[i%dim] += 1e-4
			data = append(data, normalise(v)...)
		default:
			data = append(data, unit(r, dim, centres[i%len(centres)], 0.15+0.3*r.Float64())...)
		}
	}
	return pids, data
}

func unit(r *rand.Rand, dim int, centre []float32, spread float64) []float32 {
	v := make([]float32, dim)
	for j := range v {
		v[j] = float32(r.NormFloat64())
		if centre != nil {
			v[j] = centre[j] + float32(spread/math.Sqrt(float64(dim)))*v[j]
		}
	}
	return normalise(v)
}

func normalise(v []float32) []float32 {
	var s float64
	for _, x := range v {
		s += float64(x) * float64(x)
	}
	for j := range v {
		v[j] = float32(float64(v[j]) / math.Sqrt(s))
	}
	return v
}

func scanOf(pids []int64, data []float32, dim, per int) func(func([]int64, []float32) error) error {
	return func(fn func([]int64, []float32) error) error {
		for at := 0; at < len(pids); at += per {
			end := min(at+per, len(pids))
			if err := fn(pids[at:end], data[at*dim:end*dim]); err != nil {
				return err
			}
		}
		return nil
	}
}

type hit struct {
	pid   int64
	score float32
}

// exact is the float32 scan's top k: what similar returns without an index.
func exact(pids []int64, data []float32, dim int, q []float32, k int, skip func(int64) bool) []hit {
	var hs []hit
	for i, p := range pids {
		if skip != nil && skip(p) {
			continue
		}
		var sc [1]float32
		f32.Dots(q, data[i*dim:(i+1)*dim], sc[:]) // what recommend.Nearest scores with
		hs = append(hs, hit{p, sc[0]})
	}
	sort.Slice(hs, func(a, b int) bool {
		if hs[a].score != hs[b].score {
			return hs[a].score > hs[b].score
		}
		return hs[a].pid < hs[b].pid
	})
	return hs[:min(k, len(hs))]
}

var stamp = Stamp{DB: "0123abcd", MID: 3, Model: "local/test@1", Gen: 42}

func TestCandidatesHoldTheExactTopK(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct{ n, dim, k int }{{5000, 160, 10}, {3000, 37, 10}, {2000, 1536, 5}, {40, 16, 10}, {7, 160, 10}} {
		r := rand.New(rand.NewPCG(uint64(c.n), uint64(c.dim)))
		pids, data := corpus(r, c.n, c.dim)
		path := filepath.Join(t.TempDir(), "x.simidx")
		if err := Build(ctx, path, 0o644, stamp, c.dim, c.n, scanOf(pids, data, c.dim, 333)); err != nil {
			t.Fatalf("Build: %v", err)
		}
		ix, err := Open(path, stamp, c.dim)
		if err != nil {
			t.Fatal(err)
		}
		var total int
		for trial := range 100 {
			qi := r.IntN(c.n)
			q := data[qi*c.dim : (qi+1)*c.dim]
			if trial%4 == 3 {
				q = unit(r, c.dim, nil, 0) // a free text, near nothing
			}
			self := pids[qi]
			skip := func(p int64) bool { return p == self || (trial%5 == 0 && p%2 == 0) }
			var cands []int64
			var err error
			if trial%5 == 0 {
				cands, err = ix.Candidates(ctx, q, c.k, nil, skip)
			} else {
				cands, err = ix.Candidates(ctx, q, c.k, []int64{self}, nil)
			}
			if err != nil {
				t.Fatal(err)
			}
			total += len(cands)
			in := map[int64]bool{}
			for _, p := range cands {
				if skip(p) {
					t.Fatalf("skipped paper %d is a candidate", p)
				}
				in[p] = true
			}
			for _, h := range exact(pids, data, c.dim, q, c.k, skip) {
				if !in[h.pid] {
					t.Fatalf("n %d dim %d query %d: paper %d (score %v) of the exact top %d is not among %d candidates", c.n, c.dim, qi, h.pid, h.score, c.k, len(cands))
				}
			}
			// and rescoring the candidates gives the exact top k
			idx := map[int64]int{}
			for i, p := range pids {
				idx[p] = i
			}
			sub, subData, err := ix.CandidateVectors(ctx, q, c.k, []int64{self}, nil)
			if trial%5 == 0 {
				sub, subData, err = ix.CandidateVectors(ctx, q, c.k, nil, skip)
			}
			if err != nil || !slices.Equal(sub, cands) {
				t.Fatalf("CandidateVectors: %v, %v (Candidates: %v)", sub, err, cands)
			}
			for i, p := range sub {
				if !slices.Equal(subData[i*c.dim:(i+1)*c.dim], data[idx[p]*c.dim:(idx[p]+1)*c.dim]) {
					t.Fatalf("CandidateVectors: the vector of paper %d differs", p)
				}
			}
			if v, err := ix.Vector(self); err != nil || !slices.Equal(v, q) && trial%4 != 3 {
				t.Fatalf("Vector(%d): %v", self, err)
			}
			if _, err := ix.Vector(self + 1); !errors.Is(err, ErrNotIndexed) { // pids are 3i+7
				t.Fatalf("Vector of a paper not indexed: %v", err)
			}
			if got, want := exact(sub, subData, c.dim, q, c.k, nil), exact(pids, data, c.dim, q, c.k, skip); !slices.Equal(got, want) {
				t.Fatalf("rescored %v, exact %v", got, want)
			}
		}
		t.Logf("n %d dim %d: %.1f candidates per query for k %d", c.n, c.dim, float64(total)/100, c.k)
		if c.n >= 2000 && total/100 > c.n/10 {
			t.Errorf("n %d dim %d: %d candidates per query: the bounds prune little", c.n, c.dim, total/100)
		}
		ix.Close()
	}
}

func TestStaleAndRefused(t *testing.T) {
	ctx := context.Background()
	r := rand.New(rand.NewPCG(1, 1))
	pids, data := corpus(r, 100, 32)
	dir := t.TempDir()
	path := filepath.Join(dir, "x.simidx")
	if _, err := Open(path, stamp, 32); !errors.Is(err, ErrStale) {
		t.Fatalf("no file: %v", err)
	}
	mustBuild(t, path, pids, data, 32, 10)
	for _, st := range []Stamp{{"other", 3, "local/test@1", 42}, {stamp.DB, 4, stamp.Model, 42}, {stamp.DB, 3, "x", 42}, {stamp.DB, 3, stamp.Model, 43}} {
		if _, err := Open(path, st, 32); !errors.Is(err, ErrStale) {
			t.Errorf("stamp %+v: %v, want ErrStale", st, err)
		}
	}
	if _, err := Open(path, stamp, 33); !errors.Is(err, ErrStale) {
		t.Errorf("other dimension: %v", err)
	}
	// a vector that is not a unit vector fails the build, and the old
	// index stays whole
	bad := slices.Clone(data)
	bad[5*32] = float32(math.NaN())
	if err := Build(ctx, path, 0o644, Stamp{DB: "new"}, 32, 100, scanOf(pids, bad, 32, 10)); !errors.Is(err, ErrInvalidVector) {
		t.Fatalf("NaN: %v", err)
	}
	if ix, err := Open(path, stamp, 32); err != nil || ix.Len() != 100 {
		t.Fatalf("after a failed build: %v", err)
	}
	// a scan that yields more or fewer vectors than expected (they changed
	// meanwhile) fails it too
	for _, n := range []int{99, 101} {
		if err := Build(ctx, path, 0o644, Stamp{DB: "new"}, 32, n, scanOf(pids, data, 32, 10)); err == nil {
			t.Fatalf("%d vectors for %d expected: built", 100, n)
		}
	}
	if left, _ := filepath.Glob(filepath.Join(dir, "*.tmp")); len(left) > 0 {
		t.Fatalf("temporary files left: %v", left)
	}
}

// Any damage to a file gives an error or an index, never a panic; damage
// outside the codes is always caught.
func TestDamagedFiles(t *testing.T) {
	ctx := context.Background()
	r := rand.New(rand.NewPCG(2, 2))
	pids, data := corpus(r, 50, 48)
	dir := t.TempDir()
	path := filepath.Join(dir, "x.simidx")
	mustBuild(t, path, pids, data, 48, 7)
	good, _ := os.ReadFile(path)
	head := fixedHead + len(stamp.DB) + len(stamp.Model) + 8*48
	lay := layoutOf(head, 50, 48, 48)
	clean, err := Open(path, stamp, 48)
	if err != nil {
		t.Fatal(err)
	}
	want, err := clean.Candidates(ctx, data[:48], 10, []int64{pids[0]}, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, wantData, err := clean.CandidateVectors(ctx, data[:48], 10, []int64{pids[0]}, nil)
	if err != nil {
		t.Fatal(err)
	}
	vs, err := clean.Vectors(ctx)
	if err != nil || !slices.Equal(vs.PIDs, pids) || !slices.Equal(vs.Data, data) {
		t.Fatalf("the vectors of a clean index: %v", err)
	}
	// try opens a damaged copy and asks it what the clean one answered:
	// it must refuse, or give the same answer
	try := func(b []byte) (*Index, error) {
		p := filepath.Join(dir, "d.simidx")
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		ix, err := Open(p, stamp, 48)
		if err == nil {
			got, gotData, cerr := ix.CandidateVectors(ctx, data[:48], 10, []int64{pids[0]}, nil)
			if cerr == nil && !slices.Equal(gotData, wantData) {
				ix.Close()
				return ix, fmt.Errorf("a different answer: other vectors of the candidates")
			}
			if cerr == nil {
				var v []float32
				if v, cerr = ix.Vector(pids[7]); cerr == nil && !slices.Equal(v, data[7*48:8*48]) {
					ix.Close()
					return ix, fmt.Errorf("a different answer: another vector of paper %d", pids[7])
				}
			}
			if cerr != nil {
				ix.Close()
				return nil, cerr
			}
			if !slices.Equal(got, want) {
				ix.Close()
				return ix, fmt.Errorf("a different answer: %v, want %v", got, want)
			}
			v, verr := ix.Vectors(ctx)
			ix.Close()
			if verr != nil {
				return nil, verr
			}
			same := slices.Equal(v.PIDs, pids) && slices.Equal(v.Data, data)
			v.Release()
			if !same {
				return ix, fmt.Errorf("a different answer: other vectors")
			}
		}
		return ix, err
	}
	for cut := 0; cut < len(good); cut += 1 + cut/8 {
		if _, err := try(good[:cut]); err == nil {
			t.Fatalf("a file cut at %d of %d opens", cut, len(good))
		}
	}
	for i := range good {
		at := int64(i)
		recs := at >= lay.recs && at < lay.recs+50*lay.rec // read for candidates only
		padding := (i >= 60 && i < 64) || (i >= head && at < lay.blocks) ||
			(at >= lay.recs+50*lay.rec && at < lay.floats) || (at >= lay.floats+4*50*48 && at < lay.pidArr)
		if padding && i%61 != 0 || at >= lay.floats && i%5 != 0 {
			continue // a few bytes of the padding and of the vectors are enough
		}
		for _, bit := range []byte{byte(1 << (i % 8))} {
			b := slices.Clone(good)
			b[i] ^= bit
			_, err := try(b)
			if err != nil && strings.HasPrefix(err.Error(), "a different answer") {
				t.Fatalf("byte %d of %d flipped: %v", i, len(good), err)
			}
			if err == nil && !padding && !recs {
				t.Fatalf("byte %d of %d flipped: the file is used", i, len(good))
			}
		}
	}
}

// An index whose rows are not in the papers' order answers Candidates
// and CandidateVectors, but not Vector (its binary search needs the order).
func TestUnsortedRows(t *testing.T) {
	ctx := context.Background()
	r := rand.New(rand.NewPCG(5, 6))
	pids, data := corpus(r, 200, 32)
	slices.Reverse(pids)
	path := filepath.Join(t.TempDir(), "x.simidx")
	mustBuild(t, path, pids, data, 32, 64)
	ix, err := Open(path, stamp, 32)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if _, err := ix.Vector(pids[3]); !errors.Is(err, ErrNotIndexed) {
		t.Fatalf("Vector of an unsorted index: %v", err)
	}
	got, gotData, err := ix.CandidateVectors(ctx, data[3*32:4*32], 1, nil, nil)
	if err != nil || len(got) == 0 || !slices.Contains(got, pids[3]) {
		t.Fatalf("CandidateVectors: %v %v", got, err)
	}
	i := slices.Index(got, pids[3])
	if !slices.Equal(gotData[i*32:(i+1)*32], data[3*32:4*32]) {
		t.Fatal("CandidateVectors: another vector")
	}
}

// A sample of identical vectors (no spread to take weights from) still
// gives an index that opens and answers exactly.
func TestDegenerateSample(t *testing.T) {
	ctx := context.Background()
	r := rand.New(rand.NewPCG(3, 4))
	dim, n := 32, sampleSize+2000
	same := unit(r, dim, nil, 0)
	pids := make([]int64, n)
	data := make([]float32, 0, n*dim)
	for i := range n {
		pids[i] = int64(i + 1)
		if i < sampleSize {
			data = append(data, same...)
		} else {
			data = append(data, unit(r, dim, nil, 0)...)
		}
	}
	path := filepath.Join(t.TempDir(), "x.simidx")
	if err := Build(ctx, path, 0o644, stamp, dim, n, scanOf(pids, data, dim, 1000)); err != nil {
		t.Fatalf("Build: %v", err)
	}
	ix, err := Open(path, stamp, dim)
	if err != nil {
		t.Fatalf("Open of a freshly built index: %v", err)
	}
	q := data[(n-1)*dim:]
	cands, err := ix.Candidates(ctx, q, 10, []int64{pids[n-1]}, nil)
	if err != nil {
		t.Fatal(err)
	}
	in := map[int64]bool{}
	for _, p := range cands {
		in[p] = true
	}
	for _, h := range exact(pids, data, dim, q, 10, func(p int64) bool { return p == pids[n-1] }) {
		if !in[h.pid] {
			t.Fatalf("paper %d of the top 10 is not a candidate", h.pid)
		}
	}
}

// k beyond any count, and index paths that are not files, never panic or
// hang.
func TestHugeKAndOddPaths(t *testing.T) {
	ctx := context.Background()
	r := rand.New(rand.NewPCG(8, 8))
	pids, data := corpus(r, 300, 32)
	dir := t.TempDir()
	path := filepath.Join(dir, "x.simidx")
	mustBuild(t, path, pids, data, 32, 50)
	ix, err := Open(path, stamp, 32)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []int{300, 301, math.MaxInt / 2, math.MaxInt - 1, math.MaxInt} {
		cands, err := ix.Candidates(ctx, data[:32], k, []int64{pids[0]}, nil)
		if err != nil || len(cands) != 299 {
			t.Fatalf("k %d: %d candidates, %v", k, len(cands), err)
		}
	}
	sub := filepath.Join(dir, "sub.simidx")
	os.Mkdir(sub, 0o755)
	if _, err := Open(sub, stamp, 32); !errors.Is(err, ErrCorrupt) {
		t.Errorf("a folder: %v", err)
	}
	if err := Build(ctx, sub, 0o644, stamp, 32, 300, scanOf(pids, data, 32, 50)); err == nil || !strings.Contains(err.Error(), "a folder") {
		t.Errorf("building over a folder: %v", err)
	}
}

// More papers tied with the k-th than MaxCandidates: CandidateVectors
// refuses (the caller reads every vector instead) rather than reading them.
func TestTooManyCandidates(t *testing.T) {
	ctx := context.Background()
	r := rand.New(rand.NewPCG(9, 9))
	const dim, n = 16, MaxCandidates + 500
	same := unit(r, dim, nil, 0)
	pids := make([]int64, n)
	data := make([]float32, 0, n*dim)
	for i := range n {
		pids[i] = int64(i + 1)
		data = append(data, same...)
	}
	path := filepath.Join(t.TempDir(), "x.simidx")
	mustBuild(t, path, pids, data, dim, 4096)
	ix, err := Open(path, stamp, dim)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if _, _, err := ix.CandidateVectors(ctx, same, 10, nil, nil); !errors.Is(err, ErrTooManyCandidates) {
		t.Fatalf("%d tied papers: %v", n, err)
	}
}

// mustBuild builds the index of pids and their vectors (rows of dim) at
// path, handing them over per at a time.
func mustBuild(t testing.TB, path string, pids []int64, data []float32, dim, per int) {
	t.Helper()
	if err := Build(context.Background(), path, 0o644, stamp, dim, len(pids), scanOf(pids, data, dim, per)); err != nil {
		t.Fatalf("Build: %v", err)
	}
}
