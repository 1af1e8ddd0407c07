package embed

import (
	"bytes"
	"encoding/binary"
	"slices"
	"testing"
)

// LoadTermStats reads from a background file the statistics its
// background has, for every term, without its word vectors; a file of
// one gzip member (before the statistics had a member of their own) is
// read whole.
func TestLoadTermStats(t *testing.T) {
	bg, texts, _ := fittedSmallBackground(t)
	good := writeBackground(t, bg)
	raw, err := bg.marshal()
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"two members": good, "one member": gzipped(t, raw)} {
		ts, err := LoadTermStats(data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !slices.Equal(ts.terms, bg.terms) || !slices.Equal(ts.termDF, bg.termDF) || !slices.Equal(ts.repeat, bg.repeat) || ts.n != bg.n {
			t.Fatalf("%s: %d terms of %d documents, the background %d of %d", name, len(ts.terms), ts.n, len(bg.terms), bg.n)
		}
		if len(ts.terms) == 0 {
			t.Fatal("a background without terms")
		}
		for _, text := range texts[:20] {
			for _, w := range bytes.Fields([]byte(text)) {
				a1, b1, ok1 := ts.Stats(string(w))
				a2, b2, ok2 := bg.Stats(string(w))
				if a1 != a2 || b1 != b2 || ok1 != ok2 {
					t.Fatalf("%s: Stats(%q) = %v %v %v, the background's %v %v %v", name, w, a1, b1, ok1, a2, b2, ok2)
				}
			}
		}
	}
	// the first member names where the second starts; cut there, the two
	// are the encoding the identity hashes
	off := int(binary.LittleEndian.Uint64(good[statsAt:]))
	if good[12] != 'P' || good[13] != 'S' || off <= 0 || off >= len(good) {
		t.Fatalf("the offset of the second member: %d of %d bytes", off, len(good))
	}
	a, err := LoadBackground(bytes.NewReader(good))
	if err != nil {
		t.Fatal(err)
	}
	if a.Identity() != bg.Identity() {
		t.Errorf("loaded %s, written %s", a.Identity(), bg.Identity())
	}
}

func TestLoadTermStatsRejectsBadData(t *testing.T) {
	bg, _, _ := fittedSmallBackground(t)
	good := writeBackground(t, bg)
	off := int(binary.LittleEndian.Uint64(good[statsAt:]))
	withOff := func(o uint64) []byte {
		b := slices.Clone(good)
		binary.LittleEndian.PutUint64(b[statsAt:], o)
		return b
	}
	cases := map[string][]byte{
		"empty":                 nil,
		"garbage":               []byte("not a background"),
		"first member only":     good[:off],
		"second member cut":     good[:len(good)-6],
		"offset 0":              withOff(0),
		"offset past the end":   withOff(uint64(len(good))),
		"offset 2^64-1":         withOff(1<<64 - 1),
		"offset into the first": withOff(uint64(off / 2)),
	}
	flipped := slices.Clone(good)
	flipped[off+(len(good)-off)/2] ^= 0x55
	cases["a byte of the statistics flipped"] = flipped
	for name, data := range cases {
		t.Run(name, func(t *testing.T) {
			if ts, err := LoadTermStats(data); err == nil {
				t.Fatalf("no error: %d terms", len(ts.terms))
			}
		})
	}
}

// The statistics shipped in the binary are those of the background shipped.
func TestDefaultTermStats(t *testing.T) {
	ts, err := DefaultTermStats()
	if err != nil {
		t.Fatal(err)
	}
	bg, err := DefaultBackground()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ts.terms, bg.terms) || !slices.Equal(ts.termDF, bg.termDF) || !slices.Equal(ts.repeat, bg.repeat) || ts.n != bg.n {
		t.Fatalf("%d terms of %d documents, the background's %d of %d", len(ts.terms), ts.n, len(bg.terms), bg.n)
	}
	if df, _, ok := ts.Stats("diffusion"); !ok || !(df > 0 && df < 0.5) {
		t.Errorf("Stats(diffusion) = %v %v", df, ok)
	}
	// once the whole background is loaded, its statistics serve
	if again, err := DefaultTermStats(); err != nil || &again.terms[0] != &bg.terms[0] {
		t.Errorf("after DefaultBackground, DefaultTermStats decompressed its own (%v)", err)
	}
}

// FuzzLoadTermStats: LoadTermStats never panics, and what it loads can be
// asked.
func FuzzLoadTermStats(f *testing.F) {
	bg, _, _ := fittedSmallBackground(f)
	good := writeBackground(f, bg)
	off := int(binary.LittleEndian.Uint64(good[statsAt:]))
	f.Add(good)
	f.Add(good[:off+40])
	f.Add(backgroundData[:4096])
	f.Add([]byte("not gzip"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ts, err := LoadTermStats(data)
		if err != nil {
			return
		}
		ts.Stats("words")
		ts.Stats("two words")
	})
}
