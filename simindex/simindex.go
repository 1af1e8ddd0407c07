// Package simindex keeps a compact copy of one model's vectors beside the
// database, so that "papers like this one" over a million papers reads 160
// MB of int8 codes through a memory map instead of 640 MB of float32 out of
// SQLite, and still returns the exact float32 answer.
//
// Each vector x is stored as int8 codes c with one scale s (x ≈ s·c) and an
// upper bound e ≥ |x − s·c|. For a query q (quantised to int16 likewise, with
// its own error), every paper's cosine lies within a bound of the code's
// estimate; the k-th best lower bound is a floor under the true k-th score,
// and only the papers whose upper bound reaches that floor can be in the
// top k. Those few are scored again in float32 by the caller, which gives
// exactly the float32 scan's top k.
//
// The file is a cache: it carries the stamp of the vectors it was built from
// (database identity, model and generation), and a file whose stamp is not
// the database's current one is not used.
package simindex

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"unsafe"

	"github.com/papersift/papersift/internal/f32"
)

// Stamp identifies the vectors an index was built from.
type Stamp struct {
	DB    string // the database's identity
	MID   int64  // the model's id in the database
	Model string // the model's name
	Gen   int64  // the generation of the model's vectors
}

const (
	magic      = "papersift-simidx"
	version    = 1
	fixedHead  = 64
	maxNameLen = 1024
)

var (
	// ErrStale: the index is missing, or was built from other vectors.
	ErrStale = errors.New("the similarity index is missing or out of date")
	// ErrCorrupt: the file is not a whole index.
	ErrCorrupt = errors.New("the similarity index file is damaged")
	// ErrInvalidVector: a vector that is not a finite unit vector, which
	// the codes' bounds would not hold for.
	ErrInvalidVector = errors.New("a vector is not a finite unit vector")
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// padDim is the codes' row length: the dimension rounded up to 16.
func padDim(dim int) int { return (dim + 15) &^ 15 }

// layout is where each part of an index file of n vectors lies.
type layout struct {
	codes, meta, size int64
}

func layoutOf(head, n, dimPad int) layout {
	codes := int64(head+63) &^ 63
	meta := (codes + int64(n)*int64(dimPad) + 7) &^ 7
	return layout{codes: codes, meta: meta, size: meta + 16*int64(n) + 4}
}

func header(st Stamp, dim, n int) []byte {
	h := make([]byte, fixedHead, fixedHead+len(st.DB)+len(st.Model))
	copy(h, magic)
	binary.LittleEndian.PutUint32(h[16:], version)
	binary.LittleEndian.PutUint32(h[20:], uint32(dim))
	binary.LittleEndian.PutUint32(h[24:], uint32(padDim(dim)))
	binary.LittleEndian.PutUint64(h[32:], uint64(n))
	binary.LittleEndian.PutUint64(h[40:], uint64(st.MID))
	binary.LittleEndian.PutUint64(h[48:], uint64(st.Gen))
	binary.LittleEndian.PutUint16(h[56:], uint16(len(st.DB)))
	binary.LittleEndian.PutUint16(h[58:], uint16(len(st.Model)))
	h = append(h, st.DB...)
	return append(h, st.Model...)
}

// quantise writes x's codes into c (len(c) >= len(x); the rest is left
// zero) and returns the scale and an upper bound of |x - scale*c|.
func quantise(x []float32, c []int8) (float32, float32) {
	var m float64
	for _, v := range x {
		m = max(m, math.Abs(float64(v)))
	}
	scale := float32(m / 127)
	s := float64(scale)
	var e float64
	for i, v := range x {
		var q float64
		if s > 0 {
			q = math.Round(float64(v) / s)
		}
		q = max(-127, min(127, q))
		c[i] = int8(q)
		d := float64(v) - s*q
		e += d * d
	}
	// rounded up, with room for the rounding of the sum
	bound := float32(math.Sqrt(e)*(1+1e-9) + 1e-12)
	if float64(bound) < math.Sqrt(e) {
		bound = math.Nextafter32(bound, float32(math.Inf(1)))
	}
	return scale, bound
}

// validVector is store.ValidVector: a finite vector of norm about one.
func validVector(v []float32) bool {
	var ss float64
	for _, x := range v {
		ss += float64(x) * float64(x)
	}
	return ss >= 1-2e-3 && ss <= 1+2e-3 // NaN fails both
}

// Build writes the index of the vectors scan yields (each call: papers and
// their vectors, row-major, dim values each) to path, replacing it at once
// when whole: a reader sees the old file or the new one. It returns the
// number of vectors. A vector that is not a finite unit vector fails it
// with ErrInvalidVector (and nothing is written).
func Build(ctx context.Context, path string, st Stamp, dim int, scan func(func(pids []int64, data []float32) error) error) (n int, err error) {
	if dim <= 0 || dim > 1<<16 || len(st.DB) > maxNameLen || len(st.Model) > maxNameLen {
		return 0, fmt.Errorf("simindex: cannot index vectors of %d dimensions of model %q", dim, st.Model)
	}
	f, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".*.tmp")
	if err != nil {
		return 0, err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	dimPad := padDim(dim)
	head := header(st, dim, 0)
	lay := layoutOf(len(head), 0, dimPad)
	if _, err := f.Seek(lay.codes, 0); err != nil {
		return 0, err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	var pids []int64
	var scales, errs []float32
	row := make([]int8, dimPad)
	err = scan(func(ps []int64, data []float32) error {
		if len(data) != len(ps)*dim {
			return fmt.Errorf("simindex: %d values for %d vectors of %d dimensions", len(data), len(ps), dim)
		}
		for i, p := range ps {
			x := data[i*dim : (i+1)*dim]
			if !validVector(x) {
				return fmt.Errorf("paper %d: %w", p, ErrInvalidVector)
			}
			s, e := quantise(x, row)
			if _, err := w.Write(unsafe.Slice((*byte)(unsafe.Pointer(&row[0])), dimPad)); err != nil {
				return err
			}
			pids = append(pids, p)
			scales = append(scales, s)
			errs = append(errs, e)
		}
		return ctx.Err()
	})
	if err != nil {
		return 0, err
	}
	n = len(pids)
	head = header(st, dim, n)
	lay = layoutOf(len(head), n, dimPad)
	if err := w.Flush(); err != nil {
		return 0, err
	}
	meta := make([]byte, 16*n)
	for i := range n {
		binary.LittleEndian.PutUint64(meta[8*i:], uint64(pids[i]))
		binary.LittleEndian.PutUint32(meta[8*n+4*i:], math.Float32bits(scales[i]))
		binary.LittleEndian.PutUint32(meta[12*n+4*i:], math.Float32bits(errs[i]))
	}
	crc := crc32.Update(crc32.Checksum(head, castagnoli), castagnoli, meta)
	meta = binary.LittleEndian.AppendUint32(meta, crc)
	if _, err := f.WriteAt(head, 0); err != nil {
		return 0, err
	}
	if _, err := f.WriteAt(meta, lay.meta); err != nil {
		return 0, err
	}
	if err := f.Truncate(lay.size); err != nil {
		return 0, err
	}
	// on disk before it is named: a crash leaves the old file or the new
	// one, never a file whose codes were not written
	if err := f.Sync(); err != nil {
		return 0, err
	}
	if err := f.Close(); err != nil {
		return 0, err
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return 0, err
	}
	return n, nil
}

// Index is an open index file.
type Index struct {
	dim, dimPad int
	n           int
	codes       []int8
	pids        []int64
	scales      []float32
	errs        []float32
	unmap       func() error
}

// Len is the number of vectors.
func (ix *Index) Len() int { return ix.n }

// Close releases the file's memory map.
func (ix *Index) Close() error {
	if ix == nil || ix.unmap == nil {
		return nil
	}
	err := ix.unmap()
	ix.unmap = nil
	return err
}

var littleEndian = func() bool {
	x := uint16(1)
	return *(*byte)(unsafe.Pointer(&x)) == 1
}()

// Open opens the index at path if it was built from the vectors st names
// (ErrStale otherwise, or when there is none), with dim dimensions. A
// damaged file is ErrCorrupt.
func Open(path string, st Stamp, dim int) (*Index, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, ErrStale
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() || fi.Size() < fixedHead || fi.Size() > 1<<46 {
		return nil, ErrCorrupt
	}
	b, unmap, err := mapFile(f, int(fi.Size()))
	if err != nil {
		return nil, err
	}
	ix, err := parse(b, st, dim)
	if err != nil {
		unmap()
		return nil, err
	}
	ix.unmap = unmap
	return ix, nil
}

// parse checks an index file's bytes and points an Index into them.
func parse(b []byte, st Stamp, dim int) (*Index, error) {
	le := binary.LittleEndian
	if len(b) < fixedHead || string(b[:16]) != magic || le.Uint32(b[16:]) != version {
		return nil, ErrCorrupt
	}
	dl, ml := int(le.Uint16(b[56:])), int(le.Uint16(b[58:]))
	if dl > maxNameLen || ml > maxNameLen || len(b) < fixedHead+dl+ml {
		return nil, ErrCorrupt
	}
	head := b[:fixedHead+dl+ml]
	fdim, fpad := int(le.Uint32(b[20:])), int(le.Uint32(b[24:]))
	n64 := le.Uint64(b[32:])
	if fdim <= 0 || fdim > 1<<16 || fpad != padDim(fdim) || n64 > uint64(len(b)) {
		return nil, ErrCorrupt
	}
	n := int(n64)
	lay := layoutOf(len(head), n, fpad)
	if lay.size != int64(len(b)) {
		return nil, ErrCorrupt
	}
	meta := b[lay.meta : lay.meta+16*int64(n)]
	crc := crc32.Update(crc32.Checksum(head, castagnoli), castagnoli, meta)
	if crc != le.Uint32(b[lay.size-4:]) {
		return nil, ErrCorrupt
	}
	got := Stamp{DB: string(head[fixedHead : fixedHead+dl]), Model: string(head[fixedHead+dl:]),
		MID: int64(le.Uint64(b[40:])), Gen: int64(le.Uint64(b[48:]))}
	if got != st || fdim != dim {
		return nil, ErrStale
	}
	ix := &Index{dim: dim, dimPad: fpad, n: n}
	if n == 0 {
		return ix, nil
	}
	codes := b[lay.codes : lay.codes+int64(n)*int64(fpad)]
	ix.codes = unsafe.Slice((*int8)(unsafe.Pointer(&codes[0])), len(codes))
	if littleEndian && uintptr(unsafe.Pointer(&meta[0]))%8 == 0 {
		ix.pids = unsafe.Slice((*int64)(unsafe.Pointer(&meta[0])), n)
		ix.scales = unsafe.Slice((*float32)(unsafe.Pointer(&meta[8*n])), n)
		ix.errs = unsafe.Slice((*float32)(unsafe.Pointer(&meta[12*n])), n)
	} else {
		ix.pids, ix.scales, ix.errs = make([]int64, n), make([]float32, n), make([]float32, n)
		for i := range n {
			ix.pids[i] = int64(le.Uint64(meta[8*i:]))
			ix.scales[i] = math.Float32frombits(le.Uint32(meta[8*n+4*i:]))
			ix.errs[i] = math.Float32frombits(le.Uint32(meta[12*n+4*i:]))
		}
	}
	for i := range n {
		// a bound that is not a finite number >= 0 would let a paper slip
		if s, e := ix.scales[i], ix.errs[i]; !(s >= 0 && s <= 1 && e >= 0 && e <= 2) {
			return nil, ErrCorrupt
		}
	}
	return ix, nil
}

// Candidates returns the papers that may be among the k most similar to the
// unit vector q (cosine), leaving out those skip names: every paper of the
// exact float32 top k is among them (ties included), in the index's order.
// Score them again in float32 to get it.
func (ix *Index) Candidates(ctx context.Context, q []float32, k int, skip func(pid int64) bool) ([]int64, error) {
	if len(q) != ix.dim {
		return nil, fmt.Errorf("simindex: a query of %d dimensions for an index of %d", len(q), ix.dim)
	}
	if k <= 0 || ix.n == 0 {
		return nil, nil
	}
	var qmaxAbs, qnorm2 float64
	for _, v := range q {
		qmaxAbs = max(qmaxAbs, math.Abs(float64(v)))
		qnorm2 += float64(v) * float64(v)
	}
	if !(qmaxAbs > 0) || math.IsInf(qnorm2, 0) || math.IsNaN(qnorm2) {
		return nil, fmt.Errorf("simindex: the query is not a finite vector")
	}
	// q as int16, scaled so that no sum of a row leaves int32
	qmax := float64(min(32767, (math.MaxInt32)/(ix.dimPad*127)))
	sq := qmax / qmaxAbs
	q16 := make([]int16, ix.dimPad)
	var eq2, qh2 float64
	for j, v := range q {
		r := max(-qmax, min(qmax, math.Round(float64(v)*sq)))
		q16[j] = int16(r)
		d := float64(v) - r/sq
		eq2 += d * d
		qh2 += (r / sq) * (r / sq)
	}
	// |q.x - qh.xh| <= |q-qh||x| + |qh||x-xh|; |x| <= sqrt(1.002) (a valid
	// vector); the float32 score the caller computes is within
	// dim * 2^-24 * |q||x| of q.x, whatever the order of its sums
	qErr := math.Sqrt(eq2)*(1+1e-9)*math.Sqrt(1.002) + 1e-9
	qhNorm := math.Sqrt(qh2) * (1 + 1e-9)
	margin := 1.01*float64(ix.dim)*0x1p-24*math.Sqrt(qnorm2)*math.Sqrt(1.002) + 1e-7
	inv := 1 / sq

	parts := min(runtime.GOMAXPROCS(0), 8, max(1, ix.n/4096))
	his := make([]float32, ix.n)
	floors := make([][]float64, parts)
	var wg sync.WaitGroup
	for p := range parts {
		lo, hi := p*ix.n/parts, (p+1)*ix.n/parts
		wg.Add(1)
		go func() {
			defer wg.Done()
			const block = 1024
			out := make([]int32, block)
			h := floorHeap{k: k}
			for at := lo; at < hi; at += block {
				m := min(block, hi-at)
				f32.DotsI8(q16, ix.codes[at*ix.dimPad:(at+m)*ix.dimPad], out[:m])
				for i := range m {
					r := at + i
					if skip != nil && skip(ix.pids[r]) {
						his[r] = float32(math.Inf(-1))
						continue
					}
					a := float64(out[i]) * inv * float64(ix.scales[r])
					b := qErr + qhNorm*float64(ix.errs[r]) + margin
					up := float32(a + b)
					if float64(up) < a+b {
						up = math.Nextafter32(up, float32(math.Inf(1)))
					}
					his[r] = up
					h.add(a - b)
				}
				if ctx.Err() != nil {
					return
				}
			}
			floors[p] = h.v
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var all []float64
	for _, f := range floors {
		all = append(all, f...)
	}
	floor := math.Inf(-1)
	if len(all) >= k {
		slices.Sort(all)
		floor = all[len(all)-k]
	}
	var out []int64
	for r, up := range his {
		if float64(up) >= floor && !math.IsInf(float64(up), -1) {
			out = append(out, ix.pids[r])
		}
	}
	return out, nil
}

// floorHeap keeps the k largest lower bounds (a min-heap).
type floorHeap struct {
	k int
	v []float64
}

func (h *floorHeap) add(x float64) {
	if len(h.v) < h.k {
		h.v = append(h.v, x)
		for i := len(h.v) - 1; i > 0; {
			p := (i - 1) / 2
			if h.v[p] <= h.v[i] {
				break
			}
			h.v[p], h.v[i] = h.v[i], h.v[p]
			i = p
		}
		return
	}
	if x <= h.v[0] {
		return
	}
	h.v[0] = x
	for i := 0; ; {
		l, r, m := 2*i+1, 2*i+2, i
		if l < len(h.v) && h.v[l] < h.v[m] {
			m = l
		}
		if r < len(h.v) && h.v[r] < h.v[m] {
			m = r
		}
		if m == i {
			return
		}
		h.v[m], h.v[i] = h.v[i], h.v[m]
		i = m
	}
}
