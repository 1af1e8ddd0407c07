package embed

import (
	"context"
	"math"
	"math/rand/v2"
	"sort"

	"gonum.org/v1/gonum/blas/gonum"
	"gonum.org/v1/gonum/lapack/lapack64"
	"gonum.org/v1/gonum/mat"

	"github.com/papersift/papersift/internal/parallel"
	"github.com/papersift/papersift/tfidf"
)

// csr is a sparse n x cols matrix in compressed sparse row form.
type csr struct {
	rows, cols int
	ptr        []int
	idx        []int32
	val        []float64
}

func newCSR(rows []tfidf.Sparse, cols int) *csr {
	m := &csr{rows: len(rows), cols: cols, ptr: make([]int, len(rows)+1)}
	nnz := 0
	for i, r := range rows {
		nnz += len(r.Idx)
		m.ptr[i+1] = nnz
	}
	m.idx = make([]int32, 0, nnz)
	m.val = make([]float64, 0, nnz)
	for _, r := range rows {
		m.idx = append(m.idx, r.Idx...)
		for _, v := range r.Val {
			m.val = append(m.val, float64(v))
		}
	}
	return m
}

// transpose returns the cols x rows transpose, itself in CSR form.
func (m *csr) transpose() *csr {
	t := &csr{rows: m.cols, cols: m.rows, ptr: make([]int, m.cols+1)}
	for _, c := range m.idx {
		t.ptr[c+1]++
	}
	for i := 0; i < m.cols; i++ {
		t.ptr[i+1] += t.ptr[i]
	}
	t.idx = make([]int32, len(m.idx))
	t.val = make([]float64, len(m.val))
	next := append([]int(nil), t.ptr[:m.cols]...)
	for r := 0; r < m.rows; r++ {
		for k := m.ptr[r]; k < m.ptr[r+1]; k++ {
			c := m.idx[k]
			t.idx[next[c]] = int32(r)
			t.val[next[c]] = m.val[k]
			next[c]++
		}
	}
	return t
}

// axpy is y += alpha*x in gonum's assembly kernel.
var axpy = gonum.Implementation{}.Daxpy

// mulDense returns m * d (rows x d.cols), one output row per goroutine task,
// so the result does not depend on the number of cores.
func (m *csr) mulDense(ctx context.Context, d *mat.Dense) (*mat.Dense, error) {
	_, l := d.Dims()
	out := mat.NewDense(m.rows, l, nil)
	raw := out.RawMatrix()
	draw := d.RawMatrix()
	err := parallel.For(ctx, m.rows, func(lo, hi int) {
		for r := lo; r < hi; r++ {
			o := raw.Data[r*raw.Stride : r*raw.Stride+l]
			for k := m.ptr[r]; k < m.ptr[r+1]; k++ {
				c := int(m.idx[k]) * draw.Stride
				axpy(l, m.val[k], draw.Data[c:c+l], 1, o, 1)
			}
		}
	})
	return out, err
}

// orthonormalize returns an orthonormal basis of the columns of a (r >= c
// and a of full column rank), reusing a's storage. Large matrices go
// through Cholesky QR (a Gram matrix and a triangular inverse: two parallel
// matrix products), twice when precise is set (CholeskyQR2); small ones,
// or ones too ill-conditioned for Cholesky, through Householder QR.
func orthonormalize(a *mat.Dense, precise bool) *mat.Dense {
	r, c := a.Dims()
	if r*c*c < 50_000_000 {
		return householder(a)
	}
	passes := 1
	if precise {
		passes = 2
	}
	for p := 0; p < passes; p++ {
		var g mat.Dense
		g.Mul(a.T(), a)
		sym := mat.NewSymDense(c, g.RawMatrix().Data)
		var ch mat.Cholesky
		if !ch.Factorize(sym) {
			return householder(a)
		}
		var u, uinv mat.TriDense
		ch.UTo(&u)
		if err := uinv.InverseTri(&u); err != nil {
			return householder(a)
		}
		var q mat.Dense
		q.Mul(a, &uinv)
		a = &q
	}
	return a
}

// householder orthonormalizes the columns of a by a thin Householder QR.
func householder(a *mat.Dense) *mat.Dense {
	_, c := a.Dims()
	g := a.RawMatrix()
	tau := make([]float64, c)
	work := make([]float64, 1)
	lapack64.Geqrf(g, tau, work, -1)
	work = make([]float64, int(work[0]))
	lapack64.Geqrf(g, tau, work, len(work))
	lapack64.Orgqr(g, tau, work[:1], -1)
	if n := int(work[0]); n > len(work) {
		work = make([]float64, n)
	}
	lapack64.Orgqr(g, tau, work, len(work))
	return a
}

// truncatedSVD returns the top k right singular vectors (cols x k) and
// singular values of x by randomized subspace iteration (Halko, Martinsson
// and Tropp 2011, algorithm 4.4), seeded for reproducibility.
func truncatedSVD(ctx context.Context, x *csr, k, oversample, iters int, seed uint64) (*mat.Dense, []float64, error) {
	l := k + oversample
	if l > x.cols {
		l = x.cols
	}
	if l > x.rows {
		l = x.rows
	}
	if k > l {
		k = l
	}
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	omega := mat.NewDense(x.cols, l, nil)
	od := omega.RawMatrix().Data
	for i := range od {
		od[i] = 2*rng.Float64() - 1 // any sub-Gaussian test matrix will do
	}
	xt := x.transpose()
	// x x^T q, through two sparse products.
	xxt := func(q *mat.Dense) (*mat.Dense, error) {
		z, err := xt.mulDense(ctx, q)
		if err != nil {
			return nil, err
		}
		return x.mulDense(ctx, z)
	}
	y, err := x.mulDense(ctx, omega) // rows x l
	if err != nil {
		return nil, nil, err
	}
	q := orthonormalize(y, iters == 0)
	for it := 0; it < iters; it++ {
		if y, err = xxt(q); err != nil {
			return nil, nil, err
		}
		q = orthonormalize(y, it == iters-1)
	}
	// With B = Q^T X: B B^T = Q^T (X X^T Q) = W S^2 W^T (l x l), and the
	// right singular vectors are V = B^T W S^-1 = X^T (Q W S^-1).
	y, err = xxt(q)
	if err != nil {
		return nil, nil, err
	}
	var gd mat.Dense
	gd.Mul(q.T(), y)
	g := mat.NewSymDense(l, nil)
	for i := 0; i < l; i++ {
		for j := i; j < l; j++ {
			g.SetSym(i, j, (gd.At(i, j)+gd.At(j, i))/2)
		}
	}
	var eig mat.EigenSym
	if ok := eig.Factorize(g, true); !ok {
		return nil, nil, errSVD
	}
	vals := eig.Values(nil)
	var w mat.Dense
	eig.VectorsTo(&w)
	order := make([]int, len(vals))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return vals[order[a]] > vals[order[b]] })
	sv := make([]float64, 0, k)
	wk := mat.NewDense(l, k, nil)
	for j := 0; j < k; j++ {
		e := vals[order[j]]
		if e <= 0 {
			e = 0
		}
		s := math.Sqrt(e)
		sv = append(sv, s)
		for i := 0; i < l; i++ {
			if s > 0 {
				wk.Set(i, j, w.At(i, order[j])/s)
			}
		}
	}
	var qw mat.Dense
	qw.Mul(q, wk)                   // rows x k
	v, err := xt.mulDense(ctx, &qw) // cols x k
	if err != nil {
		return nil, nil, err
	}
	// Fix the sign of each component so that its largest entry is positive:
	// the same corpus gives the same vectors whatever the solver's choices.
	raw := v.RawMatrix()
	for j := 0; j < k; j++ {
		best, neg := 0.0, false
		for i := 0; i < raw.Rows; i++ {
			x := raw.Data[i*raw.Stride+j]
			if a := math.Abs(x); a > best {
				best, neg = a, x < 0
			}
		}
		if neg {
			for i := 0; i < raw.Rows; i++ {
				raw.Data[i*raw.Stride+j] = -raw.Data[i*raw.Stride+j]
			}
		}
	}
	return v, sv, nil
}
