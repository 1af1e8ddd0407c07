package papersift

import (
	"reflect"
	"testing"

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

func TestGatherRows(t *testing.T) {
	const dim = 3
	for _, tc := range []struct {
		n    int
		rows []int
	}{
		{5, []int{4, 0, 2}},             // fewer than half: a copy
		{5, []int{3, 1, 4, 0}},          // in place
		{6, []int{0, 1, 2, 3, 4, 5}},    // identity
		{6, []int{5, 4, 3, 2, 1, 0}},    // reversal
		{7, []int{1, 2, 3, 4, 5, 6, 0}}, // one long cycle
	} {
		data := make([]float32, tc.n*dim)
		for i := range data {
			data[i] = float32(i)
		}
		var want []float32
		for _, r := range tc.rows {
			want = append(want, data[r*dim:(r+1)*dim]...)
		}
		if got := gatherRows(data, dim, tc.rows); !reflect.DeepEqual(got, want) {
			t.Errorf("n=%d rows %v: %v, want %v", tc.n, tc.rows, got, want)
		}
	}
}
