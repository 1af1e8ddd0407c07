// Package simindex keeps a copy of one model's vectors beside the database,
// so that "papers like this one" over a million papers reads 180 MB of int8
// codes and bounds (by pread, block by block) instead of 640 MB of float32
// out of SQLite, and still returns the exact float32 answer; the float32
// vectors themselves are kept too, for the few candidates and for callers
// that map them all (Vectors).
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
	"cmp"
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
	"sort"
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

// recordSeed starts the CRC of every record of an index of st's vectors:
// a record from another build (another generation of vectors, left on the
// disk by a power cut before the new file was all written) fails its check.
func recordSeed(st Stamp) uint32 {
	b := binary.LittleEndian.AppendUint64(nil, uint64(st.MID))
	b = binary.LittleEndian.AppendUint64(b, uint64(st.Gen))
	b = append(b, st.DB...)
	b = append(b, 0)
	b = append(b, st.Model...)
	return crc32.Checksum(b, castagnoli)
}

const (
	magic      = "papersift-simidx"
	version    = 7
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

// layout is where each part of an index file of n vectors lies:
//
//   - the header (with the centre and weights);
//   - the first pass's blocks, one per crcBlock rows: the rows' first codes,
//     then their papers (int64), then three float32 arrays (s1, e1, and a
//     bound of the norms of s1·c1 and s1·c1 + s2·c2), then the codes' sums
//     (below): what the first pass reads, in one read per block;
//   - one record per vector for the second pass: its residual codes, its
//     paper, s2, e2, the CRC-32C of its float32 vector, and the CRC-32C of
//     the record;
//   - the vectors themselves in float32, row after row, from a page
//     boundary, so that they can be mapped and used in place, and the
//     papers again as one array;
//   - the table: the CRC-32C of each block of the first pass (but its
//     codes), of each crcBlock rows of the vectors, and of the papers'
//     array;
//   - a CRC-32C of the header and the table.
//
// Every part is read through a check: the first pass checks each block it
// reads, the second each record, Vectors every vector and paper. The codes
// of a block, 89% of what the first pass reads, are checked through the
// scan's own products rather than a CRC (which took 7 of the 55 ms of CPU
// of a query of a million papers): the block keeps, for each dimension j,
// the sum over its rows i of w_i·c_ij modulo 2^32, with fixed odd row
// weights w_i (codeWeight); the query's integer products d_i = Σ_j q_j·c_ij
// then satisfy Σ_i w_i·d_i = Σ_j q_j·sum_j modulo 2^32, which costs a
// thousand multiplications a block. A damaged code that changes one row's
// product breaks the equality for certain (w_i is odd and |d_i| < 2^31);
// one that changes none leaves the query's answer as it was.
type layout struct {
	blocks, recs, floats, pidArr, table, size int64
	block, rec                                int64 // bytes of a block's row, of a record
	sums                                      int64 // bytes of a block's codes' sums
}

// blockAt is the offset of block blk of the first pass, and its length
// when it holds m rows.
func (l layout) blockAt(blk, m int) (off, length int64) {
	return l.blocks + int64(blk)*(crcBlock*l.block+l.sums), int64(m)*l.block + l.sums
}

// codeWeight is the weight of row i of a block in its codes' sums: odd,
// and different for each row.
func codeWeight(i int) uint32 { return uint32(i)*0x9E3779B9 | 1 }

// codeSums adds the codes of row i of a block, weighted, to its sums.
func codeSums(sums []uint32, i int, codes []int8) {
	w := codeWeight(i)
	for j, c := range codes {
		sums[j] += w * uint32(int32(c))
	}
}

// flagSorted, in the header's flags: the rows are in increasing order of
// their papers.
const flagSorted = 1

const crcBlock = 1024 // rows of one block of the first pass (and its CRC)

func blocksOf(n int) int { return (n + crcBlock - 1) / crcBlock }

func layoutOf(head, n, dim, dimPad int) layout {
	var l layout
	l.block, l.rec, l.sums = int64(dimPad)+20, int64(dimPad)+24, 4*int64(dimPad)
	l.blocks = int64(head+63) &^ 63
	l.recs = l.blocks + int64(n)*l.block + int64(blocksOf(n))*l.sums
	l.floats = (l.recs + int64(n)*l.rec + 4095) &^ 4095
	l.pidArr = l.floats + 4*int64(n)*int64(dim)
	l.pidArr = (l.pidArr + 7) &^ 7
	l.table = l.pidArr + 8*int64(n)
	l.size = l.table + 8*int64(blocksOf(n)) + 4 + 4
	return l
}

// tableBytes is the length of the table (with the last CRC).
func (l layout) tableBytes() int64 { return l.size - l.table }

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
	nb := blocksOf(n)
	table := make([]byte, 0, 8*nb+8)
	floatCRC := make([]uint32, 0, nb)
	var floatRun uint32 // CRC of the current block's vectors
	pidBytes := make([]byte, 0, 8*n)
	le := binary.LittleEndian
	var centre, weight []float64
	var wRec, wFloat *bufio.Writer
	var lay layout
	sorted := true // the papers in increasing order
	last := int64(math.MinInt64)
	// the block being filled: codes, papers, s1, e1, norms of up to
	// crcBlock rows
	codes := make([]byte, 0, crcBlock*dimPad)
	var bPID []byte
	var bS1, bE1, bNorm, bSums []byte
	sums := make([]uint32, dimPad)
	blockAt := int64(0)
	flushBlock := func() error {
		if len(bPID) == 0 {
			return nil
		}
		bSums = bSums[:0]
		for _, v := range sums {
			bSums = le.AppendUint32(bSums, v)
		}
		clear(sums)
		buf := slices.Concat(codes, bPID, bS1, bE1, bNorm, bSums)
		if _, err := f.WriteAt(buf, blockAt); err != nil {
			return err
		}
		blockAt += int64(len(buf))
		table = le.AppendUint32(table, crc32.Checksum(buf[len(codes):], castagnoli))
		codes, bPID, bS1, bE1, bNorm = codes[:0], bPID[:0], bS1[:0], bE1[:0], bNorm[:0]
		return nil
	}
	recLen := dimPad + 24
	i := 0
	// emit writes the encoded rows of a batch, in order
	emit := func(b *encodedBatch) error {
		for k, p := range b.pids {
			sorted = sorted && p > last
			last = p
			row := b.codes[k*dimPad : (k+1)*dimPad]
			codeSums(sums, i%crcBlock, unsafe.Slice((*int8)(unsafe.Pointer(unsafe.SliceData(row))), dimPad))
			codes = append(codes, row...)
			bPID = le.AppendUint64(bPID, uint64(p))
			bS1 = le.AppendUint32(bS1, math.Float32bits(b.s1[k]))
			bE1 = le.AppendUint32(bE1, math.Float32bits(b.e1[k]))
			bNorm = le.AppendUint32(bNorm, math.Float32bits(b.norm[k]))
			if _, err := wRec.Write(b.recs[k*recLen : (k+1)*recLen]); err != nil {
				return err
			}
			frow := b.floats[k*4*dim : (k+1)*4*dim]
			if _, err := wFloat.Write(frow); err != nil {
				return err
			}
			floatRun = crc32.Update(floatRun, castagnoli, frow)
			pidBytes = le.AppendUint64(pidBytes, uint64(p))
			i++
			if i%crcBlock == 0 || i == n {
				floatCRC = append(floatCRC, floatRun)
				floatRun = 0
				if err := flushBlock(); err != nil {
					return err
				}
			}
		}
		return nil
	}
	// vectors wait in pending until a batch is full, then are encoded on
	// all cores and emitted; the first sampleSize wait for the centre and
	// weights they give
	var pendPIDs []int64
	var pend []float32
	flush := func() error {
		if len(pendPIDs) == 0 {
			return nil
		}
		if wRec == nil {
			sample := make([][]float32, len(pendPIDs))
			for k := range sample {
				sample[k] = pend[k*dim : (k+1)*dim]
			}
			centre, weight = centreAndWeights(sample, dim)
			lay = layoutOf(len(header(st, dim, n, centre, weight)), n, dim, dimPad)
			blockAt = lay.blocks
			wRec = bufio.NewWriterSize(io.NewOffsetWriter(f, lay.recs), 1<<20)
			wFloat = bufio.NewWriterSize(io.NewOffsetWriter(f, lay.floats), 1<<20)
		}
		b, err := encodeBatch(ctx, pendPIDs, pend, dim, centre, weight, recordSeed(st))
		if err != nil {
			return err
		}
		pendPIDs, pend = pendPIDs[:0], pend[:0]
		return emit(b)
	}
	const batch = 8192
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
			pendPIDs = append(pendPIDs, p)
			pend = append(pend, v...)
			if wRec == nil && len(pendPIDs) == min(n, sampleSize) || wRec != nil && len(pendPIDs) == batch {
				if err := flush(); err != nil {
					return err
				}
			}
		}
		return ctx.Err()
	})
	if err == nil {
		err = flush() // the last batch (or fewer vectors than expected: refused below)
	}
	if err == nil && wRec == nil {
		// no vector at all: the layout of none
		centre, weight = centreAndWeights(nil, dim)
		lay = layoutOf(len(header(st, dim, n, centre, weight)), n, dim, dimPad)
		wRec = bufio.NewWriterSize(io.NewOffsetWriter(f, lay.recs), 1<<20)
		wFloat = bufio.NewWriterSize(io.NewOffsetWriter(f, lay.floats), 1<<20)
	}
	if err != nil {
		return err
	}
	if i != n {
		return fmt.Errorf("simindex: %d vectors, %d expected (the vectors changed meanwhile)", i, n)
	}
	if err := wRec.Flush(); err != nil {
		return err
	}
	if err := wFloat.Flush(); err != nil {
		return err
	}
	if _, err := f.WriteAt(pidBytes, lay.pidArr); err != nil {
		return err
	}
	for _, c := range floatCRC {
		table = le.AppendUint32(table, c)
	}
	table = le.AppendUint32(table, crc32.Checksum(pidBytes, castagnoli))
	head := header(st, dim, n, centre, weight)
	if sorted {
		le.PutUint32(head[28:], flagSorted)
	}
	table = le.AppendUint32(table, crc32.Update(crc32.Checksum(head, castagnoli), castagnoli, table))
	if _, err := f.WriteAt(head, 0); err != nil {
		return err
	}
	if _, err := f.WriteAt(table, lay.table); err != nil {
		return err
	}
	if err := f.Truncate(lay.size); err != nil {
		return err
	}
	if err := f.Chmod(perm); err != nil {
		return err
	}
	// Not synced to disk before it is named (0.8 s for the 1 GB of a
	// million papers): the file is a cache, and a power cut that leaves it
	// partly written, zeros or another build's bytes, leaves checksums that
	// do not match (the header and table at Open; each block, vector block
	// and the papers' array against the table; each record against its CRC
	// seeded with this build's stamp, and its vector against the record),
	// so it is never used, and rebuilt. A killed process leaves the page
	// cache's copy, whole.
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

// encodedBatch is a batch of vectors encoded for the file: each row's
// first codes, bounds, second-pass record and float32 bytes.
type encodedBatch struct {
	pids         []int64
	codes        []byte // rows of dimPad
	s1, e1, norm []float32
	recs         []byte // records of dimPad + 24
	floats       []byte // rows of 4 dim
}

// encodeBatch encodes the vectors of data (rows of dim, papers pids) on
// all cores, each row as a sequential build would.
func encodeBatch(ctx context.Context, pids []int64, data []float32, dim int, centre, weight []float64, seed uint32) (*encodedBatch, error) {
	m := len(pids)
	dimPad := padDim(dim)
	recLen := dimPad + 24
	b := &encodedBatch{pids: slices.Clone(pids), codes: make([]byte, m*dimPad), s1: make([]float32, m), e1: make([]float32, m),
		norm: make([]float32, m), recs: make([]byte, m*recLen), floats: make([]byte, m*4*dim)}
	parts := min(runtime.GOMAXPROCS(0), max(1, m/256))
	var wg sync.WaitGroup
	for p := range parts {
		lo, hi := p*m/parts, (p+1)*m/parts
		wg.Add(1)
		go func() {
			defer wg.Done()
			le := binary.LittleEndian
			c1, c2 := make([]int8, dimPad), make([]int8, dimPad)
			y, r1, r2 := make([]float64, dim), make([]float64, dim), make([]float64, dim)
			for k := lo; k < hi; k++ {
				if k%1024 == 0 && ctx.Err() != nil {
					return
				}
				v := data[k*dim : (k+1)*dim]
				for j, x := range v {
					y[j] = (float64(x) - centre[j]) / weight[j]
				}
				s1 := quantise(y, r1, c1)
				s2 := quantise(r1, r2, c2)
				// the bounds, back in x's own units: x - m - w*(s1*c1) is w*r1
				var e1, e2, n1, n2 float64
				for j := range y {
					a, bb := weight[j]*r1[j], weight[j]*r2[j]
					e1 += a * a
					e2 += bb * bb
					u := float64(s1) * float64(c1[j])
					n1 += u * u
					u += float64(s2) * float64(c2[j])
					n2 += u * u
				}
				copy(b.codes[k*dimPad:], unsafe.Slice((*byte)(unsafe.Pointer(&c1[0])), dimPad))
				b.s1[k] = s1
				b.e1[k] = roundUp(math.Sqrt(e1))
				b.norm[k] = roundUp(math.Sqrt(max(n1, n2)))
				row := b.floats[k*4*dim : (k+1)*4*dim]
				for j, x := range v {
					le.PutUint32(row[4*j:], math.Float32bits(x))
				}
				rec := b.recs[k*recLen : (k+1)*recLen]
				copy(rec, unsafe.Slice((*byte)(unsafe.Pointer(&c2[0])), dimPad))
				le.PutUint64(rec[dimPad:], uint64(pids[k]))
				le.PutUint32(rec[dimPad+8:], math.Float32bits(s2))
				le.PutUint32(rec[dimPad+12:], math.Float32bits(roundUp(math.Sqrt(e2))))
				le.PutUint32(rec[dimPad+16:], crc32.Checksum(row, castagnoli))
				le.PutUint32(rec[dimPad+20:], crc32.Update(seed, castagnoli, rec[:dimPad+20]))
			}
		}()
	}
	wg.Wait()
	return b, ctx.Err()
}

// Index is an open index file.
type Index struct {
	f           *os.File
	dim, dimPad int
	n           int
	centre      []float64
	weight      []float64
	lay         layout
	blockCRC    []uint32 // of each block of the first pass
	floatCRC    []uint32 // of each crcBlock vectors
	pidCRC      uint32   // of the papers' array
	recSeed     uint32   // recordSeed of the stamp
	sorted      bool     // rows in increasing order of their papers
}

// Len is the number of vectors.
func (ix *Index) Len() int { return ix.n }

// Sorted reports whether the rows are in increasing order of their papers.
func (ix *Index) Sorted() bool { return ix.sorted }

// Close closes the file (what Vectors mapped stays valid).
func (ix *Index) Close() error {
	if ix == nil || ix.f == nil {
		return nil
	}
	err := ix.f.Close()
	ix.f = nil
	return err
}

var littleEndian = func() bool {
	x := uint16(1)
	return *(*byte)(unsafe.Pointer(&x)) == 1
}()

// Open opens the index at path if it was built from the vectors st names
// (ErrStale otherwise, or when there is none), with dim dimensions. A
// damaged file is ErrCorrupt. It reads the header and the table of
// checksums only: the scans read the rest, each part through its checksum.
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
	ix, err := parse(f, st, dim)
	if err != nil {
		f.Close()
		return nil, err
	}
	return ix, nil
}

// parse checks an index file's header and table.
func parse(f *os.File, st Stamp, dim int) (*Index, error) {
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	size := fi.Size()
	if !fi.Mode().IsRegular() || size < fixedHead || size > 1<<46 {
		return nil, ErrCorrupt
	}
	le := binary.LittleEndian
	b := make([]byte, fixedHead)
	if _, err := f.ReadAt(b, 0); err != nil {
		return nil, ErrCorrupt
	}
	if string(b[:16]) != magic {
		return nil, ErrCorrupt
	}
	if le.Uint32(b[16:]) != version {
		return nil, ErrStale // another papersift's layout: built again
	}
	dl, ml := int(le.Uint16(b[56:])), int(le.Uint16(b[58:]))
	fdim, fpad := int(le.Uint32(b[20:])), int(le.Uint32(b[24:]))
	if dl > maxNameLen || ml > maxNameLen || fdim <= 0 || fdim > 1<<16 || fpad != padDim(fdim) || size < int64(fixedHead+dl+ml+8*fdim) {
		return nil, ErrCorrupt
	}
	head := make([]byte, fixedHead+dl+ml+8*fdim)
	if _, err := f.ReadAt(head, 0); err != nil {
		return nil, ErrCorrupt
	}
	n64 := le.Uint64(head[32:])
	if n64 > uint64(size)/16 {
		return nil, ErrCorrupt
	}
	n := int(n64)
	lay := layoutOf(len(head), n, fdim, fpad)
	if lay.size != size {
		return nil, ErrCorrupt
	}
	table := make([]byte, lay.tableBytes())
	if _, err := f.ReadAt(table, lay.table); err != nil {
		return nil, ErrCorrupt
	}
	body := table[:len(table)-4]
	if crc32.Update(crc32.Checksum(head, castagnoli), castagnoli, body) != le.Uint32(table[len(body):]) {
		return nil, ErrCorrupt
	}
	names := head[fixedHead : fixedHead+dl+ml]
	got := Stamp{DB: string(names[:dl]), Model: string(names[dl:]), MID: int64(le.Uint64(head[40:])), Gen: int64(le.Uint64(head[48:]))}
	if got != st || fdim != dim {
		return nil, ErrStale
	}
	ix := &Index{f: f, dim: dim, dimPad: fpad, n: n, lay: lay, centre: make([]float64, dim), weight: make([]float64, dim), recSeed: recordSeed(st)}
	vecs := head[fixedHead+dl+ml:]
	for j := range dim {
		ix.centre[j] = float64(math.Float32frombits(le.Uint32(vecs[4*j:])))
		ix.weight[j] = float64(math.Float32frombits(le.Uint32(vecs[4*(dim+j):])))
		if c, w := ix.centre[j], ix.weight[j]; !(math.Abs(c) <= 2 && w > 0 && w <= 4) {
			return nil, ErrCorrupt
		}
	}
	nb := blocksOf(n)
	ix.blockCRC, ix.floatCRC = make([]uint32, nb), make([]uint32, nb)
	for k := range nb {
		ix.blockCRC[k] = le.Uint32(table[4*k:])
		ix.floatCRC[k] = le.Uint32(table[4*(nb+k):])
	}
	ix.pidCRC = le.Uint32(table[8*nb:])
	ix.sorted = le.Uint32(head[28:])&flagSorted != 0
	return ix, nil
}

// asFloat32s and asInt64s view little-endian bytes as numbers (a copy on
// big-endian machines or unaligned bytes).
func asFloat32s(b []byte) []float32 {
	if len(b) == 0 {
		return nil
	}
	if littleEndian && uintptr(unsafe.Pointer(&b[0]))%4 == 0 {
		return unsafe.Slice((*float32)(unsafe.Pointer(&b[0])), len(b)/4)
	}
	out := make([]float32, len(b)/4)
	for i := range out {
		out[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return out
}

func asInt64s(b []byte) []int64 {
	if len(b) == 0 {
		return nil
	}
	if littleEndian && uintptr(unsafe.Pointer(&b[0]))%8 == 0 {
		return unsafe.Slice((*int64)(unsafe.Pointer(&b[0])), len(b)/8)
	}
	out := make([]int64, len(b)/8)
	for i := range out {
		out[i] = int64(binary.LittleEndian.Uint64(b[8*i:]))
	}
	return out
}

// alignedBytes is a buffer of n bytes that starts on 8 bytes.
func alignedBytes(n int) []byte {
	w := make([]uint64, (n+7)/8)
	if len(w) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&w[0])), n)
}

// validBounds: a bound that is not a finite number >= 0 would let a paper
// slip (y = (x-m)/w has |y_j| <= 4/min(w), so every scale is below 1e6).
func validBounds(s, e, nr float32) bool {
	return s >= 0 && s <= 1e6 && e >= 0 && e <= 4 && nr >= 0 && nr <= 1e9
}

// Candidates returns the papers that may be among the k most similar to the
// unit vector q (cosine), leaving out the few papers of exclude and those
// skip names (skip may be nil): every paper of the exact float32 top k is
// among them, ties included, in the index's order. Score them again in
// float32 to get it (CandidateVectors gives their vectors).
func (ix *Index) Candidates(ctx context.Context, q []float32, k int, exclude []int64, skip func(pid int64) bool) ([]int64, error) {
	cs, err := ix.candidates(ctx, q, k, exclude, skip)
	out := make([]int64, len(cs))
	for i, c := range cs {
		out[i] = c.pid
	}
	return out, err
}

// CandidateVectors is Candidates with the candidates' float32 vectors (row
// after row), read from the file and checked against their checksums.
func (ix *Index) CandidateVectors(ctx context.Context, q []float32, k int, exclude []int64, skip func(pid int64) bool) ([]int64, []float32, error) {
	cs, err := ix.candidates(ctx, q, k, exclude, skip)
	if err != nil {
		return nil, nil, err
	}
	if len(cs) > MaxCandidates {
		return nil, nil, ErrTooManyCandidates
	}
	pids := make([]int64, len(cs))
	data := make([]float32, len(cs)*ix.dim)
	for i, c := range cs {
		pids[i] = c.pid
		if err := ix.readVector(c.row, c.fcrc, data[i*ix.dim:(i+1)*ix.dim]); err != nil {
			return nil, nil, err
		}
	}
	return pids, data, nil
}

// readVector reads row's float32 vector into v, checked against crc.
func (ix *Index) readVector(row int, crc uint32, v []float32) error {
	b := alignedBytes(4 * ix.dim)
	if _, err := ix.f.ReadAt(b, ix.lay.floats+int64(row)*int64(4*ix.dim)); err != nil || crc32.Checksum(b, castagnoli) != crc {
		return ErrCorrupt
	}
	copy(v, asFloat32s(b))
	return nil
}

// MaxCandidates is the most candidates CandidateVectors reads; more (many
// papers tied with the k-th) fail it with ErrTooManyCandidates, and reading
// every vector is then the better way.
const MaxCandidates = 20000

// ErrTooManyCandidates: more than MaxCandidates papers may be in the top k.
var ErrTooManyCandidates = errors.New("simindex: too many candidates")

// ErrNotIndexed: the index holds no vector of that paper.
var ErrNotIndexed = errors.New("simindex: no vector of that paper")

// record reads and checks row's record: its paper, s2, e2, and the CRC of
// its vector (the codes stay in rec).
func (ix *Index) record(row int, rec []byte) (pid int64, s2, e2 float32, fcrc uint32, err error) {
	if row < 0 || row >= ix.n {
		return 0, 0, 0, 0, ErrCorrupt
	}
	if _, err := ix.f.ReadAt(rec, ix.lay.recs+int64(row)*ix.lay.rec); err != nil {
		return 0, 0, 0, 0, ErrCorrupt
	}
	le := binary.LittleEndian
	body := rec[:len(rec)-4]
	if crc32.Update(ix.recSeed, castagnoli, body) != le.Uint32(rec[len(body):]) {
		return 0, 0, 0, 0, ErrCorrupt
	}
	d := ix.dimPad
	pid = int64(le.Uint64(rec[d:]))
	s2, e2 = math.Float32frombits(le.Uint32(rec[d+8:])), math.Float32frombits(le.Uint32(rec[d+12:]))
	if !validBounds(s2, e2, 0) {
		return 0, 0, 0, 0, ErrCorrupt
	}
	return pid, s2, e2, le.Uint32(rec[d+16:]), nil
}

// Vector returns paper pid's vector, found by a binary search of the
// papers' array (ErrNotIndexed when the index does not hold it, or its
// rows are not in the papers' order).
func (ix *Index) Vector(pid int64) ([]float32, error) {
	if !ix.sorted || ix.n == 0 {
		return nil, ErrNotIndexed
	}
	var b [8]byte
	var err error
	row := sort.Search(ix.n, func(i int) bool {
		if _, rerr := ix.f.ReadAt(b[:], ix.lay.pidArr+8*int64(i)); rerr != nil {
			err = ErrCorrupt
			return true
		}
		return int64(binary.LittleEndian.Uint64(b[:])) >= pid
	})
	if err != nil {
		return nil, err
	}
	if row == ix.n {
		return nil, ErrNotIndexed
	}
	// the papers' array is checked as a whole by Vectors only: the
	// record's paper (under its CRC) confirms the row, and a row whose
	// array entry differs from it is damage
	if _, err := ix.f.ReadAt(b[:], ix.lay.pidArr+8*int64(row)); err != nil {
		return nil, ErrCorrupt
	}
	got, _, _, fcrc, err := ix.record(row, alignedBytes(int(ix.lay.rec)))
	if err != nil {
		return nil, err
	}
	if got != int64(binary.LittleEndian.Uint64(b[:])) {
		return nil, ErrCorrupt
	}
	if got != pid {
		return nil, ErrNotIndexed
	}
	v := make([]float32, ix.dim)
	if err := ix.readVector(row, fcrc, v); err != nil {
		return nil, err
	}
	return v, nil
}

type candidate struct {
	row  int
	pid  int64
	fcrc uint32
}

func (ix *Index) candidates(ctx context.Context, q []float32, k int, exclude []int64, skip func(pid int64) bool) ([]candidate, error) {
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
	nb := blocksOf(ix.n)
	parts := min(runtime.GOMAXPROCS(0), 8, nb)
	var damaged atomic.Bool
	type kept struct {
		row    int
		dot    int32
		hi     float64
		s1, nr float32
		pid    int64
	}
	found := make([][]kept, parts)
	floors := make([][]float64, parts)
	var wg sync.WaitGroup
	// the blocks go to whichever part is free (a part's lower bounds are
	// its own: the floor of them all, and the papers kept, do not depend
	// on which part read which block)
	var next atomic.Int64
	// one buffer of a block for each part, in fresh memory of their own
	bufLen := (crcBlock*int(ix.lay.block) + int(ix.lay.sums) + 63) &^ 63
	bufs, free := scratch(parts * bufLen)
	defer free()
	for p := range parts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// one block at a time into a buffer that stays in the cache
			// (read, not mapped: a page mapped for the first time costs
			// more than its copy)
			buf := bufs[p*bufLen : (p+1)*bufLen]
			out := make([]int32, crcBlock)
			h := floorHeap{k: kk}
			floor := math.Inf(-1) // the part's k-th best lower bound so far
			var keep []kept
			for {
				blk := int(next.Add(1)) - 1
				if blk >= nb {
					break
				}
				at := blk * crcBlock
				m := min(crcBlock, ix.n-at)
				off, length := ix.lay.blockAt(blk, m)
				b := buf[:length]
				cb := m * ix.dimPad
				if _, err := ix.f.ReadAt(b, off); err != nil || crc32.Checksum(b[cb:], castagnoli) != ix.blockCRC[blk] {
					damaged.Store(true)
					return
				}
				codes := unsafe.Slice((*int8)(unsafe.Pointer(&b[0])), cb)
				pids := asInt64s(b[cb : cb+8*m])
				s1 := asFloat32s(b[cb+8*m : cb+12*m])
				e1 := asFloat32s(b[cb+12*m : cb+16*m])
				nr := asFloat32s(b[cb+16*m : cb+20*m])
				f32.DotsI8(q16, codes, out[:m])
				// the codes' check (see layout)
				var got, want uint32
				for i, d := range out[:m] {
					got += codeWeight(i) * uint32(d)
				}
				sums := b[cb+20*m:]
				for j, v := range q16 {
					want += uint32(int32(v)) * binary.LittleEndian.Uint32(sums[4*j:])
				}
				if got != want {
					damaged.Store(true)
					return
				}
				for i, d := range out[:m] {
					if !validBounds(s1[i], e1[i], nr[i]) {
						damaged.Store(true)
						return
					}
					a := qm + float64(d)*inv*float64(s1[i])
					b := qNorm*float64(e1[i]) + qErr*float64(nr[i]) + margin
					if a+b < floor {
						continue // below k lower bounds already: never a candidate
					}
					if skip != nil && skip(pids[i]) {
						continue
					}
					keep = append(keep, kept{at + i, d, a + b, s1[i], nr[i], pids[i]})
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
	// Second pass, over those only, with y = s1*c1 + s2*c2 within e2, in
	// the index's order.
	var first []kept
	for _, f := range found {
		for _, c := range f {
			if c.hi >= floor {
				first = append(first, c)
			}
		}
	}
	slices.SortFunc(first, func(a, b kept) int { return cmp.Compare(a.row, b.row) })
	est := make([]float64, len(first))
	bounds := make([]float64, len(first))
	h := floorHeap{k: kk}
	var d2 [1]int32
	rec := alignedBytes(int(ix.lay.rec))
	fcrcs := make([]uint32, len(first))
	for i, c := range first {
		pid, s2, e2, fcrc, err := ix.record(c.row, rec)
		if err != nil || pid != c.pid {
			return nil, ErrCorrupt
		}
		fcrcs[i] = fcrc
		f32.DotsI8(q16, unsafe.Slice((*int8)(unsafe.Pointer(&rec[0])), ix.dimPad), d2[:])
		est[i] = qm + inv*(float64(c.dot)*float64(c.s1)+float64(d2[0])*float64(s2))
		bounds[i] = qNorm*float64(e2) + qErr*float64(c.nr) + margin
		h.add(est[i] - bounds[i])
	}
	floor = math.Inf(-1)
	if len(h.v) >= kk {
		floor = h.v[0]
	}
	out := make([]candidate, 0, min(kk, len(first)))
	for i, c := range first {
		if est[i]+bounds[i] >= floor && !slices.Contains(exclude, c.pid) {
			out = append(out, candidate{c.row, c.pid, fcrcs[i]})
		}
	}
	return out, nil
}

// Vectors are the index's vectors in float32, in its order, with their
// papers: mapped from the file, not copied (writing to them changes this
// process's copy only). Release unmaps them: nothing may use them after.
type Vectors struct {
	PIDs    []int64
	Data    []float32
	Release func() error
}

// Vectors maps the index's vectors, after checking every one of them
// against its checksum (ErrCorrupt when one differs).
func (ix *Index) Vectors(ctx context.Context) (*Vectors, error) {
	if ix.n == 0 {
		return &Vectors{Release: func() error { return nil }}, nil
	}
	size := ix.lay.table - ix.lay.floats
	b, unmap, err := mapPrivate(ix.f, ix.lay.floats, int(size))
	if err != nil {
		return nil, err
	}
	fb := b[:4*int64(ix.n)*int64(ix.dim)]
	pb := b[ix.lay.pidArr-ix.lay.floats:]
	// each block of vectors checked once, on all cores
	nb := blocksOf(ix.n)
	rowBytes := 4 * ix.dim
	var bad atomic.Bool
	err = parallelBlocks(ctx, nb, func(blk int) {
		lo := blk * crcBlock * rowBytes
		hi := min(len(fb), lo+crcBlock*rowBytes)
		if crc32.Checksum(fb[lo:hi], castagnoli) != ix.floatCRC[blk] {
			bad.Store(true)
			return
		}
		// what Build refused can only be a crafted file's
		rows := asFloat32s(fb[lo:hi])
		for r := 0; r+ix.dim <= len(rows); r += ix.dim {
			if !validVector(rows[r : r+ix.dim]) {
				bad.Store(true)
				return
			}
		}
	})
	if err == nil && (bad.Load() || crc32.Checksum(pb, castagnoli) != ix.pidCRC) {
		err = ErrCorrupt
	}
	if err != nil {
		unmap()
		return nil, err
	}
	v := &Vectors{PIDs: asInt64s(pb), Data: asFloat32s(fb), Release: unmap}
	return v, nil
}

// parallelBlocks calls fn for each of n blocks, on all cores.
func parallelBlocks(ctx context.Context, n int, fn func(int)) error {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), max(1, n)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n || ctx.Err() != nil {
					return
				}
				fn(i)
			}
		}()
	}
	wg.Wait()
	return ctx.Err()
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
