package simindex

import (
	"context"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

// FuzzOpen: no file, whatever its bytes, makes Open or a query of what it
// opens panic.
//
//	go test ./simindex -run XXX -fuzz FuzzOpen -fuzztime 10s
func FuzzOpen(f *testing.F) {
	r := rand.New(rand.NewPCG(4, 4))
	pids, data := corpus(r, 40, 16)
	path := filepath.Join(f.TempDir(), "seed.simidx")
	mustBuild(f, path, pids, data, 16, 7)
	good, err := os.ReadFile(path)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add(good[:len(good)/2])
	f.Add([]byte(magic))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		p := filepath.Join(t.TempDir(), "x.simidx")
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		ix, err := Open(p, stamp, 16)
		if err != nil {
			return
		}
		defer ix.Close()
		ix.Candidates(context.Background(), data[:16], 5, []int64{pids[0]}, nil)
		ix.Candidates(context.Background(), data[16:32], math.MaxInt, nil, func(p int64) bool { return p%2 == 0 })
		if v, err := ix.Vectors(context.Background()); err == nil {
			if len(v.PIDs) != ix.Len() || len(v.Data) != ix.Len()*16 {
				t.Fatalf("%d papers and %d values for %d vectors", len(v.PIDs), len(v.Data), ix.Len())
			}
			var s float32
			for _, x := range v.Data {
				s += x
			}
			v.Release()
		}
	})
}
