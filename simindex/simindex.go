// Package simindex keeps a compact copy of one model's vectors beside the
// database, so that "papers like this one" over a million papers reads 160
// MB of int8 codes through a memory map instead of 640 MB of float32 out of
// SQLite, and still returns the exact float32 answer.
//
// Each vector x is stored relative to a centre m and per-dimension weights
// w shared by the index: y = (x - m) / w is written as int8 codes c1 with one
// scale s1 (y ≈ s1·c1), and its residual as codes c2 with scale s2, with
// upper bounds e1 ≥ |x - m - w·s1·c1| and e2 ≥ |x - m - w·(s1·c1 + s2·c2)|.
// For a query q (itself quantised, with its own error), every paper's
// cosine lies within a bound of the codes' estimate; the k-th best lower
// bound is a floor under the true k-th score, and only the papers whose
// upper bound reaches that floor can be in the top k. A first pass over the
// c1 codes of every paper, then a second over the c2 codes of the few left,
// leaves about k papers, which the caller scores again in float32: that is
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
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
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
	version    = 4
	fixedHead  = 64
	maxNameLen = 1024
	// sampleSize is the number of vectors the centre and weights are
	// taken from (the first ones: any centre and weights keep the bounds
	// true, good ones keep them tight)
	sampleSize = 1 << 15
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

// layout is where each part of an index file of n vectors lies: the header
// (with the centre and weights), the first codes, the residuals' codes,
// then per vector its paper (int64), five float32 (s1, e1, s2, e2, and a
// bound of the norms of s1·c1 and s1·c1 + s2·c2) and the CRC-32C of its
// residual codes, each as one array; the CRC-32C of each block of
// crcBlock rows of the first codes; and a CRC-32C of the header and all
// of that. A scan checks the codes it reads against their CRCs.
type layout struct {
	codes, codes2, meta, blocks, size int64
}

const (
	metaBytes = 32
	crcBlock  = 1024 // rows of first codes under one CRC: the scan's block
)

func blocksOf(n int) int { return (n + crcBlock - 1) / crcBlock }

func layoutOf(head, n, dimPad int) layout {
	codes := int64(head+63) &^ 63
	codes2 := codes + int64(n)*int64(dimPad)
	meta := (codes2 + int64(n)*int64(dimPad) + 7) &^ 7
	blocks := meta + metaBytes*int64(n)
	return layout{codes: codes, codes2: codes2, meta: meta, blocks: blocks, size: blocks + 4*int64(blocksOf(n)) + 4}
}

func header(st Stamp, dim, n int, centre, weight []float64) []byte {
	h := make([]byte, fixedHead, fixedHead+len(st.DB)+len(st.Model)+8*dim)
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
	h = append(h, st.Model...)
	for _, v := range centre {
		h = binary.LittleEndian.AppendUint32(h, math.Float32bits(float32(v)))
	}
	for _, v := range weight {
		h = binary.LittleEndian.AppendUint32(h, math.Float32bits(float32(v)))
	}
	return h
}

// quantise writes y's codes into c (len(c) >= len(y); the rest is left
// zero), y - scale*c into r, and returns the scale.
func quantise(y, r []float64, c []int8) float32 {
	var m float64
	for _, v := range y {
		m = max(m, math.Abs(v))
	}
	scale := float32(m / 127)
	s := float64(scale)
	for i, v := range y {
		var q float64
		if s > 0 {
			q = math.Round(v / s)
		}
		q = max(-127, min(127, q))
		c[i] = int8(q)
		r[i] = v - s*q
	}
	return scale
}

// roundUp is a float32 at least x, with room for the rounding of the sums
// that made x.
func roundUp(x float64) float32 {
	b := float32(x*(1+1e-9) + 1e-12)
	if float64(b) < x {
		b = math.Nextafter32(b, float32(math.Inf(1)))
	}
	return b
}

// validVector is store.ValidVector: a finite vector of norm about one.
func validVector(v []float32) bool {
	var ss float64
	for _, x := range v {
		ss += float64(x) * float64(x)
	}
	return ss >= 1-2e-3 && ss <= 1+2e-3 // NaN fails both
}

// centreAndWeights are the mean of the sample and, per dimension, the
// largest distance from it (at least a thousandth of the largest, so that
// no dimension's weight is near zero). They are rounded to float32, as the
// file keeps them.
func centreAndWeights(sample [][]float32, dim int) ([]float64, []float64) {
	centre := make([]float64, dim)
	weight := make([]float64, dim)
	for _, v := range sample {
		for j, x := range v {
			centre[j] += float64(x)
		}
	}
	for j := range centre {
		centre[j] = float64(float32(centre[j] / float64(max(1, len(sample)))))
	}
	for _, v := range sample {
		for j, x := range v {
			weight[j] = max(weight[j], math.Abs(float64(x)-centre[j]))
		}
	}
	top := slices.Max(weight)
	for j := range weight {
		// at least 1e-3: the components of a unit vector are at most 1, so
		// no scale of (x-m)/w exceeds 2e3/127
		weight[j] = float64(float32(max(weight[j], top/1000, 1e-3)))
	}
	return centre, weight
}

// Build writes the index of the n vectors scan yields (each call: papers
// and their vectors, row-major, dim values each) to path, with the
// permissions perm, replacing it at once when whole: a reader sees the old file or the new one. A vector that
// is not a finite unit vector fails it with ErrInvalidVector, and a scan
// that yields another number of vectors than n fails it (nothing is
// written either way).
func Build(ctx context.Context, path string, perm os.FileMode, st Stamp, dim, n int, scan func(func(pids []int64, data []float32) error) error) (err error) {
	if dim <= 0 || dim > 1<<16 || n < 0 || len(st.DB) > maxNameLen || len(st.Model) > maxNameLen {
		return fmt.Errorf("simindex: cannot index %d vectors of %d dimensions of model %q", n, dim, st.Model)
	}
	if fi, err := os.Lstat(path); err == nil && !fi.Mode().IsRegular() && fi.Mode()&os.ModeSymlink == 0 {
		return fmt.Errorf("%s is %s, not the similarity index: remove it", path, kindOf(fi.Mode()))
	}
	removeStaleTemps(path)
	f, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	dimPad := padDim(dim)
	meta := make([]byte, metaBytes*n+4*blocksOf(n))
	var blockCRC uint32
	le := binary.LittleEndian
	c1, c2 := make([]int8, dimPad), make([]int8, dimPad)
	y, r1, r2 := make([]float64, dim), make([]float64, dim), make([]float64, dim)
	var centre, weight []float64
	var w1, w2 *bufio.Writer
	var lay layout
	var sample [][]float32
	var samplePIDs []int64
	i := 0
	put := func(p int64, v []float32) error {
		for j, x := range v {
			y[j] = (float64(x) - centre[j]) / weight[j]
		}
		s1 := quantise(y, r1, c1)
		s2 := quantise(r1, r2, c2)
		// the bounds, back in x's own units: x - m - w*(s1*c1) is w*r1
		var e1, e2, n1, n2 float64
		for j := range y {
			a, b := weight[j]*r1[j], weight[j]*r2[j]
			e1 += a * a
			e2 += b * b
			u := float64(s1) * float64(c1[j])
			n1 += u * u
			u += float64(s2) * float64(c2[j])
			n2 += u * u
		}
		row1 := unsafe.Slice((*byte)(unsafe.Pointer(&c1[0])), dimPad)
		row2 := unsafe.Slice((*byte)(unsafe.Pointer(&c2[0])), dimPad)
		if _, err := w1.Write(row1); err != nil {
			return err
		}
		if _, err := w2.Write(row2); err != nil {
			return err
		}
		blockCRC = crc32.Update(blockCRC, castagnoli, row1)
		if i%crcBlock == crcBlock-1 || i == n-1 {
			le.PutUint32(meta[metaBytes*n+4*(i/crcBlock):], blockCRC)
			blockCRC = 0
		}
		le.PutUint32(meta[28*n+4*i:], crc32.Checksum(row2, castagnoli))
		le.PutUint64(meta[8*i:], uint64(p))
		le.PutUint32(meta[8*n+4*i:], math.Float32bits(s1))
		le.PutUint32(meta[12*n+4*i:], math.Float32bits(roundUp(math.Sqrt(e1))))
		le.PutUint32(meta[16*n+4*i:], math.Float32bits(s2))
		le.PutUint32(meta[20*n+4*i:], math.Float32bits(roundUp(math.Sqrt(e2))))
		le.PutUint32(meta[24*n+4*i:], math.Float32bits(roundUp(math.Sqrt(max(n1, n2)))))
		i++
		return nil
	}
	start := func() error {
		centre, weight = centreAndWeights(sample, dim)
		lay = layoutOf(len(header(st, dim, n, centre, weight)), n, dimPad)
		w1 = bufio.NewWriterSize(io.NewOffsetWriter(f, lay.codes), 1<<20)
		w2 = bufio.NewWriterSize(io.NewOffsetWriter(f, lay.codes2), 1<<20)
		for k, v := range sample {
			if err := put(samplePIDs[k], v); err != nil {
				return err
			}
		}
		sample, samplePIDs = nil, nil
		return nil
	}
	seen := 0
	err = scan(func(ps []int64, data []float32) error {
		if len(data) != len(ps)*dim {
			return fmt.Errorf("simindex: %d values for %d vectors of %d dimensions", len(data), len(ps), dim)
		}
		if seen+len(ps) > n {
			return fmt.Errorf("simindex: more than the %d vectors expected (the vectors changed meanwhile)", n)
		}
		for k, p := range ps {
			v := data[k*dim : (k+1)*dim]
			if !validVector(v) {
				return fmt.Errorf("paper %d: %w", p, ErrInvalidVector)
			}
			seen++
			if w1 == nil {
				sample = append(sample, slices.Clone(v))
				samplePIDs = append(samplePIDs, p)
				if len(sample) == min(n, sampleSize) {
					if err := start(); err != nil {
						return err
					}
				}
				continue
			}
			if err := put(p, v); err != nil {
				return err
			}
		}
		return ctx.Err()
	})
	if err == nil && w1 == nil {
		err = start() // fewer vectors than expected: refused below
	}
	if err != nil {
		return err
	}
	if i != n {
		return fmt.Errorf("simindex: %d vectors, %d expected (the vectors changed meanwhile)", i, n)
	}
	if err := w1.Flush(); err != nil {
		return err
	}
	if err := w2.Flush(); err != nil {
		return err
	}
	head := header(st, dim, n, centre, weight)
	crc := crc32.Update(crc32.Checksum(head, castagnoli), castagnoli, meta)
	meta = le.AppendUint32(meta, crc)
	if _, err := f.WriteAt(head, 0); err != nil {
		return err
	}
	if _, err := f.WriteAt(meta, lay.meta); err != nil {
		return err
	}
	if err := f.Truncate(lay.size); err != nil {
		return err
	}
	if err := f.Chmod(perm); err != nil {
		return err
	}
	// on disk before it is named: a crash leaves the old file or the new
	// one, never a file whose codes were not written
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

// Index is an open index file.
type Index struct {
	dim, dimPad int
	n           int
	centre      []float64
	weight      []float64
	codes       []int8 // n rows of dimPad
	codes2      []int8 // the residuals' codes
	pids        []int64
	s1, e1      []float32
	s2, e2      []float32
	norm        []float32
	rowCRC      []uint32 // of each row of codes2
	blockCRC    []uint32 // of each crcBlock rows of codes
	raw1, raw2  []byte   // codes and codes2 as bytes
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
	// a FIFO or a device would block the open, or never end
	if fi, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil, ErrStale
	} else if err != nil {
		return nil, err
	} else if !fi.Mode().IsRegular() {
		return nil, ErrCorrupt
	}
	f, err := openNonblock(path)
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
	fdim, fpad := int(le.Uint32(b[20:])), int(le.Uint32(b[24:]))
	if dl > maxNameLen || ml > maxNameLen || fdim <= 0 || fdim > 1<<16 || fpad != padDim(fdim) || len(b) < fixedHead+dl+ml+8*fdim {
		return nil, ErrCorrupt
	}
	head := b[:fixedHead+dl+ml+8*fdim]
	n64 := le.Uint64(b[32:])
	if n64 > uint64(len(b)) {
		return nil, ErrCorrupt
	}
	n := int(n64)
	lay := layoutOf(len(head), n, fpad)
	if lay.size != int64(len(b)) {
		return nil, ErrCorrupt
	}
	meta := b[lay.meta : lay.size-4]
	crc := crc32.Update(crc32.Checksum(head, castagnoli), castagnoli, meta)
	if crc != le.Uint32(b[lay.size-4:]) {
		return nil, ErrCorrupt
	}
	names := head[fixedHead : fixedHead+dl+ml]
	got := Stamp{DB: string(names[:dl]), Model: string(names[dl:]), MID: int64(le.Uint64(b[40:])), Gen: int64(le.Uint64(b[48:]))}
	if got != st || fdim != dim {
		return nil, ErrStale
	}
	ix := &Index{dim: dim, dimPad: fpad, n: n, centre: make([]float64, dim), weight: make([]float64, dim)}
	vecs := head[fixedHead+dl+ml:]
	for j := range dim {
		ix.centre[j] = float64(math.Float32frombits(le.Uint32(vecs[4*j:])))
		ix.weight[j] = float64(math.Float32frombits(le.Uint32(vecs[4*(dim+j):])))
		if c, w := ix.centre[j], ix.weight[j]; !(math.Abs(c) <= 2 && w > 0 && w <= 4) {
			return nil, ErrCorrupt
		}
	}
	if n == 0 {
		return ix, nil
	}
	rows := int64(n) * int64(fpad)
	ix.codes = unsafe.Slice((*int8)(unsafe.Pointer(&b[lay.codes])), rows)
	ix.codes2 = unsafe.Slice((*int8)(unsafe.Pointer(&b[lay.codes2])), rows)
	floats := func(i int) []float32 {
		if littleEndian {
			return unsafe.Slice((*float32)(unsafe.Pointer(&meta[(8+4*i)*n])), n)
		}
		out := make([]float32, n)
		for k := range out {
			out[k] = math.Float32frombits(le.Uint32(meta[(8+4*i)*n+4*k:]))
		}
		return out
	}
	if littleEndian && uintptr(unsafe.Pointer(&meta[0]))%8 == 0 {
		ix.pids = unsafe.Slice((*int64)(unsafe.Pointer(&meta[0])), n)
	} else {
		ix.pids = make([]int64, n)
		for i := range n {
			ix.pids[i] = int64(le.Uint64(meta[8*i:]))
		}
	}
	ix.s1, ix.e1, ix.s2, ix.e2, ix.norm = floats(0), floats(1), floats(2), floats(3), floats(4)
	uint32s := func(at, count int) []uint32 {
		if littleEndian {
			return unsafe.Slice((*uint32)(unsafe.Pointer(&meta[at])), count)
		}
		out := make([]uint32, count)
		for k := range out {
			out[k] = le.Uint32(meta[at+4*k:])
		}
		return out
	}
	ix.rowCRC = uint32s(28*n, n)
	ix.blockCRC = uint32s(metaBytes*n, blocksOf(n))
	ix.raw1 = b[lay.codes : lay.codes+rows]
	ix.raw2 = b[lay.codes2 : lay.codes2+rows]
	// a bound that is not a finite number >= 0 would let a paper slip
	// (y = (x-m)/w has |y_j| <= 4/min(w), so every scale is below 1e6)
	for i := range n {
		s1, e1, s2, e2, nr := ix.s1[i], ix.e1[i], ix.s2[i], ix.e2[i], ix.norm[i]
		if !(s1 >= 0 && s1 <= 1e6 && e1 >= 0 && e1 <= 4 && s2 >= 0 && s2 <= 1e6 && e2 >= 0 && e2 <= 4 && nr >= 0 && nr <= 1e9) {
			return nil, ErrCorrupt
		}
	}
	return ix, nil
}

// Candidates returns the papers that may be among the k most similar to the
// unit vector q (cosine), leaving out the few papers of exclude and those
// skip names (skip may be nil): every paper of the exact float32 top k is
// among them, ties included, in the index's order. Score them again in
// float32 to get it.
func (ix *Index) Candidates(ctx context.Context, q []float32, k int, exclude []int64, skip func(pid int64) bool) ([]int64, error) {
	if len(q) != ix.dim {
		return nil, fmt.Errorf("simindex: a query of %d dimensions for an index of %d", len(q), ix.dim)
	}
	if k <= 0 || ix.n == 0 {
		return nil, nil
	}
	k = min(k, ix.n)
	// q.x = q.m + qw.y with qw = q*w, y = (x-m)/w; qw is quantised to
	// int16, scaled so that no sum of a row leaves int32
	var qmaxAbs, qnorm2, qm float64
	qw := make([]float64, ix.dim)
	for j, v := range q {
		qw[j] = float64(v) * ix.weight[j]
		qmaxAbs = max(qmaxAbs, math.Abs(qw[j]))
		qnorm2 += float64(v) * float64(v)
		qm += float64(v) * ix.centre[j]
	}
	if !(qmaxAbs > 0) || math.IsInf(qnorm2, 0) || math.IsNaN(qnorm2) || math.IsInf(qmaxAbs, 0) {
		return nil, fmt.Errorf("simindex: the query is not a finite vector")
	}
	qmax := float64(min(32767, (math.MaxInt32)/(ix.dimPad*127)))
	sq := qmax / qmaxAbs
	q16 := make([]int16, ix.dimPad)
	var eq2 float64
	for j, v := range qw {
		r := max(-qmax, min(qmax, math.Round(v*sq)))
		q16[j] = int16(r)
		d := v - r/sq
		eq2 += d * d
	}
	// With yh the codes' reconstruction of y and xh = m + w*yh:
	// q.x - (q.m + qh.yh) = q.(x - xh) + (qw - qh).yh, so the error is at
	// most |q| e + |qw - qh| |yh| (qh = q16/sq). The float32 score the
	// caller computes is within dim * 2^-24 * |q||x| of q.x, whatever the
	// order of its sums, and |x| <= sqrt(1.002) (a valid vector).
	qNorm := math.Sqrt(qnorm2) * (1 + 1e-9)
	qErr := math.Sqrt(eq2)*(1+1e-9) + 1e-12
	margin := 1.01*float64(ix.dim)*0x1p-24*qNorm*math.Sqrt(1.002) + 1e-7 + 1e-9*math.Abs(qm)
	inv := 1 / sq

	// The papers of exclude are scanned like any other, and the floor is
	// the (k+len(exclude))-th best lower bound: no higher than the k-th of
	// the others.
	kk := k + len(exclude)
	parts := min(runtime.GOMAXPROCS(0), 8, max(1, ix.n/4096))
	// parts start at a CRC block: each block of the scan is one of them
	start := func(p int) int { return min(ix.n, (p*ix.n/parts)/crcBlock*crcBlock) }
	var damaged atomic.Bool
	type kept struct {
		row int
		dot int32
		hi  float64
	}
	found := make([][]kept, parts)
	floors := make([][]float64, parts)
	var wg sync.WaitGroup
	for p := range parts {
		lo, hi := start(p), start(p+1)
		if p == parts-1 {
			hi = ix.n
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			const block = crcBlock
			out := make([]int32, block)
			h := floorHeap{k: kk}
			floor := math.Inf(-1) // the part's k-th best lower bound so far
			var keep []kept
			for at := lo; at < hi; at += block {
				m := min(block, hi-at)
				if crc32.Checksum(ix.raw1[at*ix.dimPad:(at+m)*ix.dimPad], castagnoli) != ix.blockCRC[at/crcBlock] {
					damaged.Store(true)
					return
				}
				f32.DotsI8(q16, ix.codes[at*ix.dimPad:(at+m)*ix.dimPad], out[:m])
				s1, e1, nr := ix.s1[at:at+m:at+m], ix.e1[at:at+m:at+m], ix.norm[at:at+m:at+m]
				for i, d := range out[:m] {
					a := qm + float64(d)*inv*float64(s1[i])
					b := qNorm*float64(e1[i]) + qErr*float64(nr[i]) + margin
					if a+b < floor {
						continue // below k lower bounds already: never a candidate
					}
					if skip != nil && skip(ix.pids[at+i]) {
						continue
					}
					keep = append(keep, kept{at + i, d, a + b})
					if h.add(a - b) {
						floor = h.v[0]
					}
				}
				if ctx.Err() != nil {
					return
				}
			}
			found[p], floors[p] = keep, h.v
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if damaged.Load() {
		return nil, ErrCorrupt
	}
	var all []float64
	for _, f := range floors {
		all = append(all, f...)
	}
	floor := math.Inf(-1)
	if len(all) >= kk {
		slices.Sort(all)
		floor = all[len(all)-kk]
	}
	// Second pass, over those only, with y = s1*c1 + s2*c2 within e2.
	var first []kept
	for _, f := range found {
		for _, c := range f {
			if c.hi >= floor {
				first = append(first, c)
			}
		}
	}
	est := make([]float64, len(first))
	bounds := make([]float64, len(first))
	h := floorHeap{k: kk}
	var d2 [1]int32
	for i, c := range first {
		r := c.row
		if crc32.Checksum(ix.raw2[r*ix.dimPad:(r+1)*ix.dimPad], castagnoli) != ix.rowCRC[r] {
			return nil, ErrCorrupt
		}
		f32.DotsI8(q16, ix.codes2[r*ix.dimPad:(r+1)*ix.dimPad], d2[:])
		est[i] = qm + inv*(float64(c.dot)*float64(ix.s1[r])+float64(d2[0])*float64(ix.s2[r]))
		bounds[i] = qNorm*float64(ix.e2[r]) + qErr*float64(ix.norm[r]) + margin
		h.add(est[i] - bounds[i])
	}
	floor = math.Inf(-1)
	if len(h.v) >= kk {
		floor = h.v[0]
	}
	out := make([]int64, 0, min(kk, len(first)))
	for i, c := range first {
		if p := ix.pids[c.row]; est[i]+bounds[i] >= floor && !slices.Contains(exclude, p) {
			out = append(out, p)
		}
	}
	return out, nil
}

// floorHeap keeps the k largest lower bounds (a min-heap).
type floorHeap struct {
	k int
	v []float64
}

// add adds x; it reports whether the heap is full, its least value then
// being the k-th largest.
func (h *floorHeap) add(x float64) bool {
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
		return len(h.v) == h.k
	}
	if x <= h.v[0] {
		return true
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
			return true
		}
		h.v[m], h.v[i] = h.v[i], h.v[m]
		i = m
	}
}

// kindOf names what a file that is not a regular file is.
func kindOf(m os.FileMode) string {
	switch {
	case m.IsDir():
		return "a folder"
	case m&os.ModeNamedPipe != 0:
		return "a named pipe"
	case m&(os.ModeDevice|os.ModeCharDevice) != 0:
		return "a device"
	default:
		return "not a regular file"
	}
}

// removeStaleTemps removes the temporary files of builds of path that a
// killed process left (those older than ten minutes: a build under way
// writes its file at least that often).
func removeStaleTemps(path string) {
	olds, _ := filepath.Glob(filepath.Join(filepath.Dir(path), globEscape(filepath.Base(path))+".*.tmp"))
	for _, o := range olds {
		if fi, err := os.Lstat(o); err == nil && fi.Mode().IsRegular() && time.Since(fi.ModTime()) > 10*time.Minute {
			os.Remove(o)
		}
	}
}

// globEscape escapes the characters filepath.Match treats specially.
func globEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`*?[\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
