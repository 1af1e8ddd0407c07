package simindex

import (
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// After a power cut, a file that was renamed but not synced (the index is
// not) may hold, in the pages not yet written back, zeros or (ext4
// data=writeback and the like) the stale contents of blocks freed by an
// earlier build. Each record's CRC is seeded with its build's stamp: a
// stale record and vector of an earlier build of the same papers are found
// (ErrCorrupt), never used.
func TestStalePagesAfterPowerCut(t *testing.T) {
	ctx := context.Background()
	const n, dim = 2000, 48
	r := rand.New(rand.NewPCG(5, 5))
	pids, data := corpus(r, n, dim)
	// the new build: paper 1000's text changed, so its vector did
	newData := slices.Clone(data)
	copy(newData[1000*dim:1001*dim], unit(r, dim, nil, 0))
	dir := t.TempDir()
	oldPath, newPath := filepath.Join(dir, "old.simidx"), filepath.Join(dir, "new.simidx")
	oldSt := stamp
	oldSt.Gen = 41
	if err := Build(ctx, oldPath, 0o644, oldSt, dim, n, scanOf(pids, data, dim, 100)); err != nil {
		t.Fatal(err)
	}
	mustBuild(t, newPath, pids, newData, dim, 100)
	oldB, _ := os.ReadFile(oldPath)
	newB, _ := os.ReadFile(newPath)
	if len(oldB) != len(newB) {
		t.Fatalf("sizes %d %d", len(oldB), len(newB))
	}
	head := fixedHead + len(stamp.DB) + len(stamp.Model) + 8*dim
	lay := layoutOf(head, n, dim, padDim(dim))
	// the 4 KiB pages of row 1000's record and of its float vector: stale
	mixed := slices.Clone(newB)
	stale := func(off int64) {
		p := off &^ 4095
		copy(mixed[p:p+4096], oldB[p:p+4096])
	}
	recAt := lay.recs + 1000*lay.rec
	fAt := lay.floats + 1000*4*dim
	stale(recAt)
	stale(recAt + lay.rec - 1)
	stale(fAt)
	stale(fAt + 4*dim - 1)
	if recAt&^4095 < lay.recs || fAt&^4095 < lay.floats || (fAt+4*dim-1)&^4095+4096 > lay.pidArr {
		t.Skip("pages overlap other parts")
	}
	p := filepath.Join(dir, "cut.simidx")
	os.WriteFile(p, mixed, 0o644)
	ix, err := Open(p, stamp, dim)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	defer ix.Close()
	v, err := ix.Vector(pids[1000])
	if err == nil && !slices.Equal(v, newData[1000*dim:1001*dim]) {
		t.Errorf("Vector(%d): no error, and the vector of the earlier build (stale)", pids[1000])
	}
	if !errors.Is(err, ErrCorrupt) {
		t.Errorf("Vector(%d) of the stale record: %v, want ErrCorrupt", pids[1000], err)
	}
	q := newData[1000*dim : 1001*dim]
	cp, cv, err := ix.CandidateVectors(ctx, q, 5, nil, nil)
	if err == nil {
		for i, pid := range cp {
			if pid == pids[1000] && !slices.Equal(cv[i*dim:(i+1)*dim], q) {
				t.Errorf("CandidateVectors: no error, and paper %d's stale vector", pid)
			}
		}
	} else {
		t.Logf("CandidateVectors: %v", err)
	}
	if vs, err := ix.Vectors(ctx); err == nil {
		t.Errorf("Vectors: the stale file passes")
		vs.Release()
	}
}
