package papersift

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/papersift/papersift/cluster"
	"github.com/papersift/papersift/store"
)

func TestByPID(t *testing.T) {
	for _, pids := range [][]int64{{1, 2, 3}, {3, 1, 2}, {2, 1, 4, 3, 6, 5}, {9, 8, 7, 6, 5, 4, 3, 2, 1}, {5}, {}} {
		mat := &store.Matrix{Dim: 2, PIDs: append([]int64(nil), pids...)}
		for _, p := range pids {
			mat.Data = append(mat.Data, float32(p), float32(-p))
		}
		byPID(mat)
		for i, p := range mat.PIDs {
			if (i > 0 && mat.PIDs[i-1] >= p) || mat.Row(i)[0] != float32(p) || mat.Row(i)[1] != float32(-p) {
				t.Fatalf("byPID(%v): pids %v, data %v", pids, mat.PIDs, mat.Data)
			}
		}
		if len(mat.PIDs) != len(pids) {
			t.Fatalf("byPID(%v) lost rows", pids)
		}
	}
}

// inOrder copies the rows of a selection side by side, so that k-means of
// the copy is k-means of the rows; rows already in order, or too many
// bytes of them, are left where they are.
func TestInOrder(t *testing.T) {
	const dim = 3
	data := make([]float32, 10*dim)
	for i := range data {
		data[i] = float32(i)
	}
	rows := []int{7, 2, 9, 0, 2}
	got, ident := inOrder(context.Background(), data, dim, rows)
	if len(got) != len(rows)*dim || len(ident) != len(rows) {
		t.Fatalf("%d values, %d rows", len(got), len(ident))
	}
	for i, r := range rows {
		if ident[i] != i || !slices.Equal(got[i*dim:(i+1)*dim], data[r*dim:(r+1)*dim]) {
			t.Fatalf("row %d: %v (rows %v), want row %d of the data", i, got[ident[i]*dim:(ident[i]+1)*dim], ident, r)
		}
	}
	// the same clusters from the copy as from the rows in place
	pts := make([]float32, 400*4)
	for i := range pts {
		pts[i] = float32(math.Sin(float64(i*i%997))) + float32(i%4)
	}
	perm := rand.New(rand.NewPCG(1, 1)).Perm(400)[:300]
	a, err := cluster.KMeans{K: 5, Seed: 3}.FitRows(context.Background(), pts, 4, perm)
	if err != nil {
		t.Fatal(err)
	}
	c, crows := inOrder(context.Background(), pts, 4, perm)
	b, err := cluster.KMeans{K: 5, Seed: 3}.FitRows(context.Background(), c, 4, crows)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a.Assign, b.Assign) || a.Inertia != b.Inertia {
		t.Errorf("k-means of the copy: inertia %v, of the rows %v", b.Inertia, a.Inertia)
	}
	// in order: nothing copied
	sorted := []int{0, 2, 2, 5}
	if got, r := inOrder(context.Background(), data, dim, sorted); &got[0] != &data[0] || &r[0] != &sorted[0] {
		t.Error("rows in order were copied")
	}
	// too many bytes: nothing copied
	defer func(old int) { inOrderMost = old }(inOrderMost)
	inOrderMost = len(rows)*dim*4 - 1
	if got, r := inOrder(context.Background(), data, dim, rows); &got[0] != &data[0] || &r[0] != &rows[0] {
		t.Error("rows of more than inOrderMost bytes were copied")
	}
}
