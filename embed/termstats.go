package embed

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"io"
	"slices"
	"sync"
	"unsafe"

	"github.com/papersift/papersift/tfidf"
)

// TermStats says how common words and two-word phrases are in the
// background's abstracts: what the labels of topics weigh terms by.
type TermStats struct {
	n      int      // documents
	terms  []uint64 // ascending
	termDF []uint32
	repeat []float32 // mean uses per document that uses the term
}

// Stats returns how common a term (a lowercase word, or two words joined
// by a space, as package tfidf tokenises) is in the background: the share
// of its abstracts that use it and how many times such an abstract uses it
// on average; ok is false for a term too rare to judge.
func (ts *TermStats) Stats(term string) (df, repeat float64, ok bool) {
	i, ok := slices.BinarySearch(ts.terms, tfidf.Hash(term))
	if !ok {
		return 0, 0, false
	}
	return float64(ts.termDF[i]) / float64(ts.n), float64(ts.repeat[i]), true
}

// The first gzip member of a background file holds, in its header's extra
// field (RFC 1952 2.3.1.1: subfield "PS", 8 bytes), the offset of the
// second member, which holds the statistics of terms.
const (
	statsAt  = 16 // the offset's place in the first member: after the fixed header (10), XLEN (2), SI1 SI2 LEN (4)
	statsLen = 8
)

func statsExtra(off uint64) []byte {
	return binary.LittleEndian.AppendUint64([]byte{'P', 'S', statsLen, 0}, off)
}

// statsOffset reads the offset of the second member from the first's extra
// field.
func statsOffset(extra []byte) (int64, bool) {
	if len(extra) != 4+statsLen || extra[0] != 'P' || extra[1] != 'S' || binary.LittleEndian.Uint16(extra[2:]) != statsLen {
		return 0, false
	}
	return int64(binary.LittleEndian.Uint64(extra[4:])), true
}

// littleEndian reports whether this machine stores numbers as the file
// does.
func littleEndian() bool {
	x := uint16(1)
	return *(*byte)(unsafe.Pointer(&x)) == 1
}

var defaultTermStats = sync.OnceValues(func() (*TermStats, error) { return LoadTermStats(backgroundData) })

// DefaultTermStats returns the statistics of terms of the background model
// shipped in the binary: those of the whole model when the process has
// loaded it already (a digest that embedded its papers), else decompressing
// only them, 2.7 of its 7.9 MB (group of a day's list waited 115 ms for the
// whole, 20 ms for them).
func DefaultTermStats() (*TermStats, error) {
	if bg := loadedBG.Load(); bg != nil {
		return bg.TermStats(), nil
	}
	return defaultTermStats()
}

// LoadTermStats reads the statistics of terms of a background file written
// by WriteTo, without decompressing its word vectors (a file of one gzip
// member is read whole). What may follow the second member is not read.
func LoadTermStats(data []byte) (*TermStats, error) {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errBackground, err)
	}
	off, ok := statsOffset(zr.Header.Extra)
	if !ok {
		bg, err := LoadBackground(bytes.NewReader(data))
		if err != nil {
			return nil, err
		}
		return bg.TermStats(), nil
	}
	zr.Multistream(false)
	var head [len(bgMagic) + 16]byte
	if _, err := io.ReadFull(zr, head[:]); err != nil || string(head[:len(bgMagic)]) != bgMagic {
		return nil, errBackground
	}
	hdr := head[len(bgMagic):]
	n, nt := int64(binary.LittleEndian.Uint32(hdr)), int64(binary.LittleEndian.Uint32(hdr[12:]))
	if n <= 0 || off <= 0 || off >= int64(len(data)) || 16*nt > 8*int64(len(data)) || 16*nt > 1<<30 {
		return nil, errBackground // a ratio no real background reaches (1.2 here)
	}
	zs, err := gzip.NewReader(bytes.NewReader(data[off:]))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errBackground, err)
	}
	zs.Multistream(false)
	words := make([]uint64, 2*nt) // the bytes of the three arrays, 8-aligned
	raw := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(words))), 16*nt)
	if _, err := io.ReadFull(zs, raw); err != nil {
		return nil, errBackground // not the statistics of nt terms
	}
	// the member ends there, its checksum and size right
	if n, err := zs.Read(make([]byte, 1)); n != 0 || err != io.EOF {
		return nil, errBackground
	}
	ts := &TermStats{n: int(n)}
	if nt > 0 && littleEndian() {
		// read in place
		p := unsafe.Pointer(unsafe.SliceData(words))
		ts.terms = unsafe.Slice((*uint64)(p), nt)
		ts.termDF = unsafe.Slice((*uint32)(unsafe.Add(p, 8*nt)), nt)
		ts.repeat = unsafe.Slice((*float32)(unsafe.Add(p, 12*nt)), nt)
	} else {
		ts.terms, ts.termDF, ts.repeat = make([]uint64, nt), make([]uint32, nt), make([]float32, nt)
		rd := bytes.NewReader(raw)
		for _, part := range []any{ts.terms, ts.termDF, ts.repeat} {
			if err := binary.Read(rd, binary.LittleEndian, part); err != nil {
				return nil, errBackground
			}
		}
	}
	if !slices.IsSorted(ts.terms) {
		return nil, errBackground // the lookups are binary searches
	}
	return ts, nil
}
